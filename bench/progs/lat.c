/* lat: lmbench-style latencies for "starry bench", the same static
 * binary in a Starry-Go guest, in a Linux guest and on the host.
 *
 *   lat DIR [NAME...]   run the benchmarks (all, or those named); DIR
 *                       holds exit0 (static, exits 0), exit0_dyn (the
 *                       same, dynamically linked with glibc), big (a
 *                       10 MiB static program that touches 1 MiB), sh
 *                       (busybox, run as "sh -c true") and file4k
 *
 * "boot" (only when started by bench/progs/init, in a guest) is the
 * time from the machine's reset to init's first instructions.
 *
 * Each benchmark takes a fixed number of samples after a few untimed
 * runs; a sample times a batch of operations with CLOCK_MONOTONIC and
 * the TSC and is the batch's time per operation. Per benchmark it prints
 *   lat: NAME n N batch B ns MED P10 P90 P99 cycles MED P10 P90 P99
 *   lat-samples: NAME S1 S2 ...          (each sample, ns per operation)
 * or "lat: NAME failed: WHY", and at the end "lat: done". The exit
 * status is 1 when a benchmark failed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define MAX_SAMPLES 1000
#define WARMUP 3
#define PAGE 4096
#define FAULT_PAGES 64

extern char **environ;

static char why[512];
static char exit0[256], exit0_dyn[256], big[256], sh[256], file4k[256];

/* fail records why an operation failed; it returns -1 for the caller. */
#define fail(...) (snprintf(why, sizeof why, __VA_ARGS__), -1)

/* A bench is a batch-timed operation with optional hooks: setup and
 * teardown around all samples, prep and post around each (untimed). */
struct bench {
	const char *name;
	int samples, batch;
	int (*op)(void);
	int (*setup)(void), (*prep)(void);
	void (*post)(void), (*teardown)(void);
};

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* pct is the nearest-rank percentile p of sorted v. */
static double pct(const double *v, int n, int p)
{
	int i = (p * n + 99) / 100 - 1;
	return v[i < 0 ? 0 : i];
}

/* reap waits for pid and checks that it exited 0. */
static int reap(pid_t pid)
{
	int st;
	pid_t r;
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (r != pid)
		return fail("waitpid: %s", r < 0 ? strerror(errno) : "another child");
	if (WIFSIGNALED(st))
		return fail("the child was killed by signal %d", WTERMSIG(st));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return fail("the child exited with status %d (127: its execve failed)", WEXITSTATUS(st));
	return 0;
}

static int op_getppid(void)
{
	return getppid() > 0 ? 0 : fail("getppid returned nothing");
}

/* Page faults: prep maps FAULT_PAGES fresh anonymous pages, each
 * operation writes to the next for the first time. */
static char *fault_area;
static int fault_next;

