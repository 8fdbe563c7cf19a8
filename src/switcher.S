/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Moving a CPU from the Host kernel into a ring-1 Guest
 * and back again.
 *
 * This text lives in two places at once.  The Host runs it where the module
 * loader put it; a Guest has it in its "window", the last few pages below
 * 4 GiB, together with the running CPU's regs and state pages (run.c, H100).
 * Neither place is mapped in the other's page tables, so the Switcher
 * crosses over on a third set, this CPU's "transit" tables, which map the
 * text and the CPU's pages in both places and nothing else:
 *
 *   Host tables        transit tables           Guest tables
 *   (Host address) --> (both addresses) -jmp--> (window address)
 *
 * and the same way back.  The code uses no absolute address of its own,
 * only relative jumps, offsets from %eax (which always points at this CPU's
 * pages, in whichever place we are running) and values that C code stored
 * in those pages, so it runs unchanged in either place.
 *
 * The order of every step matters, and the comments say why.  The rules
 * behind most of them:
 *  - An NMI can arrive at any instruction.  At every instruction the IDT,
 *    the GDT, the code its gates lead to and the stack must all be mapped
 *    in the page tables loaded then, and the handler must be one that can
 *    run with them.  Three IDTs of ours take turns: the transit IDTs (in
 *    the host page, gates into the Host-address text) on either side of
 *    the Host's tables, and the Guest's (in the state page, gates into the
 *    window) on the Guest's side.
 *  - The Host's IDT gates name the Host's code segment, which means nothing
 *    in a Guest's GDT; our own gates name LG_CS, which is the same flat
 *    ring-0 segment in every GDT.  So: our IDT goes in before the Guest
 *    GDT, and the Host GDT comes back before the Host IDT.
 *  - "ltr" sets the busy bit in the descriptor it loads, so it needs a
 *    writable GDT and a descriptor that is not busy yet.  The Host runs on
 *    its writable ("direct") GDT while a Guest is out, see run.c.
 *  - The Host's own handlers never run on the regs page: the Host stack
 *    is in %esp whenever the Host's IDT is loaded.  Our few instructions
 *    of NMI handling are all that ever runs on the regs page in ring 0,
 *    and run.c wipes whatever they and the CPU pushed there before the
 *    Guest runs again.
 *  - Global TLB entries survive a %cr3 load.  The Host's own (its fixmap
 *    lies where the window is) go when CR4.PGE goes, before we first touch
 *    the window.
 */
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include "lg_layout.h"

#define STATE(field)	(LGP_STATE + (field))(%eax)
#define HOST(field)	(LGP_HOST + (field))(%eax)
#define REGS(field)	(LGP_REGS + (field))(%eax)

/*
 * The crossing, either way: onto this CPU's transit tables, which map both
 * places, then to the other place's copy of @label with %eax pointing at
 * the pages there and the stack moved with it in one instruction.  The
 * host page holds both addresses (run.c), and the transit tables map it
 * in both places.
 */
	.macro	lg_cross_over label, pages
	movl	STATE(LGS_TRANSIT_CR3), %edx
	movl	%edx, %cr3
	movl	HOST(\label), %edx
	movl	HOST(\pages), %eax
	leal	LGP_REGS(%eax), %esp
	jmp	*%edx
	.endm

	.section .text.lg_switcher, "ax"
	.balign	LG_PAGE_SIZE
	.globl	lg_switcher_start
lg_switcher_start:

/*> S100
 * Entering the Guest.  run_switcher() in run.c did "pushfl" and then
 * "lcall" to here, so the Host stack already looks like an interrupt frame
 * (eflags, cs, eip): one "iret" takes us home.  %eax points to this CPU's
 * pages at their Host address; C has copied the Guest's registers, GDT, IDT
 * and TSS into them, and the control register values it should run with.
 * Interrupts are off.
 */
	.globl	lg_switch_to_guest
