// SPDX-License-Identifier: GPL-2.0
/*
 * hostile-launcher.c - the lguest Launcher, with its process made awkward
 * for the Host while the Guest runs.
 *
 *	hostile-launcher MODE [lguest options] <mem-in-MB> <guest-kernel> [args...]
 *
 * Everything after MODE is the ordinary Launcher's command line: this file
 * includes launcher/main.c, whose main() becomes lguest_main() and whose
 * pread() calls come through hostile_pread() (a plain pread() but in mode
 * fpu), so the Guest runs under the code users run.  MODE sets something
 * up first:
 *
 *   ldt          an LDT of our own (modify_ldt(2): a flat data descriptor
 *                at index 0, loaded into %fs), so the Host's LDTR is not
 *                null whenever we run.  A Host that leaves it loaded while
 *                its Guest runs hands the Guest our LDT (see the ldt-gate
 *                hostile Guest).
 *   tls          odd TLS descriptors (set_thread_area(2)) in the two slots
 *                glibc leaves free: we try 16-bit, not-present and code
 *                ones (6.1 refuses them all) and leave an expand-down one
 *                with limit 0 and a one-byte one, the first in %fs.
 *   signals      a child sends us SIGUSR1 (handled, SA_RESTART), SIGUSR2
 *                (handled, no SA_RESTART) and SIGSTOP/SIGCONT, hundreds of
 *                times a second, while the Guest runs.
 *   ptrace       a child attaches to us (PTRACE_SEIZE + PTRACE_INTERRUPT,
 *                then PTRACE_ATTACH), reads our registers, writes the same
 *                values back, lets us go on and detaches, a few times
 *                while the Guest runs.
 *   thread-read  a second thread finds our /dev/lguest descriptor in
 *                /proc/self/fd and calls read() and pread() on it while
 *                the Guest runs: every one must fail with EPERM, since
 *                only the thread that set the Guest up may run it.
 *   fpu          every pread() of /dev/lguest (running the Guest, or
 *                fetching a register) goes in with our own values in the
 *                x87 and SSE registers and in their control words, and must
 *                come back with exactly those: the Guest's FPU state and
 *                ours are two things.  (The Launcher is not built to need
 *                that, but any Launcher may use the FPU, and a Guest whose
 *                registers the Host keeps in ours sees them change.)
 *
 * The Guest must not notice any of it: we exit with the Launcher's status,
 * and its output is what a plain run prints.  If the mode's own check
 * failed (a value changed under us, a read from the second thread was let
 * through), we say why on stderr and exit 3 instead.  One summary line on
 * stderr, "hostile-launcher: MODE: ...", says what happened.
 */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The Launcher's every pread() of /dev/lguest comes through here (mode fpu). */
static ssize_t hostile_pread(int fd, void *buf, size_t len, off_t off);

#define main lguest_main
#define pread hostile_pread
#include "../../launcher/main.c"
#undef pread
#undef main

#define EXIT_HOSTILE_FAILED	3

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

/* How long the helpers wait for the Guest to start, and between their acts. */
#define START_TIMEOUT_MS	60000
#define SIGNAL_GAP_US		2000
#define PTRACE_ROUNDS		6
#define PTRACE_GAP_US		150000
#define THREAD_READ_GAP_US	5000

static const char *mode;
static char failure[256];

static void hostile_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Keep the first failure: later ones tend to follow from it. */
static void hostile_fail(const char *fmt, ...)
{
	va_list ap;

	if (failure[0])
		return;
	va_start(ap, fmt);
	vsnprintf(failure, sizeof(failure), fmt, ap);
	va_end(ap);
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Whether the Guest of process pid has run: lg.ko's debugfs file for it
 * exists once /dev/lguest is open, and counts exits once the Guest ran.
 */
static bool guest_has_run(pid_t pid)
{
	char path[64], line[128];
	unsigned long exits = 0;
	bool ran = false;
	FILE *f;

	snprintf(path, sizeof(path), STATS_DIR "/%d", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "exits %lu", &exits) == 1 && exits > 0)
			ran = true;
	fclose(f);
	return ran;
}

