// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - TAP on the console.
 *
 * Each check is one line, "ok N - area: what" or "not ok N - area: what",
 * and nothing in it may change from run to run: the VM harness compares
 * the lines of 20 runs.  Values go on "#" lines, which TAP ignores.  The
 * plan ("1..N") comes last, which TAP allows, so that no one has to count
 * the checks by hand; a Guest that dies before it leaves the plan out, and
 * the harness counts that as a failure.
 */
#include "libguest.h"

#define MAX_PREFIXES	4
#define LINE_MAX	200

static unsigned int tests, failures;
static const char *prefixes[MAX_PREFIXES];
static unsigned int nr_prefixes;

void report_prefix_push(const char *prefix)
{
	if (nr_prefixes == MAX_PREFIXES)
		report_abort("report prefixes nested too deep");
	prefixes[nr_prefixes++] = prefix;
}

void report_prefix_pop(void)
{
	if (nr_prefixes)
		nr_prefixes--;
}

/* "area: sub: " for the current prefixes. */
static size_t format_prefix(char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < nr_prefixes && len < size; i++)
		len += snprintf(buf + len, size - len, "%s: ", prefixes[i]);
	return len < size ? len : size - 1;
}

static void print_line(const char *head, const char *fmt, va_list ap)
{
	char line[LINE_MAX];
	size_t len;

	len = snprintf(line, sizeof(line), "%s", head);
	if (len < sizeof(line))
		len += format_prefix(line + len, sizeof(line) - len);
	if (len < sizeof(line))
		vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	printf("%s\n", line);
}

bool report(bool pass, const char *fmt, ...)
{
	char head[24];
	va_list ap;

	tests++;
	if (!pass)
		failures++;
	snprintf(head, sizeof(head), "%s %u - ", pass ? "ok" : "not ok", tests);
	va_start(ap, fmt);
	print_line(head, fmt, ap);
	va_end(ap);
	return pass;
}

void report_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_line("# ", fmt, ap);
	va_end(ap);
}

/* We cannot go on: say so in TAP's words and stop the Guest. */
__noreturn void report_abort(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_line("Bail out! ", fmt, ap);
	va_end(ap);
	guest_shutdown("test aborted");
}

/* The plan, then the tally; 0 when every check passed. */
int report_summary(void)
{
	printf("1..%u\n", tests);
	printf("# summary: %u passed, %u failed\n", tests - failures, failures);
	return failures ? 1 : 0;
}
