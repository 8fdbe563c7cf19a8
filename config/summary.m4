dnl # LG_AC_SUMMARY: what configure found, printed last so it is on screen.

AC_DEFUN([LG_AC_SUMMARY], [
	AS_IF([test "x$enable_module" = xyes], [
		lg_sum_module="yes (src/lg.ko)
    kernel release:       $LINUX_VERSION
    kernel build tree:    $LINUX_OBJ
    PAE:                  $lg_kernel_pae
    page-table isolation: $lg_kernel_pti
    frame pointers:       $lg_kernel_fp
    debugfs:              $lg_kernel_debugfs
    kernel probes (src/lg_config.h):$lg_probe_summary"
	], [lg_sum_module=no])
	AS_IF([test "x$lg_i386_cc" = xyes],
	    [lg_sum_i386="$I386_CC"], [lg_sum_i386="none (no lguest.i386, no test Guests)"])
	AM_COND_IF([INSTALL_I386_LAUNCHER],
	    [lg_sum_installed="launcher/lguest.i386 (static i386)"],
	    [lg_sum_installed="launcher/lguest (native)"])
	AS_IF([test "x$enable_fuzz" = xyes],
	    [lg_sum_fuzz="yes ($FUZZ_CC)"], [lg_sum_fuzz=no])
	AS_IF([test "x$enable_vm_tests" = xyes],
	    [lg_sum_vm="yes ($QEMU)"], [lg_sum_vm=no])
	cat <<_LG_EOF

lguest AC_PACKAGE_VERSION configured:
  module:                 $lg_sum_module
  launcher:               $enable_launcher
  i386 compiler:          $lg_sum_i386
  installed lguest:       $lg_sum_installed
  libFuzzer targets:      $lg_sum_fuzz
  VM tests:               $lg_sum_vm

_LG_EOF
])
