/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hcall.h - hypercalls: "int $0x1f", the call number in %eax, up to four
 * arguments in %ebx, %ecx, %edx and %esi, a result (if any) back in %eax
 * (ABI.md section 1).  The Host leaves every other register alone; hcall.c
 * checks that, the wrapper relies on it.
 */
#ifndef HCALL_H
#define HCALL_H

#include "libguest.h"

static inline u32 hcall(u32 call, u32 arg1, u32 arg2, u32 arg3, u32 arg4)
{
	asm volatile("int $" __stringify(LGUEST_TRAP_ENTRY)
		     : "+a"(call)
		     : "b"(arg1), "c"(arg2), "d"(arg3), "S"(arg4)
		     : "memory");
	return call;
}

#define hcall0(call)			hcall(call, 0, 0, 0, 0)
#define hcall1(call, a1)		hcall(call, a1, 0, 0, 0)
#define hcall2(call, a1, a2)		hcall(call, a1, a2, 0, 0)
#define hcall3(call, a1, a2, a3)	hcall(call, a1, a2, a3, 0)

/* async.c: the ring of ABI.md section 4. */
void async_hcall(u32 call, u32 arg1, u32 arg2, u32 arg3, u32 arg4);
unsigned int async_ring_next(void);

#endif /* HCALL_H */
