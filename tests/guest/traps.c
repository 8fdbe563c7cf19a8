// SPDX-License-Identifier: GPL-2.0
/*
 * traps.c - exceptions reach the Guest's own handlers.  Vectors 0, 3, 4
 * and 6 are trap gates the Host may hand to the CPU directly; 1 and 13
 * always go through the Host.  Each check provokes one exception under ASM_TRY
 * and compares the recorded vector and EIP with the labels around the
 * faulting instruction: a fault reports the instruction itself, a trap the
 * one after it.
 */
#include "lib/libguest.h"
#include "lib/desc.h"
#include "lib/processor.h"
#include "tests.h"

#define EMPTY_ENTRY	20	/* a GDT entry we leave empty */

static void test_divide_error(void)
{
	u32 at = 0, eax = 1, edx = 0;

	ex_reset();
	asm volatile(ASM_TRY("2f")
		     "1: divl %[zero]\n\t"
		     "2: movl $1b, %[at]\n\t"
		     : [at] "=r"(at), "+a"(eax), "+d"(edx)
		     : [zero] "r"(0)
		     : "memory");
	ex_done();
	report(last_ex.vector == DE_VECTOR, "a divide error arrives at vector 0");
	report(last_ex.eip == at, "its EIP is the div instruction");
	report(last_ex.cs == LGUEST_GUEST_CS, "its frame holds the ring-1 CS 0x61");
}

static void test_breakpoint(void)
{
	u32 after = 0;

	ex_reset();
	asm volatile(ASM_TRY("1f")
		     "int3\n"
		     "1: movl $1b, %0\n\t"
		     : "=r"(after) : : "memory");
	ex_done();
	report(last_ex.vector == BP_VECTOR, "int3 arrives at vector 3");
	report(last_ex.eip == after, "its EIP is the instruction after int3");
}

/*
 * TF, set by popf, takes effect after the instruction that follows: the CPU
 * runs that one, then raises #DB (vector 1), a trap, with the EIP after
 * it and TF still set in the saved flags.  Our handler clears TF, or we
 * would step on through the fixup.  Every #DB goes through the Host, which
 * wipes what the step left in the CPU's DR6 (run.c); the devtest program
 * checks that from the Host side.
 */
#define EFLAGS_TF	0x100
#define DR6_BS		0x4000
#define NO_SUCH_PORT	0x300	/* nothing answers there: the Launcher reads all-ones */

static u32 dr6_in_handler;

static bool stop_stepping(struct ex_regs *regs)
{
	u32 dr6;

	/* What a #DB handler does first, here with the plain mov (debugreg.c). */
	asm volatile("movl %%db6, %0" : "=r"(dr6));
	dr6_in_handler = dr6;
	regs->eflags &= ~EFLAGS_TF;
	return false;		/* and on to the fixup */
}

static void test_single_step(void)
{
	trap_handler_t old = handle_exception(1, stop_stepping);
	u32 after = 0, count;

	ex_reset();
	count = last_ex.count;
	asm volatile(ASM_TRY("1f")
		     "pushfl\n\t"
		     "orl $0x100, (%%esp)\n\t"
		     "popfl\n\t"
		     "nop\n"
		     "1: movl $1b, %0\n\t"
		     : "=r"(after) : : "cc", "memory");
	ex_done();
	handle_exception(1, old);
	report(last_ex.vector == 1 && last_ex.eip == after,
	       "a single step arrives at vector 1, after the instruction that follows popf (vector %d, eip %#x, want %#x)",
	       (int)last_ex.vector, last_ex.eip, after);
	report(last_ex.count == count + 1 && (last_ex.eflags & EFLAGS_TF),
	       "once, with TF in its saved flags (%u exceptions, flags %#x)",
	       last_ex.count - count, last_ex.eflags);
	report(dr6_in_handler == (0xffff0ff0 | DR6_BS),
	       "its handler reads DR6 with a mov, and it says single step (BS) and nothing else (%#x)",
	       dr6_in_handler);
}

/*
 * A single step over an instruction the Host carries out for us traps
 * right after it, as over any other: whoever carries it out delivers the
 * #DB the CPU would have raised.  lg.ko carries out debug-register moves
 * and the port writes the Launcher lets it hold; the Launcher an in from
 * a port.  The instruction gets %eax and %edx = @port.
 */
