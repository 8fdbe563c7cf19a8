// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow page tables.
 *
 * The Guest keeps page tables of its own, in its own memory, in either
 * format: two-level or PAE, whichever its kernel was built for, and not
 * necessarily the Host's (see guess_guest_paging()).  The CPU never sees them.
 * It walks *shadow* tables that we build from them on demand: each entry
 * points at the Host page behind a guest-physical page and carries no more
 * permission than the Guest's entry grants.  The Guest tells us when it
 * changes its tables (SET_PTE, SET_PGD, SET_PMD, FLUSH_TLB, NEW_PGTABLE) and
 * we simply forget the affected shadow entries; the next access faults and
 * refills them.  A few shadow trees stay cached so that switching between
 * processes does not start from nothing.
 *
 * The top of the address space is ours: the Switcher's window, the last
 * page-directory slot, points at a per-CPU page table that maps its text
 * and that CPU's two pages (H410).
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

/* Charged to the Launcher's memory cgroup, like any memory it asks for. */
static lg_pte_t *alloc_table(void)
{
	return (lg_pte_t *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
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

/* Drop one shadow PTE.  The page it mapped stays pinned (H415). */
static void release_pte(lg_pte_t *pte)
{
	*pte = 0;
}

static void release_ptes(lg_pte_t *ptes)
{
	unsigned int i;

	for (i = 0; i < LG_PTRS_PER_PAGE; i++)
		release_pte(&ptes[i]);
}

/*> H380
 * The Guest's kernel mappings, from kernel_address up to the Switcher, are
 * the same in all of its page tables: Linux copies them into every new
 * process, and marks them global, so a real CPU keeps their TLB entries
 * across a %cr3 switch until a FLUSH_TLB(1).  We do the same with shadow
 * PTE tables for those slots that all of a Guest's trees share: a tree we
 * recycle for a new process (fork, exec) starts with the kernel already
 * mapped instead of faulting it in again page by page.  A change to a
 * kernel mapping (SET_PTE, SET_PGD, SET_PMD, FLUSH_TLB(1)) empties the
 * shared table, so every tree forgets it at once.  A shared table stays
 * allocated until the Guest goes; a tree only ever links to it.
 */
static bool kernel_slot(struct lguest *lg, u32 va)
{
	return !lg->cpu.linear && lg->kernel_address &&
	       va >= ALIGN(lg->kernel_address, LG_PDE_SIZE) &&
	       va < lg_switcher_reserve_base;
}

static lg_pte_t **shared_table(struct lguest *lg, u32 va)
{
	return &lg->kernel_ptes[va >> LG_PDE_SHIFT];
}

static bool is_shared(struct lguest *lg, u32 va, lg_pte_t pde)
{
	lg_pte_t *ptes = *shared_table(lg, va);

	return ptes && (pde & PTE_PRESENT) && table_of(pde) == ptes;
}

/* Drop one tree's page table for a slot: free it, or unlink a shared one. */
static void release_pde(struct lguest *lg, u32 va, lg_pte_t *pde)
{
	lg_pte_t *ptes;

	if (!(*pde & PTE_PRESENT))
		return;
	ptes = table_of(*pde);
	if (!is_shared(lg, va, *pde)) {
		release_ptes(ptes);
		free_page((unsigned long)ptes);
	}
	*pde = 0;
}

/*
 * Forget the mappings of [start, end) in @pd, never touching the
 * Switcher's slots.  In a shared slot that means forgetting them for every
 * tree, whether @pd links the shared table yet or not: it is emptied and
 * stays linked.  @shared_too is false when the caller emptied them all.
 */
static void forget_range(struct lguest *lg, struct lg_pgdir *pd,
			 unsigned long start, unsigned long end, bool shared_too)
{
	unsigned long va;

	end = min(end, lg_switcher_reserve_base);
	for (va = start & LG_PDE_MASK; va < end; va += LG_PDE_SIZE) {
		lg_pte_t *pde = pde_slot(pd, va);
		lg_pte_t *shared = *shared_table(lg, va);

		if (shared && shared_too)
			release_ptes(shared);
		if (!is_shared(lg, va, *pde))
			release_pde(lg, va, pde);
	}
}

static void release_range(struct lguest *lg, struct lg_pgdir *pd,
			  unsigned long start, unsigned long end)
{
	forget_range(lg, pd, start, end, true);
}

/* Point every shared slot of @pd at its shared table. */
static void link_kernel_tables(struct lguest *lg, struct lg_pgdir *pd)
{
	unsigned long va;

	/*
	 * A tree keeps its links until release_pgdir(), and shared tables
	 * are only ever added: one linked since the last was added is done.
	 * This runs on every NEW_PGTABLE, so that is the common case.
	 */
	if (pd->kernel_linked == lg->kernel_tables)
		return;
	pd->kernel_linked = lg->kernel_tables;

	if (!kernel_slot(lg, ALIGN(lg->kernel_address, LG_PDE_SIZE)))
		return;
	for (va = ALIGN(lg->kernel_address, LG_PDE_SIZE);
	     va < lg_switcher_reserve_base; va += LG_PDE_SIZE) {
		lg_pte_t *ptes = *shared_table(lg, va);
		lg_pte_t *pde = pde_slot(pd, va);

		if (!ptes || is_shared(lg, va, *pde))
			continue;
		release_pde(lg, va, pde);
		*pde = __pa(ptes) | PDE_SHADOW;
	}
}

/* A tree no longer shadows anything of its own: free its private tables. */
static void release_pgdir(struct lguest *lg, struct lg_pgdir *pd)
{
	unsigned long va;

	for (va = 0; va < lg_switcher_reserve_base; va += LG_PDE_SIZE) {
		lg_pte_t *pde = pde_slot(pd, va);

		if (is_shared(lg, va, *pde))
			*pde = 0;
		else
			release_pde(lg, va, pde);
	}
	pd->gpgdir = LG_NO_PGDIR;
	pd->kernel_linked = 0;
}

/* Empty every shared table (for FLUSH_TLB(1)); free them when @free. */
static void release_kernel_tables(struct lguest *lg, bool free)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lg->kernel_ptes); i++) {
		if (!lg->kernel_ptes[i])
			continue;
		release_ptes(lg->kernel_ptes[i]);
		if (free) {
			free_page((unsigned long)lg->kernel_ptes[i]);
			lg->kernel_ptes[i] = NULL;
			lg->kernel_tables--;
		}
	}
}

