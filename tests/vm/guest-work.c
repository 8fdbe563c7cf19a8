// SPDX-License-Identifier: GPL-2.0
/*
 * guest-work.c - the real Linux Guest's workload (vm-linux-*.test), one
 * static i386 program with a subcommand per job.  /workload.sh in the
 * Guest runs them; each prints one "@@WORK key=value ..." line for the
 * test to parse, and exits 0 only if the job checked out.
 *
 *   guest-work forkexec N   fork, exec ourselves ("child I") and wait, N
 *                           times; each child exits with I % 251 and the
 *                           parent checks it got exactly that back
 *   guest-work memtouch PCT allocate PCT% of the memory the Guest says is
 *                           available, write a pattern unique to each page
 *                           and word, then read every page back
 *   guest-work pingpong N   two processes pass a counter N round trips
 *                           through two pipes, each side checking it
 *   guest-work singlestep N a debugger's N single steps (PTRACE_SINGLESTEP)
 *                           of a child: each a SIGTRAP, its EIP moved on
 *
 * What makes these hard for the Host is what they cost it: every fork and
 * exec builds and tears down an address space (shadow page tables), every
 * first touch of a page is a fault the Host must fill in, and every pipe
 * round trip is two context switches, two page-table switches.  A single
 * step is a #DB in the Guest, which the Host must hand back to it (and
 * clean up after in the CPU's DR6).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define CHILD_CODES 251

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static long parse_count(const char *s, long min, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < min || n > max) {
		fprintf(stderr, "guest-work: '%s' is not a number from %ld to %ld\n", s, min, max);
		exit(2);
	}
	return n;
}

/* ---- fork + exec + wait ------------------------------------------------ */

static int forkexec(long n)
{
	struct timespec t0;
	long i, ok = 0;
	char arg[16];
	pid_t pid;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		snprintf(arg, sizeof(arg), "%ld", i);
		pid = fork();
		if (pid < 0) {
			perror("guest-work: fork");
			break;
		}
		if (pid == 0) {
			execl("/proc/self/exe", "guest-work", "child", arg, (char *)NULL);
			_exit(255);	/* exec failed: a code no child uses */
		}
		if (waitpid(pid, &status, 0) != pid) {
			perror("guest-work: waitpid");
			break;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == i % CHILD_CODES)
			ok++;
	}
	printf("@@WORK forkexec runs=%ld ok=%ld ms=%ld\n", i, ok, elapsed_ms(&t0));
	return ok == n ? 0 : 1;
}

/* ---- touch most of the free memory ------------------------------------- */

/* A /proc/meminfo field in kB, or -1 if it is not there. */
static long meminfo_kb(const char *field)
{
	char line[128];
	size_t len = strlen(field);
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, len) == 0 && line[len] == ':')
			kb = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return kb;
}

/* The word at index w of page p: different in every page and every word. */
static uint32_t pattern(uint32_t p, uint32_t w)
{
	return (p * 2654435761u) ^ (w * 40503u) ^ 0xa5c3e10fu;
}

static int memtouch(long pct)
{
	long avail = meminfo_kb("MemAvailable"), free_kb = meminfo_kb("MemFree");
	uint32_t pages, p, w, bad_pages = 0, *mem;
	unsigned long long bytes;
	struct timespec t0;

	/* MemAvailable counts reclaimable cache too; never ask beyond it. */
	if (avail < 0 || (free_kb >= 0 && free_kb < avail))
		avail = free_kb;
	if (avail <= 0) {
		fprintf(stderr, "guest-work: no MemAvailable or MemFree in /proc/meminfo\n");
		return 1;
	}
	bytes = (unsigned long long)avail * 1024 * (unsigned long long)pct / 100;
	pages = (uint32_t)(bytes / PAGE);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	mem = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		fprintf(stderr, "guest-work: mmap of %u pages: %s\n", pages, strerror(errno));
		return 1;
	}
	for (p = 0; p < pages; p++)
		for (w = 0; w < PAGE / 4; w++)
			mem[p * (PAGE / 4) + w] = pattern(p, w);
	for (p = 0; p < pages; p++)
		for (w = 0; w < PAGE / 4; w++)
			if (mem[p * (PAGE / 4) + w] != pattern(p, w)) {
				bad_pages++;
				break;
			}
	printf("@@WORK memtouch avail_kb=%ld pct=%ld touched_kb=%u pages=%u mismatches=%u ms=%ld\n",
	       avail, pct, pages * (PAGE / 1024), pages, bad_pages, elapsed_ms(&t0));
	munmap(mem, (size_t)pages * PAGE);
	return bad_pages ? 1 : 0;
}

