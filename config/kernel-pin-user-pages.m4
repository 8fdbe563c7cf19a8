dnl # 5.6 added pin_user_pages_fast() (FOLL_PIN) for pages held long-term,
dnl # as we hold the Guest's page-table pages while it runs; before that the
dnl # only route was get_user_pages_fast() and put_page().
AC_DEFUN([LG_AC_KERNEL_SRC_PIN_USER_PAGES], [
	LG_LINUX_TEST_SRC([pin_user_pages], [
#include <linux/mm.h>
	], [
	struct page *page;

	(void) pin_user_pages_fast(0, 1, FOLL_WRITE, &page);
	unpin_user_page(page);
	])
])

AC_DEFUN([LG_AC_KERNEL_PIN_USER_PAGES], [
	LG_LINUX_CHECK([pin_user_pages], [HAVE_PIN_USER_PAGES],
	    [pin_user_pages_fast() and unpin_user_page() exist])
])
