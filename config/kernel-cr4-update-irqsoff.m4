dnl # 5.8 made the per-CPU CR4 shadow private to arch/x86/kernel/cpu/common.c
dnl # and exported cr4_update_irqsoff(set, clear) in its place; before that
dnl # cr4_set_bits()/cr4_clear_bits() were inlines that wrote the shadow
dnl # directly.  A module that changes CR4 around a Guest run (with interrupts
dnl # off) must go through one of them, so the shadow stays true.
AC_DEFUN([LG_AC_KERNEL_SRC_CR4_UPDATE_IRQSOFF], [
	LG_LINUX_TEST_SRC([cr4_update_irqsoff], [
#include <asm/tlbflush.h>
	], [
	cr4_update_irqsoff(0, 0);
	])
])

AC_DEFUN([LG_AC_KERNEL_CR4_UPDATE_IRQSOFF], [
	LG_LINUX_CHECK([cr4_update_irqsoff], [HAVE_CR4_UPDATE_IRQSOFF],
	    [cr4_update_irqsoff() exists])
])
