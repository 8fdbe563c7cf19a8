// SPDX-License-Identifier: GPL-2.0
/*
 * The Guest's IDT, traps into the Guest, virtual interrupts
 * and the clock.
 *
 * The Guest's kernel runs in ring 1 with interrupts really enabled, all the
 * time: its "interrupts off" is a flag in struct lguest_data.  Host
 * interrupts always take the CPU back to the Host (see switcher.S); the
 * Guest's own interrupts are ones we invent and deliver by hand, building
 * the same frame the CPU would, on the Guest's stack.
 */
#include <linux/hrtimer.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <asm/debugreg.h>
#include <asm/trapnr.h>
#include "lg.h"
#include "compat/hrtimer.h"
#include "compat/sched.h"

#define GATE_PRESENT	(1U << 15)
#define GATE_TYPE(hi)	(((hi) >> 8) & 0xF)
#define GATE_DPL(hi)	(((hi) >> 13) & 3)
#define GATE_INTR	0xE		/* interrupt gate: clears IF */
#define GATE_TRAP	0xF		/* trap gate: leaves IF alone */

static bool has_error_code(unsigned int vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
}

/*> H500
 * Which of the Guest's gates may the CPU use directly, with no Host exit?
 * Only trap gates (an interrupt gate would have to clear irq_enabled, which
 * the CPU knows nothing about), and only for vectors the Host never needs to
 * see: not #DB (1: it leaves bits in DR6 that we must wipe, run.c), NMI
 * (2), #NM (7: the FPU is ours to manage), #DF (8), #GP (13: it carries
 * the I/O the Launcher emulates), #PF (14: shadow paging), 15, #MC (18),
 * the hypercall vector, and no hardware interrupt vector.  The system call
 * vector is the one that matters for speed.
 *
 * Nor the segment faults #TS, #NP and #SS (10, 11, 12).  The Switcher
 * itself can take those, in ring 0, when the Guest left it a segment it
 * cannot load on the way in (a code segment marked not present, say).  Our
 * IDT is loaded by then, and the CPU will not go from ring 0 through a gate
 * into ring-1 code: it raises #GP instead, which makes a double fault, and
 * after a double fault the CPU's state is undefined.  Through our stubs the
 * fault comes home like any other Switcher fault, and kills the Guest.
 */
static bool direct_ok(unsigned int vector)
{
	if (vector == LG_SYSCALL_VECTOR)
		return true;
	if (vector >= 32)
		return false;
	switch (vector) {
	case 1: case 2: case 7: case 8: case 10: case 11: case 12: case 13: case 14:
	case 15: case 18:
	case LGUEST_TRAP_ENTRY:
		return false;
	}
	return true;
}

/* GDT entries 10, 11, 16 and 31 are ours: no Guest gate may name them. */
static bool guest_code_selector_ok(u32 sel)
{
	u32 idx = sel >> 3;

	return !(sel & 4) && idx != 0 && idx < LGUEST_GDT_ENTRIES &&
	       idx != LGUEST_GDT_HOST_CS && idx != LGUEST_GDT_HOST_DS &&
	       idx != LGUEST_GDT_TSS && idx != LGUEST_GDT_DF_TSS;
}

void lg_load_idt_entry(struct lg_cpu *cpu, u32 vector, u32 lo, u32 hi)
{
	if (vector >= 256) {
		kill_guest(cpu->lg, "LOAD_IDT_ENTRY for vector %u", vector);
		return;
	}
	/* These are the Host's, whatever the Guest thinks (ABI.md section 1). */
	if (vector == 2 || vector == 8 || vector == 15 ||
	    vector == LGUEST_TRAP_ENTRY)
		return;

	cpu->tables_changed = true;
	if (!(hi & GATE_PRESENT)) {
		cpu->idt_lo[vector] = 0;
		cpu->idt_hi[vector] = 0;
		return;
	}
	if (GATE_TYPE(hi) != GATE_INTR && GATE_TYPE(hi) != GATE_TRAP) {
		kill_guest(cpu->lg, "IDT entry %u has gate type %u", vector,
			   GATE_TYPE(hi));
		return;
	}
	if (!guest_code_selector_ok(lo >> 16)) {
		kill_guest(cpu->lg, "IDT entry %u names selector %#x", vector,
			   lo >> 16);
		return;
	}
	cpu->idt_lo[vector] = lo;
	cpu->idt_hi[vector] = hi;
}

static void make_gate(gate_desc *gate, u32 offset, u32 sel, u32 type, u32 dpl)
{
	u32 *w = (u32 *)gate;

	w[0] = (sel << 16) | (offset & 0xffff);
	w[1] = (offset & 0xffff0000) | GATE_PRESENT | (dpl << 13) | (type << 8);
}

