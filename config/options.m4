dnl # The switches that choose what gets built.
dnl #
dnl # The module and the Launcher can be built alone: a packager building the
dnl # DKMS source wants only the module, and the Launcher (with its unit tests)
dnl # needs no kernel tree at all.  The VM tests need both halves, gcc -m32 and
dnl # qemu-system-i386; a machine without qemu can say --disable-vm-tests.

AC_DEFUN([LG_AC_OPTIONS], [
	AC_ARG_ENABLE([module],
	    [AS_HELP_STRING([--disable-module],
	    [do not build lg.ko (no kernel tree needed)])],
	    [], [enable_module=yes])
	AC_ARG_ENABLE([launcher],
	    [AS_HELP_STRING([--disable-launcher],
	    [do not build the lguest Launcher or its unit tests])],
	    [], [enable_launcher=yes])
	AC_ARG_ENABLE([vm-tests],
	    [AS_HELP_STRING([--disable-vm-tests],
	    [leave the QEMU tests out of make check (no qemu needed)])],
	    [], [enable_vm_tests=yes])

	AC_ARG_ENABLE([i386-launcher],
	    [AS_HELP_STRING([--disable-i386-launcher],
	    [on a 64-bit build machine, install the native Launcher rather than
	     the static i386 one (launcher/lguest.i386), which is the one that
	     can run Guests])],
	    [], [enable_i386_launcher=yes])

	AS_IF([test "x$enable_vm_tests" = xyes && test "x$enable_launcher" != xyes],
	    [AC_MSG_ERROR([the VM tests run the Launcher: drop --disable-launcher or add --disable-vm-tests])])

	AM_CONDITIONAL([BUILD_MODULE], [test "x$enable_module" = xyes])
	AM_CONDITIONAL([BUILD_LAUNCHER], [test "x$enable_launcher" = xyes])
	AM_CONDITIONAL([VM_TESTS], [test "x$enable_vm_tests" = xyes])
])