lg_switch_to_guest:
	/* The C caller told the compiler every register but %ebp is ours. */
	pushl	%es
	pushl	%ds
	pushl	%fs
	pushl	%gs
	pushl	%ss
	pushl	%ebp

	/*
	 * What we must put back, into the host page, which no Guest maps.
	 * %cr3 too: we need it on the way out only once the transit tables,
	 * which map this page, are loaded.
	 */
	movl	%esp, HOST(LGH_SP)
	sgdt	HOST(LGH_GDT)
	sidt	HOST(LGH_IDT)
	sldt	HOST(LGH_LDT)
	movl	%cr4, %edx
	movl	%edx, HOST(LGH_CR4)
	movl	%cr0, %edx
	movl	%edx, HOST(LGH_CR0)
	movl	%cr3, %edx
	movl	%edx, HOST(LGH_HOST_CR3)

	/*
	 * The C code left its own values in these.  An NMI on the regs page
	 * (S300) pushes %ecx there; run.c wipes it afterwards, but hold
	 * nothing there that needs wiping in the first place.
	 */
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%esi, %esi
	xorl	%edi, %edi

	/*
	 * From here to the "iret" an NMI or machine check cancels the entry
	 * (S300): whatever we loaded so far is simply reloaded with the
	 * Host's values on the way home.  First the IDT of the way in, and
	 * the Guest's GDT where the Host's tables and the transit tables both
	 * reach it; the Host's GDT is in neither the transit tables nor the
	 * Guest's.
	 */
	lidt	HOST(LGH_TRANSIT_IN_DESC)
	lgdt	HOST(LGH_GUEST_GDT_DESC)

	/*
	 * No LDT in the Guest.  The Launcher may have one (modify_ldt), and
	 * its descriptors sit at a Host address the Guest could map a page of
	 * its own over: a call gate there would be a way into ring 0.
	 */
	xorl	%edx, %edx
	lldt	%dx

	/*
	 * The Guest's CR0 and CR4 are the Host's with the bits lg_layout.h
	 * names changed (TS from the Guest, no PGE, PCE, SMAP or UMIP).  We write
	 * them here rather than through the kernel's helpers because SMAP and
	 * UMIP are pinned bits there: clearing them from C would warn.
	 * Clearing PGE also flushes the Host's global TLB entries, among them
	 * those at the window's addresses.
	 */
	movl	HOST(LGH_CR0), %edx
	andl	$~LG_CR0_TS, %edx
	orl	STATE(LGS_GUEST_TS), %edx
	movl	%edx, %cr0
	movl	HOST(LGH_CR4), %edx
	andl	$~LG_CR4_GUEST_OFF, %edx
	movl	%edx, %cr4

	/*
	 * Onto a stack the transit tables map (the regs page, at its Host
	 * address), then over to the window: text, pages and stack.
	 */
	leal	LGP_REGS(%eax), %esp
	lg_cross_over LGH_WINDOW_ENTRY, LGH_WINDOW_PAGES

	.globl	lg_enter_in_window
lg_enter_in_window:
	lidt	STATE(LGS_GUEST_IDT_DESC)
	/* From here on an NMI comes through the window's stubs (S300). */
lg_entry_window:
	lgdt	STATE(LGS_GUEST_GDT_DESC)

	/* The Guest TSS: its ring-0 stack is the top of the regs page. */
	movl	$LG_TSS_SEL, %edx
	ltr	%dx

	/*
	 * Last, the Guest's shadow page tables, whose address the transit
	 * tables let us read from the host page.  They map the window too, but
	 * not the host page: from here on only the regs and state pages can
	 * be touched.
	 */
	movl	HOST(LGH_GUEST_CR3), %edx
	movl	%edx, %cr3

	/* The Guest's registers are on our stack, in struct lg_regs order. */
	popl	%ebx
	popl	%ecx
	popl	%edx
	popl	%esi
	popl	%edi
	popl	%ebp
	popl	%eax
	popl	%gs
	popl	%fs
	popl	%ds
	popl	%es
	/* Step over the trap number and error code: an iret frame is left. */
	addl	$8, %esp
lg_entry_iret:
	iret

/*> S200
 * Every trap, fault and interrupt that happens while a Guest runs (except
 * the trap gates the Guest handles itself, see interrupts.c) comes here
 * through one of the 256 stubs at the end of this file, in the window.
 * Each pushed an error code (or a 0 where the CPU pushes none) and its
 * vector, so the stack holds: trapnum, errcode, eip, cs, eflags, and
 * because the Guest never runs in ring 0, also esp and ss.
 */
