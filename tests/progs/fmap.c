/* fmap checks file mappings as Linux's page cache gives them: a
 * MAP_SHARED mapping writes the file's own pages (read(2) sees them, and
 * so does another process's mapping), a MAP_PRIVATE one shows the file
 * until its first write and then keeps a copy, shared anonymous memory
 * is one object across fork whether touched before or after, a page
 * past the end of the file is SIGBUS, and an unlinked file stays mapped.
 * Run with a scratch directory on tmpfs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

static sigjmp_buf jb;
static volatile int sigs;

static void onbus(int sig)
{
	sigs = sig;
	siglongjmp(jb, 1);
}

/* touch reads p, reporting the signal it raised (0 if none). */
static int touch(volatile char *p)
{
	sigs = 0;
	if (sigsetjmp(jb, 1) == 0)
		(void)*p;
	return sigs;
}

static int waitchild(pid_t pid)
{
	int st;
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[4096], buf[64];
	snprintf(path, sizeof path, "%s/fmap.%d", dir, (int)getpid());
	long pg = sysconf(_SC_PAGESIZE);
	signal(SIGBUS, onbus);
	signal(SIGSEGV, onbus);

	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	check("create the file", fd >= 0);
	check("size it to two pages", ftruncate(fd, 2 * pg) == 0);
	char *sh = mmap(0, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check("mmap MAP_SHARED", sh != MAP_FAILED);
	memcpy(sh + 10, "shared", 6);
	check("pread sees a store through the shared mapping", pread(fd, buf, 6, 10) == 6 && !memcmp(buf, "shared", 6));
	check("pwrite shows in the shared mapping", pwrite(fd, "written", 7, pg + 5) == 7 && !memcmp(sh + pg + 5, "written", 7));

	char *pv = mmap(0, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	check("mmap MAP_PRIVATE", pv != MAP_FAILED);
	check("the private mapping reads the file", !memcmp(pv + 10, "shared", 6));
	pwrite(fd, "later!", 6, 10);
	check("before its first write it shows later changes", !memcmp(pv + 10, "later!", 6));
	pv[10] = 'X';
	check("a private write stays private", pread(fd, buf, 1, 10) == 1 && buf[0] == 'l' && sh[10] == 'l');
	pwrite(fd, "again!", 6, 10);
	check("after it the page is a copy", !memcmp(pv + 10, "Xater!", 6));
	check("the other page still follows the file", !memcmp(pv + pg + 5, "written", 7));

	pid_t pid = fork();
	if (pid == 0) {
		char *m = mmap(0, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		memcpy(m + 100, "child", 5);
		_exit(m[10] == 'a' ? 0 : 1);
	}
	check("a child's own shared mapping sees the page", waitchild(pid) == 0);
	check("and its store reaches the parent's mapping", !memcmp(sh + 100, "child", 5));
	pid = fork();
	if (pid == 0) {
		memcpy(sh + 200, "inherited", 9);
		pv[300] = 'p';
		_exit(0);
	}
	check("an inherited shared mapping stays shared", waitchild(pid) == 0 && !memcmp(sh + 200, "inherited", 9));
	check("an inherited private one does not", pv[300] == 0);

	char *past = mmap(0, 4 * pg, PROT_READ, MAP_SHARED, fd, 0);
	check("mmap past the end of the file", past != MAP_FAILED);
	check("a page inside the file reads", touch(past + pg) == 0);
	check("a page past it is SIGBUS", touch(past + 3 * pg) == SIGBUS);
	check("growing the file makes it readable", ftruncate(fd, 4 * pg) == 0 && touch(past + 3 * pg) == 0);
	munmap(past, 4 * pg);

	check("unlink the mapped file", unlink(path) == 0 && close(fd) == 0);
	check("its shared mapping still reads it", !memcmp(sh + 200, "inherited", 9));
	memcpy(sh, "still", 5);
	check("and writes it", !memcmp(sh, "still", 5));
	munmap(sh, 2 * pg);
	munmap(pv, 2 * pg);

	char *anon = mmap(0, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	check("mmap MAP_SHARED|MAP_ANONYMOUS", anon != MAP_FAILED);
	anon[0] = 1; /* touched before the fork; pages 1 and 2 are not */
	pid = fork();
	if (pid == 0) {
		anon[0] = 2, anon[pg] = 3, anon[2 * pg] = 4;
		_exit(0);
	}
	check("shared anonymous memory is shared, touched before the fork", waitchild(pid) == 0 && anon[0] == 2);
	check("and pages first touched after it", anon[pg] == 3 && anon[2 * pg] == 4);
	anon[pg] = 5;
	pid = fork();
	if (pid == 0)
		_exit(anon[pg] == 5 ? 0 : 1);
	check("the child sees the parent's later stores", waitchild(pid) == 0);
	munmap(anon, 3 * pg);

	fd = open(dir, O_RDONLY | O_DIRECTORY);
	check("mmap of a directory: ENODEV", mmap(0, pg, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED && errno == ENODEV);
	close(fd);

	if (failures) {
		printf("fmap: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("fmap ok %d\n", checks);
	return 0;
}
