/* manythreads starts spinning threads until the kernel refuses (64 per
 * process), then exits: exit_group must stop every spinning thread and
 * return every frame, and the next program must run. */
#include <pthread.h>
#include <stdio.h>

static void *spin(void *arg)
{
	for (volatile unsigned long x = 0;; x++)
		;
	return arg;
}

int main(void)
{
	int n = 0;
	for (int i = 0; i < 100; i++) {
		pthread_t t;
		if (pthread_create(&t, 0, spin, 0) == 0)
			n++;
	}
	printf("created %d spinning threads\n", n);
	return 0;
}
