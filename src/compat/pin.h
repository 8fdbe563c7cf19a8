/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Holding a page of Guest memory while shadow PTEs may map it.
 *
 * A shadow PTE is a device mapping in all but name: the CPU reaches the
 * page through it with no help from the Launcher's mm, for as long as the
 * shadow tree lives, which may be the Guest's whole life.  That is what
 * FOLL_PIN with FOLL_LONGTERM is for (5.6 on; configure's probe says): the
 * page is first moved out of ZONE_MOVABLE and CMA, where a long pin would
 * stop memory from being offlined or compacted, and a fork() of the
 * Launcher copies pinned pages for the child instead of sharing them
 * copy-on-write, so the Launcher's mapping and ours never part.
 *
 * We always ask for write access, even to map a page read-only: that
 * breaks copy-on-write sharing (the zero page above all) now, so every
 * shadow PTE for one guest-physical page names the same Host page.
 */
#ifndef LG_COMPAT_PIN_H
#define LG_COMPAT_PIN_H

#include <linux/mm.h>
#include <linux/shmem_fs.h>

static inline bool lg_pin_guest_page(unsigned long uaddr, struct page **page)
{
#ifdef HAVE_PIN_USER_PAGES
	return pin_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_LONGTERM, page) == 1;
#else
	return get_user_pages_fast(uaddr, 1, FOLL_WRITE, page) == 1;
#endif
}

/*
 * Only anonymous and shared memory (shmem, memfd) may back a Guest.  A page
 * of a regular file's page cache under a long writable pin is written
 * behind the filesystem's back: writeback may clean it and reclaim strip
 * its buffers while the Guest still writes to it, which ends in warnings,
 * a BUG in the filesystem, or lost data (pinning such pages is refused
 * from Linux 6.5 on).
 */
static inline bool lg_guest_page_backing_ok(struct page *page)
{
	struct address_space *mapping;

	if (PageAnon(page))
		return true;
	mapping = page_mapping(page);
	return mapping && shmem_mapping(mapping);
}

/* @dirty: the page was mapped writable, so the Guest may have written it. */
static inline void lg_unpin_guest_page(struct page *page, bool dirty)
{
#ifdef HAVE_PIN_USER_PAGES
	unpin_user_pages_dirty_lock(&page, 1, dirty);
#else
	if (dirty)
		set_page_dirty_lock(page);
	put_page(page);
#endif
}

#endif /* LG_COMPAT_PIN_H */
