// SPDX-License-Identifier: GPL-2.0
/*
 * The FPU.  Our CR0.TS lives with the Host (the TS hypercall): with it set,
 * the first x87 instruction must raise #NM in us, exactly as on hardware.
 * With it clear, x87 state is ours alone: the Host keeps it in the Guest's
 * own FPU save area, so nothing the Host, the Launcher or another Guest
 * does in between may change it.
 */
#include "lib/libguest.h"
#include "lib/hcall.h"
#include "lib/desc.h"
#include "lib/irq.h"
#include "lib/processor.h"
#include "tests.h"

static void test_ts(void)
{
	u32 at = 0;

	hcall1(LHCALL_TS, 1);
	ex_reset();
	asm volatile(ASM_TRY("2f")
		     "1: fninit\n"
		     "2: movl $1b, %0\n\t"
		     : "=r"(at) : : "memory");
	ex_done();
	report(last_ex.vector == NM_VECTOR && last_ex.eip == at,
	       "with TS set, an x87 instruction raises #NM at vector 7");

	hcall1(LHCALL_TS, 0);
	ex_reset();
	asm volatile("fninit" : : : "memory");
	ex_done();
	report(last_ex.vector == NO_VECTOR, "with TS clear, it runs");
}

/*
 * Load a value only this Guest has (the nanoseconds of its boot time) into
 * the x87 stack, leave through 200 hypercalls, during which the Host may
 * run anything (the VM tests run three Guests at once), and read it back.
 * A few of those exits are sleeps: a clock event a few milliseconds out,
 * then HALT until it fires.  Meanwhile the Host really runs something else
 * on our CPU (the VM test puts a process that fills the FPU with its own
 * values there), so our registers survive only if the Host saved them.  A
 * few more are port reads, which the Launcher answers: it is a program of
 * its own, free to use the FPU (the VM test runs one that does), so our
 * registers must not be the ones its process sees.
 *
 * We HALT with interrupts off, as a Linux Guest idles: if the timer beats
 * us to it, the Host sees it pending and does not sleep, and either way it
 * turns interrupts on and delivers the tick before HALT returns.  The tick
 * handler and the entry path use no x87 or SSE instruction.
 */
#define FPU_EXITS	200
#define FPU_SLEEPS	4
#define FPU_TRIPS	4	/* to the Launcher and back */
#define FPU_SLEEP_NS	3000000
#define TIMER_VECTOR	(LGUEST_IRQ_BASE + LGUEST_TIMER_IRQ)

static u32 fpu_ticks;

static bool fpu_tick(struct ex_regs *regs)
{
	(void)regs;
	WRITE_ONCE(fpu_ticks, fpu_ticks + 1);
	return true;
}

static void sleep_in_host(void)
{
	irq_disable();
	hcall1(LHCALL_SET_CLOCKEVENT, FPU_SLEEP_NS);
	hcall0(LHCALL_HALT);
	irq_disable();
}

static void test_state_survives(void)
{
	s32 mine = lguest_data.time.tv_nsec | 1, back = 0;
	trap_handler_t old = handle_exception(TIMER_VECTOR, fpu_tick);
	unsigned int i;

	set_gate(TIMER_VECTOR, GATE_INTR, 0);
	irq_unmask(LGUEST_TIMER_IRQ);
	fpu_ticks = 0;

	asm volatile("fninit\n\tfildl %0" : : "m"(mine) : "memory");
	for (i = 0; i < FPU_EXITS; i++) {
		if (i % (FPU_EXITS / FPU_SLEEPS) == FPU_EXITS / FPU_SLEEPS / 2)
			sleep_in_host();
		else if (i % (FPU_EXITS / FPU_TRIPS) == 0)
			(void)inl(LGUEST_PCI_CONFIG_ADDR);
		else
			hcall0(LHCALL_FLUSH_ASYNC);
	}
	asm volatile("fistpl %0" : "=m"(back) : : "memory");

	hcall1(LHCALL_SET_CLOCKEVENT, 0);
	irq_mask(LGUEST_TIMER_IRQ);
	handle_exception(TIMER_VECTOR, old);

	report(back == mine, "x87 registers survive %u exits to the Host", FPU_EXITS);
	if (back != mine)
		report_info("loaded %d, read back %d", mine, back);
	report_info("the Host woke us from %u of %u sleeps with the tick", fpu_ticks, FPU_SLEEPS);
}

void test_fpu(void)
{
	test_ts();
	test_state_survives();
}
