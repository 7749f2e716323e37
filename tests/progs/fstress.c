/* fstress has processes create, write, rename and delete files in one
 * directory while others list it, then checks nothing leaked: the
 * directory is empty, statfs counts the same free blocks and inodes as
 * before, and the parent holds the same descriptors. A listing never
 * shows a name twice (getdents offsets stay stable under change). Run
 * with a scratch directory on tmpfs. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

enum { WORKERS = 4, LISTERS = 2, ROUNDS = 150 };

static int failures, checks;

static void check(const char *what, int ok)
{
	checks++;
	printf("%s: %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		failures++;
	fflush(stdout);
}

static int openfds(void)
{
	int n = 0;
	for (int fd = 0; fd < 256; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

static int worker(int id)
{
	char a[64], b[64], data[5000];
	memset(data, 'a' + id, sizeof data);
	for (int i = 0; i < ROUNDS; i++) {
		snprintf(a, sizeof a, "w%d_%d", id, i);
		snprintf(b, sizeof b, "r%d_%d", id, i);
		int fd = open(a, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0 || write(fd, data, sizeof data) != sizeof data)
			return 1;
		if (rename(a, b) != 0)
			return 2;
		if (i % 3 == 0 && unlink(b) != 0) /* an open file unlinked */
			return 3;
		close(fd);
		if (i % 3 != 0 && unlink(b) != 0)
			return 4;
	}
	return 0;
}

/* lister reads the directory again and again: no pass may name an
 * entry twice. */
static int lister(void)
{
	for (int pass = 0; pass < 60; pass++) {
		DIR *d = opendir(".");
		if (!d)
			return 1;
		char seen[512][256];
		int n = 0;
		struct dirent *e;
		while ((e = readdir(d))) {
			for (int i = 0; i < n; i++)
				if (!strcmp(seen[i], e->d_name))
					return 2;
			if (n < 512)
				snprintf(seen[n++], sizeof seen[0], "%s", e->d_name);
		}
		closedir(d);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[4096];
	snprintf(path, sizeof path, "%s/fstress.%d", dir, (int)getpid());
	check("make the directory", mkdir(path, 0755) == 0 && chdir(path) == 0);
	struct statfs before, after;
	int fds = openfds();
	check("statfs before", statfs(".", &before) == 0);
	pid_t pids[WORKERS + LISTERS];
	for (int i = 0; i < WORKERS + LISTERS; i++) {
		if ((pids[i] = fork()) == 0)
			_exit(i < WORKERS ? worker(i) : lister());
	}
	int bad = 0;
	for (int i = 0; i < WORKERS + LISTERS; i++) {
		int st;
		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	check("every creator and lister succeeded", bad == 0);
	DIR *d = opendir(".");
	int left = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		left += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	check("the directory is empty", left == 0);
	check("statfs after", statfs(".", &after) == 0);
	check("no blocks leaked", after.f_bfree == before.f_bfree);
	check("no inodes leaked", after.f_ffree == before.f_ffree);
	check("no descriptors leaked", openfds() == fds);
	check("remove the directory", chdir("/") == 0 && rmdir(path) == 0);
	if (failures) {
		printf("fstress: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("fstress ok %d\n", checks);
	return 0;
}
