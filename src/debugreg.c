// SPDX-License-Identifier: GPL-2.0
/*
 * The Guest's debug registers, as a CPU with no breakpoints set.
 */
#include "lg.h"

/*> H330
 * The Guest runs in ring 1, where "mov" to or from %dr0-%dr7 is a #GP;
 * a #GP with no error code from ring 1 comes to us the way port I/O does
 * (run.c), and these instructions we answer here.  What the Guest sees is
 * a CPU whose breakpoints never fire: DR0-DR3 read 0, DR7 reads its reset
 * value, and DR6 says what caused the Guest's last #DB (a single step's
 * BS, say), which run.c takes from the CPU's own DR6 at that exit: each
 * #DB's bits replace the last one's, where a real DR6 would accumulate
 * them until the Guest's handler cleared it.  Writes change nothing but
 * DR6, which takes the event bits written (BD, BS, BT: lg.h).
 *
 * A Linux Guest does not come here: it reaches the debug registers through
 * paravirt ops of its own, which never trap.  Code that uses the plain
 * instructions (our test Guest, any Guest kernel before or without those
 * ops) would otherwise take a #GP it has no reason to expect; a #DB
 * handler that reads DR6 first thing, as every x86 kernel's does, would
 * take it in the middle of handling a single step.
 */
#define MOV_FROM_DR	0x21	/* 0f 21 /r: mov %drN, r32 */
#define MOV_TO_DR	0x23	/* 0f 23 /r: mov r32, %drN */
#define DR6_FIXED	0xffff0ff0	/* what DR6 reads with no event in it */
#define DR7_FIXED	0x00000400

/* True if insn, at the Guest's EIP, was a debug-register move we did. */
bool lg_emulate_debugreg(struct lg_cpu *cpu, const u8 *insn)
{
	unsigned int dr = (insn[2] >> 3) & 7;
	u32 *reg = lg_gpr(&cpu->regs, insn[2]);	/* ModRM.rm; mod does not matter */

	if (insn[0] != 0x0f || (insn[1] != MOV_FROM_DR && insn[1] != MOV_TO_DR))
		return false;
	/* With CR4.DE clear, as the Guest's is, DR4 and DR5 are DR6 and DR7. */
	if (dr == 4 || dr == 5)
		dr += 2;
	if (insn[1] == MOV_FROM_DR)
		*reg = dr == 6 ? DR6_FIXED | cpu->dr6 :
		       dr == 7 ? DR7_FIXED : 0;
	else if (dr == 6)
		cpu->dr6 = *reg & LG_DR6_EVENTS;
	lg_step_past(cpu, 3);
	cpu->stats.debugreg_moves++;
	return true;
}
