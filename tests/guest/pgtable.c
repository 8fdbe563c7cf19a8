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

static bool reads_at(u32 va, u32 expect)
{
	u32 val = 0;

	if (probe_read(va, &val) && val == expect)
		return true;
	report_info("read %#x at %#x (expected %#x), exception %d",
		    val, va, expect, (int)last_ex.vector);
	return false;
}

static bool reads(u32 expect)
{
	return reads_at(VA, expect);
}

/*
 * A kernel address, mapped through a page table both our tables share
 * (pt_clone shares page tables), as Linux shares its kernel mappings.  The
 * Host may shadow such mappings once for all of our tables, as a CPU keeps
 * global TLB entries across a %cr3 switch; what it must never do is keep
 * one after we told it, through whichever table, that it changed.
 */
#define KVA	PGTABLE_KERNEL_VA

static void test_kernel_mappings(void)
{
	u32 *page_k = page_with(0xEEEE0005), *page_l = page_with(0xFFFF0006);
	u32 *page_m = page_with(0x99990007);
	struct pgtable second;
	bool ok;

	pt_map(&kernel_pgt, KVA, page_pa(page_k), PTE_P | PTE_RW);
	pt_clone(&second, &kernel_pgt);
	ok = reads_at(KVA, 0xEEEE0005);
	pt_load(&second);
	report(ok && reads_at(KVA, 0xEEEE0005),
	       "a kernel mapping reads the same through two page tables");

	/* Changed with SET_PTE naming the other table, while we run on this one. */
	pt_set(&kernel_pgt, KVA, page_pa(page_l) | PTE_P | PTE_RW);
	ok = reads_at(KVA, 0xFFFF0006);
	pt_load(&kernel_pgt);
	report(ok && reads_at(KVA, 0xFFFF0006),
	       "SET_PTE of a kernel mapping through one table changes it in both");

	/* Changed behind the Host's back, then FLUSH_TLB(1) from the other table. */
	pt_load(&second);
	write_pte(pt_lookup(&second, KVA, false), page_pa(page_m) | PTE_P | PTE_RW);
	hcall1(LHCALL_FLUSH_TLB, 1);
	ok = reads_at(KVA, 0x99990007);
	pt_load(&kernel_pgt);
	report(ok && reads_at(KVA, 0x99990007),
	       "FLUSH_TLB(1) picks up a changed kernel PTE in every table");

	pt_unmap(&kernel_pgt, KVA);
	pt_load(&second);
	ok = !probe_read(KVA, &(u32){ 0 }) && last_ex.vector == PF_VECTOR && last_ex.cr2 == KVA;
	pt_load(&kernel_pgt);
	report(ok, "a kernel page unmapped through one table faults through the other");
}

/*
 * A Host may shadow PTEs nothing has touched yet, as a CPU may cache them
 * (lg.ko shadows the rest of a 64 KiB group when it fixes one fault), but
 * only as the CPU would: never an entry whose Accessed bit is clear, which
 * the CPU would have to set, and never one writable before its Dirty bit
 * is set, which the first write must do.  Entries written behind the
 * Host's back, then FLUSH_TLB(0), so that none is shadowed beforehand.
 */
#define AVA(n)	(AROUND_TEST_VA + (n) * PAGE_SIZE)
#define PTE_A	0x020u
#define PTE_D	0x040u

static pte_t *around_pte(unsigned int n)
{
	return pt_lookup(&kernel_pgt, AVA(n), false);
}