lg_trap_common:
	/* Did the trap interrupt the Guest, or this code?  Look at the CS. */
	testl	$3, 12(%esp)
	jz	lg_trap_in_switcher

	pushl	%es
	pushl	%ds
	pushl	%fs
	pushl	%gs
	pushl	%eax
	pushl	%ebp
	pushl	%edi
	pushl	%esi
	pushl	%edx
	pushl	%ecx
	pushl	%ebx

	/* A page fault may be the Guest's own business: see S250. */
	cmpl	$14, LGR_TRAPNUM(%esp)
	je	lg_fast_page_fault

lg_exit_to_host:
	/*
	 * %esp points at a complete struct lg_regs at the top of the regs
	 * page, in the window or (a cancelled entry) at its Host address.
	 * Our data segment is whatever the Guest had: load a flat one.
	 */
	movl	$LG_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%esp, %eax
	subl	$LGP_REGS, %eax

	/* Text, pages and stack to their Host addresses. */
	lg_cross_over LGH_HOST_EXIT, LGH_HOST_PAGES

	.globl	lg_exit_on_host
lg_exit_on_host:
	/*
	 * The Guest's GDT and IDT are at window addresses, which the Host's
	 * tables do not map: put in the Host-address GDT and the way-out IDT.
	 */
	lgdt	HOST(LGH_GUEST_GDT_DESC)
	lidt	HOST(LGH_TRANSIT_OUT_DESC)

	/* Host page tables: the Host's GDT, IDT and stack live there. */
	movl	HOST(LGH_HOST_CR3), %edx
	movl	%edx, %cr3

	/*
	 * And the Host's stack at once.  From here on %edx carries Host
	 * values (control registers, the GDT's address): an NMI pushes the
	 * registers it interrupts on whatever stack we are on, and the regs
	 * page is one the Guest can read.  The Host's IDT is not back yet,
	 * so such an NMI still runs our own stub (S300), on this stack.
	 */
	movl	HOST(LGH_SP), %esp

	/* Keep the fault address in the host page. */
	movl	%cr2, %edx
	movl	%edx, HOST(LGH_CR2)
	movl	HOST(LGH_CR4), %edx
	movl	%edx, %cr4
	movl	HOST(LGH_CR0), %edx
	movl	%edx, %cr0

	/* Next time we "ltr" the Guest's TSS it must not be marked busy. */
	andb	$~0x02, STATE(LGS_GUEST_GDT + LG_TSS_SEL + 5)

	/* GDT before IDT: the Host's gates need the Host's code segment. */
	lgdt	HOST(LGH_GDT)
	lldt	HOST(LGH_LDT)

	/* The Host's TSS is still marked busy from when it was loaded. */
	movl	HOST(LGH_GDT + 2), %edx
	andb	$~0x02, (GDT_ENTRY_TSS * 8 + 5)(%edx)
	movl	$(GDT_ENTRY_TSS * 8), %edx
	ltr	%dx

	/* The Host's IDT last: an NMI from here on runs the Host's handler. */
	lidt	HOST(LGH_IDT)

	/*
	 * Did an NMI or machine check hit us on the way out (S300)?  Its
	 * handler said so with EFLAGS.NT, which must not survive to an
	 * "iret" (it would mean a task return); %esi tells run.c which.
	 */
	xorl	%esi, %esi
	pushfl
	popl	%edx
	btrl	$LG_EFLAGS_NT_BIT, %edx
	jnc	1f
	pushl	%edx
	popfl
	movl	LGP_EVENTS(%eax), %esi
