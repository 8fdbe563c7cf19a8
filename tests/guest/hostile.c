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
#include "lib/desc.h"
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

/*
 * A call gate in the Host's LDT.  The Host runs us with whatever LDT the
 * Launcher's process has; the VM test gives its Launcher one (modify_ldt)
 * before we start.  Its descriptors sit in a page of Host lowmem, at a Host
 * kernel address in our half of the address space, so if the CPU still
 * looks there while we run, our page tables decide what it finds.  We
 * cannot learn that address, so we make every page of our kernel range
 * show the same page of 32-bit call gates into the Switcher's ring-0 code
 * segment: each directory entry we do not use points at one page table
 * that maps nothing but that page, and each page of our boot map outside
 * our own image maps it too (the Host's allocator hands out low pages
 * first, so its LDT page is quite likely to sit below 64 MiB, where our
 * boot map is; it cannot be where the Host's own kernel image is, which is
 * where ours is).  Whatever the LDT's address, LDT entry 0 is then one of
 * our gates.  A Host that loads a null LDT for us turns the far call into
 * a #GP; we drop our handler for it first, so the Host has to kill us with
 * "unhandled trap 13".  A page fault instead means the CPU went looking for
 * the Host's LDT at an address we cannot map (a Host with page-table
 * isolation keeps its LDTs above the Switcher): no way into ring 0, but the
 * Host's LDT is still loaded, and we shut down saying where it was.
 *
 * The payload is a few instructions in ring 0: it reads %cr0 and goes
 * back with lret.  Interrupts stay off while it runs (sti keeps them off
 * for one more instruction, the lret), since a Host interrupt taken at
 * CPL 0 on the Switcher's stack would look like one from the Switcher.
 */
#define GATE_CALL32		0xC
#define LDT_SEL_RPL3		0x7	/* LDT entry 0, RPL 3 */

u32 ldt_gate_cr0;

extern const char ldt_gate_payload[];
asm(
"	.pushsection .text, \"ax\"\n"
"	.globl ldt_gate_payload\n"
"	.type ldt_gate_payload, @function\n"
"ldt_gate_payload:\n"
"	cli\n"
"	movl %cr0, %eax\n"
"	movl %eax, ldt_gate_cr0\n"
"	sti\n"
"	lret\n"
"	.size ldt_gate_payload, . - ldt_gate_payload\n"
"	.popsection\n"
);

#ifdef CONFIG_PAE
#define DIR_SPAN	0x200000u
#else
#define DIR_SPAN	0x400000u
#endif

extern const char _text[], _end[];

static bool ldt_gate_pf(struct ex_regs *regs)
{
	char reason[96];

	snprintf(reason, sizeof(reason),
		 "ldt-gate: the far call at %#x faulted reading the Host's LDT at %#x",
		 regs->eip, READ_ONCE(lguest_data.cr2));
	guest_shutdown(reason);
}

static void ldt_gate(void)
{
	u32 *gates = alloc_page(), off = (u32)ldt_gate_payload;
	pte_t *table = alloc_page(), *ptep;
	u32 limit = 0u - READ_ONCE(lguest_data.reserve_mem), va, dirs = 0, pages = 0;
	u32 image_lo = (u32)_text & PAGE_MASK, image_hi = ((u32)_end + PAGE_SIZE - 1) & PAGE_MASK;
	unsigned int i;
	char reason[64];

	for (i = 0; i < PAGE_SIZE / 4; i += 2) {
		gates[i] = (LG_SWITCHER_CS << 16) | (off & 0xFFFF);
		gates[i + 1] = (off & 0xFFFF0000) | DESC_P | DPL(3) | (GATE_CALL32 << 8);
	}
	for (i = 0; i < PAGE_SIZE / sizeof(pte_t); i++)
		write_pte(&table[i], page_pa(gates) | PTE_P | PTE_RW);
	for (va = KERNEL_OFFSET; va && va + DIR_SPAN - 1 < limit; va += DIR_SPAN) {
		if (pt_lookup(&kernel_pgt, va, false))
			continue;
		pt_replace_table(&kernel_pgt, va, table);
		dirs++;
	}
	/*
	 * The boot map's page tables are shared with its identity half, which
	 * we no longer use; FLUSH_TLB below tells the Host about all of it.
	 */
	for (va = KERNEL_OFFSET; va < KERNEL_OFFSET + BOOT_MAP_SIZE; va += PAGE_SIZE) {
		if (va >= image_lo && va < image_hi)
			continue;
		ptep = pt_lookup(&kernel_pgt, va, false);
		if (ptep) {
			write_pte(ptep, page_pa(gates) | PTE_P | PTE_RW);
			pages++;
		}
	}
	hcall1(LHCALL_FLUSH_TLB, 1);
	report_info("ldt-gate: %u directory entries and %u pages below %#x show the gate page",
		    dirs, pages, limit);

	/* No #GP handler: a refused far call must end us in the Host. */
	hcall3(LHCALL_LOAD_IDT_ENTRY, GP_VECTOR, 0, 0);
	handle_exception(PF_VECTOR, ldt_gate_pf);
	asm volatile("lcall $" __stringify(LDT_SEL_RPL3) ", $0" : : : "eax", "memory");
	snprintf(reason, sizeof(reason), "survived ldt-gate: reached ring 0, cr0=%#x",
		 READ_ONCE(ldt_gate_cr0));
	guest_shutdown(reason);
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
	{ "ldt-gate",		ldt_gate },
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
