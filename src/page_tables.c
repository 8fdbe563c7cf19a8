// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow page tables.
 *
 * The Guest keeps page tables of its own, in its own memory, in the Host's
 * format (two-level on a 686 Host, PAE on 686-pae).  The CPU never sees them.
 * It walks *shadow* tables that we build from them on demand: each entry
 * points at the Host page behind a guest-physical page and carries no more
 * permission than the Guest's entry grants.  The Guest tells us when it
 * changes its tables (SET_PTE, SET_PGD, SET_PMD, FLUSH_TLB, NEW_PGTABLE) and
 * we simply forget the affected shadow entries; the next access faults and
 * refills them.  A few shadow trees stay cached so that switching between
 * processes does not start from nothing.
 *
 * The top of the address space is ours: the Switcher's page-directory slots
 * point at per-CPU page tables that map its text and that CPU's two pages.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/trap_pf.h>
#include <asm/pgtable.h>
#include <asm/cpufeature.h>
#include "lg.h"
#include "compat/pin.h"

#define PTE_PRESENT	0x001
#define PTE_RW		0x002
#define PTE_USER	0x004
#define PTE_ACCESSED	0x020
#define PTE_DIRTY	0x040
#define PTE_LARGE	0x080
#ifdef CONFIG_X86_PAE
#define PTE_NX		(1ULL << 63)
#else
#define PTE_NX		0
#endif
/* NX, where the Host has it turned on (a PAE Host on a CPU without NX has not). */
static lg_pte_t pte_nx(void)
{
	return (lg_pte_t)(__supported_pte_mask & _PAGE_NX) ? PTE_NX : 0;
}
/* Intermediate shadow entries: permissions are decided at the last level. */
#define PDE_SHADOW	(PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED)

#define PTE_INDEX(va)	(((va) >> PAGE_SHIFT) & (LG_PTRS_PER_PAGE - 1))

/* ---- Shadow tree plumbing. */

static lg_pte_t *alloc_table(void)
{
	return (lg_pte_t *)get_zeroed_page(GFP_KERNEL);
}

static lg_pte_t *table_of(lg_pte_t entry)
{
	return __va((unsigned long)(entry & LG_PTE_FRAME_MASK));
}

/* The shadow entry that points at the page table covering @va. */
static lg_pte_t *pde_slot(struct lg_pgdir *pd, u32 va)
{
#ifdef CONFIG_X86_PAE
	return &pd->pmd[va >> 30][(va >> LG_PDE_SHIFT) & (LG_PTRS_PER_PAGE - 1)];
#else
	return &pd->top[va >> LG_PDE_SHIFT];
#endif
}

/* Drop one shadow PTE, and the pin on the page it mapped. */
static void release_pte(lg_pte_t *pte)
{
	if (*pte & PTE_PRESENT)
		lg_unpin_guest_page(pfn_to_page((unsigned long)(*pte >> PAGE_SHIFT)),
				    *pte & PTE_RW);
	*pte = 0;
}

static void release_pde(lg_pte_t *pde)
{
	lg_pte_t *ptes;
	unsigned int i;

	if (!(*pde & PTE_PRESENT))
		return;
	ptes = table_of(*pde);
	for (i = 0; i < LG_PTRS_PER_PAGE; i++)
		release_pte(&ptes[i]);
	free_page((unsigned long)ptes);
	*pde = 0;
}

/* Forget the shadow of [start, end), never touching the Switcher's slots. */
static void release_range(struct lg_pgdir *pd, unsigned long start,
			  unsigned long end)
{
	unsigned long va;

	end = min(end, lg_switcher_reserve_base);
	for (va = start & LG_PDE_MASK; va < end; va += LG_PDE_SIZE)
		release_pde(pde_slot(pd, va));
}

static void release_pgdir(struct lg_pgdir *pd)
{
	release_range(pd, 0, lg_switcher_reserve_base);
	pd->gpgdir = LG_NO_PGDIR;
}

