/* threads starts 4 POSIX threads that each bump a counter under a mutex
 * and an atomic one, then joins them: clone, futex waits and wakes, and
 * CLONE_CHILD_CLEARTID (how join learns a thread ended) must all work. */
#include <pthread.h>
#include <stdio.h>

#define THREADS 4
#define ROUNDS 20000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long locked;
static long atomic;

static void *work(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&mu);
		locked++;
		pthread_mutex_unlock(&mu);
		__atomic_fetch_add(&atomic, 1, __ATOMIC_SEQ_CST);
	}
	return arg;
}

int main(void)
{
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], 0, work, (void *)i) != 0) {
			printf("threads: pthread_create failed\n");
			return 1;
		}
	for (long i = 0; i < THREADS; i++) {
		void *ret;
		if (pthread_join(t[i], &ret) != 0 || ret != (void *)i) {
			printf("threads: join %ld failed\n", i);
			return 1;
		}
	}
	if (locked != THREADS * ROUNDS || atomic != THREADS * ROUNDS) {
		printf("threads: counters %ld %ld, want %d\n", locked, atomic, THREADS * ROUNDS);
		return 1;
	}
	printf("threads ok %ld\n", locked);
	return 0;
}