1:
	/* Back to the Host's segment registers. */
	popl	%ebp
	popl	%ss
	popl	%gs
	popl	%fs
	popl	%ds
	popl	%es

	/*
	 * An interrupt or NMI was meant for the Host: go to its handler as if
	 * it had arrived just after the "lcall" in run_switcher(), which is
	 * what the frame on the stack says.  Its "iret" brings us home.
	 * Vector 0x80 is never a Host interrupt: it is a Guest system call
	 * that the Host must look at, like the traps below 32.  Neither is
	 * a fault inside the Switcher (LG_TRAP_SWITCHER | vector), which
	 * has no Host IDT entry at all.  A cancelled entry
	 * (LG_TRAP_ABORTED | vector) brings an NMI or machine check along.
	 */
	movl	REGS(LGR_TRAPNUM), %ebx
	testl	$LG_TRAP_ABORTED, %ebx
	jz	2f
	movzbl	%bl, %ebx
	jmp	lg_deliver_to_host
2:
	cmpl	$2, %ebx		/* NMI */
	je	lg_deliver_to_host
	cmpl	$18, %ebx		/* machine check */
	je	lg_deliver_to_host
	cmpl	$32, %ebx
	jb	lg_return_to_host
	cmpl	$0x80, %ebx
	je	lg_return_to_host
	cmpl	$256, %ebx
	jb	lg_deliver_to_host
lg_return_to_host:
	iret

lg_deliver_to_host:
	/* Reassemble the handler address from the Host's IDT gate. */
	movl	HOST(LGH_IDT + 2), %edx
	leal	(%edx, %ebx, 8), %edx
	movzwl	(%edx), %ecx
	movl	4(%edx), %edx
	movw	%cx, %dx
	/*
	 * We still run on LG_CS; the handler must start on the Host's own
	 * code segment, because a nested interrupt would push our CS and
	 * its "iret" would reload it.  A far return switches both at once.
	 */
	pushl	$__KERNEL_CS
	pushl	%edx
	lret

/*> S250
 * The page-fault fast path.  Most page faults a Linux Guest takes are its
 * own: its tables say the page is not there, or not writable, and only its
 * handler can fix that.  The Host would only deliver such a fault back,
 * after a world switch each way, so we deliver it from here when we can
 * tell: we walk the Guest's tables through the map of its memory that its
 * kernel keeps at kernel_address, exactly as page_tables.c walks them, and
 * if they forbid the access we build the frame that interrupts.c would
 * build and "iret" straight to the handler.  Whenever anything is unusual
 * (no mode from run.c, a reserved bit, a fetch from a present page, a
 * large page, an address out of range, a stack segment that is not the
 * flat one) we go home with the fault instead, and the Host does what it
 * always did.
 *
 * Why this is safe: everything here runs on the Guest's shadow tables and
 * the Guest's own memory, which the Guest could read and write itself from
 * ring 1; ring 0 has the same rights there (CR0.WP makes a read-only page
 * read-only to us too), and every address we form from Guest values is
 * checked to lie below the window first.  If the Guest's map is not where
 * it claims, or a page we read is not in the shadow tables yet, the worst
 * is a wrong answer or a fault: the wrong answer delivers a fault the Host
 * would have fixed, which the Guest sees as spurious and retries, and a
 * retry of the same fault at the same EIP goes home (the last one we
 * delivered is remembered in the regs page).  A fault in a probe lands in
 * S300, which sends us home with the original fault (lg_fast_fallback).
 *
 * NMIs and machine checks: one that hits us before the way back in is
 * noted as on any way out (EFLAGS.NT, S300).  Once the frame is committed
 * we check NT and go home if it is set.  From that check to the "iret" an
 * NMI goes home at once too (lg_fast_abort), and so that it finds the
 * Guest's registers whole we pop a copy of them, not the original.  Going
 * home then is an exit with trap number LG_TRAP_DELIVERED.
 *
 * On entry %esp points at the registers at the top of the regs page, in
 * the window; %ds and %es are still the Guest's.
 */
	.macro	lg_fast_table_va reg
	/* Guest-physical @reg, a page, to where its map has it, or go home. */
	movl	STATE(LGS_FAST_MAP_SIZE), %edi
	subl	$LG_PAGE_SIZE, %edi
	cmpl	%edi, \reg
	ja	lg_fast_home
	addl	STATE(LGS_FAST_MAP), \reg
	.endm

