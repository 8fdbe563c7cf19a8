// SPDX-License-Identifier: GPL-2.0
/*
 * user.c - a task in ring 3.  It makes 1000 "int $0x80" system calls,
 * which must reach our handler straight through the Guest's own DPL 3 trap
 * gate (the VM harness checks from the Host's counters that vector 0x80
 * never exits to the Host), and it touches kernel pages, which must fault.
 * It also tries "sysenter", which on real hardware would enter the Host
 * kernel's own entry point, and a hypercall: the Host must make both
 * fault instead.
 */
#include "lib/libguest.h"
#include "lib/desc.h"
#include "lib/mmu.h"
#include "tests.h"

#define S(x)		__stringify(x)
#define SYSCALLS	1000
#define SYS_EXIT	0
#define SYS_COUNT	1

/*> T160
 * The user code, position independent, in a page of its own (guest.lds)
 * that we map a second time at USER_CODE_VA with the user bit set.  %eax
 * carries an argument in; "int $0x80" with %eax = 0 ends the task, so a
 * task that gets past an access that should have faulted just exits, and
 * the test sees that.
 */
asm(
"	.pushsection .user_text, \"ax\"\n"
"user_syscalls:\n"
"	movl $" S(SYSCALLS) ", %esi\n"
"1:	movl $" S(SYS_COUNT) ", %eax\n"
"	int $" S(SYSCALL_VECTOR) "\n"
"	decl %esi\n"
"	jnz 1b\n"
"	movl $" S(SYS_EXIT) ", %eax\n"
"	int $" S(SYSCALL_VECTOR) "\n"
"	ud2\n"
"user_read:\n"
"	movl (%eax), %ebx\n"
"	movl $" S(SYS_EXIT) ", %eax\n"
"	int $" S(SYSCALL_VECTOR) "\n"
"	ud2\n"
"user_sysenter:\n"
"	sysenter\n"
"	movl $" S(SYS_EXIT) ", %eax\n"
"	int $" S(SYSCALL_VECTOR) "\n"
"	ud2\n"
"user_write:\n"
"	movl %eax, (%eax)\n"
"	movl $" S(SYS_EXIT) ", %eax\n"
"	int $" S(SYSCALL_VECTOR) "\n"
"	ud2\n"
"user_hypercall:\n"
"	movl $" S(LHCALL_SHUTDOWN) ", %eax\n"
"	xorl %ebx, %ebx\n"
"	movl $" S(LGUEST_SHUTDOWN_POWEROFF) ", %ecx\n"
"	int $" S(LGUEST_TRAP_ENTRY) "\n"
"	movl $" S(SYS_EXIT) ", %eax\n"
"	int $" S(SYSCALL_VECTOR) "\n"
"	ud2\n"
"	.popsection\n"
);

extern const char __user_text_start[], user_syscalls[], user_read[], user_write[];
extern const char user_sysenter[], user_hypercall[];

/* What the system call handler saw. */
static struct {
	u32 count;
	u32 cs, ss, frame;
} sys;

static bool sys_handler(struct ex_regs *regs)
{
	if (!from_user(regs))
		return false;
	sys.cs = regs->cs & 0xFFFF;	/* the upper half of a pushed selector is not defined */
	sys.ss = regs->user_ss & 0xFFFF;
	sys.frame = (u32)&regs->eip;
	switch (regs->eax) {
	case SYS_COUNT:
		regs->eax = ++sys.count;
		return true;
	case SYS_EXIT:
		user_return(USER_EXITED);
	default:
		user_return(USER_BAD_SYSCALL);
	}
}

static u32 user_va(const char *fn)
{
	return USER_CODE_VA + (u32)(fn - __user_text_start);
}

/* The word a user task pokes at: a kernel page the kernel just touched. */
static volatile u32 kernel_word;

static u32 run(const char *fn, u32 eax)
{
	kernel_word = 0x4B45524E;
	return user_run(user_va(fn), USER_STACK_VA + PAGE_SIZE, eax);
}

static void test_syscalls(void)
{
	/* The frame sits at the top of the SET_STACK stack: ss, esp, eflags, cs, eip. */
	u32 frame = (u32)ring1_stack + RING1_STACK_SIZE - 5 * 4;
	u32 how = run(user_syscalls, 0);

	report(how == USER_EXITED && sys.count == SYSCALLS,
	       "1000 int $0x80 calls from ring 3 reach the Guest's handler");
	report(sys.cs == LGUEST_USER_CS && sys.ss == LGUEST_USER_DS,
	       "the system call frame holds the user CS 0x73 and SS 0x7b");
	report(sys.frame == frame, "traps from ring 3 land on the SET_STACK stack");
	if (how != USER_EXITED || sys.count != SYSCALLS)
		report_info("task ended %u after %u calls, vector %d", how, sys.count,
			    (int)last_ex.vector);
}

