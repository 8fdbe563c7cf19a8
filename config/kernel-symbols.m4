dnl # Exported kernel symbols lg.ko links against, checked in Module.symvers.
dnl #
dnl # A symbol missing from Module.symvers would only show up as an
dnl # "undefined!" from modpost at the end of the build, or as a module that
dnl # refuses to load; checking here names it up front.  We never reach an
dnl # unexported symbol by address: if one disappears, the module has to find
dnl # a supported route instead.
dnl #
dnl # Keep this list in step with what src/ calls (vmap/vunmap map the Switcher
dnl # and Guest pages, load_*_gdt switch between the writable and the read-only
dnl # GDT around the TSS reload, the KVM FPU helpers let the Guest's FPU state
dnl # stand in for the Launcher's).  kick_process is optional: kernels without
dnl # SMP make it an inline, see config/kernel-kick-process.m4.

m4_define([LG_KERNEL_REQUIRED_SYMBOLS], [
	vmap vunmap
	load_direct_gdt load_fixmap_gdt gdt_page
	get_user_pages_fast vmalloc_to_pfn
	wake_up_process
	misc_register
	tsc_khz check_tsc_unstable cpu_tss_rw
	fpu_alloc_guest_fpstate fpu_free_guest_fpstate fpu_swap_kvm_fpstate
	switch_fpu_return
])

AC_DEFUN([LG_AC_KERNEL_SYMBOLS], [
	lg_missing=
	m4_foreach_w([lg_sym], LG_KERNEL_REQUIRED_SYMBOLS, [
		AC_MSG_CHECKING([whether lg_sym is exported])
		LG_LINUX_SYMBOL_EXPORTED(lg_sym, [AC_MSG_RESULT([yes])], [
			AC_MSG_RESULT([no])
			lg_missing="$lg_missing lg_sym"
		])
	])
	AS_IF([test -n "$lg_missing"], [
		AC_MSG_ERROR(m4_normalize([$LINUX_OBJ/Module.symvers does not export
		    what lg.ko needs:$lg_missing; this kernel is not supported (Debian 12's
		    686 and 686-pae are)]))
	])
])
