// timers: clocks, sleeps and timers as Linux has them, compared line by
// line with a native run: alarm, the three interval timers, POSIX timers
// with each notification, timerfd, every clock id with clock_getres and
// clock_nanosleep (relative and TIMER_ABSTIME), CPU-time clocks, times
// and getrusage, and the vDSO's presence. Times are checked against
// generous bounds only: the guest runs under emulation.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static int failures, checks;

static void check(const char *what, int ok)
{
	checks++;
	printf("%s: %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		failures++;
}

static long long ns_of(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long mono(void) { return ns_of(CLOCK_MONOTONIC); }

static volatile sig_atomic_t hits;
static volatile int seen_sig, seen_code, seen_value, seen_tid;

static void onsig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	seen_sig = sig, seen_code = si->si_code, seen_value = si->si_value.sival_int;
	seen_tid = syscall(SYS_gettid);
}

static void handle(int sig)
{
	struct sigaction sa = {.sa_sigaction = onsig, .sa_flags = SA_SIGINFO | SA_RESTART};
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, 0);
}

// spin burns user CPU until the process has used ms more of it, or
// until a signal arrives when until_hit is set; at most 20 s of wall time.
static void spin(int ms, int until_hit)
{
	long long cpu0 = ns_of(CLOCK_PROCESS_CPUTIME_ID), wall0 = mono();
	volatile unsigned long x = 0;
	while (mono() - wall0 < 20000000000LL) {
		for (int i = 0; i < 10000; i++)
			x += i;
		if (until_hit ? hits > 0 : ns_of(CLOCK_PROCESS_CPUTIME_ID) - cpu0 >= ms * 1000000LL)
			return;
	}
}

static void wait_hits(int n)
{
	for (int i = 0; i < 5000 && hits < n; i++)
		usleep(1000);
}

static void alarms(void)
{
	handle(SIGALRM);
	check("alarm with none set returns 0", alarm(5) == 0);
	unsigned left = alarm(0);
	check("alarm(0) returns the seconds left", left == 5 || left == 4);
	hits = 0;
	alarm(1);
	long long t0 = mono();
	int r = pause();
	long long dt = mono() - t0;
	check("alarm(1) interrupts pause with SIGALRM", r == -1 && errno == EINTR && seen_sig == SIGALRM);
	check("after about a second", dt > 800000000LL && dt < 5000000000LL);
}

static void itimers(void)
{
	struct itimerval it = {{0, 50000}, {0, 50000}}, cur;
	hits = 0;
	check("setitimer ITIMER_REAL", setitimer(ITIMER_REAL, &it, 0) == 0);
	getitimer(ITIMER_REAL, &cur);
	check("getitimer gives the interval back", cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 50000 &&
							    cur.it_value.tv_usec <= 50000);
	wait_hits(3);
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &off, &cur);
	check("a periodic ITIMER_REAL fires again and again", hits >= 3 && seen_sig == SIGALRM);
	getitimer(ITIMER_REAL, &cur);
	check("disarmed, getitimer reads zero", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);

	handle(SIGVTALRM);
	handle(SIGPROF);
	struct itimerval once = {{0, 0}, {0, 20000}};
	hits = 0;
	setitimer(ITIMER_VIRTUAL, &once, 0);
	spin(0, 1);
	check("ITIMER_VIRTUAL fires SIGVTALRM after user CPU time", hits == 1 && seen_sig == SIGVTALRM);
	hits = 0;
	setitimer(ITIMER_PROF, &once, 0);
	spin(0, 1);
	check("ITIMER_PROF fires SIGPROF", hits == 1 && seen_sig == SIGPROF);
	hits = 0;
	setitimer(ITIMER_VIRTUAL, &once, 0);
	usleep(100000);
	getitimer(ITIMER_VIRTUAL, &cur);
	check("ITIMER_VIRTUAL does not run while the process sleeps",
	      hits == 0 && (cur.it_value.tv_sec > 0 || cur.it_value.tv_usec > 10000));
	setitimer(ITIMER_VIRTUAL, &off, 0);
	check("setitimer with a bad which: EINVAL", setitimer(7, &once, 0) == -1 && errno == EINVAL);
	struct itimerval bad = {{0, 0}, {0, 1000000}};
	check("setitimer with tv_usec 1000000: EINVAL", setitimer(ITIMER_REAL, &bad, 0) == -1 && errno == EINVAL);
}

