/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The byte layout of the Switcher's per-CPU pages.
 *
 * The Switcher is assembly, and an out-of-tree module has no asm-offsets,
 * so the offsets it uses are written down here once, used by both
 * switcher.S and the C structures in lg.h, and checked against each
 * other with BUILD_BUG_ON() in run.c.  Change one, the build tells you
 * about the other.
 */
#ifndef LG_LAYOUT_H
#define LG_LAYOUT_H

#define LG_PAGE_SIZE		4096

/*
 * Each CPU owns three pages, side by side.  The Host sees them where vmap()
 * put them; a Guest sees the first two, and the Switcher's text, in the
 * "window": the same few pages at the very top of every Guest's address
 * space, whatever CPU it runs on (see H100 in run.c for why two places):
 *
 *   page 0, the "regs page": the Guest may write it (ring 1 is supervisor
 *	as far as paging goes, so any writable mapping is Guest-writable).
 *	It is the ring-0 stack a trap lands on, so the Guest's registers end
 *	up at its top.  The Host believes nothing in it that the Guest could
 *	have written: see LGP_EVENTS for the one word the Switcher leaves
 *	there, and how it stays honest.
 *   page 1, the "state page": read-only to the Guest.  The Guest's GDT,
 *	IDT and TSS live here, and the two page-table roots the Switcher
 *	loads before it can reach the host page on the way out.
 *   page 2, the "host page": never mapped in a Guest.  Everything else
 *	the Switcher saves of the Host (stack pointer, descriptor tables,
 *	control registers) waits here, out of the Guest's sight, and so do
 *	the Guest's %cr2, which is read after %cr3 is the Host's again, and
 *	the two small IDTs the Switcher uses while it is between the two
 *	places (the "transit").
 */
#define LG_CPU_PAGES	3

/* struct lg_regs: what the CPU, the trap stub and the Switcher push. */
#define LGR_EBX		0
#define LGR_ECX		4
#define LGR_EDX		8
#define LGR_ESI		12
#define LGR_EDI		16
#define LGR_EBP		20
#define LGR_EAX		24
#define LGR_GS		28
#define LGR_FS		32
#define LGR_DS		36
#define LGR_ES		40
#define LGR_TRAPNUM	44
#define LGR_ERRCODE	48
#define LGR_EIP		52
#define LGR_CS		56
#define LGR_EFLAGS	60
#define LGR_ESP		64
#define LGR_SS		68
#define LGR_SIZE	72

/*
 * The regs page: one word at the bottom, the registers at the top.
 *
 * LGP_EVENTS holds the NMIs and machine checks that hit the Switcher on its
 * way out of the Guest (LG_EVENT_*).  The Guest can write any value there
 * while it runs, so the word means something only when the Switcher's own
 * handler also set EFLAGS.NT on the way out: the CPU clears NT whenever the
 * Guest traps to us, so NT set means "our handler ran since the Guest
 * stopped", and that handler overwrites the word the first time it runs.
 */
#define LGP_EVENTS	0
#define LGP_REGS	(LG_PAGE_SIZE - LGR_SIZE)

/*
 * Just below the registers, four words for the page-fault fast path (S250):
 * the fault's %cr2 while its probes may overwrite the register, the last
 * fault it delivered (address and EIP: the same one twice in a row goes to
 * the Host), and how many it delivered since the Host last looked.  Below
 * them, a copy of the registers that it pops on its way back in, so that
 * an NMI then finds the original whole (see lg_fast_abort).  The Guest can
 * write all of this: the Host reads only the count, as a statistic.
 */
#define LGP_FAST_CR2		(LGP_REGS - 16)
#define LGP_FAST_LAST_CR2	(LGP_REGS - 12)
#define LGP_FAST_LAST_EIP	(LGP_REGS - 8)
#define LGP_FAST_COUNT		(LGP_REGS - 4)
#define LGP_FAST_COPY		(LGP_FAST_CR2 - LGR_SIZE)

#define LG_EVENT_NMI	1
#define LG_EVENT_MCE	2

/* The state page, LG_PAGE_SIZE bytes after the regs page. */
#define LGP_STATE	LG_PAGE_SIZE
/* Bytes 0-7 are unused: the CR3s are in the host page, see LGH_HOST_CR3. */
#define LGS_GUEST_TS	8	/* LG_CR0_TS or 0: the Guest's CR0.TS */
/* Descriptor-table pointers are 6 bytes: a 2-byte limit, then the base. */
#define LGS_GUEST_GDT_DESC 14
#define LGS_GUEST_IDT_DESC 22
#define LGS_TRANSIT_CR3	28	/* this CPU's transit page tables */
#define LGS_GUEST_TSS	64	/* struct x86_hw_tss, 104 bytes */
#define LGS_GUEST_SP1	(LGS_GUEST_TSS + 12)
/*
 * What the page-fault fast path (S250) needs to know of the Guest, filled
 * in by run.c before every entry; a mode of 0 means "always go home".
 * Addresses are the Guest's virtual ones, through the map of its memory
 * its kernel keeps at kernel_address.
 */
