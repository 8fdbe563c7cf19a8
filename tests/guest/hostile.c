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
 *
 * A few things the ABI says the Host ignores rather than kills for (GDT
 * entries that are the Host's, IDT vectors that are the Host's, a ring slot
 * whose status is neither "queued" nor "free", a far return to ring 0 that
 * the CPU itself refuses).  For those we look from inside that nothing
 * happened and shut down ourselves with "refused NAME: ...", which is then
 * the reason the harness wants; if something did happen, "survived NAME".
 */
#include "lib/libguest.h"
#include "lib/hcall.h"
#include "lib/mmu.h"
#include "lib/desc.h"
#include "lib/irq.h"
#include "tests.h"

#define S(x)		__stringify(x)

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

/* ---- The hypercall interface itself. */

/* Our lguest_data is already registered: a second LGUEST_INIT is refused. */
static void init_twice(void)
{
	hcall1(LHCALL_LGUEST_INIT, __pa(&lguest_data));
}

/*
 * Numbers that are not hypercalls: the gaps (3, 11, 12 and 17 were calls of
 * older lguest versions, a Host that kept them would act on them), the
 * first number past the end, and the largest.
 */
#define BAD_HCALL(name, nr) static void name(void) { hcall0(nr); }
BAD_HCALL(hcall_3, 3)
BAD_HCALL(hcall_11, 11)
BAD_HCALL(hcall_12, 12)
BAD_HCALL(hcall_17, 17)
BAD_HCALL(hcall_20, 20)
BAD_HCALL(hcall_max, 0xFFFFFFFFu)

/* The same, queued in the async ring: the Host runs it at the next exit. */
#define ASYNC_BAD_HCALL	0x4000

static void async_bad_call(void)
{
	async_hcall(ASYNC_BAD_HCALL, 0, 0, 0, 0);
	hcall0(LHCALL_FLUSH_ASYNC);
}

/*
 * A slot holding a bad call under a status that is neither 0 (queued) nor
 * 0xFF (free).  The Host runs only slots marked 0 and stops at the first
 * that is not: it must leave this one, status and all, alone.
 */
#define GARBAGE_STATUS	0x55

static void async_garbage_status(void)
{
	unsigned int i = async_ring_next();
	struct hcall_args *slot = &lguest_data.hcalls[i];
	char reason[96];
	u8 now;

	slot->arg0 = ASYNC_BAD_HCALL;
	slot->arg1 = slot->arg2 = slot->arg3 = slot->arg4 = 0;
	barrier();
	WRITE_ONCE(lguest_data.hcall_status[i], GARBAGE_STATUS);
	hcall0(LHCALL_FLUSH_ASYNC);
	now = READ_ONCE(lguest_data.hcall_status[i]);
	if (now != GARBAGE_STATUS) {
		snprintf(reason, sizeof(reason),
			 "survived async-garbage-status: slot %u status %#x became %#x",
			 i, GARBAGE_STATUS, now);
		guest_shutdown(reason);
	}
	guest_shutdown("refused async-garbage-status: the slot was left alone");
}

/* Guest RAM ends where entry 0 of boot_params' e820 map says (ABI.md 9). */
static u32 ram_size(void)
{
	u32 size = *(const u32 *)__va(BP_E820_MAP + 8);

	if (size > BOOT_MAP_SIZE)
		report_abort("%#x bytes of RAM: our boot map covers only %#x", size,
			     BOOT_MAP_SIZE);
	return size;
}

/* A reason that starts exactly at the end of RAM. */
static void shutdown_outside(void)
{
	hcall2(LHCALL_SHUTDOWN, ram_size(), LGUEST_SHUTDOWN_POWEROFF);
}

/*
 * A reason with no NUL, in the last bytes of RAM: the Host may read up to
 * 128 bytes, but only what is there, and must end the string itself.
 */
static void shutdown_unterminated(void)
{
	static const char tail[16] = "hostile-tail-END";	/* no NUL */
	u32 end = ram_size();

	memcpy(__va(end - sizeof(tail)), tail, sizeof(tail));
	hcall2(LHCALL_SHUTDOWN, end - sizeof(tail), LGUEST_SHUTDOWN_POWEROFF);
}

/* ---- Descriptor tables. */

/* An LDT descriptor: an LDT of our making could hold any gate we like. */
static void gdt_ldt(void)
{
	hcall3(LHCALL_LOAD_GDT_ENTRY, 20, 0x10000fff, DESC_P | (0x2 << 8));
}

