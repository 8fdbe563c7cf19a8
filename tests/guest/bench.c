// SPDX-License-Identifier: GPL-2.0
/*
 * bench.c - lgtest=bench: what each lguest primitive costs, in TSC cycles,
 * for make bench (scripts/bench.sh), which sets them against the native
 * twins of tests/bench/native.c measured in the same VM boot.
 *
 * Each benchmark runs REPS repetitions of ITERS operations and prints
 * "@@BENCH <name> cycles=<median per op> min=<..> max=<..> q1=<..> q3=<..>
 * iters=<n> reps=<n>", the format native.c prints.  lgbench=NAME runs one of them.
 * Each also checks that the operations it timed really happened (handler
 * counts), so a Host that skipped one fails the run instead of looking fast.
 */
#include "lib/libguest.h"
#include "lib/hcall.h"
#include "lib/desc.h"
#include "lib/irq.h"
#include "lib/mmu.h"
#include "lib/processor.h"
#include "tests.h"

#define S(x)		__stringify(x)
#define REPS		11		/* as native.c: a steady median, a visible spread */
#define PAGES		128		/* pages one fault benchmark touches */
#define SYSCALLS	1000
#define PTE_A		0x020u
#define PTE_D		0x040u
#define TIMER_VECTOR	(LGUEST_IRQ_BASE + LGUEST_TIMER_IRQ)
#define NO_PORT		0x300		/* nothing there: the Launcher reads all-ones */

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

static bool bench_failed;

static void check(bool ok, const char *name, const char *what)
{
	if (!ok) {
		printf("@@BENCH %s error=%s\n", name, what);
		bench_failed = true;
	}
}

static void report_bench(const char *name, u32 *per_op, u32 iters)
{
	unsigned int i, j;

	for (i = 1; i < REPS; i++)
		for (j = i; j > 0 && per_op[j - 1] > per_op[j]; j--) {
			u32 t = per_op[j];

			per_op[j] = per_op[j - 1];
			per_op[j - 1] = t;
		}
	printf("@@BENCH %s cycles=%u min=%u max=%u q1=%u q3=%u iters=%u reps=%u\n", name,
	       per_op[REPS / 2], per_op[0], per_op[REPS - 1], per_op[REPS / 4],
	       per_op[REPS - 1 - REPS / 4], iters, REPS);
}

/*
 * The user-mode code: SYSCALLS system calls, or a write to each of PAGES
 * pages from %eax up; then "int $0x80" with %eax = 0 to end the task.
 */
asm(
"	.pushsection .user_text, \"ax\"\n"
"bench_user_syscalls:\n"
"	movl $" S(SYSCALLS) ", %esi\n"
"1:	movl $1, %eax\n"
"	int $" S(SYSCALL_VECTOR) "\n"
"	decl %esi\n"
"	jnz 1b\n"
"	xorl %eax, %eax\n"
"	int $" S(SYSCALL_VECTOR) "\n"
"	ud2\n"
"bench_user_touch:\n"
"	movl $" S(PAGES) ", %ecx\n"
"1:	movl %eax, (%eax)\n"
"	addl $4096, %eax\n"
"	decl %ecx\n"
"	jnz 1b\n"
"	xorl %eax, %eax\n"
"	int $" S(SYSCALL_VECTOR) "\n"
"	ud2\n"
"	.popsection\n"
);
extern const char __user_text_start[], bench_user_syscalls[], bench_user_touch[];

static u32 user_va(const char *fn)
{
	return USER_CODE_VA + (u32)(fn - __user_text_start);
}

static u32 syscalls_seen;

static bool sys_handler(struct ex_regs *regs)
{
	if (!from_user(regs))
		return false;
	if (regs->eax == 1) {
		syscalls_seen++;
		return true;
	}
	user_return(regs->eax == 0 ? USER_EXITED : USER_BAD_SYSCALL);
}

/* The one page every benchmark mapping points at. */
static u32 target_pa;
static u32 user_faults;

/* A user write to an unmapped page of ours: map it with SET_PTE, retry. */
static bool user_pf(struct ex_regs *regs)
{
	u32 va = READ_ONCE(lguest_data.cr2) & PAGE_MASK;

	if (!from_user(regs) || va < BENCH_USER_VA || va >= BENCH_USER_VA + PAGES * PAGE_SIZE)
		return false;
	pt_map(&kernel_pgt, va, target_pa, PTE_P | PTE_RW | PTE_U | PTE_A | PTE_D);
	user_faults++;
	return true;
}

/* Write (or clear) PAGES PTEs from va behind the Host's back, then flush. */
static void map_range(u32 va, u32 flags)
{
	unsigned int i;

	for (i = 0; i < PAGES; i++)
		write_pte(pt_lookup(&kernel_pgt, va + i * PAGE_SIZE, true),
			  flags ? target_pa | flags : 0);
	hcall1(LHCALL_FLUSH_TLB, 0);
}

