/* pipes checks pipe(7) and descriptor sharing as Linux documents them:
 * PIPE_BUF atomicity, end of file, EPIPE and SIGPIPE, O_NONBLOCK, pipe2
 * flags, FIONREAD, poll and epoll readiness, blocking readers woken by
 * another process, open file descriptions shared by dup and fork (one
 * offset, one set of status flags), dup3, F_DUPFD_CLOEXEC, close_range;
 * and how signals end a blocked read (SA_RESTART, stops, stale wake-ups).
 * Each check prints one line; "pipes ok N" at the end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
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

static void basics(void)
{
	int p[2];
	check("pipe", pipe(p) == 0);
	check("a write to the write end", write(p[1], "hello", 5) == 5);
	int n = -1;
	ioctl(p[0], FIONREAD, &n);
	check("FIONREAD counts what waits", n == 5);
	char b[16];
	check("a read takes it", read(p[0], b, sizeof b) == 5 && memcmp(b, "hello", 5) == 0);
	check("the read end is not writable", write(p[0], "x", 1) == -1 && errno == EBADF);
	close(p[1]);
	check("end of file once the last writer closes", read(p[0], b, sizeof b) == 0);
	close(p[0]);
	check("pipe2 with an unknown flag: EINVAL", pipe2(p, O_APPEND) == -1 && errno == EINVAL);
	check("pipe2 O_CLOEXEC|O_NONBLOCK", pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0 &&
						   (fcntl(p[0], F_GETFD) & FD_CLOEXEC) &&
						   (fcntl(p[1], F_GETFL) & O_NONBLOCK));
	check("a non-blocking read of an empty pipe: EAGAIN", read(p[0], b, 1) == -1 && errno == EAGAIN);
	char *big = calloc(1, 1 << 20);
	ssize_t w = write(p[1], big, 1 << 20);
	check("a non-blocking write fills the pipe and stops", w > 0 && w < (1 << 20));
	check("then EAGAIN", write(p[1], big, PIPE_BUF) == -1 && errno == EAGAIN);
	close(p[0]);
	close(p[1]);
	free(big);
}

static volatile sig_atomic_t gotpipe;
static void onpipe(int s) { (void)s; gotpipe = 1; }

static void epipe(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	signal(SIGPIPE, onpipe);
	check("a write with no reader: EPIPE", write(p[1], "x", 1) == -1 && errno == EPIPE);
	check("and SIGPIPE", gotpipe);
	signal(SIGPIPE, SIG_DFL);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	check("SIGPIPE's default kills the writer", WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	close(p[1]);
}

static void atomic(void)
{
	int p[2];
	pipe(p);
	fflush(stdout);
	for (int k = 0; k < 4; k++) {
		if (fork() == 0) {
			char buf[PIPE_BUF];
			memset(buf, 'a' + k, sizeof buf);
			for (int i = 0; i < 32; i++)
				write(p[1], buf, sizeof buf);
			_exit(0);
		}
	}
	close(p[1]);
	char buf[PIPE_BUF];
	int total = 0, torn = 0;
	for (;;) {
		int got = 0;
		while (got < PIPE_BUF) {
			int r = read(p[0], buf + got, PIPE_BUF - got);
			if (r <= 0)
				break;
			got += r;
		}
		if (got == 0)
			break;
		for (int i = 1; i < got; i++)
			torn |= buf[i] != buf[0];
		total += got;
	}
	while (wait(0) > 0)
		;
	check("writes of PIPE_BUF bytes from four writers never interleave", !torn && total == 4 * 32 * PIPE_BUF);
	close(p[0]);
}

static void wakeups(void)
{
	int p[2], q[2];
	pipe(p);
	pipe(q);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		char b;
		read(p[0], &b, 1); /* blocks until the parent writes */
		write(q[1], &b, 1);
		_exit(0);
	}
	struct pollfd pf = {q[0], POLLIN, 0};
	check("poll: nothing to read yet", poll(&pf, 1, 50) == 0);
	write(p[1], "z", 1);
	check("poll: readable once the child answers", poll(&pf, 1, 5000) == 1 && (pf.revents & POLLIN));
	char b = 0;
	read(q[0], &b, 1);
	check("a reader blocked in another process is woken", b == 'z');
	waitpid(c, 0, 0);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 7}, out;
	epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev);
	check("epoll: nothing ready", epoll_wait(ep, &out, 1, 20) == 0);
	close(q[1]);
	check("epoll: the read end hangs up when the writers go", epoll_wait(ep, &out, 1, 1000) == 1 &&
										  (out.events & EPOLLHUP) && out.data.u32 == 7);
	struct pollfd pw = {p[1], POLLOUT, 0};
	close(p[0]);
	check("poll: a write end with no reader reports POLLERR", poll(&pw, 1, 0) == 1 && (pw.revents & POLLERR));
	close(ep);
	close(q[0]);
	close(p[1]);
}

