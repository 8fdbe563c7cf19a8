// SPDX-License-Identifier: GPL-2.0
/*
 * hcall.c - hypercalls: the synchronous round trip, what LGUEST_INIT
 * wrote back, and the asynchronous ring.
 */
#include "lib/libguest.h"
#include "lib/hcall.h"
#include "lib/desc.h"
#include "lib/mmu.h"
#include "lib/processor.h"
#include "tests.h"

/* Every register a hypercall must keep (all but %eax), and the call. */
struct hregs {
	u32 eax, ebx, ecx, edx, esi, edi, ebp, ds, es;
};

void hcall_with_regs(struct hregs *r);

/*
 * Load every register from *r (segment registers too), make the call, and
 * store every register back into *r.  %ds/%es get the user data segment,
 * which ring 1 may use too: a Host that reloaded the kernel's on the way
 * back would show.
 */
asm(
"	.pushsection .text, \"ax\"\n"
"	.globl hcall_with_regs\n"
"	.type hcall_with_regs, @function\n"
"hcall_with_regs:\n"
"	pushl %ebp\n"
"	pushl %ebx\n"
"	pushl %esi\n"
"	pushl %edi\n"
"	pushl %ds\n"
"	pushl %es\n"
"	movl 28(%esp), %eax\n"
"	pushl %eax\n"
"	movl 28(%eax), %ebx\n"
"	movl %ebx, %ds\n"
"	movl 32(%eax), %ebx\n"
"	movl %ebx, %es\n"
"	movl 4(%eax), %ebx\n"
"	movl 8(%eax), %ecx\n"
"	movl 12(%eax), %edx\n"
"	movl 16(%eax), %esi\n"
"	movl 20(%eax), %edi\n"
"	movl 24(%eax), %ebp\n"
"	movl 0(%eax), %eax\n"
"	int $" __stringify(LGUEST_TRAP_ENTRY) "\n"
"	xchgl %eax, (%esp)\n"
"	movl %ebx, 4(%eax)\n"
"	movl %ecx, 8(%eax)\n"
"	movl %edx, 12(%eax)\n"
"	movl %esi, 16(%eax)\n"
"	movl %edi, 20(%eax)\n"
"	movl %ebp, 24(%eax)\n"
"	xorl %ebx, %ebx\n"
"	movw %ds, %bx\n"
"	movl %ebx, 28(%eax)\n"
"	movw %es, %bx\n"
"	movl %ebx, 32(%eax)\n"
"	popl %ebx\n"
"	movl %ebx, 0(%eax)\n"
"	popl %es\n"
"	popl %ds\n"
"	popl %edi\n"
"	popl %esi\n"
"	popl %ebx\n"
"	popl %ebp\n"
"	ret\n"
"	.size hcall_with_regs, . - hcall_with_regs\n"
"	.popsection\n"
);

static bool call_keeps_regs(u32 call, u32 arg1)
{
	struct hregs in = {
		.eax = call, .ebx = arg1, .ecx = 0x5A5A0001, .edx = 0xA5A50002,
		.esi = 0x12340003, .edi = 0x56780004, .ebp = 0x9ABC0005,
		.ds = LGUEST_USER_DS, .es = LGUEST_USER_DS,
	};
	struct hregs out = in;

	hcall_with_regs(&out);
	if (out.ebx == in.ebx && out.ecx == in.ecx && out.edx == in.edx &&
	    out.esi == in.esi && out.edi == in.edi && out.ebp == in.ebp &&
	    out.ds == in.ds && out.es == in.es)
		return true;
	report_info("call %u changed ebx %#x ecx %#x edx %#x esi %#x edi %#x ebp %#x ds %#x es %#x",
		    call, out.ebx, out.ecx, out.edx, out.esi, out.edi, out.ebp, out.ds, out.es);
	return false;
}

/*
 * Four calls that change nothing we can see, with junk in their unused
 * argument registers, which the Host must ignore: FLUSH_ASYNC and
 * SEND_INTERRUPTS take no argument, TS(0) clears a clear bit,
 * SET_CLOCKEVENT(0) cancels a timer that is not armed.
 */
static void test_round_trip(void)
{
	bool ok = true;

	ok &= call_keeps_regs(LHCALL_FLUSH_ASYNC, 0xDEAD0006);
	ok &= call_keeps_regs(LHCALL_SEND_INTERRUPTS, 0xBEEF0007);
	ok &= call_keeps_regs(LHCALL_TS, 0);
	ok &= call_keeps_regs(LHCALL_SET_CLOCKEVENT, 0);
	report(ok, "hypercalls return with every register but eax intact");
}

