/* forkexec is the ELF corpus's process program: it forks, the child runs
 * this same file again through execve with its stdout on a pipe, and the
 * parent reads what the new image says and waits for it. A mutated copy
 * is loaded twice, once by the first exec and once by the child's. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		printf("child says hi\n");
		return 7;
	}
	int p[2];
	if (pipe(p) != 0)
		return 1;
	pid_t c = fork();
	if (c == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		char *args[] = {argv[0], "child", 0};
		execve(argv[0], args, 0);
		_exit(127);
	}
	close(p[1]);
	char buf[64] = {0};
	int n = 0, r;
	while (n < (int)sizeof buf - 1 && (r = read(p[0], buf + n, sizeof buf - 1 - n)) > 0)
		n += r;
	int st = 0;
	waitpid(c, &st, 0);
	if (strcmp(buf, "child says hi\n") != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 7) {
		printf("forkexec: child said %s, status %#x\n", buf, st);
		return 1;
	}
	printf("forkexec ok\n");
	return 0;
}
