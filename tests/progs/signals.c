// signals: the signal machinery as Linux has it, compared line by line
// with a native run: sigaction's flags and siginfo, the alternate stack,
// which blocking calls restart, masks, pending sets and queues, waits
// for signals, delivery to a thread that does not block them, default
// actions, signalfd, and the AVX state across a handler (the frame holds
// the XSAVE area, and what the handler writes there is restored).
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static int failures, checks;

static void check(const char *what, int ok)
{
	checks++;
	printf("%s: %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		failures++;
}

static pid_t gettid_(void) { return syscall(SYS_gettid); }

// What the last handler saw.
static volatile sig_atomic_t hits;
static volatile int seen_sig, seen_code, seen_pid, seen_value, seen_tid, seen_order[8];
static volatile uintptr_t seen_sp;
static volatile int seen_onstack, seen_altstack_err;
static sigset_t seen_mask;

static void onsig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	int local;
	if (hits < 8)
		seen_order[hits] = sig;
	hits++;
	seen_sig = sig, seen_code = si->si_code, seen_pid = si->si_pid;
	seen_value = si->si_value.sival_int, seen_tid = gettid_();
	seen_sp = (uintptr_t)&local;
	sigprocmask(SIG_BLOCK, 0, &seen_mask);
	stack_t cur;
	sigaltstack(0, &cur);
	seen_onstack = (cur.ss_flags & SS_ONSTACK) != 0;
	stack_t other = {.ss_sp = malloc(SIGSTKSZ), .ss_size = SIGSTKSZ};
	seen_altstack_err = sigaltstack(&other, 0) == -1 ? errno : 0;
	free(other.ss_sp);
}

static void handle(int sig, int flags, int also_blocked)
{
	struct sigaction sa = {.sa_sigaction = onsig, .sa_flags = SA_SIGINFO | flags};
	sigemptyset(&sa.sa_mask);
	if (also_blocked)
		sigaddset(&sa.sa_mask, also_blocked);
	sigaction(sig, &sa, 0);
}

static void actions(void)
{
	handle(SIGUSR1, 0, SIGUSR2);
	hits = 0;
	raise(SIGUSR1);
	check("a handler runs once per raise", hits == 1 && seen_sig == SIGUSR1);
	check("the signal is blocked in its own handler", sigismember(&seen_mask, SIGUSR1));
	check("sa_mask is blocked in the handler", sigismember(&seen_mask, SIGUSR2));
	sigset_t now;
	sigprocmask(SIG_BLOCK, 0, &now);
	check("the mask is back after the handler", !sigismember(&now, SIGUSR1) && !sigismember(&now, SIGUSR2));
	handle(SIGUSR1, SA_NODEFER, 0);
	raise(SIGUSR1);
	check("SA_NODEFER leaves it unblocked", !sigismember(&seen_mask, SIGUSR1));
	handle(SIGUSR1, SA_RESETHAND, 0);
	raise(SIGUSR1);
	struct sigaction old;
	sigaction(SIGUSR1, 0, &old);
	check("SA_RESETHAND resets the action to SIG_DFL", old.sa_handler == SIG_DFL);
	check("SA_RESETHAND still blocks the signal in the handler", sigismember(&seen_mask, SIGUSR1));

	handle(SIGUSR1, 0, 0);
	kill(getpid(), SIGUSR1);
	check("kill: si_code SI_USER, si_pid the sender", seen_code == SI_USER && seen_pid == getpid());
	syscall(SYS_tgkill, getpid(), gettid_(), SIGUSR1);
	check("tgkill: si_code SI_TKILL", seen_code == SI_TKILL && seen_pid == getpid());
	sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 42});
	check("sigqueue: si_code SI_QUEUE and its value", seen_code == SI_QUEUE && seen_value == 42);
	siginfo_t si = {.si_signo = SIGUSR1, .si_code = SI_QUEUE, .si_pid = getpid(), .si_uid = getuid()};
	si.si_value.sival_int = 43;
	check("rt_sigqueueinfo delivers the caller's siginfo",
	      syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si) == 0 && seen_value == 43);
	si.si_code = SI_USER;
	check("rt_sigqueueinfo with SI_USER to itself is allowed", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si) == 0);
	check("rt_sigqueueinfo with SI_USER to another process: EPERM",
	      syscall(SYS_rt_sigqueueinfo, getppid(), SIGUSR1, &si) == -1 && errno == EPERM);

	struct kaction {
		void *handler;
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} ka;
	check("the kernel's action has SA_RESTORER and a restorer",
	      syscall(SYS_rt_sigaction, SIGUSR1, 0, &ka, 8) == 0 && (ka.flags & 0x04000000) && ka.restorer);
	check("rt_sigaction with a sigsetsize not 8: EINVAL", syscall(SYS_rt_sigaction, SIGUSR1, 0, &ka, 4) == -1 && errno == EINVAL);
	check("sigaction on SIGKILL: EINVAL", sigaction(SIGKILL, &old, 0) == -1 && errno == EINVAL);
	check("sigaction on SIGSTOP: EINVAL", sigaction(SIGSTOP, &old, 0) == -1 && errno == EINVAL);
	check("signal 65: EINVAL from kill and rt_sigaction",
	      syscall(SYS_kill, getpid(), 65) == -1 && errno == EINVAL &&
		      syscall(SYS_rt_sigaction, 65, 0, &ka, 8) == -1 && errno == EINVAL);
	check("kill with signal 0 probes the process", kill(getpid(), 0) == 0);
	check("kill of no such process: ESRCH", kill(999999, SIGUSR1) == -1 && errno == ESRCH);
	check("tgkill of a thread not in the group: ESRCH", syscall(SYS_tgkill, getpid(), 999999, SIGUSR1) == -1 && errno == ESRCH);
	check("tgkill with tgid 0: EINVAL", syscall(SYS_tgkill, 0, gettid_(), SIGUSR1) == -1 && errno == EINVAL);
	check("tkill to this thread", syscall(SYS_tkill, gettid_(), SIGUSR1) == 0 && seen_code == SI_TKILL);
}

