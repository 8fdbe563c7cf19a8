/* SPDX-License-Identifier: GPL-2.0 */
/*
 * processor.h - the few i386 instructions we wrap.
 *
 * Port I/O is not ours to do at ring 1 (IOPL is 0): every in/out faults with
 * #GP and error code 0, the Host hands it to the Launcher, which emulates it.
 * We only use the register forms the Launcher decodes (ABI.md section 10):
 * "out %eax/%al, (%dx)" and "in (%dx), %eax".  The ports we use are all above
 * 0xFF, so the "Nd" constraint always picks %dx.
 */
#ifndef PROCESSOR_H
#define PROCESSOR_H

#include "libguest.h"

static inline void outl(u16 port, u32 val)
{
	asm volatile("outl %0, %w1" : : "a"(val), "Nd"(port));
}

static inline void outb(u16 port, u8 val)
{
	asm volatile("outb %b0, %w1" : : "a"(val), "Nd"(port));
}

static inline u32 inl(u16 port)
{
	u32 val;

	asm volatile("inl %w1, %0" : "=a"(val) : "Nd"(port));
	return val;
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

static inline u16 read_cs(void)
{
	u16 cs;

	asm volatile("movw %%cs, %0" : "=rm"(cs));
	return cs;
}

static inline u16 read_fs(void)
{
	u16 fs;

	asm volatile("movw %%fs, %0" : "=rm"(fs));
	return fs;
}

/*
 * "lar" and "lsl" read a descriptor's access rights and limit through the
 * CPU's own privilege checks, so they show what the Host really put in the
 * GDT.  Neither is privileged (UMIP covers only the s*dt/sldt/str/smsw
 * family).  They return false when the CPU refuses the selector.
 */
static inline bool lar(u32 sel, u32 *ar)
{
	u32 val = 0;
	bool ok;

	asm volatile("larl %2, %0\n\tsetz %1" : "+r"(val), "=qm"(ok) : "r"(sel) : "cc");
	*ar = val;
	return ok;
}

static inline bool lsl(u32 sel, u32 *limit)
{
	u32 val = 0;
	bool ok;

	asm volatile("lsll %2, %0\n\tsetz %1" : "+r"(val), "=qm"(ok) : "r"(sel) : "cc");
	*limit = val;
	return ok;
}

/* Descriptor fields as "lar" returns them (bits 8-15 of the descriptor's high word). */
#define AR_ACCESSED		(1u << 8)
#define AR_CODE			(1u << 11)
#define AR_DPL(ar)		(((ar) >> 13) & 3)
#define AR_PRESENT		(1u << 15)

#endif /* PROCESSOR_H */
