dnl # The libFuzzer targets (tests/unit/fuzz_*.c): make check runs each for a
dnl # bounded time, make fuzz for longer.  They need clang with its fuzzer,
dnl # address and undefined-behaviour runtimes (on Debian 12, clang-14 and
dnl # libclang-rt-14-dev: libclang-rt is only a Recommends of clang there).
dnl # A build that runs no unit tests (the Debian and RPM packages) says
dnl # --disable-fuzz.

AC_DEFUN([LG_AC_FUZZ], [
	AC_ARG_ENABLE([fuzz],
	    [AS_HELP_STRING([--disable-fuzz],
	    [leave the libFuzzer targets out of make check (no clang needed)])],
	    [], [enable_fuzz=$enable_launcher])
	AC_ARG_VAR([FUZZ_CC], [clang, for the libFuzzer targets])
	FUZZ_FLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
	AS_IF([test "x$enable_fuzz" = xyes], [
		AS_IF([test "x$enable_launcher" != xyes],
		    [AC_MSG_ERROR([the libFuzzer targets fuzz the Launcher: drop --disable-launcher or add --disable-fuzz])])
		AC_CHECK_PROGS([FUZZ_CC], [clang clang-14])
		AC_MSG_CHECKING([whether ${FUZZ_CC:-clang} links -fsanitize=fuzzer,address,undefined])
		lg_fuzz=no
		AS_IF([test -n "$FUZZ_CC"], [
			cat >conftest-fuzz.c <<_LG_EOF
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len) { return data && len > 9 ? 0 : 0; }
_LG_EOF
			AS_IF([$FUZZ_CC $FUZZ_FLAGS -o conftest-fuzz conftest-fuzz.c >&AS_MESSAGE_LOG_FD 2>&1],
			    [lg_fuzz=yes])
			rm -f conftest-fuzz conftest-fuzz.c
		])
		AC_MSG_RESULT([$lg_fuzz])
		AS_IF([test "x$lg_fuzz" = xno], [
			AC_MSG_ERROR(m4_normalize([the libFuzzer tests need clang with its
			    fuzzer runtime: apt-get install --no-install-recommends clang-14
			    libclang-rt-14-dev (scripts/install-deps.sh does), or
			    --disable-fuzz]))
		])
	])
	AC_SUBST([FUZZ_FLAGS])
	AM_CONDITIONAL([BUILD_FUZZ], [test "x$enable_fuzz" = xyes])
])