static char altbuf[65536];

static int on_alt(void) { return seen_sp >= (uintptr_t)altbuf && seen_sp < (uintptr_t)altbuf + sizeof altbuf; }

static void altstack(void)
{
	stack_t ss = {.ss_sp = altbuf, .ss_size = 1024};
	check("sigaltstack smaller than MINSIGSTKSZ: ENOMEM", sigaltstack(&ss, 0) == -1 && errno == ENOMEM);
	ss.ss_size = sizeof altbuf;
	ss.ss_flags = 0x1234;
	check("sigaltstack with unknown flags: EINVAL", sigaltstack(&ss, 0) == -1 && errno == EINVAL);
	ss.ss_flags = 0;
	check("sigaltstack installs the stack", sigaltstack(&ss, 0) == 0);
	handle(SIGUSR1, SA_ONSTACK, 0);
	raise(SIGUSR1);
	check("SA_ONSTACK runs the handler on the alternate stack", on_alt());
	check("sigaltstack in the handler reports SS_ONSTACK", seen_onstack);
	check("changing the stack while on it: EPERM", seen_altstack_err == EPERM);
	stack_t cur;
	sigaltstack(0, &cur);
	check("after the handler it is not SS_ONSTACK", cur.ss_flags == 0 && cur.ss_sp == altbuf && cur.ss_size == sizeof altbuf);
	handle(SIGUSR1, 0, 0);
	raise(SIGUSR1);
	check("without SA_ONSTACK the handler runs on the thread's stack", !on_alt() && !seen_onstack);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, 0);
	sigaltstack(0, &cur);
	check("SS_DISABLE is reported", cur.ss_flags == SS_DISABLE);
	handle(SIGUSR1, SA_ONSTACK, 0);
	raise(SIGUSR1);
	check("SA_ONSTACK with the stack disabled uses the thread's stack", !on_alt());
}

// poke forks a child that sends SIGUSR1 to this process after 200 ms
// and then, when fd is not -1, writes a byte to it 200 ms later.
static pid_t poke(int fd)
{
	pid_t parent = getpid(), p = fork();
	if (p == 0) {
		usleep(200000);
		kill(parent, SIGUSR1);
		if (fd >= 0) {
			usleep(200000);
			write(fd, "x", 1);
		}
		_exit(0);
	}
	return p;
}

static void reap(pid_t p)
{
	int st;
	while (waitpid(p, &st, 0) == -1 && errno == EINTR)
		;
}