/* The shadow PTE for @va, allocating its page table if asked to. */
static lg_pte_t *shadow_pte(struct lguest *lg, struct lg_pgdir *pd, u32 va,
			    bool alloc)
{
	lg_pte_t *pde = pde_slot(pd, va);

	if (!(*pde & PTE_PRESENT)) {
		bool shared = kernel_slot(lg, va);
		lg_pte_t *ptes = shared ? *shared_table(lg, va) : NULL;

		if (!ptes) {
			if (!alloc)
				return NULL;
			ptes = alloc_table();
			if (!ptes)
				return NULL;
			if (shared) {
				*shared_table(lg, va) = ptes;
				lg->kernel_tables++;
			}
		}
		*pde = __pa(ptes) | PDE_SHADOW;
	}
	return &table_of(*pde)[PTE_INDEX(va)];
}

/*> H415
 * A page of Guest RAM is pinned the first time a shadow PTE maps it, once,
 * however many shadow PTEs then map it, and unpinned when none can any
 * more: when every shadow is dropped (FLUSH_TLB(1), which a Linux Guest
 * does often) or the Guest goes.  A pin per shadow PTE would be simpler,
 * but one page can be mapped a great many times: every untouched anonymous
 * page a Linux Guest reads is its one zero page, and a hostile Guest can
 * point all 1024 entries of every page table at one frame.  Each FOLL_PIN
 * adds 1024 to the page's reference count, so about two million shadow
 * PTEs of one page would overflow it: a count gone negative, a warning,
 * and a page that could be freed while still mapped.  Pinned once, a page
 * carries one pin per Guest.
 *
 * The pins live in leaves of one page each, allocated as the Guest first
 * touches each stretch of its RAM, so a big Guest that uses little of it
 * costs the Host little, and each leaf counts its pins, so that unpinning
 * passes over the empty ones.  The low bit of each entry says a shadow
 * PTE mapped the page writable, so that unpinning marks it dirty.
 */
#define LG_PINS_PER_LEAF	(PAGE_SIZE / sizeof(unsigned long))
#define LG_PIN_DIRTY		1UL

static unsigned long pin_leaves(const struct lguest *lg)
{
	return DIV_ROUND_UP(lg->pfn_limit, LG_PINS_PER_LEAF);
}

