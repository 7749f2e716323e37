/* block waits for ever in one of three ways, as a program whose input
 * never comes would: "eventfd" reads an eventfd no one writes, "futex"
 * has four threads each wait on a futex no one wakes (no timeout), and
 * "pause" waits for a signal that never comes. On Linux each waits until
 * it is killed; the kernel must stay up meanwhile (idle, not deadlocked).
 * "pausewake" has a second thread signal the first in its pause, which
 * must then end with EINTR once the handler has run. "readexit" exits
 * while a second thread waits to read the terminal: the exit must not
 * wait for input. */
#define FUTEX_WAIT_PRIVATE 128 /* musl-gcc has no linux/futex.h */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

static int words[4];

static void *waiter(void *arg)
{
	int *w = arg;
	for (;;)
		syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0);
	return 0;
}

static volatile sig_atomic_t handled;
static long maintid;

static void onusr1(int sig) { handled = sig; }

static void *waker(void *arg)
{
	(void)arg;
	usleep(100000);
	syscall(SYS_tgkill, getpid(), maintid, SIGUSR1);
	return 0;
}

static void *reader(void *arg)
{
	char c;
	(void)arg;
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

/* readexit: exit_group ends a thread blocked reading fd 0. */
static int readexit(void)
{
	pthread_t t;
	pthread_create(&t, 0, reader, 0);
	usleep(100000);
	printf("block: exit with a reader on the terminal\n");
	fflush(stdout);
	_exit(0);
}

/* pausewake: pause(2) ends with EINTR after the handler ran. */
static int pausewake(void)
{
	signal(SIGUSR1, onusr1);
	maintid = syscall(SYS_gettid);
	pthread_t t;
	pthread_create(&t, 0, waker, 0);
	int r = pause();
	int e = errno;
	pthread_join(t, 0);
	if (r != -1 || e != EINTR || handled != SIGUSR1) {
		printf("block: pause returned %d errno %d, handler saw %d\n", r, e, (int)handled);
		return 1;
	}
	printf("block: pause ended with EINTR after the handler\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "eventfd";
	if (strcmp(how, "pausewake") == 0)
		return pausewake();
	if (strcmp(how, "readexit") == 0)
		return readexit();
	printf("block: waiting (%s)\n", how);
	fflush(stdout);
	if (strcmp(how, "eventfd") == 0) {
		uint64_t v;
		int fd = eventfd(0, 0);
		read(fd, &v, sizeof v);
	} else if (strcmp(how, "futex") == 0) {
		pthread_t t;
		for (int i = 1; i < 4; i++)
			pthread_create(&t, 0, waiter, &words[i]);
		waiter(&words[0]);
	} else if (strcmp(how, "pause") == 0) {
		pause();
	} else {
		fprintf(stderr, "usage: block eventfd|futex|pause|pausewake|readexit\n");
		return 2;
	}
	printf("block: %s returned\n", how);
	return 1;
}
