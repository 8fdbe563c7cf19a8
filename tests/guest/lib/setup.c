// SPDX-License-Identifier: GPL-2.0
/*
 * setup.c - lguest_data, the rest of the boot (GDT, IDT, the ring-1 stack,
 * page tables), the command line and the way out.
 */
#include "libguest.h"
#include "hcall.h"
#include "desc.h"
#include "mmu.h"

_Static_assert(KERNEL_OFFSET == LGUEST_KERNEL_ADDRESS,
	       "we link at the PAGE_OFFSET we tell the Host");
_Static_assert(__builtin_offsetof(struct lguest_data, irq_enabled) == 0,
	       "irq.c stores to lguest_data + 0");

extern const char lguest_noirq_iret[];

/*> T110
 * The page we share with the Host.  We fill in what the Host reads at
 * LGUEST_INIT: where our iret is, where the kernel starts and which vector
 * is the system call; all 64 async slots start out free.  Virtual
 * interrupts start disabled, and all of them masked: we handle none until
 * the timer test unmasks IRQ 0, so an interrupt a Launcher raises for the
 * console can never reach a vector we have no handler for.  Aligning it to
 * 2 KiB keeps the 1388 bytes inside one page.
 */
struct lguest_data lguest_data __aligned(2048) = {
	.irq_enabled = 0,
	.blocked_interrupts = { ~0u },
	.hcall_status = { [0 ... LHCALL_RING_SIZE - 1] = LHCALL_SLOT_FREE },
	.noirq_iret = (u32)lguest_noirq_iret,
	.kernel_address = LGUEST_KERNEL_ADDRESS,
	.syscall_vec = SYSCALL_VECTOR,
};

/*
 * The stack a trap from ring 3 lands on (SET_STACK): the CPU's TSS for a
 * direct trap, the Host for everything it reflects.  Two pages, as a Linux
 * Guest passes (THREAD_SIZE / PAGE_SIZE).
 */
u8 ring1_stack[RING1_STACK_SIZE] __aligned(RING1_STACK_SIZE);

void guest_setup(void)
{
	gdt_setup();
	idt_setup();
	hcall3(LHCALL_SET_STACK, LGUEST_GUEST_DS, (u32)ring1_stack + RING1_STACK_SIZE,
	       RING1_STACK_SIZE / PAGE_SIZE);
	mmu_init();
}

/*
 * SHUTDOWN takes the guest-physical address of the reason; the Launcher
 * prints "CRASH: <reason>" and exits 0 only for our "Power down".  The Host
 * never runs us again, but should it, we sit in HALT with nothing unmasked.
 */
__noreturn void guest_shutdown(const char *reason)
{
	WRITE_ONCE(lguest_data.irq_enabled, 0);
	WRITE_ONCE(lguest_data.blocked_interrupts[0], ~0u);
	hcall2(LHCALL_SHUTDOWN, __pa(reason), LGUEST_SHUTDOWN_POWEROFF);
	for (;;)
		hcall0(LHCALL_HALT);
}

/*
 * The value of "key=value" on the command line, copied into buf, or NULL.
 * boot_params.hdr.cmd_line_ptr is guest-physical; the Launcher keeps the
 * line well inside the memory our boot tables map.
 */
const char *cmdline_option(u32 boot_params, const char *key, char *buf, size_t len)
{
	u32 ptr = *(const u32 *)__va(boot_params + BP_HDR_CMD_LINE_PTR);
	size_t klen = strlen(key), i;
	const char *p, *end;

	if (!ptr || ptr > BOOT_MAP_SIZE - LGUEST_CMDLINE_MAX)
		return NULL;
	p = __va(ptr);
	end = p + LGUEST_CMDLINE_MAX;
	while (p < end && *p) {
		while (p < end && *p == ' ')
			p++;
		if (end - p > (ptrdiff_t)klen && !strncmp(p, key, klen) && p[klen] == '=') {
			p += klen + 1;
			for (i = 0; i + 1 < len && p < end && *p && *p != ' '; i++)
				buf[i] = *p++;
			buf[i] = '\0';
			return buf;
		}
		while (p < end && *p && *p != ' ')
			p++;
	}
	return NULL;
}
