/* pthread_stress runs 8 threads through the C library's synchronisation
 * for SECONDS (default 10) in five phases: condition variables (a bounded
 * queue, with signal, broadcast and timed waits), barriers, rwlocks,
 * robust mutexes whose owners die holding them, and priority-inheritance
 * mutexes (robust, and with deaths too under glibc: musl 1.2's exit path
 * wakes PI waiters with FUTEX_WAKE, which Linux refuses, so they hang
 * there on Linux as well). Each phase checks its invariant; a
 * lost wakeup shows as a hang (the caller's timeout), a broken lock as a
 * wrong count. Prints "pthread_stress ok" and exits 0 when all held. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define NT 8
static double phase_end;
static int failed;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int running(void) { return now() < phase_end; }

static void fail(const char *what, long got, long want)
{
	printf("pthread_stress: %s: %ld, want %ld\n", what, got, want);
	failed = 1;
}

static void runall(void *(*fn)(void *))
{
	pthread_t t[NT];
	for (long i = 0; i < NT; i++)
		if (pthread_create(&t[i], 0, fn, (void *)i) != 0)
			fail("pthread_create", i, -1);
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], 0);
}

/* --- condition variables: 4 producers, 4 consumers, 4 slots --------- */

static pthread_mutex_t qmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notfull = PTHREAD_COND_INITIALIZER, notempty = PTHREAD_COND_INITIALIZER;
static long queue[4], qlen, produced, consumed, producers_left = NT / 2;

static void *condworker(void *arg)
{
	long id = (long)arg, n = 0;
	pthread_mutex_lock(&qmu);
	if (id < NT / 2) {
		while (running()) {
			while (qlen == 4)
				pthread_cond_wait(&notfull, &qmu);
			queue[qlen++] = ++n;
			produced += n;
			if (n % 16 == 0)
				pthread_cond_broadcast(&notempty);
			else
				pthread_cond_signal(&notempty);
		}
		producers_left--;
		pthread_cond_broadcast(&notempty);
	} else {
		for (;;) {
			while (qlen == 0 && producers_left > 0) {
				struct timespec ts;
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_nsec += 1000000 * (1 + id % 3);
				if (ts.tv_nsec >= 1000000000)
					ts.tv_sec++, ts.tv_nsec -= 1000000000;
				int r = pthread_cond_timedwait(&notempty, &qmu, &ts);
				if (r != 0 && r != ETIMEDOUT)
					fail("pthread_cond_timedwait", r, 0);
			}
			if (qlen == 0)
				break;
			consumed += queue[--qlen];
			n++;
			pthread_cond_signal(&notfull);
		}
	}
	pthread_mutex_unlock(&qmu);
	return (void *)n;
}

/* --- barriers ----------------------------------------------------------- */

static pthread_barrier_t bar;
static long rounds[NT];
static atomic_int stop_barrier;

static void *barrierworker(void *arg)
{
	long id = (long)arg;
	for (long r = 1;; r++) {
		rounds[id] = r;
		if (id == 0)
			atomic_store(&stop_barrier, !running());
		pthread_barrier_wait(&bar);
		for (int i = 0; i < NT; i++)
			if (rounds[i] != r)
				fail("barrier round seen", rounds[i], r);
		int stop = atomic_load(&stop_barrier);
		pthread_barrier_wait(&bar);
		if (stop)
			return (void *)r;
	}
}

/* --- rwlocks: writers keep all cells equal, readers check --------------- */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long cells[16];
static atomic_long reads, writes;

static void *rwworker(void *arg)
{
	long id = (long)arg;
	while (running()) {
		if (id < 2) {
			pthread_rwlock_wrlock(&rw);
			for (int i = 0; i < 16; i++)
				cells[i]++;
			pthread_rwlock_unlock(&rw);
			atomic_fetch_add(&writes, 1);
		} else {
			pthread_rwlock_rdlock(&rw);
			for (int i = 1; i < 16; i++)
				if (cells[i] != cells[0])
					fail("rwlock reader saw a torn write", cells[i], cells[0]);
			pthread_rwlock_unlock(&rw);
			atomic_fetch_add(&reads, 1);
		}
	}
	return 0;
}

/* --- robust mutexes: owners die holding them ---------------------------- */

