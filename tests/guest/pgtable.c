// SPDX-License-Identifier: GPL-2.0
/*
 * pgtable.c - two page tables that map one address to different pages,
 * NEW_PGTABLE between them, and the three ways of telling the Host about a
 * change to a table it shadows: SET_PTE, SET_PGD (SET_PMD with PAE) and
 * FLUSH_TLB.
 *
 * The address is below KERNEL_OFFSET: kernel mappings are the same in every
 * page table of a Linux Guest and a Host may rely on that, but the lower
 * part is each table's own (with the user bit clear, it is still ours only).
 */
#include "lib/libguest.h"
#include "lib/hcall.h"
#include "lib/desc.h"
#include "lib/mmu.h"
#include "tests.h"

#define VA	PGTABLE_TEST_VA

/* A fresh page holding one recognisable word. */
static u32 *page_with(u32 val)
{
	u32 *page = alloc_page();

	*page = val;
	return page;
}

static bool reads(u32 expect)
{
	u32 val = 0;

	if (probe_read(VA, &val) && val == expect)
		return true;
	report_info("read %#x at %#x (expected %#x), exception %d",
		    val, VA, expect, (int)last_ex.vector);
	return false;
}

void test_pgtable(void)
{
	u32 *page_a = page_with(0xAAAA0001), *page_b = page_with(0xBBBB0002);
	u32 *page_c = page_with(0xCCCC0003), *page_d = page_with(0xDDDD0004);
	struct pgtable second;
	pte_t *table;
	bool ok;

	/* Clone first, so that each gets a page table of its own for VA. */
	pt_clone(&second, &kernel_pgt);
	pt_map(&kernel_pgt, VA, page_pa(page_a), PTE_P | PTE_RW);
	pt_map(&second, VA, page_pa(page_b), PTE_P | PTE_RW);

	ok = reads(0xAAAA0001);
	pt_load(&second);
	report(ok && reads(0xBBBB0002),
	       "after NEW_PGTABLE one address reads the other table's page");
	report(probe_write(VA, 0xBBBB0022) && *page_b == 0xBBBB0022,
	       "writes under the second table reach its page");
	pt_load(&kernel_pgt);
	report(reads(0xAAAA0001), "NEW_PGTABLE back restores the first mapping");
	pt_load(&second);
	ok = reads(0xBBBB0022);
	pt_load(&kernel_pgt);
	report(ok, "each table keeps its own mapping across switches");

	/* Change the PTE behind the Host's back, then make it forget. */
	write_pte(pt_lookup(&kernel_pgt, VA, false), page_pa(page_c) | PTE_P | PTE_RW);
	hcall1(LHCALL_FLUSH_TLB, 0);
	report(reads(0xCCCC0003), "FLUSH_TLB(0) picks up a changed PTE below the kernel");

	/* A whole new page table under the same directory entry. */
	table = alloc_page();
	table[(VA >> 12) % (PAGE_SIZE / sizeof(pte_t))] = page_pa(page_d) | PTE_P | PTE_RW;
	pt_replace_table(&kernel_pgt, VA, table);
	report(reads(0xDDDD0004), "a replaced page table takes effect after SET_PGD/SET_PMD");

	pt_unmap(&kernel_pgt, VA);
	ok = !probe_read(VA, &(u32){ 0 });
	report(ok && last_ex.vector == PF_VECTOR && last_ex.error_code == 0 &&
	       last_ex.cr2 == VA, "SET_PTE with an empty entry unmaps the page");
}
