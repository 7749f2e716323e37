/* bench_exec times process creation and a pipe round trip, for
 * "starry bench exec", which runs it under starry and on the host.
 *
 *   bench_exec HELLO SH   run the benchmarks; HELLO is a static program
 *                         that exits 0 at once (run as "HELLO --exit0", so
 *                         this binary serves), SH a shell run as
 *                         "sh -c true" (argv[0] is "sh", so busybox works)
 *   bench_exec --exit0    exit 0 at once (the "hello" of the benchmarks)
 *
 * Each process benchmark times every run with clock_gettime and rdtsc;
 * the pipe round trip is timed in batches. Each line gives the median:
 *   bench: NAME median N ns M cycles runs R
 * A benchmark that cannot run prints "bench: NAME failed: WHY" instead,
 * the others still run, and the exit status is then 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "bench.h"

#define FORK_RUNS 2000
#define EXEC_RUNS 200
#define PIPE_TRIPS 10000
#define PIPE_BATCH 100
#define WARMUP 3

/* A child whose execve fails exits EXEC_FAIL + errno (errno below 55). */
#define EXEC_FAIL 200

extern char **environ;

#define MAX2(a, b) ((a) > (b) ? (a) : (b))
#define SAMPLES MAX2(MAX2(FORK_RUNS, EXEC_RUNS), PIPE_TRIPS / PIPE_BATCH)

static double ns_s[SAMPLES], cyc_s[SAMPLES];
static char why[256];
static const char *hello, *sh;

/* child_exec is what a forked child runs: the image, or a status that
 * says why execve failed. */
static void child_exec(const char *path, char *const argv[])
{
	execve(path, argv, environ);
	_exit(EXEC_FAIL + (errno < 55 ? errno : 55));
}

/* reap waits for pid and checks it exited 0; on failure it says why. */
static int reap(pid_t pid, const char *what)
{
	int st;
	pid_t r;
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		snprintf(why, sizeof why, "waitpid: %s", strerror(errno));
		return -1;
	}
	if (r != pid) {
		snprintf(why, sizeof why, "waitpid returned %d, not %d", (int)r, (int)pid);
		return -1;
	}
	if (WIFSIGNALED(st)) {
		snprintf(why, sizeof why, "%s killed by signal %d (%s)", what, WTERMSIG(st), strsignal(WTERMSIG(st)));
		return -1;
	}
	if (!WIFEXITED(st)) {
		snprintf(why, sizeof why, "%s: odd wait status %#x", what, st);
		return -1;
	}
	int code = WEXITSTATUS(st);
	if (code >= EXEC_FAIL) {
		snprintf(why, sizeof why, "execve in the child: %s (errno %d)", strerror(code - EXEC_FAIL), code - EXEC_FAIL);
		return -1;
	}
	if (code != 0) {
		snprintf(why, sizeof why, "%s exited with status %d, not 0", what, code);
		return -1;
	}
	return 0;
}

static int fork_exit(void)
{
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, sizeof why, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		_exit(0);
	return reap(pid, "the child");
}

static int fork_execve(void)
{
	char *argv[] = {(char *)hello, "--exit0", 0};
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, sizeof why, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_exec(hello, argv);
	return reap(pid, "hello");
}