static pthread_mutex_t rmu;
static long rcount, rwant;
static atomic_int deaths, seen, live, maxdeaths;

static void *robustworker(void *arg)
{
	unsigned seed = (unsigned)(long)arg * 2654435761u;
	while (running()) {
		int r = pthread_mutex_lock(&rmu);
		if (r == EOWNERDEAD) {
			atomic_fetch_add(&seen, 1);
			pthread_mutex_consistent(&rmu);
		} else if (r != 0) {
			fail("robust pthread_mutex_lock", r, 0);
			break;
		}
		rcount++, rwant++;
		if (rand_r(&seed) % 64 == 0 && atomic_load(&deaths) < atomic_load(&maxdeaths)) {
			/* Start a replacement, then die holding the lock. */
			pthread_t t;
			atomic_fetch_add(&live, 1);
			atomic_fetch_add(&deaths, 1);
			pthread_create(&t, 0, robustworker, (void *)(long)rand_r(&seed));
			pthread_detach(t);
			atomic_fetch_sub(&live, 1);
			return 0;
		}
		pthread_mutex_unlock(&rmu);
	}
	atomic_fetch_sub(&live, 1);
	return 0;
}

static void robustphase(int protocol, int ndeaths, const char *name)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (pthread_mutexattr_setprotocol(&a, protocol) != 0)
		fail("pthread_mutexattr_setprotocol", protocol, 0);
	pthread_mutex_init(&rmu, &a);
	rcount = rwant = 0;
	atomic_store(&deaths, 0), atomic_store(&seen, 0), atomic_store(&live, NT);
	atomic_store(&maxdeaths, ndeaths);
	pthread_t t[NT];
	for (long i = 0; i < NT; i++) {
		pthread_create(&t[i], 0, robustworker, (void *)(i + 1));
		pthread_detach(t[i]);
	}
	while (atomic_load(&live) > 0)
		usleep(10000);
	/* The last death may have had no later locker: take the lock once more. */
	if (pthread_mutex_lock(&rmu) == EOWNERDEAD) {
		atomic_fetch_add(&seen, 1);
		pthread_mutex_consistent(&rmu);
	}
	pthread_mutex_unlock(&rmu);
	printf("pthread_stress: %s: %ld locked sections, %d owners died holding it, %d deaths seen\n", name,
	       rcount, atomic_load(&deaths), atomic_load(&seen));
	if (atomic_load(&seen) != atomic_load(&deaths))
		fail("owner deaths seen as EOWNERDEAD", atomic_load(&seen), atomic_load(&deaths));
	if (rcount != rwant || rcount == 0)
		fail("robust counter", rcount, rwant);
}

/* --- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 10;
	double each = secs / 5;
	setvbuf(stdout, 0, _IONBF, 0);

	phase_end = now() + each;
	pthread_t t[NT];
	long got[NT], total = 0;
	for (long i = 0; i < NT; i++)
		pthread_create(&t[i], 0, condworker, (void *)i);
	for (int i = 0; i < NT; i++) {
		void *r;
		pthread_join(t[i], &r);
		got[i] = (long)r;
	}
	for (int i = NT / 2; i < NT; i++)
		total += got[i];
	printf("pthread_stress: condvar: %ld items through the queue\n", total);
	if (consumed != produced || total == 0)
		fail("condvar sum consumed", consumed, produced);

	phase_end = now() + each;
	pthread_barrier_init(&bar, 0, NT);
	runall(barrierworker);
	printf("pthread_stress: barrier: %ld rounds\n", rounds[0]);

	phase_end = now() + each;
	runall(rwworker);
	printf("pthread_stress: rwlock: %ld reads, %ld writes\n", atomic_load(&reads), atomic_load(&writes));
	if (cells[0] != atomic_load(&writes))
		fail("rwlock writes", cells[0], atomic_load(&writes));

	phase_end = now() + each;
	robustphase(PTHREAD_PRIO_NONE, 200, "robust mutex");
	phase_end = now() + each;
#ifdef __GLIBC__
	robustphase(PTHREAD_PRIO_INHERIT, 200, "robust PI mutex");
#else
	robustphase(PTHREAD_PRIO_INHERIT, 0, "robust PI mutex");
#endif

	if (failed)
		return 1;
	printf("pthread_stress ok\n");
	return 0;
}
