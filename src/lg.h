/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Host's view of a Guest.
 *
 * One struct lguest per open /dev/lguest that has been initialised, with one
 * struct lg_cpu (we run one virtual CPU today; the ABI names CPUs by file
 * offset so more can come).  Everything a Guest can change goes through a
 * hypercall or a trap into the files listed at the bottom, each of which owns
 * one part of this state.
 */
#ifndef LG_H
#define LG_H

#include <linux/types.h>
#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <asm/desc_defs.h>
#include <asm/processor.h>
#include <asm/fpu/api.h>
#include "lguest_abi.h"
#include "lg_layout.h"

/* The registers as the Switcher saves them: see lg_layout.h for offsets. */
struct lg_regs {
	u32 ebx, ecx, edx, esi, edi, ebp, eax;
	u32 gs, fs, ds, es;
	u32 trapnum, errcode;
	u32 eip, cs, eflags, esp, ss;
};

/* The general register an instruction's 3-bit field names (ModRM.reg or .rm). */
static inline u32 *lg_gpr(struct lg_regs *r, unsigned int n)
{
	switch (n & 7) {
	case 0: return &r->eax;
	case 1: return &r->ecx;
	case 2: return &r->edx;
	case 3: return &r->ebx;
	case 4: return &r->esp;
	case 5: return &r->ebp;
	case 6: return &r->esi;
	default: return &r->edi;
	}
}

struct lg_desc_ptr {
	u16 pad;
	u16 limit;
	u32 base;
} __packed;

/* The three per-CPU pages the Switcher uses, as seen from C. */
struct lg_regs_page {
	u32 events;			/* LG_EVENT_*: see lg_layout.h */
	u8 unused[LGP_FAST_COPY - 4];
	/* The page-fault fast path's (S250 in switcher.S). */
	struct lg_regs fast_copy;
	u32 fast_cr2, fast_last_cr2, fast_last_eip, fast_count;
	struct lg_regs regs;
};

/* What run.c tells the page-fault fast path of the Guest: LGS_FAST_*. */
struct lg_fast_pf {
	u32 mode, top, map, map_size, data, handler, handler_cs, intr, limit, ss;
};

struct lg_state_page {
	u32 unused[2], guest_ts;		/* the CR3s are in the host page */
	/* Each pointer starts with padding, so the base is 4-byte aligned. */
	struct lg_desc_ptr guest_gdt_desc, guest_idt_desc;
	u32 transit_cr3;
	u8 pad1[LGS_GUEST_TSS - LGS_TRANSIT_CR3 - 4];
	struct x86_hw_tss guest_tss;
	u8 pad2[LGS_FAST_MODE - LGS_GUEST_TSS - sizeof(struct x86_hw_tss)];
	struct lg_fast_pf fast;
	u8 pad3[LGS_GUEST_GDT - LGS_FAST_END];
	struct desc_struct guest_gdt[LGUEST_GDT_ENTRIES];
	gate_desc guest_idt[256];
};

struct lg_host_page {
	u32 sp, cr0, cr4, cr2;
	struct lg_desc_ptr gdt, idt;
	u16 ldt, pad;
	struct lg_desc_ptr transit_in_desc, transit_out_desc;
	u32 host_pages, window_pages;
	u32 host_exit, window_entry;
	struct lg_desc_ptr guest_gdt_desc;
	u32 host_cr3, guest_cr3;
	u8 pad1[LGH_TRANSIT_IN_IDT - LGH_GUEST_CR3 - 4];
	gate_desc transit_in_idt[LG_TRANSIT_GATES];
	u8 pad2[LGH_TRANSIT_OUT_IDT - LGH_TRANSIT_IN_IDT - LG_TRANSIT_GATES * 8];
	gate_desc transit_out_idt[LG_TRANSIT_GATES];
	u8 unused[PAGE_SIZE - LGH_TRANSIT_OUT_IDT - LG_TRANSIT_GATES * 8];
};

struct lg_cpu_pages {
	struct lg_regs_page rp;
	struct lg_state_page state __aligned(PAGE_SIZE);
	struct lg_host_page host __aligned(PAGE_SIZE);
} __aligned(PAGE_SIZE);

