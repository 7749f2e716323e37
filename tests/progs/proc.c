/* proc checks processes as Linux documents them (fork(2), vfork(2),
 * clone(2), wait(2), setpgid(2), setsid(2), kill(2)): each check prints
 * one line, the same on Linux and in the guest (no IDs, only how they
 * relate), then "proc ok N" or the count of failures. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures, checks;

static void check(const char *what, int ok)
{
	checks++;
	printf("%s: %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		failures++;
	fflush(stdout);
}

/* child runs fn in a fork and returns the child's pid. */
static pid_t child(void (*fn)(void))
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		fn();
		_exit(0);
	}
	return p;
}

static void exit42(void) { _exit(42); }
static void killself(void) { kill(getpid(), SIGTERM); pause(); }
static void segv(void) { signal(SIGSEGV, SIG_DFL); *(volatile int *)0 = 1; }
static void sleepy(void) { for (;;) pause(); }

static void statuses(void)
{
	int st;
	pid_t p = child(exit42);
	check("fork returns the child's pid to the parent", p > 0 && p != getpid());
	check("wait4 reaps that child", waitpid(p, &st, 0) == p);
	check("WIFEXITED and WEXITSTATUS 42", WIFEXITED(st) && WEXITSTATUS(st) == 42);
	check("a reaped child is gone (ECHILD)", waitpid(p, &st, 0) == -1 && errno == ECHILD);
	p = child(killself);
	waitpid(p, &st, 0);
	check("killed by SIGTERM: WIFSIGNALED, WTERMSIG", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	p = child(segv);
	waitpid(p, &st, 0);
	check("killed by SIGSEGV", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	p = child(sleepy);
	check("WNOHANG while the child runs gives 0", waitpid(p, &st, WNOHANG) == 0);
	kill(p, SIGKILL);
	check("after SIGKILL it is reaped", waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	check("wait with no children: ECHILD", wait(&st) == -1 && errno == ECHILD);
	p = child(exit42);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	check("waitid WNOWAIT sees the zombie", waitid(P_PID, p, &si, WEXITED | WNOWAIT) == 0 &&
						  si.si_pid == p && si.si_code == CLD_EXITED && si.si_status == 42);
	memset(&si, 0, sizeof si);
	check("waitid then reaps it", waitid(P_ALL, 0, &si, WEXITED) == 0 && si.si_pid == p);
	check("waitid without WEXITED|WSTOPPED|WCONTINUED: EINVAL",
	      waitid(P_ALL, 0, &si, WNOHANG) == -1 && errno == EINVAL);
}

static int shared_word;

static void cow(void)
{
	size_t n = 8 << 20;
	char *big = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t i = 0; i < n; i += 4096)
		big[i] = 1;
	int *shm = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	shared_word = 1;
	*shm = 1;
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		shared_word = 2;
		big[4096 * 100] = 7;
		*shm = 2;
		_exit(big[0] == 1 ? 0 : 1);
	}
	int st;
	waitpid(p, &st, 0);
	check("a child's writes stay in the child", shared_word == 1 && big[4096 * 100] == 1);
	check("the child read the parent's memory", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	check("MAP_SHARED memory is shared with the child", *shm == 2);
	volatile int before = 5;
	fflush(stdout);
	p = vfork();
	if (p == 0) {
		before = 6; /* vfork shares the parent's memory until _exit */
		_exit(0);
	}
	waitpid(p, &st, 0);
	check("vfork runs the child in the parent's memory, parent after", before == 6);
}

static void ids(void)
{
	int fds[2];
	pipe(fds);
	pid_t me = getpid();
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		int ok = getppid() == me && getpid() != me && syscall(SYS_gettid) == getpid();
		write(fds[1], &ok, sizeof ok);
		_exit(0);
	}
	int ok = 0;
	read(fds[0], &ok, sizeof ok);
	waitpid(p, 0, 0);
	check("the child's getpid, getppid and gettid", ok);
	close(fds[0]);
	close(fds[1]);
}

static volatile sig_atomic_t chld, chld_pid, chld_code, chld_status;

static void onchld(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	chld = 1, chld_pid = si->si_pid, chld_code = si->si_code, chld_status = si->si_status;
}

static void sigchld(void)
{
	struct sigaction sa = {.sa_sigaction = onchld, .sa_flags = SA_SIGINFO | SA_RESTART};
	sigaction(SIGCHLD, &sa, 0);
	pid_t p = child(exit42);
	int st;
	waitpid(p, &st, 0);
	check("SIGCHLD with si_pid, CLD_EXITED and si_status", chld && chld_pid == p &&
								  chld_code == CLD_EXITED && chld_status == 42);
	signal(SIGCHLD, SIG_IGN);
	p = child(exit42);
	usleep(100000);
	check("SIGCHLD ignored: children are reaped at once", waitpid(p, &st, 0) == -1 && errno == ECHILD);
	signal(SIGCHLD, SIG_DFL);
}

static void jobcontrol(void)
{
	int st;
	pid_t p = child(sleepy);
	kill(p, SIGSTOP);
	check("WUNTRACED reports the stop", waitpid(p, &st, WUNTRACED) == p && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	check("a stop is reported once", waitpid(p, &st, WUNTRACED | WNOHANG) == 0);
	kill(p, SIGCONT);
	check("WCONTINUED reports the continue", waitpid(p, &st, WCONTINUED) == p && WIFCONTINUED(st));
	kill(p, SIGTSTP);
	check("SIGTSTP stops it too", waitpid(p, &st, WUNTRACED) == p && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP);
	kill(p, SIGKILL);
	check("SIGKILL ends a stopped child", waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static void groupchild(void)
{
	setpgid(0, 0);
	for (;;)
		pause();
}

/* A zombie is still a member of its group until it is reaped: a shell
 * puts a pipeline's second process into the group of the first, which
 * may have exited already (busybox ash lost the terminal this way). */
static void zombiegroup(void)
{
	siginfo_t si;
	int st;
	pid_t a = fork();
	if (a == 0) {
		setpgid(0, 0);
		_exit(0);
	}
	setpgid(a, a);
	waitid(P_PID, a, &si, WEXITED | WNOWAIT);
	pid_t b = child(sleepy);
	check("setpgid into a group whose only member is a zombie", setpgid(b, a) == 0 && getpgid(b) == a);
	check("setpgid of a zombie child", setpgid(a, a) == 0);
	waitpid(a, &st, 0);
	check("the group lives on in its other members", getpgid(b) == a && kill(-a, 0) == 0);
	kill(b, SIGKILL);
	waitpid(b, &st, 0);
}

static void groups(void)
{
	int st;
	pid_t a = child(groupchild);
	setpgid(a, a); /* both sides, as shells do, so neither races */
	pid_t b = child(sleepy);
	setpgid(b, a);
	usleep(50000);
	check("setpgid makes a new group", getpgid(a) == a);
	check("setpgid joins an existing group", getpgid(b) == a);
	check("kill of a group reaches its members", kill(-a, SIGTERM) == 0 &&
						    waitpid(a, &st, 0) == a && WTERMSIG(st) == SIGTERM &&
						    waitpid(b, &st, 0) == b && WTERMSIG(st) == SIGTERM);
	check("kill of a group that is gone: ESRCH", kill(-a, 0) == -1 && errno == ESRCH);
	zombiegroup();
	check("setpgid of a process that is not a child: ESRCH", setpgid(getppid(), 0) == -1 && errno == ESRCH);
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		pid_t s = setsid();
		int ok = s == getpid() && getsid(0) == getpid() && getpgrp() == getpid();
		int again = setsid() == -1 && errno == EPERM;
		_exit(ok && again ? 0 : 1);
	}
	waitpid(p, &st, 0);
	check("setsid makes a session and group led by the caller, once", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	p = child(sleepy);
	check("kill(-1, 0) finds a process (not init, not the caller)", kill(-1, 0) == 0);
	kill(p, SIGKILL);
	waitpid(p, &st, 0);
	check("kill of no such process: ESRCH", kill(0x7ffffff0, 0) == -1 && errno == ESRCH);
}

static int clone_fn(void *arg)
{
	int *fd = arg;
	close(*fd);
	chdir("/dev");
	return 0;
}

static void cloneflags(void)
{
	int fd = open("/", O_RDONLY);
	char cwd[256];
	getcwd(cwd, sizeof cwd);
	char *stack = mmap(0, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t p = clone(clone_fn, stack + 65536, CLONE_FILES | CLONE_FS | SIGCHLD, &fd);
	int st;
	waitpid(p, &st, 0);
	char now[256];
	getcwd(now, sizeof now);
	check("CLONE_FILES: the child's close closes ours", fcntl(fd, F_GETFD) == -1 && errno == EBADF);
	check("CLONE_FS: the child's chdir moves ours", strcmp(now, "/dev") == 0);
	chdir(cwd);
	fd = open("/", O_RDONLY);
	p = clone(clone_fn, stack + 65536, SIGCHLD, &fd);
	waitpid(p, &st, 0);
	getcwd(now, sizeof now);
	check("without them the child has its own", fcntl(fd, F_GETFD) == 0 && strcmp(now, cwd) == 0);
	check("CLONE_SIGHAND without CLONE_VM: EINVAL",
	      clone(clone_fn, stack + 65536, CLONE_SIGHAND | SIGCHLD, &fd) == -1 && errno == EINVAL);
}

int main(void)
{
	statuses();
	cow();
	ids();
	sigchld();
	jobcontrol();
	groups();
	cloneflags();
	if (failures) {
		printf("proc: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("proc ok %d\n", checks);
	return 0;
}
