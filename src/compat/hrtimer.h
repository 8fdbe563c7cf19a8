/* SPDX-License-Identifier: GPL-2.0 */
/*
 * High-resolution timers.  Linux 6.13 added hrtimer_setup(), which sets the
 * callback together with the clock and mode, and later kernels drop
 * hrtimer_init(); configure's probe says which one this kernel has.
 */
#ifndef LG_COMPAT_HRTIMER_H
#define LG_COMPAT_HRTIMER_H

#include <linux/hrtimer.h>

static inline void lg_hrtimer_setup(struct hrtimer *timer,
				    enum hrtimer_restart (*fn)(struct hrtimer *),
				    clockid_t clock, enum hrtimer_mode mode)
{
#ifdef HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

#endif /* LG_COMPAT_HRTIMER_H */
