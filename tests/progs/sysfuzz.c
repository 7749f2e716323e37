/* sysfuzz makes thousands of system calls with hostile arguments: bad
 * pointers (NULL, unmapped, kernel addresses, misaligned), huge sizes,
 * negative fds and lengths, unknown call numbers. The kernel must answer
 * each with a result or an errno, or kill the program with a signal; it
 * must never crash, hang or leak. Calls that may block forever (console
 * reads, futex waits, long sleeps) are left out; waits and polls are
 * made non-blocking, signals only probed (signal 0) or invalid. Every
 * thousand calls it forks three children that fuzz on their own while it
 * goes on, so process calls meet live children, zombies and
 * copy-on-write memory, and many processes exit at once. Usage:
 * sysfuzz SEED N
 *
 * sysfuzz SEED N trace is the differential mode: no children, fds 0-2 on
 * /dev/null, the argument pages zeroed before every call, and one line
 * per call ("I NR: RESULT # ARGS") written at the end, so the same run
 * on Linux and in the guest can be compared call by call, up to the '#'. RESULT is eERRNO, the
 * value (below 4096) or "big"; "-" for calls whose answer depends on the
 * machine rather than the kernel (process IDs, the clock, the host's
 * other processes). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
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
	/* processes and pipes, made safe below */
	SYS_pipe, SYS_pipe2, SYS_poll, SYS_ppoll, SYS_wait4, SYS_waitid, SYS_kill,
	SYS_tgkill, SYS_getpgid, SYS_setpgid, SYS_getsid, SYS_rt_sigpending,
	SYS_close_range, SYS_dup3, SYS_execve,
	/* memory calls, aimed by memarg */
	SYS_mmap, SYS_mprotect, SYS_munmap, SYS_madvise,
};

static int is_mem(long nr)
{
	return nr == SYS_mmap || nr == SYS_mprotect || nr == SYS_munmap || nr == SYS_madvise;
}

static const struct timespec zerots;

/* The trace mode's state: its output descriptor, kept out of every
 * call's reach, and the lines it writes at the end. */
enum { traceFD = 900 };
static int trace;
static char tracebuf[1 << 20];
static size_t tracelen;

/* hostile is a pointer no call may follow. */
static long hostile(void)
{
	static const long ps[] = {0, 0x7000dead0000L, (long)0xffff800000200000UL, 1L << 47, -4096};
	return ps[next() % 5];
}

/* tame turns hostile arguments into ones that cannot block, harm the
 * fuzzer's own pages or relatives, or run a program; it returns 0 when
 * the call is to be skipped. */
static int tame(long nr, long *a)
{
	if (trace) {
		switch (nr) {
		case SYS_close:
			if ((int)a[0] == traceFD)
				return 0;
			break;
		case SYS_fcntl:
			if ((int)a[0] == traceFD)
				return 0;
			switch ((int)a[1]) {
			case 5: case 6: case 7: case 36: case 37: case 38:
				return 0; /* record locks: not in the guest yet (EINVAL), left for the VFS */
			}
			break;
		case SYS_dup3:
			if ((int)a[1] == traceFD)
				return 0;
			break;
		case SYS_close_range:
			if ((unsigned)a[0] <= traceFD && (unsigned)a[1] >= traceFD) {
				if ((unsigned)a[0] == traceFD)
					return 0;
				a[1] = traceFD - 1;
			}
			break;
		}
	}
	switch (nr) {
	case SYS_dup:
		return a[0] != 1; /* a console fd 0 again would make reads wait */
	case SYS_dup3:
		return a[1] != 0;
	case SYS_prctl:
		return a[0] == 15 || a[0] == 16; /* PR_SET_NAME, PR_GET_NAME: others change the process */
	case SYS_prlimit64:
		a[2] = 0; /* read limits only: a CPU-time limit would kill the run */
		return 1;
	case SYS_poll:
		a[2] &= 1; /* wait at most 1 ms */
		return 1;
	case SYS_epoll_pwait:
		a[3] &= 1;
		return 1;
	case SYS_ppoll:
		a[2] = (long)&zerots;
		return 1;
	case SYS_wait4:
		a[2] |= WNOHANG;
		return 1;
	case SYS_waitid:
		a[3] |= WNOHANG;
		return 1;
	case SYS_kill: /* probe (signal 0) or an invalid signal */
		if (a[1] > 0 && a[1] <= 64)
			a[1] = 0;
		return 1;
	case SYS_tgkill:
		if (a[2] > 0 && a[2] <= 64)
			a[2] = 0;
		return 1;
	case SYS_execve:
		a[0] = hostile();
		return 1;
	case SYS_mmap:
		if (!(a[3] & 0x10))
			return 1;
		if (a[0] == 0)
			return 0; /* MAP_FIXED at 0 with a random length could hit the program */
		a[0] = (long)scratch + (long)(next() % 256) * 4096, a[1] &= 0xfffff;
		return 1;
	case SYS_munmap:
	case SYS_mprotect:
	case SYS_madvise:
		if (a[0] >= (long)scratch && a[0] < (long)scratch + (1 << 20))
			a[1] &= 0xfffff; /* stay inside the scratch region */
		else
			a[1] &= 0xffff; /* short: from 0 it cannot reach the program */
		return 1;
	}
	return 1;
}

/* machineDependent reports calls whose answer is the machine's, not the
 * kernel's: IDs and the clock, and calls naming a process by a PID that
 * may belong to one of the host's processes. */
