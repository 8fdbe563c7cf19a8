// SPDX-License-Identifier: GPL-2.0
/*
 * gdt.c - what the Host made of the 32 GDT entries guest_setup() loaded.
 * "lar" reads an entry's access rights through the CPU's own checks, so it
 * shows the real GDT, not our copy of what we asked for.  (Entries we load
 * as zero are not checked: the Host keeps a non-present entry as it is,
 * and "lar" accepts a zero descriptor.)
 */
#include "lib/libguest.h"
#include "lib/hcall.h"
#include "lib/processor.h"
#include "tests.h"

#define SEL(entry, rpl)		((entry) << 3 | (rpl))

void test_gdt(void)
{
	u32 ar = 0;
	bool ok;

	report(read_cs() == LGUEST_GUEST_CS, "we run with CS 0x61 (ring 1)");

	ok = lar(LGUEST_GUEST_CS, &ar);
	report(ok && AR_DPL(ar) == 1, "a DPL 0 entry is demoted to ring 1");
	report(ok && (ar & AR_ACCESSED), "the accessed bit is forced on");

	ok = lar(LGUEST_USER_CS, &ar);
	report(ok && AR_DPL(ar) == 3 && (ar & AR_CODE), "the user code entry keeps DPL 3");

	ok = lar(LGUEST_USER_DS, &ar);
	report(ok && AR_DPL(ar) == 3 && !(ar & AR_CODE), "the user data entry keeps DPL 3");

	/*
	 * Entry 10 is the Host's own code segment (DPL 0).  Our attempt to put a
	 * DPL 3 data segment there must be ignored: if it took, "lar" from ring
	 * 1 would suddenly succeed on it.
	 */
	hcall3(LHCALL_LOAD_GDT_ENTRY, LGUEST_GDT_HOST_CS, 0x0000FFFF, 0x00CFF200);
	report(!lar(SEL(LGUEST_GDT_HOST_CS, 3), &ar),
	       "LOAD_GDT_ENTRY cannot replace the Host's entry 10");
}