static volatile int worker_tid, worker_stop;

static void *worker(void *arg)
{
	(void)arg;
	worker_tid = syscall(SYS_gettid);
	while (!worker_stop)
		usleep(1000);
	return 0;
}

static void posix_timers(void)
{
	handle(SIGUSR1);
	timer_t t;
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
	ev.sigev_value.sival_int = 77;
	check("timer_create CLOCK_MONOTONIC SIGEV_SIGNAL", timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	struct itimerspec its = {{0, 0}, {0, 30000000}}, cur;
	hits = 0;
	timer_settime(t, 0, &its, 0);
	wait_hits(1);
	check("it fires once with SI_TIMER and the value", hits == 1 && seen_code == SI_TIMER && seen_value == 77);
	timer_gettime(t, &cur);
	check("an expired one-shot timer reads zero", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);

	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, 0);
	its = (struct itimerspec){{0, 10000000}, {0, 10000000}};
	timer_settime(t, 0, &its, 0);
	usleep(200000);
	hits = 0;
	sigprocmask(SIG_UNBLOCK, &s, 0);
	int over = timer_getoverrun(t);
	check("a periodic timer's signal queues once, the rest are overruns", hits == 1 && over > 0);
	struct itimerspec zero = {{0, 0}, {0, 0}};
	timer_settime(t, 0, &zero, &cur);
	check("timer_settime returns the old setting", cur.it_interval.tv_nsec == 10000000);
	check("timer_delete", timer_delete(t) == 0);
	int r = timer_delete(t); // musl returns the raw -EINVAL
	check("timer_delete again: EINVAL", r == -EINVAL || (r == -1 && errno == EINVAL));

	ev.sigev_notify = SIGEV_NONE;
	timer_create(CLOCK_REALTIME, &ev, &t);
	its = (struct itimerspec){{0, 0}, {10, 0}};
	hits = 0;
	timer_settime(t, 0, &its, 0);
	usleep(50000);
	timer_gettime(t, &cur);
	check("SIGEV_NONE: no signal, and the time left runs down",
	      hits == 0 && cur.it_value.tv_sec < 10 && cur.it_value.tv_sec >= 5);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	its.it_value = now;
	its.it_value.tv_sec -= 1;
	timer_settime(t, TIMER_ABSTIME, &its, 0);
	timer_gettime(t, &cur);
	check("TIMER_ABSTIME in the past expires at once", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	its.it_value.tv_nsec = 1000000000;
	check("timer_settime with tv_nsec 1e9: EINVAL", timer_settime(t, 0, &its, 0) == -1 && errno == EINVAL);
	timer_delete(t);
	check("timer_create on a bad clock: EINVAL", timer_create(12345, &ev, &t) == -1 && errno == EINVAL);

	pthread_t th;
	worker_stop = 0;
	pthread_create(&th, 0, worker, 0);
	while (!worker_tid)
		usleep(1000);
	ev = (struct sigevent){.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1};
	ev.sigev_notify_thread_id = worker_tid;
	sigprocmask(SIG_BLOCK, &s, 0); // only the worker could take a process signal; this one is its own
	timer_create(CLOCK_MONOTONIC, &ev, &t);
	its = (struct itimerspec){{0, 0}, {0, 20000000}};
	hits = 0;
	timer_settime(t, 0, &its, 0);
	wait_hits(1);
	check("SIGEV_THREAD_ID signals the thread named", hits == 1 && seen_tid == worker_tid);
	timer_delete(t);
	worker_stop = 1;
	pthread_join(th, 0);
	ev.sigev_notify_thread_id = 999999;
	check("SIGEV_THREAD_ID of no such thread: EINVAL", timer_create(CLOCK_MONOTONIC, &ev, &t) == -1 && errno == EINVAL);
	sigprocmask(SIG_UNBLOCK, &s, 0);
}

static void timerfds(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	uint64_t n;
	check("timerfd disarmed: read is EAGAIN", read(fd, &n, 8) == -1 && errno == EAGAIN);
	struct itimerspec its = {{0, 0}, {0, 20000000}}, cur;
	timerfd_settime(fd, 0, &its, 0);
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	check("poll waits for the expiry", poll(&pf, 1, 5000) == 1);
	check("read gives one expiry", read(fd, &n, 8) == 8 && n == 1);
	check("a short buffer: EINVAL", read(fd, &n, 4) == -1 && errno == EINVAL);
	its = (struct itimerspec){{0, 10000000}, {0, 10000000}};
	timerfd_settime(fd, 0, &its, 0);
	usleep(100000);
	check("a periodic timerfd counts the expiries", read(fd, &n, 8) == 8 && n >= 3);
	timerfd_gettime(fd, &cur);
	check("timerfd_gettime gives the interval", cur.it_interval.tv_nsec == 10000000);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	its = (struct itimerspec){{0, 0}, {now.tv_sec + 1000, 0}};
	timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, 0);
	timerfd_gettime(fd, &cur);
	check("TFD_TIMER_ABSTIME: the time left is relative", cur.it_value.tv_sec >= 998 && cur.it_value.tv_sec <= 1000);
	close(fd);
	check("timerfd_create on a bad clock: EINVAL", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0) == -1 && errno == EINVAL);
	check("timerfd_create with bad flags: EINVAL", timerfd_create(CLOCK_MONOTONIC, 0x10) == -1 && errno == EINVAL);
}

