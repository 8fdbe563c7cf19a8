// SPDX-License-Identifier: GPL-2.0
/*
 * term.c - the terminal the Guest's console runs on.
 *
 * While a Guest runs, its own tty layer does the line editing, echo and
 * signal characters, so our terminal must pass every key through as it
 * comes: raw input.  Output stays cooked (a bare newline still returns the
 * carriage), which costs nothing with a Guest that sends "\r\n" anyway and
 * keeps our own messages readable.
 *
 * A terminal left raw is a terminal the user must rescue blind with
 * "stty sane", so whatever way the Launcher ends we put the settings back:
 * exit() (atexit), the signals that end a process by default, and crashes.
 * tcsetattr() is async-signal-safe, so the handlers may call it; each then
 * re-raises its signal with the default action, and the process ends the
 * way it would have without us.
 */
#include <signal.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "lguest.h"

static struct termios saved;
static volatile sig_atomic_t saved_fd = -1;

void term__restore(void)
{
	if (saved_fd >= 0)
		tcsetattr(saved_fd, TCSANOW, &saved);
}

static void restore_and_die(int sig)
{
	term__restore();
	raise(sig);		/* SA_RESETHAND: now with the default action */
}

static const int fatal_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGSEGV,
};

static void catch_fatal_signals(void)
{
	struct sigaction sa = { .sa_handler = restore_and_die,
				.sa_flags = SA_RESETHAND | SA_NODEFER };
	unsigned int i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
}

/*> L620
 * Raw input on fd, if it is a terminal: no echo, no line buffering, no
 * signal keys (^C goes to the Guest's shell, not to us), no flow control
 * and no CR/NL translation; read() returns as soon as one byte is there.
 * Returns 1 if the terminal is now raw, 0 if fd is no terminal, -1 if we
 * could not change it.  Only the first terminal is saved and restored.
 */
int term__raw(int fd)
{
	struct termios raw;

	if (!isatty(fd))
		return 0;
	if (saved_fd >= 0)
		return 1;
	if (tcgetattr(fd, &saved))
		return -1;
	raw = saved;
	raw.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL |
				   IXON | IXOFF);
	raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;

	saved_fd = fd;
	catch_fatal_signals();
	atexit(term__restore);
	if (tcsetattr(fd, TCSANOW, &raw)) {
		saved_fd = -1;
		return -1;
	}
	return 1;
}
