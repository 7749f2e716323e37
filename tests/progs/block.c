/* block waits for ever in one of three ways, as a program whose input
 * never comes would: "eventfd" reads an eventfd no one writes, "futex"
 * has four threads each wait on a futex no one wakes (no timeout), and
 * "pause" waits for a signal that never comes. On Linux each waits until
 * it is killed; the kernel must stay up meanwhile (idle, not deadlocked). */
#define FUTEX_WAIT_PRIVATE 128 /* musl-gcc has no linux/futex.h */
#include <pthread.h>
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

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "eventfd";
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
		fprintf(stderr, "usage: block eventfd|futex|pause\n");
		return 2;
	}
	printf("block: %s returned\n", how);
	return 1;
}
