// SPDX-License-Identifier: GPL-2.0
/*
 * test_run.c - main.c's run loop and option parsing, against a scripted
 * stand-in for /dev/lguest.
 *
 * We include main.c itself, with its pread/pwrite/exit calls renamed to the
 * fakes below, so the real loop talks to a Host that replays a list of
 * Guest exits and answers GETREG/SETREG/TRAP from an array of registers.
 *
 * Build and run (from the top of the tree; main.c comes in through #include):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fsanitize=address,undefined \
 *       -fno-omit-frame-pointer -I include -I launcher -o test_run \
 *       tests/unit/test_run.c launcher/load.c launcher/insn.c launcher/pci.c \
 *       launcher/console.c && ./test_run
 */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lguest.h"
#include "tap.h"

static ssize_t fake_pread(int fd, void *buf, size_t len, off_t off);
static ssize_t fake_pwrite(int fd, const void *buf, size_t len, off_t off);
static void fake_exit(int status) __attribute__((noreturn));
static int fake_execv(const char *path, char *const argv[]);
static int fake_close(int fd);

#define pread	fake_pread
#define pwrite	fake_pwrite
#define exit	fake_exit
#define execv	fake_execv
#define close	fake_close
#define main	launcher_main
#define DEV_LGUEST	"/nonexistent/lguest-test-dev"
#include "../../launcher/main.c"
#undef main
#undef close
#undef execv
#undef exit
#undef pwrite
#undef pread

/* ---- restarting: what was closed, and what was run */
static struct {
	bool holding;			/* record closes instead of doing them */
	bool closed_stdio, closed_probe, closed_after_exec;
	int probe;			/* a descriptor restart_guest() must close */
	const char *path;
	char *const *argv;
} restart;

static int fake_close(int fd)
{
	if (!restart.holding)
		return close(fd);
	if (fd <= STDERR_FILENO)
		restart.closed_stdio = true;
	if (fd == restart.probe)
		restart.closed_probe = true;
	if (restart.path)
		restart.closed_after_exec = true;
	return 0;
}

/* The exec fails, so that restart_guest() returns and we can look. */
static int fake_execv(const char *path, char *const argv[])
{
	restart.path = path;
	restart.argv = argv;
	errno = ENOENT;
	return -1;
}

/* ---- the scripted Host */
struct step {
	int err;			/* read() fails with this instead */
	bool kill_after;		/* the Guest dies right after this exit */
	uint8_t trap;
	uint8_t insn[7];
	uint32_t addr;
	uint32_t eax, edx, eip;		/* the Guest's registers at this exit */
	uint32_t eflags;
	const struct lguest_port_write *writes;	/* held writes that come with it */
	unsigned int nr_writes;
	int bad_length;			/* added to what read() returns */
};

static struct {
	const struct step *steps;
	unsigned int nsteps, next;
	uint32_t regs[LG_REG_SS / 4 + 1];
	uint32_t after_eax[16], after_eip[16];	/* registers once each step was handled */
	int pending_getreg;		/* register offset, or -1 */
	const char *death;		/* reason once the script runs out */
	int death_errno;		/* ENOENT, or LGUEST_ERESTART */
	bool dead, trap_fails;
	bool give_regs;			/* exits come as struct lguest_exit */
	unsigned int getregs;		/* GETREG requests seen */
	unsigned int traps[8], ntraps;
	unsigned int irqs;
	uint32_t init[5];
	size_t init_len;
	bool holding;			/* exits come as struct lguest_exit_writes */
	int hold_errno;			/* LHREQ_HOLD_PORTS fails with this */
	int init_errno;			/* LHREQ_INITIALIZE fails with this */
	uint32_t hold_req[3];		/* what LHREQ_HOLD_PORTS asked */
} host;

static jmp_buf exit_jmp;
static int exit_status;

static void fake_exit(int status)
{
	exit_status = status;
	longjmp(exit_jmp, 1);
}

static void host_reset(const struct step *steps, unsigned int n, const char *death, int err)
{
	bool give_regs = host.give_regs, holding = host.holding;

	memset(&host, 0, sizeof(host));
	host.give_regs = give_regs;
	host.holding = holding;
	host.steps = steps;
	host.nsteps = n;
	host.death = death;
	host.death_errno = err;
	host.pending_getreg = -1;
}