lg_fast_page_fault:
	movl	$LG_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	cld
	movl	%esp, %eax
	subl	$LGP_REGS, %eax
	/* Our stack from here on is below the words and the copy. */
	leal	LGP_FAST_COPY(%eax), %esp
	movl	%cr2, %ecx
	movl	%ecx, LGP_FAST_CR2(%eax)
	movl	STATE(LGS_FAST_MODE), %ebp
	testl	%ebp, %ebp
	jz	lg_fast_home
	cmpl	STATE(LGS_FAST_LIMIT), %ecx
	jae	lg_fast_home
	movl	REGS(LGR_ERRCODE), %edx
	testl	$LG_PF_RSVD, %edx
	jnz	lg_fast_home
	/* The fault we delivered last, again, without the Host between? */
	cmpl	LGP_FAST_LAST_CR2(%eax), %ecx
	jne	1f
	movl	REGS(LGR_EIP), %ebx
	cmpl	LGP_FAST_LAST_EIP(%eax), %ebx
	je	lg_fast_home
1:
	/*
	 * The walk.  %ecx is the address, %edx the error code; %ebx gets each
	 * entry in turn and %ebp the directory entry.  From lg_fast_probes to
	 * lg_fast_probes_end a page fault means "go home" (S300).
	 */
lg_fast_probes:
	movl	STATE(LGS_FAST_TOP), %edi
	cmpl	$2, %ebp
	je	2f
	/* Two-level: a directory of 1024 entries, tables of 1024. */
	movl	%ecx, %esi
	shrl	$22, %esi
	movl	(%edi, %esi, 4), %ebx
	testl	$1, %ebx
	jz	lg_fast_deliver
	testl	$0x80, %ebx
	jnz	lg_fast_home
	movl	%ebx, %ebp
	andl	$0xfffff000, %ebx
	lg_fast_table_va %ebx
	movl	%ecx, %esi
	shrl	$12, %esi
	andl	$1023, %esi
	movl	(%ebx, %esi, 4), %ebx
	jmp	3f
2:
	/* PAE: 4 PDPT entries, then directories and tables of 512 8-byte ones. */
	movl	%ecx, %esi
	shrl	$30, %esi
	cmpl	$0, 4(%edi, %esi, 8)
	jne	lg_fast_home
	movl	(%edi, %esi, 8), %ebx
	testl	$1, %ebx
	jz	lg_fast_deliver
	andl	$0xfffff000, %ebx
	lg_fast_table_va %ebx
	movl	%ecx, %esi
	shrl	$21, %esi
	andl	$511, %esi
	testl	$0x000fffff, 4(%ebx, %esi, 8)
	jnz	lg_fast_home
	movl	(%ebx, %esi, 8), %ebx
	testl	$1, %ebx
	jz	lg_fast_deliver
	testl	$0x80, %ebx
	jnz	lg_fast_home
	movl	%ebx, %ebp
	andl	$0xfffff000, %ebx
	lg_fast_table_va %ebx
	movl	%ecx, %esi
	shrl	$12, %esi
	andl	$511, %esi
	testl	$0x000fffff, 4(%ebx, %esi, 8)
	jnz	lg_fast_home
	movl	(%ebx, %esi, 8), %ebx
3:
	/*
	 * The PTE in %ebx, the directory entry in %ebp: does the Guest allow
	 * the access?  Then the Host has work to do (H400): go home.  So does
	 * an instruction fetch from a present page, whose verdict depends on
	 * NX and SMEP (H400); one from a page that is not there is the Guest's.
	 */
	testl	$1, %ebx
	jz	lg_fast_deliver
	testl	$LG_PF_INSTR, %edx
	jnz	lg_fast_home
	andl	%ebp, %ebx
	testl	$LG_PF_WRITE, %edx
	jz	4f
	testl	$2, %ebx
	jz	lg_fast_deliver
4:	testl	$LG_PF_USER, %edx
	jz	lg_fast_home
	testl	$4, %ebx
	jnz	lg_fast_home

