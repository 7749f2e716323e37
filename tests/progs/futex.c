/* futex checks futex(2) operation by operation, through raw system calls:
 * WAIT and WAKE (values, timeouts, bitsets), REQUEUE and CMP_REQUEUE,
 * WAKE_OP, the PI operations, robust lists at thread exit, and the
 * errors (EAGAIN, ETIMEDOUT, EINVAL, EFAULT, ENOSYS, EPERM, EDEADLK,
 * ESRCH). It runs the same on Linux and in the guest; it prints one line
 * per failed check and "futex ok N checks" when all held. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* include/uapi/linux/futex.h (musl-gcc has no kernel headers) */
enum { WAIT, WAKE, FD, REQUEUE, CMP_REQUEUE, WAKE_OP, LOCK_PI, UNLOCK_PI, TRYLOCK_PI, WAIT_BITSET, WAKE_BITSET,
       WAIT_REQUEUE_PI, CMP_REQUEUE_PI, LOCK_PI2 };
#define PRIV 128
#define CLOCK_RT 256
#define WAITERS 0x80000000u
#define OWNER_DIED 0x40000000u
#define OP(op, oparg, cmp, cmparg) (((op) << 28) | ((cmp) << 24) | ((oparg) << 12) | (cmparg))

static int failures, checks;

static long futex(void *uaddr, int op, uint32_t val, const void *ts_or_val2, void *uaddr2, uint32_t val3)
{
	long r = syscall(SYS_futex, uaddr, op, val, ts_or_val2, uaddr2, val3);
	return r < 0 ? -errno : r;
}

static void expect(const char *what, long got, long want)
{
	checks++;
	if (got != want) {
		printf("futex: %s: got %ld, want %ld\n", what, got, want);
		failures++;
	}
}

static double now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int gettid_(void) { return syscall(SYS_gettid); }

/* --- waiters run in threads ------------------------------------------- */

struct waiter {
	uint32_t *word;
	uint32_t val, bitset;
	int op;
	long result;
	volatile int started;
};

static void *waitthread(void *arg)
{
	struct waiter *w = arg;
	w->started = 1;
	w->result = futex(w->word, w->op, w->val, 0, 0, w->bitset);
	return 0;
}

static void startwaiters(struct waiter *w, pthread_t *t, int n)
{
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], 0, waitthread, &w[i]);
	for (int i = 0; i < n; i++)
		while (!w[i].started)
			usleep(1000);
	usleep(50000); /* let them reach the kernel */
}

static void joinall(pthread_t *t, int n)
{
	for (int i = 0; i < n; i++)
		pthread_join(t[i], 0);
}

