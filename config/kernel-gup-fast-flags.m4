dnl # 5.2 turned the third argument of get_user_pages_fast() from "int write" into
dnl # "unsigned int gup_flags" (FOLL_WRITE and friends).  Kernels of 2.6 to
dnl # 5.1 take a plain 0 or 1 there.
AC_DEFUN([LG_AC_KERNEL_SRC_GUP_FAST_FLAGS], [
	LG_LINUX_TEST_SRC([gup_fast_flags], [
#include <linux/mm.h>
	], [
	int (*gup)(unsigned long, int, unsigned int, struct page **) =
	    get_user_pages_fast;

	(void) gup;
	])
])

AC_DEFUN([LG_AC_KERNEL_GUP_FAST_FLAGS], [
	LG_LINUX_CHECK([gup_fast_flags], [HAVE_GUP_FAST_FLAGS],
	    [get_user_pages_fast() takes unsigned int gup_flags])
])
