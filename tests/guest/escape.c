// SPDX-License-Identifier: GPL-2.0
/*
 * escape.c - the ways out of a Guest that the Host must keep shut.
 *
 * The Host shares the top of our address space with us (everything at or
 * above 4 GiB - lguest_data.reserve_mem): the Switcher's window, with its
 * text, read-only, and the running CPU's two pages, at the same addresses
 * on every CPU.  "sidt" (UMIP is off for us) finds them: the IDT sits at
 * offset 512 of the read-only state page, the GDT at 256 and the TSS at
 * 64, and the writable regs page, the ring-0 trap stack, is the page just
 * below.  Nothing else may be mapped up there, no word the Host leaves in
 * those pages may tell us where the Host kernel lives, and nothing we
 * write into the regs page may make the Host act.
 *
 * Below the Switcher, the shadow page tables must stay one view of our
 * memory however many trees cache it, and honour what our entries forbid.
 * The descriptor tables the Host loads for us must not let a far transfer
 * reach its ring-0 segments or its TSS.
 *
 * Between two exits the Host may move us to another CPU, whose pages then
 * take the window's place.  Which CPU's they are we tell by a word the
 * state page holds for the Switcher (the root of that CPU's transit page
 * tables): checks that must see one CPU's pages throughout read it before
 * and after and try again when it changed.
 */
#include "lib/libguest.h"
#include "lib/hcall.h"
#include "lib/desc.h"
#include "lib/irq.h"
#include "lib/mmu.h"
#include "lib/processor.h"
#include "tests.h"

/* The state page, by offset; the regs page is the page below it. */
#define STATE_TRANSIT_CR3	28	/* differs from CPU to CPU */
#define STATE_TSS		64
#define STATE_TSS_SP1		(STATE_TSS + 12)	/* our own ring-1 stack */
#define STATE_FAST		192	/* the page-fault fast path's block */
#define STATE_FAST_END		232
#define STATE_GDT		256
#define STATE_IDT		512
#define REGS_FRAME		72	/* the trap frame at the top of the regs page */
/*
 * The Switcher's ring-0 stack: the trap frame and, under it, what its own
 * NMI and machine-check handling pushes (our registers, its addresses).
 */
#define REGS_STACK		256

/* GDT selectors that are the Host's: ring-0 code and data, and the TSS. */
#define HOST_CS_SEL		0x50
#define HOST_DS_SEL		0x58
#define HOST_TSS_SEL		0x80

/* How often a step is retried because we moved to another CPU under it. */
#define MOVE_TRIES		8

#define TIMER_VECTOR		(LGUEST_IRQ_BASE + LGUEST_TIMER_IRQ)
#define PF_FETCH		0x10	/* page-fault error code: instruction fetch */

struct dt_ptr {
	u16 limit;
	u32 base;
} __attribute__((packed));

static u32 idt_base(void)
{
	struct dt_ptr p;

	asm volatile("sidt %0" : "=m"(p));
	return p.base;
}

static u32 gdt_base(void)
{
	struct dt_ptr p;

	asm volatile("sgdt %0" : "=m"(p));
	return p.base;
}

static u16 read_ldtr(void)
{
	u16 sel;

	asm volatile("sldt %0" : "=m"(sel));
	return sel;
}

static u16 read_tr(void)
{
	u16 sel;

	asm volatile("str %0" : "=m"(sel));
	return sel;
}

struct cpu_pages {
	u32 regs, state;
};

static struct cpu_pages pages_of(u32 idt)
{
	struct cpu_pages p = { idt - STATE_IDT - PAGE_SIZE, idt - STATE_IDT };

	return p;
}

static u32 switcher_base(void)
{
	return 0u - READ_ONCE(lguest_data.reserve_mem);
}

/* Which host CPU's pages are in the window now (0 if we cannot tell). */
static u32 cpu_now(void)
{
	u32 id = 0;

	probe_read(pages_of(idt_base()).state + STATE_TRANSIT_CR3, &id);
	return id;
}

static bool in_switcher(u32 va)
{
	return READ_ONCE(lguest_data.reserve_mem) && va >= switcher_base();
}

/* A Host kernel address: the kernel's own, below the Switcher. */
static bool host_address(u32 word)
{
	return word >= KERNEL_OFFSET && word < switcher_base();
}

/* ---- Accesses that may fault (the same pattern as probe_read). */

static bool read_byte(u32 addr, u8 *val)
{
	u32 faulted = 1, v = 0;

	ex_reset();
	asm volatile(ASM_TRY("1f")
		     "movzbl (%2), %1\n\t"
		     "movl $0, %0\n"
		     "1:"
		     : "+r"(faulted), "+r"(v) : "r"(addr) : "memory");
	ex_done();
	*val = (u8)v;
	return !faulted;
}

static bool write_byte(u32 addr, u8 val)
{
	u32 faulted = 1;

	ex_reset();
	asm volatile(ASM_TRY("1f")
		     "movb %b2, (%1)\n\t"
		     "movl $0, %0\n"
		     "1:"
		     : "+r"(faulted) : "r"(addr), "q"(val) : "memory");
	ex_done();
	return !faulted;
}

static bool fill_words(u32 addr, u32 val, u32 count)
{
	u32 faulted = 1;

	ex_reset();
	asm volatile(ASM_TRY("1f")
		     "rep stosl\n\t"
		     "movl $0, %0\n"
		     "1:"
		     : "+r"(faulted), "+D"(addr), "+c"(count) : "a"(val) : "memory");
	ex_done();
	return !faulted;
}

static bool copy_words(u32 *dst, u32 src, u32 count)
{
	u32 faulted = 1;

	ex_reset();
	asm volatile(ASM_TRY("1f")
		     "rep movsl\n\t"
		     "movl $0, %0\n"
		     "1:"
		     : "+r"(faulted), "+D"(dst), "+S"(src), "+c"(count) : : "memory");
	ex_done();
	return !faulted;
}

/* ---- The clock: fresh time stamps, and a watchdog. */

#define WATCHDOG_NS		(50 * 1000 * 1000)

static struct {
	u32 ticks;
	u32 watch_eip;		/* an EIP the Host must not keep us at */
	bool fired;
	trap_handler_t old;
} clock;

