// SPDX-License-Identifier: GPL-2.0
/*
 * irq.c - turning virtual interrupts on and off, and the iret path.
 */
#include "libguest.h"
#include "hcall.h"
#include "irq.h"

#define S(x)	__stringify(x)

/*> T130
 * Every handler returns through here, with the i386 frame (eip, cs, eflags
 * and, for ring 3, esp, ss) on top of the stack.  Before the iret we copy
 * the frame's IF into irq_enabled, because the iret itself cannot: at ring
 * 1 the CPU ignores IF in a popped EFLAGS.
 *
 * The copy is a push of the saved eflags, an "and" that keeps only IF, and
 * a pop straight into irq_enabled, so the store is the very last thing
 * before the iret.  Once interrupts are on, the Host may deliver one right
 * at the iret; it knows that address (lguest_data.noirq_iret) and reuses
 * the frame we were about to pop instead of stacking a new one on top.
 *
 * The store goes through %ss: by now %ds may already be the user's.
 * (push with an %esp-based operand reads it before %esp moves, so 8(%esp)
 * is the saved eflags.)
 */
asm(
"	.pushsection .text, \"ax\"\n"
"	.globl lguest_iret\n"
"	.type lguest_iret, @function\n"
"lguest_iret:\n"
"	pushl 8(%esp)\n"
"	andl $" S(LGUEST_EFLAGS_IF) ", (%esp)\n"
"	popl %ss:lguest_data\n"
"	.globl lguest_noirq_iret\n"
"lguest_noirq_iret:\n"
"	iret\n"
"	.size lguest_iret, . - lguest_iret\n"
"	.popsection\n"
);

void irq_disable(void)
{
	WRITE_ONCE(lguest_data.irq_enabled, 0);
	barrier();
}

/*
 * The Host may have had an interrupt for us while they were off: it says
 * so in irq_pending, and a hypercall (any; SEND_INTERRUPTS does nothing
 * else) gives it the chance to deliver.
 */
void irq_enable(void)
{
	barrier();
	WRITE_ONCE(lguest_data.irq_enabled, LGUEST_EFLAGS_IF);
	barrier();
	if (READ_ONCE(lguest_data.irq_pending))
		hcall0(LHCALL_SEND_INTERRUPTS);
}

void irq_unmask(unsigned int irq)
{
	WRITE_ONCE(lguest_data.blocked_interrupts[0],
		   lguest_data.blocked_interrupts[0] & ~(1u << irq));
}

void irq_mask(unsigned int irq)
{
	WRITE_ONCE(lguest_data.blocked_interrupts[0],
		   lguest_data.blocked_interrupts[0] | 1u << irq);
}
