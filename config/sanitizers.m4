dnl # The Launcher's unit tests run under AddressSanitizer and UBSan: they feed
dnl # the parsers and virtqueue code hostile input, and we want the first
dnl # out-of-bounds read to stop the test, not pass quietly.

AC_DEFUN([LG_AC_SANITIZERS], [
	SANITIZE_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
	AS_IF([test "x$enable_launcher" = xyes], [
		AC_MSG_CHECKING([whether $CC can build with $SANITIZE_CFLAGS])
		lg_save_CFLAGS=$CFLAGS
		lg_save_LDFLAGS=$LDFLAGS
		CFLAGS="$CFLAGS $SANITIZE_CFLAGS"
		LDFLAGS="$LDFLAGS $SANITIZE_CFLAGS"
		AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
		    [lg_san=yes], [lg_san=no])
		CFLAGS=$lg_save_CFLAGS
		LDFLAGS=$lg_save_LDFLAGS
		AC_MSG_RESULT([$lg_san])
		AS_IF([test "x$lg_san" = xno], [
			AC_MSG_ERROR(m4_normalize([the unit tests need ASan and UBSan
			    (libasan and libubsan): apt-get install build-essential, or
			    --disable-launcher]))
		])
	])
	AC_SUBST([SANITIZE_CFLAGS])
])
