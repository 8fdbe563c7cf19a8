// SPDX-License-Identifier: GPL-2.0
/*
 * The C side of the Switcher: where it lives, how we call it,
 * and what we do with the trap it brings back.
 */
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <asm/desc.h>
#include <asm/tlbflush.h>
#include <asm/trap_pf.h>
#include <asm/msr.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/debugreg.h>
#include <asm/trapnr.h>
#include "lg.h"

unsigned long lg_window_base;
unsigned long lg_switcher_reserve_base;

static unsigned int switcher_text_count;
static struct page **switcher_cpu_pages;	/* LG_CPU_PAGES for each CPU */
static struct page *switcher_filler;		/* spread_cpu_pages: the gaps */
static void *switcher_text;		/* Host address of the text */
static void *switcher_data;		/* ...and of the per-CPU pages */
static unsigned long switcher_cpu_stride;	/* bytes from one CPU's to the next */

/*
 * A layout for testing: each CPU's pages 4 MiB from the next CPU's, so that
 * no two CPUs ever share a page-directory entry (in either paging format).
 * Normally they are packed, and share one unless the kernel happens to put
 * them across a boundary; this makes that case happen every time.
 */
static bool spread_cpu_pages;
module_param(spread_cpu_pages, bool, 0444);
MODULE_PARM_DESC(spread_cpu_pages,
		 "Put each CPU's Switcher pages 4 MiB apart (a layout for testing)");
#define LG_SPREAD_STRIDE	(4UL << 20)

/* The far pointer run_switcher() calls through: offset, then selector. */
static struct {
	u32 offset;
	u16 segment;
} __packed lg_entry;

/* Which virtual CPU last had its tables copied into this CPU's pages. */
static DEFINE_PER_CPU(u64, lg_last_loaded);

struct lg_cpu_pages *lg_cpu_pages(int cpu)
{
	return switcher_data + cpu * switcher_cpu_stride;
}

/* Where a symbol of switcher.S is in the Host, and in the window. */
static unsigned long host_sym(const char *sym)
{
	return (unsigned long)switcher_text + (sym - lg_switcher_start);
}

static unsigned long window_sym(const char *sym)
{
	return lg_window_base + (sym - lg_switcher_start);
}

/*> H100
 * The Switcher lives in two places.
 *
 * In the Host, its text is simply where the module loader put it (module
 * memory is in the vmalloc area, which every Host page directory maps, and
 * it is already executable), and the per-CPU pages are where vmap() puts
 * them.  Each CPU has three (lg_layout.h).
 *
 * In a Guest, the text and the running CPU's regs and state pages are the
 * "window": the last pages below 4 GiB, the same address on every CPU and
 * in every Guest.  That is where a Guest wants them, out of its way: the
 * Host's addresses are in the middle of the kernel's vmalloc area, and a
 * Guest that had to keep out of everything above them would lose a third
 * of its lowmem on a 512 MiB Host (DESIGN.md).  It is also where the Host
 * could not have them: its fixmap is there.
 *
 * So neither set of page tables maps the other's place, and the Switcher
 * crosses over on a third: each CPU's transit tables (page_tables.c, H420)
 * map the text and that CPU's pages in both places.  The Guest learns
 * where the window's page-directory slot starts (lguest_data.reserve_mem)
 * and keeps out of it; the Host's addresses are never in its tables.
 */
static struct page **alloc_page_array(unsigned int n)
{
	struct page **pages = kcalloc(n, sizeof(*pages), GFP_KERNEL);
	unsigned int i;

	if (!pages)
		return NULL;
	for (i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!pages[i])
			goto fail;
	}
	return pages;
fail:
	while (i--)
		__free_page(pages[i]);
	kfree(pages);
	return NULL;
}

static void free_page_array(struct page **pages, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		__free_page(pages[i]);
	kfree(pages);
}

/*
 * One vmap() for all CPUs: packed, CPU after CPU, or (spread_cpu_pages)
 * with the gaps between CPUs filled by one page that is never given to a
 * Guest, since vmap() maps whole arrays of pages.
 */
static void *vmap_cpu_pages(void)
{
	unsigned int per_cpu = switcher_cpu_stride / PAGE_SIZE;
	unsigned int n = per_cpu * (nr_cpu_ids - 1) + LG_CPU_PAGES;
	struct page **map;
	unsigned int cpu, i;
	void *addr;

	map = kvmalloc_array(n, sizeof(*map), GFP_KERNEL);
	if (!map)
		return NULL;
	for (i = 0; i < n; i++)
		map[i] = switcher_filler;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		for (i = 0; i < LG_CPU_PAGES; i++)
			map[cpu * per_cpu + i] =
				switcher_cpu_pages[cpu * LG_CPU_PAGES + i];
	addr = vmap(map, n, VM_MAP, PAGE_KERNEL);
	kvfree(map);
	return addr;
}

