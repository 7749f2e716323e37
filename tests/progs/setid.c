/* setid checks the identity calls and exec of set-ID programs: a copy
 * of this program owned by 65534 with the set-user-ID and set-group-ID
 * bits runs with that effective (and saved) identity and the caller's
 * real one; without the bits the IDs stay; setresuid/setresgid follow
 * their rules for an unprivileged process. Takes a scratch directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
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

/* ids prints the child's identity in one line. */
static int ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("uid %d %d %d gid %d %d %d\n", (int)r, (int)e, (int)s, (int)gr, (int)ge, (int)gs);
	return 0;
}

static int copyself(const char *self, const char *to)
{
	int in = open(self, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	char buf[65536];
	ssize_t n;
	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, n) != n)
			return -1;
	close(in);
	return close(out);
}

static int run(const char *prog, uid_t as)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (as && (setgroups(0, 0) || setresgid(as, as, as) || setresuid(as, as, as)))
			_exit(9);
		execl(prog, prog, "ids", (char *)0);
		_exit(8);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "ids"))
		return ids();
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char prog[4096];
	snprintf(prog, sizeof prog, "%s/setid.%d", dir, (int)getpid());
	check("copy the program", copyself(argv[0], prog) == 0);
	check("chown it to 65534:65534", chown(prog, 65534, 65534) == 0);
	check("chmod 06755", chmod(prog, 06755) == 0);
	struct stat st;
	check("chmod after chown keeps the bits", stat(prog, &st) == 0 && (st.st_mode & 07777) == 06755);
	check("root runs it as 65534 (effective and saved)", run(prog, 0) == 0);
	check("a user runs it too", run(prog, 1000) == 0);
	check("chmod 0755", chmod(prog, 0755) == 0);
	check("without the bits the IDs stay", run(prog, 0) == 0);
	check("chown back to root clears nothing further", chown(prog, 0, 0) == 0 && chmod(prog, 04755) == 0);
	check("a set-user-ID root program run by a user", run(prog, 1000) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		int ok = setresgid(100, 100, 100) == 0 && setresuid(1000, 1001, 1002) == 0;
		ok = ok && seteuid(1002) == 0 && geteuid() == 1002;
		ok = ok && setresuid(-1, 1000, -1) == 0;
		ok = ok && setresuid(5, -1, -1) == -1 && errno == EPERM;
		ok = ok && setuid(1001) == -1 && errno == EPERM; /* neither real nor saved */
		ok = ok && setuid(1002) == 0 && getuid() == 1000 && geteuid() == 1002;
		ok = ok && setgroups(0, 0) == -1 && errno == EPERM;
		ok = ok && setfsuid(7) == 1002 && setfsuid(-1) == 1002; /* 7 is refused silently */
		_exit(ok ? 0 : 1);
	}
	int s;
	waitpid(pid, &s, 0);
	check("an unprivileged process keeps to its three IDs", WIFEXITED(s) && WEXITSTATUS(s) == 0);
	check("remove the copy", unlink(prog) == 0);
	if (failures) {
		printf("setid: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("setid ok %d\n", checks);
	return 0;
}
