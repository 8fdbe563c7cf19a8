dnl # The i386 C compiler for what runs inside the test VMs.
dnl #
dnl # The VMs boot Debian's i386 kernels with a busybox initramfs, so the
dnl # Launcher that goes in (launcher/lguest.i386) must be a static i386 binary,
dnl # and the test Guests are freestanding i386 ELF files.  On amd64 "gcc -m32"
dnl # does both once gcc-multilib provides the 32-bit crt files and libc.a.
dnl # I386_CC may be set to any other compiler that does (e.g. an
dnl # i686-linux-gnu-gcc); we check that it links static and is really 32-bit.

AC_DEFUN([LG_AC_I386_CC], [
	AC_ARG_VAR([I386_CC],
	    [compiler for static i386 binaries (default: $CC -m32)])
	AS_IF([test -z "$I386_CC"], [I386_CC="$CC -m32"])

	AC_MSG_CHECKING([whether $I386_CC -static links i386 programs])
	cat >conftest-i386.c <<_LG_EOF
#include <stdio.h>
/* A 64-bit compiler fails here: the array size would be -1. */
typedef char lg_is_32bit@<:@sizeof(void *) == 4 ? 1 : -1@:>@;
int main(void)
{
	puts("hello from i386");
	return 0;
}
_LG_EOF
	AS_IF([$I386_CC -static -o conftest-i386 conftest-i386.c >&AS_MESSAGE_LOG_FD 2>&1],
	    [lg_i386_cc=yes], [lg_i386_cc=no])
	rm -f conftest-i386 conftest-i386.c
	AC_MSG_RESULT([$lg_i386_cc])

	AS_IF([test "x$lg_i386_cc" = xno], [
		AS_IF([test "x$enable_vm_tests" = xyes], [
			AC_MSG_ERROR(m4_normalize([$I386_CC cannot link a static i386
			    program, which the VM tests need (the Launcher and the
			    test Guests run inside an i386 VM): apt-get install
			    gcc-multilib, or set I386_CC, or use --disable-vm-tests]))
		])
		AC_MSG_WARN([no i386 compiler: launcher/lguest.i386 and the test Guests will not be built])
		I386_CC=
	])
	AM_CONDITIONAL([HAVE_I386_CC], [test "x$lg_i386_cc" = xyes])
])