static void unmap_switcher(void)
{
	vunmap(switcher_data);
	__free_page(switcher_filler);
	free_page_array(switcher_cpu_pages, LG_CPU_PAGES * nr_cpu_ids);
}

static int map_switcher(void)
{
	switcher_text = lg_switcher_start;
	switcher_text_count = (lg_switcher_end - lg_switcher_start) / PAGE_SIZE;
	if (!PAGE_ALIGNED(switcher_text) || !is_vmalloc_addr(switcher_text)) {
		pr_err("lguest: the Switcher text at %p is not page-aligned module text\n",
		       switcher_text);
		return -EINVAL;
	}

	switcher_cpu_stride = spread_cpu_pages ? LG_SPREAD_STRIDE :
						 sizeof(struct lg_cpu_pages);
	switcher_cpu_pages = alloc_page_array(LG_CPU_PAGES * nr_cpu_ids);
	if (!switcher_cpu_pages)
		return -ENOMEM;
	switcher_filler = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (switcher_filler)
		switcher_data = vmap_cpu_pages();
	if (!switcher_data) {
		if (switcher_filler)
			__free_page(switcher_filler);
		free_page_array(switcher_cpu_pages, LG_CPU_PAGES * nr_cpu_ids);
		return -ENOMEM;
	}

	/* The window: the text, then one CPU's pages, ending at 4 GiB. */
	lg_window_base = 0UL - (switcher_text_count + LG_CPU_PAGES) * PAGE_SIZE;
	lg_switcher_reserve_base = lg_window_base & LG_PDE_MASK;
	BUILD_BUG_ON(LG_CPU_PAGES * PAGE_SIZE > LG_PDE_SIZE / 2);
	if (lg_switcher_reserve_base != (0UL - LG_PDE_SIZE)) {
		pr_err("lguest: the Switcher's %u pages of text do not fit its window\n",
		       switcher_text_count);
		unmap_switcher();
		return -EINVAL;
	}
	lg_entry.offset = host_sym(lg_switch_to_guest);
	lg_entry.segment = LG_CS;
	return 0;
}

/* Page frames behind the Switcher's mappings, for the Guest's shadow tables. */
unsigned long lg_switcher_text_pfn(unsigned int i)
{
	return vmalloc_to_pfn(switcher_text + i * PAGE_SIZE);
}

unsigned int lg_switcher_text_count(void)
{
	return switcher_text_count;
}

/* Page @which (0: regs, 1: state, 2: host) of @cpu. */
unsigned long lg_switcher_cpu_pfn(unsigned int cpu, unsigned int which)
{
	return page_to_pfn(switcher_cpu_pages[LG_CPU_PAGES * cpu + which]);
}

unsigned long lg_switcher_text_addr(void)
{
	return (unsigned long)switcher_text;
}

/* The window address of a CPU's regs page (the state page follows). */
unsigned long lg_window_pages(void)
{
	return lg_window_base + switcher_text_count * PAGE_SIZE;
}

/*> H110
 * The Switcher runs on code and data segments of its own, GDT entries 10
 * and 11, which Linux leaves unused.  They must exist in the Host's GDT too:
 * we "lcall" through entry 10 to get in, and an NMI that arrives after the
 * Host GDT is back but before the Host IDT is would still come through our
 * gates.  The GDT the CPU normally reads is the cpu_entry_area alias of
 * gdt_page, which some configurations map read-only, so we write the
 * entries through gdt_page itself.
 */
static const struct desc_struct lg_host_cs = GDT_ENTRY_INIT(0xc09b, 0, 0xfffff);
static const struct desc_struct lg_host_ds = GDT_ENTRY_INIT(0xc093, 0, 0xfffff);

static int install_host_segments(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct desc_struct *gdt = get_cpu_gdt_rw(cpu);

		if (desc_empty(&gdt[LG_CS_ENTRY]) && desc_empty(&gdt[LG_DS_ENTRY]))
			continue;
		pr_err("lguest: GDT entries %d and %d of CPU %u are in use\n",
		       LG_CS_ENTRY, LG_DS_ENTRY, cpu);
		return -EBUSY;
	}
	for_each_possible_cpu(cpu) {
		struct desc_struct *gdt = get_cpu_gdt_rw(cpu);

		write_gdt_entry(gdt, LG_CS_ENTRY, &lg_host_cs, DESCTYPE_S);
		write_gdt_entry(gdt, LG_DS_ENTRY, &lg_host_ds, DESCTYPE_S);
	}
	return 0;
}