/*
 * The IDT the CPU uses while the Guest runs.  Direct gates go to the Guest's
 * handler in ring 1.  The rest go to our stubs in ring 0, through interrupt
 * gates so that Host interrupts stay off until we are home.  A stub's
 * privilege level decides who may reach it with "int": the Guest kernel for
 * the hypercall, the Guest's choice for software traps it handles itself
 * (int3 from user mode, say), nobody for the rest.  Vectors for which the CPU
 * pushes an error code never accept "int", which would push none.
 */
void lg_copy_idt(const struct lg_cpu *cpu, gate_desc *idt, unsigned long stubs)
{
	unsigned int v;

	for (v = 0; v < 256; v++) {
		u32 lo = cpu->idt_lo[v], hi = cpu->idt_hi[v];
		bool present = hi & GATE_PRESENT;
		u32 dpl = 0;

		if (present && direct_ok(v) && GATE_TYPE(hi) == GATE_TRAP) {
			make_gate(&idt[v], (hi & 0xffff0000) | (lo & 0xffff),
				  (lo >> 16) | 1, GATE_TRAP, GATE_DPL(hi));
			continue;
		}
		if (v == LGUEST_TRAP_ENTRY)
			dpl = 1;
		else if (present && (v < 32 || v == LG_SYSCALL_VECTOR) &&
			 !has_error_code(v) && v != 2 && v != 18)
			dpl = GATE_DPL(hi);
		make_gate(&idt[v], stubs + v * LG_STUB_SIZE, LG_CS, GATE_INTR, dpl);
	}
}

/* ---- Building a trap frame on the Guest's stack. */

static bool push_guest(struct lg_cpu *cpu, u32 *esp, u32 val)
{
	unsigned long gpa;

	*esp -= 4;
	if (!lg_guest_virt_to_phys(cpu, *esp, &gpa) ||
	    lg_write(cpu->lg, gpa, &val, sizeof(val))) {
		kill_guest(cpu->lg, "cannot push a trap frame at %#x", *esp);
		return false;
	}
	return true;
}

/*> H510
 * Deliver a trap or interrupt to the Guest as the CPU would have: switch to
 * the ring-1 stack if it was in user mode, push the frame (with the virtual
 * IF in the saved eflags), and continue at the handler.  Going through an
 * interrupt gate turns the Guest's virtual interrupts off.
 */
static bool enter_guest_handler(struct lg_cpu *cpu, unsigned int vector,
				bool push_frame, bool with_error)
{
	struct lguest *lg = cpu->lg;
	struct lg_regs *r = &cpu->regs;
	u32 lo = cpu->idt_lo[vector], hi = cpu->idt_hi[vector];
	u32 irq_enabled, eflags, ss, esp;

	if (!lg->lguest_data || !(hi & GATE_PRESENT))
		return false;

	irq_enabled = lg_read_u32(lg, lg->lguest_data + LGD(irq_enabled));
	eflags = (r->eflags & ~X86_EFLAGS_IF) | (irq_enabled & X86_EFLAGS_IF);

	if (push_frame) {
		if ((r->cs & 3) != 1) {
			ss = cpu->ss1;
			esp = cpu->esp1;
			if (!push_guest(cpu, &esp, r->ss) ||
			    !push_guest(cpu, &esp, r->esp))
				return true;
		} else {
			ss = r->ss;
			esp = r->esp;
		}
		if (!push_guest(cpu, &esp, eflags) ||
		    !push_guest(cpu, &esp, r->cs) ||
		    !push_guest(cpu, &esp, r->eip) ||
		    (with_error && !push_guest(cpu, &esp, r->errcode)))
			return true;
		r->ss = ss;
		r->esp = esp;
	}
	r->cs = (lo >> 16) | 1;
	r->eip = (hi & 0xffff0000) | (lo & 0xffff);
	r->eflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF |
		       X86_EFLAGS_VM);
	if (GATE_TYPE(hi) == GATE_INTR)
		lg_write_u32(lg, lg->lguest_data + LGD(irq_enabled), 0);
	return true;
}

bool lg_deliver_trap(struct lg_cpu *cpu, unsigned int vector)
{
	if (vector >= 256)
		return false;
	return enter_guest_handler(cpu, vector, true, has_error_code(vector));
}

/*
 * Past an instruction we carried out for the Guest (a held out, an ISR
 * read, a debug-register move), with what the CPU does after any
 * instruction: a single-step #DB if the Guest has TF set.  Without it a
 * Guest stepping through such an instruction would see two go by for
 * one trap.
 */
