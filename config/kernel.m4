dnl # Finding and probing the kernel that lg.ko is built for.
dnl #
dnl # lg.ko is an out-of-tree module for 32-bit x86 kernels.  Development usually
dnl # happens on an amd64 machine, so the running kernel is rarely the one we
dnl # build for: we take --with-linux when given, else /lib/modules/`uname -r`/build
dnl # when that is an i386 tree (with .../source as the source tree when it
dnl # exists), else the newest installed Debian i386 header tree
dnl # (/usr/src/linux-headers-*-686*, PREEMPT_RT ones last).  Kbuild always runs with ARCH=x86: with a
dnl # CONFIG_X86_32 .config that makes gcc emit -m32 code even on an amd64 host.
dnl #
dnl # Every kernel API whose shape changed across the kernels we care about gets
dnl # one compile test, each in its own config/kernel-<api>.m4 with two macros:
dnl # LG_AC_KERNEL_SRC_<API> writes a tiny module, LG_AC_KERNEL_<API> reads the
dnl # result and defines HAVE_<API>.  All tiny modules build together in one
dnl # parallel "make M=kernel-probes" run, and a probe passed if its .o exists.
dnl # Adding a probe: a new config/kernel-<api>.m4, plus one line in each of the
dnl # two lists below (a probe that only reads Module.symvers, such as
dnl # kick_process, has no _SRC macro and goes in the second list only).  The
dnl # answers go to src/lg_config.h, which src/Kbuild
dnl # force-includes, so the module never tests a kernel version number.

dnl # The probes that compile something (LG_AC_KERNEL_SRC_*).
AC_DEFUN([LG_AC_KERNEL_TEST_SRC], [
	LG_AC_KERNEL_SRC_LOAD_DIRECT_GDT
	LG_AC_KERNEL_SRC_PIN_USER_PAGES
	LG_AC_KERNEL_SRC_GUP_FAST_FLAGS
	LG_AC_KERNEL_SRC_CR4_UPDATE_IRQSOFF
	LG_AC_KERNEL_SRC_HRTIMER_SETUP
])

dnl # Every probe's verdict, in the order configure prints them.
AC_DEFUN([LG_AC_KERNEL_TEST_RESULT], [
	LG_AC_KERNEL_LOAD_DIRECT_GDT
	LG_AC_KERNEL_PIN_USER_PAGES
	LG_AC_KERNEL_GUP_FAST_FLAGS
	LG_AC_KERNEL_CR4_UPDATE_IRQSOFF
	LG_AC_KERNEL_HRTIMER_SETUP
	LG_AC_KERNEL_KICK_PROCESS
])

dnl # LG_AC_CONFIG_KERNEL: the whole kernel side of configure.
AC_DEFUN([LG_AC_CONFIG_KERNEL], [
	AC_ARG_WITH([linux],
	    [AS_HELP_STRING([--with-linux=DIR],
	    [i386 kernel source tree (default: /lib/modules/`uname -r`/build if it is i386, else the newest /usr/src/linux-headers-*-686*)])],
	    [], [with_linux=])
	AC_ARG_WITH([linux-obj],
	    [AS_HELP_STRING([--with-linux-obj=DIR],
	    [kernel build (object) tree, if not the same as --with-linux])],
	    [], [with_linux_obj=])
	AC_ARG_WITH([kmod-prefix],
	    [AS_HELP_STRING([--with-kmod-prefix=DIR],
	    [make install puts lg.ko in DIR/lib/modules/<release>/extra (default: none, so /lib/modules/...)])],
	    [], [with_kmod_prefix=])

	LINUX=
	LINUX_OBJ=
	LINUX_VERSION=
	lg_config_defs=
	lg_probe_summary=
	AS_IF([test "x$enable_module" = xyes], [
		LG_AC_KERNEL_TREE
		LG_AC_KERNEL_CONFIG
		LG_AC_KERNEL_SYMBOLS
		LG_AC_KERNEL_PROBES
		LG_AC_WRITE_CONFIG_H
	])

	KMOD_PREFIX=$with_kmod_prefix
	AC_SUBST([LINUX])
	AC_SUBST([LINUX_OBJ])
	AC_SUBST([LINUX_VERSION])
	AC_SUBST([KMOD_PREFIX])
])