static void remove_host_segments(void)
{
	static const struct desc_struct zero;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct desc_struct *gdt = get_cpu_gdt_rw(cpu);

		write_gdt_entry(gdt, LG_CS_ENTRY, &zero, DESCTYPE_S);
		write_gdt_entry(gdt, LG_DS_ENTRY, &zero, DESCTYPE_S);
	}
}

/*
 * Only a trap the Switcher takes itself (an NMI or machine check, or a
 * fault, S300) pushes anything of the Host's below the Guest's registers
 * on the regs page: return addresses in the Host's copy of its text among
 * them.  The Guest can read that page, so it goes before the Guest runs
 * again.  (The page-fault fast path, S250, keeps its words and a copy of
 * the registers there too, and a fault in one of its probes pushes a
 * frame: window addresses and the Guest's own values, nothing to hide.)
 */
#define LG_SWITCHER_STACK	512

static void wipe_switcher_stack(struct lg_cpu_pages *pages)
{
	u8 *page = (u8 *)&pages->rp;

	memset(page + LGP_REGS - LG_SWITCHER_STACK, 0, LG_SWITCHER_STACK);
}

static void check_layout(void)
{
	BUILD_BUG_ON(sizeof(struct lg_regs) != LGR_SIZE);
	BUILD_BUG_ON(offsetof(struct lg_regs, eax) != LGR_EAX);
	BUILD_BUG_ON(offsetof(struct lg_regs, gs) != LGR_GS);
	BUILD_BUG_ON(offsetof(struct lg_regs, es) != LGR_ES);
	BUILD_BUG_ON(offsetof(struct lg_regs, trapnum) != LGR_TRAPNUM);
	BUILD_BUG_ON(offsetof(struct lg_regs, eip) != LGR_EIP);
	BUILD_BUG_ON(offsetof(struct lg_regs, ss) != LGR_SS);
	BUILD_BUG_ON(sizeof(struct lg_regs_page) != PAGE_SIZE);
	BUILD_BUG_ON(offsetof(struct lg_regs_page, events) != LGP_EVENTS);
	BUILD_BUG_ON(offsetof(struct lg_regs_page, regs) != LGP_REGS);
	BUILD_BUG_ON(offsetof(struct lg_cpu_pages, state) != LGP_STATE);
	BUILD_BUG_ON(offsetof(struct lg_cpu_pages, host) != LGP_HOST);
	BUILD_BUG_ON(offsetof(struct lg_host_page, host_cr3) != LGH_HOST_CR3);
	BUILD_BUG_ON(offsetof(struct lg_host_page, guest_cr3) != LGH_GUEST_CR3);
	BUILD_BUG_ON(offsetof(struct lg_state_page, guest_ts) != LGS_GUEST_TS);
	BUILD_BUG_ON(offsetof(struct lg_host_page, sp) != LGH_SP);
	BUILD_BUG_ON(offsetof(struct lg_host_page, cr0) != LGH_CR0);
	BUILD_BUG_ON(offsetof(struct lg_host_page, cr4) != LGH_CR4);
	BUILD_BUG_ON(offsetof(struct lg_host_page, cr2) != LGH_CR2);
	BUILD_BUG_ON(offsetof(struct lg_host_page, gdt.limit) != LGH_GDT);
	BUILD_BUG_ON(offsetof(struct lg_host_page, idt.limit) != LGH_IDT);
	BUILD_BUG_ON(offsetof(struct lg_host_page, ldt) != LGH_LDT);
	BUILD_BUG_ON(offsetof(struct lg_host_page, transit_in_desc.limit) !=
		     LGH_TRANSIT_IN_DESC);
	BUILD_BUG_ON(offsetof(struct lg_host_page, transit_out_desc.limit) !=
		     LGH_TRANSIT_OUT_DESC);
	BUILD_BUG_ON(offsetof(struct lg_host_page, host_pages) != LGH_HOST_PAGES);
	BUILD_BUG_ON(offsetof(struct lg_host_page, window_pages) != LGH_WINDOW_PAGES);
	BUILD_BUG_ON(offsetof(struct lg_host_page, host_exit) != LGH_HOST_EXIT);
	BUILD_BUG_ON(offsetof(struct lg_host_page, window_entry) != LGH_WINDOW_ENTRY);
	BUILD_BUG_ON(offsetof(struct lg_host_page, guest_gdt_desc.limit) !=
		     LGH_GUEST_GDT_DESC);
	BUILD_BUG_ON(offsetof(struct lg_host_page, transit_in_idt) != LGH_TRANSIT_IN_IDT);
	BUILD_BUG_ON(offsetof(struct lg_host_page, transit_out_idt) != LGH_TRANSIT_OUT_IDT);
	BUILD_BUG_ON(offsetof(struct lg_state_page, transit_cr3) != LGS_TRANSIT_CR3);
	BUILD_BUG_ON(offsetof(struct lg_state_page, guest_tss.sp1) != LGS_GUEST_SP1);
	BUILD_BUG_ON(offsetof(struct lg_state_page, fast.mode) != LGS_FAST_MODE);
	BUILD_BUG_ON(offsetof(struct lg_state_page, fast.top) != LGS_FAST_TOP);
	BUILD_BUG_ON(offsetof(struct lg_state_page, fast.map) != LGS_FAST_MAP);
	BUILD_BUG_ON(offsetof(struct lg_state_page, fast.map_size) != LGS_FAST_MAP_SIZE);
	BUILD_BUG_ON(offsetof(struct lg_state_page, fast.data) != LGS_FAST_DATA);
	BUILD_BUG_ON(offsetof(struct lg_state_page, fast.handler) != LGS_FAST_HANDLER);
	BUILD_BUG_ON(offsetof(struct lg_state_page, fast.handler_cs) != LGS_FAST_HANDLER_CS);
	BUILD_BUG_ON(offsetof(struct lg_state_page, fast.intr) != LGS_FAST_INTR);
	BUILD_BUG_ON(offsetof(struct lg_state_page, fast.limit) != LGS_FAST_LIMIT);
	BUILD_BUG_ON(offsetof(struct lg_state_page, fast.ss) != LGS_FAST_SS);
	BUILD_BUG_ON(offsetof(struct lg_state_page, guest_gdt) != LGS_GUEST_GDT);
	BUILD_BUG_ON(offsetof(struct lg_regs_page, fast_copy) != LGP_FAST_COPY);
	BUILD_BUG_ON(offsetof(struct lg_regs_page, fast_cr2) != LGP_FAST_CR2);
	BUILD_BUG_ON(offsetof(struct lg_regs_page, fast_last_cr2) != LGP_FAST_LAST_CR2);
	BUILD_BUG_ON(offsetof(struct lg_regs_page, fast_last_eip) != LGP_FAST_LAST_EIP);
	BUILD_BUG_ON(offsetof(struct lg_regs_page, fast_count) != LGP_FAST_COUNT);
	BUILD_BUG_ON(LG_LGD_IRQ_ENABLED != LGD(irq_enabled));
	BUILD_BUG_ON(LG_LGD_CR2 != LGD(cr2));
	BUILD_BUG_ON(LG_PF_WRITE != X86_PF_WRITE || LG_PF_USER != X86_PF_USER ||
		     LG_PF_RSVD != X86_PF_RSVD || LG_PF_INSTR != X86_PF_INSTR);
	BUILD_BUG_ON(LG_SWITCHER_STACK > LGP_REGS - 4);
	BUILD_BUG_ON(sizeof(struct lg_host_page) != PAGE_SIZE);
	BUILD_BUG_ON(LG_CR0_TS != X86_CR0_TS);
	BUILD_BUG_ON(LG_CR4_GUEST_OFF !=
		     (X86_CR4_PGE | X86_CR4_PCE | X86_CR4_SMAP | X86_CR4_UMIP));
	BUILD_BUG_ON(BIT(LG_EFLAGS_NT_BIT) != X86_EFLAGS_NT);
	BUILD_BUG_ON(offsetof(struct lg_state_page, guest_gdt_desc.limit) !=
		     LGS_GUEST_GDT_DESC);
	BUILD_BUG_ON(offsetof(struct lg_state_page, guest_idt_desc.limit) !=
		     LGS_GUEST_IDT_DESC);
	BUILD_BUG_ON(offsetof(struct lg_state_page, guest_tss) != LGS_GUEST_TSS);
	BUILD_BUG_ON(offsetof(struct lg_state_page, guest_gdt) != LGS_GUEST_GDT);
	BUILD_BUG_ON(offsetof(struct lg_state_page, guest_idt) != LGS_GUEST_IDT);
	BUILD_BUG_ON(sizeof(struct lg_state_page) > PAGE_SIZE);
	BUILD_BUG_ON(sizeof(struct lg_cpu_pages) != LG_CPU_PAGES * PAGE_SIZE);
}