static void restart(void)
{
	int pfd[2];
	char c;
	pipe(pfd);
	for (int flags = 0; flags <= SA_RESTART; flags += SA_RESTART) {
		const char *how = flags ? "with SA_RESTART" : "without SA_RESTART";
		char what[128];
		handle(SIGUSR1, flags, 0);
		hits = 0;
		pid_t p = poke(pfd[1]);
		ssize_t n = read(pfd[0], &c, 1);
		int e = errno;
		snprintf(what, sizeof what, "read of a pipe %s: %s", how, flags ? "restarts" : "EINTR");
		check(what, hits == 1 && (flags ? n == 1 : n == -1 && e == EINTR));
		reap(p);
		if (!flags)
			read(pfd[0], &c, 1);

		p = poke(-1);
		pid_t sleeper = fork();
		if (sleeper == 0) {
			usleep(500000);
			_exit(3);
		}
		int st;
		pid_t w = waitpid(sleeper, &st, 0);
		e = errno;
		snprintf(what, sizeof what, "wait4 %s: %s", how, flags ? "restarts" : "EINTR");
		check(what, flags ? w == sleeper && WEXITSTATUS(st) == 3 : w == -1 && e == EINTR);
		if (!flags)
			reap(sleeper);
		reap(p);

		p = poke(-1);
		struct timespec req = {2, 0}, rem = {0, 0};
		int r = nanosleep(&req, &rem);
		e = errno;
		snprintf(what, sizeof what, "nanosleep %s: EINTR and the remainder", how);
		check(what, r == -1 && e == EINTR && rem.tv_sec < 2 && (rem.tv_sec > 0 || rem.tv_nsec > 0));
		reap(p);

		p = poke(-1);
		struct pollfd pf = {.fd = pfd[0], .events = POLLIN};
		r = poll(&pf, 1, 2000);
		e = errno;
		snprintf(what, sizeof what, "poll %s: EINTR", how);
		check(what, r == -1 && e == EINTR);
		reap(p);

		p = poke(-1);
		fd_set rd;
		FD_ZERO(&rd);
		FD_SET(pfd[0], &rd);
		struct timeval tv = {2, 0};
		r = select(pfd[0] + 1, &rd, 0, 0, &tv);
		e = errno;
		snprintf(what, sizeof what, "select %s: EINTR", how);
		check(what, r == -1 && e == EINTR);
		reap(p);

		p = poke(-1);
		r = pause();
		e = errno;
		snprintf(what, sizeof what, "pause %s: EINTR", how);
		check(what, r == -1 && e == EINTR);
		reap(p);
	}
	close(pfd[0]);
	close(pfd[1]);
}

static void block(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, 0);
}

static void unblock(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_UNBLOCK, &s, 0);
}

static void masks(void)
{
	handle(SIGUSR1, 0, 0);
	handle(SIGUSR2, 0, 0);
	handle(SIGRTMIN, 0, 0);
	handle(SIGRTMIN + 1, 0, 0);
	block(SIGUSR1);
	hits = 0;
	raise(SIGUSR1);
	raise(SIGUSR1);
	raise(SIGUSR1);
	sigset_t pend;
	sigpending(&pend);
	check("a blocked signal is pending, not delivered", hits == 0 && sigismember(&pend, SIGUSR1));
	unblock(SIGUSR1);
	check("a standard signal raised thrice while blocked is delivered once", hits == 1);

	block(SIGRTMIN);
	hits = 0;
	for (int i = 1; i <= 3; i++)
		sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = i});
	unblock(SIGRTMIN);
	check("a real-time signal queued thrice is delivered thrice", hits == 3);

	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, 0);
	hits = 0;
	raise(SIGRTMIN + 1);
	raise(SIGRTMIN);
	raise(SIGUSR2);
	raise(SIGUSR1);
	sigset_t now;
	sigprocmask(SIG_BLOCK, 0, &now);
	check("SIGKILL and SIGSTOP cannot be blocked", !sigismember(&now, SIGKILL) && !sigismember(&now, SIGSTOP));
	sigprocmask(SIG_UNBLOCK, &all, 0);
	// Linux delivers them all on the way out, lowest first, each frame
	// above the last: the highest runs first.
	check("pending signals are delivered lowest first, nested",
	      hits == 4 && seen_order[3] == SIGUSR1 && seen_order[2] == SIGUSR2 && seen_order[1] == SIGRTMIN &&
		      seen_order[0] == SIGRTMIN + 1);
	check("rt_sigprocmask with a sigsetsize not 8: EINVAL",
	      syscall(SYS_rt_sigprocmask, SIG_BLOCK, 0, &now, 4) == -1 && errno == EINVAL);
	check("rt_sigprocmask with a bad how: EINVAL", sigprocmask(99, &all, 0) == -1 && errno == EINVAL);

	// rt_sigsuspend: waits with a temporary mask and puts the old one back.
	block(SIGUSR1);
	pid_t p = poke(-1);
	sigset_t wait;
	sigemptyset(&wait);
	hits = 0;
	int r = sigsuspend(&wait);
	sigprocmask(SIG_BLOCK, 0, &now);
	check("sigsuspend returns EINTR after the handler and restores the mask",
	      r == -1 && errno == EINTR && hits == 1 && sigismember(&now, SIGUSR1));
	reap(p);

	// rt_sigtimedwait takes a blocked signal without running its handler.
	siginfo_t si;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	hits = 0;
	sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 9});
	struct timespec ts = {1, 0};
	r = sigtimedwait(&set, &si, &ts);
	check("sigtimedwait takes the pending signal and its siginfo",
	      r == SIGUSR1 && si.si_code == SI_QUEUE && si.si_value.sival_int == 9 && hits == 0);
	ts = (struct timespec){0, 20000000};
	check("sigtimedwait with nothing pending: EAGAIN", sigtimedwait(&set, &si, &ts) == -1 && errno == EAGAIN);
	ts.tv_nsec = 2000000000;
	check("sigtimedwait with a bad timeout: EINVAL", sigtimedwait(&set, &si, &ts) == -1 && errno == EINVAL);
	unblock(SIGUSR1);
}

