/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - one-line checks that print TAP, for the Launcher's unit tests.
 *
 * report(cond, "what should hold") prints "ok N - ..." or "not ok N - ...";
 * report_summary() prints the plan "1..N" (TAP allows it last) and returns
 * the exit status: 0 if every check passed, 1 otherwise.
 */
#ifndef TESTS_UNIT_TAP_H
#define TESTS_UNIT_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int tap_count, tap_failed;

static inline bool report(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline bool report(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		tap_failed++;
	return ok;
}

/* For a failed check, a TAP comment line with the detail a reader needs. */
static inline void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline int report_summary(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		diag("%d of %d checks failed", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* TESTS_UNIT_TAP_H */