static struct page *pinned_guest_page(struct lguest *lg, unsigned long pfn,
				      bool writable)
{
	struct lg_pin_leaf *leaf = &lg->pins[pfn / LG_PINS_PER_LEAF];
	unsigned long *slot;
	struct page *page;

	if (!leaf->slots) {
		leaf->slots = (unsigned long *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		if (!leaf->slots) {
			kill_guest(lg, "out of memory for the table of pinned pages");
			return NULL;
		}
	}
	slot = &leaf->slots[pfn % LG_PINS_PER_LEAF];
	if (!*slot) {
		if (!lg_pin_guest_page(lg->mem_base + (pfn << PAGE_SHIFT), &page)) {
			kill_guest(lg, "guest page %#lx is not mapped writable by the Launcher",
				   pfn << PAGE_SHIFT);
			return NULL;
		}
		if (!lg_guest_page_backing_ok(page)) {
			lg_unpin_guest_page(page, false);
			kill_guest(lg, "guest page %#lx is a file's page cache: guest memory must be anonymous or shared memory",
				   pfn << PAGE_SHIFT);
			return NULL;
		}
		*slot = (unsigned long)page;
		leaf->held++;
		if (++lg->pins_held > lg->pins_peak)
			lg->pins_peak = lg->pins_held;
	}
	if (writable)
		*slot |= LG_PIN_DIRTY;
	return (struct page *)(*slot & ~LG_PIN_DIRTY);
}

/* Only once no shadow PTE maps a guest page any more. */
static void unpin_all(struct lguest *lg)
{
	unsigned long i, j;

	for (i = 0; lg->pins_held && i < pin_leaves(lg); i++) {
		struct lg_pin_leaf *leaf = &lg->pins[i];

		for (j = 0; leaf->held && j < LG_PINS_PER_LEAF; j++) {
			unsigned long pin = leaf->slots[j];

			if (!pin)
				continue;
			lg_unpin_guest_page((struct page *)(pin & ~LG_PIN_DIRTY),
					    pin & LG_PIN_DIRTY);
			leaf->slots[j] = 0;
			leaf->held--;
			lg->pins_held--;
		}
	}
}

static void free_pins(struct lguest *lg)
{
	unsigned long i;

	if (!lg->pins)
		return;
	unpin_all(lg);
	for (i = 0; i < pin_leaves(lg); i++)
		free_page((unsigned long)lg->pins[i].slots);
	kvfree(lg->pins);
	lg->pins = NULL;
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
	lg->pins = kvcalloc(pin_leaves(lg), sizeof(*lg->pins), GFP_KERNEL_ACCOUNT);
	if (!lg->pins)
		return -ENOMEM;
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
				release_pgdir(lg, pd);
			for (j = 0; j < 4; j++) {
				if (pd->pmd[j])
					free_page((unsigned long)pd->pmd[j]);
				pd->pmd[j] = NULL;
			}
		}
#else
		release_pgdir(lg, pd);
#endif
		free_page((unsigned long)pd->top);
		pd->top = NULL;
	}
	release_kernel_tables(lg, true);
	/* Last: no shadow PTE is left to reach a page we unpin. */
	free_pins(lg);
}

/*> H390
 * Reading the Guest's own page tables.
 *
 * Their format is the Guest kernel's choice, made when it was built, and
 * the ABI never says which: a 2-level Guest and a PAE Guest make the same
 * hypercalls, except that only PAE has SET_PMD.  We learn it from the first
 * table the Guest loads (guess_guest_paging()) and from then on read its
 * entries in that format, whatever the Host uses: the shadow tables we
 * build are always in the Host's format.  So guest entries are read into a
 * u64 whichever their width, and the flags we look at (present, RW, user,
 * accessed, dirty, large) sit at the same bits in both.  Only PAE entries
 * have NX (bit 63); a 2-level Guest has no way to ask for it.
 */
#define GPTE_NX			(1ULL << 63)
#define GPTE_FRAME_PAE		0x000ffffffffff000ULL
#define GPTE_FRAME_2LEVEL	0xfffff000ULL

static unsigned int gentry_size(const struct lguest *lg)
{
	return lg->guest_pae ? 8 : 4;
}

static u64 gframe(const struct lguest *lg, u64 e)
{
	return e & (lg->guest_pae ? GPTE_FRAME_PAE : GPTE_FRAME_2LEVEL);
}

static bool read_gentry(struct lguest *lg, u64 gpa, u64 *e)
{
	*e = 0;
	/* Checked first, so that this, not lg_read()'s, is the reason given. */
	if (gpa >> 32 || !lg_range_ok(lg, gpa, gentry_size(lg))) {
		kill_guest(lg, "page table entry at %#llx is outside guest memory",
			   gpa);
		return false;
	}
	return !lg_read(lg, e, gpa, gentry_size(lg));
}

/*
 * The first table a Guest loads tells us its format.  A PAE top level is a
 * PDPT: four 8-byte entries that may hold only Present, the two caching
 * bits and a frame (bits 1, 2 and 5 to 8 must be clear, the CPU refuses
 * anything else), and a Guest that loads one has at least one present.  A
 * 2-level directory's first entries are 4-byte PDEs, and a kernel's are
 * writable (bit 1), which no PDPT entry can be.  Linux's head_32.S and our
 * test Guest both start with such tables: a low identity map in entry 0.
 * A table that looks like neither (nothing present in its first 32 bytes)
 * is taken as 2-level, the format in which that means "nothing mapped".
 */
#define PDPTE_MUST_BE_ZERO	0xffffffff000001e6ULL

static bool looks_like_pdpt(const u64 e[4])
{
	unsigned int i, present = 0;

	for (i = 0; i < 4; i++) {
		if (!e[i])
			continue;
		if (!(e[i] & PTE_PRESENT) || (e[i] & PDPTE_MUST_BE_ZERO))
			return false;
		present++;
	}
	return present > 0;
}

static void guess_guest_paging(struct lguest *lg, unsigned long gpgdir)
{
	u64 e[4];

	lg->guest_pae = lg_range_ok(lg, gpgdir, sizeof(e)) &&
			!lg_read(lg, e, gpgdir, sizeof(e)) && looks_like_pdpt(e);
}

/*
 * Walk the Guest's tables for @va.  Fills in the guest-physical address of
 * the PTE and its value, and what the levels on the way allow together: a
 * page is a user page, or writable, only if every level says so, and not
 * executable if any level says NX.  False if not present.
 */