static void sigfd(void)
{
	block(SIGUSR2);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	struct signalfd_siginfo ssi;
	check("signalfd with nothing pending: EAGAIN", read(fd, &ssi, sizeof ssi) == -1 && errno == EAGAIN);
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	check("poll on it is not ready", poll(&pf, 1, 0) == 0);
	hits = 0;
	kill(getpid(), SIGUSR2);
	check("after kill poll reports POLLIN", poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN));
	check("read gives the signal's siginfo",
	      read(fd, &ssi, sizeof ssi) == sizeof ssi && ssi.ssi_signo == SIGUSR2 && ssi.ssi_code == SI_USER &&
		      ssi.ssi_pid == (uint32_t)getpid() && hits == 0);
	check("a short buffer: EINVAL", read(fd, &ssi, 8) == -1 && errno == EINVAL);
	sigset_t pend;
	sigpending(&pend);
	check("the read consumed it", !sigismember(&pend, SIGUSR2));
	close(fd);
	unblock(SIGUSR2);
}

static volatile int worker_tid, worker_stop;

static void *worker(void *arg)
{
	(void)arg;
	worker_tid = gettid_();
	while (!worker_stop)
		usleep(1000);
	return 0;
}

static int wait_hits(int n)
{
	for (int i = 0; i < 5000 && hits < n; i++)
		usleep(1000);
	return hits >= n;
}

static void threads(void)
{
	handle(SIGUSR1, 0, 0);
	block(SIGUSR1);
	pthread_t t;
	worker_stop = 0;
	pthread_create(&t, 0, worker, 0); // starts with the creator's mask
	while (!worker_tid)
		usleep(1000);
	hits = 0;
	syscall(SYS_tgkill, getpid(), gettid_(), SIGUSR1);
	usleep(50000);
	sigset_t pend;
	sigpending(&pend);
	check("a signal to a thread that blocks it stays pending on that thread", hits == 0 && sigismember(&pend, SIGUSR1));
	worker_stop = 1;
	pthread_join(t, 0);
	worker_stop = 0, worker_tid = 0;
	unblock(SIGUSR1); // the thread-directed one is delivered now, here
	check("unblocking delivers the thread's pending signal to it", wait_hits(1) && seen_tid == gettid_());
	block(SIGUSR1);
	sigset_t none, s;
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, &s); // the worker starts unblocked
	pthread_create(&t, 0, worker, 0);
	pthread_sigmask(SIG_SETMASK, &s, 0);
	while (!worker_tid)
		usleep(1000);
	hits = 0;
	kill(getpid(), SIGUSR1);
	check("a process signal goes to the thread that does not block it", wait_hits(1) && seen_tid == worker_tid);
	siginfo_t si = {.si_signo = SIGUSR1, .si_code = SI_QUEUE, .si_pid = getpid(), .si_uid = getuid()};
	si.si_value.sival_int = 7;
	hits = 0;
	check("rt_tgsigqueueinfo reaches the thread named",
	      syscall(SYS_rt_tgsigqueueinfo, getpid(), worker_tid, SIGUSR1, &si) == 0 && wait_hits(1) &&
		      seen_tid == worker_tid && seen_value == 7 && seen_code == SI_QUEUE);
	worker_stop = 1;
	pthread_join(t, 0);
	unblock(SIGUSR1);
}