/* The shadow PTE for @va, allocating its page table if asked to. */
static lg_pte_t *shadow_pte(struct lg_pgdir *pd, u32 va, bool alloc)
{
	lg_pte_t *pde = pde_slot(pd, va);

	if (!(*pde & PTE_PRESENT)) {
		lg_pte_t *ptes;

		if (!alloc)
			return NULL;
		ptes = alloc_table();
		if (!ptes)
			return NULL;
		*pde = __pa(ptes) | PDE_SHADOW;
	}
	return &table_of(*pde)[PTE_INDEX(va)];
}

static struct lg_pgdir *cur_pgdir(struct lg_cpu *cpu)
{
	return &cpu->lg->pgdirs[cpu->cur_pgdir];
}

int lg_pagetables_init(struct lguest *lg)
{
	unsigned int i;

	for (i = 0; i < LG_NR_PGDIRS; i++) {
		struct lg_pgdir *pd = &lg->pgdirs[i];

		pd->gpgdir = LG_NO_PGDIR;
		pd->top = alloc_table();
		if (!pd->top)
			return -ENOMEM;
#ifdef CONFIG_X86_PAE
		{
			unsigned int j;

			/* PDPT entries may hold only Present and the address. */
			for (j = 0; j < 4; j++) {
				pd->pmd[j] = alloc_table();
				if (!pd->pmd[j])
					return -ENOMEM;
				pd->top[j] = __pa(pd->pmd[j]) | PTE_PRESENT;
			}
		}
#endif
	}
	lg->cpu.cur_pgdir = 0;
	lg->cpu.linear = true;
	return 0;
}

/* Safe on a half-initialised Guest: every pointer may still be NULL. */
void lg_pagetables_free(struct lguest *lg)
{
	unsigned int i;

	for (i = 0; i < LG_NR_PGDIRS; i++) {
		struct lg_pgdir *pd = &lg->pgdirs[i];

		if (!pd->top)
			continue;
#ifdef CONFIG_X86_PAE
		{
			unsigned int j;

			/* A tree whose PMDs are not all there never held a PTE. */
			if (pd->pmd[0] && pd->pmd[1] && pd->pmd[2] && pd->pmd[3])
				release_pgdir(pd);
			for (j = 0; j < 4; j++) {
				if (pd->pmd[j])
					free_page((unsigned long)pd->pmd[j]);
				pd->pmd[j] = NULL;
			}
		}
#else
		release_pgdir(pd);
#endif
		free_page((unsigned long)pd->top);
		pd->top = NULL;
	}
}

/* ---- Reading the Guest's own page tables. */

static bool read_gentry(struct lguest *lg, u64 gpa, lg_pte_t *e)
{
	if (gpa >> 32 || lg_read(lg, e, gpa, sizeof(*e))) {
		kill_guest(lg, "page table entry at %#llx is outside guest memory",
			   gpa);
		return false;
	}
	return true;
}

/*
 * Walk the Guest's tables for @va.  Fills in the guest-physical address of
 * the PTE and its value, and what the levels on the way allow together: a
 * page is a user page, or writable, only if every level says so, and not
 * executable if any level says NX.  False if not present.
 */
struct gwalk {
	unsigned long pte_gpa;
	lg_pte_t pte;
	bool user;
	bool write;
	bool nx;
};