struct gwalk {
	unsigned long pte_gpa;
	u64 pte;
	bool user;
	bool write;
	bool nx;
	/* What the levels above the PTE allow: the same for its whole table. */
	bool dir_user;
	bool dir_write;
	bool dir_nx;
};

/* The guest-physical address of @va's PTE, from its directory entry @e. */
static bool guest_pte_addr(struct lguest *lg, u32 va, u64 e, struct gwalk *w)
{
	u64 table = gframe(lg, e);

	if (table >> 32) {
		kill_guest(lg, "page table for %#x at guest-physical %#llx, beyond its memory",
			   va, table);
		return false;
	}
	if (e & PTE_LARGE) {
		kill_guest(lg, "large page for %#x: the guest cannot use PSE", va);
		return false;
	}
	if (lg->guest_pae)
		w->pte_gpa = table + ((va >> PAGE_SHIFT) & 511) * 8;
	else
		w->pte_gpa = table + ((va >> PAGE_SHIFT) & 1023) * 4;
	return true;
}

/* The PTE's own permissions on top of the directory's. */
static void combine_levels(struct lguest *lg, struct gwalk *w)
{
	w->user = w->dir_user && (w->pte & PTE_USER);
	w->write = w->dir_write && (w->pte & PTE_RW);
	w->nx = w->dir_nx || (lg->guest_pae && (w->pte & GPTE_NX));
}

static bool walk_guest(struct lg_cpu *cpu, u32 va, struct gwalk *w)
{
	struct lguest *lg = cpu->lg;
	unsigned long gpgdir = cur_pgdir(cpu)->gpgdir;
	u64 e;

	if (lg->guest_pae) {
		/* PDPT entry, then the directory entry in the page it names. */
		if (!read_gentry(lg, gpgdir + (va >> 30) * 8, &e) ||
		    !(e & PTE_PRESENT))
			return false;
		if (gframe(lg, e) >> 32) {
			kill_guest(lg, "page directory for %#x beyond guest memory", va);
			return false;
		}
		if (!read_gentry(lg, gframe(lg, e) + ((va >> 21) & 511) * 8, &e))
			return false;
	} else {
		if (!read_gentry(lg, gpgdir + (va >> 22) * 4, &e))
			return false;
	}
	if (!(e & PTE_PRESENT) || !guest_pte_addr(lg, va, e, w))
		return false;
	w->dir_user = e & PTE_USER;
	w->dir_write = e & PTE_RW;
	w->dir_nx = lg->guest_pae && (e & GPTE_NX);
	if (!read_gentry(lg, w->pte_gpa, &w->pte) || !(w->pte & PTE_PRESENT))
		return false;
	combine_levels(lg, w);
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
	if (gframe(cpu->lg, w.pte) >> 32)
		return false;
	*gpa = (unsigned long)gframe(cpu->lg, w.pte) | (vaddr & ~PAGE_MASK);
	return true;
}

/*> H400
 * A page fault.  If the Guest's own tables allow the access, we set the
 * Accessed (and for a write, Dirty) bits in its PTE as the CPU would have,
 * find the Host page behind the guest-physical frame, pinned (H415;
 * compat/pin.h says how, and why for writing), and install a shadow PTE.
 * A clean page is mapped read-only even when the Guest allows writes, so
 * that the first write faults and marks it dirty.
 *
 * Returns false when the fault is the Guest's own: it gets it reflected.
 * That includes an instruction fetch its tables forbid: from an NX page,
 * or (the Host having SMEP, which applies to ring 1 too) from a user page
 * in its kernel.  Mapping those again would only fault again, for ever.
 *
 * First the last step: map guest-physical @gpa at @vaddr in the running
 * tree, RAM through a pinned Host page, a device page by an exit to the
 * Launcher.
 */
static bool install_shadow(struct lg_cpu *cpu, u32 vaddr, unsigned long gpa,
			   lg_pte_t gflags, bool writable)
{
	struct lguest *lg = cpu->lg;
	unsigned long pfn;
	struct page *page;
	lg_pte_t *spte;

	pfn = gpa >> PAGE_SHIFT;
	if (pfn >= lg->pfn_limit) {
		/* Device memory: the Launcher emulates the access. */
		if (pfn < lg->device_limit)
			lg_device_access(cpu, gpa | (vaddr & ~PAGE_MASK));
		else
			kill_guest(lg, "access to %#x maps guest-physical %#lx, beyond its memory",
				   vaddr, gpa);
		return true;
	}

	page = pinned_guest_page(lg, pfn, writable);
	if (!page)
		return true;

	spte = shadow_pte(lg, cur_pgdir(cpu), vaddr, true);
	if (!spte) {
		kill_guest(lg, "out of memory for shadow page tables");
		return true;
	}
	release_pte(spte);
	*spte = ((lg_pte_t)page_to_pfn(page) << PAGE_SHIFT) | PTE_PRESENT |
		PTE_ACCESSED | PTE_DIRTY | (writable ? PTE_RW : 0) | gflags;
	return true;
}