static int status_of(void (*fn)(void))
{
	pid_t p = fork();
	if (p == 0) {
		fn();
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	return st;
}

static void ignored(void)
{
	signal(SIGCHLD, SIG_DFL);
	raise(SIGCHLD);
	raise(SIGURG);
	raise(SIGWINCH);
	raise(SIGCONT);
	_exit(7);
}

static void term(void) { raise(SIGTERM); }
static void alrm(void) { raise(SIGALRM); }
static void quit0(void)
{
	struct rlimit rl = {0, 0};
	setrlimit(RLIMIT_CORE, &rl);
	raise(SIGQUIT);
}
static void stopcont(void)
{
	raise(SIGSTOP);
	_exit(5);
}

static void defaults(void)
{
	int st = status_of(ignored);
	check("SIGCHLD, SIGURG, SIGWINCH, SIGCONT are ignored by default", WIFEXITED(st) && WEXITSTATUS(st) == 7);
	st = status_of(term);
	check("SIGTERM terminates without a core", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM && !WCOREDUMP(st));
	st = status_of(alrm);
	check("SIGALRM terminates", WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM);
	st = status_of(quit0);
	check("SIGQUIT with RLIMIT_CORE 0 terminates, no core bit", WIFSIGNALED(st) && WTERMSIG(st) == SIGQUIT && !WCOREDUMP(st));
	pid_t p = fork();
	if (p == 0)
		stopcont();
	waitpid(p, &st, WUNTRACED);
	check("SIGSTOP stops", WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	kill(p, SIGCONT);
	waitpid(p, &st, 0);
	check("SIGCONT continues it", WIFEXITED(st) && WEXITSTATUS(st) == 5);
	struct sigaction sa = {.sa_handler = SIG_IGN};
	sigaction(SIGTERM, &sa, 0);
	raise(SIGTERM);
	printf("an ignored SIGTERM leaves the process running\n");
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, 0);
}

// The AVX state across a handler. One asm block loads ymm0-15, sends
// the signal by a raw tgkill (so no libc code touches the vector
// registers), and stores them back after the handler has returned.
static unsigned char ymm_in[16][32] __attribute__((aligned(32)));
static unsigned char ymm_out[16][32] __attribute__((aligned(32)));
static volatile int frame_magic, frame_bv, frame_xmm0, frame_ymm0;
static volatile int corrupt; // 1: wipe FP_XSTATE_MAGIC1, 2: a bad XSAVE header

static void clobber(int sig, siginfo_t *si, void *ucv)
{
	(void)sig, (void)si;
	ucontext_t *uc = ucv;
	unsigned char *fp = (unsigned char *)uc->uc_mcontext.fpregs;
	uint32_t magic;
	uint64_t bv;
	memcpy(&magic, fp + 464, 4); // sw_reserved.magic1
	memcpy(&bv, fp + 512, 8);    // the XSAVE header's xstate_bv
	frame_magic = magic == 0x46505853;
	frame_bv = (bv & 7) == 7;
	frame_xmm0 = memcmp(fp + 160, ymm_in[0], 16) == 0;
	frame_ymm0 = memcmp(fp + 576, ymm_in[0] + 16, 16) == 0;
	memset(fp + 576 + 16, 0x5a, 16); // ymm1's upper half, as sigreturn restores it
	if (corrupt == 1)
		memset(fp + 464, 0, 4);
	if (corrupt == 2)
		fp[520] = 1; // xcomp_bv: XRSTOR refuses it
	__asm__ volatile("vxorps %%ymm0, %%ymm0, %%ymm0\n\tvxorps %%ymm1, %%ymm1, %%ymm1\n\t"
			 "vxorps %%ymm2, %%ymm2, %%ymm2\n\tvxorps %%ymm7, %%ymm7, %%ymm7\n\t"
			 "vxorps %%ymm8, %%ymm8, %%ymm8\n\tvxorps %%ymm15, %%ymm15, %%ymm15" ::
				 : "xmm0", "xmm1", "xmm2", "xmm7", "xmm8", "xmm15");
}

// avx_signal loads ymm_in, has clobber run, and stores ymm_out.
static void avx_signal(void)
{
	long nr = SYS_tgkill;
	long pid = getpid(), tid = gettid_();
	__asm__ volatile(
		"vmovdqa 0(%[in]), %%ymm0\n\tvmovdqa 32(%[in]), %%ymm1\n\tvmovdqa 64(%[in]), %%ymm2\n\t"
		"vmovdqa 96(%[in]), %%ymm3\n\tvmovdqa 128(%[in]), %%ymm4\n\tvmovdqa 160(%[in]), %%ymm5\n\t"
		"vmovdqa 192(%[in]), %%ymm6\n\tvmovdqa 224(%[in]), %%ymm7\n\tvmovdqa 256(%[in]), %%ymm8\n\t"
		"vmovdqa 288(%[in]), %%ymm9\n\tvmovdqa 320(%[in]), %%ymm10\n\tvmovdqa 352(%[in]), %%ymm11\n\t"
		"vmovdqa 384(%[in]), %%ymm12\n\tvmovdqa 416(%[in]), %%ymm13\n\tvmovdqa 448(%[in]), %%ymm14\n\t"
		"vmovdqa 480(%[in]), %%ymm15\n\t"
		"syscall\n\t"
		"vmovdqa %%ymm0, 0(%[out])\n\tvmovdqa %%ymm1, 32(%[out])\n\tvmovdqa %%ymm2, 64(%[out])\n\t"
		"vmovdqa %%ymm3, 96(%[out])\n\tvmovdqa %%ymm4, 128(%[out])\n\tvmovdqa %%ymm5, 160(%[out])\n\t"
		"vmovdqa %%ymm6, 192(%[out])\n\tvmovdqa %%ymm7, 224(%[out])\n\tvmovdqa %%ymm8, 256(%[out])\n\t"
		"vmovdqa %%ymm9, 288(%[out])\n\tvmovdqa %%ymm10, 320(%[out])\n\tvmovdqa %%ymm11, 352(%[out])\n\t"
		"vmovdqa %%ymm12, 384(%[out])\n\tvmovdqa %%ymm13, 416(%[out])\n\tvmovdqa %%ymm14, 448(%[out])\n\t"
		"vmovdqa %%ymm15, 480(%[out])\n\t"
		"vzeroupper"
		: "+a"(nr)
		: "D"(pid), "S"(tid), "d"((long)SIGUSR1), [in] "r"(ymm_in), [out] "r"(ymm_out)
		: "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
		  "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

static void avx(void)
{
	if (!__builtin_cpu_supports("avx")) {
		printf("avx: the CPU has none\n");
		return;
	}
	for (int r = 0; r < 16; r++)
		for (int b = 0; b < 32; b++)
			ymm_in[r][b] = r * 16 + b + 1;
	struct sigaction sa = {.sa_sigaction = clobber, .sa_flags = SA_SIGINFO};
	sigaction(SIGUSR1, &sa, 0);
	avx_signal();
	check("the frame's fpstate carries the XSAVE magic", frame_magic);
	check("its xstate_bv has x87, SSE and AVX", frame_bv);
	check("the frame holds xmm0 and ymm0's upper half", frame_xmm0 && frame_ymm0);
	int same = 1;
	for (int r = 0; r < 16; r++)
		if (r != 1 && memcmp(ymm_in[r], ymm_out[r], 32) != 0)
			same = 0;
	check("ymm0-15 survive a handler that clobbers them", same);
	unsigned char want[16];
	memset(want, 0x5a, 16);
	check("sigreturn restores ymm1's upper half from the frame",
	      memcmp(ymm_out[1], ymm_in[1], 16) == 0 && memcmp(ymm_out[1] + 16, want, 16) == 0);

	corrupt = 1;
	avx_signal();
	unsigned char zero[16] = {0};
	check("a frame without the XSAVE magic restores SSE state, and AVX to its init state",
	      memcmp(ymm_out[3], ymm_in[3], 16) == 0 && memcmp(ymm_out[3] + 16, zero, 16) == 0);
	corrupt = 2;
	pid_t p = fork();
	if (p == 0) {
		avx_signal();
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	check("a frame with a bad XSAVE header: SIGSEGV at sigreturn", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	corrupt = 0;
	signal(SIGUSR1, SIG_DFL);
}

int main(void)
{
	setvbuf(stdout, 0, _IOLBF, 0);
	actions();
	altstack();
	restart();
	masks();
	sigfd();
	threads();
	defaults();
	avx();
	if (failures) {
		printf("signals: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("signals ok %d\n", checks);
	return 0;
}