/* ---- the benchmarks: each fills per_op[REPS] and returns its ITERS. */

static u32 b_hcall(const char *name, u32 *per_op)
{
	(void)name;
	for (int r = 0; r < REPS; r++) {
		u64 t0 = rdtsc();

		for (int i = 0; i < 1000; i++)
			hcall0(LHCALL_FLUSH_ASYNC);
		per_op[r] = (u32)(rdtsc() - t0) / 1000;
	}
	return 1000;
}

/* 32 calls queued in the ring, one synchronous FLUSH_ASYNC runs them. */
static u32 b_async(const char *name, u32 *per_op)
{
	for (int r = 0; r < REPS; r++) {
		u32 before = async_ring_next();
		u64 t0 = rdtsc();

		for (int i = 0; i < 32; i++)
			async_hcall(LHCALL_SET_PTE, kernel_pgt.top_pa, ESCAPE_UNMAPPED_VA, 0, 0);
		hcall0(LHCALL_FLUSH_ASYNC);
		per_op[r] = (u32)(rdtsc() - t0) / 32;
		check(lguest_data.hcall_status[before] == LHCALL_SLOT_FREE, name,
		      "the Host did not run the queued calls");
	}
	return 32;
}

/* A ring-1 read of an unmapped page: the Host reflects #PF, we skip it. */
static u32 b_reflect(const char *name, u32 *per_op)
{
	u32 v;

	for (int r = 0; r < REPS; r++) {
		u32 before = last_ex.count;
		u64 t0 = rdtsc();

		for (int i = 0; i < 200; i++)
			probe_read(ESCAPE_UNMAPPED_VA, &v);
		per_op[r] = (u32)(rdtsc() - t0) / 200;
		check(last_ex.count == before + 200, name, "not every read faulted");
	}
	return 200;
}

/* PTEs the Host has not shadowed yet: each first touch is its demand fault. */
static u32 b_demand(const char *name, u32 *per_op)
{
	(void)name;
	for (int r = 0; r < REPS; r++) {
		u64 t0;

		map_range(BENCH_HOST_VA, PTE_P | PTE_RW | PTE_A | PTE_D);
		t0 = rdtsc();
		for (u32 i = 0; i < PAGES; i++)
			WRITE_ONCE(*(volatile u32 *)(BENCH_HOST_VA + i * PAGE_SIZE), i);
		per_op[r] = (u32)(rdtsc() - t0) / PAGES;
	}
	map_range(BENCH_HOST_VA, 0);
	return PAGES;
}

/*
 * The same PTEs, but one write in each 64 KiB: each is a demand fault the
 * Host fixes on its own, and the fault-around it does for the neighbours
 * (src/page_tables.c, H405) is wasted work here, so this is the worst case.
 */
#define LONE_STRIDE	16		/* pages: the Host's fault-around group */

static u32 b_demand_lone(const char *name, u32 *per_op)
{
	(void)name;
	for (int r = 0; r < REPS; r++) {
		u64 t0;

		map_range(BENCH_HOST_VA, PTE_P | PTE_RW | PTE_A | PTE_D);
		t0 = rdtsc();
		for (u32 i = 0; i < PAGES; i += LONE_STRIDE)
			WRITE_ONCE(*(volatile u32 *)(BENCH_HOST_VA + i * PAGE_SIZE), i);
		per_op[r] = (u32)(rdtsc() - t0) / (PAGES / LONE_STRIDE);
	}
	map_range(BENCH_HOST_VA, 0);
	return PAGES / LONE_STRIDE;
}

/* User writes to unmapped pages, each mapped by our #PF handler with SET_PTE. */
static u32 b_userfault(const char *name, u32 *per_op)
{
	trap_handler_t old = handle_exception(PF_VECTOR, user_pf);

	for (int r = 0; r < REPS; r++) {
		u32 how;
		u64 t0;

		map_range(BENCH_USER_VA, 0);
		user_faults = 0;
		t0 = rdtsc();
		how = user_run(user_va(bench_user_touch), USER_STACK_VA + PAGE_SIZE, BENCH_USER_VA);
		per_op[r] = (u32)(rdtsc() - t0) / PAGES;
		check(how == USER_EXITED && user_faults == PAGES, name, "wrong number of faults");
	}
	map_range(BENCH_USER_VA, 0);
	handle_exception(PF_VECTOR, old);
	return PAGES;
}

/* int $0x80 from ring 3 to our DPL-3 trap gate, the Host never seeing it. */
static u32 b_syscall(const char *name, u32 *per_op)
{
	for (int r = 0; r < REPS; r++) {
		u32 how;
		u64 t0;

		syscalls_seen = 0;
		t0 = rdtsc();
		how = user_run(user_va(bench_user_syscalls), USER_STACK_VA + PAGE_SIZE, 0);
		per_op[r] = (u32)(rdtsc() - t0) / SYSCALLS;
		check(how == USER_EXITED && syscalls_seen == SYSCALLS, name, "wrong number of calls");
	}
	return SYSCALLS;
}

