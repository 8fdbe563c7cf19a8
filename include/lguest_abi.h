/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lguest_abi.h - the contract between lg.ko, the Launcher and a Guest.
 *
 * One header, three users: the module (kernel space), the Launcher
 * (user space, i386 or a native build for unit tests) and our freestanding
 * test Guest.  Everything here is an interface fact of the final upstream
 * lguest ABI (Linux 4.1 to 4.13 guests), so that an unmodified Linux 4.x
 * Guest built with CONFIG_LGUEST_GUEST boots under us.  ../shared/ABI.md
 * (kept beside the project) is the long form; section numbers below refer
 * to it.
 *
 * Only fixed-width types appear here: the Launcher's unit tests run as
 * 64-bit programs, but every structure describes a 32-bit Guest.
 */
#ifndef LGUEST_ABI_H
#define LGUEST_ABI_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef u8 lg_u8;
typedef u16 lg_u16;
typedef u32 lg_u32;
typedef s32 lg_s32;
typedef u64 lg_u64;
#else
#include <stdint.h>
typedef uint8_t lg_u8;
typedef uint16_t lg_u16;
typedef uint32_t lg_u32;
typedef int32_t lg_s32;
typedef uint64_t lg_u64;
#endif

/* ---- 1. Hypercalls: "int $0x1f", number in %eax, arguments in %ebx, %ecx, %edx, %esi. */
#define LGUEST_TRAP_ENTRY	0x1F

#define LHCALL_FLUSH_ASYNC	0
#define LHCALL_LGUEST_INIT	1
#define LHCALL_SHUTDOWN		2
#define LHCALL_NEW_PGTABLE	4
#define LHCALL_FLUSH_TLB	5
#define LHCALL_LOAD_IDT_ENTRY	6
#define LHCALL_SET_STACK	7
#define LHCALL_TS		8
#define LHCALL_SET_CLOCKEVENT	9
#define LHCALL_HALT		10
#define LHCALL_SET_PMD		13
#define LHCALL_SET_PTE		14
#define LHCALL_SET_PGD		15
#define LHCALL_LOAD_TLS		16
#define LHCALL_LOAD_GDT_ENTRY	18
#define LHCALL_SEND_INTERRUPTS	19

#define LGUEST_SHUTDOWN_POWEROFF	1
#define LGUEST_SHUTDOWN_RESTART		2

/* The reason string SHUTDOWN reads is at most this long (including the NUL). */
#define LGUEST_SHUTDOWN_REASON_MAX	128

/* The death string read() returns after SHUTDOWN(..., POWEROFF) from pm_power_off. */
#define LGUEST_POWEROFF_REASON	"CRASH: Power down"

/* ---- 4. The asynchronous hypercall ring inside struct lguest_data. */
#define LHCALL_RING_SIZE	64
#define LHCALL_SLOT_FREE	0xFF	/* host has run it (or it was never used) */
#define LHCALL_SLOT_QUEUED	0x00	/* guest filled it: please run */

struct hcall_args {
	lg_u32 arg0;		/* the call number */
	lg_u32 arg1;
	lg_u32 arg2;
	lg_u32 arg3;
	lg_u32 arg4;
};

/* ---- 2. struct lguest_data: one instance inside the Guest, at a guest-physical
 * address the Guest hands over in LGUEST_INIT.  Same layout with and without PAE. */
struct lguest_timespec {
	lg_s32 tv_sec;
	lg_s32 tv_nsec;
};

struct lguest_data {
	lg_u32 irq_enabled;		/*    0: 0 or X86_EFLAGS_IF (0x200) */
	lg_u32 blocked_interrupts[1];	/*    4: bit n masks virtual IRQ n */
	lg_u32 cr2;			/*    8: host writes the fault address */
	struct lguest_timespec time;	/*   12: host writes CLOCK_REALTIME */
	lg_s32 irq_pending;		/*   20: host writes 0x200 when one waits */
	lg_u8 hcall_status[LHCALL_RING_SIZE];	/* 24 */
	struct hcall_args hcalls[LHCALL_RING_SIZE];	/* 88 */
	lg_u32 reserve_mem;		/* 1368: host: bytes at the top the Guest must leave */
	lg_u32 tsc_khz;			/* 1372: host: 0 unless the TSC is constant and stable */
	lg_u32 noirq_iret;		/* 1376: guest: address of its "iret" in lguest_iret */
	lg_u32 kernel_address;		/* 1380: guest: PAGE_OFFSET */
	lg_u32 syscall_vec;		/* 1384: guest: 0x80 */
};

#define LGUEST_DATA_SIZE	1388

#define LG_ABI_ASSERT(cond, name) \
	typedef char lg_abi_assert_##name[(cond) ? 1 : -1]