/* The fault at @vaddr, given the walk of the Guest's tables that found @w. */
static bool demand_walked(struct lg_cpu *cpu, u32 vaddr, u32 errcode,
			  struct gwalk *w)
{
	struct lguest *lg = cpu->lg;
	bool write = errcode & X86_PF_WRITE;
	bool user = errcode & X86_PF_USER;
	bool fetch = errcode & X86_PF_INSTR;

	if ((write && !w->write) || (user && !w->user))
		return false;
	if (fetch && ((w->nx && pte_nx()) ||
		      (!user && w->user && boot_cpu_has(X86_FEATURE_SMEP))))
		return false;
	if (!(w->pte & PTE_ACCESSED) || (write && !(w->pte & PTE_DIRTY))) {
		/* Both bits live in the low word, in either format. */
		u32 low = (u32)w->pte | PTE_ACCESSED | (write ? PTE_DIRTY : 0);

		w->pte = (w->pte & ~0xffffffffULL) | low;
		if (lg_write(lg, w->pte_gpa, &low, sizeof(low)))
			return lg->dead;
	}
	if (gframe(lg, w->pte) >> 32) {
		kill_guest(lg, "access to %#x maps guest-physical %#llx, beyond its memory",
			   vaddr, gframe(lg, w->pte));
		return true;
	}
	return install_shadow(cpu, vaddr, (unsigned long)gframe(lg, w->pte),
			      (w->user ? PTE_USER : 0) | (w->nx ? pte_nx() : 0),
			      w->write && (w->pte & PTE_DIRTY));
}

/*
 * Shadow a Guest PTE that nothing faulted on, as the CPU may cache any
 * present entry in its TLB: only if the Guest's entry is accessed already
 * (we would have to set the bit, and the CPU only sets it on a real
 * access) and maps its RAM.  Writable only if it is dirty too, so that the
 * first write still faults and marks it.  The errcode is that of the
 * access the entry allows, which demand_walked() then grants.
 */
static bool shadow_unfaulted(struct lg_cpu *cpu, u32 vaddr, struct gwalk *w)
{
	struct lguest *lg = cpu->lg;
	u32 errcode = 0;

	if (!(w->pte & PTE_PRESENT) || !(w->pte & PTE_ACCESSED) ||
	    gframe(lg, w->pte) >= ((u64)lg->pfn_limit << PAGE_SHIFT))
		return false;
	if (w->user)
		errcode |= X86_PF_USER;
	if (w->write && (w->pte & PTE_DIRTY))
		errcode |= X86_PF_WRITE;
	return demand_walked(cpu, vaddr, errcode, w) && !lg->dead;
}

/*> H405
 * Fault-around.  A page fault the Host fixes unseen costs a whole world
 * switch, most of it the crossing itself, and such faults come in runs:
 * a fresh shadow tree (a new process, or one evicted from our cache)
 * faults once on every page its process touches, although the Guest's PTEs
 * are all there.  So when we fix one, we also shadow the other present
 * entries of its aligned 64 KiB (one read of the Guest's page table), the
 * way Linux maps the page cache around a file fault.  The entries we add
 * are ones the CPU itself could have cached, and the Guest already tells
 * us of every change to its PTEs (SET_PTE and friends), so adding them
 * changes nothing the Guest can see but the missing faults.
 */
#define LG_FAULT_AROUND_PAGES	16

static void fault_around(struct lg_cpu *cpu, u32 vaddr, const struct gwalk *fault)
{
	struct lguest *lg = cpu->lg;
	unsigned int size = lg->guest_pae ? 8 : 4;
	u32 first = vaddr & ~(LG_FAULT_AROUND_PAGES * PAGE_SIZE - 1);
	unsigned long first_gpa;
	union {
		u32 low[LG_FAULT_AROUND_PAGES];
		u64 pae[LG_FAULT_AROUND_PAGES];
	} ptes;
	unsigned int i;

	/* The group is inside the fault's page table, whose PTEs are in order. */
	first_gpa = fault->pte_gpa - ((vaddr - first) >> PAGE_SHIFT) * size;
	if (lg_read(lg, &ptes, first_gpa, LG_FAULT_AROUND_PAGES * size))
		return;

	for (i = 0; i < LG_FAULT_AROUND_PAGES && !lg->dead; i++) {
		u32 va = first + i * PAGE_SIZE;
		struct gwalk w = *fault;
		lg_pte_t *spte;

		if (va == (vaddr & PAGE_MASK))
			continue;
		spte = shadow_pte(lg, cur_pgdir(cpu), va, false);
		if (spte && (*spte & PTE_PRESENT))
			continue;
		w.pte_gpa = first_gpa + i * size;
		w.pte = lg->guest_pae ? ptes.pae[i] : ptes.low[i];
		combine_levels(lg, &w);
		if (shadow_unfaulted(cpu, va, &w))
			cpu->stats.faulted_around++;
	}
}