/* What the Host wrote into lguest_data during LGUEST_INIT (ABI.md section 3). */
static void test_init_data(void)
{
	u32 reserve = READ_ONCE(lguest_data.reserve_mem);
	s32 sec = READ_ONCE(lguest_data.time.tv_sec);
	s32 nsec = READ_ONCE(lguest_data.time.tv_nsec);

	report_info("reserve_mem %#x, tsc_khz %u, time %d.%09d", reserve,
		    READ_ONCE(lguest_data.tsc_khz), sec, nsec);
	report(reserve && !(reserve % PAGE_SIZE) && reserve <= 0u - (HIGHEST_TEST_VA + 1),
	       "LGUEST_INIT wrote a page-aligned reserve_mem above our mappings");
	report(sec > 0 && nsec >= 0 && nsec < 1000000000, "LGUEST_INIT wrote the time");
}

/* Three TLS entries, data segments with DPL 3 and these limits. */
#define TLS_DESC(limit)	{ (limit) & 0xFFFF, 0x0040F200 | ((limit) & 0xF0000) }
#define TLS_SEL(n)	((LGUEST_GDT_TLS_MIN + (n)) << 3 | 3)

struct tls_desc {
	u32 lo, hi;
};
static const struct tls_desc tls_ring[LGUEST_GDT_TLS_ENTRIES] = {
	TLS_DESC(0x1111), TLS_DESC(0x2222), TLS_DESC(0x3333),
};

static bool ring_all_free(void)
{
	unsigned int i;

	for (i = 0; i < LHCALL_RING_SIZE; i++)
		if (READ_ONCE(lguest_data.hcall_status[i]) != LHCALL_SLOT_FREE) {
			report_info("slot %u status %#x", i, lguest_data.hcall_status[i]);
			return false;
		}
	return true;
}

/* The limit of TLS entry n as the CPU sees it; expect 0 for "unusable". */
static bool tls_limit_is(unsigned int n, u32 expect)
{
	u32 limit = 0;
	bool usable = lsl(TLS_SEL(n), &limit);

	if (usable ? limit == expect : expect == 0)
		return true;
	report_info("TLS entry %u: %s, limit %#x", LGUEST_GDT_TLS_MIN + n,
		    usable ? "usable" : "unusable", limit);
	return false;
}

/*
 * Queue three calls, then one synchronous FLUSH_ASYNC.  The SET_PTE
 * moves a page the Host has already mapped (we just read it) to another
 * physical page: only a Host that ran it, and dropped its stale shadow
 * entry, shows the new page's contents.  The LOAD_TLS shows in the GDT.
 */
static void test_ring(void)
{
	u32 *before = alloc_page(), *after = alloc_page(), val = 0;
	pte_t pte, *ptep;
	bool mapped;

	*before = 0xB4B4B4B4;
	*after = 0xAF7E0000;
	pt_map(&kernel_pgt, RING_TEST_VA, page_pa(before), PTE_P | PTE_RW);
	mapped = probe_read(RING_TEST_VA, &val) && val == *before;

	ptep = pt_lookup(&kernel_pgt, RING_TEST_VA, false);
	pte = page_pa(after) | PTE_P | PTE_RW;
	write_pte(ptep, pte);
	async_hcall(LHCALL_SET_PTE, kernel_pgt.top_pa, RING_TEST_VA, pte_lo(pte), pte_hi(pte));
	async_hcall(LHCALL_LOAD_TLS, __pa(tls_ring), 0, 0, 0);
	async_hcall(LHCALL_TS, 0, 0, 0, 0);
	hcall0(LHCALL_FLUSH_ASYNC);

	report(ring_all_free(), "FLUSH_ASYNC runs every queued call and frees its slot");
	report(mapped && probe_read(RING_TEST_VA, &val) && val == *after,
	       "a queued SET_PTE remaps a page the Host had mapped");
	report(tls_limit_is(0, 0x1111) & tls_limit_is(1, 0x2222) & tls_limit_is(2, 0x3333),
	       "a queued LOAD_TLS loads GDT entries 6-8");
}

/*
 * More calls than the ring holds, with no hypercall in between: the ring
 * fills, the next call goes synchronously (the Host drains the ring first),
 * and queueing resumes.  Each LOAD_TLS sets a different limit, so the one
 * left in the GDT tells whether the last call ran last.
 */
#define WRAP_CALLS	(LHCALL_RING_SIZE + 6)

static struct tls_desc tls_wrap[WRAP_CALLS][LGUEST_GDT_TLS_ENTRIES];

static void test_ring_wrap(void)
{
	unsigned int i;

	for (i = 0; i < WRAP_CALLS; i++) {
		tls_wrap[i][0] = (struct tls_desc)TLS_DESC(0x1000 + i);
		async_hcall(LHCALL_LOAD_TLS, __pa(tls_wrap[i]), 0, 0, 0);
	}
	hcall0(LHCALL_FLUSH_ASYNC);
	report(ring_all_free() & tls_limit_is(0, 0x1000 + WRAP_CALLS - 1) & tls_limit_is(1, 0),
	       "a full ring is drained in order and then reused");
}

void test_hcall(void)
{
	test_round_trip();
	test_init_data();
	report_prefix_push("ring");
	test_ring();
	test_ring_wrap();
	report_prefix_pop();
}