static bool walk_guest(struct lg_cpu *cpu, u32 va, struct gwalk *w)
{
	struct lguest *lg = cpu->lg;
	unsigned long gpgdir = cur_pgdir(cpu)->gpgdir;
	lg_pte_t e;

#ifdef CONFIG_X86_PAE
	if (!read_gentry(lg, gpgdir + (va >> 30) * 8, &e) || !(e & PTE_PRESENT))
		return false;
	if (!read_gentry(lg, (e & LG_PTE_FRAME_MASK) +
			 ((va >> LG_PDE_SHIFT) & 511) * 8, &e) ||
	    !(e & PTE_PRESENT))
		return false;
	if ((e & LG_PTE_FRAME_MASK) >> 32) {
		kill_guest(lg, "page table for %#x at guest-physical %#llx, beyond its memory",
			   va, (u64)(e & LG_PTE_FRAME_MASK));
		return false;
	}
	w->pte_gpa = (e & LG_PTE_FRAME_MASK) + PTE_INDEX(va) * 8;
#else
	if (!read_gentry(lg, gpgdir + (va >> LG_PDE_SHIFT) * 4, &e) ||
	    !(e & PTE_PRESENT))
		return false;
	w->pte_gpa = (e & LG_PTE_FRAME_MASK) + PTE_INDEX(va) * 4;
#endif
	if (e & PTE_LARGE) {
		kill_guest(lg, "large page for %#x: the guest cannot use PSE", va);
		return false;
	}
	w->user = e & PTE_USER;
	w->write = e & PTE_RW;
	w->nx = e & PTE_NX;
	if (!read_gentry(lg, w->pte_gpa, &w->pte) || !(w->pte & PTE_PRESENT))
		return false;
	w->user = w->user && (w->pte & PTE_USER);
	w->write = w->write && (w->pte & PTE_RW);
	w->nx = w->nx || (w->pte & PTE_NX);
	return true;
}

bool lg_guest_virt_to_phys(struct lg_cpu *cpu, u32 vaddr, unsigned long *gpa)
{
	struct gwalk w;

	if (cpu->linear) {
		*gpa = vaddr;
		return true;
	}
	if (!walk_guest(cpu, vaddr, &w))
		return false;
	*gpa = (unsigned long)(w.pte & LG_PTE_FRAME_MASK) | (vaddr & ~PAGE_MASK);
	return true;
}

/*> H400
 * A page fault.  If the Guest's own tables allow the access, we set the
 * Accessed (and for a write, Dirty) bits in its PTE as the CPU would have,
 * pin the Host page behind the guest-physical frame (compat/pin.h says
 * how, and why for writing), and install a shadow PTE.  A clean page is
 * mapped read-only even when the Guest allows writes, so that the first
 * write faults and marks it dirty.
 *
 * Returns false when the fault is the Guest's own: it gets it reflected.
 * That includes an instruction fetch its tables forbid: from an NX page,
 * or (the Host having SMEP, which applies to ring 1 too) from a user page
 * in its kernel.  Mapping those again would only fault again, for ever.
 */
bool lg_demand_page(struct lg_cpu *cpu, u32 vaddr, u32 errcode)
{
	struct lguest *lg = cpu->lg;
	bool write = errcode & X86_PF_WRITE;
	bool user = errcode & X86_PF_USER;
	bool fetch = errcode & X86_PF_INSTR;
	struct gwalk w;
	unsigned long gpa, pfn;
	struct page *page;
	lg_pte_t *spte, gflags;
	bool writable;

	if (vaddr >= lg_switcher_reserve_base)
		return false;

	if (cpu->linear) {
		/* Before its first page table the Guest sees its memory 1:1. */
		gpa = vaddr & PAGE_MASK;
		gflags = PTE_DIRTY;
		writable = true;
	} else {
		if (!walk_guest(cpu, vaddr, &w))
			return lg->dead;
		if ((write && !w.write) || (user && !w.user))
			return false;
		if (fetch && ((w.nx && pte_nx()) ||
			      (!user && w.user && boot_cpu_has(X86_FEATURE_SMEP))))
			return false;
		if (!(w.pte & PTE_ACCESSED) || (write && !(w.pte & PTE_DIRTY))) {
			w.pte |= PTE_ACCESSED | (write ? PTE_DIRTY : 0);
			if (lg_write(lg, w.pte_gpa, &w.pte, sizeof(w.pte)))
				return lg->dead;
		}
		if ((w.pte & LG_PTE_FRAME_MASK) >> 32) {
			kill_guest(lg, "access to %#x maps guest-physical %#llx, beyond its memory",
				   vaddr, (u64)(w.pte & LG_PTE_FRAME_MASK));
			return true;
		}
		gpa = (unsigned long)(w.pte & LG_PTE_FRAME_MASK);
		gflags = (w.user ? PTE_USER : 0) | (w.nx ? pte_nx() : 0);
		writable = w.write && (w.pte & PTE_DIRTY);
	}

	pfn = gpa >> PAGE_SHIFT;
	if (pfn >= lg->pfn_limit) {
		/* Device memory: the Launcher emulates the access. */
		if (pfn < lg->device_limit)
			lg_exit_to_launcher(cpu, 14, gpa | (vaddr & ~PAGE_MASK));
		else
			kill_guest(lg, "access to %#x maps guest-physical %#lx, beyond its memory",
				   vaddr, gpa);
		return true;
	}

	if (!lg_pin_guest_page(lg->mem_base + gpa, &page)) {
		kill_guest(lg, "guest page %#lx is not mapped writable by the Launcher",
			   gpa);
		return true;
	}

	spte = shadow_pte(cur_pgdir(cpu), vaddr, true);
	if (!spte) {
		lg_unpin_guest_page(page, false);
		kill_guest(lg, "out of memory for shadow page tables");
		return true;
	}
	release_pte(spte);
	*spte = ((lg_pte_t)page_to_pfn(page) << PAGE_SHIFT) | PTE_PRESENT |
		PTE_ACCESSED | PTE_DIRTY | (writable ? PTE_RW : 0) | gflags;
	return true;
}