bool lg_demand_page(struct lg_cpu *cpu, u32 vaddr, u32 errcode)
{
	struct lguest *lg = cpu->lg;
	struct gwalk w;
	u64 gpa;

	if (vaddr >= lg_switcher_reserve_base)
		return false;
	if (cpu->linear) {
		/*
		 * Before its first page table the Guest sees its memory 1:1,
		 * as its kernel's: supervisor pages, since under SMEP ring-1
		 * code could not run from user ones.  So ring 3 may touch
		 * nothing yet, and its fault is the Guest's to handle (or to
		 * die of): fixing it here would only bring it back.
		 */
		if (errcode & X86_PF_USER)
			return false;
		gpa = vaddr & PAGE_MASK;
		install_shadow(cpu, vaddr, gpa, PTE_DIRTY, true);
	} else {
		if (!walk_guest(cpu, vaddr, &w))
			return lg->dead;
		if (!demand_walked(cpu, vaddr, errcode, &w))
			return false;
		gpa = gframe(lg, w.pte);
	}
	/*
	 * Only a page of RAM was fixed in place.  A device page's access went
	 * to the Launcher or was answered here (an ISR read, H320), and its
	 * neighbours are no likelier to be touched than any other page.
	 */
	if (lg->dead || cpu->has_pending || gpa >= ((u64)lg->pfn_limit << PAGE_SHIFT))
		return true;
	cpu->stats.demand_fixed++;
	if (!cpu->linear)
		fault_around(cpu, vaddr, &w);
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
	if (lg->guest_pae)
		return !(gpgdir & 0x1f) && lg_range_ok(lg, gpgdir, 32);
	return !(gpgdir & ~PAGE_MASK) && lg_range_ok(lg, gpgdir, PAGE_SIZE);
}

void lg_new_pgtable(struct lg_cpu *cpu, unsigned long gpgdir)
{
	struct lguest *lg = cpu->lg;
	int idx;

	if (cpu->linear)
		guess_guest_paging(lg, gpgdir);
	if (!pgdir_ok(lg, gpgdir)) {
		kill_guest(lg, "bad page table address %#lx", gpgdir);
		return;
	}
	if (cpu->linear) {
		/* The 1:1 mappings of the start are not the Guest's: drop them. */
		release_pgdir(lg, cur_pgdir(cpu));
		cpu->linear = false;
	}

	cpu->stats.new_pgtables++;
	idx = find_pgdir(lg, gpgdir);
	if (idx < 0) {
		/* Not cached: recycle the next tree in turn, never the current. */
		idx = cpu->next_victim++ % LG_NR_PGDIRS;
		if (idx == cpu->cur_pgdir && lg->pgdirs[idx].gpgdir != LG_NO_PGDIR)
			idx = cpu->next_victim++ % LG_NR_PGDIRS;
		release_pgdir(lg, &lg->pgdirs[idx]);
		lg->pgdirs[idx].gpgdir = gpgdir;
		cpu->stats.pgtable_misses++;
	}
	link_kernel_tables(lg, &lg->pgdirs[idx]);
	cpu->cur_pgdir = idx;
}

void lg_drop_all_shadows(struct lguest *lg)
{
	unsigned int i;

	release_kernel_tables(lg, false);
	for (i = 0; i < LG_NR_PGDIRS; i++)
		forget_range(lg, &lg->pgdirs[i], 0, lg_switcher_reserve_base, false);
	/* No shadow PTE maps a guest page now (the window's are not those). */
	unpin_all(lg);
}

void lg_flush_tlb(struct lg_cpu *cpu, bool kernel_too)
{
	if (kernel_too)
		lg_drop_all_shadows(cpu->lg);
	else
		release_range(cpu->lg, cur_pgdir(cpu), 0, cpu->lg->kernel_address);
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

/*
 * A Guest sets a PTE because it is about to use it: Linux's fault handler
 * writes the new entry (already accessed, and dirty for a write fault) and
 * returns to the instruction that faulted.  Forgetting our shadow entry
 * and waiting for that instruction to fault again costs a second exit per
 * Guest page fault; so for the tree that is running we fill the entry at
 * once, exactly as the fault would have (lg_demand_page() decides what the
 * entry may allow), but only when the Guest's entry says the access would
 * not have to change it: accessed, and dirty if we are to map it writable.
 * Device pages are left to fault: those exit to the Launcher.
 */
static void prefill_pte(struct lg_cpu *cpu, u32 vaddr)
{
	struct gwalk w;

	if (cpu->linear || vaddr >= lg_switcher_reserve_base ||
	    !walk_guest(cpu, vaddr, &w) || cpu->lg->dead)
		return;
	shadow_unfaulted(cpu, vaddr, &w);
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
		spte = shadow_pte(lg, &lg->pgdirs[i], vaddr, false);
		if (spte)
			release_pte(spte);
	}
	if (cur_pgdir(cpu)->gpgdir == gpgdir)
		prefill_pte(cpu, vaddr);
}

/*
 * One top-level entry changed: a quarter of the address space for a PAE
 * Guest, 4 MiB for a 2-level one.  Our own directory entries may be
 * narrower or wider than the Guest's; release_range() forgets all of
 * those that overlap.
 */
