// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - the lguest conformance Guest: boot, run every area, report TAP
 * on the early console, power off.
 *
 * The command line picks a scenario (lgtest=NAME):
 *   (none)    every check; power off ("Power down", the Launcher exits 0)
 *             or, if one failed, shut down with "tests failed"
 *   badhcall  hypercall 99, which the Host must kill us for
 *   panic     shut down at once with the reason "test panic"
 *   hostile-NAME  try one thing the Host must kill us for (hostile.c)
 *   sleep     HALT with interrupts off and no clock event: we never wake,
 *             and the VM harness kills our Launcher to see the Host cope
 *   spin      stay in the Guest, without a single exit of our own, for about
 *             a second of emulated time, then power off: the VM harness
 *             sends NMIs meanwhile, and they must reach the Host
 *   pf-loop   take a hundred thousand page faults our tables forbid, most
 *             of them delivered by the Switcher with no exit (escape.c), and
 *             power off; "tests failed" if one arrived wrong.  The VM
 *             harness sends NMIs meanwhile, some of which land in the
 *             Switcher's fast path, and they must reach the Host
 *   bench     time each primitive (bench.c), lgbench=NAME only that one,
 *             and power off; "tests failed" if one went wrong
 *   switcher-probe  scan the Switcher area again and again (escape.c) while
 *             the VM harness moves our Launcher between CPUs; with
 *             lgcpus=N (N > 1) also check that we ran on two of them
 *
 * lgscan=full makes the escape area of a full run look at every page of the
 * Switcher area, not a sample (ten seconds or so under QEMU's emulation).
 * lghostnx=0 says the Host pages without NX (a PAE Guest on a 2-level
 * Host): the NX bits of our entries are then expected to do nothing.
 */
#include "lib/libguest.h"
#include "lib/hcall.h"
#include "lib/mmu.h"
#include "lib/irq.h"
#include "tests.h"

/* Not a hypercall (ABI.md section 1: 3, 11, 12, 17 and 20 up are not). */
#define BAD_HCALL	99

static const struct {
	const char *name;
	void (*run)(void);
} areas[] = {
	{ "gdt",	test_gdt },
	{ "hcall",	test_hcall },
	{ "traps",	test_traps },
	{ "pf",		test_pf },
	{ "pgtable",	test_pgtable },
	{ "user",	test_user },
	{ "timer",	test_timer },
	{ "fpu",	test_fpu },
	{ "ports",	test_ports },
	{ "escape",	test_escape },
};

/*
 * The Host must end us here with "bad hypercall 99".  Our own words must
 * not contain that phrase: the harness looks for it in our output to know
 * the Host said it.
 */
static __noreturn void scenario_badhcall(void)
{
	report_info("lgtest=badhcall: making hypercall %u, the Host must kill us", BAD_HCALL);
	hcall0(BAD_HCALL);
	report(false, "badhcall: the Host ends the Guest on hypercall %u", BAD_HCALL);
	report_summary();
	guest_shutdown("survived hypercall 99");
}

/* 2^30 trips round a two-instruction loop: a second or two under QEMU. */
#define SPIN_LOOPS	(1U << 30)

static __noreturn void scenario_spin(void)
{
	u32 left = SPIN_LOOPS;

	report_info("lgtest=spin: %u loops in the Guest", SPIN_LOOPS);
	asm volatile("1: decl %0\n\tjnz 1b" : "+r"(left));
	report_info("lgtest=spin: done");
	guest_shutdown("Power down");
}

static __noreturn void scenario_sleep(void)
{
	report_info("lgtest=sleep: halting for good");
	irq_disable();
	for (;;)
		hcall0(LHCALL_HALT);
}

/* The Switcher-area checks alone, repeated, with their own TAP plan. */
static __noreturn void scenario_switcher_probe(u32 boot_params)
{
	char buf[8];
	unsigned int cpus = 1;
	const char *p = cmdline_option(boot_params, "lgcpus", buf, sizeof(buf));

	if (p) {
		cpus = 0;
		for (; *p >= '0' && *p <= '9'; p++)
			cpus = cpus * 10 + (unsigned int)(*p - '0');
	}
	report_info("lgtest=switcher-probe: expecting %u host CPUs", cpus);
	report_prefix_push("switcher-probe");
	switcher_probe(cpus);
	report_prefix_pop();
	guest_shutdown(report_summary() ? "tests failed" : "Power down");
}

static void run_all(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(areas); i++) {
		report_prefix_push(areas[i].name);
		areas[i].run();
		report_prefix_pop();
	}
}

/* entry.c calls us on the kernel stack, at our virtual addresses. */
__noreturn void guest_main(u32 boot_params);

__noreturn void guest_main(u32 boot_params)
{
	char name[32], opt[8];
	const char *scenario;

	guest_setup();
	if (!console_init())
		guest_shutdown("no console");

	scenario = cmdline_option(boot_params, "lgtest", name, sizeof(name));
	report_info("lguest test Guest, " PAGING_NAME " paging, lgtest=%s",
		    scenario ? scenario : "(all)");
	if (scenario && !strcmp(scenario, "badhcall"))
		scenario_badhcall();
	if (scenario && !strcmp(scenario, "panic"))
		guest_shutdown("test panic");
	if (scenario && !strcmp(scenario, "spin"))
		scenario_spin();
	if (scenario && !strcmp(scenario, "sleep"))
		scenario_sleep();
	if (scenario && !strcmp(scenario, "pf-loop"))
		guest_shutdown(fast_pf_loop() ? "Power down" : "tests failed");
	if (scenario && !strcmp(scenario, "switcher-probe"))
		scenario_switcher_probe(boot_params);
	if (scenario && !strcmp(scenario, "bench")) {
		const char *only = cmdline_option(boot_params, "lgbench", name, sizeof(name));

		guest_shutdown(run_bench(only) ? "Power down" : "tests failed");
	}
	if (scenario && !strncmp(scenario, "hostile-", 8))
		run_hostile(scenario + 8);
	if (scenario && strcmp(scenario, "all"))
		report_abort("unknown scenario lgtest=%s", scenario);
	if (cmdline_option(boot_params, "lgscan", opt, sizeof(opt)) && !strcmp(opt, "full"))
		escape_full_scan = true;
	if (cmdline_option(boot_params, "lghostnx", opt, sizeof(opt)) && !strcmp(opt, "0"))
		escape_host_nx = false;

	run_all();
	/* "Power down" is what a Linux Guest's pm_power_off sends. */
	guest_shutdown(report_summary() ? "tests failed" : "Power down");
}