/* ---- What the Guest tells us about its tables (hypercalls). */

static int find_pgdir(struct lguest *lg, unsigned long gpgdir)
{
	unsigned int i;

	for (i = 0; i < LG_NR_PGDIRS; i++)
		if (lg->pgdirs[i].gpgdir == gpgdir)
			return i;
	return -1;
}

static bool pgdir_ok(struct lguest *lg, unsigned long gpgdir)
{
#ifdef CONFIG_X86_PAE
	return !(gpgdir & 0x1f) && lg_range_ok(lg, gpgdir, 32);
#else
	return !(gpgdir & ~PAGE_MASK) && lg_range_ok(lg, gpgdir, PAGE_SIZE);
#endif
}

void lg_new_pgtable(struct lg_cpu *cpu, unsigned long gpgdir)
{
	struct lguest *lg = cpu->lg;
	int idx;

	if (!pgdir_ok(lg, gpgdir)) {
		kill_guest(lg, "bad page table address %#lx", gpgdir);
		return;
	}
	if (cpu->linear) {
		/* The 1:1 mappings of the start are not the Guest's: drop them. */
		release_pgdir(cur_pgdir(cpu));
		cpu->linear = false;
	}

	idx = find_pgdir(lg, gpgdir);
	if (idx < 0) {
		/* Not cached: recycle the next tree in turn, never the current. */
		idx = cpu->next_victim++ % LG_NR_PGDIRS;
		if (idx == cpu->cur_pgdir && lg->pgdirs[idx].gpgdir != LG_NO_PGDIR)
			idx = cpu->next_victim++ % LG_NR_PGDIRS;
		release_pgdir(&lg->pgdirs[idx]);
		lg->pgdirs[idx].gpgdir = gpgdir;
	}
	cpu->cur_pgdir = idx;
}

void lg_drop_all_shadows(struct lguest *lg)
{
	unsigned int i;

	for (i = 0; i < LG_NR_PGDIRS; i++)
		release_range(&lg->pgdirs[i], 0, lg_switcher_reserve_base);
}

void lg_flush_tlb(struct lg_cpu *cpu, bool kernel_too)
{
	if (kernel_too)
		lg_drop_all_shadows(cpu->lg);
	else
		release_range(cur_pgdir(cpu), 0, cpu->lg->kernel_address);
}

/*
 * Kernel mappings are shared by all of a Guest's page tables, so a change
 * above kernel_address affects every tree we cache; a user mapping only the
 * tree it belongs to.
 */
static bool affects(struct lguest *lg, struct lg_pgdir *pd,
		    unsigned long gpgdir, u32 vaddr)
{
	if (pd->gpgdir == LG_NO_PGDIR)
		return false;
	return vaddr >= lg->kernel_address || pd->gpgdir == gpgdir;
}

