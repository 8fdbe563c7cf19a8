dnl # 6.13 added hrtimer_setup(timer, function, clock, mode), which sets the
dnl # callback in the same call, and later kernels dropped hrtimer_init().  Our Guest
dnl # clock event is an hrtimer, so we use hrtimer_setup() where it exists and
dnl # hrtimer_init() plus an assignment before that (6.1 has only the latter).
AC_DEFUN([LG_AC_KERNEL_SRC_HRTIMER_SETUP], [
	LG_LINUX_TEST_SRC([hrtimer_setup], [
#include <linux/hrtimer.h>

static enum hrtimer_restart lg_probe_fn(struct hrtimer *t)
{
	return HRTIMER_NORESTART;
}
	], [
	static struct hrtimer t;

	hrtimer_setup(&t, lg_probe_fn, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	])
])

AC_DEFUN([LG_AC_KERNEL_HRTIMER_SETUP], [
	LG_LINUX_CHECK([hrtimer_setup], [HAVE_HRTIMER_SETUP],
	    [hrtimer_setup() exists])
])