/*
 * What never changes in a CPU's pages, whoever runs there: the ring-0 stack
 * in its TSS, where its GDT and IDT are, and what the Switcher needs to
 * cross between the Host's place and the window (S100, S200).
 */
static void set_transit_idt(gate_desc *idt, struct lg_desc_ptr *desc)
{
	unsigned long stubs = host_sym(lg_trap_stubs);
	unsigned int v;

	/* Every exception vector, into the stubs at their Host address. */
	for (v = 0; v < LG_TRANSIT_GATES; v++)
		pack_gate(&idt[v], GATE_INTERRUPT, stubs + v * LG_STUB_SIZE,
			  0, 0, LG_CS);
	desc->limit = LG_TRANSIT_GATES * sizeof(gate_desc) - 1;
	desc->base = (unsigned long)idt;
}

static void init_cpu_pages(struct lg_cpu_pages *pages)
{
	struct lg_state_page *state = &pages->state;
	struct lg_host_page *host = &pages->host;
	unsigned long window = lg_window_pages();

	/* Traps into ring 0 land at the top of the regs page, in the window. */
	state->guest_tss.sp0 = window + PAGE_SIZE;
	state->guest_tss.ss0 = LG_DS;
	/* No I/O bitmap: every port access from the Guest faults. */
	state->guest_tss.io_bitmap_base = sizeof(state->guest_tss);

	state->guest_gdt_desc.limit = sizeof(state->guest_gdt) - 1;
	state->guest_gdt_desc.base = window + LGP_STATE + LGS_GUEST_GDT;
	state->guest_idt_desc.limit = sizeof(state->guest_idt) - 1;
	state->guest_idt_desc.base = window + LGP_STATE + LGS_GUEST_IDT;

	host->guest_gdt_desc.limit = sizeof(state->guest_gdt) - 1;
	host->guest_gdt_desc.base = (unsigned long)state->guest_gdt;
	set_transit_idt(host->transit_in_idt, &host->transit_in_desc);
	set_transit_idt(host->transit_out_idt, &host->transit_out_desc);
	host->host_pages = (unsigned long)pages;
	host->window_pages = window;
	host->host_exit = host_sym(lg_exit_on_host);
	host->window_entry = window_sym(lg_enter_in_window);
}