dnl # Shell helpers shared by the kernel macros.  A tree "is i386" when the
dnl # autoconf.h that its Kbuild generated says CONFIG_X86_32.
AC_DEFUN([LG_KERNEL_SHELL_FUNCS], [
lg_tree_is_i386 () {
	grep -q '[^#define CONFIG_X86_32 1$]' "$[]1/include/generated/autoconf.h" 2>/dev/null
}
dnl # Debian's rt-686-pae trees match the pattern too; they come last, so that
dnl # installing them (for the VM tests) does not change the default tree.
lg_newest_i386_tree () {
	for lg_t in $(ls -d /usr/src/linux-headers-*-686* 2>/dev/null | grep -v -- '-rt-' | sort -rV) \
	    $(ls -d /usr/src/linux-headers-*-rt-686* 2>/dev/null | sort -rV); do
		if lg_tree_is_i386 "$lg_t" && test -f "$lg_t/Module.symvers"; then
			echo "$lg_t"
			return 0
		fi
	done
	return 1
}
])

dnl # The fix we print whenever no usable i386 tree is at hand.
m4_define([LG_HEADERS_FIX],
    [install the i386 headers: dpkg --add-architecture i386 && apt-get update && apt-get install linux-headers-686-pae:i386 (then --with-linux=/usr/src/linux-headers-<ver>-686-pae)])

dnl # LG_AC_KERNEL_TREE: set LINUX, LINUX_OBJ and LINUX_VERSION, or fail
dnl # saying what is wrong with the tree and how to get a good one.
AC_DEFUN([LG_AC_KERNEL_TREE], [
	AC_REQUIRE([LG_KERNEL_SHELL_FUNCS])

	AC_MSG_CHECKING([kernel source directory])
	lg_uname_tree="/lib/modules/$(uname -r)/build"
	lg_uname_src="/lib/modules/$(uname -r)/source"
	lg_default_obj=
	AS_IF([test "x$with_linux" = xno], [
		AC_MSG_ERROR([--without-linux: to build without a kernel tree, use --disable-module])
	], [test -n "$with_linux" && test "x$with_linux" != xyes], [
		LINUX=$with_linux
	], [test -d "$lg_uname_tree" && lg_tree_is_i386 "$lg_uname_tree"], [
		dnl # A kernel built with O=: the sources under source/, the
		dnl # configured objects (what Kbuild needs) under build/.
		AS_IF([test -d "$lg_uname_src"], [
			LINUX=$lg_uname_src
			lg_default_obj=$lg_uname_tree
		], [
			LINUX=$lg_uname_tree
		])
	], [
		LINUX=$(lg_newest_i386_tree) || AC_MSG_ERROR(m4_normalize([no i386 kernel
		    tree: $lg_uname_tree is missing or not 32-bit x86, and no
		    /usr/src/linux-headers-*-686* exists; LG_HEADERS_FIX]))
	])
	AC_MSG_RESULT([$LINUX])
	AS_IF([test ! -d "$LINUX"], [
		AC_MSG_ERROR([kernel tree $LINUX does not exist; LG_HEADERS_FIX])
	])
	LINUX=$(cd "$LINUX" && pwd -P)

	AC_MSG_CHECKING([kernel build directory])
	AS_IF([test -n "$with_linux_obj" && test "x$with_linux_obj" != xyes], [
		LINUX_OBJ=$with_linux_obj
		AS_IF([test ! -d "$LINUX_OBJ"], [
			AC_MSG_ERROR([kernel build tree $LINUX_OBJ does not exist; fix --with-linux-obj])
		])
		LINUX_OBJ=$(cd "$LINUX_OBJ" && pwd -P)
	], [test -n "$lg_default_obj"], [
		LINUX_OBJ=$(cd "$lg_default_obj" && pwd -P)
	], [
		LINUX_OBJ=$LINUX
	])
	AC_MSG_RESULT([$LINUX_OBJ])

	AS_IF([test ! -f "$LINUX_OBJ/Makefile"], [
		AC_MSG_ERROR([$LINUX_OBJ is not a kernel tree (no Makefile); LG_HEADERS_FIX])
	])
	AS_IF([test ! -f "$LINUX_OBJ/.config" ||
	    test ! -f "$LINUX_OBJ/include/generated/autoconf.h" ||
	    test ! -f "$LINUX_OBJ/include/generated/utsrelease.h"], [
		AC_MSG_ERROR(m4_normalize([$LINUX_OBJ is not configured (no .config or
		    include/generated/): run 'make olddefconfig modules_prepare' there, or
		    LG_HEADERS_FIX]))
	])

	AC_MSG_CHECKING([kernel release])
	LINUX_VERSION=$($SED -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	    "$LINUX_OBJ/include/generated/utsrelease.h")
	AS_IF([test -z "$LINUX_VERSION"], [
		AC_MSG_RESULT([unknown])
		AC_MSG_ERROR([cannot read UTS_RELEASE from $LINUX_OBJ/include/generated/utsrelease.h; is the tree configured?])
	])
	AC_MSG_RESULT([$LINUX_VERSION])

	AC_MSG_CHECKING([whether $LINUX_VERSION is a 32-bit x86 kernel])
	AS_IF([lg_tree_is_i386 "$LINUX_OBJ"], [
		AC_MSG_RESULT([yes])
	], [
		AC_MSG_RESULT([no])
		lg_other=$(lg_newest_i386_tree) &&
		    lg_fix="use --with-linux=$lg_other" || lg_fix="LG_HEADERS_FIX"
		AC_MSG_ERROR([$LINUX_OBJ is not an i386 kernel (CONFIG_X86_32 is not set) and lg.ko runs only on 32-bit x86; $lg_fix])
	])

	AC_MSG_CHECKING([for $LINUX_OBJ/Module.symvers])
	AS_IF([test -f "$LINUX_OBJ/Module.symvers"], [
		AC_MSG_RESULT([yes])
	], [
		AC_MSG_RESULT([no])
		AC_MSG_ERROR([$LINUX_OBJ has no Module.symvers (the kernel was never built there); build it, or LG_HEADERS_FIX])
	])
])

