// SPDX-License-Identifier: GPL-2.0
/*
 * isr.c - interrupt status reads we answer for the Launcher.
 */
#include <linux/moduleparam.h>
#include <linux/uaccess.h>
#include <asm/trap_pf.h>
#include "lg.h"
#include "isr_decode.h"

static bool fast_isr_reads = true;
module_param(fast_isr_reads, bool, 0444);
MODULE_PARM_DESC(fast_isr_reads,
		 "carry out the Guest's reads of the interrupt status bytes its Launcher names (default 1)");

/*> H320
 * A virtio device's interrupt handler starts with a read of its ISR, one
 * byte in its BAR that says why it interrupted and clears as it is read.
 * That read is a page fault on the device window, and so an exit to the
 * Launcher, once per interrupt: each virtio-blk request and every few
 * network frames.  What it does is small and needs nothing the Launcher
 * has but the byte.  So the Launcher tells us where the byte is
 * (LHREQ_ISR: its guest-physical address, and the Launcher's own address
 * of the value) and we do the read ourselves: take the byte and leave 0
 * in one atomic step, since the Launcher's device threads set bits in it
 * while the Guest runs, put it in the register the instruction names and
 * step the Guest over the instruction.  We decode only the two loads a
 * Guest's ioread8() becomes; anything else there still goes to the
 * Launcher, which also answers the same byte when the Guest reads it some
 * other way (the PCI configuration access capability).
 */

/*
 * LHREQ_ISR.  gpa must be in the device window; uaddr is the Launcher's
 * and can be anything a user pointer can be: we only ever reach it with
 * the user-access primitives, which fault rather than trust it.
 */
int lg_set_isr(struct lguest *lg, u32 gpa, u32 uaddr)
{
	u64 window = (u64)lg->pfn_limit << PAGE_SHIFT;
	u64 end = (u64)lg->device_limit << PAGE_SHIFT;
	unsigned int i;

	if (!fast_isr_reads)
		return -EOPNOTSUPP;
	if (!access_ok((void __user *)(unsigned long)uaddr, 1))
		return -EFAULT;
	if (gpa != LGUEST_ISR_NONE && (gpa < window || gpa >= end))
		return -EINVAL;
	/* A value has one address, an address one value: drop either. */
	for (i = 0; i < lg->nr_isrs;) {
		if (lg->isrs[i].uaddr == uaddr || lg->isrs[i].gpa == gpa)
			lg->isrs[i] = lg->isrs[--lg->nr_isrs];
		else
			i++;
	}
	if (gpa == LGUEST_ISR_NONE)
		return 0;
	if (lg->nr_isrs == LGUEST_ISRS)
		return -ENOSPC;
	lg->isrs[lg->nr_isrs].gpa = gpa;
	lg->isrs[lg->nr_isrs].uaddr = uaddr;
	lg->nr_isrs++;
	return 0;
}

static const struct lg_isr *isr_at(const struct lguest *lg, u32 gpa)
{
	unsigned int i;

	for (i = 0; i < lg->nr_isrs; i++)
		if (lg->isrs[i].gpa == gpa)
			return &lg->isrs[i];
	return NULL;
}

/*
 * Swap the byte at uaddr for 0; false if the Launcher's page faulted, or
 * if its threads changed the byte under us a few times running (then the
 * Launcher does the read, and we do not spin on its behalf).
 */
#define LG_ISR_TRIES	16

static bool take_isr_byte(u32 uaddr, u8 *val)
{
	u8 __user *p = (u8 __user *)(unsigned long)uaddr;
	unsigned int tries = LG_ISR_TRIES;
	u8 old;

	if (!user_access_begin(p, 1))
		return false;
	unsafe_get_user(old, p, no_byte);
	while (!unsafe_try_cmpxchg_user(p, &old, 0, no_byte))
		if (!--tries)
			goto no_byte;
	user_access_end();
	*val = old;
	return true;
no_byte:
	user_access_end();
	return false;
}

/* Whether we can put the byte where the instruction says: not in %esp. */
static bool target_ok(const struct lg_isr_load *l)
{
	return !l->zero_extend || l->reg != 4;
}

static void put_loaded_byte(struct lg_regs *r, const struct lg_isr_load *l, u8 val)
{
	u32 *reg;

	if (l->zero_extend) {
		*lg_gpr(r, l->reg) = val;
		return;
	}
	/* r8: %al, %cl, %dl, %bl, then %ah, %ch, %dh, %bh. */
	reg = lg_gpr(r, l->reg & 3);
	if (l->reg < 4)
		*reg = (*reg & ~0xFFu) | val;
	else
		*reg = (*reg & ~0xFF00u) | ((u32)val << 8);
}

/*
 * A page fault on device memory at guest-physical gpa: a read of a byte
 * the Launcher named, by an instruction we know, we answer; the rest is
 * an exit.  So is the read while we hold port writes (H310): they came
 * first and may change what it reads (a device reset clears the ISR), so
 * the Launcher must see them before anything else of the device does.
 */
void lg_device_access(struct lg_cpu *cpu, u32 gpa)
{
	const struct lg_isr *isr = isr_at(cpu->lg, gpa);
	struct lg_isr_load load;
	u8 val;

	if (!isr || cpu->nr_held || (cpu->regs.errcode & X86_PF_WRITE) ||
	    (cpu->regs.cs & 3) != 1) {
		lg_exit_to_launcher(cpu, 14, gpa);
		return;
	}
	BUILD_BUG_ON(sizeof(cpu->pending.insn) != LG_ISR_INSN_MAX);
	lg_fetch_insn(cpu, cpu->pending.insn, sizeof(cpu->pending.insn));
	if (!lg_decode_isr_load(cpu->pending.insn, &load) || !target_ok(&load) ||
	    !take_isr_byte(isr->uaddr, &val)) {
		lg_exit_fetched(cpu, 14, gpa);
		return;
	}
	put_loaded_byte(&cpu->regs, &load, val);
	cpu->stats.isr_reads++;
	lg_step_past(cpu, load.len);
}