static bool wait_for_guest(pid_t pid)
{
	int ms;

	for (ms = 0; ms < START_TIMEOUT_MS; ms += 10) {
		if (guest_has_run(pid))
			return true;
		sleep_us(10000);
	}
	return false;
}

/*
 * A helper process, forked before the Launcher opens /dev/lguest so that
 * it never holds the device (and with it the Guest) open.  It dies with
 * us, and it stops by itself once we are gone.
 */
static pid_t fork_helper(void (*helper)(pid_t launcher))
{
	pid_t launcher = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != launcher)
			_exit(0);
		helper(launcher);
		_exit(0);
	}
	return pid;
}

/* Stop a helper and collect the count it reports as its exit status. */
static int reap_helper(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- ldt ---------------------------------------------------------------- */

#define LDT_SEL(idx)	((idx) << 3 | 4 | 3)
#define TLS_SEL(idx)	((idx) << 3 | 3)

static uint16_t read_fs(void)
{
	uint16_t sel;

	asm volatile("movw %%fs, %0" : "=rm"(sel));
	return sel;
}

static void load_fs(uint16_t sel)
{
	asm volatile("movw %0, %%fs" : : "rm"(sel) : "memory");
}

/* A word read through %fs: the segment must still work after the Guest ran. */
static uint32_t read_through_fs(const uint32_t *p)
{
	uint32_t v;

	asm volatile("movl %%fs:(%1), %0" : "=r"(v) : "r"(p) : "memory");
	return v;
}

static const uint32_t fs_probe = 0x4c475354;	/* "LGST" */

static void setup_ldt(void)
{
	struct user_desc d = {
		.entry_number = 0,
		.base_addr = 0,
		.limit = 0xfffff,
		.seg_32bit = 1,
		.contents = 0,
		.read_exec_only = 0,
		.limit_in_pages = 1,
		.seg_not_present = 0,
		.useable = 1,
	};
	uint8_t back[8];

	if (syscall(SYS_modify_ldt, 1, &d, sizeof(d)) != 0)
		die("modify_ldt: %s", strerror(errno));
	if (syscall(SYS_modify_ldt, 0, back, sizeof(back)) != (long)sizeof(back))
		die("modify_ldt (read back): %s", strerror(errno));
	load_fs(LDT_SEL(0));
}

static void check_ldt(void)
{
	uint16_t fs = read_fs();

	if (fs != LDT_SEL(0))
		hostile_fail("%%fs was %#x, now %#x", LDT_SEL(0), fs);
	else if (read_through_fs(&fs_probe) != fs_probe)
		hostile_fail("a read through our LDT segment gave the wrong value");
	else
		fprintf(stderr, "hostile-launcher: ldt: LDT entry 0 in %%fs (%#x) throughout\n", fs);
}

/* ---- tls ---------------------------------------------------------------- */

static unsigned int tls_free[2];
static uint16_t tls_fs;

/* One descriptor into a slot; true if the kernel took it. */
static bool try_tls(unsigned int slot, struct user_desc d, const char *what, char *log, size_t len)
{
	bool ok;

	d.entry_number = slot;
	ok = syscall(SYS_set_thread_area, &d) == 0;
	snprintf(log + strlen(log), len - strlen(log), " %s:%s", what,
		 ok ? "taken" : (errno == EINVAL ? "refused" : strerror(errno)));
	return ok;
}

static void setup_tls(void)
{
	static const struct user_desc flat = {
		.limit = 0xfffff, .seg_32bit = 1, .limit_in_pages = 1, .useable = 1,
	};
	struct user_desc d;
	char log[256] = "";
	unsigned int n;

	/*
	 * glibc keeps its thread pointer in one TLS slot (%gs); the kernel
	 * hands out the other two when asked for entry -1.
	 */
	for (n = 0; n < 2; n++) {
		d = flat;
		d.entry_number = -1;
		if (syscall(SYS_set_thread_area, &d) != 0)
			die("set_thread_area (a free slot): %s", strerror(errno));
		tls_free[n] = d.entry_number;
	}

	/* Try every odd kind in the first slot; most of them the kernel refuses. */
	d = flat;
	d.seg_32bit = 0;
	try_tls(tls_free[0], d, "16-bit", log, sizeof(log));
	d = flat;
	d.seg_not_present = 1;
	try_tls(tls_free[0], d, "not-present", log, sizeof(log));
	d = flat;
	d.contents = 2;
	try_tls(tls_free[0], d, "code", log, sizeof(log));
	d = flat;
	d.contents = 3;
	d.read_exec_only = 1;
	try_tls(tls_free[0], d, "code-conforming", log, sizeof(log));

	/*
	 * What stays for the run: an expand-down data segment with limit 0
	 * (every offset but 0 is inside), and a byte-granular expand-up one
	 * of a single byte.
	 */
	d = flat;
	d.contents = 1;
	d.limit = 0;
	d.limit_in_pages = 1;
	if (!try_tls(tls_free[0], d, "expand-down", log, sizeof(log)))
		die("set_thread_area (expand-down): %s", strerror(errno));
	d = flat;
	d.base_addr = (uintptr_t)&fs_probe;
	d.limit = 0;
	d.limit_in_pages = 0;
	if (!try_tls(tls_free[1], d, "limit-0", log, sizeof(log)))
		die("set_thread_area (limit 0): %s", strerror(errno));
	fprintf(stderr, "hostile-launcher: tls: slots %u and %u:%s\n", tls_free[0], tls_free[1], log);
	tls_fs = TLS_SEL(tls_free[0]);
	load_fs(tls_fs);
}

static void check_tls(void)
{
	uint16_t fs = read_fs();

	if (fs != tls_fs)
		hostile_fail("%%fs was %#x, now %#x", tls_fs, fs);
	else if (read_through_fs(&fs_probe) != fs_probe)
		hostile_fail("a read through the expand-down TLS segment gave the wrong value");
	else
		fprintf(stderr, "hostile-launcher: tls: expand-down TLS segment in %%fs (%#x) throughout\n", fs);
}

/* ---- signals ------------------------------------------------------------ */

static volatile sig_atomic_t got_usr1, got_usr2, got_cont;
static pid_t signaller;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1++;
	else if (sig == SIGUSR2)
		got_usr2++;
	else
		got_cont++;
}