#define LGS_FAST_MODE	192	/* 0 off, 1 two-level Guest tables, 2 PAE */
#define LGS_FAST_TOP	196	/* the top of the Guest's running tables */
#define LGS_FAST_MAP	200	/* guest-physical 0 in the Guest's map */
#define LGS_FAST_MAP_SIZE 204	/* how much of its memory that map covers */
#define LGS_FAST_DATA	208	/* its struct lguest_data */
#define LGS_FAST_HANDLER 212	/* its page-fault handler: EIP */
#define LGS_FAST_HANDLER_CS 216	/* ...and code segment (RPL 1) */
#define LGS_FAST_INTR	220	/* 1 if that gate is an interrupt gate */
#define LGS_FAST_LIMIT	224	/* no Guest address at or above this */
#define LGS_FAST_SS	228	/* its ring-1 stack segment, known flat */
#define LGS_FAST_END	232
#define LGS_GUEST_GDT	256	/* 32 descriptors */
#define LGS_GUEST_IDT	512	/* 256 gates */

/* The host page, LG_PAGE_SIZE bytes after the state page. */
#define LGP_HOST	(2 * LG_PAGE_SIZE)
#define LGH_SP		0
#define LGH_CR0		4
#define LGH_CR4		8
#define LGH_CR2		12	/* the Guest's %cr2 at its last exit */
#define LGH_GDT		18
#define LGH_IDT		26
#define LGH_LDT		32	/* the Host's LDT selector (a 16-bit word) */
#define LGH_TRANSIT_IN_DESC  38	/* the IDTs of the transit, see S150 */
#define LGH_TRANSIT_OUT_DESC 46
#define LGH_HOST_PAGES	52	/* these pages at their Host address */
#define LGH_WINDOW_PAGES 56	/* ...and in the window */
#define LGH_HOST_EXIT	60	/* lg_exit_on_host's Host address */
#define LGH_WINDOW_ENTRY 64	/* lg_enter_in_window's window address */
#define LGH_GUEST_GDT_DESC 70	/* the Guest's GDT at its Host address */
/*
 * The Host's %cr3 and the Guest's shadow %cr3 are physical addresses of
 * Host page tables: the Guest can read the state page, so they are here,
 * which the Switcher reads only while the transit tables are loaded (they
 * map this page in both places).  The transit tables' own address has to
 * be readable where the Guest's tables are loaded: LGS_TRANSIT_CR3.
 */
#define LGH_HOST_CR3	76
#define LGH_GUEST_CR3	80
/*
 * The transit IDTs cover the 32 exception vectors.  The Switcher tells the
 * three IDTs it can find loaded apart by where they start in their page:
 * the Guest's at LGS_GUEST_IDT, these two at their offsets below.
 */
#define LGH_TRANSIT_IN_IDT  256
#define LGH_TRANSIT_OUT_IDT 768
#define LG_TRANSIT_GATES 32

/* Selectors the Switcher runs with: GDT entries 10 and 11 in Host and Guest. */
#define LG_CS_ENTRY	10
#define LG_DS_ENTRY	11
#define LG_CS		(LG_CS_ENTRY * 8)
#define LG_DS		(LG_DS_ENTRY * 8)
#define LG_TSS_ENTRY	16
#define LG_TSS_SEL	(LG_TSS_ENTRY * 8)

/*
 * The Guest runs with the Host's CR0 and CR4 but for these bits: CR0.TS is
 * the Guest's own, and CR4 loses PGE (so that loading it flushes the Host's
 * global TLB entries: the Guest kernel sits at the Host kernel's addresses),
 * SMAP and UMIP (a ring-1 kernel can neither lift the one nor live with the
 * other), and PCE, which the Host sets for a task that mmaps a perf event:
 * with it "rdpmc" would read the Host's performance counters in ring 1.
 * run.c checks these against the kernel's names.
 */
#define LG_CR0_TS		0x00000008
#define LG_CR4_GUEST_OFF	0x00200980	/* SMAP | UMIP | PCE | PGE */

/* Each of the 256 trap stubs is this many bytes apart. */
#define LG_STUB_SIZE	16

/*
 * The Switcher reports a fault inside itself (for example a Guest segment
 * register that no longer loads) as trap number LG_TRAP_SWITCHER | vector.
 * An NMI or machine check that arrives while the Switcher is still on its
 * way into the Guest cancels the entry: the Host's handler runs at once and
 * the trap number reads LG_TRAP_ABORTED | vector.  The Guest did not run.
 */
#define LG_TRAP_SWITCHER	0x100
#define LG_TRAP_ABORTED		0x200
/*
 * The fast path (S250) had delivered a page fault to the Guest's handler,
 * and the registers say so, when an NMI or machine check sent it home
 * instead of back in.  Nothing is left for the Host to do but that event.
 */
#define LG_TRAP_DELIVERED	0x400

/* Page-fault error code bits, and the two lguest_data words S250 uses. */
#define LG_PF_WRITE		0x02
#define LG_PF_USER		0x04
#define LG_PF_RSVD		0x08
#define LG_PF_INSTR		0x10
#define LG_LGD_IRQ_ENABLED	0
#define LG_LGD_CR2		8

/* EFLAGS.NT, the Switcher's "an event hit us on the way out" mark. */
#define LG_EFLAGS_NT_BIT	14

#endif /* LG_LAYOUT_H */
