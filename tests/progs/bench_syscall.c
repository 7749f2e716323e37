/* bench_syscall times system-call round trips and page faults, for
 * "starry bench syscall", which runs it under starry and on the host.
 * Calls are timed in batches so clock_gettime (itself a system call
 * without a vDSO) barely counts; each line gives the median per-call
 * time over the batches:  bench: NAME median N ns M cycles */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "bench.h"

#define CALLS 100000
#define BATCH 100
#define PAGES 4096
#define PAGE_BATCH 16
#define PAGE 4096

static double ns_med[CALLS / BATCH];
static double cyc_med[CALLS / BATCH];

static void report(const char *name, int batches)
{
	printf("bench: %s median %.0f ns %.0f cycles\n", name,
	       median(ns_med, batches), median(cyc_med, batches));
}

static void bench_getppid(void)
{
	for (int b = 0; b < CALLS / BATCH; b++) {
		double t0 = now_ns();
		unsigned long long c0 = __rdtsc();
		for (int i = 0; i < BATCH; i++)
			syscall(SYS_getppid);
		unsigned long long c1 = __rdtsc();
		double t1 = now_ns();
		ns_med[b] = (t1 - t0) / BATCH;
		cyc_med[b] = (double)(c1 - c0) / BATCH;
	}
	report("getppid", CALLS / BATCH);
}

static int bench_pagefault(void)
{
	volatile char *p = mmap(0, (size_t)PAGES * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("bench: mmap");
		return 1;
	}
	for (int b = 0; b < PAGES / PAGE_BATCH; b++) {
		volatile char *q = p + (size_t)b * PAGE_BATCH * PAGE;
		double t0 = now_ns();
		unsigned long long c0 = __rdtsc();
		for (int i = 0; i < PAGE_BATCH; i++)
			q[i * PAGE] = 1;
		unsigned long long c1 = __rdtsc();
		double t1 = now_ns();
		ns_med[b] = (t1 - t0) / PAGE_BATCH;
		cyc_med[b] = (double)(c1 - c0) / PAGE_BATCH;
	}
	report("pagefault", PAGES / PAGE_BATCH);
	return 0;
}

int main(void)
{
	bench_getppid();
	return bench_pagefault();
}
