// SPDX-License-Identifier: GPL-2.0
/*
 * fpuhog.c - keep the FPU busy with values of our own, for the VM tests.
 *
 *	fpuhog
 *
 * We load eight distinctive values into the x87 stack and eight patterns
 * into %xmm0-%xmm7, then spin, checking with fxsave that they are all still
 * there.  The VM test runs us on the same CPU as a Guest whose FPU check
 * sleeps in the Host: every time the Host switches between the Launcher and
 * us, one side's FPU registers must be saved and the other's restored.  A
 * Host that runs its Guest on whatever the FPU holds hands the Guest our
 * values (the Guest's check fails); one that lets the Guest's values escape
 * into the Host's saved state for us makes us see theirs.
 *
 * SIGTERM ends us: exit 0, and a line on stderr with the number of checks,
 * if nothing ever changed; exit 1 with the first difference otherwise.  The
 * loop touches no FPU or SSE register itself (it is built with
 * -mgeneral-regs-only and calls nothing), so any change is someone else's.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The part of the fxsave image that holds the registers. */
#define FX_ST0		32	/* eight 16-byte slots, 10 bytes of each used */
#define FX_XMM0		160	/* eight 16-byte registers */

static uint8_t ref[512] __attribute__((aligned(16)));
static uint8_t now[512] __attribute__((aligned(16)));
static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void fxsave(uint8_t *area)
{
	asm volatile("fxsave %0" : "=m"(*(uint8_t (*)[512])area));
}

/* x87: 0x1badf00 + i for st(7-i); SSE: each dword of %xmmN is 0x5eed0000 + N * 16 + j. */
static void load_registers(void)
{
	static const int32_t ints[8] = {
		0x1badf00, 0x1badf01, 0x1badf02, 0x1badf03,
		0x1badf04, 0x1badf05, 0x1badf06, 0x1badf07,
	};
	static uint32_t pattern[8][4] __attribute__((aligned(16)));
	unsigned int i, j;

	for (i = 0; i < 8; i++)
		for (j = 0; j < 4; j++)
			pattern[i][j] = 0x5eed0000 + i * 16 + j;
	asm volatile("fninit\n\t"
		     "fildl 0(%0)\n\tfildl 4(%0)\n\tfildl 8(%0)\n\tfildl 12(%0)\n\t"
		     "fildl 16(%0)\n\tfildl 20(%0)\n\tfildl 24(%0)\n\tfildl 28(%0)\n\t"
		     : : "r"(ints) : "memory");
	asm volatile("movups 0(%0), %%xmm0\n\tmovups 16(%0), %%xmm1\n\t"
		     "movups 32(%0), %%xmm2\n\tmovups 48(%0), %%xmm3\n\t"
		     "movups 64(%0), %%xmm4\n\tmovups 80(%0), %%xmm5\n\t"
		     "movups 96(%0), %%xmm6\n\tmovups 112(%0), %%xmm7\n\t"
		     : : "r"(pattern) : "memory");
}

/* The first register whose bytes differ, or -1: 0-7 are st(i), 8-15 %xmm(i-8). */
static int changed_register(void)
{
	unsigned int r, b;

	for (r = 0; r < 8; r++)
		for (b = 0; b < 10; b++)
			if (now[FX_ST0 + r * 16 + b] != ref[FX_ST0 + r * 16 + b])
				return r;
	for (r = 0; r < 8; r++)
		for (b = 0; b < 16; b++)
			if (now[FX_XMM0 + r * 16 + b] != ref[FX_XMM0 + r * 16 + b])
				return 8 + r;
	return -1;
}

int main(void)
{
	struct sigaction sa;
	unsigned long checks = 0;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);

	load_registers();
	fxsave(ref);
	while (!stop) {
		fxsave(now);
		r = changed_register();
		if (r >= 0) {
			fprintf(stderr, "fpuhog: %s%d changed after %lu checks\n",
				r < 8 ? "st" : "xmm", r % 8, checks);
			return 1;
		}
		checks++;
	}
	fprintf(stderr, "fpuhog: %lu checks, x87 and SSE registers intact\n", checks);
	return 0;
}
