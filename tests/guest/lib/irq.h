/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irq.h - virtual interrupts.  The Guest never executes cli, sti or popf:
 * at ring 1 with IOPL 0 they would fault or do nothing.  "Interrupts on"
 * is lguest_data.irq_enabled = X86_EFLAGS_IF, and the Host looks there
 * before it delivers anything (ABI.md section 6).
 */
#ifndef IRQ_H
#define IRQ_H

#include "libguest.h"

void irq_disable(void);
void irq_enable(void);
void irq_unmask(unsigned int irq);
void irq_mask(unsigned int irq);

static inline u32 irq_enabled(void)
{
	return READ_ONCE(lguest_data.irq_enabled);
}

#endif /* IRQ_H */