/*
 * The Switcher delivers a fault our tables forbid itself, onto the
 * SET_STACK stack (escape.c says how we tell, and why we try a few times).
 */
static bool fault_from_user_went_fast(u32 va)
{
	unsigned int i;

	/*
	 * Our boot page tables were built before paging and never read
	 * through our kernel map since, so the Host has not shadowed that
	 * view of them, and a page table the Switcher cannot read sends the
	 * fault home (escape.c checks that).  A read of the entry fixes it.
	 */
	(void)READ_ONCE(*pt_lookup(&kernel_pgt, va, false));
	for (i = 0; i < 8; i++) {
		fast_pf_forget();
		if (run(user_read, va) == USER_FAULTED && last_ex.cr2 == va &&
		    fast_pf_delivered(va))
			return true;
	}
	return false;
}

/* User access to a kernel page: present, user, and write for a write. */
static void test_kernel_access(void)
{
	u32 frame = (u32)ring1_stack + RING1_STACK_SIZE - 5 * 4;
	u32 va = (u32)&kernel_word, how;

	ex_reset();
	how = run(user_read, va);
	report(how == USER_FAULTED && last_ex.vector == PF_VECTOR &&
	       last_ex.error_code == (PF_PRESENT | PF_USER) && last_ex.cr2 == va,
	       "a ring-3 read of a kernel page faults with error code 5");
	report(how == USER_FAULTED && last_ex.frame == frame,
	       "the fault from ring 3 lands on the SET_STACK stack");

	report(fault_from_user_went_fast(va),
	       "...and reaches our handler from the Switcher, without a Host exit");

	ex_reset();
	how = run(user_write, va);
	report(how == USER_FAULTED && last_ex.vector == PF_VECTOR &&
	       last_ex.error_code == (PF_PRESENT | PF_WRITE | PF_USER) && last_ex.cr2 == va,
	       "a ring-3 write of a kernel page faults with error code 7");
	if (how != USER_FAULTED || last_ex.error_code != (PF_PRESENT | PF_WRITE | PF_USER))
		report_info("task ended %u; last exception %d, error code %#x, cr2 %#x",
			    how, (int)last_ex.vector, last_ex.error_code, last_ex.cr2);
}

/*
 * "sysenter" loads the Host's kernel code segment and entry point from MSRs
 * the Guest cannot see.  While a Guest runs the Host zeroes SYSENTER_CS,
 * which turns the instruction into a #GP with error code 0 in ring 3: an
 * ordinary fault, reflected to us like any other.
 */
static void test_sysenter(void)
{
	u32 how;

	ex_reset();
	how = run(user_sysenter, 0);
	report(how == USER_FAULTED && last_ex.vector == GP_VECTOR &&
	       last_ex.error_code == 0,
	       "sysenter from ring 3 raises #GP(0) in the Guest");
	if (how != USER_FAULTED || last_ex.vector != GP_VECTOR)
		report_info("task ended %u; last exception %d, error code %#x",
			    how, (int)last_ex.vector, last_ex.error_code);
}

/*
 * Hypercalls are the kernel's: gate 0x1f has DPL 1, so "int $0x1f" from
 * ring 3 is a #GP naming that gate (error code 0x1f * 8 + 2), reflected to
 * us.  Here the call is SHUTDOWN: had the Host taken it, we would be gone.
 */
static void test_hypercall(void)
{
	u32 how;

	ex_reset();
	how = run(user_hypercall, 0);
	report(how == USER_FAULTED && last_ex.vector == GP_VECTOR &&
	       last_ex.error_code == (LGUEST_TRAP_ENTRY << 3 | 2),
	       "a hypercall from ring 3 raises #GP(0xfa) in the Guest, and is not made");
	if (how != USER_FAULTED || last_ex.vector != GP_VECTOR)
		report_info("task ended %u; last exception %d, error code %#x",
			    how, (int)last_ex.vector, last_ex.error_code);
}

void test_user(void)
{
	trap_handler_t old = handle_exception(SYSCALL_VECTOR, sys_handler);

	pt_map(&kernel_pgt, USER_CODE_VA, __pa(__user_text_start), PTE_P | PTE_U);
	pt_map(&kernel_pgt, USER_STACK_VA, page_pa(alloc_page()), PTE_P | PTE_RW | PTE_U);
	test_syscalls();
	test_kernel_access();
	test_sysenter();
	test_hypercall();
	handle_exception(SYSCALL_VECTOR, old);
}