static void test_fault_around(void)
{
	u32 *pages[4];
	unsigned int i;
	bool ok;

	for (i = 0; i < 4; i++)
		pages[i] = page_with(0xA0000000 + i);
	pt_map(&kernel_pgt, AVA(0), page_pa(pages[0]), PTE_P | PTE_RW);
	write_pte(around_pte(0), page_pa(pages[0]) | PTE_P | PTE_RW | PTE_A | PTE_D);
	write_pte(around_pte(1), page_pa(pages[1]) | PTE_P | PTE_RW);
	write_pte(around_pte(2), page_pa(pages[2]) | PTE_P | PTE_RW | PTE_A);
	write_pte(around_pte(3), page_pa(pages[3]) | PTE_P | PTE_A | PTE_D);
	/* Beyond our memory: a Host that shadowed it would kill us for it. */
	write_pte(around_pte(4), 0xFFFF0000u | PTE_P | PTE_RW | PTE_A | PTE_D);
	hcall1(LHCALL_FLUSH_TLB, 0);

	ok = reads_at(AVA(0), 0xA0000000);
	report(ok && !(*around_pte(1) & PTE_A),
	       "a fault beside an entry with Accessed clear leaves it clear");
	report(reads_at(AVA(2), 0xA0000002) && !(*around_pte(2) & PTE_D),
	       "reading a clean neighbour leaves its Dirty bit clear");
	ok = probe_write(AVA(2), 0xA0000022);
	report(ok && *pages[2] == 0xA0000022 && (*around_pte(2) & PTE_D),
	       "the first write to a clean neighbour still sets its Dirty bit");
	ok = !probe_write(AVA(3), 0);
	report(ok && last_ex.vector == PF_VECTOR &&
	       last_ex.error_code == (PF_PRESENT | PF_WRITE) && last_ex.cr2 == AVA(3) &&
	       *pages[3] == 0xA0000003,
	       "a read-only neighbour stays read-only");
	report(reads_at(AVA(1), 0xA0000001) && (*around_pte(1) & PTE_A),
	       "touching the untouched neighbour sets its Accessed bit");
	for (i = 0; i < 5; i++)
		write_pte(around_pte(i), 0);
	hcall1(LHCALL_FLUSH_TLB, 0);
}

/*
 * One page mapped at more addresses than we have pages of RAM (64 MiB):
 * one page table whose every entry (present, accessed, dirty) is that
 * page, under enough directory entries for 20480 mappings, as a hostile
 * Guest would build it.  The Host's fault-around shadows them sixteen at
 * a time.  It must all read the same, and the Host must pin the page
 * once, not once per mapping, or a Guest could overflow the page's
 * reference count (the VM test checks --stats pins_peak against our RAM).
 */
#define ALIASES		20480u
#define ALIAS_VA(n)	(ALIAS_TEST_VA + (n) * PAGE_SIZE)
#define TABLE_PTES	(PAGE_SIZE / sizeof(pte_t))

static void test_one_page_everywhere(void)
{
	u32 *page = page_with(0x5A5A0009);
	pte_t *table = alloc_page();
	unsigned int i, wrong = 0;

	for (i = 0; i < TABLE_PTES; i++)
		table[i] = page_pa(page) | PTE_P | PTE_RW | PTE_A | PTE_D;
	/* A directory for the range first, then our table in each entry. */
	pt_lookup(&kernel_pgt, ALIAS_VA(0), true);
	for (i = 0; i < ALIASES; i += TABLE_PTES)
		pt_replace_table(&kernel_pgt, ALIAS_VA(i), table);
	for (i = 0; i < ALIASES; i++) {
		u32 val = 0;

		if (!probe_read(ALIAS_VA(i), &val) || val != 0x5A5A0009)
			wrong++;
	}
	report(!wrong, "one page mapped at %u addresses reads the same at each (%u did not)",
	       ALIASES, wrong);
	report(probe_write(ALIAS_VA(ALIASES - 1), 0x5A5A0019) && *page == 0x5A5A0019 &&
	       reads_at(ALIAS_VA(0), 0x5A5A0019),
	       "a write through its last mapping reads back through its first");
	for (i = 0; i < ALIASES; i += TABLE_PTES)
		pt_set_dir(&kernel_pgt, ALIAS_VA(i), 0);
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

	test_kernel_mappings();
	test_fault_around();
	test_one_page_everywhere();
}
