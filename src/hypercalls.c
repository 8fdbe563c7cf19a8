// SPDX-License-Identifier: GPL-2.0
/*
 * What the Guest asks of us.
 *
 * A hypercall is "int $0x1f" with the call number in %eax and arguments in
 * %ebx, %ecx, %edx and %esi.  The Guest can also queue calls in a ring inside
 * struct lguest_data and have us run them all at the next exit, which turns
 * a burst of page-table updates into one trip through the Switcher.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/tsc.h>
#include "lg.h"

static void do_shutdown(struct lg_cpu *cpu, u32 reason_gpa, u32 how)
{
	struct lguest *lg = cpu->lg;
	char reason[LGUEST_SHUTDOWN_REASON_MAX];
	unsigned long len;

	/*
	 * A reboot is a reboot whatever its reason says: Linux's passes a NULL
	 * one (guest-physical 0x40000000), which we cannot read.
	 */
	if (how == LGUEST_SHUTDOWN_RESTART)
		lg->restart = true;
	if (!lg_range_ok(lg, reason_gpa, 1)) {
		kill_guest(lg, "SHUTDOWN with its reason at %#x, outside guest memory",
			   reason_gpa);
		return;
	}
	/* The string may end near the end of guest memory: read what exists. */
	len = min_t(unsigned long, sizeof(reason) - 1,
		    (lg->pfn_limit << PAGE_SHIFT) - reason_gpa);
	memset(reason, 0, sizeof(reason));
	if (lg_read(lg, reason, reason_gpa, len))
		return;
	kill_guest(lg, "CRASH: %s", reason);
}

/*> H600
 * LGUEST_INIT is the Guest's first word to us: where its lguest_data lives.
 * We fill in what it needs to know about us (where the Switcher starts, the
 * TSC rate, the time), read what we need to know about it, and forget every
 * shadow mapping made so far, since those predate its real page tables.
 */
static void do_lguest_init(struct lg_cpu *cpu, u32 gpa)
{
	struct lguest *lg = cpu->lg;
	u32 syscall_vec, tsc;

	/* 0 is how we remember that there has been no LGUEST_INIT yet. */
	if (!gpa) {
		kill_guest(lg, "LGUEST_INIT with lguest_data at 0");
		return;
	}
	if (!lg_range_ok(lg, gpa, sizeof(struct lguest_data))) {
		kill_guest(lg, "LGUEST_INIT with lguest_data at %#x, outside guest memory",
			   gpa);
		return;
	}
	lg->lguest_data = gpa;

	tsc = (boot_cpu_has(X86_FEATURE_CONSTANT_TSC) && !check_tsc_unstable()) ?
		tsc_khz : 0;
	lg_write_u32(lg, gpa + LGD(tsc_khz), tsc);

	syscall_vec = lg_read_u32(lg, gpa + LGD(syscall_vec));
	if (syscall_vec != LG_SYSCALL_VECTOR) {
		kill_guest(lg, "system call vector %#x is not supported (only 0x80)",
			   syscall_vec);
		return;
	}
	lg->noirq_iret = lg_read_u32(lg, gpa + LGD(noirq_iret));
	lg_update_time(lg);

	lg->kernel_address = lg_read_u32(lg, gpa + LGD(kernel_address));
	if (lg->kernel_address >= lg_switcher_reserve_base) {
		kill_guest(lg, "kernel_address %#x overlaps the Switcher at %#lx",
			   lg->kernel_address, lg_switcher_reserve_base);
		return;
	}
	lg_write_u32(lg, gpa + LGD(reserve_mem), (u32)-lg_switcher_reserve_base);
	lg_drop_all_shadows(lg);
}

