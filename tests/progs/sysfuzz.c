/* sysfuzz makes thousands of system calls with hostile arguments: bad
 * pointers (NULL, unmapped, kernel addresses, misaligned), huge sizes,
 * negative fds and lengths, unknown call numbers. The kernel must answer
 * each with a result or an errno, or kill the program with a signal; it
 * must never crash, hang or leak. Calls that may block forever (console
 * reads, futex waits, long sleeps) are left out. Usage: sysfuzz SEED N */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint64_t state;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static char *buf;     /* two pages, then a PROT_NONE guard: overruns fault */
static char *scratch; /* memory calls aim here, never at the program itself */

/* arg picks a hostile or plausible argument. */
static long arg(void)
{
	switch (next() % 12) {
	case 0: return 0;
	case 1: return -1;
	case 2: return (long)next() % 64;
	case 3: return (long)buf;
	case 4: return (long)buf + 4093;           /* straddles into the next page */
	case 5: return 0x7000dead0000L;            /* unmapped */
	case 6: return (long)0xffff800000200000UL; /* kernel text */
	case 7: return (long)next();
	case 8: return 1L << 47;                   /* first non-user address */
	case 9: return 4096;
	case 10: return (long)buf + 1;             /* misaligned */
	default: return -(long)(next() % 4096);
	}
}

/* memarg is an address for the memory-management calls: inside the
 * scratch region, or hostile, but never the program's own pages. */
static long memarg(void)
{
	switch (next() % 6) {
	case 0: return (long)scratch + (long)(next() % 256) * 4096;
	case 1: return (long)scratch + (long)(next() % (1 << 20));
	case 2: return 0x7000dead0000L;
	case 3: return (long)0xffff800000200000UL;
	case 4: return 1L << 47;
	default: return 0;
	}
}

static const long calls[] = {
	SYS_write, SYS_open, SYS_close, SYS_stat, SYS_fstat, SYS_lstat, SYS_lseek,
	SYS_rt_sigprocmask, SYS_ioctl, SYS_pread64, SYS_writev, SYS_access,
	SYS_getpid, SYS_uname, SYS_fcntl, SYS_getcwd, SYS_chdir, SYS_readlink,
	SYS_gettimeofday, SYS_getrlimit, SYS_getuid, SYS_sigaltstack, SYS_gettid,
	SYS_time, SYS_clock_gettime, SYS_openat, SYS_newfstatat, SYS_readlinkat,
	SYS_faccessat, SYS_set_robust_list, SYS_prlimit64, SYS_getrandom,
	SYS_getgroups, SYS_prctl, SYS_getppid, SYS_sched_yield, SYS_getdents64,
	SYS_dup, SYS_eventfd2, SYS_epoll_create1, SYS_epoll_ctl, SYS_epoll_pwait,
	SYS_sched_getaffinity, SYS_gettid, 512, 1000, -1, /* numbers no kernel knows */
	/* memory calls, aimed by memarg */
	SYS_mmap, SYS_mprotect, SYS_munmap, SYS_madvise,
};

static int is_mem(long nr)
{
	return nr == SYS_mmap || nr == SYS_mprotect || nr == SYS_munmap || nr == SYS_madvise;
}

int main(int argc, char **argv)
{
	state = argc > 1 ? strtoull(argv[1], 0, 0) * 2654435761u + 1 : 1;
	long n = argc > 2 ? atol(argv[2]) : 20000;
	close(0); /* no console reads: they would wait for input */
	scratch = (char *)syscall(SYS_mmap, 0, 1 << 20, 3, 0x22, -1, 0);
	buf = (char *)syscall(SYS_mmap, 0, 3 * 4096, 3, 0x22, -1, 0);
	syscall(SYS_mprotect, buf + 2 * 4096, 4096, 0);
	for (long i = 0; i < n; i++) {
		long nr = calls[next() % (sizeof calls / sizeof calls[0])];
		long a0 = is_mem(nr) ? memarg() : arg(), a1 = arg(), a2 = arg();
		long a3 = arg();
		if (nr == SYS_dup && a0 == 1)
			continue; /* a console fd 0 again would make reads wait */
		if (nr == SYS_mmap && (a3 & 0x10) && a0 == 0)
			continue; /* MAP_FIXED at 0 with a random length could hit the program */
		if (nr == SYS_prctl && a0 != 15 && a0 != 16)
			continue; /* only PR_SET_NAME and PR_GET_NAME: others change the process */
		if (nr == SYS_epoll_pwait)
			a3 &= 1; /* wait at most 1 ms */
		if (nr == SYS_prlimit64)
			a2 = 0; /* read limits only: a CPU-time limit would kill the run */
		if (nr == SYS_mmap && (a3 & 0x10))
			a0 = (long)scratch + (long)(next() % 256) * 4096, a1 &= 0xfffff;
		if (nr == SYS_munmap || nr == SYS_mprotect || nr == SYS_madvise) {
			if (a0 >= (long)scratch && a0 < (long)scratch + (1 << 20))
				a1 &= 0xfffff; /* stay inside the scratch region */
			else
				a1 &= 0xffff; /* short: from 0 it cannot reach the program */
		}
		syscall(nr, a0, a1, a2, a3, arg(), arg());
	}
	printf("sysfuzz done\n");
	return 0;
}