void lg_set_pte(struct lg_cpu *cpu, unsigned long gpgdir, u32 vaddr)
{
	struct lguest *lg = cpu->lg;
	unsigned int i;

	if (vaddr >= lg_switcher_reserve_base)
		return;
	for (i = 0; i < LG_NR_PGDIRS; i++) {
		lg_pte_t *spte;

		if (!affects(lg, &lg->pgdirs[i], gpgdir, vaddr))
			continue;
		spte = shadow_pte(&lg->pgdirs[i], vaddr, false);
		if (spte)
			release_pte(spte);
	}
}

void lg_set_pgd(struct lg_cpu *cpu, unsigned long gpgdir, u32 idx)
{
	struct lguest *lg = cpu->lg;
#ifdef CONFIG_X86_PAE
	unsigned long start = (unsigned long)(idx & 3) << 30;
	unsigned long span = 1UL << 30;
#else
	unsigned long start = (unsigned long)(idx & 1023) << LG_PDE_SHIFT;
	unsigned long span = LG_PDE_SIZE;
#endif
	unsigned int i;

	for (i = 0; i < LG_NR_PGDIRS; i++)
		if (affects(lg, &lg->pgdirs[i], gpgdir, start))
			release_range(&lg->pgdirs[i], start, start + span - 1);
}

/*
 * PAE only: one entry of a PMD page changed.  We don't know which of the
 * Guest's PDPT slots point at that page, so we look.
 */
void lg_set_pmd(struct lg_cpu *cpu, unsigned long gpmd, u32 idx)
{
#ifdef CONFIG_X86_PAE
	struct lguest *lg = cpu->lg;
	unsigned int i, slot;

	for (i = 0; i < LG_NR_PGDIRS; i++) {
		struct lg_pgdir *pd = &lg->pgdirs[i];

		if (pd->gpgdir == LG_NO_PGDIR)
			continue;
		for (slot = 0; slot < 4; slot++) {
			unsigned long va;
			lg_pte_t e;

			if (!read_gentry(lg, pd->gpgdir + slot * 8, &e))
				return;
			if (!(e & PTE_PRESENT) ||
			    (e & LG_PTE_FRAME_MASK) != (gpmd & PAGE_MASK))
				continue;
			va = ((unsigned long)slot << 30) |
			     ((unsigned long)(idx & 511) << LG_PDE_SHIFT);
			if (va < lg_switcher_reserve_base)
				release_pde(pde_slot(pd, va));
		}
	}
#else
	kill_guest(cpu->lg, "SET_PMD on a host without PAE");
#endif
}

/*> H410
 * The Switcher's own slots.  A Guest running on CPU n must see the Switcher
 * text (read-only), CPU n's regs page (writable) and state page (read-only),
 * and nothing else up there: no other CPU's pages, which would be a way to
 * write another CPU's ring-0 stack, and no host page.
 *
 * These pages can fall in several page-directory slots, and which slots
 * depends on where the kernel put them.  So we take the union of the slots
 * any CPU's pages touch, and give every CPU a page table of its own for
 * every one of them, holding that CPU's pages and the text and nothing else.
 * Before each entry all of those slots of the current shadow tree are
 * pointed at the running CPU's tables: whichever CPU the tree last ran on,
 * none of its pages remain.
 */
static unsigned int nr_switcher_slots;
static unsigned long *switcher_slot_va;	/* first address of each slot */
static lg_pte_t **switcher_ptes;	/* [cpu * nr_switcher_slots + slot] */

/* The slot covering @va, adding it to the union if it is new. */
static int switcher_slot(unsigned long va, bool add)
{
	unsigned int i;

	va &= LG_PDE_MASK;
	for (i = 0; i < nr_switcher_slots; i++)
		if (switcher_slot_va[i] == va)
			return i;
	if (!add)
		return -ENOENT;
	switcher_slot_va[nr_switcher_slots] = va;
	return nr_switcher_slots++;
}

static unsigned long switcher_cpu_page_va(unsigned int cpu, unsigned int which)
{
	return (unsigned long)lg_cpu_pages(cpu) + which * PAGE_SIZE;
}

