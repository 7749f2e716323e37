/* posixipc checks POSIX shared memory and named semaphores, which libc
 * builds on /dev/shm: shm_open, ftruncate and mmap shared across fork,
 * sem_open shared between processes with sem_post and sem_wait, and the
 * unlinks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures, checks;

static void check(const char *what, int ok)
{
	checks++;
	printf("%s: %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		failures++;
	fflush(stdout);
}

int main(void)
{
	char name[64], sname[64];
	snprintf(name, sizeof name, "/posixipc.%d", (int)getpid());
	snprintf(sname, sizeof sname, "/posixsem.%d", (int)getpid());
	int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	check("shm_open O_CREAT|O_EXCL", fd >= 0);
	check("shm_open of it again with O_EXCL: EEXIST", shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600) == -1 && errno == EEXIST);
	check("ftruncate to a page", ftruncate(fd, 4096) == 0);
	char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check("mmap it shared", p != MAP_FAILED);
	sem_t *s = sem_open(sname, O_CREAT | O_EXCL, 0600, 0);
	check("sem_open O_CREAT with value 0", s != SEM_FAILED);
	pid_t pid = fork();
	if (pid == 0) {
		int cfd = shm_open(name, O_RDWR, 0);
		char *q = cfd < 0 ? MAP_FAILED : mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
		sem_t *cs = sem_open(sname, 0);
		if (q == MAP_FAILED || cs == SEM_FAILED)
			_exit(1);
		strcpy(q, "written by the child");
		sem_post(cs);
		_exit(0);
	}
	check("sem_wait sees the child's sem_post", sem_wait(s) == 0);
	check("the child's store is in the parent's mapping", !strcmp(p, "written by the child"));
	int st;
	check("the child exited 0", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	int v = -1;
	check("sem_getvalue is 0 again", sem_getvalue(s, &v) == 0 && v == 0);
	check("sem_trywait of 0: EAGAIN", sem_trywait(s) == -1 && errno == EAGAIN);
	check("sem_close and sem_unlink", sem_close(s) == 0 && sem_unlink(sname) == 0);
	check("sem_open of the unlinked name: ENOENT", sem_open(sname, 0) == SEM_FAILED && errno == ENOENT);
	check("shm_unlink", shm_unlink(name) == 0);
	check("the mapping outlives the name", !strcmp(p, "written by the child"));
	check("shm_open of the unlinked name: ENOENT", shm_open(name, O_RDWR, 0) == -1 && errno == ENOENT);
	if (failures) {
		printf("posixipc: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("posixipc ok %d\n", checks);
	return 0;
}
