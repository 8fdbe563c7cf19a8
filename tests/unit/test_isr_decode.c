// SPDX-License-Identifier: GPL-2.0
/*
 * test_isr_decode.c - lg.ko's decoder of the loads a Guest reads an ISR
 * with (src/isr_decode.h, H320), against the launcher's own MMIO decoder
 * (launcher/insn.c, L410), which was written apart from it: for every
 * ModRM and SIB byte, "mov m8, r8" must decode to the same length and
 * register in both, "movzx m8, r32" to one byte more, and everything
 * with a prefix or another opcode to nothing.
 */
#include <stdint.h>
#include <string.h>

#include "lguest.h"
#include "tap.h"

typedef uint8_t u8;
#include "isr_decode.h"

static const unsigned int reg_offset[8] = {
	LG_REG_EAX, LG_REG_ECX, LG_REG_EDX, LG_REG_EBX,
	LG_REG_ESP, LG_REG_EBP, LG_REG_ESI, LG_REG_EDI,
};

/* Both decoders on 8A modrm sib (disp...); 0 if they agree. */
static int mov_disagrees(unsigned int modrm, unsigned int sib)
{
	u8 insn[LG_ISR_INSN_MAX] = { 0x8A, (u8)modrm, (u8)sib, 0x11, 0x22, 0x33, 0x44 };
	struct lg_isr_load l;
	struct mmio_insn m;
	int ours = lg_decode_isr_load(insn, &l);
	int theirs = decode_mmio(insn, &m) == 0;

	if (ours != theirs)
		return 1;
	if (!ours)
		return 0;
	return l.len != m.len || l.zero_extend || m.store || m.size != 1 ||
	       reg_offset[l.reg & 3] != m.reg || (l.reg & 4 ? 8u : 0u) != m.shift;
}

/* 0F B6 modrm sib...: one byte longer than 8A's, refused past 7 bytes. */
static int movzx_disagrees(unsigned int modrm, unsigned int sib)
{
	u8 mov[LG_ISR_INSN_MAX] = { 0x8A, (u8)modrm, (u8)sib, 0x11, 0x22, 0x33, 0x44 };
	u8 insn[LG_ISR_INSN_MAX] = { 0x0F, 0xB6, (u8)modrm, (u8)sib, 0x11, 0x22, 0x33 };
	struct lg_isr_load l;
	struct mmio_insn m;
	int ours = lg_decode_isr_load(insn, &l);
	int fits = decode_mmio(mov, &m) == 0 && m.len + 1 <= LG_ISR_INSN_MAX;

	if (ours != fits)
		return 1;
	return ours && (l.len != m.len + 1 || !l.zero_extend || l.reg != ((modrm >> 3) & 7));
}

static void test_every_modrm_and_sib(void)
{
	unsigned int bad_mov = 0, bad_movzx = 0, accepted = 0;
	struct lg_isr_load l;

	for (unsigned int modrm = 0; modrm < 256; modrm++) {
		for (unsigned int sib = 0; sib < 256; sib++) {
			bad_mov += mov_disagrees(modrm, sib);
			bad_movzx += movzx_disagrees(modrm, sib);
		}
		accepted += lg_decode_isr_load((const u8[LG_ISR_INSN_MAX]){ 0x8A, (u8)modrm }, &l);
	}
	report(bad_mov == 0, "8A /r: the same length and register as the launcher's decoder, "
	       "for all 65536 ModRM and SIB bytes (%u differ)", bad_mov);
	report(bad_movzx == 0, "0F B6 /r: one byte longer, refused past 7 bytes (%u differ)",
	       bad_movzx);
	report(accepted == 192, "every ModRM but the 64 register forms is a load (%u)", accepted);
}

/* What an ioread8() is, and the longest and the refused forms. */
static void test_known_forms(void)
{
	static const struct {
		const char *what;
		u8 insn[LG_ISR_INSN_MAX];
		int ok;
		unsigned int len, reg, zero_extend;
	} forms[] = {
		{ "mov (%eax), %al", { 0x8A, 0x00 }, 1, 2, 0, 0 },
		{ "mov (%ebx), %ah", { 0x8A, 0x23 }, 1, 2, 4, 0 },
		{ "mov 0x60(%edx), %cl", { 0x8A, 0x4A, 0x60 }, 1, 3, 1, 0 },
		{ "mov 0x12345678, %al", { 0x8A, 0x05, 0x78, 0x56, 0x34, 0x12 }, 1, 6, 0, 0 },
		{ "mov 0x12345678(,%eiz), %bl", { 0x8A, 0x1C, 0x25, 0x78, 0x56, 0x34, 0x12 }, 1, 7,
		  3, 0 },
		{ "movzbl (%ecx), %esi", { 0x0F, 0xB6, 0x31 }, 1, 3, 6, 1 },
		{ "movzbl 0x60(%eax,%ebx,2), %edi", { 0x0F, 0xB6, 0x7C, 0x58, 0x60 }, 1, 5, 7, 1 },
		{ "movzbl 0x12345678(%eax), %eax (7 bytes)", { 0x0F, 0xB6, 0x80, 0x78, 0x56, 0x34,
		  0x12 }, 1, 7, 0, 1 },
		{ "movzbl 0x12345678(%eax,%ecx), %eax (8 bytes)", { 0x0F, 0xB6, 0x84, 0x08, 0x78,
		  0x56, 0x34 }, 0, 0, 0, 0 },
		{ "mov %cl, %al (registers only)", { 0x8A, 0xC1 }, 0, 0, 0, 0 },
		{ "mov (%eax), %eax", { 0x8B, 0x00 }, 0, 0, 0, 0 },
		{ "mov %al, (%eax)", { 0x88, 0x00 }, 0, 0, 0, 0 },
		{ "movzbw (%eax), %ax", { 0x66, 0x0F, 0xB6, 0x00 }, 0, 0, 0, 0 },
		{ "lock-prefixed", { 0xF0, 0x8A, 0x00 }, 0, 0, 0, 0 },
		{ "%fs:-prefixed", { 0x64, 0x8A, 0x00 }, 0, 0, 0, 0 },
		{ "address-size prefix", { 0x67, 0x8A, 0x00 }, 0, 0, 0, 0 },
		{ "movsbl (%eax), %eax", { 0x0F, 0xBE, 0x00 }, 0, 0, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct lg_isr_load l = { 99, 99, 99 };
		int ok = lg_decode_isr_load(forms[i].insn, &l);

		if (!report(ok == forms[i].ok && (!ok || (l.len == forms[i].len &&
			    l.reg == forms[i].reg && l.zero_extend == (int)forms[i].zero_extend)),
			    "%s: %s", forms[i].what, forms[i].ok ? "decoded" : "refused"))
			diag("ok %d len %u reg %u zero_extend %d", ok, l.len, l.reg, l.zero_extend);
	}
}

int main(void)
{
	test_known_forms();
	test_every_modrm_and_sib();
	return report_summary();
}
