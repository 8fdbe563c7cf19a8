// SPDX-License-Identifier: GPL-2.0
/*
 * entry.c - how the test Guest starts: the same road a Linux Guest takes
 * (ABI.md section 8), and the boot page tables it takes it on.
 *
 * The assembly lives in a C file because lguest_abi.h, which holds the
 * hypercall numbers, is C only; here the preprocessor can paste them in.
 */
#include "libguest.h"

#define S(x)		__stringify(x)
#define PA(sym)		"(" #sym " - " S(KERNEL_OFFSET) ")"
#define HYPERCALL	"int $" S(LGUEST_TRAP_ENTRY) "\n"

#define BOOT_STACK_SIZE	16384

/*
 * Page-table entries of the boot tables: present and writable, supervisor
 * only.  (Written as a bare number for the assembler: PTE_P | PTE_RW.)
 */
#define BOOT_PTE_FLAGS	0x3
#define BOOT_PDPTE_FLAGS 0x1	/* a PAE PDPT entry may carry only "present" */

/*> T100
 * The Launcher copied our PT_LOAD segments to their physical addresses and
 * starts us at the physical address of _start, in ring 1, in "linear mode":
 * until we hand the Host page tables, virtual equals physical.  Every
 * address below is therefore physical until the far jump to label 1.
 *
 * First we clear .bss (the Launcher's fresh memory is zero, but a kernel
 * should not count on that), then we tell the Host where our lguest_data
 * is, then which page tables to use.  Only then can we run at the virtual
 * addresses we were linked at.  %esi holds the guest-physical address of
 * boot_params (0); %ebp carries it past the hypercalls, which keep it.
 */
asm(
"	.pushsection .text.boot, \"ax\"\n"
"	.globl _start\n"
"	.type _start, @function\n"
"_start:\n"
"	movl %esi, %ebp\n"
"	cld\n"
"	movl $" PA(__bss_start) ", %edi\n"
"	movl $" PA(__bss_end) ", %ecx\n"
"	subl %edi, %ecx\n"
"	xorl %eax, %eax\n"
"	rep stosb\n"
"	movl $" PA(boot_stack_top) ", %esp\n"
"	movl $" S(LHCALL_LGUEST_INIT) ", %eax\n"
"	movl $" PA(lguest_data) ", %ebx\n"
	HYPERCALL
"	movl $" S(LHCALL_NEW_PGTABLE) ", %eax\n"
"	movl $" PA(boot_pgdir) ", %ebx\n"
	HYPERCALL
"	movl $1f, %eax\n"
"	jmp *%eax\n"
"1:	movl $boot_stack_top, %esp\n"
"	pushl %ebp\n"
"	call guest_main\n"
"2:	jmp 2b\n"
"	.size _start, . - _start\n"
"	.popsection\n"

"	.pushsection .bss.boot_stack, \"aw\", @nobits\n"
"	.balign 16\n"
"boot_stack:\n"
"	.skip " S(BOOT_STACK_SIZE) "\n"
"	.globl boot_stack_top\n"
"boot_stack_top:\n"
"	.popsection\n"
);

/*> T105
 * The boot page tables map the first BOOT_MAP_SIZE of guest-physical memory
 * twice: at 0 (so that the instructions right after NEW_PGTABLE, still at
 * physical addresses, keep running) and at KERNEL_OFFSET, where we are
 * linked.  Both halves share one set of page-table pages.  The Host cannot
 * give us large pages (no PSE), so it is 4 KiB pages all the way.  The
 * assembler builds the tables with .rept loops; the addresses in them are
 * physical, which the linker resolves as "symbol - KERNEL_OFFSET".
 *
 * kernel_pgt (mmu.c) names these tables for the rest of the Guest.
 */
#ifndef CONFIG_PAE
/*
 * 2-level: one page directory of 1024 entries, each covering 4 MiB, and
 * BOOT_MAP_SIZE / 4 MiB page tables of 1024 four-byte entries.
 */
