/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scheduler calls whose availability depends on the kernel's configuration.
 * Only this file tests the HAVE_* results configure writes to lg_config.h.
 */
#ifndef LG_COMPAT_SCHED_H
#define LG_COMPAT_SCHED_H

#include <linux/sched.h>

/*
 * kick_process() sends a reschedule IPI to the CPU a task runs on, which
 * takes a running Guest out of the Switcher at once.  SMP kernels export
 * it; on a uniprocessor kernel the Guest runs on the CPU that raised the
 * interrupt, so there is nobody to kick.
 */
#if defined(HAVE_KICK_PROCESS_EXPORTED) || !defined(CONFIG_SMP)
#define lg_kick_task(t)		kick_process(t)
#else
#define lg_kick_task(t)		do { } while (0)
#endif

#endif /* LG_COMPAT_SCHED_H */
