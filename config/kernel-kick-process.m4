dnl # kick_process() sends a reschedule IPI to the CPU a task runs on, which
dnl # is how an interrupt for a running Guest gets it out of the Switcher
dnl # promptly.  SMP kernels have long exported it (GPL-only); on !SMP it is
dnl # an empty inline that needs no export.  This probe compiles
dnl # nothing: a symbol's export shows in Module.symvers.
AC_DEFUN([LG_AC_KERNEL_KICK_PROCESS], [
	AC_MSG_CHECKING([whether kick_process() is exported])
	LG_LINUX_SYMBOL_EXPORTED([kick_process], [lg_r=yes], [lg_r=no])
	LG_RESULT_DEFINE([HAVE_KICK_PROCESS_EXPORTED], [kick_process() is exported])
])
