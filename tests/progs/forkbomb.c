/* forkbomb forks until the kernel says no, each child pausing for ever:
 * fork must fail with EAGAIN (threads-max) or ENOMEM, never bring the
 * kernel down, and the parent must go on. The children are left for the
 * kernel to kill at shutdown. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	int n = 0;
	for (;;) {
		pid_t c = fork();
		if (c < 0) {
			int e = errno;
			printf("forkbomb: %d children, then %s\n", n, strerror(e));
			if (e != EAGAIN && e != ENOMEM)
				return 1;
			break;
		}
		if (c == 0) {
			pause();
			_exit(0);
		}
		n++;
	}
	printf("forkbomb: parent alive\n");
	return 0;
}