/* A call gate again, but through LOAD_TLS's three entries at once. */
static void tls_call_gate(void)
{
	static u32 tls[2 * LGUEST_GDT_TLS_ENTRIES];

	tls[0] = (LG_SWITCHER_CS << 16) | 0x1000;
	tls[1] = 0xC1000000u | DESC_P | DPL(3) | (0xC << 8);
	hcall2(LHCALL_LOAD_TLS, __pa(tls), 0);
}

/* LOAD_TLS reads 24 bytes: these start 8 bytes before the end of RAM. */
static void load_tls_straddle(void)
{
	hcall2(LHCALL_LOAD_TLS, ram_size() - 8, 0);
}

/*
 * Our own code segment, marked not present while we run on it (the Host
 * stores a non-present descriptor as it is): the "iret" that takes us back
 * into the Guest after this very hypercall cannot load %cs, a #NP.
 */
static void gdt_cs_not_present(void)
{
	hcall3(LHCALL_LOAD_GDT_ENTRY, GDT_KERNEL_CS, 0x0000ffff,
	       0x00cf0000 | DPL(1) | (0x1B << 8));
}

/* The access rights "lar" finds for @sel, or 0 where we may not look. */
static u32 lar(u32 sel)
{
	u32 ar;

	asm volatile("xorl %0, %0\n\t"
		     "lar %1, %0\n\t"
		     "jz 1f\n\t"
		     "xorl %0, %0\n"
		     "1:"
		     : "=&r"(ar) : "r"(sel) : "cc");
	return ar;
}

/*
 * The Host's own entries (its code and data, our TSS, the double-fault
 * TSS) are ignored when we load them.  We offer a ring-1 code segment for
 * each: had one been taken, "lar" would show it to us, while the Host's
 * descriptors are ring 0 (or, for 31, empty) and invisible from ring 1.
 */
static void gdt_host_entries(void)
{
	static const u32 entries[] = {
		LGUEST_GDT_HOST_CS, LGUEST_GDT_HOST_DS, LGUEST_GDT_TSS,
		LGUEST_GDT_DF_TSS,
	};
	char reason[96];
	unsigned int i;
	u32 ar;

	for (i = 0; i < ARRAY_SIZE(entries); i++)
		hcall3(LHCALL_LOAD_GDT_ENTRY, entries[i], 0x0000ffff,
		       0x00cf0000 | DESC_P | DPL(1) | (0x1B << 8));
	for (i = 0; i < ARRAY_SIZE(entries); i++) {
		ar = lar((entries[i] << 3) | 1);
		if (ar) {
			snprintf(reason, sizeof(reason),
				 "survived gdt-host-entries: entry %u now has access rights %#x",
				 entries[i], ar);
			guest_shutdown(reason);
		}
	}
	guest_shutdown("refused gdt-host-entries: entries 10, 11, 16 and 31 stayed the Host's");
}

extern const char trap_stubs[];
#define TRAP_STUB(vector)	((u32)trap_stubs + (vector) * 16)

/* An IDT entry with the selector and type we choose, at our own stub. */
static void idt_gate(u32 vector, u32 sel, u32 type)
{
	u32 handler = TRAP_STUB(vector & 0xFF);

	hcall3(LHCALL_LOAD_IDT_ENTRY, vector, (sel << 16) | (handler & 0xFFFF),
	       (handler & 0xFFFF0000) | DESC_P | (type << 8));
}

static void idt_vector_256(void)
{
	idt_gate(256, LGUEST_GUEST_CS, GATE_TRAP);
}

static void idt_call_gate(void)
{
	idt_gate(0x42, LGUEST_GUEST_CS, 0xC);
}

/* Selectors no gate may name: one in the LDT, the null one, one past the GDT. */
static void idt_ldt_selector(void)
{
	idt_gate(0x43, LGUEST_GUEST_CS | 4, GATE_INTR);
}

static void idt_null_selector(void)
{
	idt_gate(0x44, 0, GATE_INTR);
}

static void idt_beyond_gdt(void)
{
	idt_gate(0x45, LGUEST_GDT_ENTRIES << 3, GATE_INTR);
}

/*
 * A #GP gate naming our data segment.  The Host cannot tell at LOAD time
 * (the GDT entry may change later), so the check is the Switcher's "iret"
 * into the handler, which cannot load a data segment into %cs.  "int
 * $0x40" is a #GP in ring 1 (only the Host's gate is there, at DPL 0).
 */
static void idt_data_selector(void)
{
	idt_gate(GP_VECTOR, LGUEST_GUEST_DS, GATE_INTR);
	asm volatile("int $0x40");
}

/*
 * The hypercall vector is the Host's: a gate of ours there is ignored, and
 * "int $0x1f" still reaches the Host, never our handler.
 */
static volatile bool hcall_hijacked;

static bool hcall_hijack(struct ex_regs *regs)
{
	(void)regs;
	hcall_hijacked = true;
	return true;
}

static void idt_hypercall_vector(void)
{
	handle_exception(LGUEST_TRAP_ENTRY, hcall_hijack);
	set_gate(LGUEST_TRAP_ENTRY, GATE_TRAP, 1);
	hcall0(LHCALL_FLUSH_ASYNC);
	handle_exception(LGUEST_TRAP_ENTRY, NULL);
	if (hcall_hijacked)
		guest_shutdown("survived idt-hypercall-vector: int $0x1f reached our handler");
	guest_shutdown("refused idt-hypercall-vector: the hypercall still reached the Host");
}

/*
 * A direct (trap-gate) #DE handler on our data segment.  The CPU's #GP
 * while delivering the #DE makes a double fault, vector 8, which comes to
 * the Host on its own stack; the Guest has no handler for 8 (it is the
 * Host's), so the Host must end us, and nothing else.
 */
static void double_fault(void)
{
	idt_gate(DE_VECTOR, LGUEST_GUEST_DS, GATE_TRAP);
	asm volatile("xorl %%edx, %%edx\n\t"
		     "movl $1, %%eax\n\t"
		     "divl %%edx"
		     : : : "eax", "edx");
}

/*
 * "iret" to the Switcher's ring-0 code segment: the CPU never returns to a
 * more privileged ring, so this must be a #GP naming that selector, which
 * the Host reflects to us as any fault.
 */
u32 iret_ring0_reached;

static void iret_ring0(void)
{
	char reason[96];

	ex_reset();
	asm volatile(ASM_TRY("1f")
		     "pushfl\n\t"
		     "pushl $" S(LG_SWITCHER_CS) "\n\t"
		     "pushl $2f\n\t"
		     "iret\n"
		     "1:\taddl $12, %%esp\n\t"
		     "jmp 3f\n"
		     "2:\tmovl $1, iret_ring0_reached\n"
		     "3:"
		     : : : "memory");
	ex_done();
	if (READ_ONCE(iret_ring0_reached))
		guest_shutdown("survived iret-ring0: ran on the Switcher's code segment");
	if (last_ex.vector != GP_VECTOR || (last_ex.error_code & ~3u) != LG_SWITCHER_CS) {
		snprintf(reason, sizeof(reason),
			 "survived iret-ring0: exception %d, error code %#x, not #GP(%#x)",
			 (int)last_ex.vector, last_ex.error_code, LG_SWITCHER_CS);
		guest_shutdown(reason);
	}
	guest_shutdown("refused iret-ring0: #GP naming the Switcher's code segment");
}

/* ---- Stacks. */

static void stack_host_ds(void)
{
	hcall3(LHCALL_SET_STACK, (LGUEST_GDT_HOST_DS << 3) | 1,
	       (u32)ring1_stack + RING1_STACK_SIZE, 2);
}

static void stack_pages(void)
{
	hcall3(LHCALL_SET_STACK, LGUEST_GUEST_DS, (u32)ring1_stack + RING1_STACK_SIZE, 3);
}

/* An address we never map, far from the Switcher. */
#define NO_STACK_VA	0xE0000000u

/*
 * A trap from ring 3 with the ring-1 stack (SET_STACK) where nothing is
 * mapped.  int3 is a direct DPL-3 trap gate, so the CPU itself tries to push
 * the frame there and faults; the Host must then push the #PF's frame on
 * that same stack, cannot, and ends us.
 */
asm(
"	.pushsection .user_text, \"ax\"\n"
"hostile_user_int3:\n"
"	int3\n"
"	ud2\n"
"	.popsection\n"
);
extern const char __user_text_start[], hostile_user_int3[];

static void user_int3(void)
{
	pt_map(&kernel_pgt, USER_CODE_VA, __pa(__user_text_start), PTE_P | PTE_U);
	pt_map(&kernel_pgt, USER_STACK_VA, page_pa(alloc_page()), PTE_P | PTE_RW | PTE_U);
	user_run(USER_CODE_VA + (u32)(hostile_user_int3 - __user_text_start),
		 USER_STACK_VA + PAGE_SIZE, 0);
}

static void user_trap_no_stack(void)
{
	hcall3(LHCALL_SET_STACK, LGUEST_GUEST_DS, NO_STACK_VA, 2);
	user_int3();
}

/*
 * The ring-1 stack segment is our kernel code segment: a ring-1 selector
 * of ours, so SET_STACK takes it (what the entry holds may change later
 * anyway).  The CPU refuses it as a stack with #TS when int3 comes from
 * ring 3; the Host hands that to our #TS gate, on the same stack, so the
 * Switcher's "iret" into the handler cannot load %ss.
 */
static void stack_code_segment(void)
{
	hcall3(LHCALL_SET_STACK, LGUEST_GUEST_CS, (u32)ring1_stack + RING1_STACK_SIZE, 2);
	user_int3();
}

/* The same in ring 1: a direct #UD with our own %esp pointing at nothing. */
static void kernel_trap_no_stack(void)
{
	asm volatile("movl %%esp, %%edi\n\t"
		     "movl %0, %%esp\n\t"
		     "ud2\n\t"
		     "movl %%edi, %%esp"
		     : : "r"(NO_STACK_VA) : "edi", "memory");
}

/* ---- Interrupts: the Host delivers them, so the Host meets the mess. */

/* 2^27 trips round a two-instruction loop: well over a 1 ms timer. */
#define IRQ_WAIT_LOOPS	(1u << 27)
#define IRQ_DELTA_NS	1000000u

/* The timer unmasked and interrupts on, with no gate at its vector. */
static void irq_no_handler(void)
{
	u32 left = IRQ_WAIT_LOOPS;

	hcall3(LHCALL_LOAD_IDT_ENTRY, LGUEST_IRQ_BASE + LGUEST_TIMER_IRQ, 0, 0);
	irq_unmask(LGUEST_TIMER_IRQ);
	irq_enable();
	hcall1(LHCALL_SET_CLOCKEVENT, IRQ_DELTA_NS);
	asm volatile("1: decl %0\n\tjnz 1b" : "+r"(left));
	irq_disable();
}

/*
 * A gate at the timer's vector, but our %esp points at nothing when it
 * comes.  Interrupts go on only once %esp is bad (a store to irq_enabled,
 * ABI.md 6), so the interrupt cannot slip in while the stack is still good.
 */
static void irq_bad_stack(void)
{
	u32 left = IRQ_WAIT_LOOPS;

	set_gate(LGUEST_IRQ_BASE + LGUEST_TIMER_IRQ, GATE_INTR, 0);
	irq_disable();
	irq_unmask(LGUEST_TIMER_IRQ);
	hcall1(LHCALL_SET_CLOCKEVENT, IRQ_DELTA_NS);
	asm volatile("movl %%esp, %%edi\n\t"
		     "movl %1, %%esp\n\t"
		     "movl $" S(LGUEST_EFLAGS_IF) ", lguest_data\n"
		     "1:\tdecl %0\n\t"
		     "jnz 1b\n\t"
		     "movl $0, lguest_data\n\t"
		     "movl %%edi, %%esp"
		     : "+r"(left) : "r"(NO_STACK_VA) : "edi", "memory");
}

/* ---- Page tables. */

/* Where the page-table scenarios point their directory entries. */
#define HOSTILE_VA	0xD8000000u

static void pgtable_unaligned(void)
{
	hcall1(LHCALL_NEW_PGTABLE, kernel_pgt.top_pa + 0x10);
}

/* The first page past the end of RAM. */
static void pgtable_at_limit(void)
{
	hcall1(LHCALL_NEW_PGTABLE, ram_size());
}

/* A directory entry whose page table is at guest-physical 2 GiB. */
static void pde_beyond_memory(void)
{
	pt_set_dir(&kernel_pgt, HOSTILE_VA, 0x80000000u | PTE_P | PTE_RW);
	(void)*(volatile u32 *)HOSTILE_VA;
}

/* A large-page directory entry: the Host gives no PSE. */
#define PDE_LARGE	0x080u

static void map_large_page(void)
{
	pt_set_dir(&kernel_pgt, HOSTILE_VA, PDE_LARGE | PTE_P | PTE_RW);
	(void)*(volatile u32 *)HOSTILE_VA;
}

/* SET_PGD for a top-level entry that does not exist. */
static void set_pgd_index(void)
{
#ifdef CONFIG_PAE
	hcall2(LHCALL_SET_PGD, kernel_pgt.top_pa & ~0x1Fu, 4);
#else
	hcall2(LHCALL_SET_PGD, kernel_pgt.top_pa, 1024);
#endif
}

#ifdef CONFIG_PAE
/* SET_PMD for entry 512 of a page directory of 512. */
static void set_pmd_index(void)
{
	hcall2(LHCALL_SET_PMD, (u32)kernel_pgt.top[3] & PAGE_MASK, 512);
}

/* PAE entries can name frames above 4 GiB, which no Guest has: at each level. */
#define ABOVE_4G	(1ULL << 32)

static void map_above_4g(void)
{
	pt_set(&kernel_pgt, HOSTILE_VA, ABOVE_4G | PTE_P | PTE_RW);
	(void)*(volatile u32 *)HOSTILE_VA;
}

static void pt_above_4g(void)
{
	pt_set_dir(&kernel_pgt, HOSTILE_VA, ABOVE_4G | PTE_P | PTE_RW);
	(void)*(volatile u32 *)HOSTILE_VA;
}

/* PDPT entry 1 (0x40000000 up) is one we never use. */
static void pd_above_4g(void)
{
	write_pte(&kernel_pgt.top[1], ABOVE_4G | PTE_P);
	hcall2(LHCALL_SET_PGD, kernel_pgt.top_pa & ~0x1Fu, 1);
	(void)*(volatile u32 *)0x40000000u;
}
#else
/* SET_PMD belongs to PAE: a 2-level Guest has no page middle directory. */
static void set_pmd_2level(void)
{
	hcall2(LHCALL_SET_PMD, kernel_pgt.top_pa, 0);
}
#endif

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
	{ "init-twice",		init_twice },
	{ "hcall-3",		hcall_3 },
	{ "hcall-11",		hcall_11 },
	{ "hcall-12",		hcall_12 },
	{ "hcall-17",		hcall_17 },
	{ "hcall-20",		hcall_20 },
	{ "hcall-max",		hcall_max },
	{ "async-bad-call",	async_bad_call },
	{ "async-garbage-status", async_garbage_status },
	{ "shutdown-outside",	shutdown_outside },
	{ "shutdown-unterminated", shutdown_unterminated },
	{ "gdt-ldt",		gdt_ldt },
	{ "tls-call-gate",	tls_call_gate },
	{ "load-tls-straddle",	load_tls_straddle },
	{ "gdt-cs-not-present", gdt_cs_not_present },
	{ "gdt-host-entries",	gdt_host_entries },
	{ "idt-vector-256",	idt_vector_256 },
	{ "idt-call-gate",	idt_call_gate },
	{ "idt-ldt-selector",	idt_ldt_selector },
	{ "idt-null-selector",	idt_null_selector },
	{ "idt-beyond-gdt",	idt_beyond_gdt },
	{ "idt-data-selector",	idt_data_selector },
	{ "idt-hypercall-vector", idt_hypercall_vector },
	{ "double-fault",	double_fault },
	{ "iret-ring0",		iret_ring0 },
	{ "stack-host-ds",	stack_host_ds },
	{ "stack-pages",	stack_pages },
	{ "user-trap-no-stack",	user_trap_no_stack },
	{ "stack-code-segment",	stack_code_segment },
	{ "kernel-trap-no-stack", kernel_trap_no_stack },
	{ "irq-no-handler",	irq_no_handler },
	{ "irq-bad-stack",	irq_bad_stack },
	{ "pgtable-unaligned",	pgtable_unaligned },
	{ "pgtable-at-limit",	pgtable_at_limit },
	{ "pde-beyond-memory",	pde_beyond_memory },
	{ "map-large-page",	map_large_page },
	{ "set-pgd-index",	set_pgd_index },
#ifdef CONFIG_PAE
	{ "set-pmd-index",	set_pmd_index },
	{ "map-above-4g",	map_above_4g },
	{ "pt-above-4g",	pt_above_4g },
	{ "pd-above-4g",	pd_above_4g },
#else
	{ "set-pmd-2level",	set_pmd_2level },
#endif
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
