// SPDX-License-Identifier: GPL-2.0
/*
 * mmu.c - building and changing page tables, in the Host's format.
 *
 * Page tables hold guest-physical addresses.  All the pages we use for them
 * come from a pool inside our image, which the kernel map covers, so
 * __va()/__pa() convert between what we dereference and what we store.
 */
#include "libguest.h"
#include "hcall.h"
#include "mmu.h"

#ifdef CONFIG_PAE
#define PD_SHIFT	21
#else
#define PD_SHIFT	22
#endif
#define PTRS_PER_TABLE	(PAGE_SIZE / sizeof(pte_t))
#define PD_INDEX(va)	(((va) >> PD_SHIFT) % PTRS_PER_TABLE)
#define PT_INDEX(va)	(((va) >> 12) % PTRS_PER_TABLE)
#define PDPT_INDEX(va)	((va) >> 30)
#define PDPT_ENTRIES	4

#define POOL_PAGES	56

static u8 page_pool[POOL_PAGES][PAGE_SIZE] __aligned(PAGE_SIZE);
static unsigned int pool_used;

extern pte_t boot_pgdir[];
struct pgtable kernel_pgt;

void mmu_init(void)
{
	kernel_pgt.top = boot_pgdir;
	kernel_pgt.top_pa = __pa(boot_pgdir);
}

void *alloc_page(void)
{
	void *page;

	if (pool_used == POOL_PAGES)
		report_abort("out of page-table pool pages");
	page = page_pool[pool_used++];
	memset(page, 0, PAGE_SIZE);
	return page;
}

static inline void *table_va(pte_t entry)
{
	return __va((u32)entry & PAGE_MASK);
}

/*
 * Directory entries get the user bit below the kernel: whether a page is
 * reachable from ring 3 is then up to its PTE alone.
 */
static u32 dir_flags(u32 va)
{
	return va < KERNEL_OFFSET ? PTE_P | PTE_RW | PTE_U : PTE_P | PTE_RW;
}

/*
 * The page directory covering va.  Without PAE that is the top level; with
 * PAE one of four, found (or made) through the PDPT, whose entries carry no
 * flag but "present".
 */
static pte_t *pd_of(struct pgtable *pgt, u32 va, bool alloc)
{
#ifdef CONFIG_PAE
	pte_t *pdpte = &pgt->top[PDPT_INDEX(va)];

	if (!(*pdpte & PTE_P)) {
		if (!alloc)
			return NULL;
		write_pte(pdpte, page_pa(alloc_page()) | PTE_P);
		hcall2(LHCALL_SET_PGD, pgt->top_pa & ~0x1Fu, PDPT_INDEX(va));
	}
	return table_va(*pdpte);
#else
	(void)va;
	(void)alloc;
	return pgt->top;
#endif
}

/*
 * Tell the Host that entry idx of a page directory changed, as a Linux
 * Guest's set_pmd() does: SET_PGD names the top level without PAE, SET_PMD
 * names the directory page with PAE.
 */
static void dir_changed(struct pgtable *pgt, pte_t *pd, unsigned int idx)
{
#ifdef CONFIG_PAE
	(void)pgt;
	hcall2(LHCALL_SET_PMD, page_pa(pd), idx);
#else
	(void)pd;
	hcall2(LHCALL_SET_PGD, pgt->top_pa, idx);
#endif
}

/* The PTE for va, making the page table that holds it if asked to. */
pte_t *pt_lookup(struct pgtable *pgt, u32 va, bool alloc)
{
	pte_t *pd = pd_of(pgt, va, alloc);
	unsigned int idx = PD_INDEX(va);
	pte_t *pt;

	if (!pd)
		return NULL;
	if (!(pd[idx] & PTE_P)) {
		if (!alloc)
			return NULL;
		write_pte(&pd[idx], page_pa(alloc_page()) | dir_flags(va));
		dir_changed(pgt, pd, idx);
	}
	pt = table_va(pd[idx]);
	return &pt[PT_INDEX(va)];
}

/*
 * Store a whole entry (flags above bit 31 too, with PAE) and tell the Host;
 * SET_PTE names the top level.
 */
void pt_set(struct pgtable *pgt, u32 va, pte_t pte)
{
	write_pte(pt_lookup(pgt, va, true), pte);
	hcall(LHCALL_SET_PTE, pgt->top_pa, va, pte_lo(pte), pte_hi(pte));
}

/* Map one page. */
void pt_map(struct pgtable *pgt, u32 va, u32 pa, u32 flags)
{
	pt_set(pgt, va, (pa & PAGE_MASK) | flags);
}

/* An empty PTE through SET_PTE is also how a Guest drops a single page. */
void pt_unmap(struct pgtable *pgt, u32 va)
{
	pte_t *ptep = pt_lookup(pgt, va, false);

	if (ptep)
		write_pte(ptep, 0);
	hcall(LHCALL_SET_PTE, pgt->top_pa, va, 0, 0);
}

/* Store a whole directory entry for va, whatever it holds, and tell the Host. */
void pt_set_dir(struct pgtable *pgt, u32 va, pte_t entry)
{
	pte_t *pd = pd_of(pgt, va, false);
	unsigned int idx = PD_INDEX(va);

	if (!pd)
		report_abort("pt_set_dir: no directory for %#x", va);
	write_pte(&pd[idx], entry);
	dir_changed(pgt, pd, idx);
}

/* Point the directory entry covering va at another page table. */
void pt_replace_table(struct pgtable *pgt, u32 va, void *table)
{
	pt_set_dir(pgt, va, page_pa(table) | dir_flags(va));
}

/*
 * A second top level that maps what src maps today.  Page tables are
 * shared, directories are not: a page table that either one creates later
 * is its own, so the two can map one address differently.
 */
void pt_clone(struct pgtable *dst, const struct pgtable *src)
{
	pte_t *top = alloc_page();
#ifdef CONFIG_PAE
	unsigned int i;

	for (i = 0; i < PDPT_ENTRIES; i++) {
		void *pd;

		if (!(src->top[i] & PTE_P))
			continue;
		pd = alloc_page();
		memcpy(pd, table_va(src->top[i]), PAGE_SIZE);
		write_pte(&top[i], page_pa(pd) | PTE_P);
	}
#else
	memcpy(top, src->top, PAGE_SIZE);
#endif
	dst->top = top;
	dst->top_pa = page_pa(top);
}

/* Our "write to %cr3". */
void pt_load(const struct pgtable *pgt)
{
	hcall1(LHCALL_NEW_PGTABLE, pgt->top_pa);
}