#define STEP_OVER(after, scratch, port, insn)			\
	asm volatile(ASM_TRY("1f")				\
		     "pushfl\n\t"				\
		     "orl $0x100, (%%esp)\n\t"		\
		     "popfl\n\t"				\
		     insn "\n"					\
		     "1: nop\n\t"				\
		     "movl $1b, %0\n\t"			\
		     : "=r"(after), "+a"(scratch) : "d"(port) : "cc", "memory")

enum emulated { MOV_FROM_DR7, HELD_OUT, LAUNCHER_IN };

static void test_step_over(enum emulated what)
{
	static const char *const names[] = {
		[MOV_FROM_DR7] = "an emulated mov from DR7",
		[HELD_OUT] = "an out to 0xCF8 (held by lg.ko)",
		[LAUNCHER_IN] = "an in the Launcher emulates",
	};
	trap_handler_t old = handle_exception(1, stop_stepping);
	u32 after = 0, scratch = 0, count;

	ex_reset();
	count = last_ex.count;
	dr6_in_handler = 0;
	switch (what) {
	case MOV_FROM_DR7:
		STEP_OVER(after, scratch, 0, "movl %%db7, %%eax");
		break;
	case HELD_OUT:
		STEP_OVER(after, scratch, LGUEST_PCI_CONFIG_ADDR, "outl %%eax, %%dx");
		break;
	case LAUNCHER_IN:
		STEP_OVER(after, scratch, NO_SUCH_PORT, "inb %%dx, %%al");
		break;
	}
	ex_done();
	handle_exception(1, old);
	report(last_ex.vector == 1 && last_ex.eip == after && last_ex.count == count + 1,
	       "a single step over %s traps once, right after it (vector %d, eip %#x, want %#x, %u exceptions)",
	       names[what], (int)last_ex.vector, last_ex.eip, after, last_ex.count - count);
	report(dr6_in_handler == (0xffff0ff0 | DR6_BS),
	       "and DR6 says single step (%#x)", dr6_in_handler);
}

/*
 * The other debug registers, as the Host emulates them: no breakpoints
 * (DR0-DR3 read 0, DR7 its reset value 0x400), writes accepted and without
 * effect but for DR6's BD, BS and BT (B0-B3 would name the Host's own
 * breakpoints, so they read 0).  DR4 and DR5 are DR6 and
 * DR7 under other names, as with CR4.DE clear.  No move may fault.
 */
static void test_debug_registers(void)
{
	u32 dr0 = 1, dr3 = 1, dr7 = 0, dr5 = 0, dr6 = 0, dr4 = 0;

	ex_reset();
	asm volatile(ASM_TRY("1f")
		     "movl %%db0, %0\n\t"
		     "movl %%db3, %1\n\t"
		     "movl %%db7, %2\n\t"
		     "movl %%eax, %%db7\n\t"
		     "movl %%eax, %%db0\n\t"
		     "movl %%db5, %3\n\t"
		     "movl %%eax, %%db6\n\t"
		     "movl %%db6, %4\n\t"
		     "movl %%db4, %5\n"
		     "1:\n\t"
		     : "+r"(dr0), "+r"(dr3), "+r"(dr7), "+r"(dr5), "+r"(dr6), "+r"(dr4)
		     : "a"(0xffffffff) : "memory");
	ex_done();
	report(last_ex.vector == NO_VECTOR, "moves to and from DR0-DR7 do not fault (vector %d at %#x)",
	       (int)last_ex.vector, last_ex.eip);
	report(dr0 == 0 && dr3 == 0 && dr7 == 0x400 && dr5 == 0x400,
	       "DR0 and DR3 read 0, DR7 and DR5 0x400, after writes to DR0 and DR7 (%#x %#x %#x %#x)",
	       dr0, dr3, dr7, dr5);
	report(dr6 == 0xffffeff0 && dr4 == dr6,
	       "DR6 (and DR4) read back the BD, BS and BT bits written, not B0-B3 (%#x, %#x)",
	       dr6, dr4);
	asm volatile("movl %0, %%db6" : : "r"(0) : "memory");
}