static void sharing(const char *self)
{
	int p[2];
	pipe(p);
	int d = dup(p[1]);
	fcntl(d, F_SETFL, O_NONBLOCK);
	check("dup shares the status flags", fcntl(p[1], F_GETFL) & O_NONBLOCK);
	check("but not FD_CLOEXEC", fcntl(d, F_SETFD, FD_CLOEXEC) == 0 && !(fcntl(p[1], F_GETFD) & FD_CLOEXEC));
	check("dup3 of a descriptor onto itself: EINVAL", dup3(d, d, 0) == -1 && errno == EINVAL);
	check("dup3 O_CLOEXEC", dup3(p[0], 40, O_CLOEXEC) == 40 && (fcntl(40, F_GETFD) & FD_CLOEXEC));
	int h = fcntl(p[0], F_DUPFD_CLOEXEC, 50);
	check("F_DUPFD_CLOEXEC at the lowest free >= 50", h == 50 && (fcntl(h, F_GETFD) & FD_CLOEXEC));
	check("close_range closes a range", syscall(SYS_close_range, 40, 60, 0) == 0 &&
						fcntl(40, F_GETFD) == -1 && fcntl(50, F_GETFD) == -1);
	check("close_range with first > last: EINVAL", syscall(SYS_close_range, 5, 4, 0) == -1 && errno == EINVAL);
	check("close_range CLOSE_RANGE_CLOEXEC marks", syscall(SYS_close_range, d, d, 4) == 0 &&
							 (fcntl(d, F_GETFD) & FD_CLOEXEC));
	int f = open(self, O_RDONLY);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		lseek(f, 100, SEEK_SET);
		_exit(0);
	}
	waitpid(c, 0, 0);
	check("fork shares the file offset", lseek(f, 0, SEEK_CUR) == 100);
	close(f);
	close(d);
	close(p[0]);
	close(p[1]);
}

static volatile sig_atomic_t gotusr;
static void onusr(int s) { (void)s; gotusr++; }

/* waitfor reaps child c within about five seconds, else kills it: a
 * kernel that loses a wake-up fails the check instead of hanging. */
static int waitfor(pid_t c)
{
	int st;
	for (int i = 0; i < 500; i++) {
		if (waitpid(c, &st, WNOHANG) == c)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		usleep(10000);
	}
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	return -1;
}

/* blockedread forks a child that says it is ready, then reads one byte
 * from a pipe nobody writes for a while; the parent runs poke on it
 * (a signal, a stop), writes the byte, and returns what the child's read
 * ended with: 1, or -errno. */
static int blockedread(int restart, void (*poke)(pid_t))
{
	int p[2], ready[2], res[2];
	pipe(p), pipe(ready), pipe(res);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		struct sigaction sa = {0};
		sa.sa_handler = onusr;
		sa.sa_flags = restart ? SA_RESTART : 0;
		sigaction(SIGUSR1, &sa, 0);
		write(ready[1], "r", 1);
		char b;
		int r = read(p[0], &b, 1);
		int out = r == 1 ? 1 : -errno;
		write(res[1], &out, sizeof out);
		_exit(0);
	}
	char b;
	read(ready[0], &b, 1);
	usleep(200000); /* long enough for the child to block in read */
	poke(c);
	usleep(100000);
	write(p[1], "x", 1);
	int out = 0;
	if (waitfor(c) != 0 || read(res[0], &out, sizeof out) != sizeof out)
		out = 0;
	close(p[0]), close(p[1]), close(ready[0]), close(ready[1]), close(res[0]), close(res[1]);
	return out;
}

static void usr1(pid_t c) { kill(c, SIGUSR1); }
static void stopcont(pid_t c)
{
	int st;
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	kill(c, SIGCONT);
}

/* interrupts checks how signals end blocking calls: a handler that has
 * already run does not cut a later read short, a blocked pending signal
 * ends rt_sigsuspend at once, SA_RESTART restarts a pipe read and its
 * absence makes it EINTR, and a stop and continue restart it too. */
static void interrupts(void)
{
	struct sigaction sa = {0}, old;
	sa.sa_handler = onusr;
	sigaction(SIGUSR1, &sa, &old);
	gotusr = 0;
	kill(getpid(), SIGUSR1); /* raise would block signals around its tkill */
	check("a signal sent to oneself is handled before kill returns", gotusr == 1);
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		usleep(100000);
		write(p[1], "z", 1);
		_exit(0);
	}
	char b = 0;
	int r = read(p[0], &b, 1);
	check("a read after the handler ran blocks until data comes", r == 1 && b == 'z');
	waitfor(c);
	close(p[0]), close(p[1]);

	fflush(stdout);
	c = fork();
	if (c == 0) {
		sigset_t set, none;
		sigemptyset(&set), sigemptyset(&none);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, 0);
		gotusr = 0;
		raise(SIGUSR1);
		int was = gotusr;
		r = sigsuspend(&none);
		_exit(was == 0 && r == -1 && errno == EINTR && gotusr == 1 ? 0 : 1);
	}
	check("rt_sigsuspend ends at once for a signal pending while blocked", waitfor(c) == 0);

	check("SA_RESTART: a blocked pipe read goes on after the handler", blockedread(1, usr1) == 1);
	check("no SA_RESTART: a blocked pipe read is EINTR", blockedread(0, usr1) == -EINTR);
	check("stop and continue: a blocked pipe read goes on", blockedread(0, stopcont) == 1);
	sigaction(SIGUSR1, &old, 0);
}

int main(int argc, char **argv)
{
	(void)argc;
	basics();
	epipe();
	atomic();
	wakeups();
	sharing(argv[0]);
	interrupts();
	if (failures) {
		printf("pipes: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("pipes ok %d\n", checks);
	return 0;
}
