// SPDX-License-Identifier: GPL-2.0
/*
 * hostile.c - a Guest that tries what it must not.
 *
 * Each scenario (lgtest=hostile-NAME) does one thing the Host has to refuse
 * by killing us with a reason, because letting it through would hand the
 * Guest ring 0, another Guest's memory, or a Host that trips over state it
 * did not check.  If we are still alive afterwards the Host has failed: we
 * say so and shut down with "survived NAME", which the VM harness reports.
 * The reasons the Host must give are listed in tests/vm/init.sh.
 */
#include "lib/libguest.h"
#include "lib/hcall.h"
#include "lib/mmu.h"
#include "tests.h"

#define DESC_P		0x8000u
#define DPL(n)		((u32)(n) << 13)
#define LG_SWITCHER_CS	0x50		/* the Host's GDT entry 10 */

/* A 32-bit call gate into the Host's ring-0 code segment. */
static void gdt_call_gate(void)
{
	hcall3(LHCALL_LOAD_GDT_ENTRY, 20, (LG_SWITCHER_CS << 16) | 0x1000,
	       0xC1000000u | DESC_P | DPL(3) | (0xC << 8));
}

/* A TSS descriptor of our own: a task switch would load any state we like. */
static void gdt_tss(void)
{
	hcall3(LHCALL_LOAD_GDT_ENTRY, 20, 0x10000067, DESC_P | (0x9 << 8));
}

static void gdt_index(void)
{
	hcall3(LHCALL_LOAD_GDT_ENTRY, LGUEST_GDT_ENTRIES, 0x0000ffff, 0x00cff300);
}

/* An interrupt gate whose handler runs on the Switcher's code segment. */
static void idt_host_selector(void)
{
	hcall3(LHCALL_LOAD_IDT_ENTRY, 0x40, (LG_SWITCHER_CS << 16) | 0x1000,
	       0xC1000000u | DESC_P | (0xE << 8));
}

/* A task gate: only interrupt and trap gates are allowed. */
static void idt_task_gate(void)
{
	hcall3(LHCALL_LOAD_IDT_ENTRY, 0x41, (0x80 << 16), DESC_P | (0x5 << 8));
}

/* Traps from user mode would arrive in ring 0 on a stack we chose. */
static void stack_ring0(void)
{
	hcall3(LHCALL_SET_STACK, 0x68, 0xC2000000u, 2);
}

static void pgtable_outside_memory(void)
{
	hcall1(LHCALL_NEW_PGTABLE, 0xFFFFF000u);
}

/* Map guest-physical 2 GiB, which is neither RAM nor device memory. */
static void map_beyond_memory(void)
{
	volatile u32 *p = (volatile u32 *)0xD8000000u;

	pt_map(&kernel_pgt, (u32)p, 0x80000000u, PTE_P | PTE_RW);
	(void)*p;
}

/*
 * Load %fs from a TLS entry, then empty that entry.  The Host keeps its own
 * copy of our GDT and reloads our segment registers from it on every entry,
 * so the next one cannot load %fs: a Host that did not catch that fault
 * would take it in ring 0.
 */
static void stale_segment(void)
{
	hcall3(LHCALL_LOAD_GDT_ENTRY, LGUEST_GDT_TLS_MIN, 0x0000ffff, 0x00cff300);
	asm volatile("movl %0, %%fs" : : "r"((LGUEST_GDT_TLS_MIN << 3) | 3));
	hcall3(LHCALL_LOAD_GDT_ENTRY, LGUEST_GDT_TLS_MIN, 0, 0);
	hcall0(LHCALL_FLUSH_ASYNC);
}

static const struct {
	const char *name;
	void (*attempt)(void);
} hostile[] = {
	{ "gdt-call-gate",	gdt_call_gate },
	{ "gdt-tss",		gdt_tss },
	{ "gdt-index",		gdt_index },
	{ "idt-host-selector",	idt_host_selector },
	{ "idt-task-gate",	idt_task_gate },
	{ "stack-ring0",	stack_ring0 },
	{ "pgtable-outside",	pgtable_outside_memory },
	{ "map-beyond-memory",	map_beyond_memory },
	{ "stale-segment",	stale_segment },
};

/* Runs lgtest=hostile-NAME; returns only if NAME is not one of ours. */
void run_hostile(const char *name)
{
	char reason[48];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		if (strcmp(name, hostile[i].name))
			continue;
		report_info("hostile: %s; the Host must end us now", name);
		hostile[i].attempt();
		snprintf(reason, sizeof(reason), "survived %s", name);
		guest_shutdown(reason);
	}
}