/*
 * The Host delivers the timer even while it keeps re-entering us at one
 * faulting instruction.  If that instruction is the one we watch, we leave
 * it through the ASM_TRY fixup; otherwise we wind the watchdog up again.
 */
static bool clock_tick(struct ex_regs *regs)
{
	WRITE_ONCE(clock.ticks, clock.ticks + 1);
	if (!clock.watch_eip || clock.fired)
		return true;
	if (!from_user(regs) && regs->eip == clock.watch_eip && ex_fixup) {
		regs->eip = ex_fixup;
		ex_fixup = 0;
		clock.fired = true;
		return true;
	}
	hcall1(LHCALL_SET_CLOCKEVENT, WATCHDOG_NS);
	return true;
}

static void clock_on(void)
{
	clock.old = handle_exception(TIMER_VECTOR, clock_tick);
	set_gate(TIMER_VECTOR, GATE_INTR, 0);
	irq_unmask(LGUEST_TIMER_IRQ);
}

static void clock_off(void)
{
	hcall1(LHCALL_SET_CLOCKEVENT, 0);
	irq_disable();
	irq_mask(LGUEST_TIMER_IRQ);
	handle_exception(TIMER_VECTOR, clock.old);
}

/*
 * The Host writes lguest_data.time when it delivers an interrupt, so a
 * clock event that fires at once gives us a fresh reading.
 */
static struct lguest_timespec host_time(void)
{
	u32 n = READ_ONCE(clock.ticks);
	struct lguest_timespec t;
	unsigned int i;

	irq_disable();
	hcall1(LHCALL_SET_CLOCKEVENT, 1);
	for (i = 0; i < 4 && READ_ONCE(clock.ticks) == n; i++)
		hcall0(LHCALL_HALT);
	irq_disable();
	t.tv_sec = READ_ONCE(lguest_data.time.tv_sec);
	t.tv_nsec = READ_ONCE(lguest_data.time.tv_nsec);
	return t;
}

