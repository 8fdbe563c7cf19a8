// SPDX-License-Identifier: GPL-2.0
/*
 * pf.c - page faults the Host reflects to us, with the faulting address in
 * lguest_data.cr2 and the hardware's error code, and the retried access
 * succeeding once our handler has fixed the page table.
 */
#include "lib/libguest.h"
#include "lib/desc.h"
#include "lib/mmu.h"
#include "tests.h"

/* The one page the handler will map, how, and how often it did. */
static struct {
	u32 va, pa, flags;
	unsigned int fixes;
} fix;

/*
 * Map the expected page and return to the faulting instruction, once; any
 * other fault (or the same one again) goes on to the ASM_TRY fixup.
 */
static bool pf_fix(struct ex_regs *regs)
{
	if (from_user(regs) || !fix.va || (last_ex.cr2 & PAGE_MASK) != fix.va)
		return false;
	pt_map(&kernel_pgt, fix.va, fix.pa, fix.flags);
	fix.va = 0;
	fix.fixes++;
	return true;
}

static void expect_fault(u32 va, u32 pa, u32 flags)
{
	fix.va = va & PAGE_MASK;
	fix.pa = pa;
	fix.flags = flags;
	fix.fixes = 0;
}

static bool fixed_once(void)
{
	return fix.fixes == 1 && last_ex.vector == PF_VECTOR;
}

/* A write to a page nobody mapped: not present, write, supervisor. */
static void test_write_unmapped(void)
{
	u32 *page = alloc_page(), count = last_ex.count;
	u32 va = PF_TEST_VA;
	bool done;

	expect_fault(va, page_pa(page), PTE_P | PTE_RW);
	done = probe_write(va, 0x5A5AA5A5);
	report(fixed_once() && last_ex.error_code == PF_WRITE,
	       "a ring-1 write to an unmapped page faults with error code 2");
	report(last_ex.cr2 == va, "cr2 holds the faulting address");
	report(done && *page == 0x5A5AA5A5 && last_ex.count == count + 1,
	       "the write is retried and lands once the handler maps the page");
}

/* A read, at an address that is not page aligned: error code 0. */
static void test_read_unmapped(void)
{
	u32 *page = alloc_page(), val = 0;
	u32 va = PF_TEST_VA + PAGE_SIZE + 0x124;
	bool done;

	page[0x124 / 4] = 0x600DCAFE;
	expect_fault(va, page_pa(page), PTE_P | PTE_RW);
	done = probe_read(va, &val);
	report(fixed_once() && last_ex.error_code == 0 && last_ex.cr2 == va,
	       "a read of an unmapped page faults with error code 0 and the exact cr2");
	report(done && val == 0x600DCAFE, "the retried read sees the newly mapped page");
}

/*
 * A write to a read-only page: present, write.  We read the page first so
 * that the Host has it mapped and the CPU itself reports "present".
 */
static void test_write_readonly(void)
{
	u32 *page = alloc_page(), val = 0;
	u32 va = PF_TEST_VA + 2 * PAGE_SIZE;
	bool readable, done;

	*page = 0x0DDBA11;
	pt_map(&kernel_pgt, va, page_pa(page), PTE_P);
	readable = probe_read(va, &val) && val == 0x0DDBA11;
	report(readable, "a read-only page can be read");

	expect_fault(va, page_pa(page), PTE_P | PTE_RW);
	done = probe_write(va, 0xFEEDF00D);
	report(fixed_once() && last_ex.error_code == (PF_PRESENT | PF_WRITE) &&
	       last_ex.cr2 == va, "a write to it faults with error code 3");
	report(done && *page == 0xFEEDF00D, "after SET_PTE makes it writable the write lands");
}

void test_pf(void)
{
	trap_handler_t old = handle_exception(PF_VECTOR, pf_fix);

	test_write_unmapped();
	test_read_unmapped();
	test_write_readonly();
	fix.va = 0;
	handle_exception(PF_VECTOR, old);
}
