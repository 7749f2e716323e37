/* ids prints the process's IDs the way a test can compare them across
 * programs: the first program's parent is init (1), and no two
 * processes or threads share an ID. */
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static long tid;

static void *thread(void *arg)
{
	(void)arg;
	tid = syscall(SYS_gettid);
	return 0;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, 0, thread, 0);
	pthread_join(t, 0);
	printf("ids pid=%d ppid=%d tid=%ld thread=%ld\n", getpid(), getppid(), syscall(SYS_gettid), tid);
	return 0;
}