static void do_hcall(struct lg_cpu *cpu, const struct hcall_args *a)
{
	cpu->stats.hypercalls++;
	if (a->arg0 < LG_HCALL_COUNTED)
		cpu->stats.hcalls[a->arg0]++;

	switch (a->arg0) {
	case LHCALL_FLUSH_ASYNC:
	case LHCALL_SEND_INTERRUPTS:
		/* Both just wanted an exit: the ring and IRQs are handled there. */
		break;
	case LHCALL_LGUEST_INIT:
		kill_guest(cpu->lg, "LGUEST_INIT called twice");
		break;
	case LHCALL_SHUTDOWN:
		do_shutdown(cpu, a->arg1, a->arg2);
		break;
	case LHCALL_NEW_PGTABLE:
		lg_new_pgtable(cpu, a->arg1);
		break;
	case LHCALL_FLUSH_TLB:
		lg_flush_tlb(cpu, a->arg1 != 0);
		break;
	case LHCALL_LOAD_IDT_ENTRY:
		lg_load_idt_entry(cpu, a->arg1, a->arg2, a->arg3);
		break;
	case LHCALL_SET_STACK:
		lg_set_stack(cpu, a->arg1, a->arg2, a->arg3);
		break;
	case LHCALL_TS:
		cpu->guest_ts = a->arg1 != 0;
		break;
	case LHCALL_SET_CLOCKEVENT:
		lg_set_clockevent(cpu, a->arg1);
		break;
	case LHCALL_HALT:
		WRITE_ONCE(cpu->halted, true);
		cpu->stats.halts++;
		break;
	case LHCALL_SET_PMD:
		lg_set_pmd(cpu, a->arg1, a->arg2);
		break;
	case LHCALL_SET_PTE:
		lg_set_pte(cpu, a->arg1, a->arg2);
		break;
	case LHCALL_SET_PGD:
		lg_set_pgd(cpu, a->arg1, a->arg2);
		break;
	case LHCALL_LOAD_TLS:
		lg_load_tls(cpu, a->arg1);
		break;
	case LHCALL_LOAD_GDT_ENTRY:
		lg_load_gdt_entry(cpu, a->arg1, a->arg2, a->arg3);
		break;
	default:
		kill_guest(cpu->lg, "bad hypercall %u", a->arg0);
		break;
	}
}

/*> H610
 * The ring: 64 slots, each with a status byte (0 = queued, 0xFF = free).
 * We keep our own position and run slots in order until we meet one that is
 * not queued, marking each free as we go.  The Guest only queues calls that
 * need no answer, so order is all that matters.
 */
static void do_async_hcalls(struct lg_cpu *cpu)
{
	struct lguest *lg = cpu->lg;
	unsigned long data = lg->lguest_data;
	u8 status[LHCALL_RING_SIZE];
	unsigned int n;

	if (lg_read(lg, status, data + LGD(hcall_status), sizeof(status)))
		return;

	for (n = 0; n < LHCALL_RING_SIZE; n++) {
		unsigned int i = cpu->next_hcall;
		struct hcall_args args;
		u8 done = LHCALL_SLOT_FREE;

		if (status[i] != LHCALL_SLOT_QUEUED)
			break;
		if (lg_read(lg, &args, data + LGD(hcalls[i]), sizeof(args)))
			return;
		do_hcall(cpu, &args);
		cpu->stats.async_hypercalls++;
		if (args.arg0 < LG_HCALL_COUNTED)
			cpu->stats.hcalls_async[args.arg0]++;
		if (lg_write(lg, data + LGD(hcall_status[i]), &done, 1))
			return;
		cpu->next_hcall = (i + 1) % LHCALL_RING_SIZE;
		if (lg->dead)
			break;
		/*
		 * A FLUSH_TLB(1) empties every shared table, a thousand of
		 * them for a Guest whose kernel map spans 4 GiB: 64 in a row
		 * must not keep the Host from scheduling until the last.
		 */
		lg_yield_if_asked();
	}
}

void lg_do_hypercalls(struct lg_cpu *cpu)
{
	struct lguest *lg = cpu->lg;
	struct hcall_args a = {
		.arg0 = cpu->regs.eax, .arg1 = cpu->regs.ebx,
		.arg2 = cpu->regs.ecx, .arg3 = cpu->regs.edx,
		.arg4 = cpu->regs.esi,
	};

	if (!lg->lguest_data) {
		if (a.arg0 == LHCALL_LGUEST_INIT) {
			cpu->stats.hypercalls++;
			do_lguest_init(cpu, a.arg1);
		} else {
			kill_guest(lg, "hypercall %u before LGUEST_INIT", a.arg0);
		}
		return;
	}
	do_async_hcalls(cpu);
	if (!lg->dead)
		do_hcall(cpu, &a);
}