static int machineDependent(long nr, long *a, long r)
{
	switch (nr) {
	case SYS_getsid:
	case SYS_getpgid:
	case SYS_sched_getaffinity: /* the size of the host's CPU mask */
		if (r >= 0)
			return 1;
		break;
	}
	switch (nr) {
	case SYS_getpid:
	case SYS_getppid:
	case SYS_gettid:
	case SYS_time:
	case SYS_getgroups:
		return 1;
	case SYS_setpgid: /* a group ID may be the caller's own PID */
		if ((int)a[1] != 0 && abs((int)a[1]) <= 4194304)
			return 1;
		/* fallthrough */
	case SYS_kill:
	case SYS_getpgid:
	case SYS_getsid:
	case SYS_sched_getaffinity:
	case SYS_prlimit64:
		return (int)a[0] != 0 && abs((int)a[0]) <= 4194304;
	case SYS_tgkill:
		return 1;
	case SYS_fcntl: /* F_SETOWN names a PID; F_GETOWN reads it back */
		if ((int)a[1] == F_SETOWN)
			return (int)a[2] != 0 && abs((int)a[2]) <= 4194304;
		return (int)a[1] == F_GETOWN;
	case SYS_clock_gettime: /* a CPU clock of process or thread ~(id >> 3) */
	case SYS_clock_getres:
		return (int)a[0] < 0 && ~((int)a[0] >> 3) != 0;
	}
	return 0;
}

/* record adds one call's line to the trace. */
static void record(long i, long nr, long *a, long r, int err)
{
	char *p = tracebuf + tracelen;
	size_t room = sizeof tracebuf - tracelen;
	int n;
	char res[24];
	if (machineDependent(nr, a, r))
		snprintf(res, sizeof res, "-");
	else if (r == -1)
		snprintf(res, sizeof res, "e%d", err);
	else if ((unsigned long)r < 4096)
		snprintf(res, sizeof res, "%ld", r);
	else
		snprintf(res, sizeof res, "big");
	/* The arguments after '#' are for people: addresses differ. */
	n = snprintf(p, room, "%ld %ld: %s # %lx %lx %lx %lx\n", i, nr, res, a[0], a[1], a[2], a[3]);
	if (n > 0 && (size_t)n < room)
		tracelen += n;
}

/* fuzz makes n calls. */
static void fuzz(long n)
{
	static long done;
	for (long i = 0; i < n; i++, done++) {
		long nr = calls[next() % (sizeof calls / sizeof calls[0])];
		long a[6] = {is_mem(nr) ? memarg() : arg(), arg(), arg(), arg(), arg(), arg()};
		if (!tame(nr, a))
			continue;
		if (trace)
			memset(buf, 0, 2 * 4096);
		errno = 0;
		long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (trace)
			record(done, nr, a, r, errno);
	}
}

int main(int argc, char **argv)
{
	state = argc > 1 ? strtoull(argv[1], 0, 0) * 2654435761u + 1 : 1;
	long n = argc > 2 ? atol(argv[2]) : 20000;
	trace = argc > 3 && strcmp(argv[3], "trace") == 0;
	close(0); /* no console reads: they would wait for input */
	if (trace) {
		if (fcntl(1, F_DUPFD, traceFD) != traceFD)
			return 2;
		int null = open("/dev/null", O_RDWR);
		dup2(null, 1), dup2(null, 2);
		if (null > 2)
			close(null);
		syscall(SYS_close_range, 3, traceFD - 1, 0); /* nothing inherited */
		struct rlimit lim = {1024, 1024}; /* Go raises its children's soft limit */
		setrlimit(RLIMIT_NOFILE, &lim);
	}
	signal(SIGPIPE, SIG_IGN); /* a write to a pipe it closed the reader of must not end the run */
	/* At fixed addresses (MAP_FIXED_NOREPLACE), so that arguments made
	 * from them are the same numbers on every kernel. */
	scratch = (char *)syscall(SYS_mmap, 0x600000000000L, 1 << 20, 3, 0x100022, -1, 0);
	buf = (char *)syscall(SYS_mmap, 0x600000200000L, 3 * 4096, 3, 0x100022, -1, 0);
	if (scratch != (char *)0x600000000000L || buf != (char *)0x600000200000L)
		return 4;
	syscall(SYS_mprotect, buf + 2 * 4096, 4096, 0);
	for (long done = 0; done < n; done += 1000) {
		pid_t kids[3] = {0, 0, 0};
		for (int k = 0; k < 3 && !trace; k++) {
			kids[k] = fork();
			if (kids[k] == 0) {
				state = state * 6364136223846793005ULL + k + 1; /* its own sequence */
				fuzz(300);
				_exit(0);
			}
		}
		fuzz(n - done < 1000 ? n - done : 1000); /* while the children run */
		for (int k = 0; k < 3; k++)
			while (kids[k] > 0 && waitpid(kids[k], 0, 0) == -1 && errno == EINTR)
				;
	}
	if (trace) {
		for (size_t off = 0; off < tracelen;) {
			ssize_t w = write(traceFD, tracebuf + off, tracelen - off);
			if (w <= 0)
				return 3;
			off += w;
		}
		dprintf(traceFD, "sysfuzz done\n");
		return 0;
	}
	printf("sysfuzz done\n");
	return 0;
}