static volatile sig_atomic_t helper_stop;

static void on_helper_term(int sig)
{
	(void)sig;
	helper_stop = 1;
}

static void stop_on_term(void)
{
	struct sigaction sa = { .sa_handler = on_helper_term };

	sigaction(SIGTERM, &sa, NULL);
}

/* The child: every 2 ms a signal, every tenth round a stop and a continue. */
static void signal_launcher(pid_t launcher)
{
	unsigned int rounds = 0;

	stop_on_term();
	if (!wait_for_guest(launcher))
		_exit(0);
	while (!helper_stop && kill(launcher, 0) == 0) {
		kill(launcher, rounds & 1 ? SIGUSR2 : SIGUSR1);
		if (rounds % 10 == 9) {
			kill(launcher, SIGSTOP);
			sleep_us(SIGNAL_GAP_US / 2);
			kill(launcher, SIGCONT);
		}
		sleep_us(SIGNAL_GAP_US);
		rounds++;
	}
	/* The exit status carries how many rounds we managed, in tens (capped). */
	_exit(rounds / 10 > 255 ? 255 : rounds / 10);
}

static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGCONT, &sa, NULL);
	signaller = fork_helper(signal_launcher);
}

static void check_signals(void)
{
	int tens = reap_helper(signaller);

	fprintf(stderr, "hostile-launcher: signals: %d SIGUSR1 (SA_RESTART), %d SIGUSR2, %d SIGCONT (~%d0 rounds)\n",
		(int)got_usr1, (int)got_usr2, (int)got_cont, tens);
	if (got_usr1 == 0 || got_usr2 == 0 || got_cont == 0)
		hostile_fail("the Guest ran without the signals reaching us");
}

/* ---- ptrace ------------------------------------------------------------- */