/* Every slot the Switcher text or any CPU's Guest-visible pages touch. */
static void collect_switcher_slots(void)
{
	unsigned int cpu, i;

	for (i = 0; i < lg_switcher_text_count(); i++)
		switcher_slot(lg_switcher_text_addr() + i * PAGE_SIZE, true);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		switcher_slot(switcher_cpu_page_va(cpu, 0), true);
		switcher_slot(switcher_cpu_page_va(cpu, 1), true);
	}
}

static void map_switcher_page(unsigned int cpu, unsigned long va,
			      unsigned long pfn, lg_pte_t flags)
{
	lg_pte_t *ptes = switcher_ptes[cpu * nr_switcher_slots +
				       switcher_slot(va, false)];

	ptes[PTE_INDEX(va)] = ((lg_pte_t)pfn << PAGE_SHIFT) | flags;
}

static int build_switcher_tables(unsigned int cpu)
{
	unsigned int i;

	for (i = 0; i < nr_switcher_slots; i++) {
		lg_pte_t *ptes = alloc_table();

		if (!ptes)
			return -ENOMEM;
		switcher_ptes[cpu * nr_switcher_slots + i] = ptes;
	}
	for (i = 0; i < lg_switcher_text_count(); i++)
		map_switcher_page(cpu, lg_switcher_text_addr() + i * PAGE_SIZE,
				  lg_switcher_text_pfn(i),
				  PTE_PRESENT | PTE_ACCESSED);
	map_switcher_page(cpu, switcher_cpu_page_va(cpu, 0),
			  lg_switcher_cpu_pfn(cpu, 0),
			  PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY | pte_nx());
	map_switcher_page(cpu, switcher_cpu_page_va(cpu, 1),
			  lg_switcher_cpu_pfn(cpu, 1),
			  PTE_PRESENT | PTE_ACCESSED | pte_nx());
	return 0;
}

int lg_switcher_pte_init(void)
{
	unsigned int cpu, max_slots;
	int err = -ENOMEM;

	max_slots = lg_switcher_text_count() + 2 * nr_cpu_ids;
	switcher_slot_va = kcalloc(max_slots, sizeof(*switcher_slot_va),
				   GFP_KERNEL);
	if (!switcher_slot_va)
		return -ENOMEM;
	collect_switcher_slots();
#ifdef CONFIG_X86_PAE
	/* The Switcher must live in the top gigabyte, where pmd[3] covers it. */
	if (lg_switcher_reserve_base < 0xC0000000UL) {
		err = -EINVAL;
		goto fail;
	}
#endif
	switcher_ptes = kcalloc(nr_cpu_ids * nr_switcher_slots,
				sizeof(*switcher_ptes), GFP_KERNEL);
	if (!switcher_ptes)
		goto fail;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		err = build_switcher_tables(cpu);
		if (err)
			goto fail;
	}
	return 0;
fail:
	lg_switcher_pte_exit();
	return err;
}

void lg_switcher_pte_exit(void)
{
	unsigned int i;

	if (switcher_ptes)
		for (i = 0; i < nr_cpu_ids * nr_switcher_slots; i++)
			free_page((unsigned long)switcher_ptes[i]);
	kfree(switcher_ptes);
	kfree(switcher_slot_va);
	switcher_ptes = NULL;
	switcher_slot_va = NULL;
	nr_switcher_slots = 0;
}

void lg_map_switcher_in_guest(struct lg_cpu *cpu, int host_cpu)
{
	lg_pte_t **ptes = &switcher_ptes[host_cpu * nr_switcher_slots];
	struct lg_pgdir *pd = cur_pgdir(cpu);
	unsigned int i;

	/* No user bit: Guest user mode never touches the Switcher. */
	for (i = 0; i < nr_switcher_slots; i++)
		*pde_slot(pd, switcher_slot_va[i]) = __pa(ptes[i]) |
			PTE_PRESENT | PTE_RW | PTE_ACCESSED;
}

unsigned long lg_shadow_cr3(struct lg_cpu *cpu)
{
	return __pa(cur_pgdir(cpu)->top);
}