lg_fast_deliver:
	/* The Guest's tables forbid it: over to its handler (H510). */
	movl	STATE(LGS_FAST_DATA), %edi
	movl	%ecx, LG_LGD_CR2(%edi)
	movl	LG_LGD_IRQ_ENABLED(%edi), %ebp
	andl	$X86_EFLAGS_IF, %ebp
	movl	REGS(LGR_EFLAGS), %ebx
	andl	$~X86_EFLAGS_IF, %ebx
	orl	%ebp, %ebx
	/* From user mode onto the ring-1 stack, else on the stack it was on. */
	testl	$2, REGS(LGR_CS)
	jnz	5f
	/* The CPU may push a selector as 16 bits, leaving the word's top half. */
	movzwl	REGS(LGR_SS), %ebp
	cmpl	STATE(LGS_FAST_SS), %ebp
	jne	lg_fast_home
	movl	REGS(LGR_ESP), %esi
	cmpl	STATE(LGS_FAST_LIMIT), %esi
	ja	lg_fast_home
	subl	$16, %esi
	jb	lg_fast_home
	jmp	6f
5:	movl	STATE(LGS_GUEST_SP1), %esi
	cmpl	STATE(LGS_FAST_LIMIT), %esi
	ja	lg_fast_home
	subl	$24, %esi
	jb	lg_fast_home
	movl	REGS(LGR_SS), %ebp
	movl	%ebp, 20(%esi)
	movl	REGS(LGR_ESP), %ebp
	movl	%ebp, 16(%esi)
6:	movl	%ebx, 12(%esi)
	movl	REGS(LGR_CS), %ebp
	movl	%ebp, 8(%esi)
	movl	REGS(LGR_EIP), %ebp
	movl	%ebp, 4(%esi)
	movl	%edx, (%esi)
	cmpl	$0, STATE(LGS_FAST_INTR)
	je	lg_fast_probes_end
	movl	$0, LG_LGD_IRQ_ENABLED(%edi)
lg_fast_probes_end:

	/* Commit: remember the fault, count it, and aim at the handler. */
	movl	%ecx, LGP_FAST_LAST_CR2(%eax)
	movl	REGS(LGR_EIP), %ebp
	movl	%ebp, LGP_FAST_LAST_EIP(%eax)
	incl	LGP_FAST_COUNT(%eax)
	movl	%esi, REGS(LGR_ESP)
	movl	STATE(LGS_FAST_SS), %ebp
	movl	%ebp, REGS(LGR_SS)
	movl	STATE(LGS_FAST_HANDLER), %ebp
	movl	%ebp, REGS(LGR_EIP)
	movl	STATE(LGS_FAST_HANDLER_CS), %ebp
	movl	%ebp, REGS(LGR_CS)
	movl	REGS(LGR_EFLAGS), %ebp
	andl	$~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_VM | X86_EFLAGS_IOPL), %ebp
	orl	$X86_EFLAGS_IF, %ebp
	movl	%ebp, REGS(LGR_EFLAGS)
	leal	LGP_REGS(%eax), %esi
	leal	LGP_FAST_COPY(%eax), %edi
	movl	$(LGR_SIZE / 4), %ecx
	rep movsl

	/* Our %esp already points at the copy.  From here an NMI goes home. */
lg_fast_tail:
	pushfl
	popl	%ebx
	btl	$LG_EFLAGS_NT_BIT, %ebx
	jc	lg_fast_event
	popl	%ebx
	popl	%ecx
	popl	%edx
	popl	%esi
	popl	%edi
	popl	%ebp
	popl	%eax
	popl	%gs
	popl	%fs
	popl	%ds
	popl	%es
	addl	$8, %esp
lg_fast_iret:
	iret

lg_fast_event:
	/* An event was noted since the Guest stopped: it is the Host's now. */
	movl	$LG_TRAP_DELIVERED, REGS(LGR_TRAPNUM)
lg_fast_home:
	leal	LGP_REGS(%eax), %esp
	jmp	lg_exit_to_host

	/*
	 * An NMI or machine check (the vector in the frame) into the regs
	 * page's event word, and NT into the flags of the code it interrupted
	 * (the frame's), which tells whether it is the first since the Guest
	 * stopped.  Stack: eax, ecx, edx, then vector, errcode, eip, cs,
	 * eflags; %eax points at the pages.
	 */
	.macro	lg_record_event
	movl	$LG_EVENT_NMI, %edx
	cmpl	$2, %ss:12(%esp)
	je	1f
	movl	$LG_EVENT_MCE, %edx
