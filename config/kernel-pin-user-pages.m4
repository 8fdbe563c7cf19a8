dnl # 5.6 added pin_user_pages_fast() (FOLL_PIN, with FOLL_LONGTERM) for
dnl # pages held long-term, as shadow PTEs hold Guest pages; before that the
dnl # only route was get_user_pages_fast() and put_page() (src/compat/pin.h).
AC_DEFUN([LG_AC_KERNEL_SRC_PIN_USER_PAGES], [
	LG_LINUX_TEST_SRC([pin_user_pages], [
#include <linux/mm.h>
	], [
	struct page *page;

	(void) pin_user_pages_fast(0, 1, FOLL_WRITE | FOLL_LONGTERM, &page);
	unpin_user_pages_dirty_lock(&page, 1, true);
	])
])

AC_DEFUN([LG_AC_KERNEL_PIN_USER_PAGES], [
	LG_LINUX_CHECK([pin_user_pages], [HAVE_PIN_USER_PAGES],
	    [pin_user_pages_fast(FOLL_LONGTERM) and unpin_user_pages_dirty_lock() exist])
])