void lg_step_past(struct lg_cpu *cpu, unsigned int len)
{
	cpu->regs.eip += len;
	if (!(cpu->regs.eflags & X86_EFLAGS_TF))
		return;
	cpu->dr6 = DR_STEP;
	if (!lg_deliver_trap(cpu, X86_TRAP_DB))
		kill_guest(cpu->lg, "single step at eip %#x with no #DB handler",
			   cpu->regs.eip);
}

/*> H515
 * Most page faults a Linux Guest takes are its own (its tables forbid the
 * access) and we would only reflect them, after a world switch each way.
 * The Switcher can deliver those itself (S250 in switcher.S), if we tell
 * it where the Guest's tables, its lguest_data and its handler are, as
 * addresses it can use with the Guest's own page tables loaded: through
 * the map of guest-physical memory its kernel keeps at kernel_address.
 * We hand over only what we would use ourselves (the handler of gate 14,
 * the ring-1 stack of SET_STACK), and turn the fast path off for anything
 * it does not cover: no lguest_data yet, the 1:1 start, no gate 14 (which
 * kills the Guest, our job), a stack segment that is not flat.
 */
static bool fast_page_faults = true;
module_param(fast_page_faults, bool, 0444);
MODULE_PARM_DESC(fast_page_faults,
		 "Let the Switcher deliver a Guest's own page faults itself");

void lg_prepare_fast_pf(struct lg_cpu *cpu, struct lg_fast_pf *fast)
{
	struct lguest *lg = cpu->lg;
	u32 lo = cpu->idt_lo[14], hi = cpu->idt_hi[14];
	unsigned long map_size, top_size = lg->guest_pae ? 32 : PAGE_SIZE;
	unsigned long gpgdir = lg_guest_pgdir(cpu);

	fast->mode = 0;
	if (!fast_page_faults || cpu->linear || !lg->lguest_data ||
	    !(hi & GATE_PRESENT) || !lg_flat_stack_segment(cpu, cpu->ss1))
		return;
	map_size = min(lg->pfn_limit << PAGE_SHIFT,
		       lg_switcher_reserve_base - lg->kernel_address);
	if (map_size < PAGE_SIZE || lg->lguest_data + LGUEST_DATA_SIZE > map_size ||
	    gpgdir > map_size - top_size)
		return;

	fast->top = lg->kernel_address + gpgdir;
	fast->map = lg->kernel_address;
	fast->map_size = map_size;
	fast->data = lg->kernel_address + lg->lguest_data;
	fast->handler = (hi & 0xffff0000) | (lo & 0xffff);
	fast->handler_cs = (lo >> 16) | 1;
	fast->intr = GATE_TYPE(hi) == GATE_INTR;
	fast->limit = lg_switcher_reserve_base;
	fast->ss = cpu->ss1;
	fast->mode = lg->guest_pae ? 2 : 1;
}

/* ---- Virtual interrupts. */

void lg_raise_irq(struct lg_cpu *cpu, unsigned int irq)
{
	set_bit(irq, &cpu->irqs_pending);
	/*
	 * Wake it if it sleeps in HALT; make it exit if it runs elsewhere.
	 * Any holder of the descriptor can get here, so wake the task only
	 * from the sleep in halt_until_irq(), not from whatever else it may
	 * sleep in: a Guest stays halted while its Launcher is back in user
	 * space (a signal, an exit for held writes), sleeping on anything.
	 * The barrier pairs with set_current_state() in halt_until_irq():
	 * either we see halt_sleeping, or it sees our bit.
	 */
	smp_mb__after_atomic();
	if (READ_ONCE(cpu->halt_sleeping))
		wake_up_process(cpu->task);
	lg_kick_task(cpu->task);
}

/*
 * The interrupts the Guest masked: all of them until it has told us where
 * its lguest_data is.  This reads Guest memory, so it may fault and sleep.
 */
unsigned long lg_blocked_irqs(struct lg_cpu *cpu)
{
	struct lguest *lg = cpu->lg;

	if (!lg->lguest_data)
		return ~0UL;
	return lg_read_u32(lg, lg->lguest_data + LGD(blocked_interrupts));
}

/* Only memory: safe once the task is no longer TASK_RUNNING. */
bool lg_irq_unblocked(struct lg_cpu *cpu, unsigned long blocked)
{
	return READ_ONCE(cpu->irqs_pending) & ~blocked;
}

