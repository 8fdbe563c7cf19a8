// SPDX-License-Identifier: GPL-2.0
/*
 * async.c - the asynchronous hypercall ring inside lguest_data.
 */
#include "libguest.h"
#include "hcall.h"

/*> T140
 * 64 slots, used in order.  We keep our own index of the next slot and so
 * does the Host; both start at 0.  To queue a call we fill the slot's
 * arguments, make sure those stores are out before the status byte, then
 * mark it 0 ("please run").  The Host runs queued slots from its index
 * onward, writing 0xFF back, whenever we make a hypercall.  A slot that is
 * still 0 means the ring is full: then we make this call synchronously,
 * which also makes the Host empty the ring first, and keep our index, since
 * the Host's has come round to the same place.
 */
static unsigned int next_slot;

void async_hcall(u32 call, u32 arg1, u32 arg2, u32 arg3, u32 arg4)
{
	struct hcall_args *slot = &lguest_data.hcalls[next_slot];

	if (READ_ONCE(lguest_data.hcall_status[next_slot]) != LHCALL_SLOT_FREE) {
		hcall(call, arg1, arg2, arg3, arg4);
		return;
	}
	slot->arg0 = call;
	slot->arg1 = arg1;
	slot->arg2 = arg2;
	slot->arg3 = arg3;
	slot->arg4 = arg4;
	/* x86 keeps stores in order; the compiler must too. */
	barrier();
	WRITE_ONCE(lguest_data.hcall_status[next_slot], LHCALL_SLOT_QUEUED);
	next_slot = (next_slot + 1) % LHCALL_RING_SIZE;
}

unsigned int async_ring_next(void)
{
	return next_slot;
}