LG_ABI_ASSERT(sizeof(struct hcall_args) == 20, hcall_args_size);
LG_ABI_ASSERT(sizeof(struct lguest_data) == LGUEST_DATA_SIZE, lguest_data_size);
LG_ABI_ASSERT(__builtin_offsetof(struct lguest_data, irq_pending) == 20, irq_pending_at_20);
LG_ABI_ASSERT(__builtin_offsetof(struct lguest_data, hcalls) == 88, hcalls_at_88);
LG_ABI_ASSERT(__builtin_offsetof(struct lguest_data, reserve_mem) == 1368, reserve_mem_at_1368);
LG_ABI_ASSERT(__builtin_offsetof(struct lguest_data, syscall_vec) == 1384, syscall_vec_at_1384);

/* ---- 6. Virtual interrupts: IRQ n arrives through guest IDT vector 0x20 + n. */
#define LGUEST_IRQ_BASE		0x20
#define LGUEST_IRQS		32	/* LHREQ_IRQ takes 0 .. LGUEST_IRQS - 1 */
#define LGUEST_TIMER_IRQ	0
#define LGUEST_EFLAGS_IF	0x200

/* ---- 8. How a Guest starts: segments (ring 1) and the first register values. */
#define LGUEST_GDT_ENTRIES	32
#define LGUEST_GUEST_CS		0x61	/* GDT entry 12, RPL 1 */
#define LGUEST_GUEST_DS		0x69	/* GDT entry 13, RPL 1 */
#define LGUEST_USER_CS		0x73	/* GDT entry 14, RPL 3 */
#define LGUEST_USER_DS		0x7B	/* GDT entry 15, RPL 3 */
#define LGUEST_START_EFLAGS	0x202
#define LGUEST_KERNEL_ADDRESS	0xC0000000u	/* what Linux guests use */

/* GDT entries the Guest may not change with LOAD_GDT_ENTRY (they are silently ignored). */
#define LGUEST_GDT_HOST_CS	10
#define LGUEST_GDT_HOST_DS	11
#define LGUEST_GDT_TSS		16
#define LGUEST_GDT_DF_TSS	31
/* LOAD_TLS replaces these three. */
#define LGUEST_GDT_TLS_MIN	6
#define LGUEST_GDT_TLS_ENTRIES	3

/* ---- 9. boot_params at guest-physical 0 (one page; the rest stays zero). */
#define LGUEST_BOOT_PARAMS_GPA	0x0
#define LGUEST_CMDLINE_GPA	0x1000
#define LGUEST_CMDLINE_MAX	4096
#define BP_E820_ENTRIES		0x1E8	/* u8 */
#define BP_HDR_VERSION		0x206	/* u16 */
#define BP_HDR_TYPE_OF_LOADER	0x210	/* u8 */
#define BP_HDR_LOADFLAGS	0x211	/* u8 */
#define BP_HDR_RAMDISK_IMAGE	0x218	/* u32 */
#define BP_HDR_RAMDISK_SIZE	0x21C	/* u32 */
#define BP_HDR_CMD_LINE_PTR	0x228	/* u32 */
#define BP_HDR_KERNEL_ALIGNMENT	0x230	/* u32 */
#define BP_HDR_HARDWARE_SUBARCH	0x23C	/* u32 */
#define BP_E820_MAP		0x2D0	/* {u64 addr, u64 size, u32 type} x n */
#define BP_E820_ENTRY_SIZE	20
#define BP_HDR_VERSION_LGUEST	0x207
#define BP_LOADFLAGS_KEEP_SEGMENTS	0x40
#define BP_SUBARCH_LGUEST	1
#define BP_KERNEL_ALIGNMENT	0x1000000
#define BP_E820_RAM		1
#define BP_LOADER_UNDEFINED	0xFF

/* ---- 10. The PCI bus the Launcher emulates (configuration mechanism #1). */
#define LGUEST_PCI_CONFIG_ADDR	0xCF8
#define LGUEST_PCI_CONFIG_DATA	0xCFC
#define LGUEST_PCI_VENDOR_VIRTIO	0x1AF4
#define LGUEST_PCI_DEVICE_VIRTIO(type)	(0x1040 + (type))
#define LGUEST_VIRTIO_ID_CONSOLE	3
#define LGUEST_CONSOLE_SLOT	1	/* the console is always 00:01.0 */

/* ---- 11. /dev/lguest (misc 10:62): write() requests, read() runs the Guest. */
#define LGUEST_MISC_MINOR	62

enum lguest_req {
	LHREQ_INITIALIZE = 0,	/* + base, pfn_limit, start, device_limit */
	LHREQ_GETDMA = 1,	/* obsolete: -EINVAL */
	LHREQ_IRQ = 2,		/* + irq */
	LHREQ_BREAK = 3,	/* obsolete: -EINVAL */
	LHREQ_EVENTFD = 4,	/* obsolete: -EINVAL */
	LHREQ_GETREG = 5,	/* + register offset; the next read() returns it */
	LHREQ_SETREG = 6,	/* + register offset, value */
	LHREQ_TRAP = 7,		/* + trap number to deliver to the Guest now */
	LHREQ_HOLD_PORTS = 8,	/* ours: + first, last port: hold writes to them */
	LHREQ_ISR = 9,		/* ours: + guest-physical address, Launcher address */
};

