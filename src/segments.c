// SPDX-License-Identifier: GPL-2.0
/*> H530
 * The Guest's GDT.
 *
 * The Guest loads descriptors one at a time (LOAD_GDT_ENTRY) and its three
 * TLS entries together (LOAD_TLS).  We keep a checked copy, which run.c
 * copies into the GDT the CPU really uses, around our own three entries:
 * 10 and 11 (the Switcher's code and data) and 16 (the Guest's TSS).
 *
 * The checks are the whole point.  The Guest runs in ring 1, so any
 * descriptor with privilege level 0 is moved to 1; and it may not install
 * system descriptors at all, because a call gate or TSS of its making would
 * be a door into ring 0.
 */
#include <linux/kernel.h>
#include <asm/desc.h>
#include "lg.h"

#define DESC_PRESENT	(1U << 15)
#define DESC_DPL_SHIFT	13
#define DESC_DPL_MASK	(3U << DESC_DPL_SHIFT)
#define DESC_CODE_DATA	(1U << 12)	/* the S bit: not a system descriptor */
#define DESC_ACCESSED	(1U << 8)

static bool host_owned(u32 idx)
{
	return idx == LGUEST_GDT_HOST_CS || idx == LGUEST_GDT_HOST_DS ||
	       idx == LGUEST_GDT_TSS || idx == LGUEST_GDT_DF_TSS;
}

static void set_desc(struct desc_struct *d, u32 lo, u32 hi)
{
	u32 *w = (u32 *)d;

	w[0] = lo;
	w[1] = hi;
}

/* Make one descriptor safe to load, or kill the Guest for trying. */
static bool fix_desc(struct lguest *lg, u32 idx, u32 lo, u32 *hi)
{
	if (!(*hi & DESC_PRESENT))
		return true;
	if (!(*hi & DESC_CODE_DATA)) {
		kill_guest(lg, "GDT entry %u is a system descriptor (%#x:%#x)",
			   idx, *hi, lo);
		return false;
	}
	if (!(*hi & DESC_DPL_MASK))
		*hi |= 1U << DESC_DPL_SHIFT;
	/*
	 * The CPU would set the Accessed bit when a selector is loaded, and
	 * the copy it reads is in a page the Guest maps read-only.
	 */
	*hi |= DESC_ACCESSED;
	return true;
}

static void store_entry(struct lg_cpu *cpu, u32 idx, u32 lo, u32 hi)
{
	if (host_owned(idx))
		return;
	if (!fix_desc(cpu->lg, idx, lo, &hi))
		return;
	set_desc(&cpu->gdt[idx], lo, hi);
	cpu->tables_changed = true;
}

/* Flat 4 GiB segments, as the Guest expects to find them at its start. */
void lg_setup_guest_gdt(struct lg_cpu *cpu)
{
	memset(cpu->gdt, 0, sizeof(cpu->gdt));
	set_desc(&cpu->gdt[LGUEST_GUEST_CS >> 3], 0x0000ffff, 0x00cfbb00);
	set_desc(&cpu->gdt[LGUEST_GUEST_DS >> 3], 0x0000ffff, 0x00cfb300);
	set_desc(&cpu->gdt[LGUEST_USER_CS >> 3], 0x0000ffff, 0x00cffb00);
	set_desc(&cpu->gdt[LGUEST_USER_DS >> 3], 0x0000ffff, 0x00cff300);
	cpu->tables_changed = true;
}

void lg_load_gdt_entry(struct lg_cpu *cpu, u32 idx, u32 lo, u32 hi)
{
	if (idx >= LGUEST_GDT_ENTRIES) {
		kill_guest(cpu->lg, "LOAD_GDT_ENTRY of entry %u", idx);
		return;
	}
	store_entry(cpu, idx, lo, hi);
}

void lg_load_tls(struct lg_cpu *cpu, unsigned long gpa)
{
	u32 tls[2 * LGUEST_GDT_TLS_ENTRIES];
	unsigned int i;

	/* Checked first, so that this, not lg_read()'s, is the reason given. */
	if (!lg_range_ok(cpu->lg, gpa, sizeof(tls))) {
		kill_guest(cpu->lg, "LOAD_TLS from %#lx, outside guest memory", gpa);
		return;
	}
	if (lg_read(cpu->lg, tls, gpa, sizeof(tls)))
		return;
	for (i = 0; i < LGUEST_GDT_TLS_ENTRIES; i++)
		store_entry(cpu, LGUEST_GDT_TLS_MIN + i, tls[2 * i], tls[2 * i + 1]);
}

void lg_copy_gdt(const struct lg_cpu *cpu, struct desc_struct *gdt)
{
	memcpy(gdt, cpu->gdt, sizeof(cpu->gdt));
}

/*
 * Is @sel a stack the Switcher may push on by offset alone (S250)?  A
 * present, writable, expand-up, 32-bit ring-1 data segment from 0 to 4 GiB:
 * the one Linux uses, and the only one where a push at %esp lands at the
 * linear address %esp.
 */
bool lg_flat_stack_segment(const struct lg_cpu *cpu, u32 sel)
{
	const struct desc_struct *d;

	if ((sel & 7) != 1 || (sel >> 3) >= LGUEST_GDT_ENTRIES ||
	    host_owned(sel >> 3))
		return false;
	d = &cpu->gdt[sel >> 3];
	return d->p && d->s && d->dpl == 1 && (d->type & 0xe) == 0x2 &&
	       d->d && d->g && get_desc_base(d) == 0 &&
	       get_desc_limit(d) == 0xfffff;
}