/* ---- pipe ping-pong ---------------------------------------------------- */

static int xfer(int rfd, int wfd, uint32_t *v)
{
	if (wfd >= 0 && write(wfd, v, sizeof(*v)) != (ssize_t)sizeof(*v))
		return -1;
	if (rfd >= 0 && read(rfd, v, sizeof(*v)) != (ssize_t)sizeof(*v))
		return -1;
	return 0;
}

/*
 * The parent sends i, the child answers i + 1, and each checks what it
 * got; the child's exit status says whether it saw every number right.
 */
static int pingpong(uint32_t n)
{
	int down[2], up[2], status;
	uint32_t i, v, good = 0;
	struct timespec t0;
	pid_t pid;

	if (pipe(down) || pipe(up)) {
		perror("guest-work: pipe");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("guest-work: fork");
		return 1;
	}
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		for (i = 0; i < n; i++) {
			if (xfer(down[0], -1, &v) || v != 2 * i)
				_exit(1);
			v++;
			if (xfer(-1, up[1], &v))
				_exit(1);
		}
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	for (i = 0; i < n; i++) {
		v = 2 * i;
		if (xfer(up[0], down[1], &v))
			break;
		if (v == 2 * i + 1)
			good++;
	}
	close(down[1]);
	close(up[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		good = 0;
	printf("@@WORK pingpong trips=%u ok=%u ms=%ld\n", n, good, elapsed_ms(&t0));
	return good == n ? 0 : 1;
}

static long peek_user(pid_t pid, size_t offset)
{
	errno = 0;
	return ptrace(PTRACE_PEEKUSER, pid, (void *)offset, NULL);
}

static int singlestep(uint32_t n)
{
	const size_t eip_at = offsetof(struct user, regs.eip);
	uint32_t i, good = 0;
	long eip, last_eip;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		perror("guest-work: fork");
		return 1;
	}
	if (pid == 0) {
		volatile uint32_t spin = 0;

		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(1);
		raise(SIGSTOP);
		for (;;)
			spin++;
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		fprintf(stderr, "guest-work: the child did not stop for us\n");
		return 1;
	}
	last_eip = peek_user(pid, eip_at);
	for (i = 0; i < n; i++) {
		if (ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) ||
		    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
			break;
		eip = peek_user(pid, eip_at);
		if (WSTOPSIG(status) == SIGTRAP && eip != last_eip)
			good++;
		last_eip = eip;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	printf("@@WORK singlestep steps=%u ok=%u\n", n, good);
	return good == n ? 0 : 1;
}

int main(int argc, char *argv[])
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "child") == 0)
		return (int)(parse_count(argv[2], 0, 1000000000L) % CHILD_CODES);
	if (argc == 3 && strcmp(argv[1], "forkexec") == 0)
		return forkexec(parse_count(argv[2], 1, 1000000));
	if (argc == 3 && strcmp(argv[1], "memtouch") == 0)
		return memtouch(parse_count(argv[2], 1, 99));
	if (argc == 3 && strcmp(argv[1], "pingpong") == 0)
		return pingpong((uint32_t)parse_count(argv[2], 1, 100000000));
	if (argc == 3 && strcmp(argv[1], "singlestep") == 0)
		return singlestep((uint32_t)parse_count(argv[2], 1, 1000000));
	fprintf(stderr, "usage: guest-work forkexec N | memtouch PCT | pingpong N | singlestep N\n");
	return 2;
}
