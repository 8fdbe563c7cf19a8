dnl # qemu-system-i386 for the VM tests.  The VM tests boot Debian's own i386
dnl # kernels, load lg.ko in them and run our Guests under it; without qemu
dnl # they cannot run at all, so we fail unless the user opted out.

AC_DEFUN([LG_AC_QEMU], [
	AC_ARG_VAR([QEMU], [qemu-system-i386 for the VM tests])
	AS_IF([test "x$enable_vm_tests" = xyes], [
		AC_PATH_PROG([QEMU], [qemu-system-i386])
		AS_IF([test -z "$QEMU"], [
			AC_MSG_ERROR([the VM tests need qemu-system-i386: apt-get install qemu-system-x86, or use --disable-vm-tests])
		])
	])
])