static u32 ms_between(struct lguest_timespec a, struct lguest_timespec b)
{
	return (u32)((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000);
}

/* ---- Descriptor tables: nothing reaches the Host's selectors. */

struct dt_state {
	u16 tr, ldtr;
};

static struct dt_state dt_now(void)
{
	struct dt_state s = { read_tr(), read_ldtr() };

	return s;
}

/*
 * Still in ring 1 on our own code segment, the same task and LDT, and the
 * GDT where the Host keeps it (the IDT base itself may move with the CPU).
 */
static bool unchanged(const struct dt_state *before)
{
	return read_cs() == LGUEST_GUEST_CS && read_tr() == before->tr &&
	       read_ldtr() == before->ldtr && gdt_base() == idt_base() - (STATE_IDT - STATE_GDT);
}

/*
 * One far transfer under ASM_TRY, %esp put back afterwards: a faulting
 * iret leaves its frame on the stack.  Every target is the fixup label,
 * so a transfer the CPU allowed would land there too, on the wrong CS.
 */
#define TRY_FAR(insns)							\
	do {								\
		u32 __saved;						\
									\
		ex_reset();						\
		asm volatile("movl %%esp, %0\n\t"			\
			     ASM_TRY("1f")				\
			     insns "\n"					\
			     "1: movl %0, %%esp"			\
			     : "=&r"(__saved) : : "memory", "cc");	\
		ex_done();						\
	} while (0)

#define LCALL(sel)	TRY_FAR("lcall $" #sel ", $1f")
#define LJMP(sel)	TRY_FAR("ljmp $" #sel ", $1f")
#define IRET(sel)	TRY_FAR("pushfl\n\tpushl $" #sel "\n\tpushl $1f\n\tiret")

/* The CPU refused with #GP naming the selector, and nothing changed. */
static bool refused(const char *how, u32 sel, const struct dt_state *before)
{
	bool ok = last_ex.vector == GP_VECTOR && last_ex.error_code == (sel & ~3u) &&
		  unchanged(before);

	if (!ok)
		report_info("%s to %#x: vector %d, error code %#x, now cs %#x tr %#x ldtr %#x",
			    how, sel, (int)last_ex.vector, last_ex.error_code,
			    read_cs(), read_tr(), read_ldtr());
	return ok;
}

static void test_descriptor_tables(void)
{
	static const u32 host_sels[] = { HOST_CS_SEL, HOST_DS_SEL, HOST_TSS_SEL };
	struct dt_state before = dt_now();
	bool lar_ok = true, lsl_ok = true, ok;
	unsigned int i;
	u32 val;

	report(before.ldtr == 0, "sldt reads 0: there is no LDT");
	if (before.ldtr)
		report_info("sldt: %#x", before.ldtr);

	ex_reset();
	asm volatile(ASM_TRY("1f") "lldt %w0\n" "1:" : : "r"(0) : "memory");
	ex_done();
	report(last_ex.vector == GP_VECTOR && unchanged(&before), "lldt from ring 1 raises #GP");

	for (i = 0; i < ARRAY_SIZE(host_sels); i++) {
		if (lar(host_sels[i], &val)) {
			report_info("lar %#x: %#x", host_sels[i], val);
			lar_ok = false;
		}
		if (lsl(host_sels[i], &val)) {
			report_info("lsl %#x: %#x", host_sels[i], val);
			lsl_ok = false;
		}
	}
	report(lar_ok, "lar refuses the Host's selectors 0x50, 0x58 and 0x80");
	report(lsl_ok, "lsl refuses the Host's selectors 0x50, 0x58 and 0x80");

	LCALL(0x50);
	ok = refused("lcall", 0x50, &before);
	LCALL(0x51);
	ok &= refused("lcall", 0x51, &before);
	report(ok, "lcall to the Host's code segment raises #GP and changes nothing");

	LJMP(0x50);
	ok = refused("ljmp", 0x50, &before);
	LJMP(0x51);
	ok &= refused("ljmp", 0x51, &before);
	report(ok, "ljmp to the Host's code segment raises #GP and changes nothing");

	IRET(0x50);
	ok = refused("iret", 0x50, &before);
	IRET(0x51);
	ok &= refused("iret", 0x51, &before);
	report(ok, "iret to the Host's code segment raises #GP and changes nothing");

	LCALL(0x80);
	ok = refused("lcall", 0x80, &before);
	LJMP(0x80);
	ok &= refused("ljmp", 0x80, &before);
	IRET(0x80);
	ok &= refused("iret", 0x80, &before);
	report(ok, "lcall, ljmp and iret to the Host's TSS raise #GP and change nothing");

	/* Selector 7: LDT entry 0, RPL 3; with no LDT the CPU refuses it. */
	LCALL(0x7);
	report(refused("lcall", 0x7, &before), "a far call through an LDT selector raises #GP");
}

/* ---- The state and regs pages: no Host addresses in them. */

static u32 regs_copy[PAGE_SIZE / 4], state_copy[STATE_GDT / 4];

static bool copy_cpu_pages(struct cpu_pages *pages)
{
	unsigned int i;

	for (i = 0; i < MOVE_TRIES; i++) {
		u32 cpu = cpu_now();

		*pages = pages_of(idt_base());
		if (copy_words(regs_copy, pages->regs, ARRAY_SIZE(regs_copy)) &&
		    copy_words(state_copy, pages->state, ARRAY_SIZE(state_copy)) &&
		    cpu_now() == cpu)
			return true;
	}
	report_info("could not read this CPU's pages (last fault: vector %d, cr2 %#x)",
		    (int)last_ex.vector, last_ex.cr2);
	return false;
}

static unsigned int count_leaks(const char *page, const u32 *words, unsigned int n,
				unsigned int skip)
{
	unsigned int i, leaks = 0;

	for (i = 0; i < n; i++) {
		if (i * 4 == skip || !host_address(words[i]))
			continue;
		/* Addresses of ours, for the fast path: see test_fast_block(). */
		if (words == state_copy && i * 4 >= STATE_FAST && i * 4 < STATE_FAST_END)
			continue;
		if (++leaks <= 8)
			report_info("%s page offset %#x holds %#x", page, i * 4, words[i]);
	}
	return leaks;
}

static void test_page_leaks(void)
{
	struct cpu_pages pages;
	bool ok;
	u32 val;

	/*
	 * A page fault of our own, last thing before we look: a Switcher that
	 * saves %cr2 in the regs page on every exit then shows our address,
	 * not whatever the Host last faulted on.
	 */
	probe_read(ESCAPE_UNMAPPED_VA, &val);
	ok = copy_cpu_pages(&pages);
	report(ok && !count_leaks("state", state_copy, ARRAY_SIZE(state_copy), STATE_TSS_SP1),
	       "the state page below the GDT holds no Host kernel address");
	/*
	 * Physical addresses are below KERNEL_OFFSET, so the check above
	 * misses them.  The Host's %cr3 and our shadow %cr3 were the state
	 * page's first two words once; the Switcher keeps them in its host
	 * page now, which we cannot map, and only the transit tables' root
	 * (STATE_TRANSIT_CR3) has to stay where we can read it.
	 */
	report(ok && !state_copy[0] && !state_copy[1],
	       "the state page holds neither the Host's %%cr3 nor our shadow %%cr3 (%#x, %#x)",
	       state_copy[0], state_copy[1]);
	report(ok && !count_leaks("regs", regs_copy, (PAGE_SIZE - REGS_STACK) / 4, ~0u),
	       "the regs page below the Switcher's stack holds no Host kernel address");
}

/*
 * The Host tells the Switcher's page-fault fast path where our tables, our
 * lguest_data and our page-fault handler are, as our own addresses (it
 * reads them with our page tables loaded).  They are the one place the
 * state page holds kernel addresses, so they had better be ours: each
 * word is checked against what we know of ourselves.
 */
extern const char trap_stubs[];

static void test_fast_block(void)
{
	struct cpu_pages pages;
	const u32 *f = &state_copy[STATE_FAST / 4];
	u32 handler = (u32)trap_stubs + PF_VECTOR * 16;
	bool ok = copy_cpu_pages(&pages);

#ifdef CONFIG_PAE
	ok = ok && f[0] == 2;
#else
	ok = ok && f[0] == 1;
#endif
	report(ok && f[1] >= KERNEL_OFFSET && f[1] < KERNEL_OFFSET + (64u << 20) &&
	       f[2] == KERNEL_OFFSET && f[3] == 64u << 20 &&
	       f[4] == (u32)&lguest_data && f[5] == handler && f[6] == LGUEST_GUEST_CS &&
	       f[7] == 1 && f[8] == switcher_base() && f[9] == LGUEST_GUEST_DS,
	       "the state page's fast-path words are our own tables, lguest_data and handler");
	if (!ok || f[5] != handler || f[4] != (u32)&lguest_data)
		report_info("fast path: mode %u top %#x map %#x+%#x data %#x handler %#x:%#x intr %u limit %#x ss %#x",
			    f[0], f[1], f[2], f[3], f[4], f[6], f[5], f[7], f[8], f[9]);
}

/*
 * Every word of the regs page, every pattern, and an exit after each fill:
 * the Host must find nothing in it that makes it act (an "NMI pending"
 * word it believed would raise a Host NMI for every round).  We end with
 * zeros, which is what the page held before.
 */
#define SCRIBBLE_ROUNDS		100

static void test_regs_scribble(void)
{
	static const u32 patterns[] = {
		0xffffffff, 0x00000001, 0x5a5a5a5a, 0xa5a5a5a5, 0x80000000, 0x7fffffff,
	};
	unsigned int round, i, missed = 0;

	for (round = 0; round <= SCRIBBLE_ROUNDS; round++) {
		u32 pattern = round < SCRIBBLE_ROUNDS ? patterns[round % ARRAY_SIZE(patterns)] : 0;

		for (i = 0; i < MOVE_TRIES; i++) {
			u32 cpu = cpu_now();

			if (fill_words(pages_of(idt_base()).regs, pattern, PAGE_SIZE / 4) &&
			    cpu_now() == cpu)
				break;
		}
		if (i == MOVE_TRIES)
			missed++;
		hcall0(LHCALL_FLUSH_ASYNC);
	}
	if (missed)
		report_info("%u of %u fills did not complete", missed, SCRIBBLE_ROUNDS + 1);
	report(!missed, "a Guest that scribbles over its whole regs page between exits carries on");
}

/*
 * The regs page is the one page up there we may write, and every Guest
 * that runs on this CPU gets the same one: what one Guest leaves in it
 * must be gone before the next runs, or two Guests the Host keeps apart
 * could talk through it.  So we look first thing for what an earlier Guest
 * left (the Host's word at offset 0, where it notes NMIs that hit the
 * Switcher, aside), and last thing leave our mark for the next Guest to
 * look for.  The test scripts run this Guest several times, and at once.
 */
#define LEFT_FOR_NEXT_GUEST	0x1e5a0000

static void test_regs_page_fresh(void)
{
	unsigned int i, left = 0;
	struct cpu_pages pages;
	bool ok;

	ok = copy_cpu_pages(&pages);
	for (i = 1; ok && i < (PAGE_SIZE - REGS_STACK) / 4; i++) {
		if (!regs_copy[i])
			continue;
		if (++left <= 4)
			report_info("regs page offset %#x holds %#x", i * 4, regs_copy[i]);
	}
	report(ok && !left,
	       "the regs page holds nothing an earlier Guest wrote (%u words)", left);
}

static void leave_mark_in_regs_page(void)
{
	fill_words(pages_of(idt_base()).regs + 4, LEFT_FOR_NEXT_GUEST,
		   (PAGE_SIZE - REGS_STACK) / 4 - 1);
}

/*
 * ---- The page-fault fast path (S250 in switcher.S).
 *
 * A page fault our own tables forbid comes straight to our handler from
 * the Switcher, with no Host exit; anything the Switcher cannot judge goes
 * to the Host as before.  How we tell which way a fault went: the Switcher
 * remembers the address of the last fault it delivered in the regs page
 * (its guard against delivering one fault for ever; the Host keeps it for
 * us while we are out, and puts it in whichever CPU's page we run on
 * next), and the Host forgets it whenever a page fault comes home.  We may
 * write that word too, so we clear it before the access and look after.
 * Each check tries a few times, at a fresh address each time.
 */
#define REGS_FAST_LAST_CR2	(PAGE_SIZE - REGS_FRAME - 12)
#define FAST_TRIES		8

static volatile u32 *fast_pf_last(void)
{
	return (volatile u32 *)(pages_of(idt_base()).regs + REGS_FAST_LAST_CR2);
}

void fast_pf_forget(void)
{
	*fast_pf_last() = 0;
}

bool fast_pf_delivered(u32 va)
{
	return *fast_pf_last() == va;
}

/* One access at @va that must fault with @error_code; was it fast? */
static bool fault_once(u32 va, bool write, u32 error_code, bool *right)
{
	u32 val = 0;
	bool faulted, as_expected;

	fast_pf_forget();
	faulted = write ? !probe_write(va, 0x46415354) : !probe_read(va, &val);
	as_expected = faulted && last_ex.vector == PF_VECTOR &&
		      last_ex.cr2 == va && last_ex.error_code == error_code;
	if (!as_expected) {
		*right = false;
		report_info("access at %#x: faulted %d, vector %d, cr2 %#x, error code %#x",
			    va, faulted, (int)last_ex.vector, last_ex.cr2, last_ex.error_code);
	}
	return fast_pf_delivered(va);
}

static void test_fast_not_present(void)
{
	unsigned int i, fast = 0;
	bool right = true;

	for (i = 0; i < FAST_TRIES; i++)
		fast += fault_once(ESCAPE_UNMAPPED_VA + i * PAGE_SIZE + 4 * i, false, 0, &right);
	report(right, "reads where our tables map nothing fault with our address and error code 0");
	/* How many went fast varies with the timer ticks: not in the TAP line. */
	report(fast, "...and reach our handler without a Host exit");
	report_info("%u of %u went fast", fast, FAST_TRIES);
}

static void test_fast_read_only(void)
{
	u32 *page = alloc_page(), val, i;
	unsigned int fast = 0;
	bool right = true;

	for (i = 0; i < FAST_TRIES; i++) {
		u32 va = ESCAPE_FAST_VA + i * PAGE_SIZE;

		pt_map(&kernel_pgt, va, page_pa(page), PTE_P);
		probe_read(va, &val);	/* so that the Host has it shadowed */
		fast += fault_once(va, true, PF_PRESENT | PF_WRITE, &right);
	}
	report(right, "writes to pages our tables map read-only fault with error code 3");
	report(fast, "...and reach our handler without a Host exit");
	report_info("%u of %u went fast", fast, FAST_TRIES);
	report(!*page, "none of those writes landed");
	for (i = 0; i < FAST_TRIES; i++)
		pt_unmap(&kernel_pgt, ESCAPE_FAST_VA + i * PAGE_SIZE);
}

/* The page table that maps ESCAPE_FAST_VA, as our kernel map has it. */
static u32 fast_table_va(void)
{
	return (u32)pt_lookup(&kernel_pgt, ESCAPE_FAST_VA, true) & PAGE_MASK;
}

/*
 * A page table the Switcher cannot read (we unmapped its page from our
 * kernel map): its read faults in ring 0, and the Host must take over with
 * the fault we took, not the Switcher's.  Our tables still say "not
 * present", so we get the fault, through the Host.
 */
static void test_fast_table_unreadable(void)
{
	u32 table = fast_table_va(), i;
	unsigned int fast = 0;
	bool right = true;

	pt_unmap(&kernel_pgt, table);
	for (i = 0; i < FAST_TRIES; i++)
		fast += fault_once(ESCAPE_FAST_VA + i * PAGE_SIZE + 8, false, 0, &right);
	pt_map(&kernel_pgt, table, __pa(table), PTE_P | PTE_RW);
	report(right, "with our page table unreadable in ring 0, faults still arrive, exact");
	report(!fast, "...through the Host every time (%u of %u went fast)", fast, FAST_TRIES);
}

/*
 * A map of our memory that lies: the page of our kernel map where the
 * page table should be shows a page of zeros instead.  The Switcher reads
 * "not present" and hands us a fault the Host should have fixed; we return
 * to retry, as Linux does with a fault it finds spurious, and the same
 * fault again at the same EIP must go to the Host, which fixes it.  Once:
 * a wrong reading must never become a loop.
 */
static struct {
	u32 va;
	unsigned int seen;
} spurious;

static bool retry_spurious(struct ex_regs *regs)
{
	if ((last_ex.cr2 & PAGE_MASK) != spurious.va || spurious.seen++ > 4)
		return false;
	(void)regs;
	return true;
}

static void test_fast_map_lies(void)
{
	u32 *page = alloc_page(), *zeros = alloc_page(), table = fast_table_va(), val = 0;
	u32 va = ESCAPE_FAST_VA + 16 * PAGE_SIZE;
	trap_handler_t old;
	bool done;

	page[3] = 0x4C494553;
	/* Present, not accessed: the Host shadows it only when we touch it. */
	pt_map(&kernel_pgt, va, page_pa(page), PTE_P | PTE_RW);
	pt_map(&kernel_pgt, table, page_pa(zeros), PTE_P);
	(void)READ_ONCE(*(volatile u32 *)table);	/* shadowed: the Switcher can read it */
	spurious.va = va;
	spurious.seen = 0;
	old = handle_exception(PF_VECTOR, retry_spurious);
	done = probe_read(va + 12, &val);
	handle_exception(PF_VECTOR, old);
	spurious.va = 0;
	pt_map(&kernel_pgt, table, __pa(table), PTE_P | PTE_RW);
	pt_unmap(&kernel_pgt, va);

	report(done && val == 0x4C494553,
	       "a fault the Switcher misjudges from a lying map is fixed by the Host in the end");
	report(spurious.seen == 1, "...after exactly one spurious fault (%u)", spurious.seen);
}

static void test_fast_path(void)
{
	test_fast_not_present();
	test_fast_read_only();
	test_fast_table_unreadable();
	test_fast_map_lies();
}

/*
 * lgtest=pf-loop: faults and nothing else, for the NMI scenarios to aim
 * at.  Each at an address of its own (1024 pages, a different offset in
 * each round), so that none is the previous one again.
 */
#define PF_LOOP_FAULTS		100000

bool fast_pf_loop(void)
{
	unsigned int i, wrong = 0;
	u32 val;

	report_info("lgtest=pf-loop: %u page faults", PF_LOOP_FAULTS);
	/*
	 * Our boot directory was built before paging: read it once through
	 * our kernel map, or the Host has that view of it unshadowed and the
	 * Switcher, unable to read it, sends every fault home.
	 */
	(void)pt_lookup(&kernel_pgt, ESCAPE_UNMAPPED_VA, false);
	for (i = 0; i < PF_LOOP_FAULTS; i++) {
		u32 va = ESCAPE_UNMAPPED_VA + (i % 1024) * PAGE_SIZE + (i / 1024) * 4 % PAGE_SIZE;

		if (probe_read(va, &val) || last_ex.vector != PF_VECTOR || last_ex.cr2 != va ||
		    last_ex.error_code != 0) {
			if (++wrong <= 4)
				report_info("fault %u at %#x: vector %d, cr2 %#x, error code %#x",
					    i, va, (int)last_ex.vector, last_ex.cr2, last_ex.error_code);
		}
	}
	report(!wrong, "pf-loop: %u page faults, each with its own address, arrive exact (%u wrong)",
	       PF_LOOP_FAULTS, wrong);
	return !report_summary();
}

/* ---- The Switcher area: what is mapped there, and how. */

#define MAX_TEXT_PAGES		8
#define MAX_CPUS		8
#define MAX_LISTED		16

struct scan {
	unsigned int pages, mapped, writable, other_faults;
	unsigned int stray_writable;	/* writable, and not the regs page of the CPU we were on */
	unsigned int stray_mapped;	/* mapped, and neither text nor that CPU's pages */
	unsigned int stale_regs;	/* the regs page did not hold our last exit's registers */
	unsigned int retried, window_looks;
	bool own_regs_rw, own_state_ro;
	unsigned int listed;
	u32 list[MAX_LISTED];		/* mapped pages, with 1 for writable */
};

static struct {
	u32 text[MAX_TEXT_PAGES];
	unsigned int nr_text;
	u32 cpus[MAX_CPUS];		/* the CPUs (cpu_now()) we have run on */
	unsigned int nr_cpus;
	u32 last_cpu;
	unsigned int moves;
	unsigned int looks_after_move;	/* look_window() calls since the first move */
} seen;

static void note_cpu(u32 cpu)
{
	unsigned int i;

	if (seen.last_cpu && cpu != seen.last_cpu)
		seen.moves++;
	seen.last_cpu = cpu;
	for (i = 0; i < seen.nr_cpus; i++)
		if (seen.cpus[i] == cpu)
			return;
	if (seen.nr_cpus < MAX_CPUS)
		seen.cpus[seen.nr_cpus++] = cpu;
}

/* The Switcher text: the pages the Host's gates in our IDT point into. */
static void find_text(void)
{
	u32 idt = idt_base(), lo, hi, page;
	unsigned int v, i;

	seen.nr_text = 0;
	for (v = 0; v < NR_VECTORS; v++) {
		if (!probe_read(idt + v * 8, &lo) || !probe_read(idt + v * 8 + 4, &hi))
			continue;
		page = ((hi & 0xFFFF0000) | (lo & 0xFFFF)) & PAGE_MASK;
		if (!(hi & 0x8000) || !in_switcher(page))
			continue;
		for (i = 0; i < seen.nr_text && seen.text[i] != page; i++)
			;
		if (i == seen.nr_text && seen.nr_text < MAX_TEXT_PAGES)
			seen.text[seen.nr_text++] = page;
	}
}

static bool is_text(u32 va)
{
	unsigned int i;

	for (i = 0; i < seen.nr_text; i++)
		if (seen.text[i] == va)
			return true;
	return false;
}

/* One page: mapped?  Writable (we write back the byte we read)? */
static void scan_page(u32 va, struct scan *s)
{
	struct cpu_pages own;
	bool mapped, writable;
	unsigned int tries = 0;
	u32 cpu;
	u8 byte = 0;

	/*
	 * The CPU before the read, between read and write, and after must
	 * agree: a fault on either access is an exit, after which we may be
	 * on another CPU, and back again before the last look.
	 */
	for (;;) {
		u32 between;

		cpu = cpu_now();
		mapped = read_byte(va, &byte);
		between = cpu_now();
		if (!mapped && last_ex.vector != PF_VECTOR)
			s->other_faults++;
		writable = mapped && write_byte(va, byte);
		if ((between == cpu && cpu_now() == cpu) || ++tries == MOVE_TRIES)
			break;
	}
	if (tries)
		s->retried++;
	note_cpu(cpu);
	own = pages_of(idt_base());
	s->pages++;
	if (!mapped)
		return;
	s->mapped++;
	s->writable += writable;
	if (s->listed < MAX_LISTED)
		s->list[s->listed++] = va | writable;
	if (writable && va != own.regs)
		s->stray_writable++;
	if (va != own.regs && va != own.state && !is_text(va))
		s->stray_mapped++;
}

/*
 * Right after a move to another CPU is when a window left pointing at the
 * old CPU's pages would show: this look, every LOOK_EVERY pages, checks that
 * the window's regs page is the one our last exit went through, and that
 * the host page, which follows the state page in the Switcher's own tables,
 * is not there for us.
 */
#define LOOK_EVERY		128

/*
 * Is VA mapped for us while we are on CPU @cpu?  Only a read with that CPU
 * just before and just after it counts: a read of a mapped page causes no
 * exit, so nothing between the two looks can have moved us to another CPU
 * and back, except two Host interrupts in a row, which we do not fear.
 */
static bool mapped_on(u32 va, u32 cpu)
{
	bool mapped;
	u32 before;
	u8 byte;

	before = cpu_now();
	mapped = read_byte(va, &byte);
	return mapped && before == cpu && cpu_now() == cpu;
}

/*
 * An exit with a fresh value in %edi: the registers we come back with, and
 * those the window's regs page holds, must be that exit's.  (Another exit,
 * a timer interrupt say, before we read the page can spoil the second
 * half: the caller tries again.)
 */
static bool regs_current(u32 regs)
{
	static u32 marker = 0x5e1f0000;
	u32 call = LHCALL_FLUSH_ASYNC, edi = ++marker, saved = 0;

	asm volatile("int $" __stringify(LGUEST_TRAP_ENTRY)
		     : "+a"(call), "+D"(edi) : : "memory");
	probe_read(regs + PAGE_SIZE - REGS_FRAME + 16, &saved);	/* lg_regs.edi */
	return edi == marker && saved == marker;
}

static void look_window(struct scan *s)
{
	struct cpu_pages own = pages_of(idt_base());
	bool host_page = false, current = false;
	unsigned int tries;
	u32 cpu = 0;

	for (tries = 0; tries < MOVE_TRIES; tries++) {
		cpu = cpu_now();
		host_page = mapped_on(own.state + PAGE_SIZE, cpu);
		current = regs_current(own.regs);
		if (current && cpu_now() == cpu)
			break;
	}
	note_cpu(cpu);
	s->stray_mapped += host_page;
	s->stale_regs += !current;
	s->window_looks++;
	if (seen.moves)
		seen.looks_after_move++;
}

/* This CPU's own pages: regs writable, state mapped and read-only. */
static void check_own(struct scan *s)
{
	struct cpu_pages own;
	unsigned int i;
	u8 byte = 0;

	for (i = 0; i < MOVE_TRIES; i++) {
		u32 cpu = cpu_now();

		own = pages_of(idt_base());
		s->own_regs_rw = read_byte(own.regs, &byte) && write_byte(own.regs, byte);
		s->own_state_ro = read_byte(own.state, &byte) && !write_byte(own.state, byte);
		if (cpu_now() == cpu)
			return;
	}
}

/*
 * A scan of every page costs one exit per unmapped page, a second or so
 * for the 4 MiB the Host reserves, under QEMU's emulation.  That is
 * lgtest=switcher-probe's job (and the conformance run's with lgscan=full);
 * the conformance run otherwise looks at every SPARSE_STRIDE-th page and at
 * every page near the ones that matter, ours and the text, SPARSE_WINDOW
 * either side.
 */
#define SPARSE_STRIDE		16
#define SPARSE_WINDOW		(32 * PAGE_SIZE)

bool escape_full_scan;
bool escape_host_nx = true;

static bool close_to(u32 va, u32 page)
{
	return va - page + SPARSE_WINDOW <= 2 * SPARSE_WINDOW;
}

static bool worth_a_look(u32 va, bool full)
{
	struct cpu_pages own;
	unsigned int i;

	if (full || (va / PAGE_SIZE) % SPARSE_STRIDE == 0)
		return true;
	own = pages_of(idt_base());
	if (close_to(va, own.regs) || close_to(va, own.state))
		return true;
	for (i = 0; i < seen.nr_text; i++)
		if (close_to(va, seen.text[i]))
			return true;
	return false;
}

static void scan_area(struct scan *s, bool full)
{
	u32 va = switcher_base();

	memset(s, 0, sizeof(*s));
	if (!READ_ONCE(lguest_data.reserve_mem))
		return;
	find_text();
	for (;;) {
		if (worth_a_look(va, full)) {
			scan_page(va, s);
			if (s->pages % LOOK_EVERY == 0)
				look_window(s);
		}
		if (va == 0u - PAGE_SIZE)
			break;
		va += PAGE_SIZE;
	}
	look_window(s);
	check_own(s);
}

static void scan_info(const struct scan *s)
{
	unsigned int i;

	report_info("Switcher area from %#x, %u pages: looked at %u, %u mapped, %u writable; %u retried after a move, %u faults other than #PF",
		    switcher_base(), READ_ONCE(lguest_data.reserve_mem) / PAGE_SIZE, s->pages,
		    s->mapped, s->writable, s->retried, s->other_faults);
	for (i = 0; i < s->listed; i++)
		report_info("mapped: %#x%s", s->list[i] & PAGE_MASK,
			    (s->list[i] & 1) ? " (writable)" : "");
	if (s->stray_writable || s->stray_mapped || s->stale_regs)
		report_info("%u writable pages not ours, %u other pages not ours, %u stale regs pages",
			    s->stray_writable, s->stray_mapped, s->stale_regs);
}

static void test_switcher_area(void)
{
	struct lguest_timespec t0, t1;
	struct scan s;

	clock_on();
	t0 = host_time();
	scan_area(&s, escape_full_scan);
	t1 = host_time();
	clock_off();
	scan_info(&s);
	report_info("the %s scan of the Switcher area took %u ms",
		    escape_full_scan ? "full" : "sparse", ms_between(t0, t1));
	report(s.own_regs_rw && !s.stray_writable,
	       "the Switcher area holds one writable page: this CPU's regs page");
	report(s.own_state_ro, "this CPU's state page is mapped read-only");
	report(s.pages && !s.stray_mapped,
	       "the Switcher area holds only its text and this CPU's two pages");
	report(s.window_looks && !s.stale_regs,
	       "the window's regs page holds the registers of our last exit");
}

/*
 * lgtest=switcher-probe: the full scan again and again while the harness
 * moves our Launcher between CPUs, so that we run on a CPU after another
 * one's pages were ours.  We stop after PROBE_SCANS scans (one for a
 * single CPU) once we have seen
 * want_cpus CPUs and looked at the window PROBE_LOOKS times after moving,
 * or else after PROBE_MAX_SCANS scans or PROBE_MAX_MS of Host time.  (One
 * scan takes seconds under QEMU's emulation, and the harness moves us
 * every 0.2 s: each scan spans many moves.)
 */
#define PROBE_SCANS		2
#define PROBE_LOOKS		3
#define PROBE_MAX_SCANS		20
#define PROBE_MAX_MS		45000

void switcher_probe(unsigned int want_cpus)
{
	unsigned int scans = 0, stray_writable = 0, stray_mapped = 0, stale_regs = 0;
	unsigned int regs_bad = 0, state_bad = 0, first_ms = 0, i;
	struct lguest_timespec start, t0, t1;
	struct scan s;

	clock_on();
	start = host_time();
	t1 = start;
	while (scans < PROBE_MAX_SCANS && ms_between(start, t1) < PROBE_MAX_MS) {
		t0 = t1;
		scan_area(&s, true);
		t1 = host_time();
		if (!scans)
			first_ms = ms_between(t0, t1);
		scans++;
		stray_writable += s.stray_writable;
		stray_mapped += s.stray_mapped + !s.pages;
		stale_regs += s.stale_regs;
		regs_bad += !s.own_regs_rw;
		state_bad += !s.own_state_ro;
		if (s.stray_writable || s.stray_mapped || s.stale_regs || !s.own_regs_rw ||
		    !s.own_state_ro) {
			report_info("scan %u:", scans);
			scan_info(&s);
		}
		if (scans >= (want_cpus < 2 ? 1 : PROBE_SCANS) && seen.nr_cpus >= want_cpus &&
		    (want_cpus < 2 || seen.looks_after_move >= PROBE_LOOKS))
			break;
	}
	clock_off();
	if (scans)
		scan_info(&s);
	report_info("%u full scans in %u ms (the first %u ms), %u moves between CPUs, %u looks at the window since the first",
		    scans, ms_between(start, t1), first_ms, seen.moves, seen.looks_after_move);
	report_info("ran on %u host CPUs (transit tables):", seen.nr_cpus);
	for (i = 0; i < seen.nr_cpus; i++)
		report_info("  %#x", seen.cpus[i]);

	report(scans && !stray_writable && !regs_bad,
	       "every scan found one writable page: this CPU's regs page");
	report(scans && !state_bad, "every scan found this CPU's state page mapped read-only");
	report(scans && !stray_mapped,
	       "no scan found anything but the text and this CPU's pages");
	report(scans && !stale_regs,
	       "every look found our last exit's registers in the window's regs page");
	if (want_cpus > 1)
		report(seen.nr_cpus >= 2, "ran on two host CPUs");
}

/* ---- Shadow page tables: one view of a page, however many trees. */

/*
 * A guest-physical page nobody has touched: the Launcher writes only the
 * boot_params and command line pages at the bottom and our image at 16 MiB,
 * and would put an initrd at the top of RAM (we get none).  Everything we
 * use, page tables and stacks included, lies inside our image, so 48 MiB
 * (in RAM for the 64 MiB every scenario runs with) is neither written nor
 * read before this test.  In the Launcher's private anonymous memory the
 * Host's first read of it therefore finds no page at all.
 */
#define UNTOUCHED_PA		0x3000000u
#define COW_MAGIC		0xC0DE5EED

static void test_shared_zero_page(void)
{
	struct pgtable other;
	u32 first = ~0u, seen_a = 0, direct;
	bool read, wrote;

	/* Clone first, so that each table gets a page table of its own. */
	pt_clone(&other, &kernel_pgt);
	pt_map(&kernel_pgt, ESCAPE_COW_VA, UNTOUCHED_PA, PTE_P | PTE_RW);
	pt_map(&other, ESCAPE_COW_VA, UNTOUCHED_PA, PTE_P | PTE_RW);

	read = probe_read(ESCAPE_COW_VA, &first) && first == 0;
	pt_load(&other);
	wrote = probe_write(ESCAPE_COW_VA, COW_MAGIC);
	pt_load(&kernel_pgt);
	probe_read(ESCAPE_COW_VA, &seen_a);
	direct = *(volatile u32 *)__va(UNTOUCHED_PA);

	if (!read || !wrote || seen_a != COW_MAGIC)
		report_info("first read %#x, write %s, then %#x through the first table, %#x through the kernel map",
			    first, wrote ? "done" : "faulted", seen_a, direct);
	report(read && wrote && seen_a == COW_MAGIC,
	       "a page read through one page table shows a write made through another");

	pt_unmap(&other, ESCAPE_COW_VA);
	pt_unmap(&kernel_pgt, ESCAPE_COW_VA);
}

/* ---- NX: an instruction fetch the entry forbids faults (PAE only). */

#ifdef CONFIG_PAE
static bool cpu_has_nx(void)
{
	u32 a, b, c, d;

	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u), "c"(0));
	if (a < 0x80000001u)
		return false;
	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
	return d & (1u << 20);
}