static const struct {
	clockid_t id;
	const char *name;
} clocks[] = {
	{CLOCK_REALTIME, "CLOCK_REALTIME"},
	{CLOCK_MONOTONIC, "CLOCK_MONOTONIC"},
	{CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID"},
	{CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID"},
	{CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW"},
	{CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE"},
	{CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE"},
	{CLOCK_BOOTTIME, "CLOCK_BOOTTIME"},
};

static void clocks_(void)
{
	char what[128];
	for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		struct timespec a, b, res;
		int ok = clock_gettime(clocks[i].id, &a) == 0 && clock_gettime(clocks[i].id, &b) == 0 &&
			 (b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
		snprintf(what, sizeof what, "%s reads and does not go back", clocks[i].name);
		check(what, ok);
		ok = clock_getres(clocks[i].id, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000;
		snprintf(what, sizeof what, "%s has a resolution", clocks[i].name);
		check(what, ok);
	}
	struct timespec res;
	clock_getres(CLOCK_MONOTONIC, &res);
	check("CLOCK_MONOTONIC's resolution is 1 ns", res.tv_nsec == 1);
	check("BOOTTIME is not behind MONOTONIC", ns_of(CLOCK_BOOTTIME) >= ns_of(CLOCK_MONOTONIC) - 1000000);
	struct timespec t;
	check("a bad clock: EINVAL", clock_gettime(12345, &t) == -1 && errno == EINVAL);
	check("a bad pointer: EFAULT", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8) == -1 && errno == EFAULT);
	check("clock_settime as root on MONOTONIC: EINVAL", clock_settime(CLOCK_MONOTONIC, &t) == -1 && errno == EINVAL);

	long long cpu0 = ns_of(CLOCK_PROCESS_CPUTIME_ID), th0 = ns_of(CLOCK_THREAD_CPUTIME_ID), wall0 = mono();
	spin(50, 0);
	long long dcpu = ns_of(CLOCK_PROCESS_CPUTIME_ID) - cpu0, dth = ns_of(CLOCK_THREAD_CPUTIME_ID) - th0;
	check("CPU clocks advance by the CPU used", dcpu >= 50000000 && dth >= 45000000 && dth <= dcpu + 1000000);
	check("not faster than the wall clock", dcpu <= mono() - wall0 + 5000000);
	cpu0 = ns_of(CLOCK_PROCESS_CPUTIME_ID);
	usleep(100000);
	check("a sleep uses little CPU", ns_of(CLOCK_PROCESS_CPUTIME_ID) - cpu0 < 50000000);
	clockid_t cid;
	check("clock_getcpuclockid of this process", clock_getcpuclockid(0, &cid) == 0 && clock_gettime(cid, &t) == 0);
	check("pthread_getcpuclockid of this thread",
	      pthread_getcpuclockid(pthread_self(), &cid) == 0 && clock_gettime(cid, &t) == 0);
	check("the vDSO is mapped (AT_SYSINFO_EHDR)", getauxval(AT_SYSINFO_EHDR) != 0);
	struct timeval tv;
	gettimeofday(&tv, 0);
	time_t now = time(0);
	check("time and gettimeofday agree", now - tv.tv_sec >= 0 && now - tv.tv_sec <= 1);
	unsigned cpu = 99, node = 99;
	check("getcpu gives a CPU and node 0", syscall(SYS_getcpu, &cpu, &node, 0) == 0 && cpu < 64 && node == 0);
}

static void sleeps(void)
{
	long long t0 = mono();
	struct timespec d = {0, 20000000};
	check("clock_nanosleep MONOTONIC 20 ms returns 0", clock_nanosleep(CLOCK_MONOTONIC, 0, &d, 0) == 0);
	check("and slept at least that long", mono() - t0 >= 20000000);
	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 20000000;
	if (abs.tv_nsec >= 1000000000)
		abs.tv_sec++, abs.tv_nsec -= 1000000000;
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, 0);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	check("TIMER_ABSTIME wakes at or after the deadline",
	      now.tv_sec > abs.tv_sec || (now.tv_sec == abs.tv_sec && now.tv_nsec >= abs.tv_nsec));
	t0 = mono();
	abs = (struct timespec){0, 1}; // the guest has not been up for long: no negative seconds
	check("TIMER_ABSTIME in the past returns at once", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, 0) == 0 &&
								    mono() - t0 < 1000000000);
	check("clock_nanosleep REALTIME and BOOTTIME",
	      clock_nanosleep(CLOCK_REALTIME, 0, &d, 0) == 0 && clock_nanosleep(CLOCK_BOOTTIME, 0, &d, 0) == 0);
	check("clock_nanosleep on THREAD_CPUTIME: EINVAL, returned",
	      clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &d, 0) == EINVAL);
	d.tv_nsec = -1;
	check("a negative tv_nsec: EINVAL, returned", clock_nanosleep(CLOCK_MONOTONIC, 0, &d, 0) == EINVAL);
	check("nanosleep with a negative tv_nsec: EINVAL", nanosleep(&d, 0) == -1 && errno == EINVAL);
	struct timespec bad = {0, 1000};
	check("clock_nanosleep with a bad clock: EINVAL", clock_nanosleep(12345, 0, &bad, 0) == EINVAL);
}

static void usage(void)
{
	struct tms a, b;
	clock_t c0 = times(&a);
	spin(50, 0);
	clock_t c1 = times(&b);
	check("times: the clock ticks on and utime grows", c1 >= c0 && b.tms_utime + b.tms_stime > a.tms_utime + a.tms_stime);
	struct rusage ru;
	check("getrusage RUSAGE_SELF has user time", getrusage(RUSAGE_SELF, &ru) == 0 &&
							      (ru.ru_utime.tv_sec > 0 || ru.ru_utime.tv_usec >= 50000));
	check("getrusage RUSAGE_THREAD", getrusage(RUSAGE_THREAD, &ru) == 0 && (ru.ru_utime.tv_sec > 0 || ru.ru_utime.tv_usec >= 40000));
	check("getrusage with a bad who: EINVAL", getrusage(5, &ru) == -1 && errno == EINVAL);
	getrusage(RUSAGE_CHILDREN, &ru);
	long before = ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
	pid_t p = fork();
	if (p == 0) {
		spin(60, 0);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	getrusage(RUSAGE_CHILDREN, &ru);
	long after = ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
	check("RUSAGE_CHILDREN counts a reaped child's CPU", after - before >= 50000);
	times(&b);
	check("times counts it in tms_cutime", b.tms_cutime + b.tms_cstime >= 4);
}

int main(void)
{
	setvbuf(stdout, 0, _IOLBF, 0);
	alarms();
	itimers();
	posix_timers();
	timerfds();
	clocks_();
	sleeps();
	usage();
	if (failures) {
		printf("timers: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("timers ok %d\n", checks);
	return 0;
}