/* Page-table entries at every level are this wide in the Host's format. */
#ifdef CONFIG_X86_PAE
typedef u64 lg_pte_t;
#define LG_PTE_FRAME_MASK	0x000ffffffffff000ULL
#define LG_PTRS_PER_PAGE	512
#define LG_PDE_SHIFT		21	/* one PMD entry maps 2 MiB */
#else
typedef u32 lg_pte_t;
#define LG_PTE_FRAME_MASK	0xfffff000UL
#define LG_PTRS_PER_PAGE	1024
#define LG_PDE_SHIFT		22	/* one PDE maps 4 MiB */
#endif
#define LG_PDE_SIZE		(1UL << LG_PDE_SHIFT)
#define LG_PDE_MASK		(~(LG_PDE_SIZE - 1))

/* The only system call vector we let a Guest take directly (ABI.md 3). */
#define LG_SYSCALL_VECTOR	0x80

/* How many shadow page-table trees we keep for one Guest. */
#define LG_NR_PGDIRS	4

struct lg_pgdir {
	unsigned long gpgdir;	/* guest-physical address of its top level */
	lg_pte_t *top;		/* our shadow: a page directory, or a PDPT */
	unsigned int kernel_linked;	/* lg->kernel_tables when last linked */
#ifdef CONFIG_X86_PAE
	lg_pte_t *pmd[4];	/* the four PMD pages, allocated up front */
#endif
};
#define LG_NO_PGDIR	(~0UL)

/* Hypercall numbers below this are counted one by one. */
#define LG_HCALL_COUNTED	32

/* Why the Guest exited, counted for /sys/kernel/debug/lguest/<pid>. */
struct lg_stats {
	u64 exits, hypercalls, async_hypercalls, launcher_exits;
	u64 page_faults, irqs_delivered, halts;
	u64 aborted_entries;		/* an NMI or #MC cancelled an entry */
	u64 new_pgtables, pgtable_misses;	/* NEW_PGTABLE; not cached */
	u64 demand_fixed;		/* page faults we fixed unseen */
	u64 fast_page_faults;		/* the Switcher delivered (S250) */
	u64 faulted_around;		/* PTEs shadowed beside them (H405) */
	u64 held_port_writes;		/* "out"s held for the Launcher (H310) */
	u64 isr_reads;			/* ISR reads we answered (H320) */
	u64 debugreg_moves;		/* mov to or from %drN (debugreg.c) */
	u64 hcalls[LG_HCALL_COUNTED];	/* by number: straight calls */
	u64 hcalls_async[LG_HCALL_COUNTED];	/* ...and from the ring */
	u64 traps[256];
};

struct lguest;

struct lg_cpu {
	struct lguest *lg;
	u64 id;				/* unique for the module's lifetime */
	int last_host_cpu;		/* whose pages hold our GDT and IDT */
	struct task_struct *task;	/* the Launcher thread that runs it */

	/* The Guest's registers while it is out of the Switcher. */
	struct lg_regs regs;
	/* What read() hands the Launcher next, if anything. */
	struct lguest_pending pending;
	bool has_pending;
	/* A GETREG asked for this value; the next read() returns it. */
	bool has_reg_value;
	u32 reg_value;

	/* Interrupts the Launcher and the timer raised, not yet delivered. */
	unsigned long irqs_pending;
	bool halted;
	bool halt_sleeping;		/* in halt_until_irq(), maybe asleep */
	struct hrtimer timer;

	/* Descriptor tables as the Guest gave them, checked. */
	struct desc_struct gdt[LGUEST_GDT_ENTRIES];
	u32 idt_lo[256], idt_hi[256];
	bool tables_changed;		/* copy them in before the next run */

	/* The ring-1 stack for traps from Guest user mode (SET_STACK). */
	u32 ss1, esp1;
	/* DR6's event bits from the Guest's last #DB, as it reads them. */
	u32 dr6;
	bool guest_ts;			/* the Guest's idea of CR0.TS */
	struct fpu_guest fpu;

	/* Shadow page tables. */
	int cur_pgdir;			/* index into lg->pgdirs */
	bool linear;			/* before the first NEW_PGTABLE */
	u32 cr2;			/* fault address of the last exit */
	unsigned int next_victim;

	/* The last page fault the Switcher delivered itself (run.c, S250). */
	u32 fast_last_cr2, fast_last_eip;

	/* Where the async hypercall ring continues. */
	unsigned int next_hcall;
	/* Set by a hypercall to tell the run loop to stop for the Launcher. */
	bool wants_launcher;

	/* Port writes held for the Launcher's next exit (port_io.c, H310). */
	struct lguest_port_write held[LGUEST_HELD_WRITES];
	unsigned int nr_held;
	unsigned long held_since;	/* jiffies when the first was held */
	bool death_untold;		/* writes went out before the death */