void lg_set_pgd(struct lg_cpu *cpu, unsigned long gpgdir, u32 idx)
{
	struct lguest *lg = cpu->lg;
	unsigned long start, span;
	unsigned int i;

	/*
	 * Not an entry at all (ABI.md: 0..1023, PAE 0..3): masking it would
	 * flush some other one and leave the Guest's idea of its tables wrong.
	 */
	if (idx >= (lg->guest_pae ? 4 : 1024)) {
		kill_guest(lg, "SET_PGD of entry %u", idx);
		return;
	}
	if (lg->guest_pae) {
		start = (unsigned long)idx << 30;
		span = 1UL << 30;
	} else {
		start = (unsigned long)idx << 22;
		span = 1UL << 22;
	}

	for (i = 0; i < LG_NR_PGDIRS; i++)
		if (affects(lg, &lg->pgdirs[i], gpgdir, start))
			release_range(lg, &lg->pgdirs[i], start, start + span - 1);
}

/*
 * PAE Guests only: one entry of a page directory changed.  We don't know
 * which of the Guest's PDPT slots point at that page, so we look, and
 * forget our shadow of the 2 MiB that entry covers in every tree that
 * uses it.
 */
void lg_set_pmd(struct lg_cpu *cpu, unsigned long gpmd, u32 idx)
{
	struct lguest *lg = cpu->lg;
	unsigned int i, slot;

	if (!lg->guest_pae) {
		kill_guest(lg, "SET_PMD from a guest with 2-level page tables");
		return;
	}
	/* A page directory has 512 entries; as for SET_PGD, no masking. */
	if (idx >= 512) {
		kill_guest(lg, "SET_PMD of entry %u", idx);
		return;
	}
	for (i = 0; i < LG_NR_PGDIRS; i++) {
		struct lg_pgdir *pd = &lg->pgdirs[i];

		if (pd->gpgdir == LG_NO_PGDIR)
			continue;
		for (slot = 0; slot < 4; slot++) {
			unsigned long va;
			u64 e;

			if (!read_gentry(lg, pd->gpgdir + slot * 8, &e))
				return;
			if (!(e & PTE_PRESENT) ||
			    gframe(lg, e) != (gpmd & PAGE_MASK))
				continue;
			va = ((unsigned long)slot << 30) |
			     ((unsigned long)idx << 21);
			release_range(lg, pd, va, va + (1UL << 21));
		}
	}
}

/*> H410
 * The Switcher's window (run.c, H100).  A Guest running on CPU n must see
 * the Switcher text (read-only), CPU n's regs page (writable) and state
 * page (read-only) at the top of its address space, and nothing else up
 * there: no other CPU's pages, which would be a way to write another CPU's
 * ring-0 stack, and no host page.
 *
 * The window is one page-directory slot, the last, at the same address on
 * every CPU.  Each CPU has its own page table for that slot, holding the
 * text and its own two pages, and before each entry the current shadow
 * tree's slot is pointed at the running CPU's table: whichever CPU the tree
 * last ran on, none of that CPU's pages remain.
 */
static lg_pte_t **window_ptes;		/* one page table for each CPU */

#define PTE_TEXT	(PTE_PRESENT | PTE_ACCESSED)
#define PTE_PAGE_RW	(PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY | pte_nx())
#define PTE_PAGE_RO	(PTE_PRESENT | PTE_ACCESSED | pte_nx())

static lg_pte_t page_pte(unsigned long pfn, lg_pte_t flags)
{
	return ((lg_pte_t)pfn << PAGE_SHIFT) | flags;
}

static int build_window(unsigned int cpu)
{
	unsigned long va = lg_window_base;
	lg_pte_t *ptes = alloc_table();
	unsigned int i;

	if (!ptes)
		return -ENOMEM;
	window_ptes[cpu] = ptes;
	for (i = 0; i < lg_switcher_text_count(); i++, va += PAGE_SIZE)
		ptes[PTE_INDEX(va)] = page_pte(lg_switcher_text_pfn(i), PTE_TEXT);
	ptes[PTE_INDEX(va)] = page_pte(lg_switcher_cpu_pfn(cpu, 0), PTE_PAGE_RW);
	va += PAGE_SIZE;
	ptes[PTE_INDEX(va)] = page_pte(lg_switcher_cpu_pfn(cpu, 1), PTE_PAGE_RO);
	return 0;
}

/*> H420
 * The transit tables.  The Switcher changes %cr3 with its next instruction
 * still to fetch, so it can only go from one set of page tables to another
 * that maps that instruction at the same address.  The Host's tables map
 * the Switcher only at its Host address, the Guest's only in the window;
 * each CPU's transit tables map both, and so connect the two:
 *
 *   - the text at its Host address and in the window (read-only),
 *   - the CPU's three pages at their Host address and in the window
 *     (writable: "ltr" marks the Guest's TSS busy in the state page; the
 *     host page is in the window here, and only here, so that the way out
 *     can read it before it is back in the Host's place).
 *
 * Nothing else: the Switcher runs on them for a few instructions each way,
 * on the regs page's stack, with IDTs and a GDT in those pages (S100).
 * The root is a page directory, or with PAE a PDPT whose last entry covers
 * the top gigabyte, where all of it lies.  At most one table per page the
 * Switcher uses, plus the directory for PAE.
 */
#define TRANSIT_MAX_TABLES	16