static void note_step_done(void)
{
	if (host.next > 0 && host.next <= 16) {
		host.after_eax[host.next - 1] = host.regs[LG_REG_EAX / 4];
		host.after_eip[host.next - 1] = host.regs[LG_REG_EIP / 4];
	}
}

static ssize_t run_next_step(void *buf, size_t len)
{
	const struct step *s;
	struct lguest_pending p;

	note_step_done();
	if (host.next == host.nsteps) {
		host.dead = true;
		errno = host.death_errno;
		return -1;
	}
	s = &host.steps[host.next++];
	if (s->err) {
		errno = s->err;
		return -1;
	}
	host.regs[LG_REG_EAX / 4] = s->eax;
	host.regs[LG_REG_EDX / 4] = s->edx;
	host.regs[LG_REG_EIP / 4] = s->eip;
	host.regs[LG_REG_EFLAGS / 4] = s->eflags;
	memset(&p, 0, sizeof(p));
	p.trap = s->trap;
	memcpy(p.insn, s->insn, sizeof(p.insn));
	p.addr = s->addr;
	host.dead = s->kill_after;
	if (host.holding) {
		struct lguest_exit_writes e = { .exit_info.pending = p };
		size_t n = offsetof(struct lguest_exit_writes, writes) +
			   s->nr_writes * sizeof(e.writes[0]);

		/* lg.ko refuses a smaller buffer with EINVAL. */
		if (len < sizeof(e))
			return errno = EINVAL, -1;
		memcpy(e.exit_info.regs, host.regs, sizeof(e.exit_info.regs));
		e.nr_writes = s->nr_writes;
		if (s->nr_writes)
			memcpy(e.writes, s->writes, s->nr_writes * sizeof(e.writes[0]));
		memcpy(buf, &e, n);
		return (ssize_t)n + s->bad_length;
	}
	if (host.give_regs && len >= sizeof(struct lguest_exit)) {
		struct lguest_exit e = { .pending = p };

		memcpy(e.regs, host.regs, sizeof(e.regs));
		memcpy(buf, &e, sizeof(e));
		return sizeof(e);
	}
	memcpy(buf, &p, len < sizeof(p) ? len : sizeof(p));
	return len < sizeof(p) ? (ssize_t)len : (ssize_t)sizeof(p);
}

static ssize_t fake_pread(int fd, void *buf, size_t len, off_t off)
{
	(void)fd;
	if (off != 0)
		return errno = EINVAL, -1;
	if (host.dead) {
		size_t n = strlen(host.death) + 1;

		memcpy(buf, host.death, n < len ? n : len);
		return (ssize_t)(n < len ? n : len);
	}
	if (host.pending_getreg >= 0) {
		uint32_t v = host.regs[host.pending_getreg / 4];

		host.pending_getreg = -1;
		if (len < 4)
			return errno = EINVAL, -1;
		memcpy(buf, &v, 4);
		return 4;
	}
	return run_next_step(buf, len);
}

static ssize_t fake_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	uint32_t w[5] = { 0 };

	(void)fd;
	memcpy(w, buf, len < sizeof(w) ? len : sizeof(w));
	if (off != 0 || len % 4)
		return errno = EINVAL, -1;
	if (host.dead)
		return errno = ENOENT, -1;
	switch (w[0]) {
	case LHREQ_INITIALIZE:
		memcpy(host.init, w, sizeof(w));
		host.init_len = len;
		if (host.init_errno)
			return errno = host.init_errno, -1;
		return 16;
	case LHREQ_GETREG:
		host.getregs++;
		host.pending_getreg = (int)w[1];
		return 8;
	case LHREQ_SETREG:
		host.regs[w[1] / 4] = w[2];
		return 12;
	case LHREQ_IRQ:
		host.irqs++;
		return 0;
	case LHREQ_HOLD_PORTS:
		memcpy(host.hold_req, w, sizeof(host.hold_req));
		if (host.hold_errno)
			return errno = host.hold_errno, -1;
		return 12;
	case LHREQ_TRAP:
		if (host.trap_fails)
			return errno = EINVAL, -1;
		if (host.ntraps < 8)
			host.traps[host.ntraps++] = w[1];
		return 0;
	}
	return errno = EINVAL, -1;
}

/* ---- capturing the console (our stdout stand-in) and stderr */
static int con_pipe[2], err_pipe[2], saved_stderr;