static int prep_fault(void)
{
	fault_area = mmap(0, FAULT_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fault_next = 0;
	return fault_area == MAP_FAILED ? fail("mmap: %s", strerror(errno)) : 0;
}

static int op_fault(void)
{
	fault_area[fault_next++ * PAGE] = 1;
	return 0;
}

static void post_fault(void)
{
	munmap(fault_area, FAULT_PAGES * PAGE);
}

static int op_mmap(void)
{
	void *p = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return fail("mmap: %s", strerror(errno));
	return munmap(p, 1 << 20) == 0 ? 0 : fail("munmap: %s", strerror(errno));
}

static int op_fork_exit(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	return pid < 0 ? fail("fork: %s", strerror(errno)) : reap(pid);
}

/* run_forked forks (or vforks) a child that executes path. */
static int run_forked(int use_vfork, const char *path, char *const argv[])
{
	pid_t pid = use_vfork ? vfork() : fork();
	if (pid == 0) {
		execve(path, argv, environ);
		_exit(127);
	}
	return pid < 0 ? fail("fork: %s", strerror(errno)) : reap(pid);
}

static int op_fork_exec(void)
{
	char *argv[] = {exit0, 0};
	return run_forked(0, exit0, argv);
}

static int op_vfork_exec(void)
{
	char *argv[] = {exit0, 0};
	return run_forked(1, exit0, argv);
}

static int op_spawn(void)
{
	char *argv[] = {exit0, 0};
	pid_t pid;
	int err = posix_spawn(&pid, exit0, 0, 0, argv, environ);
	return err ? fail("posix_spawn: %s", strerror(err)) : reap(pid);
}

static int op_sh(void)
{
	char *argv[] = {"sh", "-c", "true", 0};
	return run_forked(0, sh, argv);
}

static int op_big(void)
{
	char *argv[] = {big, 0};
	return run_forked(0, big, argv);
}

static int op_dyn(void)
{
	char *argv[] = {exit0_dyn, 0};
	return run_forked(0, exit0_dyn, argv);
}

/* Pipes: an echo child answers each byte down[] brings on up[]. */
static int down[2], up[2], self[2];
static pid_t echo_pid;

static int setup_echo(void)
{
	if (pipe(down) || pipe(up) || pipe(self))
		return fail("pipe: %s", strerror(errno));
	echo_pid = fork();
	if (echo_pid < 0)
		return fail("fork: %s", strerror(errno));
	if (echo_pid == 0) {
		char c;
		close(down[1]);
		close(up[0]);
		while (read(down[0], &c, 1) == 1)
			if (write(up[1], &c, 1) != 1)
				_exit(2);
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	return 0;
}

static void teardown_echo(void)
{
	close(down[1]);
	close(up[0]);
	close(self[0]);
	close(self[1]);
	reap(echo_pid);
}

/* pass writes a byte to w and reads one from r. */
static int pass(int w, int r)
{
	char c = 'x';
	if (write(w, &c, 1) != 1)
		return fail("write: %s", strerror(errno));
	if (read(r, &c, 1) != 1)
		return fail("read: %s", strerror(errno));
	return 0;
}

static int op_pipe(void)
{
	return pass(down[1], up[0]);
}

/* A context switch, as lmbench's lat_ctx counts it: a round trip is two
 * switches plus two passes through a pipe, and the passes are timed in
 * this process alone and taken off (op_ctx's time is made per switch by
 * measure, from these two). */
static double ctx_self_ns, ctx_self_cyc;

static int op_self_pass(void)
{
	return pass(self[1], self[0]);
}

static int fd4k = -1;

static int setup_file(void)
{
	fd4k = open(file4k, O_RDONLY);
	return fd4k < 0 ? fail("open %s: %s", file4k, strerror(errno)) : 0;
}

static void teardown_file(void)
{
	close(fd4k);
}

static int op_open_close(void)
{
	int fd = open(file4k, O_RDONLY);
	if (fd < 0)
		return fail("open %s: %s", file4k, strerror(errno));
	return close(fd) == 0 ? 0 : fail("close: %s", strerror(errno));
}

static int op_stat(void)
{
	struct stat st;
	return stat(file4k, &st) == 0 ? 0 : fail("stat %s: %s", file4k, strerror(errno));
}

static int op_read(void)
{
	static char buf[4096];
	ssize_t n = pread(fd4k, buf, sizeof buf, 0);
	return n == sizeof buf ? 0 : fail("pread: %s", n < 0 ? strerror(errno) : "short read");
}

static double ns_s[MAX_SAMPLES], cyc_s[MAX_SAMPLES];

/* sample times one batch of op; it returns the time per operation. */
static int sample(const struct bench *b, double *ns, double *cyc)
{
	if (b->prep && b->prep() != 0)
		return -1;
	double t0 = now_ns();
	unsigned long long c0 = __rdtsc();
	int r = 0;
	for (int i = 0; i < b->batch && r == 0; i++)
		r = b->op();
	unsigned long long c1 = __rdtsc();
	double t1 = now_ns();
	if (b->post)
		b->post();
	*ns = (t1 - t0) / b->batch;
	*cyc = (double)(c1 - c0) / b->batch;
	return r;
}

static const struct bench self_pass = {"self-pass", 1, 20, op_self_pass};

/* measure takes b's samples; the context switch subtracts, sample by
 * sample, the in-process pipe passes measured next to it. */
static int measure(const struct bench *b, int is_ctx)
{
	double ns, cyc;
	for (int i = 0; i < WARMUP; i++)
		if (sample(b, &ns, &cyc) != 0)
			return -1;
	for (int i = 0; i < b->samples; i++) {
		if (is_ctx && sample(&self_pass, &ctx_self_ns, &ctx_self_cyc) != 0)
			return -1;
		if (sample(b, &ns, &cyc) != 0)
			return -1;
		if (is_ctx) {
			ns = (ns - 2 * ctx_self_ns) / 2;
			cyc = (cyc - 2 * ctx_self_cyc) / 2;
		}
		ns_s[i] = ns;
		cyc_s[i] = cyc;
	}
	return 0;
}

static void report(const struct bench *b)
{
	int n = b->samples;
	printf("lat-samples: %s", b->name);
	for (int i = 0; i < n; i++)
		printf(" %.0f", ns_s[i]);
	qsort(ns_s, n, sizeof ns_s[0], cmp);
	qsort(cyc_s, n, sizeof cyc_s[0], cmp);
	printf("\nlat: %s n %d batch %d ns %.0f %.0f %.0f %.0f cycles %.0f %.0f %.0f %.0f\n", b->name, n, b->batch,
	       pct(ns_s, n, 50), pct(ns_s, n, 10), pct(ns_s, n, 90), pct(ns_s, n, 99),
	       pct(cyc_s, n, 50), pct(cyc_s, n, 10), pct(cyc_s, n, 90), pct(cyc_s, n, 99));
	fflush(stdout);
}

static const struct bench benches[] = {
	{"getppid", 200, 100, op_getppid},
	{"page_fault", 200, FAULT_PAGES, op_fault, 0, prep_fault, post_fault},
	{"mmap_munmap_1m", 300, 1, op_mmap},
	{"fork_exit_wait", 300, 1, op_fork_exit},
	{"fork_exec_wait", 200, 1, op_fork_exec},
	{"vfork_exec_wait", 200, 1, op_vfork_exec},
	{"posix_spawn_wait", 200, 1, op_spawn},
	{"sh_c_true", 100, 1, op_sh},
	{"exec_big_10m", 100, 1, op_big},
	{"exec_dyn_glibc", 100, 1, op_dyn},
	{"pipe_round_trip", 200, 20, op_pipe, setup_echo, 0, 0, teardown_echo},
	{"ctx_switch", 200, 20, op_pipe, setup_echo, 0, 0, teardown_echo},
	{"open_close", 200, 20, op_open_close},
	{"stat", 200, 20, op_stat},
	{"read_4k", 200, 20, op_read, setup_file, 0, 0, teardown_file},
};

/* boot reports LAT_BOOT_TSC, the TSC when the guest's init began (its
 * first user instructions; see init.c), as one sample: the TSC's rate,
 * measured against CLOCK_MONOTONIC over 20 ms, turns it into ns. */
static int boot(void)
{
	const char *v = getenv("LAT_BOOT_TSC");
	if (!v) {
		printf("lat: boot failed: no LAT_BOOT_TSC (not started by bench/progs/init)\n");
		return 1;
	}
	double cyc = strtod(v, 0), t0 = now_ns(), t1;
	unsigned long long c0 = __rdtsc(), c1;
	while ((t1 = now_ns()) - t0 < 20e6)
		;
	c1 = __rdtsc();
	ns_s[0] = cyc * (t1 - t0) / (double)(c1 - c0);
	cyc_s[0] = cyc;
	const struct bench b = {"boot", 1, 1};
	report(&b);
	return 0;
}

static int wanted(const char *name, int argc, char **argv)
{
	if (argc < 3)
		return 1;
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

static int run(const struct bench *b)
{
	fflush(stdout); /* children inherit no buffered output */
	int r = b->setup ? b->setup() : 0;
	if (r == 0)
		r = measure(b, strcmp(b->name, "ctx_switch") == 0);
	if (r == 0 && b->teardown) {
		why[0] = 0;
		b->teardown();
		r = why[0] ? -1 : 0;
	} else if (b->teardown) {
		char first[sizeof why];
		strcpy(first, why);
		b->teardown();
		strcpy(why, first);
	}
	if (r != 0) {
		printf("lat: %s failed: %s\n", b->name, why);
		fflush(stdout);
		return 1;
	}
	report(b);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: lat DIR [NAME...]\n");
		return 2;
	}
	snprintf(exit0, sizeof exit0, "%s/exit0", argv[1]);
	snprintf(exit0_dyn, sizeof exit0_dyn, "%s/exit0_dyn", argv[1]);
	snprintf(big, sizeof big, "%s/big", argv[1]);
	snprintf(sh, sizeof sh, "%s/sh", argv[1]);
	snprintf(file4k, sizeof file4k, "%s/file4k", argv[1]);
	int bad = 0, n = 0;
	if (getenv("LAT_BOOT_TSC") && wanted("boot", argc, argv)) { /* only in a guest */
		bad |= boot();
		n++;
	}
	for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++)
		if (wanted(benches[i].name, argc, argv)) {
			bad |= run(&benches[i]);
			n++;
		}
	if (n == 0) {
		fprintf(stderr, "lat: no benchmark of that name\n");
		return 2;
	}
	puts("lat: done");
	return bad;
}