static unsigned long deliverable_irqs(struct lg_cpu *cpu)
{
	if (!READ_ONCE(cpu->irqs_pending))
		return 0;
	return READ_ONCE(cpu->irqs_pending) & ~lg_blocked_irqs(cpu);
}

void lg_update_time(struct lguest *lg)
{
	struct timespec64 now;
	struct lguest_timespec t;

	ktime_get_real_ts64(&now);
	t.tv_sec = (s32)now.tv_sec;
	t.tv_nsec = (s32)now.tv_nsec;
	lg_write(lg, lg->lguest_data + LGD(time), &t, sizeof(t));
}

/*> H520
 * Called before every entry into the Guest.  If an interrupt is pending and
 * not masked, and the Guest has interrupts on (or sleeps in HALT, which
 * means "wake me with interrupts on"), we deliver it now.  If they are off,
 * we raise irq_pending: the Guest checks it whenever it turns them back on
 * and asks for delivery with SEND_INTERRUPTS.
 *
 * If the Guest stopped exactly on the "iret" of its interrupt-return path,
 * the frame it is about to pop is already on its stack: we start the handler
 * on top of that frame instead of pushing another, or the Guest's stack
 * could grow with every interrupt in that window.
 */
void lg_maybe_deliver_irq(struct lg_cpu *cpu)
{
	struct lguest *lg = cpu->lg;
	unsigned long pending = deliverable_irqs(cpu);
	unsigned int irq;
	bool reuse_frame;

	if (!pending)
		return;
	if (cpu->halted) {
		lg_write_u32(lg, lg->lguest_data + LGD(irq_enabled), X86_EFLAGS_IF);
		WRITE_ONCE(cpu->halted, false);
	} else if (!(lg_read_u32(lg, lg->lguest_data + LGD(irq_enabled)) &
		     X86_EFLAGS_IF)) {
		lg_write_u32(lg, lg->lguest_data + LGD(irq_pending), X86_EFLAGS_IF);
		return;
	}

	irq = __ffs(pending);
	clear_bit(irq, &cpu->irqs_pending);
	reuse_frame = (cpu->regs.cs & 3) == 1 && cpu->regs.eip == lg->noirq_iret;
	if (!enter_guest_handler(cpu, LGUEST_IRQ_BASE + irq, !reuse_frame,
				 false)) {
		kill_guest(lg, "interrupt %u arrived but the guest has no handler for vector %#x",
			   irq, LGUEST_IRQ_BASE + irq);
		return;
	}
	lg_update_time(lg);
	lg_write_u32(lg, lg->lguest_data + LGD(irq_pending),
		     (pending & ~BIT(irq)) ? X86_EFLAGS_IF : 0);
	cpu->stats.irqs_delivered++;
}

void lg_set_stack(struct lg_cpu *cpu, u32 ss, u32 esp, u32 pages)
{
	if ((ss & 3) != 1 || !guest_code_selector_ok(ss)) {
		kill_guest(cpu->lg, "SET_STACK with segment %#x", ss);
		return;
	}
	if (pages > 2) {
		kill_guest(cpu->lg, "SET_STACK of %u pages", pages);
		return;
	}
	cpu->ss1 = ss;
	cpu->esp1 = esp;
}

/*
 * ---- The clock: one one-shot timer that raises virtual IRQ 0.
 *
 * Its callback only sets a bit and wakes or kicks the Launcher's task, which
 * is safe in hard interrupt context, so it runs there (_HARD) on every
 * kernel.  Without it, PREEMPT_RT defers it to the CPU's ktimers thread:
 * two thread switches before each tick reaches the Guest.
 * hrtimer_start() must pass the same mode the timer was set up with.
 */
#define LG_TIMER_MODE	HRTIMER_MODE_REL_HARD

static enum hrtimer_restart lg_timer_fired(struct hrtimer *timer)
{
	struct lg_cpu *cpu = container_of(timer, struct lg_cpu, timer);

	lg_raise_irq(cpu, LGUEST_TIMER_IRQ);
	return HRTIMER_NORESTART;
}

void lg_timer_init(struct lg_cpu *cpu)
{
	lg_hrtimer_setup(&cpu->timer, lg_timer_fired, CLOCK_MONOTONIC,
			 LG_TIMER_MODE);
}

void lg_timer_exit(struct lg_cpu *cpu)
{
	hrtimer_cancel(&cpu->timer);
}

void lg_set_clockevent(struct lg_cpu *cpu, u32 delta_ns)
{
	if (!delta_ns) {
		hrtimer_cancel(&cpu->timer);
		return;
	}
	hrtimer_start(&cpu->timer, ns_to_ktime(delta_ns), LG_TIMER_MODE);
}