1:	btsl	$LG_EFLAGS_NT_BIT, %ss:28(%esp)
	jc	2f
	/* First event since the Guest stopped: what is there is the Guest's. */
	movl	$0, %ss:LGP_EVENTS(%eax)
2:	orl	%edx, %ss:LGP_EVENTS(%eax)
	.endm

/*> S300
 * A trap taken in ring 0 came from the Switcher itself, through one of our
 * three IDTs: the way-in transit IDT, the Guest's, or the way-out transit
 * IDT.  Which one tells us where this CPU's pages are (its base, minus its
 * offset in its page) and, for an NMI or machine check, what to do.
 *
 * NMIs and machine checks are the Host's, and the Host must get every one.
 * We cannot run its handler from here, with our tables loaded, so:
 *  - on the way in (the way-in IDT, or the Guest's from lg_entry_window to
 *    lg_entry_iret) we give up entering and go home at once with
 *    LG_TRAP_ABORTED | vector, which runs the Host's handler for it as
 *    soon as the Host's IDT is back.
 *  - on the way out (the Guest's IDT anywhere else, or the way-out IDT),
 *    the exit is already under way: we note the event in the regs page
 *    (LGP_EVENTS), set NT in the flags we return to, and let the exit
 *    finish; S200 sees NT and run.c raises the event.
 * We touch memory only through %ss, which is flat in every case.  This
 * runs on the Host stack or on the regs page; on the regs page the deepest
 * it goes is a trap frame (72 bytes) plus an NMI and a machine check on top
 * (5 words each, and the 3 we push), far from the page's bottom word.
 *
 * Anything else is a fault while loading the Guest's state (say, a segment
 * register whose descriptor the Guest has since broken).  The registers we
 * pushed on the way out are still intact in the regs page, so we take the
 * normal way home with a trap number that tells the Host what happened.
 */
lg_trap_in_switcher:
	/* Stack: eax, ecx, edx, then vector, errcode, eip, cs, eflags. */
	pushl	%edx
	pushl	%ecx
	pushl	%eax

	/* This CPU's pages, from the IDT's base; %ecx says which IDT. */
	pushl	%eax
	pushl	%eax
	sidt	2(%esp)
	popl	%eax
	popl	%eax
	movl	%eax, %ecx
	andl	$(LG_PAGE_SIZE - 1), %ecx
	cmpl	$LGH_TRANSIT_IN_IDT, %ecx
	je	1f
	cmpl	$LGH_TRANSIT_OUT_IDT, %ecx
	je	2f
	subl	$(LGP_STATE + LGS_GUEST_IDT), %eax
	jmp	3f
1:	subl	$(LGP_HOST + LGH_TRANSIT_IN_IDT), %eax
	jmp	3f
2:	subl	$(LGP_HOST + LGH_TRANSIT_OUT_IDT), %eax
3:
	cmpl	$2, %ss:12(%esp)
	je	lg_host_event
	cmpl	$18, %ss:12(%esp)
	je	lg_host_event

	/* A page fault in one of S250's probes: home with the Guest's fault. */
	cmpl	$14, %ss:12(%esp)
	jne	lg_switcher_fault
	cmpl	$LGS_GUEST_IDT, %ecx
	jne	lg_switcher_fault
	call	7f
7:	popl	%ecx
	movl	%ss:20(%esp), %edx
	subl	%ecx, %edx
	addl	$(7b - lg_fast_probes), %edx
	cmpl	$(lg_fast_probes_end - lg_fast_probes), %edx
	jb	lg_fast_fallback

lg_switcher_fault:
	movl	%ss:12(%esp), %edx		/* the vector */
	orl	$LG_TRAP_SWITCHER, %edx
	movl	%edx, %ss:REGS(LGR_TRAPNUM)
	leal	LGP_REGS(%eax), %esp
	jmp	lg_exit_to_host