static void waitwake(void)
{
	static uint32_t w1;
	struct timespec ts = {0, 20 * 1000 * 1000};
	expect("WAIT on a changed value", futex(&w1, WAIT | PRIV, 1, 0, 0, 0), -EAGAIN);
	double t0 = now(CLOCK_MONOTONIC);
	expect("WAIT with a 20 ms timeout", futex(&w1, WAIT | PRIV, 0, &ts, 0, 0), -ETIMEDOUT);
	expect("WAIT slept its timeout", now(CLOCK_MONOTONIC) - t0 >= 0.019, 1);
	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 20 * 1000 * 1000;
	if (abs.tv_nsec >= 1000000000)
		abs.tv_sec++, abs.tv_nsec -= 1000000000;
	expect("WAIT_BITSET absolute monotonic", futex(&w1, WAIT_BITSET | PRIV, 0, &abs, 0, ~0u), -ETIMEDOUT);
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_sec -= 1;
	expect("WAIT_BITSET realtime in the past", futex(&w1, WAIT_BITSET | PRIV | CLOCK_RT, 0, &abs, 0, ~0u), -ETIMEDOUT);
	struct timespec bad = {0, 1000000000};
	expect("WAIT with tv_nsec 1e9", futex(&w1, WAIT | PRIV, 0, &bad, 0, 0), -EINVAL);
	expect("WAKE with no waiter", futex(&w1, WAKE | PRIV, 1, 0, 0, 0), 0);
	expect("WAIT_BITSET with bitset 0", futex(&w1, WAIT_BITSET | PRIV, 0, 0, 0, 0), -EINVAL);
	expect("WAKE_BITSET with bitset 0", futex(&w1, WAKE_BITSET | PRIV, 1, 0, 0, 0), -EINVAL);
	expect("WAIT on an unmapped word", futex((void *)0x7000dead0000, WAIT | PRIV, 0, 0, 0, 0), -EFAULT);
	expect("WAIT on an unaligned word", futex((char *)&w1 + 1, WAIT | PRIV, 0, 0, 0, 0), -EINVAL);
	expect("CLOCK_REALTIME with WAKE", futex(&w1, WAKE | PRIV | CLOCK_RT, 1, 0, 0, 0), -ENOSYS);
	expect("an unknown operation", futex(&w1, 99 | PRIV, 0, 0, 0, 0), -ENOSYS);
	expect("FUTEX_FD (gone since 2.6.26)", futex(&w1, FD, 0, 0, 0, 0), -ENOSYS);

	/* Two waiters with different bitsets: a wake with one bit wakes one. */
	struct waiter w[3] = {{&w1, 0, 1, WAIT_BITSET | PRIV}, {&w1, 0, 2, WAIT_BITSET | PRIV}, {&w1, 0, ~0u, WAIT | PRIV}};
	pthread_t t[3];
	startwaiters(w, t, 3);
	expect("WAKE_BITSET bit 2 wakes only plain WAIT's all-ones", futex(&w1, WAKE_BITSET | PRIV, 10, 0, 0, 4), 1);
	expect("WAKE_BITSET bit 3 meets no waiter", futex(&w1, WAKE_BITSET | PRIV, 10, 0, 0, 8), 0);
	expect("WAKE_BITSET bit 0 wakes its waiter", futex(&w1, WAKE_BITSET | PRIV, 10, 0, 0, 1), 1);
	expect("WAKE with nr 0 wakes one, as Linux does", futex(&w1, WAKE | PRIV, 0, 0, 0, 0), 1);
	joinall(t, 3);
	for (int i = 0; i < 3; i++)
		expect("a woken WAIT returns 0", w[i].result, 0);
}