/* What read() returns when the Guest needs the Launcher (12 bytes). */
struct lguest_pending {
	lg_u8 trap;		/* 13: I/O instruction; 14: MMIO access */
	lg_u8 insn[7];		/* the first bytes of the faulting instruction */
	lg_u32 addr;		/* for 14: the guest-physical address touched */
};
LG_ABI_ASSERT(sizeof(struct lguest_pending) == 12, lguest_pending_size);

/*
 * GETREG/SETREG name a register by its byte offset in the i386
 * struct pt_regs (= struct user_regs_struct).
 */
#define LG_REG_EBX	0
#define LG_REG_ECX	4
#define LG_REG_EDX	8
#define LG_REG_ESI	12
#define LG_REG_EDI	16
#define LG_REG_EBP	20
#define LG_REG_EAX	24
#define LG_REG_DS	28
#define LG_REG_ES	32
#define LG_REG_FS	36
#define LG_REG_GS	40
#define LG_REG_ORIG_EAX	44	/* not accessible */
#define LG_REG_EIP	48
#define LG_REG_CS	52
#define LG_REG_EFLAGS	56
#define LG_REG_ESP	60
#define LG_REG_SS	64
#define LG_REG_WORDS	(LG_REG_SS / 4 + 1)

/*
 * Ours, not upstream's: a read() whose buffer has room for this gets the
 * Guest's registers along with the exit, each at its LG_REG_* offset
 * (orig_eax reads 0).  Emulating an I/O instruction then needs no GETREG,
 * two system calls each, only the SETREGs that change something.  A
 * 12-byte read() still gets only struct lguest_pending.
 */
struct lguest_exit {
	struct lguest_pending pending;
	lg_u32 regs[LG_REG_WORDS];
};
LG_ABI_ASSERT(sizeof(struct lguest_exit) == 80, lguest_exit_size);

/*
 * Ours, not upstream's: a Launcher that asked (LHREQ_HOLD_PORTS) for the
 * Guest's "out" instructions to ports [first, last] to be held back gets
 * them with its next exit, in the order the Guest made them, and must
 * carry them out before the exit itself.  Its read() buffer must have
 * room for the whole struct lguest_exit_writes; read() returns
 * offsetof(writes) + nr_writes * sizeof(struct lguest_port_write) bytes.
 * An exit whose trap is LGUEST_EXIT_WRITES brings nothing but the writes:
 * the Guest halted, or died, or the oldest has waited a few milliseconds.
 */
#define LGUEST_HELD_WRITES	64
#define LGUEST_HOLD_RANGES	4	/* LHREQ_HOLD_PORTS calls a Guest may make */
#define LGUEST_EXIT_WRITES	0xFF

struct lguest_port_write {
	lg_u16 port;
	lg_u8 size;		/* 1, 2 or 4 */
	lg_u8 zero;
	lg_u32 value;		/* the low "size" bytes of the Guest's eax */
};
LG_ABI_ASSERT(sizeof(struct lguest_port_write) == 8, lguest_port_write_size);

struct lguest_exit_writes {
	struct lguest_exit exit_info;
	lg_u32 nr_writes;
	struct lguest_port_write writes[LGUEST_HELD_WRITES];
};
LG_ABI_ASSERT(sizeof(struct lguest_exit_writes) == 84 + 8 * LGUEST_HELD_WRITES,
	      lguest_exit_writes_size);

/*
 * Ours too: LHREQ_ISR says the byte at guest-physical address gpa (in the
 * device window, above RAM) is a read-to-clear interrupt status register
 * whose value lives in the Launcher's memory at its address uaddr.  A one-
 * byte load of it from the Guest kernel, "mov m8, r8" (8A /r) or "movzx
 * m8, r32" (0F B6 /r) without prefixes, lg.ko carries out itself: it
 * swaps the byte at uaddr for 0, atomically, and gives the Guest the old
 * value, with no exit.  Any other access to gpa is an exit, as before.
 * The Launcher sets bits there with atomic operations, from any thread.
 * A new gpa for a uaddr replaces the old one; LGUEST_ISR_NONE drops it.
 */
#define LGUEST_ISRS		16	/* registers LHREQ_ISR may name at once */
#define LGUEST_ISR_NONE		0xFFFFFFFFu

/* The errno a read() fails with after SHUTDOWN(..., RESTART). */
#define LGUEST_ERESTART		85

#endif /* LGUEST_ABI_H */