static pid_t tracer;

/* Wait for a stop of the tracee; false if it is gone. */
static bool wait_stopped(pid_t pid, int *status)
{
	for (;;) {
		if (waitpid(pid, status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (WIFSTOPPED(*status))
			return true;
		if (WIFEXITED(*status) || WIFSIGNALED(*status))
			return false;
	}
}

/* Read the registers and write the very same values back. */
static bool regs_round_trip(pid_t pid)
{
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0)
		return false;
	return ptrace(PTRACE_SETREGS, pid, NULL, &regs) == 0;
}

/*
 * The child's exit status: the rounds that worked, plus 100 if one went
 * wrong while the Launcher was still there.
 */
static void trace_launcher(pid_t launcher)
{
	int round, good = 0, status;

	stop_on_term();
	if (!wait_for_guest(launcher))
		_exit(0);
	for (round = 0; round < PTRACE_ROUNDS && !helper_stop; round++) {
		bool ok;

		if (round & 1) {
			/* ATTACH stops the tracee with a SIGSTOP, which we swallow. */
			if (ptrace(PTRACE_ATTACH, launcher, NULL, NULL) < 0)
				break;
			ok = wait_stopped(launcher, &status) && regs_round_trip(launcher);
			ok = ptrace(PTRACE_DETACH, launcher, NULL, NULL) == 0 && ok;
		} else {
			/* SEIZE and INTERRUPT: stop it, let it run, stop it again. */
			if (ptrace(PTRACE_SEIZE, launcher, NULL, NULL) < 0)
				break;
			ok = ptrace(PTRACE_INTERRUPT, launcher, NULL, NULL) == 0 &&
			     wait_stopped(launcher, &status) && regs_round_trip(launcher) &&
			     ptrace(PTRACE_CONT, launcher, NULL, NULL) == 0;
			if (ok) {
				sleep_us(PTRACE_GAP_US / 10);
				ok = ptrace(PTRACE_INTERRUPT, launcher, NULL, NULL) == 0 &&
				     wait_stopped(launcher, &status) &&
				     ptrace(PTRACE_GETREGS, launcher, NULL,
					    &(struct user_regs_struct){ 0 }) == 0;
			}
			ok = ptrace(PTRACE_DETACH, launcher, NULL, NULL) == 0 && ok;
		}
		if (!ok) {
			if (kill(launcher, 0) == 0)
				_exit(100 + good);
			break;
		}
		good++;
		sleep_us(PTRACE_GAP_US);
	}
	_exit(good);
}

static void setup_ptrace(void)
{
	/* Whatever Yama says: this child may trace us. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY);
	tracer = fork_helper(trace_launcher);
}

static void check_ptrace(void)
{
	int rounds = reap_helper(tracer);

	fprintf(stderr, "hostile-launcher: ptrace: %d of %d attach rounds done\n",
		rounds >= 100 ? rounds - 100 : rounds, PTRACE_ROUNDS);
	if (rounds >= 100)
		hostile_fail("a ptrace round failed while the Guest ran (after %d good ones)",
			     rounds - 100);
	else if (rounds < 1)
		hostile_fail("the Guest ran without a single ptrace round");
}

/* ---- thread-read -------------------------------------------------------- */

static pthread_t reader;
static volatile bool launcher_done;
static struct {
	unsigned int tries, eperm;
	int other_errno;
	ssize_t other_result;
	bool found;
} reads;

/* Our descriptor for /dev/lguest, or -1. */
static int find_dev_lguest(void)
{
	char target[64];
	struct dirent *e;
	int fd = -1;
	ssize_t n;
	DIR *dir = opendir("/proc/self/fd");

	if (!dir)
		return -1;
	while (fd < 0 && (e = readdir(dir))) {
		n = readlinkat(dirfd(dir), e->d_name, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, DEV_LGUEST) == 0)
			fd = atoi(e->d_name);
	}
	closedir(dir);
	return fd;
}

static void expect_eperm(ssize_t got)
{
	int err = errno;

	reads.tries++;
	if (got < 0 && err == EPERM) {
		reads.eperm++;
	} else if (!reads.other_errno && !reads.other_result) {
		reads.other_result = got;
		reads.other_errno = got < 0 ? err : 0;
	}
}

/* One try: each way of reading must fail with EPERM. */
static void read_once(int fd)
{
	uint8_t buf[DEATH_REASON_MAX];

	expect_eperm(read(fd, buf, sizeof(struct lguest_pending)));
	expect_eperm(pread(fd, buf, sizeof(uint32_t), 0));
	expect_eperm(pread(fd, buf, sizeof(buf), 0));
}

static void *read_from_other_thread(void *arg)
{
	int fd = -1;

	(void)arg;
	if (!wait_for_guest(getpid()))
		return NULL;
	fd = find_dev_lguest();
	if (fd < 0)
		return NULL;
	reads.found = true;
	while (!launcher_done) {
		read_once(fd);
		sleep_us(THREAD_READ_GAP_US);
	}
	return NULL;
}

static void setup_thread_read(void)
{
	int err = pthread_create(&reader, NULL, read_from_other_thread, NULL);

	if (err)
		die("pthread_create: %s", strerror(err));
}

static void check_thread_read(void)
{
	launcher_done = true;
	pthread_join(reader, NULL);
	fprintf(stderr, "hostile-launcher: thread-read: %u reads from a second thread, %u failed with EPERM\n",
		reads.tries, reads.eperm);
	if (!reads.found)
		hostile_fail("the second thread never found " DEV_LGUEST " in /proc/self/fd");
	else if (reads.tries == 0)
		hostile_fail("the second thread made no reads while the Guest ran");
	else if (reads.eperm != reads.tries)
		hostile_fail("a read from the second thread gave %zd (%s), not EPERM",
			     reads.other_result,
			     reads.other_errno ? strerror(reads.other_errno) : "no error");
}

/* ---- fpu ---------------------------------------------------------------- */

#define FX_FCW		0	/* x87 control word */
#define FX_MXCSR	24
#define FX_ST0		32	/* eight 16-byte slots, 10 bytes of each used */
#define FX_XMM0		160	/* eight 16-byte registers */
#define OUR_FCW		0x0f7f	/* all masked, round toward zero */
#define OUR_MXCSR	0xff80	/* all masked, round toward zero, flush to zero */
#define DEFAULT_MXCSR	0x1f80

static bool fpu_mode;
static unsigned long fpu_calls;
static struct fpu_values {
	int32_t st[8];
	uint32_t xmm[8][4];
	uint16_t fcw;
	uint32_t mxcsr, mxcsr_default;
} fpu_ours __attribute__((aligned(16)));
_Static_assert(offsetof(struct fpu_values, xmm) == 32, "the asm below loads st[] and xmm[] by offset");
static uint8_t fx_before[512] __attribute__((aligned(16)));
static uint8_t fx_after[512] __attribute__((aligned(16)));

static void setup_fpu(void)
{
	unsigned int i, j;

	for (i = 0; i < 8; i++) {
		fpu_ours.st[i] = 0x7e570000 + (int32_t)i;
		for (j = 0; j < 4; j++)
			fpu_ours.xmm[i][j] = 0x1a0c0000 + i * 16 + j;
	}
	fpu_ours.fcw = OUR_FCW;
	fpu_ours.mxcsr = OUR_MXCSR;
	fpu_ours.mxcsr_default = DEFAULT_MXCSR;
	fpu_mode = true;
}

/* Which part of the FPU changed across the call, or NULL. */
static const char *fpu_changed(void)
{
	static char what[16];
	unsigned int r;

	if (memcmp(fx_before + FX_FCW, fx_after + FX_FCW, 2))
		return "the x87 control word";
	if (memcmp(fx_before + FX_MXCSR, fx_after + FX_MXCSR, 4))
		return "MXCSR";
	for (r = 0; r < 8; r++) {
		if (memcmp(fx_before + FX_ST0 + r * 16, fx_after + FX_ST0 + r * 16, 10)) {
			snprintf(what, sizeof(what), "st%u", r);
			return what;
		}
	}
	for (r = 0; r < 8; r++) {
		if (memcmp(fx_before + FX_XMM0 + r * 16, fx_after + FX_XMM0 + r * 16, 16)) {
			snprintf(what, sizeof(what), "xmm%u", r);
			return what;
		}
	}
	return NULL;
}

/*
 * Our values go in right before the system call and are saved right after
 * it, with nothing in between that could touch the FPU: glibc's syscall()
 * is a few instructions of assembly.  The registers go back to their usual
 * state (empty x87 stack, default control words) before any C code runs.
 */
static ssize_t hostile_pread(int fd, void *buf, size_t len, off_t off)
{
	const char *what;
	long ret;
	int err;

	if (!fpu_mode)
		return pread(fd, buf, len, off);
	asm volatile("fninit\n\t"
		     "fldcw %c2(%0)\n\t"
		     "fildl 0(%0)\n\tfildl 4(%0)\n\tfildl 8(%0)\n\tfildl 12(%0)\n\t"
		     "fildl 16(%0)\n\tfildl 20(%0)\n\tfildl 24(%0)\n\tfildl 28(%0)\n\t"
		     "ldmxcsr %c3(%0)\n\t"
		     "movups 32(%0), %%xmm0\n\tmovups 48(%0), %%xmm1\n\t"
		     "movups 64(%0), %%xmm2\n\tmovups 80(%0), %%xmm3\n\t"
		     "movups 96(%0), %%xmm4\n\tmovups 112(%0), %%xmm5\n\t"
		     "movups 128(%0), %%xmm6\n\tmovups 144(%0), %%xmm7\n\t"
		     "fxsave (%1)"
		     : : "r"(&fpu_ours), "r"(fx_before),
		       "i"(offsetof(struct fpu_values, fcw)), "i"(offsetof(struct fpu_values, mxcsr))
		     : "memory");
	ret = syscall(SYS_pread64, fd, buf, len, (long)off, 0L);
	err = errno;
	asm volatile("fxsave (%0)\n\t"
		     "fninit\n\t"
		     "ldmxcsr %c2(%1)"
		     : : "r"(fx_after), "r"(&fpu_ours), "i"(offsetof(struct fpu_values, mxcsr_default))
		     : "memory");
	fpu_calls++;
	what = fpu_changed();
	if (what)
		hostile_fail("%s changed across pread() of " DEV_LGUEST " (call %lu)", what, fpu_calls);
	errno = err;
	return ret;
}

static void check_fpu(void)
{
	if (!failure[0])
		fprintf(stderr, "hostile-launcher: fpu: our FPU registers came back from %lu preads intact\n",
			fpu_calls);
}

/* ---- the modes ---------------------------------------------------------- */

static const struct {
	const char *name;
	void (*setup)(void);
	void (*check)(void);
} modes[] = {
	{ "ldt",		setup_ldt,		check_ldt },
	{ "tls",		setup_tls,		check_tls },
	{ "signals",		setup_signals,		check_signals },
	{ "ptrace",		setup_ptrace,		check_ptrace },
	{ "thread-read",	setup_thread_read,	check_thread_read },
	{ "fpu",		setup_fpu,		check_fpu },
};

int main(int argc, char *argv[])
{
	unsigned int i;
	int status;

	if (argc < 2)
		die("usage: hostile-launcher ldt|tls|signals|ptrace|thread-read|fpu [lguest arguments]");
	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if (strcmp(argv[1], modes[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(modes))
		die("unknown mode '%s'; give ldt, tls, signals, ptrace, thread-read or fpu", argv[1]);
	mode = modes[i].name;

	modes[i].setup();
	/* The Launcher sees its usual command line: our name, then its arguments. */
	argv[1] = argv[0];
	status = lguest_main(argc - 1, argv + 1);
	modes[i].check();
	if (failure[0]) {
		fprintf(stderr, "hostile-launcher: %s: FAILED: %s\n", mode, failure);
		return EXIT_HOSTILE_FAILED;
	}
	return status;
}