struct lg_transit {
	lg_pte_t *root;
	lg_pte_t *tables[TRANSIT_MAX_TABLES];
	unsigned int nr_tables;
};

static struct lg_transit *transits;

static lg_pte_t *transit_table(struct lg_transit *t)
{
	lg_pte_t *table;

	if (t->nr_tables == TRANSIT_MAX_TABLES)
		return NULL;
	table = alloc_table();
	if (table)
		t->tables[t->nr_tables++] = table;
	return table;
}

/* The directory entry covering @va, creating the directory for PAE. */
static lg_pte_t *transit_pde(struct lg_transit *t, unsigned long va)
{
#ifdef CONFIG_X86_PAE
	lg_pte_t *pmd;

	if (!(t->root[va >> 30] & PTE_PRESENT)) {
		pmd = transit_table(t);
		if (!pmd)
			return NULL;
		/* PDPT entries may hold only Present and the address. */
		t->root[va >> 30] = __pa(pmd) | PTE_PRESENT;
	}
	pmd = table_of(t->root[va >> 30]);
	return &pmd[(va >> LG_PDE_SHIFT) & (LG_PTRS_PER_PAGE - 1)];
#else
	return &t->root[va >> LG_PDE_SHIFT];
#endif
}

static int transit_map(struct lg_transit *t, unsigned long va,
		       unsigned long pfn, lg_pte_t flags)
{
	lg_pte_t *pde = transit_pde(t, va), *ptes;

	if (!pde)
		return -ENOMEM;
	if (!(*pde & PTE_PRESENT)) {
		ptes = transit_table(t);
		if (!ptes)
			return -ENOMEM;
		*pde = __pa(ptes) | PTE_PRESENT | PTE_RW | PTE_ACCESSED;
	}
	table_of(*pde)[PTE_INDEX(va)] = page_pte(pfn, flags);
	return 0;
}

static int build_transit(unsigned int cpu)
{
	struct lg_transit *t = &transits[cpu];
	unsigned long host = (unsigned long)lg_cpu_pages(cpu);
	unsigned long window = lg_window_pages();
	unsigned int i;
	int err = 0;

	t->root = alloc_table();
	if (!t->root)
		return -ENOMEM;
	for (i = 0; i < lg_switcher_text_count() && !err; i++) {
		unsigned long pfn = lg_switcher_text_pfn(i);

		err = transit_map(t, lg_switcher_text_addr() + i * PAGE_SIZE, pfn, PTE_TEXT) ?:
		      transit_map(t, lg_window_base + i * PAGE_SIZE, pfn, PTE_TEXT);
	}
	for (i = 0; i < LG_CPU_PAGES && !err; i++) {
		unsigned long pfn = lg_switcher_cpu_pfn(cpu, i);

		err = transit_map(t, host + i * PAGE_SIZE, pfn, PTE_PAGE_RW) ?:
		      transit_map(t, window + i * PAGE_SIZE, pfn, PTE_PAGE_RW);
	}
	lg_cpu_pages(cpu)->state.transit_cr3 = __pa(t->root);
	return err;
}

static void free_transit(struct lg_transit *t)
{
	unsigned int i;

	for (i = 0; i < t->nr_tables; i++)
		free_page((unsigned long)t->tables[i]);
	free_page((unsigned long)t->root);
}

int lg_switcher_pte_init(void)
{
	unsigned int cpu;
	int err;

#ifdef CONFIG_X86_PAE
	/* The Switcher must live in the top gigabyte, where pmd[3] covers it. */
	if (lg_switcher_text_addr() < 0xC0000000UL ||
	    (unsigned long)lg_cpu_pages(0) < 0xC0000000UL)
		return -EINVAL;
#endif
	window_ptes = kcalloc(nr_cpu_ids, sizeof(*window_ptes), GFP_KERNEL);
	transits = kcalloc(nr_cpu_ids, sizeof(*transits), GFP_KERNEL);
	err = window_ptes && transits ? 0 : -ENOMEM;
	for (cpu = 0; cpu < nr_cpu_ids && !err; cpu++)
		err = build_window(cpu) ?: build_transit(cpu);
	if (err)
		lg_switcher_pte_exit();
	return err;
}

void lg_switcher_pte_exit(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (window_ptes)
			free_page((unsigned long)window_ptes[cpu]);
		if (transits)
			free_transit(&transits[cpu]);
	}
	kfree(window_ptes);
	kfree(transits);
	window_ptes = NULL;
	transits = NULL;
}

void lg_map_switcher_in_guest(struct lg_cpu *cpu, int host_cpu)
{
	/* No user bit: Guest user mode never touches the Switcher. */
	*pde_slot(cur_pgdir(cpu), lg_window_base) = __pa(window_ptes[host_cpu]) |
		PTE_PRESENT | PTE_RW | PTE_ACCESSED;
}

/* The guest-physical address of the Guest's running top-level table. */
unsigned long lg_guest_pgdir(struct lg_cpu *cpu)
{
	return cur_pgdir(cpu)->gpgdir;
}

unsigned long lg_shadow_cr3(struct lg_cpu *cpu)
{
	return __pa(cur_pgdir(cpu)->top);
}