int lg_switcher_init(void)
{
	unsigned int cpu;
	int err;

	check_layout();
	err = map_switcher();
	if (err)
		return err;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		init_cpu_pages(lg_cpu_pages(cpu));
	err = install_host_segments();
	if (err) {
		unmap_switcher();
		return err;
	}
	pr_info("lguest: the Switcher's window is at %#lx, Guests must stay below %#lx\n",
		lg_window_base, lg_switcher_reserve_base);
	return 0;
}

void lg_switcher_exit(void)
{
	remove_host_segments();
	unmap_switcher();
}

/* Where a Guest starts: ABI.md section 8. */
void lg_init_cpu_regs(struct lg_cpu *cpu, u32 start)
{
	struct lg_regs *regs = &cpu->regs;

	memset(regs, 0, sizeof(*regs));
	regs->eip = start;
	regs->cs = LGUEST_GUEST_CS;
	regs->ds = LGUEST_GUEST_DS;
	regs->es = LGUEST_GUEST_DS;
	regs->ss = LGUEST_GUEST_DS;
	regs->eflags = LGUEST_START_EFLAGS;
}

/*> H200
 * Before each entry we fill this CPU's pages with what the Guest needs.
 * The registers and the TSS are small and always copied.  The GDT and IDT
 * are copied only when they changed, or when this CPU last ran someone else.
 */
static void write_tss_descriptor(struct desc_struct *gdt, unsigned long tss)
{
	tss_desc desc;

	set_tssldt_descriptor(&desc, tss, DESC_TSS,
			      sizeof(struct x86_hw_tss) - 1);
	memcpy(&gdt[LG_TSS_ENTRY], &desc, sizeof(desc));
}

static void copy_tables(struct lg_cpu *cpu, struct lg_cpu_pages *pages)
{
	struct desc_struct *gdt = pages->state.guest_gdt;

	lg_copy_gdt(cpu, gdt);
	gdt[LG_CS_ENTRY] = lg_host_cs;
	gdt[LG_DS_ENTRY] = lg_host_ds;
	write_tss_descriptor(gdt, lg_window_pages() + LGP_STATE + LGS_GUEST_TSS);
	lg_copy_idt(cpu, pages->state.guest_idt, window_sym(lg_trap_stubs));
	cpu->tables_changed = false;
}

