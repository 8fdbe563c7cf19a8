/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests.h - the areas main.c runs, one file each.  Each area reports its
 * checks under its own prefix ("hcall: ...").
 */
#ifndef TESTS_H
#define TESTS_H

void test_gdt(void);
void test_hcall(void);
void test_traps(void);
void test_pf(void);
void test_pgtable(void);
void test_user(void);
void test_timer(void);
void test_fpu(void);
void test_ports(void);
void test_escape(void);
extern bool escape_full_scan;	/* lgscan=full: escape.c scans every Switcher page */
extern bool escape_host_nx;	/* lghostnx=0: the Host has no NX to give us */

/* escape.c: lgtest=switcher-probe, the Switcher-area scan again and again */
void switcher_probe(unsigned int want_cpus);
/*
 * escape.c: did the page fault at @va come straight from the Switcher, with
 * no Host exit (fast_pf_forget() before the access)?
 */
void fast_pf_forget(void);
bool fast_pf_delivered(u32 va);
/* escape.c: lgtest=pf-loop; true if every fault arrived as it should */
bool fast_pf_loop(void);

/* bench.c: lgtest=bench, cycles per primitive; ONLY names one, or NULL */
bool run_bench(const char *only);
#define LG_BENCH_TABLES		6	/* more page tables than the Host caches */

/* hostile.c: lgtest=hostile-NAME; returns only for an unknown NAME */
void run_hostile(const char *name);

/*
 * Virtual addresses the areas map things at, kept apart here.  Kernel
 * addresses lie above the 64 MiB kernel map and far below the Switcher;
 * user addresses (below KERNEL_OFFSET) lie above the 64 MiB identity map.
 */
#define PF_TEST_VA		0xD0000000u	/* pf.c: three pages */
#define PGTABLE_KERNEL_VA	0xD0400000u	/* pgtable.c: one page */
#define RING_TEST_VA		0xD0800000u	/* hcall.c: one page */
#define ESCAPE_NX_VA		0xD0C00000u	/* escape.c: one page (PAE) */
#define ESCAPE_FAST_VA		0xD1000000u	/* escape.c: 4 MiB, one page table */
#define PORTS_TEST_VA		0xD1400000u	/* ports.c: two pages */
#define HIGHEST_TEST_VA		0xD17FFFFFu
#define PGTABLE_TEST_VA		0x10000000u	/* pgtable.c: one page */
#define AROUND_TEST_VA		0x10400000u	/* pgtable.c: 16 pages, one 64 KiB */
#define ALIAS_TEST_VA		0x20000000u	/* pgtable.c: 80 MiB, one page */
#define BENCH_HOST_VA		0x40000000u	/* bench.c: 128 pages, ring 1 only */
#define BENCH_USER_VA		0x40400000u	/* bench.c: 128 pages, user */
#define USER_CODE_VA		0x08048000u	/* user.c */
#define USER_STACK_VA		0x08050000u	/* user.c: one page */
#define ESCAPE_COW_VA		0x20000000u	/* escape.c: one page, two tables */
#define ESCAPE_UNMAPPED_VA	0x30000000u	/* escape.c: never mapped */

#endif /* TESTS_H */
