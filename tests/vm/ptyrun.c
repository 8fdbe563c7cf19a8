// SPDX-License-Identifier: GPL-2.0
/*
 * ptyrun.c - run a command on a terminal of its own, as a user at a
 * terminal would, and report what it did to that terminal.
 *
 *   ptyrun [--after TEXT] [--delay MS] [--type FILE | --keys HEX | --signal N]
 *          [--timeout SECS] -- COMMAND [ARG...]
 *
 * The command gets a new pseudo-terminal as its stdin, stdout, stderr and
 * controlling terminal, in a session of its own: the Launcher, started
 * there, finds a real terminal and makes it raw, which it never does in
 * the VM tests' other runs (their stdin is a file or a FIFO).  Everything
 * it prints comes out on our stdout.  Once its output holds TEXT (at once,
 * without --after), and MS milliseconds later, we act once: --type writes
 * FILE's lines to the terminal as keys, each newline as the carriage
 * return a terminal's Enter key sends; --keys writes the bytes given in
 * hex ("0178" is Ctrl-A x); --signal sends signal N to the command.  After
 * SECS seconds (default 120) the command gets SIGKILL.
 *
 * We keep the terminal's other end open ourselves, so that its settings
 * outlive the command and we can see what it left behind.  The last line
 * we print:
 *
 *   @@PTY status=S raw=yes|no restored=yes|no acted=yes|no
 *
 * S is the command's exit status (128 + N if signal N ended it); raw, that
 * the terminal was raw (no echo, no line editing, no signal keys, no CR/NL
 * translation, one byte at a time, output still processed) when we acted;
 * restored, that the command left it as it found it.  We exit 0 when we
 * could run it at all, 2 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char *after, *type_file, *keys_hex;
static int sig_to_send, delay_ms, timeout_s = 120;

static void usage(void)
{
	fprintf(stderr, "usage: ptyrun [--after TEXT] [--delay MS] [--type FILE | --keys HEX | --signal N] [--timeout SECS] -- COMMAND [ARG...]\n");
	exit(2);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static bool is_raw(const struct termios *t)
{
	return !(t->c_lflag & (ICANON | ECHO | ISIG | IEXTEN)) && !(t->c_iflag & (ICRNL | IXON)) &&
	       t->c_cc[VMIN] == 1 && (t->c_oflag & OPOST);
}

static bool same_settings(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_cflag == b->c_cflag && a->c_lflag == b->c_lflag &&
	       a->c_cc[VMIN] == b->c_cc[VMIN] && a->c_cc[VTIME] == b->c_cc[VTIME];
}

static void write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			poll(&(struct pollfd){ .fd = fd, .events = POLLOUT }, 1, 100);
			continue;
		}
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* FILE's lines as typed keys: a newline becomes Enter's carriage return. */
static void type_lines(int master, const char *file)
{
	char line[1024];
	FILE *f = fopen(file, "r");
	size_t n;

	if (!f) {
		fprintf(stderr, "ptyrun: cannot open %s: %s\n", file, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[n - 1] = '\r';
		write_all(master, line, n);
		usleep(20000);	/* a fast typist, not a paste */
	}
	fclose(f);
}

static void send_hex(int master, const char *hex)
{
	unsigned int byte;
	char c;

	for (; hex[0] && hex[1]; hex += 2) {
		if (sscanf(hex, "%2x", &byte) != 1)
			return;
		c = (char)byte;
		write_all(master, &c, 1);
		usleep(20000);
	}
}

/* Output so far, its last part: enough to find TEXT split between reads. */
static char seen[8192];
static size_t seen_len;

static bool saw(const char *buf, size_t n)
{
	size_t keep;

	if (n >= sizeof(seen) - 1) {
		buf += n - (sizeof(seen) - 1);
		n = sizeof(seen) - 1;
	}
	if (seen_len + n >= sizeof(seen)) {
		keep = sizeof(seen) - 1 - n;
		memmove(seen, seen + seen_len - keep, keep);
		seen_len = keep;
	}
	memcpy(seen + seen_len, buf, n);
	seen_len += n;
	seen[seen_len] = '\0';
	/* Output may hold NULs: look at each string in it. */
	for (size_t i = 0; i < seen_len; i += strlen(seen + i) + 1)
		if (strstr(seen + i, after))
			return true;
	return false;
}

int main(int argc, char *argv[])
{
	struct termios before, t;
	int master, slave, i, st = 0, status = -1;
	bool triggered, acted = false, raw = false, exited = false;
	long trigger_at = 0, deadline;
	char buf[4096], *name;
	ssize_t n;
	pid_t pid;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--after"))
			after = argv[++i];
		else if (!strcmp(argv[i], "--delay"))
			delay_ms = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--type"))
			type_file = argv[++i];
		else if (!strcmp(argv[i], "--keys"))
			keys_hex = argv[++i];
		else if (!strcmp(argv[i], "--signal"))
			sig_to_send = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--timeout"))
			timeout_s = atoi(argv[++i]);
		else
			usage();
	}
	if (i + 1 >= argc)
		usage();
	argv += i + 1;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master) || !(name = ptsname(master))) {
		fprintf(stderr, "ptyrun: no pseudo-terminal (is devpts mounted on /dev/pts?): %s\n",
			strerror(errno));
		return 2;
	}
	slave = open(name, O_RDWR | O_NOCTTY);
	if (slave < 0 || tcgetattr(slave, &before)) {
		fprintf(stderr, "ptyrun: cannot open %s: %s\n", name, strerror(errno));
		return 2;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("ptyrun: fork");
		return 2;
	}
	if (pid == 0) {
		setsid();
		if (ioctl(slave, TIOCSCTTY, 0) < 0)
			perror("ptyrun: TIOCSCTTY");
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		close(slave);
		close(master);
		execvp(argv[0], argv);
		perror("ptyrun: exec");
		_exit(127);
	}
	fcntl(master, F_SETFL, O_NONBLOCK);
	triggered = !after;
	if (triggered)
		trigger_at = now_ms();
	deadline = now_ms() + timeout_s * 1000L;
	for (;;) {
		struct pollfd pfd = { .fd = master, .events = POLLIN };

		poll(&pfd, 1, 50);
		while ((n = read(master, buf, sizeof(buf))) > 0) {
			write_all(STDOUT_FILENO, buf, (size_t)n);
			if (!triggered && saw(buf, (size_t)n)) {
				triggered = true;
				trigger_at = now_ms();
			}
		}
		if (exited)
			break;	/* the last of its output is out */
		if (triggered && !acted && now_ms() >= trigger_at + delay_ms) {
			raw = tcgetattr(slave, &t) == 0 && is_raw(&t);
			acted = true;
			if (type_file)
				type_lines(master, type_file);
			else if (keys_hex)
				send_hex(master, keys_hex);
			else if (sig_to_send)
				kill(pid, sig_to_send);
		}
		if (now_ms() > deadline) {
			fprintf(stderr, "ptyrun: %s ran for %d s: killed\n", argv[0], timeout_s);
			kill(pid, SIGKILL);
			deadline = now_ms() + 3600 * 1000L;
		}
		if (waitpid(pid, &st, WNOHANG) == pid) {
			exited = true;
			status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
	}
	printf("\n@@PTY status=%d raw=%s restored=%s acted=%s\n", status, raw ? "yes" : "no",
	       tcgetattr(slave, &t) == 0 && same_settings(&t, &before) ? "yes" : "no",
	       acted ? "yes" : "no");
	return 0;
}
