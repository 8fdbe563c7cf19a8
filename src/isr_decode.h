/* SPDX-License-Identifier: GPL-2.0 */
/*
 * isr_decode.h - the two instructions a Guest reads an interrupt status
 * byte with, decoded far enough to carry them out: which register gets
 * the byte, how, and how long the instruction is.  No kernel headers, so
 * that tests/unit/test_isr_decode.c can feed it every byte pattern.
 * The caller defines u8 (the kernel has it; the test typedefs it).
 */
#ifndef LG_ISR_DECODE_H
#define LG_ISR_DECODE_H

#define LG_ISR_INSN_MAX	7	/* what an exit carries (struct lguest_pending) */

struct lg_isr_load {
	unsigned int len;	/* bytes of the whole instruction */
	unsigned int reg;	/* ModRM.reg: the destination */
	int zero_extend;	/* movzx: all of r32; mov: the byte register r8 */
};

/*
 * Bytes from the ModRM byte on of a memory operand with 32-bit addressing
 * (SDM vol. 2, table 2-2): ModRM, an SIB byte for rm 4, and the
 * displacement mod and the SIB base ask for.  0 for a register operand,
 * which cannot have faulted, or if it would run past avail bytes.
 */
static inline unsigned int lg_modrm_mem_len(const u8 *p, unsigned int avail)
{
	unsigned int mod = p[0] >> 6, rm = p[0] & 7, len = 1;

	if (mod == 3)
		return 0;
	if (rm == 4) {
		if (avail < 2)
			return 0;
		len++;
		if (mod == 0 && (p[1] & 7) == 5)
			len += 4;	/* no base: disp32 */
	} else if (mod == 0 && rm == 5) {
		len += 4;		/* disp32 alone */
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return len <= avail ? len : 0;
}

/*
 * 8A /r is "mov m8, r8", 0F B6 /r "movzx m8, r32".  Anything else,
 * prefixes included, is not ours: 0 and the Launcher decodes it.
 */
static inline int lg_decode_isr_load(const u8 insn[LG_ISR_INSN_MAX], struct lg_isr_load *l)
{
	unsigned int at, n;

	if (insn[0] == 0x8A) {
		at = 1;
		l->zero_extend = 0;
	} else if (insn[0] == 0x0F && insn[1] == 0xB6) {
		at = 2;
		l->zero_extend = 1;
	} else {
		return 0;
	}
	n = lg_modrm_mem_len(insn + at, LG_ISR_INSN_MAX - at);
	if (!n)
		return 0;
	l->reg = (insn[at] >> 3) & 7;
	l->len = at + n;
	return 1;
}

#endif /* LG_ISR_DECODE_H */
