// SPDX-License-Identifier: GPL-2.0
/*
 * timer.c - the clock event (SET_CLOCKEVENT raises virtual IRQ 0 through
 * vector 0x20), the Host holding it back while irq_enabled is 0, and HALT
 * woken by it.
 *
 * Every wait is bounded by a spin count: a Host that never delivers gives
 * "not ok", not a hang.  The bound is far beyond the 1 ms we arm (about a
 * second even when QEMU emulates the CPU), and a passing run never spins
 * long: we stop as soon as the thing we wait for happens.
 */
#include "lib/libguest.h"
#include "lib/hcall.h"
#include "lib/desc.h"
#include "lib/irq.h"
#include "lib/processor.h"
#include "tests.h"

#define TIMER_VECTOR	(LGUEST_IRQ_BASE + LGUEST_TIMER_IRQ)
#define ONE_MS		1000000
#define SPIN_LIMIT	(1u << 28)

static struct {
	u32 count;
	u32 vector, irq_enabled, frame_if;
} tick;

/*
 * Through an interrupt gate: the Host has cleared irq_enabled, and the
 * frame's IF says what it was when we were interrupted.
 */
static bool timer_handler(struct ex_regs *regs)
{
	tick.vector = regs->vector;
	tick.irq_enabled = irq_enabled();
	tick.frame_if = regs->eflags & LGUEST_EFLAGS_IF;
	WRITE_ONCE(tick.count, tick.count + 1);
	return true;
}

static bool spin_until_changed(const u32 *p, u32 old)
{
	u32 i;

	for (i = 0; i < SPIN_LIMIT; i++) {
		if (READ_ONCE(*p) != old)
			return true;
		cpu_relax();
	}
	return false;
}

static bool time_after(const struct lguest_timespec *a, const struct lguest_timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

static void test_delivery(void)
{
	struct lguest_timespec before = lguest_data.time, now;
	u32 n = tick.count;
	bool arrived;

	irq_enable();
	hcall1(LHCALL_SET_CLOCKEVENT, ONE_MS);
	arrived = spin_until_changed(&tick.count, n);
	now = lguest_data.time;
	report(arrived, "a clock event interrupts us while interrupts are enabled");
	report(arrived && tick.vector == TIMER_VECTOR && tick.irq_enabled == 0 &&
	       tick.frame_if == LGUEST_EFLAGS_IF,
	       "it comes through vector 0x20 with irq_enabled cleared and IF saved");
	report(arrived && irq_enabled() == LGUEST_EFLAGS_IF,
	       "the iret path turns interrupts back on");
	report(arrived && time_after(&now, &before), "the Host updates the time as it delivers");
}

static void test_held_back(void)
{
	u32 n;
	bool flagged;

	irq_disable();
	n = tick.count;
	hcall1(LHCALL_SET_CLOCKEVENT, ONE_MS);
	flagged = spin_until_changed((const u32 *)&lguest_data.irq_pending, 0);
	report(flagged, "the Host sets irq_pending while irq_enabled is 0");
	report(tick.count == n, "the interrupt is held back while irq_enabled is 0");

	irq_enable();
	report(tick.count == n + 1, "enabling interrupts delivers it at once");
	report(READ_ONCE(lguest_data.irq_pending) == 0, "irq_pending is clear once it is delivered");
}

/*
 * HALT with interrupts disabled, as a Linux Guest idles: the Host wakes us
 * for the timer, turns irq_enabled on and delivers before HALT returns.
 */
static void test_halt(void)
{
	u32 n;

	irq_disable();
	n = tick.count;
	hcall1(LHCALL_SET_CLOCKEVENT, 2 * ONE_MS);
	hcall0(LHCALL_HALT);
	report(tick.count == n + 1, "HALT returns after the timer interrupt ran");
	report(irq_enabled() == LGUEST_EFLAGS_IF, "HALT wakes us with interrupts enabled");
}

void test_timer(void)
{
	trap_handler_t old = handle_exception(TIMER_VECTOR, timer_handler);

	set_gate(TIMER_VECTOR, GATE_INTR, 0);
	irq_unmask(LGUEST_TIMER_IRQ);
	test_delivery();
	test_held_back();
	test_halt();

	hcall1(LHCALL_SET_CLOCKEVENT, 0);
	irq_disable();
	irq_mask(LGUEST_TIMER_IRQ);
	handle_exception(TIMER_VECTOR, old);
}