	struct lg_stats stats;
};

struct lguest {
	struct mutex lock;		/* serialises /dev/lguest writes and runs */
	struct lg_cpu cpu;

	/*
	 * Guest memory: [0, pfn_limit) RAM, then device pages to device_limit,
	 * at mem_base in the address space mm, and no other (H012).
	 */
	struct mm_struct *mm;
	unsigned long mem_base;		/* Launcher address of guest-physical 0 */
	unsigned long pfn_limit;
	unsigned long device_limit;
	unsigned long locked_pages;	/* charged to mm's locked_vm (H011) */

	/* From LGUEST_INIT. */
	unsigned long lguest_data;	/* guest-physical, 0 until then */
	u32 kernel_address;
	u32 noirq_iret;

	/* The ports whose writes the Launcher has us hold (LHREQ_HOLD_PORTS). */
	struct lg_port_range {
		u16 first, last;
	} held_ports[LGUEST_HOLD_RANGES];
	unsigned int nr_held_ports;

	/* The interrupt status bytes we read for the Launcher (LHREQ_ISR). */
	struct lg_isr {
		u32 gpa, uaddr;
	} isrs[LGUEST_ISRS];
	unsigned int nr_isrs;

	struct lg_pgdir pgdirs[LG_NR_PGDIRS];
	/* Its page tables are PAE, not 2-level (page_tables.c, H390). */
	bool guest_pae;
	/* Shadow PTE tables of its kernel mappings, one per slot (H380). */
	lg_pte_t *kernel_ptes[1U << (32 - LG_PDE_SHIFT)];
	unsigned int kernel_tables;	/* how many of those exist */
	/*
	 * The Host page behind each guest-physical page we have pinned, in
	 * leaves of LG_PINS_PER_LEAF allocated as needed (page_tables.c, H415).
	 */
	struct lg_pin_leaf {
		unsigned long *slots;
		unsigned int held;
	} *pins;
	unsigned long pins_held, pins_peak;	/* pinned pages: now, at most */

	/* NULL while alive; then why it died.  The first reason wins. */
	const char *dead;
	bool restart;			/* SHUTDOWN asked for a reboot */
	char dead_buf[160];

	struct dentry *debugfs;
};

/* Labels in switcher.S: its page-aligned text, entry and trap stubs. */
extern char lg_switcher_start[], lg_switcher_end[];
extern char lg_switch_to_guest[], lg_trap_stubs[];
extern char lg_enter_in_window[], lg_exit_on_host[];

/* Where the Switcher's window starts in every Guest (run.c, H100). */
extern unsigned long lg_window_base;
/* The lowest address the Guest must leave alone (page-directory aligned). */
extern unsigned long lg_switcher_reserve_base;

/* core.c: guest memory, death, the run loop */
bool lg_range_ok(struct lguest *lg, unsigned long gpa, unsigned long len);
int lg_read(struct lguest *lg, void *dst, unsigned long gpa, unsigned long len);
int lg_write(struct lguest *lg, unsigned long gpa, const void *src, unsigned long len);
u32 lg_read_u32(struct lguest *lg, unsigned long gpa);
void lg_write_u32(struct lguest *lg, unsigned long gpa, u32 val);
__printf(2, 3) void kill_guest(struct lguest *lg, const char *fmt, ...);
int run_guest(struct lg_cpu *cpu, char __user *user, size_t size);
void lg_yield_if_asked(void);

/* run.c: mapping the Switcher, entering it, what came back */
int lg_switcher_init(void);
void lg_switcher_exit(void);
struct lg_cpu_pages *lg_cpu_pages(int cpu);
void lg_init_cpu_regs(struct lg_cpu *cpu, u32 start);
bool lg_run_guest_once(struct lg_cpu *cpu);
ssize_t lg_copy_exit(struct lg_cpu *cpu, char __user *user, size_t size);
void lg_handle_trap(struct lg_cpu *cpu);
void lg_exit_to_launcher(struct lg_cpu *cpu, u8 trap, u32 addr);
void lg_exit_fetched(struct lg_cpu *cpu, u8 trap, u32 addr);
void lg_fetch_insn(struct lg_cpu *cpu, u8 *insn, unsigned int len);
unsigned long lg_switcher_text_pfn(unsigned int i);
unsigned int lg_switcher_text_count(void);
unsigned long lg_switcher_text_addr(void);
unsigned long lg_switcher_cpu_pfn(unsigned int cpu, unsigned int which);
unsigned long lg_window_pages(void);