asm(
"	.if (" S(KERNEL_OFFSET) " & 0x3fffff)\n"
"	.error \"KERNEL_OFFSET must be 4 MiB aligned\"\n"
"	.endif\n"
"	.pushsection .data.pgtable, \"aw\"\n"
"	.balign 4096\n"
"	.globl boot_pgdir\n"
"boot_pgdir:\n"
"	.set .Li, 0\n"
"	.rept " S(BOOT_MAP_SIZE) " >> 22\n"
"	.long " PA(boot_pt) " + .Li * 4096 + " S(BOOT_PTE_FLAGS) "\n"
"	.set .Li, .Li + 1\n"
"	.endr\n"
"	.fill (" S(KERNEL_OFFSET) " >> 22) - (" S(BOOT_MAP_SIZE) " >> 22), 4, 0\n"
"	.set .Li, 0\n"
"	.rept " S(BOOT_MAP_SIZE) " >> 22\n"
"	.long " PA(boot_pt) " + .Li * 4096 + " S(BOOT_PTE_FLAGS) "\n"
"	.set .Li, .Li + 1\n"
"	.endr\n"
"	.fill 1024 - (" S(KERNEL_OFFSET) " >> 22) - (" S(BOOT_MAP_SIZE) " >> 22), 4, 0\n"
"boot_pt:\n"
"	.set .Li, 0\n"
"	.rept " S(BOOT_MAP_SIZE) " >> 12\n"
"	.long .Li * 4096 + " S(BOOT_PTE_FLAGS) "\n"
"	.set .Li, .Li + 1\n"
"	.endr\n"
"	.popsection\n"
);
#else
/*
 * PAE: a four-entry PDPT (each entry covering 1 GiB) pointing at two page
 * directories of 512 eight-byte entries, one for the identity map (PDPT
 * entry 0) and one for the kernel map (entry KERNEL_OFFSET >> 30); each
 * directory entry covers 2 MiB.  Below them, BOOT_MAP_SIZE / 2 MiB page
 * tables of 512 eight-byte entries.  The PDPT gets a page of its own: the
 * CPU only needs 32-byte alignment, but a whole page keeps any Host simple.
 */
asm(
"	.if (" S(KERNEL_OFFSET) " & 0x3fffffff) || ((" S(KERNEL_OFFSET) " >> 30) == 0)\n"
"	.error \"KERNEL_OFFSET must be a non-zero multiple of 1 GiB\"\n"
"	.endif\n"
"	.pushsection .data.pgtable, \"aw\"\n"
"	.balign 4096\n"
"	.globl boot_pgdir\n"
"boot_pgdir:\n"
"	.long " PA(boot_pd_ident) " + " S(BOOT_PDPTE_FLAGS) ", 0\n"
"	.fill ((" S(KERNEL_OFFSET) " >> 30) - 1) * 2, 4, 0\n"
"	.long " PA(boot_pd_kernel) " + " S(BOOT_PDPTE_FLAGS) ", 0\n"
"	.balign 4096\n"
"boot_pd_ident:\n"
"	.set .Li, 0\n"
"	.rept " S(BOOT_MAP_SIZE) " >> 21\n"
"	.long " PA(boot_pt) " + .Li * 4096 + " S(BOOT_PTE_FLAGS) ", 0\n"
"	.set .Li, .Li + 1\n"
"	.endr\n"
"	.fill (512 - (" S(BOOT_MAP_SIZE) " >> 21)) * 2, 4, 0\n"
"boot_pd_kernel:\n"
"	.set .Li, 0\n"
"	.rept " S(BOOT_MAP_SIZE) " >> 21\n"
"	.long " PA(boot_pt) " + .Li * 4096 + " S(BOOT_PTE_FLAGS) ", 0\n"
"	.set .Li, .Li + 1\n"
"	.endr\n"
"	.fill (512 - (" S(BOOT_MAP_SIZE) " >> 21)) * 2, 4, 0\n"
"boot_pt:\n"
"	.set .Li, 0\n"
"	.rept " S(BOOT_MAP_SIZE) " >> 12\n"
"	.long .Li * 4096 + " S(BOOT_PTE_FLAGS) ", 0\n"
"	.set .Li, .Li + 1\n"
"	.endr\n"
"	.popsection\n"
);
#endif
