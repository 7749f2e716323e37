// vdso: the clock through libc (which uses the vDSO when the kernel
// gives one, AT_SYSINFO_EHDR) reads what the system calls read.
// clock_gettime(CLOCK_MONOTONIC) and gettimeofday 100000 times each must
// never go back, a few samples must lie between raw system calls taken
// around them, and time, clock_getres, sched_getcpu, a CPU-time clock
// (which the vDSO passes to the kernel) and a bad clock ID must answer
// as the calls do. "vdso raw" does the same checks with raw system calls
// only, as a program that ignores the vDSO. "vdso bench" also prints the
// median cost of one clock_gettime both ways. Prints "vdso ok".
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define N 100000
#define SAMPLES 10

static int raw, failed;

static void fail(const char *what, long long a, long long b) {
	printf("vdso: %s (%lld, %lld)\n", what, a, b);
	failed = 1;
}

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static long long sys_clock(clockid_t c) {
	struct timespec t;
	if (syscall(SYS_clock_gettime, c, &t) != 0)
		return -1;
	return ns(t);
}

// lib_clock reads the clock as the program would: through libc, or
// with a raw call in raw mode.
static long long lib_clock(clockid_t c) {
	struct timespec t;
	if (raw)
		return sys_clock(c);
	if (clock_gettime(c, &t) != 0)
		return -1;
	return ns(t);
}

static long long lib_tod(void) {
	struct timeval tv;
	if ((raw ? syscall(SYS_gettimeofday, &tv, NULL) : gettimeofday(&tv, NULL)) != 0)
		return -1;
	return tv.tv_sec * 1000000LL + tv.tv_usec;
}

// between checks that libc's reading lies between system calls made
// just before and after it (the realtime ones in us, within 1 us for
// gettimeofday's rounding).
static void between(void) {
	for (int i = 0; i < SAMPLES; i++) {
		long long a = sys_clock(CLOCK_MONOTONIC), v = lib_clock(CLOCK_MONOTONIC), b = sys_clock(CLOCK_MONOTONIC);
		if (v < a || v > b)
			fail("CLOCK_MONOTONIC outside the system calls around it", v - a, b - v);
		a = sys_clock(CLOCK_REALTIME) / 1000;
		v = lib_tod();
		b = sys_clock(CLOCK_REALTIME) / 1000;
		if (v < a || v > b + 1)
			fail("gettimeofday outside the system calls around it", v - a, b - v);
		time_t t0 = syscall(SYS_time, NULL), t = raw ? syscall(SYS_time, NULL) : time(NULL), t1 = syscall(SYS_time, NULL);
		if (t < t0 || t > t1)
			fail("time outside the system calls around it", t - t0, t1 - t);
	}
}

static void loops(void) {
	long long last = lib_clock(CLOCK_MONOTONIC);
	for (int i = 0; i < N; i++) {
		long long v = lib_clock(CLOCK_MONOTONIC);
		if (v < last) {
			fail("CLOCK_MONOTONIC went back", last, v);
			break;
		}
		last = v;
	}
	last = lib_tod();
	for (int i = 0; i < N; i++) {
		long long v = lib_tod();
		if (v < last) {
			fail("gettimeofday went back", last, v);
			break;
		}
		last = v;
	}
}

// others: the calls the vDSO answers without a clock, and those it
// passes to the kernel.
static void others(void) {
	struct timespec r = {7, 7};
	if (raw ? syscall(SYS_clock_getres, CLOCK_MONOTONIC, &r) : clock_getres(CLOCK_MONOTONIC, &r))
		fail("clock_getres(CLOCK_MONOTONIC) failed", errno, 0);
	else if (r.tv_sec != 0 || r.tv_nsec < 1 || r.tv_nsec > 1000)
		fail("CLOCK_MONOTONIC's resolution", r.tv_sec, r.tv_nsec);
	time_t t = 0, got = raw ? syscall(SYS_time, &t) : time(&t);
	if (got != t || t < 1000000000)
		fail("time's result and store differ", got, t);
	unsigned cpu = 99, node = 99;
	if (syscall(SYS_getcpu, &cpu, &node, NULL) != 0 || cpu >= (unsigned)sysconf(_SC_NPROCESSORS_CONF))
		fail("getcpu", cpu, node);
	if (!raw && sched_getcpu() < 0)
		fail("sched_getcpu", errno, 0);
	if (lib_clock(CLOCK_PROCESS_CPUTIME_ID) < 0)
		fail("CLOCK_PROCESS_CPUTIME_ID", errno, 0);
	struct timespec ts;
	errno = 0;
	if ((raw ? syscall(SYS_clock_gettime, 12345, &ts) : clock_gettime(12345, &ts)) != -1 || errno != EINVAL)
		fail("clock 12345 did not give EINVAL", errno, 0);
}

static int cmp(const void *a, const void *b) {
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

// median_ns is the median cost of one call over 51 runs of 1000.
static long long median_ns(int sys) {
	long long runs[51];
	for (int r = 0; r < 51; r++) {
		long long a = sys_clock(CLOCK_MONOTONIC);
		for (int i = 0; i < 1000; i++)
			sys ? sys_clock(CLOCK_MONOTONIC) : lib_clock(CLOCK_MONOTONIC);
		runs[r] = (sys_clock(CLOCK_MONOTONIC) - a) / 1000;
	}
	qsort(runs, 51, sizeof runs[0], cmp);
	return runs[25];
}

int main(int argc, char **argv) {
	raw = argc > 1 && !strcmp(argv[1], "raw");
	printf("vdso: AT_SYSINFO_EHDR %s\n", getauxval(AT_SYSINFO_EHDR) ? "set" : "absent");
	between();
	loops();
	others();
	between();
	if (argc > 1 && !strcmp(argv[1], "bench"))
		printf("vdso: clock_gettime median %lld ns through libc, %lld ns by system call\n", median_ns(0), median_ns(1));
	if (failed)
		return 1;
	printf("vdso ok\n");
	return 0;
}
