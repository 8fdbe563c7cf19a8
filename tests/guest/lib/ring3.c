// SPDX-License-Identifier: GPL-2.0
/*
 * ring3.c - running a piece of code in user mode (ring 3) and getting back.
 */
#include "libguest.h"
#include "desc.h"
#include "irq.h"

#define S(x)	__stringify(x)

bool user_active;
u32 user_kernel_esp;	/* named by the assembly below */

u32 run_user(u32 eip, u32 esp, u32 eax);

/*> T150
 * run_user(eip, esp, eax) saves the callee-saved registers and the stack
 * pointer, then "returns" to ring 3 through lguest_iret with a frame it
 * built: user code and stack selectors, IF set (user mode always runs with
 * interrupts on), and the user's %ds/%es loaded.  It comes back, with the
 * value passed to user_return(), only when a trap handler calls that.
 *
 * user_return() runs on the SET_STACK stack, where the trap from ring 3
 * put us; it simply abandons that frame and resumes the kernel stack that
 * run_user() saved.
 */
asm(
"	.pushsection .text, \"ax\"\n"
"	.globl run_user\n"
"	.type run_user, @function\n"
"run_user:\n"
"	pushl %ebp\n"
"	pushl %ebx\n"
"	pushl %esi\n"
"	pushl %edi\n"
"	movl %esp, user_kernel_esp\n"
"	movl 20(%esp), %ecx\n"
"	movl 24(%esp), %edx\n"
"	movl 28(%esp), %eax\n"
"	pushl $" S(LGUEST_USER_DS) "\n"
"	pushl %edx\n"
"	pushl $(" S(LGUEST_EFLAGS_IF) " | 2)\n"
"	pushl $" S(LGUEST_USER_CS) "\n"
"	pushl %ecx\n"
"	movl $" S(LGUEST_USER_DS) ", %ebx\n"
"	movl %ebx, %ds\n"
"	movl %ebx, %es\n"
"	jmp lguest_iret\n"
"	.size run_user, . - run_user\n"
"\n"
"	.globl user_return\n"
"	.type user_return, @function\n"
"user_return:\n"
"	movl 4(%esp), %eax\n"
"	movl $" S(LGUEST_GUEST_DS) ", %edx\n"
"	movl %edx, %ds\n"
"	movl %edx, %es\n"
"	movl user_kernel_esp, %esp\n"
"	popl %edi\n"
"	popl %esi\n"
"	popl %ebx\n"
"	popl %ebp\n"
"	ret\n"
"	.size user_return, . - user_return\n"
"	.popsection\n"
);

/*
 * The kernel's own interrupt state is not the user's: whatever the trap
 * that ended the task left in irq_enabled, we put back what we had.
 */
u32 user_run(u32 eip, u32 esp, u32 eax)
{
	u32 enabled = irq_enabled();
	u32 how;

	WRITE_ONCE(user_active, true);
	how = run_user(eip, esp, eax);
	WRITE_ONCE(user_active, false);
	WRITE_ONCE(lguest_data.irq_enabled, enabled);
	return how;
}
