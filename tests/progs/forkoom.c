/* forkoom forks until memory runs out: each child writes its own copy of
 * the parent's touched memory and stays alive, so frames run out either
 * in fork (ENOMEM or EAGAIN) or in a child's copy-on-write fault (the
 * child is killed). Either way the parent must go on: it kills and reaps
 * every child and says what stopped it. Usage: forkoom MiB */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t size = (size_t)(argc > 1 ? atoi(argv[1]) : 16) << 20;
	char *mem = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 2;
	memset(mem, 1, size);
	pid_t kids[256];
	int n = 0, forkerr = 0, oomkilled = 0;
	while (n < 256) {
		int p[2];
		if (pipe(p) != 0) {
			forkerr = errno;
			break;
		}
		pid_t c = fork();
		if (c < 0) {
			forkerr = errno;
			close(p[0]);
			close(p[1]);
			break;
		}
		if (c == 0) {
			close(p[0]);
			for (size_t i = 0; i < size; i += 4096)
				mem[i] = 2; /* a private copy of every page */
			write(p[1], "w", 1);
			pause();
			_exit(0);
		}
		kids[n++] = c;
		close(p[1]);
		char b;
		int got = read(p[0], &b, 1);
		close(p[0]);
		if (got != 1) { /* the child died before it finished its copy */
			int st;
			waitpid(c, &st, 0);
			n--;
			oomkilled = WIFSIGNALED(st) ? WTERMSIG(st) : -1;
			break;
		}
	}
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	int reaped = 0;
	while (wait(0) > 0)
		reaped++;
	int intact = 1;
	for (size_t i = 0; i < size; i += 4096)
		intact &= mem[i] == 1;
	printf("forkoom: %d children held copies; then %s %s\n", n,
	       forkerr ? "fork failed:" : "a child was killed by signal",
	       forkerr ? strerror(forkerr) : strsignal(oomkilled));
	if (reaped != n || !intact || (!forkerr && oomkilled != SIGKILL) ||
	    (forkerr && forkerr != ENOMEM && forkerr != EAGAIN)) {
		printf("forkoom: reaped %d of %d, parent memory %s\n", reaped, n, intact ? "intact" : "changed");
		return 1;
	}
	printf("forkoom ok\n");
	return 0;
}