/* Two page tables, both in the Host's cache: NEW_PGTABLE back and forth. */
static struct pgtable tables[LG_BENCH_TABLES];

static u32 b_pgtable_warm(const char *name, u32 *per_op)
{
	(void)name;
	for (int r = 0; r < REPS; r++) {
		u64 t0 = rdtsc();

		for (int i = 0; i < 100; i++) {
			pt_load(&tables[0]);
			pt_load(&kernel_pgt);
		}
		per_op[r] = (u32)(rdtsc() - t0) / 200;
	}
	return 200;
}

/* More page tables than the Host caches (4), in turn: each switch misses. */
static u32 b_pgtable_cold(const char *name, u32 *per_op)
{
	(void)name;
	for (int r = 0; r < REPS; r++) {
		u64 t0 = rdtsc();

		for (int i = 0; i < 10; i++)
			for (int t = 0; t < LG_BENCH_TABLES; t++)
				pt_load(&tables[t]);
		per_op[r] = (u32)(rdtsc() - t0) / (10 * LG_BENCH_TABLES);
		pt_load(&kernel_pgt);
	}
	return 10 * LG_BENCH_TABLES;
}

/*
 * A virtual interrupt: the timer's IRQ pending while interrupts are off,
 * then irq_enable(), whose SEND_INTERRUPTS makes the Host deliver it to our
 * handler, which returns.  Timed from the enable to the return.
 */
static u32 ticks;

static bool tick_handler(struct ex_regs *regs)
{
	(void)regs;
	ticks++;
	return true;
}

static u32 b_irq(const char *name, u32 *per_op)
{
	trap_handler_t old = handle_exception(TIMER_VECTOR, tick_handler);

	set_gate(TIMER_VECTOR, GATE_INTR, 0);
	irq_unmask(LGUEST_TIMER_IRQ);
	for (int r = 0; r < REPS; r++) {
		u32 sum = 0;

		for (int i = 0; i < 20; i++) {
			u32 n = ticks, spin;
			u64 t0;

			irq_disable();
			hcall1(LHCALL_SET_CLOCKEVENT, 1000);
			for (spin = 0; spin < (1u << 28) && !READ_ONCE(lguest_data.irq_pending); spin++)
				cpu_relax();
			t0 = rdtsc();
			irq_enable();
			sum += (u32)(rdtsc() - t0);
			check(ticks == n + 1, name, "the interrupt did not arrive");
		}
		per_op[r] = sum / 20;
	}
	irq_disable();
	irq_mask(LGUEST_TIMER_IRQ);
	handle_exception(TIMER_VECTOR, old);
	return 20;
}

/* Port I/O: #GP to the Host, out to the Launcher, which emulates it. */
static u32 b_launcher(const char *name, u32 *per_op)
{
	for (int r = 0; r < REPS; r++) {
		u32 v = 0;
		u64 t0 = rdtsc();

		for (int i = 0; i < 50; i++)
			v |= ~inl(NO_PORT);
		per_op[r] = (u32)(rdtsc() - t0) / 50;
		check(v == 0, name, "the Launcher did not read all-ones");
	}
	return 50;
}

static const struct {
	const char *name;
	u32 (*run)(const char *name, u32 *per_op);
} benches[] = {
	{ "hcall",		b_hcall },
	{ "async-hcall",	b_async },
	{ "reflect-pf",		b_reflect },
	{ "demand-fault",	b_demand },
	{ "demand-lone",	b_demand_lone },
	{ "user-fault",		b_userfault },
	{ "syscall",		b_syscall },
	{ "pgtable-warm",	b_pgtable_warm },
	{ "pgtable-cold",	b_pgtable_cold },
	{ "irq",		b_irq },
	{ "launcher-exit",	b_launcher },
};

bool run_bench(const char *only)
{
	trap_handler_t old = handle_exception(SYSCALL_VECTOR, sys_handler);
	u32 per_op[REPS];
	unsigned int i;
	bool found = false;

	/* Tables first, while they share the fewest page tables. */
	for (i = 0; i < LG_BENCH_TABLES; i++)
		pt_clone(&tables[i], &kernel_pgt);
	target_pa = page_pa(alloc_page());
	pt_map(&kernel_pgt, USER_CODE_VA, __pa(__user_text_start), PTE_P | PTE_U);
	pt_map(&kernel_pgt, USER_STACK_VA, page_pa(alloc_page()), PTE_P | PTE_RW | PTE_U);
	for (i = 0; i < ARRAY_SIZE(benches); i++) {
		if (only && strcmp(only, benches[i].name))
			continue;
		found = true;
		report_bench(benches[i].name, per_op, benches[i].run(benches[i].name, per_op));
	}
	handle_exception(SYSCALL_VECTOR, old);
	if (!found)
		printf("@@BENCH %s error=unknown benchmark\n", only);
	return found && !bench_failed;
}
