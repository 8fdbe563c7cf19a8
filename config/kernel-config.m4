dnl # The kernel configuration lg.ko depends on or adapts to.
dnl #
dnl # Hard requirements fail configure: /dev/lguest hands the Launcher eventfds
dnl # for virtqueue notifications (CONFIG_EVENTFD), the misc device and the
dnl # Guest console path assume CONFIG_TTY, and the Guest clock event rides on
dnl # an hrtimer, which is only nanosecond-accurate with CONFIG_HIGH_RES_TIMERS.
dnl # The rest is reported, because the module adapts through the kernel's own
dnl # CONFIG_ macros: PAE changes the shadow page table format, page-table
dnl # isolation gives the host a second (user) page directory that the Switcher
dnl # must not disturb, frame pointers change what the stack unwinder expects
dnl # of the Switcher's frames, and without debugfs there are no exit counters.

dnl # CONFIG_ options lg.ko cannot work without.
m4_define([LG_KERNEL_REQUIRED_CONFIG],
    [CONFIG_MODULES CONFIG_EVENTFD CONFIG_TTY CONFIG_HIGH_RES_TIMERS])

AC_DEFUN([LG_AC_KERNEL_CONFIG], [
	m4_foreach_w([lg_opt], LG_KERNEL_REQUIRED_CONFIG, [
		AC_MSG_CHECKING([for lg_opt])
		LG_LINUX_CONFIG(lg_opt, [AC_MSG_RESULT([yes])], [
			AC_MSG_RESULT([no])
			AC_MSG_ERROR(m4_normalize([lg.ko needs lg_opt, which $LINUX_VERSION
			    lacks: rebuild that kernel with it, or build against a
			    distribution kernel (Debian's 686 and 686-pae have it)]))
		])
	])

	dnl # The Guest's FPU state lives in a struct fpu_guest, managed by the
	dnl # helpers KVM uses (fpu_alloc_guest_fpstate, fpu_swap_kvm_fpstate);
	dnl # arch/x86/kernel/fpu/core.c builds them only when KVM is y or m.
	AC_MSG_CHECKING([for CONFIG_KVM (y or m)])
	LG_LINUX_CONFIG([CONFIG_KVM], [lg_kvm=yes], [
		LG_LINUX_CONFIG([CONFIG_KVM_MODULE], [lg_kvm=yes], [lg_kvm=no])
	])
	AC_MSG_RESULT([$lg_kvm])
	AS_IF([test "x$lg_kvm" = xno], [
		AC_MSG_ERROR(m4_normalize([lg.ko uses the KVM FPU helpers, which
		    $LINUX_VERSION only has with CONFIG_KVM=y or m: rebuild that
		    kernel with CONFIG_KVM=m, or build against a distribution
		    kernel (Debian's 686 and 686-pae have it)]))
	])

	LG_AC_KERNEL_CONFIG_REPORT([CONFIG_X86_PAE], [lg_kernel_pae])
	LG_AC_KERNEL_CONFIG_REPORT([CONFIG_PAGE_TABLE_ISOLATION], [lg_kernel_pti])
	LG_AC_KERNEL_CONFIG_REPORT([CONFIG_FRAME_POINTER], [lg_kernel_fp])
	LG_AC_KERNEL_CONFIG_REPORT([CONFIG_DEBUG_FS], [lg_kernel_debugfs])
	AS_IF([test "x$lg_kernel_debugfs" = xno], [
		AC_MSG_WARN([no CONFIG_DEBUG_FS: lg.ko will build, but without its per-Guest exit counters])
	])
	LG_AC_KERNEL_MODULE_SIGNING
])

dnl # Distribution header trees say CONFIG_MODULE_SIG_ALL (sign every module at
dnl # modules_install) but ship no private key, so the kernel's sign-file only
dnl # prints OpenSSL errors at "make install".  Where the key is missing we
dnl # install unsigned, by overriding CONFIG_MODULE_SIG_ALL on Kbuild's
dnl # command line (KBUILD_INSTALL_FLAGS).
AC_DEFUN([LG_AC_KERNEL_MODULE_SIGNING], [
	KBUILD_INSTALL_FLAGS=
	AC_MSG_CHECKING([whether make install signs lg.ko])
	LG_LINUX_CONFIG([CONFIG_MODULE_SIG_ALL], [
		lg_key=$($SED -n 's/^CONFIG_MODULE_SIG_KEY="\(.*\)"$/\1/p' "$LINUX_OBJ/.config")
		AS_CASE([$lg_key], [/*], [], [lg_key="$LINUX_OBJ/$lg_key"])
		AS_IF([test -n "$lg_key" && test -f "$lg_key"], [
			AC_MSG_RESULT([yes, with $lg_key])
		], [
			AC_MSG_RESULT([no (the tree has no signing key)])
			KBUILD_INSTALL_FLAGS="CONFIG_MODULE_SIG_ALL="
		])
	], [AC_MSG_RESULT([no (CONFIG_MODULE_SIG_ALL is off)])])
	AC_SUBST([KBUILD_INSTALL_FLAGS])
])

dnl # LG_AC_KERNEL_CONFIG_REPORT(CONFIG_X, shell-var): set shell-var to yes/no.
AC_DEFUN([LG_AC_KERNEL_CONFIG_REPORT], [
	AC_MSG_CHECKING([for $1])
	LG_LINUX_CONFIG([$1], [$2=yes], [$2=no])
	AC_MSG_RESULT([$$2])
])