/* "into" traps when the overflow flag is set, which 0x7fffffff + 1 does. */
static void test_overflow(void)
{
	u32 after = 0;

	ex_reset();
	asm volatile(ASM_TRY("1f")
		     "movl $0x7fffffff, %%eax\n\t"
		     "addl $1, %%eax\n\t"
		     "into\n"
		     "1: movl $1b, %0\n\t"
		     : "=r"(after) : : "eax", "cc", "memory");
	ex_done();
	report(last_ex.vector == OF_VECTOR && last_ex.eip == after,
	       "into with OF set arrives at vector 4, after the instruction");
}

static void test_invalid_opcode(void)
{
	u32 at = 0;

	ex_reset();
	asm volatile(ASM_TRY("2f")
		     "1: ud2\n"
		     "2: movl $1b, %0\n\t"
		     : "=r"(at) : : "memory");
	ex_done();
	report(last_ex.vector == UD_VECTOR && last_ex.eip == at,
	       "ud2 arrives at vector 6, at the instruction");
}

/*
 * Loading %fs with an empty GDT entry is a #GP whose error code is the
 * selector.  Only a #GP with error code 0 is the Launcher's (port I/O);
 * this one the Host must reflect to us.
 */
static void test_general_protection(void)
{
	u32 sel = EMPTY_ENTRY << 3 | 1, at = 0;
	u16 fs_before = read_fs();

	ex_reset();
	asm volatile(ASM_TRY("2f")
		     "1: movl %1, %%fs\n"
		     "2: movl $1b, %0\n\t"
		     : "=&r"(at) : "r"(sel) : "memory");
	ex_done();
	report(last_ex.vector == GP_VECTOR && last_ex.eip == at &&
	       last_ex.error_code == (EMPTY_ENTRY << 3) && read_fs() == fs_before,
	       "a bad segment load arrives at vector 13 with the selector as error code");
}

/*
 * "int $N" aimed at a vector that belongs to the Host (NMI, #DF, #PF, which
 * would run without the error code they expect, and hardware interrupt
 * vectors such as the local APIC timer's 0xec and the reschedule IPI's 0xfd)
 * must not reach any handler: the Host's gates for them have privilege
 * level 0, so the CPU raises #GP with the IDT entry as error code instead.
 */
#define TRY_INT(vec, at)						\
	do {								\
		ex_reset();						\
		asm volatile(ASM_TRY("2f")				\
			     "1: int $" #vec "\n"			\
			     "2: movl $1b, %0\n\t"			\
			     : "=r"(at) : : "memory");			\
		ex_done();						\
	} while (0)

static bool gp_for_vector(u32 vector, u32 at)
{
	bool ok = last_ex.vector == GP_VECTOR && last_ex.eip == at &&
		  last_ex.error_code == (vector << 3 | 2);

	if (!ok)
		report_info("int $%#x: vector %d, error code %#x", vector,
			    (int)last_ex.vector, last_ex.error_code);
	return ok;
}

static void test_host_vectors(void)
{
	u32 at = 0;
	bool ok = true;

	TRY_INT(0x02, at);
	ok &= gp_for_vector(0x02, at);
	TRY_INT(0x08, at);
	ok &= gp_for_vector(0x08, at);
	TRY_INT(0x0e, at);
	ok &= gp_for_vector(0x0e, at);
	TRY_INT(0x40, at);
	ok &= gp_for_vector(0x40, at);
	TRY_INT(0xec, at);
	ok &= gp_for_vector(0xec, at);
	TRY_INT(0xfd, at);
	ok &= gp_for_vector(0xfd, at);
	report(ok, "int $N for the Host's vectors (2, 8, 14, 0x40, 0xec, 0xfd) raises #GP");
}

void test_traps(void)
{
	test_divide_error();
	test_breakpoint();
	test_single_step();
	test_debug_registers();
	test_step_over(MOV_FROM_DR7);
	test_step_over(HELD_OUT);
	test_step_over(LAUNCHER_IN);
	test_overflow();
	test_invalid_opcode();
	test_general_protection();
	test_host_vectors();
}