/* page_tables.c: shadow page tables */
int lg_pagetables_init(struct lguest *lg);
void lg_pagetables_free(struct lguest *lg);
int lg_switcher_pte_init(void);
void lg_switcher_pte_exit(void);
void lg_map_switcher_in_guest(struct lg_cpu *cpu, int host_cpu);
unsigned long lg_guest_pgdir(struct lg_cpu *cpu);
unsigned long lg_shadow_cr3(struct lg_cpu *cpu);
bool lg_demand_page(struct lg_cpu *cpu, u32 vaddr, u32 errcode);
bool lg_guest_virt_to_phys(struct lg_cpu *cpu, u32 vaddr, unsigned long *gpa);
void lg_new_pgtable(struct lg_cpu *cpu, unsigned long gpgdir);
void lg_flush_tlb(struct lg_cpu *cpu, bool kernel_too);
void lg_set_pte(struct lg_cpu *cpu, unsigned long gpgdir, u32 vaddr);
void lg_set_pgd(struct lg_cpu *cpu, unsigned long gpgdir, u32 idx);
void lg_set_pmd(struct lg_cpu *cpu, unsigned long gpmd, u32 idx);
void lg_drop_all_shadows(struct lguest *lg);

/* segments.c: the Guest's GDT */
void lg_setup_guest_gdt(struct lg_cpu *cpu);
void lg_load_gdt_entry(struct lg_cpu *cpu, u32 idx, u32 lo, u32 hi);
void lg_load_tls(struct lg_cpu *cpu, unsigned long gpa);
void lg_copy_gdt(const struct lg_cpu *cpu, struct desc_struct *gdt);
bool lg_flat_stack_segment(const struct lg_cpu *cpu, u32 sel);

/* interrupts.c: the Guest's IDT, traps, virtual interrupts, the timer */
void lg_load_idt_entry(struct lg_cpu *cpu, u32 vector, u32 lo, u32 hi);
void lg_copy_idt(const struct lg_cpu *cpu, gate_desc *idt, unsigned long stubs);
bool lg_deliver_trap(struct lg_cpu *cpu, unsigned int vector);
void lg_step_past(struct lg_cpu *cpu, unsigned int len);
void lg_prepare_fast_pf(struct lg_cpu *cpu, struct lg_fast_pf *fast);
void lg_maybe_deliver_irq(struct lg_cpu *cpu);
unsigned long lg_blocked_irqs(struct lg_cpu *cpu);
bool lg_irq_unblocked(struct lg_cpu *cpu, unsigned long blocked);
void lg_set_stack(struct lg_cpu *cpu, u32 ss, u32 esp, u32 pages);
void lg_set_clockevent(struct lg_cpu *cpu, u32 delta_ns);
void lg_timer_init(struct lg_cpu *cpu);
void lg_timer_exit(struct lg_cpu *cpu);
void lg_raise_irq(struct lg_cpu *cpu, unsigned int irq);
void lg_update_time(struct lguest *lg);

/* port_io.c: port writes held for the Launcher */
int lg_hold_ports(struct lguest *lg, u32 first, u32 last);
bool lg_hold_port_write(struct lg_cpu *cpu, const u8 *insn);
bool lg_held_writes_due(struct lg_cpu *cpu);
void lg_exit_for_writes(struct lg_cpu *cpu);
ssize_t lg_copy_held_writes(struct lg_cpu *cpu, char __user *user);

/* debugreg.c */
/*
 * The DR6 bits a Guest may see: BD, BS and BT.  Not B0-B3, which name the
 * Host's breakpoint registers: the CPU may set them for a matching address
 * even with the breakpoint disabled, which would tell the Guest what the
 * Host watches.
 */
#define LG_DR6_EVENTS	0x0000e000
bool lg_emulate_debugreg(struct lg_cpu *cpu, const u8 *insn);

/* isr.c: interrupt status reads answered for the Launcher */
int lg_set_isr(struct lguest *lg, u32 gpa, u32 uaddr);
void lg_device_access(struct lg_cpu *cpu, u32 gpa);

/* hypercalls.c */
void lg_do_hypercalls(struct lg_cpu *cpu);

/* lguest_user.c: /dev/lguest */
int lg_user_init(void);
void lg_user_exit(void);

/* Offsets of struct lguest_data fields, for lg_read_u32()/lg_write_u32(). */
#define LGD(field)	offsetof(struct lguest_data, field)

#endif /* LG_H */