/*
 * The regs page is writable from ring 1, and everything in it below the
 * registers is whatever the last Guest on this CPU left there.  Two Guests
 * must not be able to talk through it, so a Guest arriving on a CPU that
 * last ran another finds that part zeroed, as on the module's first run.
 */
static void forget_previous_guest(struct lg_cpu_pages *pages)
{
	memset(&pages->rp, 0, offsetof(struct lg_regs_page, regs));
}

static void copy_in(struct lg_cpu *cpu, struct lg_cpu_pages *pages, int host_cpu)
{
	struct lg_state_page *state = &pages->state;
	bool other_guest = this_cpu_read(lg_last_loaded) != cpu->id;

	if (other_guest)
		forget_previous_guest(pages);
	if (cpu->tables_changed || cpu->last_host_cpu != host_cpu || other_guest) {
		copy_tables(cpu, pages);
		this_cpu_write(lg_last_loaded, cpu->id);
		cpu->last_host_cpu = host_cpu;
	}

	pages->rp.regs = cpu->regs;
	/*
	 * The Guest's flags can only have come from the CPU or from us, but we
	 * enter with an "iret" in ring 0, which would honour whatever is there:
	 * never virtual-8086 mode, never I/O privilege, never interrupts off.
	 */
	pages->rp.regs.eflags = (cpu->regs.eflags | X86_EFLAGS_IF) &
				~(X86_EFLAGS_VM | X86_EFLAGS_IOPL);

	/* Direct traps from Guest user mode land on the Guest's own stack. */
	state->guest_tss.sp1 = cpu->esp1;
	state->guest_tss.ss1 = cpu->ss1;

	pages->host.guest_cr3 = lg_shadow_cr3(cpu);
	state->guest_ts = cpu->guest_ts ? LG_CR0_TS : 0;
	lg_prepare_fast_pf(cpu, &state->fast);
	pages->rp.fast_last_cr2 = cpu->fast_last_cr2;
	pages->rp.fast_last_eip = cpu->fast_last_eip;

	lg_map_switcher_in_guest(cpu, host_cpu);
}

/*
 * "sysenter" from Guest user mode would enter the Host kernel at the Host's
 * entry point, on the Guest's page tables.  With SYSENTER_CS at zero it
 * raises #GP instead, which we reflect to the Guest.  The kernel keeps the
 * Host's value in the TSS's ss1 slot, which is where we restore it from.
 */
static void disable_sysenter(void)
{
	if (boot_cpu_has(X86_FEATURE_SEP))
		wrmsr(MSR_IA32_SYSENTER_CS, 0, 0);
}

static void restore_sysenter(void)
{
	if (boot_cpu_has(X86_FEATURE_SEP))
		wrmsr(MSR_IA32_SYSENTER_CS,
		      this_cpu_read(cpu_tss_rw.x86_tss.ss1), 0);
}

/*
 * The call itself.  "pushfl" plus the far call leave an interrupt-shaped
 * frame, so the Switcher returns with "iret" (or through a Host interrupt
 * handler, whose own "iret" lands here).  It preserves only %ebp, and
 * hands back in %esi the NMIs and machine checks (LG_EVENT_*) that hit it
 * on its way out of the Guest.
 */
static u32 run_switcher(struct lg_cpu_pages *pages)
{
	unsigned long dummy;
	u32 events;

	asm volatile("pushfl\n\t"
		     "lcall *%[entry]"
		     : "=a"(dummy), "=S"(events)
		     : "0"(pages), [entry] "m"(lg_entry)
		     : "memory", "cc", "ebx", "ecx", "edx", "edi");
	return events;
}

/*
 * Events that hit the Switcher on its way out belong to the Host: its own
 * handlers take them now, as if they had just arrived.  (Those that hit it
 * on the way in have been handled already: the entry was cancelled.)
 */
static void raise_host_events(u32 events)
{
	if (events & LG_EVENT_MCE)
		asm volatile("int $18");
	if (events & LG_EVENT_NMI)
		asm volatile("int $2");
}

