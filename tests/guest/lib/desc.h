/* SPDX-License-Identifier: GPL-2.0 */
/*
 * desc.h - the GDT and IDT as the Guest asks for them (by hypercall), the
 * trap frame our handlers see, and ASM_TRY, which lets a test provoke an
 * exception and carry on at a label of its choice.
 */
#ifndef DESC_H
#define DESC_H

#include "libguest.h"

#define SYSCALL_VECTOR		0x80	/* what we put in lguest_data.syscall_vec */
#define NR_VECTORS		256

/* Gate types: an interrupt gate makes the Host clear irq_enabled on entry. */
#define GATE_INTR		0xE
#define GATE_TRAP		0xF

/* Exception vectors the tests name. */
#define DE_VECTOR		0
#define BP_VECTOR		3
#define OF_VECTOR		4
#define UD_VECTOR		6
#define NM_VECTOR		7
#define GP_VECTOR		13
#define PF_VECTOR		14

/* Page-fault error code bits. */
#define PF_PRESENT		0x1
#define PF_WRITE		0x2
#define PF_USER			0x4

/*
 * What the common entry code leaves on the stack, lowest address first:
 * the segment registers and pushal it saved, the vector and error code the
 * stub pushed (0 where the CPU or Host pushes none), then the i386 frame:
 * eip, cs, eflags, and esp/ss only when we came from ring 3.
 */
struct ex_regs {
	u32 es, ds;
	u32 edi, esi, ebp, esp_at_pushal, ebx, edx, ecx, eax;
	u32 vector, error_code;
	u32 eip, cs, eflags;
	u32 user_esp, user_ss;
};

static inline bool from_user(const struct ex_regs *regs)
{
	return SEL_RPL(regs->cs) == 3;
}

/*
 * A test's handler for one vector.  It returns true when it dealt with the
 * exception; false hands it on to the default treatment (ASM_TRY fixup,
 * ending a user task, or giving up with "Bail out!").
 */
typedef bool (*trap_handler_t)(struct ex_regs *regs);

/* The last exception any handler saw, for the tests to inspect. */
struct ex_info {
	u32 vector, error_code, eip, cs, eflags, cr2;
	u32 frame;		/* address of the saved eip: where the frame sits */
	u32 count;		/* exceptions and interrupts seen so far */
};
extern struct ex_info last_ex;
#define NO_VECTOR		0xFFFFFFFFu

/*
 * ASM_TRY(label) arms a one-shot fixup: if the next instruction faults or
 * traps, the handler records it in last_ex and resumes at label instead.
 * Use ex_reset() before and ex_done() after, so a fixup that did not fire
 * cannot catch some later, unrelated fault.
 */
extern u32 ex_fixup;
#define ASM_TRY(label)		"movl $" label ", ex_fixup\n\t"

static inline void ex_reset(void)
{
	WRITE_ONCE(last_ex.vector, NO_VECTOR);
	WRITE_ONCE(last_ex.error_code, 0);
	WRITE_ONCE(last_ex.cr2, 0);
}

static inline void ex_done(void)
{
	WRITE_ONCE(ex_fixup, 0);
	barrier();
}

void gdt_setup(void);
void idt_setup(void);
void set_gate(unsigned int vector, unsigned int type, unsigned int dpl);
trap_handler_t handle_exception(unsigned int vector, trap_handler_t handler);

/* A read or write that may fault; true when it completed. */
bool probe_read(u32 addr, u32 *val);
bool probe_write(u32 addr, u32 val);

/* setup.c: the stack SET_STACK names for traps from ring 3. */
#define RING1_STACK_SIZE	(2 * PAGE_SIZE)
extern u8 ring1_stack[RING1_STACK_SIZE];

/* ring3.c: run code in ring 3 until a handler calls user_return(). */
enum user_end { USER_EXITED = 1, USER_FAULTED, USER_BAD_SYSCALL };
extern bool user_active;
u32 user_run(u32 eip, u32 esp, u32 eax);
__noreturn void user_return(u32 how);

#endif /* DESC_H */
