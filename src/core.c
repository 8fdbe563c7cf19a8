// SPDX-License-Identifier: GPL-2.0
/*> P100
 * Where lguest starts: module load, the run loop, guest memory.
 *
 * The story of a Guest, in the order it happens:
 *   lguest_user.c	the Launcher opens /dev/lguest and describes the Guest
 *   core.c		read() lands in run_guest(), which loops:
 *   run.c		  copy the Guest's state in, call the Switcher,
 *   switcher.S		  which enters the Guest and comes back on a trap;
 *   run.c		  decide what the trap means:
 *   page_tables.c	    a page fault we can fix,
 *   hypercalls.c	    a request from the Guest,
 *   interrupts.c	    something to reflect into the Guest,
 *   lguest_user.c	    or something only the Launcher can do.
 *
 * `make tour` prints the numbered comments in this order.
 */
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <asm/fpu/api.h>
#include "lg.h"

/* ---- Guest memory: guest-physical addresses are offsets into the Launcher's mapping. */

bool lg_range_ok(struct lguest *lg, unsigned long gpa, unsigned long len)
{
	unsigned long limit = lg->pfn_limit << PAGE_SHIFT;

	return gpa < limit && len <= limit - gpa;
}

/*
 * We run in the Launcher's own process, so its mapping of guest memory is
 * just user memory to us: copy_from_user() handles faults and SMAP.  Any
 * failure is the Guest's doing (it named an address it does not have) and
 * kills it; callers only need to stop.
 */
int lg_read(struct lguest *lg, void *dst, unsigned long gpa, unsigned long len)
{
	if (!lg_range_ok(lg, gpa, len) ||
	    copy_from_user(dst, (void __user *)(lg->mem_base + gpa), len)) {
		kill_guest(lg, "read of %lu bytes at guest-physical %#lx failed",
			   len, gpa);
		memset(dst, 0, len);
		return -EFAULT;
	}
	return 0;
}

int lg_write(struct lguest *lg, unsigned long gpa, const void *src,
	     unsigned long len)
{
	if (!lg_range_ok(lg, gpa, len) ||
	    copy_to_user((void __user *)(lg->mem_base + gpa), src, len)) {
		kill_guest(lg, "write of %lu bytes at guest-physical %#lx failed",
			   len, gpa);
		return -EFAULT;
	}
	return 0;
}

u32 lg_read_u32(struct lguest *lg, unsigned long gpa)
{
	u32 val;

	lg_read(lg, &val, gpa, sizeof(val));
	return val;
}

void lg_write_u32(struct lguest *lg, unsigned long gpa, u32 val)
{
	lg_write(lg, gpa, &val, sizeof(val));
}

/*> H020
 * A Guest that does something it must not does not get an error code: it
 * dies, and the first reason given is the one the Launcher will print.
 * The Host carries on as if nothing happened.
 */
void kill_guest(struct lguest *lg, const char *fmt, ...)
{
	va_list ap;

	if (lg->dead)
		return;
	va_start(ap, fmt);
	vsnprintf(lg->dead_buf, sizeof(lg->dead_buf), fmt, ap);
	va_end(ap);
	lg->dead = lg->dead_buf;
}

/*
 * The Guest runs with Host interrupts on, but each one lands back in
 * lg_run_guest_once() with them off, so a wakeup never preempts us there:
 * we must look for it ourselves.  cond_resched() is not enough: on a fully
 * preemptible kernel (PREEMPT_RT, or PREEMPT without PREEMPT_DYNAMIC) it
 * compiles to nothing, since preemption normally happens by itself.  Under
 * PREEMPT_RT that would starve every thread on this CPU (interrupt threads,
 * ktimers, which fires the Launcher's own alarm(), RCU) for as long as the
 * Guest spins.  need_resched() also sees PREEMPT_RT's "lazy" flag, set
 * when a normal task is due.
 */
void lg_yield_if_asked(void)
{
	if (need_resched())
		schedule();
}

/*
 * HALT: sleep until an interrupt the Guest wants arrives (lg_raise_irq()
 * wakes us) or a signal does.  The Guest's mask is read first, while we
 * are still TASK_RUNNING: reading Guest memory may fault and sleep, which
 * must not happen between set_current_state() and schedule() (on
 * PREEMPT_RT even the fault's locks sleep).  The mask cannot change while
 * we sleep: only the halted Guest writes it.
 */
static void halt_until_irq(struct lg_cpu *cpu)
{
	unsigned long blocked = lg_blocked_irqs(cpu);

	WRITE_ONCE(cpu->halt_sleeping, true);
	set_current_state(TASK_INTERRUPTIBLE);
	if (!lg_irq_unblocked(cpu, blocked) && !signal_pending(current))
		schedule();
	__set_current_state(TASK_RUNNING);
	WRITE_ONCE(cpu->halt_sleeping, false);
}

/*> H030
 * The run loop, entered from the Launcher's read().  Each time round we
 * give the Launcher anything it is owed, let the Host schedule and deliver
 * signals, deliver a virtual interrupt if one is due, sleep if the Guest
 * halted, and otherwise run the Guest until the next trap, then decide what
 * that trap means.  For the whole call the Guest's FPU state stands in for
 * the Launcher's, so the kernel saves and restores it like any task's.
 */
static int run_loop(struct lg_cpu *cpu, char __user *user, size_t size)
{
	struct lguest *lg = cpu->lg;

	while (!lg->dead) {
		if (lg_held_writes_due(cpu) && !cpu->has_pending)
			lg_exit_for_writes(cpu);
		if (cpu->has_pending) {
			cpu->has_pending = false;
			return lg_copy_exit(cpu, user, size);
		}
		if (signal_pending(current))
			return -ERESTARTSYS;
		lg_yield_if_asked();

		lg_maybe_deliver_irq(cpu);
		if (lg->dead)
			break;

		if (cpu->halted) {
			halt_until_irq(cpu);
			continue;
		}

		if (lg_run_guest_once(cpu))
			lg_handle_trap(cpu);
	}
	/* A dying Guest's last port writes go out before its death does. */
	cpu->death_untold = cpu->nr_held;
	if (cpu->nr_held) {
		lg_exit_for_writes(cpu);
		cpu->has_pending = false;
		return lg_copy_exit(cpu, user, size);
	}
	return lg->restart ? -ERESTART : -ENOENT;
}

int run_guest(struct lg_cpu *cpu, char __user *user, size_t size)
{
	int ret;

	fpu_swap_kvm_fpstate(&cpu->fpu, true);
	ret = run_loop(cpu, user, size);
	fpu_swap_kvm_fpstate(&cpu->fpu, false);
	return ret;
}

static int __init lg_init(void)
{
	int err;

	err = lg_switcher_init();
	if (err)
		return err;
	err = lg_switcher_pte_init();
	if (err)
		goto switcher;
	err = lg_user_init();
	if (err)
		goto pte;
	return 0;

pte:
	lg_switcher_pte_exit();
switcher:
	lg_switcher_exit();
	return err;
}

static void __exit lg_exit(void)
{
	lg_user_exit();
	lg_switcher_pte_exit();
	lg_switcher_exit();
}

module_init(lg_init);
module_exit(lg_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The lguest developers");
MODULE_DESCRIPTION("lguest: a paravirtual hypervisor for 32-bit x86 Linux guests");
MODULE_ALIAS("char-major-10-62");	/* LGUEST_MISC_MINOR */
MODULE_ALIAS("devname:lguest");