static void requeue(void)
{
	static uint32_t a, b;
	struct waiter w[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		w[i] = (struct waiter){&a, 0, ~0u, WAIT | PRIV};
	startwaiters(w, t, 4);
	expect("CMP_REQUEUE with a stale value", futex(&a, CMP_REQUEUE | PRIV, 1, (void *)2L, &b, 7), -EAGAIN);
	expect("REQUEUE with nr_requeue < 0", futex(&a, REQUEUE | PRIV, 1, (void *)-1L, &b, 0), -EINVAL);
	expect("CMP_REQUEUE wakes 1, moves 2", futex(&a, CMP_REQUEUE | PRIV, 1, (void *)2L, &b, 0), 3);
	expect("one waiter is left on the first word", futex(&a, WAKE | PRIV, 10, 0, 0, 0), 1);
	expect("two were moved to the second", futex(&b, WAKE | PRIV, 10, 0, 0, 0), 2);
	joinall(t, 4);
	for (int i = 0; i < 4; i++)
		expect("a requeued WAIT returns 0", w[i].result, 0);
}

static void wakeop(void)
{
	static uint32_t a, b = 5;
	struct waiter w[2] = {{&a, 0, ~0u, WAIT | PRIV}, {&b, 5, ~0u, WAIT | PRIV}};
	pthread_t t[2];
	startwaiters(w, t, 2);
	/* b += 3 (old 5); wake 1 on a; old == 5, so wake 1 on b too. */
	expect("WAKE_OP add, cmp eq", futex(&a, WAKE_OP | PRIV, 1, (void *)1L, &b, OP(1, 3, 0, 5)), 2);
	expect("WAKE_OP changed the second word", b, 8);
	joinall(t, 2);
	/* b = 1<<4 (shifted operand); old 8 > 10 is false: no second wake. */
	expect("WAKE_OP set with shift, cmp gt", futex(&a, WAKE_OP | PRIV, 1, (void *)1L, &b, OP(8 | 0, 4, 4, 10)), 0);
	expect("WAKE_OP wrote 1<<4", b, 16);
	expect("WAKE_OP with an unknown op", futex(&a, WAKE_OP | PRIV, 1, (void *)1L, &b, OP(7, 1, 0, 0)), -ENOSYS);
	expect("WAKE_OP left the word alone", b, 16);
}

/* --- PI ---------------------------------------------------------------- */

static uint32_t pilock;
static volatile int pi_waiting;
static long pi_result;
static uint32_t pi_seen;

static void *pithread(void *arg)
{
	(void)arg;
	expect("TRYLOCK_PI of a held lock", futex(&pilock, TRYLOCK_PI | PRIV, 0, 0, 0, 0), -EAGAIN);
	pi_waiting = 1;
	pi_result = futex(&pilock, LOCK_PI | PRIV, 0, 0, 0, 0);
	pi_seen = pilock;
	if ((pilock & 0x3fffffff) == (uint32_t)gettid_())
		futex(&pilock, UNLOCK_PI | PRIV, 0, 0, 0, 0);
	return 0;
}

static void pi(void)
{
	uint32_t me = gettid_();
	expect("LOCK_PI of a free lock", futex(&pilock, LOCK_PI | PRIV, 0, 0, 0, 0), 0);
	expect("the word names the owner", pilock, me);
	expect("LOCK_PI by the owner", futex(&pilock, LOCK_PI | PRIV, 0, 0, 0, 0), -EDEADLK);
	pthread_t t;
	pthread_create(&t, 0, pithread, 0);
	while (!pi_waiting)
		usleep(1000);
	usleep(50000);
	expect("a waiter set FUTEX_WAITERS", (pilock & WAITERS) != 0, 1);
	expect("UNLOCK_PI hands the lock over", futex(&pilock, UNLOCK_PI | PRIV, 0, 0, 0, 0), 0);
	pthread_join(t, 0);
	expect("the waiter's LOCK_PI returned 0", pi_result, 0);
	expect("the word then named the waiter, with FUTEX_WAITERS", (pi_seen & WAITERS) != 0, 1);
	expect("UNLOCK_PI of a lock not ours", futex(&pilock, UNLOCK_PI | PRIV, 0, 0, 0, 0), -EPERM);
	static uint32_t ghost = 0x3ffffff0; /* no such thread */
	expect("LOCK_PI of a lock a dead TID holds", futex(&ghost, LOCK_PI | PRIV, 0, 0, 0, 0), -ESRCH);
	static uint32_t died = OWNER_DIED; /* free, its last owner died */
	expect("LOCK_PI of a free lock whose owner died", futex(&died, LOCK_PI | PRIV, 0, 0, 0, 0), 0);
	expect("the new owner keeps FUTEX_OWNER_DIED", died, OWNER_DIED | me);
}

/* --- robust lists -------------------------------------------------------- */

struct robust_mutex {
	struct robust_mutex *next; /* struct robust_list */
	uint32_t word;
};
struct robust_head {
	struct robust_mutex *next;
	long offset;
	struct robust_mutex *pending;
};

static struct robust_head rhead;
static struct robust_mutex rm;
static volatile int locked, release;

/* owner takes rm (with FUTEX_WAITERS, as a contended lock has it) on its
 * own robust list, then ends while holding it, as a killed thread would. */
static void *owner(void *arg)
{
	(void)arg;
	rhead.next = &rm;
	rhead.offset = (char *)&rm.word - (char *)&rm;
	rhead.pending = 0;
	rm.next = (struct robust_mutex *)&rhead;
	rm.word = gettid_() | WAITERS;
	syscall(SYS_set_robust_list, &rhead, sizeof rhead);
	struct robust_head *got;
	size_t len;
	syscall(SYS_get_robust_list, 0, &got, &len);
	expect("get_robust_list gives the head back", got == &rhead && len == sizeof rhead, 1);
	locked = 1;
	while (!release)
		usleep(1000);
	return 0;
}

static void robust(void)
{
	pthread_t t, tw;
	pthread_create(&t, 0, owner, 0);
	while (!locked)
		usleep(1000);
	struct waiter w = {&rm.word, rm.word, ~0u, WAIT};
	startwaiters(&w, &tw, 1);
	release = 1;
	pthread_join(t, 0);
	pthread_join(tw, 0);
	expect("the dead owner's lock is FUTEX_OWNER_DIED | FUTEX_WAITERS", rm.word, OWNER_DIED | WAITERS);
	expect("its waiter was woken", w.result, 0);
	expect("set_robust_list with a wrong size", syscall(SYS_set_robust_list, &rhead, 8) < 0 ? -errno : 0, -EINVAL);
}

int main(void)
{
	setvbuf(stdout, 0, _IONBF, 0); /* each line out at once, even if a check hangs */
	waitwake();
	requeue();
	wakeop();
	pi();
	robust();
	if (failures) {
		printf("futex: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("futex ok %d checks\n", checks);
	return 0;
}