/*
 * The page faults the Switcher delivered without us since the last exit
 * (S250).  The Guest can write the count, so it is a statistic, no more;
 * one larger than a Guest could take between two exits (a host timer tick
 * apart at the most) was written, not counted, and is left out.
 *
 * The last fault it delivered is the fast path's guard against delivering
 * one fault for ever ("not the same one twice with no page fault of ours
 * between"), and it belongs to the virtual CPU, not to the regs page: it
 * goes with the Guest to whatever host CPU runs it next, and survives
 * another Guest running here meanwhile (which finds the page zeroed).  A
 * page fault that comes home forgets it.
 *
 * The four words lie just below the saved registers, which is where the
 * CPU pushes its frame for an NMI or machine check taken while the
 * Switcher's stack pointer is at them (S300).  After such an event
 * (events) they may hold that frame instead, its flags in the count with
 * NT set (S300 marks the frame so): such a count we leave out, and we
 * forget the last fault, which costs at most one more delivery of it.
 */
#define LG_FAST_PF_PLAUSIBLE	(1U << 20)

static void take_fast_pf_state(struct lg_cpu *cpu, struct lg_regs_page *rp,
			       u32 events)
{
	bool frame = events && (rp->fast_count & X86_EFLAGS_NT);

	if (!frame && rp->fast_count <= LG_FAST_PF_PLAUSIBLE)
		cpu->stats.fast_page_faults += rp->fast_count;
	rp->fast_count = 0;
	if (events || rp->regs.trapnum == 14)
		rp->fast_last_cr2 = rp->fast_last_eip = 0;
	cpu->fast_last_cr2 = rp->fast_last_cr2;
	cpu->fast_last_eip = rp->fast_last_eip;
}

/*> H210
 * The Host's hardware breakpoints (a debugger's watchpoint, a perf "mem:"
 * event) watch linear addresses, and the Guest's addresses are linear
 * addresses too: left armed, they would hit the Guest's own accesses and
 * the Switcher's reads of its page tables (S250), a #DB the Guest never
 * asked for, or a fault in the Switcher that kills it.  So DR7 is off
 * while we are away, as the Host's own NMI entry turns it off.
 *
 * DR6 is the other way round.  A Guest that single-steps (TF) makes the
 * CPU set DR6.BS, and no one clears it: the next #DB the Host takes would
 * look like a single step too (a spurious TRAP_TRACE for a debugger, a
 * warning if it came from kernel mode).  Every #DB of a Guest comes
 * through us for that reason (interrupts.c), and we wipe DR6 after it.
 */
static unsigned long host_breakpoints_off(void)
{
	return local_db_save();
}

static void host_breakpoints_on(struct lg_cpu *cpu, unsigned long dr7, u32 trapnum)
{
	unsigned long dr6;

	if ((trapnum & 0xff) == X86_TRAP_DB) {
		/* What the Guest reads from DR6 now (debugreg.c). */
		get_debugreg(dr6, 6);
		cpu->dr6 = dr6 & LG_DR6_EVENTS;
		set_debugreg(DR6_RESERVED, 6);
	}
	local_db_restore(dr7);
}

/* True if the Guest ran (and cpu->regs holds why it stopped). */
bool lg_run_guest_once(struct lg_cpu *cpu)
{
	struct lg_cpu_pages *pages;
	unsigned long dr7;
	int host_cpu;
	u32 events;
	bool ran;

	local_irq_disable();
	host_cpu = smp_processor_id();
	pages = lg_cpu_pages(host_cpu);

	/* The Guest's FPU registers must be live in the CPU while it runs. */
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();

	copy_in(cpu, pages, host_cpu);
	disable_sysenter();
	/* The Switcher's "ltr" needs a GDT it can write: see switcher.S. */
	load_direct_gdt(host_cpu);
	dr7 = host_breakpoints_off();

	events = run_switcher(pages);

	host_breakpoints_on(cpu, dr7, pages->rp.regs.trapnum);
	load_fixmap_gdt(host_cpu);
	restore_sysenter();

	/*
	 * A cancelled entry leaves the Guest as it was: the regs page holds
	 * half-loaded registers, and only its trap number is ours.
	 */
	ran = !(pages->rp.regs.trapnum & LG_TRAP_ABORTED);
	take_fast_pf_state(cpu, &pages->rp, events);
	if (events || (pages->rp.regs.trapnum & (LG_TRAP_ABORTED | LG_TRAP_SWITCHER)))
		wipe_switcher_stack(pages);
	if (ran) {
		cpu->regs = pages->rp.regs;
		cpu->cr2 = pages->host.cr2;
	} else {
		cpu->stats.aborted_entries++;
	}
	raise_host_events(events);
	local_irq_enable();
	return ran;
}