/*
 * A 2-level Host cannot forbid a fetch: it drops NX from the shadow of our
 * PAE entries (DESIGN.md), so a "ret" on such a page simply runs.
 */
static void test_nx_ignored(u8 *page)
{
	void (*fn)(void) = (void (*)(void))ESCAPE_NX_VA;

	page[0] = 0xC3;		/* ret */
	pt_set(&kernel_pgt, ESCAPE_NX_VA, page_pa(page) | PTE_P | PTE_RW | PTE_NX);
	ex_reset();
	fn();
	ex_done();
	report(last_ex.vector == NO_VECTOR,
	       "on a Host without NX, a fetch from a page our entry marks NX runs");
	pt_unmap(&kernel_pgt, ESCAPE_NX_VA);
}

/*
 * A "ret" on a page whose entry says NX, called.  The Host must reflect the
 * fault with the fetch bit and the address, not map the page again and
 * again: the clock's watchdog gets us out if it does.  This runs last, so
 * that a Host which hangs us loses no other result.
 */
static void test_nx_fetch(void)
{
	u8 *page = alloc_page();
	u32 faulted = 1, saved;
	bool ok;

	if (!cpu_has_nx()) {
		report_info("this CPU has no NX: nothing to check");
		report(true, "an instruction fetch from an NX page faults with the fetch bit and cr2");
		return;
	}
	if (!escape_host_nx) {
		test_nx_ignored(page);
		return;
	}
	page[0] = 0xC3;		/* ret */
	pt_set(&kernel_pgt, ESCAPE_NX_VA, page_pa(page) | PTE_P | PTE_RW | PTE_NX);

	clock_on();
	clock.fired = false;
	clock.watch_eip = ESCAPE_NX_VA;
	irq_enable();
	hcall1(LHCALL_SET_CLOCKEVENT, WATCHDOG_NS);
	ex_reset();
	asm volatile("movl %%esp, %[saved]\n\t"
		     ASM_TRY("1f")
		     "call *%[target]\n\t"
		     "movl $0, %[faulted]\n"
		     "1: movl %[saved], %%esp"
		     : [faulted] "+r"(faulted), [saved] "=&r"(saved)
		     : [target] "r"(ESCAPE_NX_VA)
		     : "memory", "cc");
	ex_done();
	clock.watch_eip = 0;
	clock_off();

	ok = faulted && !clock.fired && last_ex.vector == PF_VECTOR &&
	     (last_ex.error_code & PF_FETCH) && last_ex.cr2 == ESCAPE_NX_VA &&
	     last_ex.eip == ESCAPE_NX_VA;
	if (clock.fired)
		report_info("no fault reached us: the Host kept re-entering us at the NX page");
	else if (!ok)
		report_info("%s: vector %d, error code %#x, cr2 %#x, eip %#x",
			    faulted ? "faulted" : "the ret ran", (int)last_ex.vector,
			    last_ex.error_code, last_ex.cr2, last_ex.eip);
	report(ok, "an instruction fetch from an NX page faults with the fetch bit and cr2");
	pt_unmap(&kernel_pgt, ESCAPE_NX_VA);
}
#endif

