// SPDX-License-Identifier: GPL-2.0
/*
 * test_term.c - raw mode on a terminal, and its restoration on every way
 * out: term__restore(), exit(), the signals that end a process, a crash.
 * The terminal is a pseudo-terminal we open; each way out runs in a child,
 * and the parent looks at the settings the child left behind.
 *
 * Build and run (from the top of the tree):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -fno-omit-frame-pointer -I include -I launcher -o test_term \
 *       tests/unit/test_term.c launcher/term.c && ./test_term
 */
#define _GNU_SOURCE	/* posix_openpt and friends */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "lguest.h"
#include "tap.h"

static int pty_master = -1, pty_slave = -1;

static bool open_pty(void)
{
	pty_master = posix_openpt(O_RDWR | O_NOCTTY);
	if (pty_master < 0 || grantpt(pty_master) || unlockpt(pty_master))
		return false;
	pty_slave = open(ptsname(pty_master), O_RDWR | O_NOCTTY);
	return pty_slave >= 0;
}

static bool is_cooked(void)
{
	struct termios t;

	return tcgetattr(pty_slave, &t) == 0 && (t.c_lflag & (ICANON | ECHO | ISIG)) ==
	       (ICANON | ECHO | ISIG) && (t.c_iflag & ICRNL);
}

static bool is_raw(void)
{
	struct termios t;

	return tcgetattr(pty_slave, &t) == 0 && !(t.c_lflag & (ICANON | ECHO | ISIG | IEXTEN)) &&
	       !(t.c_iflag & (ICRNL | IXON)) && t.c_cc[VMIN] == 1 && (t.c_oflag & OPOST);
}

enum way_out { BY_EXIT, BY_SIGNAL, BY_ABORT };

/*
 * A child makes the terminal raw, checks that it is, and leaves by way;
 * returns its wait status.  The parent has not made it raw itself.
 */
static int child_leaves(enum way_out way, int sig)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		if (term__raw(pty_slave) != 1 || !is_raw())
			_exit(3);
		if (way == BY_EXIT)
			exit(0);
		if (way == BY_ABORT)
			abort();
		raise(sig);
		_exit(4);	/* the signal should have ended us */
	}
	waitpid(pid, &st, 0);
	return st;
}

static void test_in_process(void)
{
	int p[2];

	report(pipe(p) == 0 && term__raw(p[0]) == 0, "a pipe is no terminal: left alone");
	close(p[0]);
	close(p[1]);
	report(is_cooked(), "a fresh pty is cooked");
}

static void test_ways_out(void)
{
	static const struct {
		int sig;
		const char *name;
	} sigs[] = {
		{ SIGINT, "SIGINT" }, { SIGTERM, "SIGTERM" }, { SIGHUP, "SIGHUP" },
		{ SIGQUIT, "SIGQUIT" }, { SIGSEGV, "SIGSEGV" }, { SIGBUS, "SIGBUS" },
		{ SIGFPE, "SIGFPE" }, { SIGILL, "SIGILL" },
	};
	unsigned int i;
	int st;

	st = child_leaves(BY_EXIT, 0);
	report(WIFEXITED(st) && WEXITSTATUS(st) == 0 && is_cooked(), "exit(): terminal restored");
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		st = child_leaves(BY_SIGNAL, sigs[i].sig);
		if (!report(WIFSIGNALED(st) && WTERMSIG(st) == sigs[i].sig && is_cooked(),
			    "%s: the process still dies of it, terminal restored", sigs[i].name))
			diag("wait status %#x", st);
	}
	st = child_leaves(BY_ABORT, 0);
	report(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && is_cooked(),
	       "abort(): terminal restored");
}

static void test_restore(void)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		bool ok = term__raw(pty_slave) == 1 && is_raw();

		term__restore();
		ok &= is_cooked();
		term__restore();	/* twice is harmless */
		ok &= is_cooked() && term__raw(pty_slave) == 1;
		_exit(ok ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	report(WIFEXITED(st) && WEXITSTATUS(st) == 0, "term__restore() undoes raw mode, twice over");
}

int main(void)
{
	if (!open_pty()) {
		report(true, "# SKIP no pseudo-terminal to test with");
		return report_summary();
	}
	test_in_process();
	test_restore();
	test_ways_out();
	close(pty_slave);
	close(pty_master);
	return report_summary();
}