static const char *drain(int fd)
{
	static char buf[512];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void capture_stderr(bool on)
{
	fflush(stderr);
	dup2(on ? err_pipe[1] : saved_stderr, STDERR_FILENO);
}

static struct guest g;

static int run_script(const struct step *steps, unsigned int n, const char *death, int err)
{
	int status;

	host_reset(steps, n, death, err);
	g.dead = false;
	drain(con_pipe[0]);
	drain(err_pipe[0]);
	capture_stderr(true);
	if (setjmp(exit_jmp) == 0)
		status = run_guest(&g);
	else
		status = 100 + exit_status;	/* die() was called */
	capture_stderr(false);
	return status;
}

#define OUTL(port_, val_, eip_) \
	{ .trap = 13, .insn = { 0xEF }, .edx = (port_), .eax = (val_), .eip = (eip_) }
#define OUTB(port_, val_, eip_) \
	{ .trap = 13, .insn = { 0xEE }, .edx = (port_), .eax = (val_), .eip = (eip_) }
#define INL(port_, eip_) \
	{ .trap = 13, .insn = { 0xED }, .edx = (port_), .eax = 0x5A5A5A5A, .eip = (eip_) }
#define CFG(reg)	(0x80000000u | LGUEST_CONSOLE_SLOT << 11 | (reg))

static void test_early_console_boot(bool give_regs)
{
	const char *how = give_regs ? "[exits with registers] " : "[GETREG] ";
	/* What the Guest's early console does: check the IDs, then print "ok". */
	static const struct step boot[] = {
		OUTL(0xCF8, CFG(0), 0xC1000000),
		INL(0xCFC, 0xC1000001),
		/* window: bar 0 (byte), length 4, offset devcfg + 8 = 0x88, data */
		OUTL(0xCF8, CFG(0x84 + 4), 0xC1000010),
		OUTB(0xCFC, 0, 0xC1000011),
		OUTL(0xCF8, CFG(0x84 + 12), 0xC1000012),
		OUTL(0xCFC, 4, 0xC1000013),
		OUTL(0xCF8, CFG(0x84 + 8), 0xC1000014),
		OUTL(0xCFC, 0x88, 0xC1000015),
		OUTL(0xCF8, CFG(0x84 + 16), 0xC1000016),
		OUTL(0xCFC, 'o', 0xC1000017),
		OUTL(0xCFC, 'k', 0xC1000018),
		{ .err = EINTR },
		{ .trap = 13, .insn = { 0xFA }, .eip = 0xC1000020 },
	};
	int status;

	host.give_regs = give_regs;
	status = run_script(boot, sizeof(boot) / sizeof(boot[0]), LGUEST_POWEROFF_REASON, ENOENT);
	host.give_regs = false;

	report(host.after_eax[1] == 0x10431AF4, "%sin from 0xCFC gave the console IDs to eax", how);
	report(host.after_eip[0] == 0xC1000001 && host.after_eip[1] == 0xC1000002,
	       "%seach out/in moved eip past its one byte", how);
	report(strcmp(drain(con_pipe[0]), "ok") == 0, "%sthe Guest's characters reached the console", how);
	report(host.after_eip[12] == 0xC1000021, "%san EINTR read was retried, then cli skipped", how);
	report(status == 0, "%spower-off ends the loop with status 0", how);
	report(drain(err_pipe[0])[0] == '\0', "%spower-off is silent", how);
	report(host.ntraps == 0, "%snothing was re-injected", how);
	if (give_regs)
		report(host.getregs == 0, "%sno GETREG was needed (%u)", how, host.getregs);
	else
		report(host.getregs >= 24, "%seach register was fetched with GETREG (%u)", how,
		       host.getregs);
}

static void test_deaths(void)
{
	static const struct step none[] = { { .trap = 13, .insn = { 0xFA }, .eip = 0x100 } };
	static const struct step dies[] = {
		{ .trap = 13, .insn = { 0xFA }, .eip = 0x100, .kill_after = true },
		{ .trap = 13, .insn = { 0xFA }, .eip = 0x200 },	/* never reached */
	};
	int status;

	status = run_script(none, 1, "bad hypercall 99", ENOENT);
	report(status == 1, "a death ends the loop with status 1");
	report(strcmp(drain(err_pipe[0]), "lguest: guest died: bad hypercall 99\n") == 0,
	       "the reason is printed on one line");

	status = run_script(none, 1, "CRASH: Kernel panic - not syncing: VFS\n", ENOENT);
	report(status == 1 && strcmp(drain(err_pipe[0]),
				     "lguest: guest died: CRASH: Kernel panic - not syncing: VFS\n") == 0,
	       "a panic reason is printed, its trailing newline dropped");

	status = run_script(none, 1, "", LGUEST_ERESTART);
	report(status == 2, "a restart request ends the loop with status 2");
	report(strstr(drain(err_pipe[0]), "restart") != NULL, "and says so");

	status = run_script(dies, 2, "killed meanwhile", ENOENT);
	report(status == 1 && strcmp(drain(err_pipe[0]), "lguest: guest died: killed meanwhile\n") == 0,
	       "a Guest found dead by GETREG ends the loop with its reason");

	status = run_script(none, 0, "", EPERM);
	report(status == 100 + EXIT_ERROR && strstr(drain(err_pipe[0]), "Operation not permitted"),
	       "another read error is fatal and named");
}

/* Run steps with every LHREQ_TRAP refused (no handler): the status, stderr kept. */
static int run_script_traps_refused(const struct step *steps, unsigned int n)
{
	int status;

	host_reset(steps, n, LGUEST_POWEROFF_REASON, ENOENT);
	host.trap_fails = true;
	drain(err_pipe[0]);
	capture_stderr(true);
	status = setjmp(exit_jmp) == 0 ? run_guest(&g) : 100 + exit_status;
	capture_stderr(false);
	return status;
}

static void test_reinject(void)
{
	static const struct step bad[] = {
		{ .trap = 13, .insn = { 0x6C }, .eip = 0x2000 },		/* insb */
		{ .trap = 14, .insn = { 0x8B, 0x03 }, .addr = 0x5000, .eip = 0x3000 },
		{ .trap = 14, .insn = { 0x8B, 0x03 }, .addr = 0x4F00000, .eip = 0x4000 },
	};
	static const struct step odd[] = { { .trap = 6, .eip = 0x10 } };
	int status = run_script(bad, 3, LGUEST_POWEROFF_REASON, ENOENT);

	report(status == 0 && host.ntraps == 3 && host.traps[0] == 13 && host.traps[1] == 14 &&
	       host.traps[2] == 14, "undecodable I/O gets #GP back, stray MMIO gets #PF back");
	report(host.after_eip[0] == 0x2000 && host.after_eip[1] == 0x3000,
	       "a re-injected instruction leaves eip alone");

	status = run_script_traps_refused(bad, 1);
	report(status == 100 + EXIT_GUEST_DIED && strstr(drain(err_pipe[0]), "no handler"),
	       "a Guest with no handler for the re-injected trap dies (status 1), saying why");

	status = run_script(odd, 1, LGUEST_POWEROFF_REASON, ENOENT);
	report(status == 100 + EXIT_ERROR && strstr(drain(err_pipe[0]), "trap 6"),
	       "an exit we do not know is fatal and named");
}

/*
 * Under the Guest's trap flag an instruction we emulate is followed by a
 * #DB, delivered with LHREQ_TRAP once eip is past it; without TF, or for
 * an instruction given back, none.
 */
static void test_single_step(bool give_regs)
{
	const char *how = give_regs ? "[exits with registers] " : "[GETREG] ";
	static const struct step steps[] = {
		{ .trap = 13, .insn = { 0xED }, .edx = 0x300, .eip = 0x1000, .eflags = 0x302 },
		{ .trap = 14, .insn = { 0x8B, 0x03 }, .addr = 0x5000, .eip = 0x2000, .eflags = 0x302 },
		{ .trap = 13, .insn = { 0xED }, .edx = 0x300, .eip = 0x3000, .eflags = 0x202 },
	};
	int status;

	host.give_regs = give_regs;
	status = run_script(steps, 3, LGUEST_POWEROFF_REASON, ENOENT);
	report(status == 0 && host.ntraps == 2 && host.traps[0] == 1 && host.traps[1] == 14,
	       "%san emulated in under TF is followed by a #DB, a re-injected fault by nothing more "
	       "(%u traps: %u, %u)", how, host.ntraps, host.traps[0], host.traps[1]);
	report(host.after_eip[0] == 0x1001 && host.after_eip[2] == 0x3001,
	       "%sthe #DB comes with eip past the in", how);

	status = run_script_traps_refused(steps, 1);
	host.give_regs = false;
	report(status == 100 + EXIT_GUEST_DIED && strstr(drain(err_pipe[0]), "no #DB handler"),
	       "%sa single-stepping Guest with no #DB handler dies, saying why", how);
}

static void test_restart(void)
{
	char *argv[] = { "lguest", "--stats", "64", "vmlinux", "console=hvc0", NULL };
	struct guest t = { .fd = 7 };
	struct options plain = { 0 }, jailed = { .chroot = "/tmp/empty" };
	const char *said;

	memset(&restart, 0, sizeof(restart));
	restart.probe = 7;
	restart.holding = true;
	drain(err_pipe[0]);
	capture_stderr(true);
	restart_guest(&t, &plain, argv);
	capture_stderr(false);
	restart.holding = false;
	said = drain(err_pipe[0]);
	report(restart.path && strcmp(restart.path, "/proc/self/exe") == 0 && restart.argv == argv,
	       "a restart runs /proc/self/exe again with the same arguments");
	report(restart.closed_probe && !restart.closed_stdio && !restart.closed_after_exec &&
	       t.fd == -1, "before that, every descriptor but stdin, stdout and stderr is closed");
	report(strstr(said, "starting the guest again") &&
	       strstr(said, "cannot run /proc/self/exe again") && strstr(said, "exit status 2"),
	       "it says so, and an exec that fails is named with what to do");

	memset(&restart, 0, sizeof(restart));
	t.fd = 7;
	capture_stderr(true);
	restart_guest(&t, &jailed, argv);
	capture_stderr(false);
	said = drain(err_pipe[0]);
	report(!restart.path && t.fd == 7 && strstr(said, "under --chroot") &&
	       strstr(said, "exit status 2"),
	       "under --chroot there is no restart: it says why and leaves the status at 2");
}

static int host_status(void (*fn)(void *), void *arg);

static void call_initialize(void *gg)
{
	initialize_guest(gg);
}

static void test_initialize(void)
{
	struct guest t = { .mem = (uint8_t *)(uintptr_t)0x40000000u, .ram_size = 64u << 20,
			   .start = 0x1000000 };

	host_reset(NULL, 0, "", ENOENT);
	initialize_guest(&t);
	report(host.init_len == 20, "INITIALIZE is five 32-bit words (%zu bytes)", host.init_len);
	report(host.init[0] == LHREQ_INITIALIZE && host.init[1] == 0x40000000u &&
	       host.init[2] == 16384 && host.init[3] == 0x1000000 && host.init[4] == 16384 + 256,
	       "INITIALIZE {req, base, pfn_limit, start, device_limit}");

	host_reset(NULL, 0, "", ENOENT);
	host.init_errno = ENOMEM;
	drain(err_pipe[0]);
	report(host_status(call_initialize, &t) == EXIT_ERROR &&
	       strstr(drain(err_pipe[0]), "its 64 MiB count as locked memory: raise the memlock "
		      "limit (ulimit -l) above that, or give less memory"),
	       "an ENOMEM INITIALIZE names the memlock limit and the Guest's size");
}

static int parse(int argc, char **argv, struct options *o)
{
	volatile int status = -1;	/* survives the longjmp */

	memset(o, 0, sizeof(*o));
	optind = 0;	/* glibc: restart getopt from scratch */
	capture_stderr(true);
	if (setjmp(exit_jmp) == 0)
		parse_options(argc, argv, o);
	else
		status = exit_status;
	capture_stderr(false);
	return status;
}

static void test_options(void)
{
	char *ok[] = { "lguest", "--initrd=rd.img", "--stats", "64", "vmlinux", "--foo", "a=b", NULL };
	char *no_kernel[] = { "lguest", "64", NULL };
	char *bad_mem[][4] = {
		{ "lguest", "0", "k", NULL }, { "lguest", "abc", "k", NULL },
		{ "lguest", "64k", "k", NULL }, { "lguest", "4096", "k", NULL },
		{ "lguest", "", "k", NULL }, { "lguest", "64 ", "k", NULL },
	};
	char *bad_opt[] = { "lguest", "--nope", "64", "k", NULL };
	char *neg_mem[] = { "lguest", "-1", "k", NULL };
	struct options o;
	unsigned int i;
	bool all_rejected = true;

	report(parse(7, ok, &o) == -1 && o.initrd && strcmp(o.initrd, "rd.img") == 0 && o.stats &&
	       o.mem_mb == 64 && strcmp(o.kernel, "vmlinux") == 0, "options, memory and kernel parsed");
	report(o.guest_argc == 2 && strcmp(o.guest_argv[0], "--foo") == 0 &&
	       strcmp(o.guest_argv[1], "a=b") == 0, "guest arguments pass through, dashes and all");
	drain(err_pipe[0]);
	report(parse(2, no_kernel, &o) == EXIT_ERROR && strstr(drain(err_pipe[0]), "guest kernel"),
	       "a missing kernel is an error that says what to give");
	for (i = 0; i < sizeof(bad_mem) / sizeof(bad_mem[0]); i++) {
		all_rejected &= parse(3, bad_mem[i], &o) == EXIT_ERROR;
		all_rejected &= strstr(drain(err_pipe[0]), "not a memory size") != NULL;
	}
	report(all_rejected, "bad memory sizes (0, abc, 64k, 4096, empty, trailing space) rejected");
	report(parse(4, bad_opt, &o) == EXIT_ERROR && strstr(drain(err_pipe[0]), "--help"),
	       "an unknown option points at --help");
	report(parse(4, neg_mem, &o) == EXIT_ERROR && strstr(drain(err_pipe[0]), "--help"),
	       "a negative memory size is taken for an option, and rejected");
}

static void test_device_options(void)
{
	char *devs[] = { "lguest", "-v", "--block=a.img", "--rng", "--block=b.img,ro",
			 "--username=nobody", "--chroot=/srv/empty", "64", "k", NULL };
	char *net[] = { "lguest", "--tunnet=192.0.2.1", "--tunnet=bridge:br0:02:00:00:00:00:07",
			"64", "k", NULL };
	char *bad_ip[] = { "lguest", "--tunnet=192.0.2.300", "64", "k", NULL };
	char *bad_mac[] = { "lguest", "--tunnet=192.0.2.1:02:00:00:00:00", "64", "k", NULL };
	char *mc_mac[] = { "lguest", "--tunnet=bridge:br0:01:00:5e:00:00:01", "64", "k", NULL };
	char *no_br[] = { "lguest", "--tunnet=bridge:", "64", "k", NULL };
	char *noarg[] = { "lguest", "--block", NULL };
	char *many[MAX_BLOCKS + 4] = { "lguest" };
	struct options o;
	unsigned int i;

	report(parse(9, devs, &o) == -1 && o.verbose && o.rng && o.n_blocks == 2 &&
	       strcmp(o.blocks[0], "a.img") == 0 && strcmp(o.blocks[1], "b.img,ro") == 0 &&
	       strcmp(o.username, "nobody") == 0 && strcmp(o.chroot, "/srv/empty") == 0 &&
	       o.mem_mb == 64, "-v, --block twice, --rng, --username, --chroot parsed");
	drain(err_pipe[0]);
	report(parse(5, net, &o) == -1 && o.n_nets == 2 && strcmp(o.nets[0], "192.0.2.1") == 0 &&
	       strcmp(o.nets[1], "bridge:br0:02:00:00:00:00:07") == 0,
	       "--tunnet=IP and --tunnet=bridge:BR:MAC parsed");
	report(parse(4, bad_ip, &o) == EXIT_ERROR &&
	       strcmp(drain(err_pipe[0]), "lguest: --tunnet=192.0.2.300: '192.0.2.300' is not an "
		      "IPv4 address; give the Host's address on the tap, such as 192.0.2.1\n") == 0,
	       "--tunnet with a bad address: named, with an example");
	report(parse(4, bad_mac, &o) == EXIT_ERROR &&
	       strstr(drain(err_pipe[0]), "'02:00:00:00:00' is not a MAC address; give six hex"),
	       "--tunnet with a short MAC: named");
	report(parse(4, mc_mac, &o) == EXIT_ERROR &&
	       strstr(drain(err_pipe[0]), "01:00:5e:00:00:01 is a multicast address; give a unicast"),
	       "--tunnet with a multicast MAC: refused");
	report(parse(4, no_br, &o) == EXIT_ERROR &&
	       strstr(drain(err_pipe[0]), "is not a bridge name; give bridge:BR"),
	       "--tunnet=bridge: with no name: refused");
	report(parse(2, noarg, &o) == EXIT_ERROR &&
	       strstr(drain(err_pipe[0]), "'--block' needs an argument"),
	       "--block without a file is an error naming it");
	for (i = 1; i <= MAX_BLOCKS + 1; i++)
		many[i] = "--block=x";
	many[i++] = "64";
	many[i++] = "k";
	report(parse((int)i, many, &o) == EXIT_ERROR &&
	       strstr(drain(err_pipe[0]), "more than 16 disks"), "17 disks are too many");
}

static int host_status(void (*fn)(void *), void *arg)
{
	volatile int status = -1;

	capture_stderr(true);
	if (setjmp(exit_jmp) == 0)
		fn(arg);
	else
		status = exit_status;
	capture_stderr(false);
	return status;
}

static void call_check_host(void *machine)
{
	check_host_kernel(machine);
}

static void call_open_dev(void *gg)
{
	open_dev_lguest(gg);
}

static void call_hold(void *gg)
{
	hold_config_writes(gg);
}

static void test_host_errors(void)
{
	struct guest t = { .fd = -1 };

	drain(err_pipe[0]);
	report(host_status(call_check_host, "x86_64") == EXIT_ERROR &&
	       strstr(drain(err_pipe[0]), "lguest: lg.ko needs a 32-bit (i386) Host kernel; "
		      "this one is x86_64 (boot an i386 kernel"),
	       "an x86_64 Host kernel is named as the problem, with status 3");
	report(host_status(call_check_host, "aarch64") == EXIT_ERROR &&
	       strstr(drain(err_pipe[0]), "this one is aarch64"), "so is any other non-i386 kernel");
	report(host_status(call_check_host, "i686") == -1 &&
	       host_status(call_check_host, "i386") == -1 && drain(err_pipe[0])[0] == '\0',
	       "i686 and i386 kernels pass");
	report(host_status(call_open_dev, &t) == EXIT_ERROR &&
	       strcmp(drain(err_pipe[0]), "lguest: " DEV_LGUEST ": No such file or directory; "
		      "load the module: modprobe lg\n") == 0,
	       "a missing /dev/lguest says: modprobe lg");
}

/* ---- held port writes (main.c L115) */
#define HELD(port_, size_, val_)	{ .port = (port_), .size = (size_), .value = (val_) }

/* What the early console's "o" is, held: the window set up, then the byte. */
static const struct lguest_port_write held_o[] = {
	HELD(0xCF8, 4, CFG(0x84 + 4)), HELD(0xCFC, 1, 0),
	HELD(0xCF8, 4, CFG(0x84 + 12)), HELD(0xCFC, 4, 4),
	HELD(0xCF8, 4, CFG(0x84 + 8)), HELD(0xCFC, 4, 0x88),
	HELD(0xCF8, 4, CFG(0x84 + 16)), HELD(0xCFC, 4, 'o'),
};
/* "k" and then the register the next "in" reads: it must come after them. */
static const struct lguest_port_write held_k_then_ids[] = {
	HELD(0xCFC, 4, 'k'), HELD(0xCF8, 4, CFG(0)),
};
static const struct lguest_port_write held_bang[] = {
	HELD(0xCF8, 4, CFG(0x84 + 16)), HELD(0xCFC, 4, '!'),
};
static const struct lguest_port_write held_odd_size[] = { HELD(0xCFC, 3, 'x') };

static void test_hold_request(void)
{
	struct guest t = { .fd = -1 };

	host_reset(NULL, 0, "", ENOENT);
	capture_stderr(true);
	hold_config_writes(&t);
	capture_stderr(false);
	report(t.holds_writes && host.hold_req[0] == LHREQ_HOLD_PORTS &&
	       host.hold_req[1] == 0xCF8 && host.hold_req[2] == 0xCFF,
	       "the Launcher asks lg.ko to hold writes to 0xCF8-0xCFF, and uses them");

	t.holds_writes = false;
	host_reset(NULL, 0, "", ENOENT);
	host.hold_errno = EOPNOTSUPP;
	capture_stderr(true);
	hold_config_writes(&t);
	capture_stderr(false);
	report(!t.holds_writes && drain(err_pipe[0])[0] == '\0',
	       "an lg.ko with hold_port_writes=0 (EOPNOTSUPP) leaves every write an exit, quietly");

	host_reset(NULL, 0, "", ENOENT);
	host.hold_errno = EINVAL;
	capture_stderr(true);
	hold_config_writes(&t);
	capture_stderr(false);
	report(!t.holds_writes, "so does an older lg.ko that does not know the request (EINVAL)");

	host_reset(NULL, 0, "", ENOENT);
	host.hold_errno = EIO;
	report(host_status(call_hold, &t) == EXIT_ERROR &&
	       strstr(drain(err_pipe[0]), "asking lg.ko to hold port writes: Input/output error"),
	       "any other failure is fatal and named");
}

static void test_held_writes(void)
{
	static const struct step boot[] = {
		{ .trap = LGUEST_EXIT_WRITES, .writes = held_o, .nr_writes = 8, .eip = 0xC1000100 },
		{ .trap = 13, .insn = { 0xED }, .edx = 0xCFC, .eax = 0x5A5A5A5A, .eip = 0xC1000200,
		  .writes = held_k_then_ids, .nr_writes = 2 },
		{ .trap = 13, .insn = { 0xFA }, .eip = 0xC1000300 },
		{ .trap = LGUEST_EXIT_WRITES, .writes = held_bang, .nr_writes = 2 },
	};
	static const struct step odd[] = {
		{ .trap = LGUEST_EXIT_WRITES, .writes = held_odd_size, .nr_writes = 1 },
	};
	static const struct step short_read[] = {
		{ .trap = LGUEST_EXIT_WRITES, .writes = held_bang, .nr_writes = 2, .bad_length = -4 },
	};
	static const struct step plain[] = { OUTL(0xCFC, 'x', 0x100) };
	int status;

	host.holding = true;
	g.holds_writes = true;
	status = run_script(boot, 4, LGUEST_POWEROFF_REASON, ENOENT);
	report(strcmp(drain(con_pipe[0]), "ok!") == 0,
	       "held writes reach the console in order, the last ones just before the Guest's death");
	report(host.after_eip[0] == 0xC1000100,
	       "an exit that brings only writes leaves the Guest's registers alone");
	report(host.after_eax[1] == 0x10431AF4 && host.after_eip[1] == 0xC1000201,
	       "the writes that came with an exit were done before it: the in read the register they chose");
	report(host.after_eip[2] == 0xC1000301 && status == 0 && host.ntraps == 0,
	       "an exit with no writes is handled as ever, and power-off is still status 0");

	status = run_script(odd, 1, LGUEST_POWEROFF_REASON, ENOENT);
	report(status == 100 + EXIT_ERROR && strstr(drain(err_pipe[0]), "size no instruction has"),
	       "a held write of 3 bytes is fatal: lg.ko and the Launcher disagree");
	report(drain(con_pipe[0])[0] == '\0', "and nothing of it was written");

	status = run_script(short_read, 1, LGUEST_POWEROFF_REASON, ENOENT);
	report(status == 100 + EXIT_ERROR && strstr(drain(err_pipe[0]), "not an exit with held writes"),
	       "a read whose length does not match its count of writes is fatal and named");

	host.holding = false;
	status = run_script(plain, 1, LGUEST_POWEROFF_REASON, ENOENT);
	report(status == 100 + EXIT_ERROR && strstr(drain(err_pipe[0]), "not an exit with held writes"),
	       "a Launcher that asked for held writes refuses a bare exit");
	g.holds_writes = false;
	drain(con_pipe[0]);
}

int main(void)
{
	g.ram_size = 4u << 20;
	g.mem = calloc(1, g.ram_size);
	saved_stderr = dup(STDERR_FILENO);
	if (!g.mem || pipe2(con_pipe, O_NONBLOCK) || pipe2(err_pipe, O_NONBLOCK) ||
	    pci__init(&g) || console__add(&g, -1, con_pipe[1]))
		return 1;

	test_early_console_boot(false);
	test_early_console_boot(true);
	test_deaths();
	test_reinject();
	test_single_step(false);
	test_single_step(true);
	test_restart();
	test_initialize();
	test_options();
	test_device_options();
	test_host_errors();
	test_hold_request();
	test_held_writes();

	pci__exit(&g);
	free(g.mem);
	return report_summary();
}