/*
 * Our own page tables cannot put anything of ours in the Switcher area:
 * with a page of ours mapped over our state page, over our regs page and
 * over an address the Host leaves empty, the first two still show the
 * Host's pages and the third still faults.
 */
#define OVER_MAGIC		0x0ddba11u
#define LGUEST_CS_ENTRY_BYTE	(12 * 8 + 4)	/* the high word of GDT entry 12 */

/* One try on CPU @cpu; false if we moved meanwhile. */
static bool map_over_switcher(u32 *mine, u32 cpu)
{
	struct cpu_pages own = pages_of(idt_base());
	u32 empty = switcher_base(), gdt_word = 0, val = 0;
	bool state_ok, regs_ok, empty_ok;

	probe_read(own.state + STATE_GDT + LGUEST_CS_ENTRY_BYTE, &gdt_word);
	pt_map(&kernel_pgt, own.state, page_pa(mine), PTE_P | PTE_RW);
	pt_map(&kernel_pgt, own.regs, page_pa(mine), PTE_P | PTE_RW);
	pt_map(&kernel_pgt, empty, page_pa(mine), PTE_P | PTE_RW);

	state_ok = probe_read(own.state + STATE_GDT + LGUEST_CS_ENTRY_BYTE, &val) &&
		   val == gdt_word && !probe_write(own.state, OVER_MAGIC);
	regs_ok = probe_read(own.regs, &val) && val != OVER_MAGIC;
	empty_ok = !probe_read(empty, &val) && last_ex.vector == PF_VECTOR;
	pt_unmap(&kernel_pgt, empty);
	pt_unmap(&kernel_pgt, own.regs);
	pt_unmap(&kernel_pgt, own.state);
	if (cpu_now() != cpu)
		return false;

	report(state_ok && regs_ok && empty_ok,
	       "our page tables cannot map our pages over the Switcher area");
	if (!(state_ok && regs_ok && empty_ok))
		report_info("state page %s, regs page %s, empty address %#x %s",
			    state_ok ? "intact" : "replaced", regs_ok ? "intact" : "replaced",
			    empty, empty_ok ? "faults" : "mapped");
	return true;
}