dnl # LG_LINUX_CONFIG(CONFIG_X, [if-set], [if-not-set]): is CONFIG_X built in?
AC_DEFUN([LG_LINUX_CONFIG], [
	AS_IF([grep -q '^#define $1 1$' "$LINUX_OBJ/include/generated/autoconf.h"],
	    [$2], [$3])
])

dnl # LG_LINUX_SYMBOL_EXPORTED(symbol, [if-exported], [if-not]): does the
dnl # kernel's Module.symvers list it?  (Columns: crc, symbol, module, type.)
AC_DEFUN([LG_LINUX_SYMBOL_EXPORTED], [
	AS_IF([$AWK -v s="$1" '$[]2 == s { f = 1 } END { exit !f }' \
	    "$LINUX_OBJ/Module.symvers"], [$2], [$3])
])

dnl # LG_DEFINE(HAVE_X, description): put "#define HAVE_X 1" into lg_config.h.
dnl # LG_UNDEF(HAVE_X, description): record that it stays undefined.
AC_DEFUN([LG_DEFINE], [
	lg_config_defs="$lg_config_defs
/* $2 */
[#define] $1 1
"
])
AC_DEFUN([LG_UNDEF], [
	lg_config_defs="$lg_config_defs
/* $2 */
/* [#undef] $1 */
"
])

dnl # LG_RESULT_DEFINE(HAVE_X, description): finish a check whose answer is
dnl # in $lg_r (yes or no): print it, define HAVE_X (or leave it undefined) in
dnl # lg_config.h, and add "description: yes/no" to the summary.
AC_DEFUN([LG_RESULT_DEFINE], [
	AC_MSG_RESULT([$lg_r])
	AS_IF([test "x$lg_r" = xyes],
	    [LG_DEFINE([$1], [$2])], [LG_UNDEF([$1], [$2])])
	lg_probe_summary="$lg_probe_summary
      $2: $lg_r"
])

dnl # LG_LINUX_CHECK(probe, HAVE_X, description): the usual way to read a
dnl # compile probe: "checking whether <description>... yes", then HAVE_X.
AC_DEFUN([LG_LINUX_CHECK], [
	AC_MSG_CHECKING([whether $3])
	LG_LINUX_TEST_RESULT([$1], [lg_r=yes], [lg_r=no])
	LG_RESULT_DEFINE([$2], [$3])
])

dnl # LG_LINUX_TEST_SRC(name, prologue, body): write kernel-probes/name.c, a
dnl # module whose only job is to compile.  The prologue holds the #includes
dnl # and any file-scope helper; the body becomes a function.  Square brackets
dnl # in C must be written as quadrigraphs (@<:@ and @:>@).
AC_DEFUN([LG_LINUX_TEST_SRC], [
	cat >"$lg_probe_dir/$1.c" <<'_LG_PROBE_EOF'
/* lguest configure probe "$1": passes if this file compiles. */
[#include] <linux/module.h>
$2

void lg_probe_$1(void);
void lg_probe_$1(void)
{
	$3
}

MODULE_LICENSE("GPL");
_LG_PROBE_EOF
	lg_probe_names="$lg_probe_names $1"
])

dnl # LG_LINUX_TEST_RESULT(name, [if-compiled], [if-not]).
AC_DEFUN([LG_LINUX_TEST_RESULT], [
	AS_IF([test -f "$lg_probe_dir/$1.o"], [$2], [$3])
])

dnl # LG_LINUX_TEST_COMPILE_ALL: build every probe module in one Kbuild run.
dnl # -k keeps going past the probes that fail (failing is their answer);
dnl # KBUILD_MODPOST_WARN turns unresolved symbols into warnings and
dnl # KBUILD_MODPOST_NOFINAL skips linking .ko files we never look at.  An
dnl # empty module ("sanity") must build, or the toolchain itself is broken.
AC_DEFUN([LG_LINUX_TEST_COMPILE_ALL], [
	LG_LINUX_TEST_SRC([sanity], [], [])
	{
		echo "# Written by configure: one object per probe, all built at once."
		echo "ccflags-y := -Werror"
		for lg_p in $lg_probe_names; do
			echo "obj-m += $lg_p.o"
		done
	} >"$lg_probe_dir/Kbuild"

	lg_jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null) || lg_jobs=1
	lg_nprobes=$(echo $lg_probe_names | wc -w)
	AC_MSG_CHECKING([kernel interfaces ($lg_nprobes probes, one parallel Kbuild run)])
	(
		unset MAKEFLAGS MFLAGS MAKELEVEL
		${MAKE-make} -k -j"$lg_jobs" -C "$LINUX_OBJ" M="$lg_probe_dir" \
		    ARCH=x86 KBUILD_MODPOST_WARN=1 KBUILD_MODPOST_NOFINAL=1 modules
	) >"$lg_probe_dir/build.log" 2>&1
	echo "--- kernel probe build log ($lg_probe_dir/build.log)" >&AS_MESSAGE_LOG_FD
	cat "$lg_probe_dir/build.log" >&AS_MESSAGE_LOG_FD
	AC_MSG_RESULT([done])

	LG_LINUX_TEST_RESULT([sanity], [], [
		AC_MSG_ERROR(m4_normalize([cannot build even an empty module against
		    $LINUX_OBJ (see $lg_probe_dir/build.log): is gcc installed, and is
		    the tree complete?]))
	])
])

dnl # LG_AC_KERNEL_PROBES: write, build and read all the compile probes.
AC_DEFUN([LG_AC_KERNEL_PROBES], [
	lg_probe_dir="$(pwd)/kernel-probes"
	rm -rf "$lg_probe_dir"
	AS_MKDIR_P(["$lg_probe_dir"])
	lg_probe_names=

	LG_AC_KERNEL_TEST_SRC
	LG_LINUX_TEST_COMPILE_ALL
	LG_AC_KERNEL_TEST_RESULT
])

dnl # LG_AC_WRITE_CONFIG_H: write src/lg_config.h from the probe answers.
dnl # We write it ourselves rather than through AC_CONFIG_HEADERS so that it
dnl # holds only kernel facts (no PACKAGE_* or HAVE_STDIO_H), and we leave the
dnl # old file untouched when nothing changed so the module is not rebuilt.
AC_DEFUN([LG_AC_WRITE_CONFIG_H], [
	AS_MKDIR_P([src])
	cat >src/lg_config.h.tmp <<_LG_EOF
/*
 * src/lg_config.h: written by configure for lg.ko; do not edit.
 * Kernel $LINUX_VERSION, $LINUX_OBJ.
 * src/Kbuild force-includes this file ahead of every source file.
 */
#ifndef LG_CONFIG_H
#define LG_CONFIG_H
$lg_config_defs
/* The lguest release this module was configured as. */
[#define] LG_PACKAGE_VERSION "AC_PACKAGE_VERSION"

/* The kernel release configure probed. */
[#define] LG_KERNEL_RELEASE "$LINUX_VERSION"

#endif /* LG_CONFIG_H */
_LG_EOF
	AS_IF([cmp -s src/lg_config.h.tmp src/lg_config.h], [
		rm -f src/lg_config.h.tmp
		AC_MSG_NOTICE([src/lg_config.h is unchanged])
	], [
		mv -f src/lg_config.h.tmp src/lg_config.h
		AC_MSG_NOTICE([wrote src/lg_config.h])
	])
])
