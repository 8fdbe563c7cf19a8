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
 */
#define FPU_EXITS	200

static void test_state_survives(void)
{
	s32 mine = lguest_data.time.tv_nsec | 1, back = 0;
	unsigned int i;

	asm volatile("fninit\n\tfildl %0" : : "m"(mine) : "memory");
	for (i = 0; i < FPU_EXITS; i++)
		hcall0(LHCALL_FLUSH_ASYNC);
	asm volatile("fistpl %0" : "=m"(back) : : "memory");
	report(back == mine, "x87 registers survive %u exits to the Host", FPU_EXITS);
	if (back != mine)
		report_info("loaded %d, read back %d", mine, back);
}

void test_fpu(void)
{
	test_ts();
	test_state_survives();
}
