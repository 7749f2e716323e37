// ptrace: process tracing as Linux does it, compared line by line with a
// native run: signal-delivery-stops and the signal the tracer passes on,
// the SIGTRAP after exec, PEEK/POKE (into read-only memory too), the
// registers, syscall stops with TRACESYSGOOD (and skipping a call), fork
// following, an attach's errors, and what /proc says of a tracee.
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile long word = 0x1111;
static const long rodata = 0x3333;

static void show(const char *what, int status)
{
	if (WIFEXITED(status))
		printf("%s: exited %d\n", what, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("%s: killed by %d\n", what, WTERMSIG(status));
	else if (WIFSTOPPED(status))
		printf("%s: stopped by %d event %d\n", what, WSTOPSIG(status), status >> 16);
	else
		printf("%s: status %#x\n", what, status);
}

static int waitfor(pid_t pid, const char *what)
{
	int status;
	if (waitpid(pid, &status, __WALL) != pid) {
		printf("%s: waitpid: %s\n", what, strerror(errno));
		exit(1);
	}
	show(what, status);
	return status;
}

static void expect_err(const char *what, long r, int want)
{
	printf("%s: %ld %s\n", what, r, r == -1 && errno == want ? "as expected" : strerror(errno));
}

// signals: a signal stops the tracee; the tracer suppresses one, passes
// another on (it kills), and sees the SIGTRAP an exec raises.
static void signals(const char *self)
{
	pid_t c = fork();
	if (c == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGUSR1);
		execl(self, self, "exit7", (char *)0);
		_exit(100);
	}
	waitfor(c, "raise SIGUSR1");
	siginfo_t si;
	memset(&si, 0, sizeof si);
	ptrace(PTRACE_GETSIGINFO, c, 0, &si);
	printf("siginfo: signo %d code %d pid ok %d\n", si.si_signo, si.si_code, si.si_pid == c);
	ptrace(PTRACE_CONT, c, 0, 0);
	waitfor(c, "exec");
	ptrace(PTRACE_CONT, c, 0, 0);
	waitfor(c, "after exec");

	c = fork();
	if (c == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGUSR2);
		_exit(0);
	}
	waitfor(c, "raise SIGUSR2");
	ptrace(PTRACE_CONT, c, 0, SIGTERM); // a different signal: SIGTERM kills
	waitfor(c, "passed SIGTERM");
}

// memory: PEEK and POKE, into data and into read-only data (FOLL_FORCE),
// and the registers at a stop.
static void memory(void)
{
	pid_t c = fork();
	if (c == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		_exit((word == 0x2222) + 2 * (*(volatile const long *)&rodata == 0x4444));
	}
	waitfor(c, "stop for memory");
	errno = 0;
	long v = ptrace(PTRACE_PEEKDATA, c, (void *)&word, 0);
	printf("peek word: %#lx errno %d\n", v, errno);
	printf("poke word: %ld\n", ptrace(PTRACE_POKEDATA, c, (void *)&word, (void *)0x2222));
	printf("poke rodata: %ld\n", ptrace(PTRACE_POKETEXT, c, (void *)&rodata, (void *)0x4444));
	expect_err("peek at 0", ptrace(PTRACE_PEEKDATA, c, 0, 0), EIO);
	struct user_regs_struct r;
	ptrace(PTRACE_GETREGS, c, 0, &r);
	printf("regs: orig_rax is a kill %d, rax %lld, cs %#llx, ss %#llx\n",
	       r.orig_rax == SYS_tkill || r.orig_rax == SYS_tgkill, r.rax, r.cs, r.ss);
	errno = 0;
	long rip = ptrace(PTRACE_PEEKUSER, c, (void *)offsetof(struct user_regs_struct, rip), 0);
	printf("peekuser rip matches: %d\n", rip == (long)r.rip && errno == 0);
	ptrace(PTRACE_CONT, c, 0, 0);
	waitfor(c, "memory child");
}