lg_host_event:
	cmpl	$LGH_TRANSIT_IN_IDT, %ecx
	je	lg_entry_abort
	cmpl	$LGH_TRANSIT_OUT_IDT, %ecx
	je	lg_note_event

	/* The Guest's IDT.  Where were we?  Compare the EIP with our labels. */
	call	4f
4:	popl	%ecx
	movl	%ss:20(%esp), %edx
	subl	%ecx, %edx
	addl	$(4b - lg_entry_window), %edx
	cmpl	$(lg_entry_iret - lg_entry_window), %edx
	jbe	lg_entry_abort
	subl	$(lg_fast_tail - lg_entry_window), %edx
	cmpl	$(lg_fast_iret - lg_fast_tail), %edx
	jbe	lg_fast_abort

lg_note_event:
	/* On the way out: note it, and mark the flags we return to. */
	lg_record_event
	popl	%eax
	popl	%ecx
	popl	%edx
	/*
	 * Leave nothing of what we pushed behind us: on the regs page the
	 * Guest could read it.  (run.c wipes the regs page's stack after
	 * every exit as well; this is the belt to those braces.)
	 */
	movl	$0, %ss:-4(%esp)
	movl	$0, %ss:-8(%esp)
	movl	$0, %ss:-12(%esp)
	addl	$8, %esp
	iret

lg_fast_abort:
	/*
	 * S250 was on its way back into the Guest with the frame committed:
	 * note the event as lg_note_event does, but go home now, with NT set
	 * for lg_exit_on_host to find (we never "iret" from here, so the NT
	 * the macro leaves in the frame we abandon does nothing).
	 */
	lg_record_event
	movl	$LG_TRAP_DELIVERED, %ss:REGS(LGR_TRAPNUM)
	jmp	lg_fast_leave

lg_fast_fallback:
	/*
	 * A probe of S250 faulted.  %cr2 is the probe's now: put the Guest's
	 * back, keep the NT mark of the code we interrupted (the CPU cleared
	 * it for us), and go home with the original fault.
	 */
	movl	%ss:LGP_FAST_CR2(%eax), %edx
	movl	%edx, %cr2
	btl	$LG_EFLAGS_NT_BIT, %ss:28(%esp)
	jnc	lg_fast_leave_plain
lg_fast_leave:
	pushfl
	orl	$(1 << LG_EFLAGS_NT_BIT), %ss:(%esp)
	popfl
lg_fast_leave_plain:
	leal	LGP_REGS(%eax), %esp
	jmp	lg_exit_to_host

lg_entry_abort:
	/*
	 * The Guest has not run yet.  Go home as if it had trapped with this
	 * vector, flagged so that run.c knows the registers in the regs
	 * page are not the Guest's.  We never "iret" from here: after an NMI
	 * the CPU blocks further NMIs until the Host's handler returns.
	 */
	movl	%ss:12(%esp), %edx
	orl	$LG_TRAP_ABORTED, %edx
	movl	%edx, %ss:REGS(LGR_TRAPNUM)
	leal	LGP_REGS(%eax), %esp
	jmp	lg_exit_to_host

/*> S400
 * The 256 stubs, each LG_STUB_SIZE bytes long so that run.c can find
 * stub N by arithmetic.  The CPU pushes an error code for vectors 8, 10-14
 * and 17; every other stub pushes a zero in its place so the frame is the
 * same shape for all.
 */
	.macro	lg_stub vector
	.balign	LG_STUB_SIZE
	.if (\vector == 8) || (\vector >= 10 && \vector <= 14) || (\vector == 17)
	.else
	pushl	$0
	.endif
	pushl	$\vector
	jmp	lg_trap_common
	.endm

	/* Emits stubs "first" to "last", 64 at a time to keep gas's recursion shallow. */
	.macro	lg_stubs first, last
	lg_stub	\first
	.if	\last - \first
	lg_stubs	"(\first + 1)", \last
	.endif
	.endm

	.balign	LG_STUB_SIZE
	.globl	lg_trap_stubs
lg_trap_stubs:
	lg_stubs	0, 63
	lg_stubs	64, 127
	lg_stubs	128, 191
	lg_stubs	192, 255

	.balign	LG_PAGE_SIZE, 0xcc
	.globl	lg_switcher_end
lg_switcher_end:
