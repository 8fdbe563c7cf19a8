// SPDX-License-Identifier: GPL-2.0
/*
 * desc.c - descriptor tables and exceptions.
 *
 * The Guest cannot load a GDT or IDT itself: it hands the Host one entry at
 * a time (LOAD_GDT_ENTRY, LOAD_IDT_ENTRY) and the Host builds the real
 * tables.  Every vector we install points at a small stub; all stubs share
 * one entry path that saves the registers, calls do_trap() and returns
 * through lguest_iret (irq.c).
 */
#include "libguest.h"
#include "hcall.h"
#include "desc.h"
#include "processor.h"

#define S(x)		__stringify(x)
#define STUB_SIZE	16

u32 ex_fixup;
struct ex_info last_ex = { .vector = NO_VECTOR };

static trap_handler_t handlers[NR_VECTORS];
static u8 gate_type[NR_VECTORS];

void do_trap(struct ex_regs *regs);

/*> T120
 * One stub per vector, each at trap_stubs + vector * 16.  The CPU (or the
 * Host) pushes an error code for vectors 8, 10-14 and 17 only; the stub
 * pushes a 0 for the others so that every frame has the same shape, then
 * the vector number.  trap_common saves the rest, switches %ds/%es to the
 * kernel's (we may have come from ring 3 with the user's), and calls
 * do_trap() with a pointer to the lot.
 */
asm(
"	.pushsection .text, \"ax\"\n"
"	.balign " S(STUB_SIZE) "\n"
"	.globl trap_stubs\n"
"trap_stubs:\n"
"	.set .Lvec, 0\n"
"	.rept " S(NR_VECTORS) "\n"
"	.balign " S(STUB_SIZE) "\n"
"	.set .Lerr, (.Lvec == 8) | ((.Lvec >= 10) & (.Lvec <= 14)) | (.Lvec == 17)\n"
"	.if .Lerr == 0\n"
"	pushl $0\n"
"	.endif\n"
"	pushl $.Lvec\n"
"	jmp trap_common\n"
"	.set .Lvec, .Lvec + 1\n"
"	.endr\n"
"\n"
"trap_common:\n"
"	cld\n"
"	pushal\n"
"	pushl %ds\n"
"	pushl %es\n"
"	movl $" S(LGUEST_GUEST_DS) ", %eax\n"
"	movl %eax, %ds\n"
"	movl %eax, %es\n"
"	pushl %esp\n"
"	call do_trap\n"
"	addl $4, %esp\n"
"	popl %es\n"
"	popl %ds\n"
"	popal\n"
"	addl $8, %esp\n"
"	jmp lguest_iret\n"
"	.popsection\n"
);

extern const char trap_stubs[];

/*
 * A trap gate does not touch irq_enabled, but a direct trap's frame holds
 * the CPU's real EFLAGS, whose IF is always set while a Guest runs.  Put
 * the virtual flag there instead, so that lguest_iret restores what was
 * really in force.  (Through an interrupt gate the Host has already done
 * this, and cleared irq_enabled since, so those frames are left alone.)
 */
static void fix_saved_if(struct ex_regs *regs)
{
	u32 enabled = READ_ONCE(lguest_data.irq_enabled) & LGUEST_EFLAGS_IF;

	regs->eflags = (regs->eflags & ~LGUEST_EFLAGS_IF) | enabled;
}

static void record(const struct ex_regs *regs)
{
	last_ex.vector = regs->vector;
	last_ex.error_code = regs->error_code;
	last_ex.eip = regs->eip;
	last_ex.cs = regs->cs & 0xFFFF;	/* the upper half of a pushed selector is not defined */
	last_ex.eflags = regs->eflags;
	last_ex.frame = (u32)&regs->eip;
	last_ex.cr2 = regs->vector == PF_VECTOR ? READ_ONCE(lguest_data.cr2) : 0;
	last_ex.count++;
}

static __noreturn void unexpected(const struct ex_regs *regs)
{
	report_info("unexpected exception %u at eip %#x cs %#x: error code %#x, cr2 %#x",
		    regs->vector, regs->eip, regs->cs, regs->error_code,
		    READ_ONCE(lguest_data.cr2));
	report_abort("unexpected exception %u", regs->vector);
}

/*> T125
 * Every exception and interrupt ends up here.  A test may have claimed the
 * vector; if it does not deal with this one, a fault in a user task ends
 * that task, and a fault under ASM_TRY resumes at the fixup label.
 * Anything else is a bug we cannot test past.
 */
void do_trap(struct ex_regs *regs)
{
	unsigned int vector = regs->vector % NR_VECTORS;
	trap_handler_t handler = handlers[vector];

	if (gate_type[vector] == GATE_TRAP)
		fix_saved_if(regs);
	if (vector < LGUEST_IRQ_BASE)
		record(regs);
	if (handler && handler(regs))
		return;
	if (from_user(regs) && user_active)
		user_return(USER_FAULTED);
	if (ex_fixup && !from_user(regs)) {
		regs->eip = ex_fixup;
		ex_fixup = 0;
		return;
	}
	unexpected(regs);
}

trap_handler_t handle_exception(unsigned int vector, trap_handler_t handler)
{
	trap_handler_t old = handlers[vector];

	handlers[vector] = handler;
	return old;
}

/*
 * An i386 gate: the handler's offset split around the flags, selector
 * __KERNEL_CS (0x60).  The Host keeps only offset, present bit, DPL and
 * type, and runs the handler in ring 1 whatever RPL we give.  The DPL
 * decides who may reach the gate with a software "int": 3 for int3, into
 * and the system call, 0 for the rest.
 */
void set_gate(unsigned int vector, unsigned int type, unsigned int dpl)
{
	u32 handler = (u32)trap_stubs + vector * STUB_SIZE;
	u32 lo = (u32)(LGUEST_GUEST_CS & ~3) << 16 | (handler & 0xFFFF);
	u32 hi = (handler & 0xFFFF0000) | 0x8000 | dpl << 13 | type << 8;

	gate_type[vector] = type;
	hcall3(LHCALL_LOAD_IDT_ENTRY, vector, lo, hi);
}

/*
 * The vectors we install at boot.  Trap gates for the exceptions, so that
 * the Host can let the CPU deliver them straight to us; an interrupt gate
 * for the page fault, like a Linux Guest, so that nothing can overwrite
 * lguest_data.cr2 before the handler has read it.  Vectors 2, 8, 15 and
 * 0x1F are the Host's; vector 0x20, the timer, is the timer test's.
 */
static const struct {
	u8 vector, type, dpl;
} boot_gates[] = {
	{ DE_VECTOR,	GATE_TRAP, 0 },
	{ 1,		GATE_TRAP, 0 },
	{ BP_VECTOR,	GATE_TRAP, 3 },
	{ OF_VECTOR,	GATE_TRAP, 3 },
	{ 5,		GATE_TRAP, 0 },
	{ UD_VECTOR,	GATE_TRAP, 0 },
	{ NM_VECTOR,	GATE_TRAP, 0 },	/* the Host always sees #NM first */
	{ 10,		GATE_TRAP, 0 },
	{ 11,		GATE_TRAP, 0 },
	{ 12,		GATE_TRAP, 0 },
	{ GP_VECTOR,	GATE_TRAP, 0 },
	{ PF_VECTOR,	GATE_INTR, 0 },
	{ 16,		GATE_TRAP, 0 },
	{ 17,		GATE_TRAP, 0 },
	{ 19,		GATE_TRAP, 0 },
	{ SYSCALL_VECTOR, GATE_TRAP, 3 },
};

void idt_setup(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(boot_gates); i++)
		set_gate(boot_gates[i].vector, boot_gates[i].type, boot_gates[i].dpl);
}

/*
 * Flat 4 GiB segments, the values a Linux Guest loads: kernel code and data
 * with DPL 0 (the Host makes them DPL 1, since the kernel runs in ring 1),
 * user code and data with DPL 3.  Every other entry is empty.
 */
#define SEG_LO_FLAT		0x0000FFFF
#define SEG_HI_KERNEL_CODE	0x00CF9A00
#define SEG_HI_KERNEL_DATA	0x00CF9200
#define SEG_HI_USER_CODE	0x00CFFA00
#define SEG_HI_USER_DATA	0x00CFF200

void gdt_setup(void)
{
	unsigned int i;
	u32 hi;

	/* Like a Linux Guest's switch_to_new_gdt(): all 32, in order. */
	for (i = 0; i < LGUEST_GDT_ENTRIES; i++) {
		switch (i) {
		case GDT_KERNEL_CS:
			hi = SEG_HI_KERNEL_CODE;
			break;
		case GDT_KERNEL_DS:
			hi = SEG_HI_KERNEL_DATA;
			break;
		case GDT_USER_CS:
			hi = SEG_HI_USER_CODE;
			break;
		case GDT_USER_DS:
			hi = SEG_HI_USER_DATA;
			break;
		default:
			hi = 0;
		}
		hcall3(LHCALL_LOAD_GDT_ENTRY, i, hi ? SEG_LO_FLAT : 0, hi);
	}
}

/*
 * One memory access under ASM_TRY.  "faulted" is cleared only by the
 * instruction after the access, so it stays 1 when a fault sent us to the
 * label instead (a handler that fixes the fault and retries still clears it).
 */
bool probe_read(u32 addr, u32 *val)
{
	u32 faulted = 1, v = 0;

	ex_reset();
	asm volatile(ASM_TRY("1f")
		     "movl (%2), %1\n\t"
		     "movl $0, %0\n"
		     "1:"
		     : "+r"(faulted), "+r"(v) : "r"(addr) : "memory");
	ex_done();
	*val = v;
	return !faulted;
}

bool probe_write(u32 addr, u32 val)
{
	u32 faulted = 1;

	ex_reset();
	asm volatile(ASM_TRY("1f")
		     "movl %2, (%1)\n\t"
		     "movl $0, %0\n"
		     "1:"
		     : "+r"(faulted) : "r"(addr), "r"(val) : "memory");
	ex_done();
	return !faulted;
}
