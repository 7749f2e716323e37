/* rlimit checks resource limits as Linux keeps them: RLIMIT_NOFILE bounds
 * every new descriptor (open EMFILE before it looks at the path, dup2
 * EBADF, F_DUPFD EINVAL, poll EINVAL), descriptors above a lowered limit
 * stay usable, setrlimit's own checks, and the limits fork and execve
 * pass on. Only relative facts are printed: the starting limits are the
 * machine's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

/* fails reports whether r is -1 with errno e. */
static int fails(long r, int e) { return r == -1 && errno == e; }

int main(int argc, char **argv)
{
	struct rlimit r, got;
	if (argc > 1) { /* the exec'd copy: the limit the parent set */
		getrlimit(RLIMIT_NOFILE, &got);
		return got.rlim_cur == 10 ? 0 : 1;
	}
	check("getrlimit NOFILE: soft at most hard", getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur <= r.rlim_max);
	check("getrlimit of resource 16: EINVAL", fails(getrlimit(16, &got), EINVAL));
	check("setrlimit soft above hard: EINVAL",
	      fails(setrlimit(RLIMIT_NOFILE, &(struct rlimit){r.rlim_max, r.rlim_max - 1}), EINVAL));
	check("setrlimit NOFILE past fs.nr_open: EPERM",
	      fails(setrlimit(RLIMIT_NOFILE, &(struct rlimit){64, 1 << 30}), EPERM));
	check("setrlimit from a bad pointer: EFAULT", fails(setrlimit(RLIMIT_NOFILE, (void *)8), EFAULT));
	int hi = dup2(0, 20);
	check("dup2 to 20 under the old limit", hi == 20);
	check("setrlimit NOFILE to 10", setrlimit(RLIMIT_NOFILE, &(struct rlimit){10, r.rlim_max}) == 0);
	check("getrlimit reads it back", getrlimit(RLIMIT_NOFILE, &got) == 0 && got.rlim_cur == 10 && got.rlim_max == r.rlim_max);
	check("a descriptor above the new limit still works", fcntl(20, F_GETFD) == 0);
	int n = 0, fd;
	while ((fd = open("/dev/null", O_RDONLY)) >= 0 && n < 100)
		n++;
	check("open stops with EMFILE below the limit", fd == -1 && errno == EMFILE && n == 10 - 3);
	check("open of a missing file in a full table: EMFILE", fails(open("/no/such/file", O_RDONLY), EMFILE));
	check("dup in a full table: EMFILE", fails(dup(0), EMFILE));
	close(9);
	check("dup2 to the limit: EBADF", fails(dup2(0, 10), EBADF));
	check("dup2 below it", dup2(0, 9) == 9);
	check("F_DUPFD from the limit: EINVAL", fails(fcntl(0, F_DUPFD, 10), EINVAL));
	close(9);
	check("F_DUPFD below it", fcntl(0, F_DUPFD, 5) == 9);
	struct pollfd pf[11];
	for (int i = 0; i < 11; i++)
		pf[i] = (struct pollfd){.fd = -1};
	check("poll of more descriptors than the limit: EINVAL", fails(poll(pf, 11, 0), EINVAL));
	check("poll of as many as the limit", poll(pf, 10, 0) == 0);
	for (int i = 3; i < 10; i++)
		close(i);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		getrlimit(RLIMIT_NOFILE, &got);
		_exit(got.rlim_cur == 10 ? 0 : 1);
	}
	int st;
	waitpid(c, &st, 0);
	check("fork passes the limit on", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		execl(argv[0], argv[0], "child", (char *)0);
		_exit(2);
	}
	waitpid(c, &st, 0);
	check("execve keeps the limit", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	struct rlimit old;
	check("prlimit on oneself sets and returns the old pair",
	      prlimit(0, RLIMIT_NOFILE, &(struct rlimit){12, r.rlim_max}, &old) == 0 && old.rlim_cur == 10 &&
		  getrlimit(RLIMIT_NOFILE, &got) == 0 && got.rlim_cur == 12);
	check("RLIMIT_STACK is kept", setrlimit(RLIMIT_STACK, &(struct rlimit){1 << 20, RLIM_INFINITY}) == 0 &&
					    getrlimit(RLIMIT_STACK, &got) == 0 && got.rlim_cur == 1 << 20);
	if (failures) {
		printf("rlimit: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("rlimit ok %d\n", checks);
	return 0;
}