/*
 * The bytes at the Guest's EIP, as far as its page tables map them to its
 * RAM, and zeros after: an instruction may end just before a page of
 * device memory or the end of RAM, and the bytes after it are not the
 * Guest's fault.  An instruction may cross into a page that is anywhere in
 * guest-physical memory, so we walk the Guest's tables once per page, not
 * once per instruction; not once per byte either: that walk was a quarter
 * of an exit to the Launcher under QEMU's emulator (doc/bench.md).
 */
void lg_fetch_insn(struct lg_cpu *cpu, u8 *insn, unsigned int len)
{
	unsigned int done = 0;

	memset(insn, 0, len);
	while (done < len) {
		u32 vaddr = cpu->regs.eip + done;
		unsigned int chunk = min_t(unsigned int, len - done,
					   PAGE_SIZE - (vaddr & ~PAGE_MASK));
		unsigned long gpa;

		if (!lg_guest_virt_to_phys(cpu, vaddr, &gpa) ||
		    !lg_range_ok(cpu->lg, gpa, chunk) ||
		    lg_read(cpu->lg, insn + done, gpa, chunk))
			break;
		done += chunk;
	}
}

/*
 * An exit for the Launcher to handle: the next read() hands it the trap,
 * the address of a device access and the instruction's first bytes, which
 * the caller has put in cpu->pending.insn.
 */
void lg_exit_fetched(struct lg_cpu *cpu, u8 trap, u32 addr)
{
	cpu->pending.trap = trap;
	cpu->pending.addr = addr;
	cpu->has_pending = true;
	cpu->stats.launcher_exits++;
}

void lg_exit_to_launcher(struct lg_cpu *cpu, u8 trap, u32 addr)
{
	lg_fetch_insn(cpu, cpu->pending.insn, sizeof(cpu->pending.insn));
	lg_exit_fetched(cpu, trap, addr);
}

/*
 * Port I/O from the Guest kernel is the Launcher's to emulate, now, or (a
 * write it lets us hold) at its next exit.  One fetch of the instruction
 * serves both: no exit is pending while the Guest runs, so the pending
 * exit's bytes are ours to fill.
 */
static void port_io(struct lg_cpu *cpu)
{
	u8 *insn = cpu->pending.insn;

	BUILD_BUG_ON(sizeof(cpu->pending.insn) < 3);	/* lg_hold_port_write() */
	lg_fetch_insn(cpu, insn, sizeof(cpu->pending.insn));
	if (lg_emulate_debugreg(cpu, insn))
		return;
	if (!lg_hold_port_write(cpu, insn))
		lg_exit_fetched(cpu, 13, 0);
}

/*> H300
 * Back from the Guest with a trap number.  Host interrupts were already
 * handled by the Host's own handlers on the way out; everything else is
 * either ours to fix (page faults, hypercalls), the Launcher's (I/O), or the
 * Guest's own business, in which case we reflect it into the Guest's IDT.
 */
static bool is_host_interrupt(unsigned int trap)
{
	return trap == 2 || trap == 18 || (trap >= 32 && trap != 0x80);
}

void lg_handle_trap(struct lg_cpu *cpu)
{
	struct lguest *lg = cpu->lg;
	unsigned int trap = cpu->regs.trapnum;

	cpu->stats.exits++;
	/* An NMI sent it home just as it entered its page-fault handler. */
	if (trap == LG_TRAP_DELIVERED)
		return;
	cpu->stats.traps[trap & 0xff]++;

	if (trap & LG_TRAP_SWITCHER) {
		kill_guest(lg, "bad guest state: fault %u while entering the guest at eip %#x",
			   trap & 0xff, cpu->regs.eip);
		return;
	}
	if (is_host_interrupt(trap))
		return;

	switch (trap) {
	case 13:
		/* A #GP with no error code from ring 1: an in or an out. */
		if (cpu->regs.errcode == 0 && (cpu->regs.cs & 3) == 1) {
			port_io(cpu);
			return;
		}
		break;
	case 14:
		cpu->stats.page_faults++;
		if (lg_demand_page(cpu, cpu->cr2, cpu->regs.errcode))
			return;
		/* The Guest reads %cr2 from here. */
		if (lg->lguest_data)
			lg_write_u32(lg, lg->lguest_data + LGD(cr2), cpu->cr2);
		break;
	case LGUEST_TRAP_ENTRY:
		lg_do_hypercalls(cpu);
		return;
	}

	if (!lg_deliver_trap(cpu, trap))
		kill_guest(lg, "unhandled trap %u at eip %#x (error code %#x)",
			   trap, cpu->regs.eip, cpu->regs.errcode);
}
