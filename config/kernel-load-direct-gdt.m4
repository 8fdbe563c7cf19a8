dnl # 4.12 started running each CPU on a fixmap alias of its GDT (read-only on
dnl # 64-bit and under Xen PV; on native 32-bit the alias stays writable,
dnl # because the double-fault task gate must mark a TSS busy) and added
dnl # load_direct_gdt() / load_fixmap_gdt() to point GDTR at the per-CPU copy
dnl # and back at the alias.  Reloading TR after a Guest run writes the TSS
dnl # descriptor's busy bit, so we do it on the direct GDT and then return to
dnl # the alias the rest of the kernel expects.  Before 4.12 there was only the
dnl # per-CPU GDT and neither function existed.
AC_DEFUN([LG_AC_KERNEL_SRC_LOAD_DIRECT_GDT], [
	LG_LINUX_TEST_SRC([load_direct_gdt], [
#include <asm/processor.h>
#include <asm/desc.h>
	], [
	load_direct_gdt(0);
	load_fixmap_gdt(0);
	])
])

AC_DEFUN([LG_AC_KERNEL_LOAD_DIRECT_GDT], [
	LG_LINUX_CHECK([load_direct_gdt], [HAVE_LOAD_DIRECT_GDT],
	    [load_direct_gdt() and load_fixmap_gdt() exist])
])
