/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmu.h - page tables in the Host's format: 2-level 32-bit entries for a
 * 686 Host, 3-level PAE (PDPT, page directories, 64-bit entries) with
 * CONFIG_PAE for a 686-pae Host.  The Host shadows them, so every change to
 * a table it may have loaded must be told to it (ABI.md section 1):
 * SET_PTE for an entry, SET_PGD (2-level) or SET_PMD (PAE) for a directory
 * entry, or a FLUSH_TLB.
 */
#ifndef MMU_H
#define MMU_H

#include "libguest.h"

#ifdef CONFIG_PAE
typedef u64 pte_t;
#define PAGING_NAME	"PAE"
#else
typedef u32 pte_t;
#define PAGING_NAME	"2-level"
#endif

#define PTE_P		0x001u
#define PTE_RW		0x002u
#define PTE_U		0x004u
#ifdef CONFIG_PAE
#define PTE_NX		(1ULL << 63)	/* no instruction fetch: PAE entries only */
#endif

/* A top-level table: virtual address for us, guest-physical for the Host. */
struct pgtable {
	pte_t *top;
	u32 top_pa;
};

/* The boot page tables of entry.c, which the kernel runs on. */
extern struct pgtable kernel_pgt;

static inline u32 pte_lo(pte_t pte)
{
	return (u32)pte;
}

static inline u32 pte_hi(pte_t pte)
{
#ifdef CONFIG_PAE
	return (u32)(pte >> 32);
#else
	(void)pte;
	return 0;
#endif
}

/*
 * With PAE an entry is two words.  Writing the high word first means a
 * present bit never shows with a stale address above it.
 */
static inline void write_pte(pte_t *ptep, pte_t pte)
{
#ifdef CONFIG_PAE
	u32 *w = (u32 *)ptep;

	WRITE_ONCE(w[1], pte_hi(pte));
	barrier();
	WRITE_ONCE(w[0], pte_lo(pte));
#else
	WRITE_ONCE(*ptep, pte);
#endif
}

void mmu_init(void);
void *alloc_page(void);
static inline u32 page_pa(const void *page)
{
	return __pa(page);
}

pte_t *pt_lookup(struct pgtable *pgt, u32 va, bool alloc);
void pt_map(struct pgtable *pgt, u32 va, u32 pa, u32 flags);
void pt_set(struct pgtable *pgt, u32 va, pte_t pte);
void pt_unmap(struct pgtable *pgt, u32 va);
void pt_replace_table(struct pgtable *pgt, u32 va, void *table);
void pt_set_dir(struct pgtable *pgt, u32 va, pte_t entry);
void pt_clone(struct pgtable *dst, const struct pgtable *src);
void pt_load(const struct pgtable *pgt);

#endif /* MMU_H */
