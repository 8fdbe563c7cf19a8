/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libguest.h - what every file of the test Guest needs: fixed-width types,
 * the memory layout of our image, the console, printf and the TAP reporter.
 *
 * The Guest is a freestanding i386 kernel.  Only the compiler's own headers
 * (stdarg, stdbool, stddef, stdint) are available, and the numbers of the
 * lguest interface come from the one shared header, lguest_abi.h.
 */
#ifndef LIBGUEST_H
#define LIBGUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <lguest_abi.h>

typedef lg_u8 u8;
typedef lg_u16 u16;
typedef lg_u32 u32;
typedef lg_s32 s32;
typedef lg_u64 u64;

#define __stringify_1(x)	#x
#define __stringify(x)		__stringify_1(x)
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define __noreturn		__attribute__((noreturn))
#define __aligned(n)		__attribute__((aligned(n)))
#define __printf(a, b)		__attribute__((format(printf, a, b)))

/* The host and interrupt handlers change these behind the compiler's back. */
#define barrier()		asm volatile("" ::: "memory")
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))

/*
 * Our image is linked at KERNEL_OFFSET + its physical load address, like a
 * Linux Guest: virtual = physical + 0xC0000000 for everything in the kernel
 * linear map.  It is written without a "u" suffix so that the assembler can
 * read it too; setup.c checks it against LGUEST_KERNEL_ADDRESS.
 */
#define KERNEL_OFFSET		0xC0000000
#define PAGE_SIZE		4096u
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define __pa(x)			((u32)(x) - KERNEL_OFFSET)
#define __va(pa)		((void *)((u32)(pa) + KERNEL_OFFSET))

/* The boot page tables map this much physical memory, twice (see entry.c). */
#define BOOT_MAP_SIZE		0x4000000	/* 64 MiB; no suffix: the assembler reads it */

/* GDT entries, as the lguest ABI numbers them (selector >> 3). */
#define GDT_KERNEL_CS		(LGUEST_GUEST_CS >> 3)
#define GDT_KERNEL_DS		(LGUEST_GUEST_DS >> 3)
#define GDT_USER_CS		(LGUEST_USER_CS >> 3)
#define GDT_USER_DS		(LGUEST_USER_DS >> 3)
#define SEL_RPL(sel)		((sel) & 3)

/* The single lguest_data the Host and we share (setup.c). */
extern struct lguest_data lguest_data;

/* setup.c */
void guest_setup(void);
__noreturn void guest_shutdown(const char *reason);
const char *cmdline_option(u32 boot_params, const char *key, char *buf, size_t len);

/* console.c: the early console of ABI.md section 10. */
bool console_init(void);
void console_write(const char *s, size_t len);
/* The console's config register that holds the window's BAR offset (ports.c). */
unsigned int console_window_offset_reg(void);
void console_cfg_select(unsigned int reg);
u32 console_cfg_read32(unsigned int reg);

/* printf.c and string.c */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int printf(const char *fmt, ...) __printf(1, 2);
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
int strcmp(const char *a, const char *b);

/* report.c: one TAP line per check, kvm-unit-tests style. */
bool report(bool pass, const char *fmt, ...) __printf(2, 3);
void report_info(const char *fmt, ...) __printf(1, 2);
void report_prefix_push(const char *prefix);
void report_prefix_pop(void);
__noreturn void report_abort(const char *fmt, ...) __printf(1, 2);
int report_summary(void);

#endif /* LIBGUEST_H */