// syscalls: PTRACE_SYSCALL's entry and exit stops for getppid, one call
// skipped by setting orig_rax to -1, then exit_group's entry.
static void syscalls(void)
{
	pid_t c = fork();
	if (c == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		long a = syscall(SYS_getppid);
		long b = syscall(SYS_getppid);
		syscall(SYS_exit_group, (a == getppid()) + 2 * (b == 42));
	}
	waitfor(c, "stop for syscalls");
	ptrace(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACESYSGOOD);
	int n = 0, status = 0;
	for (;;) {
		ptrace(PTRACE_SYSCALL, c, 0, 0);
		waitpid(c, &status, 0);
		if (!WIFSTOPPED(status))
			break;
		struct user_regs_struct r;
		ptrace(PTRACE_GETREGS, c, 0, &r);
		int entry = r.rax == -ENOSYS;
		printf("stop %d: sig %#x %s nr %lld\n", n, WSTOPSIG(status), entry ? "entry" : "exit", r.orig_rax);
		if (entry && r.orig_rax == SYS_getppid && n == 4) {
			r.orig_rax = -1;
			r.rax = 42;
			ptrace(PTRACE_SETREGS, c, 0, &r);
		}
		n++;
	}
	show("syscalls child", status);
}

// forks: PTRACE_O_TRACEFORK follows a fork; the tracer (not the parent)
// waits for the grandchild's stop and exit.
static void forks(void)
{
	pid_t c = fork();
	if (c == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		pid_t g = fork();
		if (g == 0)
			_exit(9);
		int st;
		waitpid(g, &st, 0);
		_exit(WEXITSTATUS(st) + 10);
	}
	waitfor(c, "stop for forks");
	ptrace(PTRACE_SETOPTIONS, c, 0, PTRACE_O_TRACEFORK);
	ptrace(PTRACE_CONT, c, 0, 0);
	waitfor(c, "fork event");
	unsigned long g = 0;
	ptrace(PTRACE_GETEVENTMSG, c, 0, &g);
	waitfor(g, "grandchild start");
	ptrace(PTRACE_CONT, g, 0, 0);
	waitfor(g, "grandchild");
	int status;
	do { // the grandchild's SIGCHLD stops it too; passed on
		ptrace(PTRACE_CONT, c, 0, 0);
		status = waitfor(c, "forks child");
	} while (WIFSTOPPED(status));
}

// attach: the errors, an attach to a running child, and /proc.
static void attach(void)
{
	expect_err("attach self", ptrace(PTRACE_ATTACH, getpid(), 0, 0), EPERM);
	expect_err("attach none", ptrace(PTRACE_ATTACH, 99999, 0, 0), ESRCH);
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	expect_err("cont untraced", ptrace(PTRACE_CONT, c, 0, 0), ESRCH);
	expect_err("seize with addr", ptrace(PTRACE_SEIZE, c, (void *)1, 0), EIO);
	printf("attach: %ld\n", ptrace(PTRACE_ATTACH, c, 0, 0));
	expect_err("attach again", ptrace(PTRACE_ATTACH, c, 0, 0), EPERM);
	waitfor(c, "attached");
	char path[64], line[128];
	snprintf(path, sizeof path, "/proc/%d/status", c);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f)) {
		int tracer;
		if (strncmp(line, "State:", 6) == 0)
			printf("%s", line);
		if (sscanf(line, "TracerPid: %d", &tracer) == 1)
			printf("tracer is me: %d\n", tracer == getpid());
	}
	if (f)
		fclose(f);
	printf("detach: %ld\n", ptrace(PTRACE_DETACH, c, 0, 0));
	expect_err("cont detached", ptrace(PTRACE_CONT, c, 0, 0), ESRCH);
	kill(c, SIGKILL);
	waitfor(c, "killed");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exit7") == 0)
		return 7;
	setvbuf(stdout, NULL, _IONBF, 0);
	signals(argv[0]);
	memory();
	syscalls();
	forks();
	attach();
	return 0;
}