static int vfork_execve(void)
{
	char *argv[] = {(char *)hello, "--exit0", 0};
	pid_t pid = vfork();
	if (pid < 0) {
		snprintf(why, sizeof why, "vfork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_exec(hello, argv);
	return reap(pid, "hello");
}

static int spawn(void)
{
	char *argv[] = {(char *)hello, "--exit0", 0};
	pid_t pid;
	int err = posix_spawn(&pid, hello, 0, 0, argv, environ);
	if (err != 0) {
		snprintf(why, sizeof why, "posix_spawn: %s (errno %d)", strerror(err), err);
		return -1;
	}
	return reap(pid, "hello");
}

static int sh_true(void)
{
	char *argv[] = {"sh", "-c", "true", 0};
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, sizeof why, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_exec(sh, argv);
	return reap(pid, "sh -c true");
}

static void report(const char *name, int samples, int runs)
{
	printf("bench: %s median %.0f ns %.0f cycles runs %d\n", name,
	       median(ns_s, samples), median(cyc_s, samples), runs);
	fflush(stdout);
}

static int failed(const char *name)
{
	printf("bench: %s failed: %s\n", name, why);
	fflush(stdout);
	return 1;
}

static int failed_run(const char *name, const char *what, int run, int runs)
{
	printf("bench: %s failed: %s %d of %d: %s\n", name, what, run, runs, why);
	fflush(stdout);
	return 1;
}

/* bench_proc runs one process benchmark: a few untimed runs, then runs
 * timed one by one. */
static int bench_proc(const char *name, int (*f)(void), int runs)
{
	fflush(stdout);
	for (int i = 0; i < WARMUP; i++)
		if (f() != 0)
			return failed_run(name, "warm-up run", i + 1, WARMUP);
	for (int i = 0; i < runs; i++) {
		double t0 = now_ns();
		unsigned long long c0 = __rdtsc();
		int r = f();
		unsigned long long c1 = __rdtsc();
		double t1 = now_ns();
		if (r != 0)
			return failed_run(name, "timed run", i + 1, runs);
		ns_s[i] = t1 - t0;
		cyc_s[i] = (double)(c1 - c0);
	}
	report(name, runs, runs);
	return 0;
}

/* trip sends one byte down to and reads one back from the echo child. */
static int trip(int down, int up)
{
	char c = 'x';
	ssize_t n = write(down, &c, 1);
	if (n != 1) {
		snprintf(why, sizeof why, "write to the child: %s", n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	n = read(up, &c, 1);
	if (n != 1) {
		snprintf(why, sizeof why, "read from the child: %s", n < 0 ? strerror(errno) : "end of file");
		return -1;
	}
	return 0;
}

static int bench_pipe(void)
{
	const char *name = "pipe-roundtrip";
	int down[2], up[2];
	if (pipe(down) != 0 || pipe(up) != 0) {
		snprintf(why, sizeof why, "pipe: %s", strerror(errno));
		return failed(name);
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, sizeof why, "fork: %s", strerror(errno));
		return failed(name);
	}
	if (pid == 0) {
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
	int bad = 0;
	for (int i = 0; i < WARMUP * 10 && !bad; i++)
		bad = trip(down[1], up[0]) != 0;
	int batches = PIPE_TRIPS / PIPE_BATCH;
	for (int b = 0; b < batches && !bad; b++) {
		double t0 = now_ns();
		unsigned long long c0 = __rdtsc();
		for (int i = 0; i < PIPE_BATCH && !bad; i++)
			bad = trip(down[1], up[0]) != 0;
		unsigned long long c1 = __rdtsc();
		double t1 = now_ns();
		ns_s[b] = (t1 - t0) / PIPE_BATCH;
		cyc_s[b] = (double)(c1 - c0) / PIPE_BATCH;
	}
	close(down[1]);
	close(up[0]);
	char first[sizeof why];
	strcpy(first, why);
	int r = reap(pid, "the echo child");
	if (bad) {
		strcpy(why, first);
		return failed(name);
	}
	if (r != 0)
		return failed(name);
	report(name, batches, PIPE_TRIPS);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--exit0") == 0)
		return 0;
	if (argc != 3) {
		fprintf(stderr, "usage: bench_exec HELLO SH, or bench_exec --exit0\n");
		return 2;
	}
	hello = argv[1];
	sh = argv[2];
	int bad = 0;
	bad |= bench_proc("fork+exit+wait", fork_exit, FORK_RUNS);
	bad |= bench_proc("fork+execve+wait", fork_execve, EXEC_RUNS);
	bad |= bench_proc("vfork+execve+wait", vfork_execve, EXEC_RUNS);
	bad |= bench_proc("posix_spawn+wait", spawn, EXEC_RUNS);
	bad |= bench_proc("fork+sh-c-true+wait", sh_true, EXEC_RUNS);
	bad |= bench_pipe();
	return bad;
}