static void test_map_over_switcher(void)
{
	u32 *mine = alloc_page();
	unsigned int tries;

	mine[0] = OVER_MAGIC;
	for (tries = 0; tries < MOVE_TRIES; tries++)
		if (map_over_switcher(mine, cpu_now()))
			return;
	report(false, "our page tables cannot map our pages over the Switcher area");
}

/*
 * "syscall" would enter ring 0 at whatever MSR_STAR says, with no stack
 * switch and no descriptor check.  A 32-bit Host never sets EFER.SCE, so
 * the CPU must refuse it (#UD) here as it does for the Host's own users.
 */
static void test_syscall_insn(void)
{
	struct dt_state before = dt_now();

	ex_reset();
	asm volatile(ASM_TRY("1f") ".byte 0x0f, 0x05\n" "1:" : : : "memory");
	ex_done();
	report(last_ex.vector == UD_VECTOR && unchanged(&before),
	       "syscall raises #UD and changes nothing");
	if (last_ex.vector != UD_VECTOR)
		report_info("syscall: vector %d", (int)last_ex.vector);
}

void test_escape(void)
{
	test_regs_page_fresh();
	test_descriptor_tables();
	test_syscall_insn();
	test_map_over_switcher();
	test_page_leaks();
	test_fast_block();
	test_switcher_area();
	test_regs_scribble();
	test_shared_zero_page();
	test_fast_path();
#ifdef CONFIG_PAE
	test_nx_fetch();
#endif
	leave_mark_in_regs_page();
}
