/* files checks the file system calls as Linux does them on tmpfs: open
 * and its flags (O_CREAT under the umask, O_EXCL, O_TRUNC, O_APPEND,
 * O_DIRECTORY, O_NOFOLLOW, O_PATH, O_TMPFILE, O_CLOEXEC) and its errors;
 * reads and writes at positions (pread, readv, preadv2 ...), sparse files
 * and SEEK_DATA/SEEK_HOLE; stat, statx and statfs; getdents64 listings
 * and offsets that survive unlinks and lseek; mkdir, rmdir, unlink,
 * rename and renameat2, link, symlink and readlink (MAXSYMLINKS 40);
 * modes, owners and times; access as root and, in a child that became
 * uid 65534, permission denial; truncate and fallocate; the sync calls;
 * chdir, getcwd and chroot; fcntl flags, POSIX, OFD and flock locks,
 * pipe sizes; dup and close_range; sendfile, copy_file_range, splice and
 * tee; ioctl, poll and select on files; memfd seals; user xattrs; and an
 * unlinked file kept open.
 *
 * Where two errors could apply, the one Linux gives is asserted: the
 * checks are meant to hold on Linux, which is the reference, and on our
 * kernel alike, so the output (compared line by line) holds only relative
 * facts: verdicts, errno names, sizes this program made. Each check
 * prints one line, a failure with what came instead; "files ok N" at the
 * end. It runs as root, in a fresh directory it makes under argv[1]
 * (default /tmp), expected to be a tmpfs, and removes at the end. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* Not every libc names these (musl 1.2.3 has no renameat2 or statx). */
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE 2
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC 4
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#define TMPFS_MAGIC_ 0x01021994
#define PAGE 4096

struct xstatx_ts {
	int64_t sec;
	uint32_t nsec;
	int32_t pad;
};
struct xstatx { /* struct statx, 256 bytes */
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad0;
	uint64_t ino, size, blocks, attributes_mask;
	struct xstatx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};
#define XSTATX_BASIC 0x7ffU /* STATX_BASIC_STATS */
#define XSTATX_NEEDED 0x27fU /* type, mode, nlink, uid, gid, times, ino, size */
#define XSTATX_RESERVED 0x80000000U

struct d64 { /* struct linux_dirent64 */
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static int failures, checks;
static int reportfd = -1; /* in a child: where check sends its results */
static char got[76];      /* what the last mismatch saw instead */

static const char *errname(int e)
{
#define E(x) {x, #x}
	static const struct {
		int e;
		const char *name;
	} t[] = {E(EPERM), E(ENOENT), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(EBADF), E(ECHILD), E(EAGAIN),
		 E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR),
		 E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY), E(ETXTBSY), E(EFBIG), E(ENOSPC),
		 E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK),
		 E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENODATA), E(EOVERFLOW), E(EOPNOTSUPP), E(EDQUOT)};
#undef E
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i].e == e)
			return t[i].name;
	static char buf[24];
	snprintf(buf, sizeof buf, "errno %d", e);
	return buf;
}

/* result is one check made in a child, sent back to the parent. */
struct result {
	char what[176];
	char got[76];
	int ok;
};

static void check(const char *what, int ok)
{
	if (reportfd >= 0) {
		struct result r = {.ok = ok};
		snprintf(r.what, sizeof r.what, "%s", what);
		snprintf(r.got, sizeof r.got, "%s", ok ? "" : got);
		if (write(reportfd, &r, sizeof r) != sizeof r)
			_exit(3);
		got[0] = 0;
		return;
	}
	checks++;
	if (ok)
		printf("%s: ok\n", what);
	else if (got[0])
		printf("%s: FAIL (%s)\n", what, got);
	else
		printf("%s: FAIL\n", what);
	if (!ok)
		failures++;
	got[0] = 0;
	fflush(stdout);
}

/* note keeps what a call returned instead, for the next failing check. */
static void note(long r)
{
	if (got[0])
		return;
	if (r == -1)
		snprintf(got, sizeof got, "got %s", errname(errno));
	else
		snprintf(got, sizeof got, "got %ld", r);
}

/* fails reports whether r is -1 with errno e. */
static int fails(long r, int e)
{
	if (r == -1 && errno == e)
		return 1;
	note(r);
	return 0;
}

/* is reports whether r is want. */
static int is(long r, long want)
{
	if (r == want)
		return 1;
	note(r);
	return 0;
}

/* checkerr checks that r is -1 with errno e, naming e in the line. */
static void checkerr(const char *what, long r, int e)
{
	char buf[200];
	int ok = fails(r, e);
	snprintf(buf, sizeof buf, "%s: %s", what, errname(e));
	check(buf, ok);
}

/* inchild runs fn in a forked child; its checks come back through a pipe
 * and are counted and printed here, in order. */
static void inchild(const char *name, void (*fn)(void))
{
	int p[2];
	if (pipe(p) != 0)
		return;
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		close(p[0]);
		reportfd = p[1];
		fn();
		_exit(0);
	}
	close(p[1]);
	struct result r;
	while (read(p[0], &r, sizeof r) == sizeof r) {
		snprintf(got, sizeof got, "%s", r.got);
		check(r.what, r.ok);
	}
	close(p[0]);
	int st = 0;
	waitpid(c, &st, 0);
	char buf[200];
	snprintf(buf, sizeof buf, "%s: the child exits 0", name);
	check(buf, WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int mkfile(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, mode);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, data, strlen(data));
	close(fd);
	return n == (ssize_t)strlen(data) ? 0 : -1;
}

/* has reports whether the file holds exactly want. */
static int has(const char *path, const char *want)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		note(-1);
		return 0;
	}
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	return is(n, strlen(want)) && memcmp(buf, want, n) == 0;
}

static long fsize(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

static int fmode(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static int zeros(const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* names lists a directory: its names sorted, separated by spaces. */
static const char *names(const char *path)
{
	static char out[1024];
	char buf[2048], *v[128];
	int n = 0, fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return "(no directory)";
	long r;
	while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
		for (long i = 0; i < r; i += ((struct d64 *)(buf + i))->reclen)
			if (n < 128)
				v[n++] = strdup(((struct d64 *)(buf + i))->name);
	close(fd);
	qsort(v, n, sizeof v[0], cmpstr);
	out[0] = 0;
	for (int i = 0; i < n; i++) {
		if (strlen(out) + strlen(v[i]) + 2 < sizeof out)
			strcat(strcat(out, i ? " " : ""), v[i]);
		free(v[i]);
	}
	return out;
}

/* checklist checks a directory's sorted listing, printing it. */
static void checklist(const char *what, const char *path, const char *want)
{
	char buf[300];
	const char *l = names(path);
	snprintf(buf, sizeof buf, "%s: %s", what, l);
	check(buf, strcmp(l, want) == 0);
}

/* removeall empties a directory tree; the end's fallback only. */
static void removeall(int dfd)
{
	char buf[2048];
	long r;
	while ((r = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0)
		for (long i = 0; i < r; i += ((struct d64 *)(buf + i))->reclen) {
			struct d64 *d = (struct d64 *)(buf + i);
			if (!strcmp(d->name, ".") || !strcmp(d->name, ".."))
				continue;
			if (d->type == DT_DIR) {
				int sub = openat(dfd, d->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
				if (sub >= 0) {
					removeall(sub);
					close(sub);
				}
				unlinkat(dfd, d->name, AT_REMOVEDIR);
			} else
				unlinkat(dfd, d->name, 0);
		}
}

/* ---- open, openat, creat ---- */

static void open_create(void)
{
	struct stat st;
	char b[32];
	int fd = open("f", O_CREAT | O_WRONLY, 0666);
	check("open O_CREAT", fd >= 0);
	check("its mode is 0666 & ~umask 022", fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && is(st.st_mode & 07777, 0644));
	check("write to it", is(write(fd, "0123456789", 10), 10));
	close(fd);
	checkerr("open O_CREAT|O_EXCL of an existing file", open("f", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	checkerr("O_CREAT|O_EXCL in a missing directory", open("nodir/f", O_CREAT | O_EXCL | O_WRONLY, 0644), ENOENT);
	fd = open("f", O_WRONLY | O_APPEND);
	check("open O_APPEND", fd >= 0 && is(lseek(fd, 0, SEEK_SET), 0));
	check("a write after lseek 0 goes to the end", is(write(fd, "ab", 2), 2) && is(lseek(fd, 0, SEEK_CUR), 12));
	close(fd);
	check("the file reads 0123456789ab", has("f", "0123456789ab"));
	fd = open("f", O_RDWR | O_TRUNC);
	check("open O_TRUNC empties the file", fd >= 0 && fstat(fd, &st) == 0 && is(st.st_size, 0));
	close(fd);
	mkfile("f", "data", 0644);
	fd = open("f", O_RDONLY | O_TRUNC);
	check("O_RDONLY|O_TRUNC truncates too (Linux)", fd >= 0 && is(fsize("f"), 0));
	close(fd);
	fd = creat("g", 0600);
	check("creat makes a file of mode 0600", fd >= 0 && is(fmode("g"), 0600));
	checkerr("creat's descriptor is write-only: read", read(fd, b, 1), EBADF);
	check("writing it", is(write(fd, "xyz", 3), 3));
	close(fd);
	fd = creat("g", 0644);
	check("creat of an existing file truncates it and keeps its mode", fd >= 0 && is(fsize("g"), 0) && is(fmode("g"), 0600));
	close(fd);
	check("symlink dl to a missing target", symlink("newtarget", "dl") == 0);
	checkerr("O_CREAT|O_EXCL of a dangling symlink", open("dl", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	fd = open("dl", O_CREAT | O_WRONLY, 0644);
	check("O_CREAT through a dangling symlink creates its target", fd >= 0 && is(fmode("newtarget"), 0644));
	close(fd);
	unlink("dl"), unlink("newtarget"), unlink("g");
}

static void open_at(void)
{
	mkdir("od", 0755);
	int dfd = open("od", O_RDONLY | O_DIRECTORY);
	check("open O_DIRECTORY of a directory", dfd >= 0);
	int fd = openat(dfd, "x", O_CREAT | O_WRONLY, 0644);
	check("openat O_CREAT relative to a directory descriptor", fd >= 0 && is(fsize("od/x"), 0));
	checkerr("openat relative to a file descriptor", openat(fd, "y", O_RDONLY), ENOTDIR);
	checkerr("openat relative to a bad descriptor", openat(999, "x", O_RDONLY), EBADF);
	close(fd);
	fd = openat(AT_FDCWD, "od/x", O_RDONLY);
	check("openat AT_FDCWD", fd >= 0);
	close(fd);
	int pfd = open("od", O_PATH);
	fd = openat(pfd, "x", O_RDONLY);
	check("openat relative to an O_PATH directory", fd >= 0);
	close(fd), close(pfd), close(dfd);
	unlink("od/x"), rmdir("od");
}

static void open_flags(void)
{
	struct stat st;
	char b[8];
	checkerr("O_DIRECTORY of a file", open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	/* Since Linux 6.4 O_CREAT|O_DIRECTORY is refused outright. */
	checkerr("O_CREAT|O_DIRECTORY of a new name", open("cd", O_CREAT | O_DIRECTORY | O_RDONLY, 0755), EINVAL);
	check("and makes nothing", fails(access("cd", F_OK), ENOENT));
	mkdir("d", 0755);
	checkerr("O_CREAT|O_DIRECTORY of a directory", open("d", O_CREAT | O_DIRECTORY | O_RDONLY, 0755), EINVAL);
	symlink("f", "fl");
	symlink("d", "dl");
	checkerr("O_NOFOLLOW of a symlink", open("fl", O_RDONLY | O_NOFOLLOW), ELOOP);
	/* do_open tests O_DIRECTORY before may_open sees the link. */
	checkerr("O_NOFOLLOW|O_DIRECTORY of a symlink to a directory", open("dl", O_RDONLY | O_NOFOLLOW | O_DIRECTORY), ENOTDIR);
	int fd = open("dl", O_RDONLY | O_DIRECTORY);
	check("O_DIRECTORY through a symlink to a directory", fd >= 0);
	close(fd);
	fd = open("f", O_PATH);
	check("O_PATH: fstat works", fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
	checkerr("O_PATH: read", read(fd, b, 1), EBADF);
	checkerr("O_PATH: write", write(fd, b, 1), EBADF);
	/* the system call: musl falls back to chmod of /proc/self/fd/N */
	checkerr("O_PATH: fchmod", syscall(SYS_fchmod, fd, 0600), EBADF);
	check("O_PATH: F_GETFL shows O_PATH", (fcntl(fd, F_GETFL) & O_PATH) == O_PATH);
	close(fd);
	fd = open("fl", O_PATH | O_NOFOLLOW);
	check("O_PATH|O_NOFOLLOW opens the symlink itself", fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
	close(fd);
	fd = open("f", O_RDONLY | O_CLOEXEC);
	check("O_CLOEXEC shows in F_GETFD", fd >= 0 && is(fcntl(fd, F_GETFD), FD_CLOEXEC));
	close(fd);
	fd = open("f", O_RDONLY);
	check("without O_CLOEXEC F_GETFD is 0", fd >= 0 && is(fcntl(fd, F_GETFD), 0));
	close(fd);
	unlink("fl"), unlink("dl");
}

static void open_tmpfile(void)
{
	struct stat st;
	char b[8];
	mkdir("tmpd", 0755);
	int fd = open("tmpd", O_TMPFILE | O_RDWR, 0600);
	check("O_TMPFILE", fd >= 0);
	check("writes and reads back", is(write(fd, "tmp", 3), 3) && is(pread(fd, b, 8, 0), 3) && !memcmp(b, "tmp", 3));
	check("its nlink is 0, mode 0600", fstat(fd, &st) == 0 && is(st.st_nlink, 0) &&
	      S_ISREG(st.st_mode) && is(st.st_mode & 07777, 0600));
	checklist("the directory does not list it", "tmpd", ". ..");
	close(fd);
	checkerr("O_TMPFILE read-only", open("tmpd", O_TMPFILE | O_RDONLY, 0600), EINVAL);
	checkerr("O_TMPFILE on a file", open("f", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
	check("the directory is then empty: rmdir", is(rmdir("tmpd"), 0));
}

static void open_errors(void)
{
	static char name[300], path[4200];
	checkerr("open O_WRONLY of a directory", open("d", O_WRONLY), EISDIR);
	checkerr("open O_RDWR of a directory", open("d", O_RDWR), EISDIR);
	checkerr("open O_CREAT of a directory", open("d", O_CREAT | O_WRONLY, 0644), EISDIR);
	checkerr("open O_CREAT|O_EXCL of a directory", open("d", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	checkerr("open of a missing file", open("missing", O_RDONLY), ENOENT);
	checkerr("open O_CREAT in a missing directory", open("nodir/f", O_CREAT | O_WRONLY, 0644), ENOENT);
	checkerr("open with a file as a directory", open("f/x", O_RDONLY), ENOTDIR);
	checkerr("open O_CREAT with a file as a directory", open("f/x", O_CREAT | O_WRONLY, 0644), ENOTDIR);
	checkerr("open of a file with a trailing slash", open("f/", O_RDONLY), ENOTDIR);
	/* with O_CREAT a trailing slash asks for a directory: EISDIR */
	checkerr("open O_CREAT of a file with a trailing slash", open("f/", O_CREAT | O_WRONLY, 0644), EISDIR);
	checkerr("open of an empty path", open("", O_RDONLY), ENOENT);
	memset(name, 'n', 255);
	int fd = open(name, O_CREAT | O_WRONLY, 0644);
	check("a name of 255 bytes", fd >= 0);
	close(fd);
	check("unlinks", is(unlink(name), 0));
	name[255] = 'n';
	checkerr("a name of 256 bytes", open(name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
	snprintf(path, sizeof path, "nodir/%s", name);
	checkerr("a name of 256 bytes in a missing directory", open(path, O_CREAT | O_WRONLY, 0644), ENOENT);
	snprintf(path, sizeof path, "%s/x", name);
	checkerr("a directory name of 256 bytes", open(path, O_RDONLY), ENAMETOOLONG);
	for (int i = 0; i < 2047; i++)
		memcpy(path + 2 * i, "./", 2);
	strcpy(path + 4094, "f");
	fd = open(path, O_RDONLY);
	check("a path of 4095 bytes", fd >= 0);
	close(fd);
	strcpy(path + 4094, "ff");
	checkerr("a path of 4096 bytes naming a missing file", open(path, O_RDONLY), ENAMETOOLONG);
	rmdir("d");
}

/* ---- read, write and positions ---- */

static void rw_basic(void)
{
	char b[32];
	int fd = open("rw", O_CREAT | O_RDWR | O_TRUNC, 0644);
	check("write 11 bytes", is(write(fd, "hello world", 11), 11) && is(lseek(fd, 0, SEEK_CUR), 11));
	check("read at the end of file returns 0", is(read(fd, b, sizeof b), 0));
	check("pread at 6", is(pread(fd, b, 5, 6), 5) && !memcmp(b, "world", 5));
	check("pwrite at 6", is(pwrite(fd, "W", 1, 6), 1));
	check("pread and pwrite leave the offset", is(lseek(fd, 0, SEEK_CUR), 11));
	check("pread past the end returns 0", is(pread(fd, b, 5, 100), 0));
	checkerr("pread at a negative offset", pread(fd, b, 1, -1), EINVAL);
	checkerr("pwrite at a negative offset", pwrite(fd, b, 1, -1), EINVAL);
	lseek(fd, 0, SEEK_SET);
	check("read from 0", is(read(fd, b, 5), 5) && !memcmp(b, "hello", 5) && is(lseek(fd, 0, SEEK_CUR), 5));
	char x[3], y[8];
	struct iovec iov[2] = {{x, 3}, {y, 8}};
	lseek(fd, 0, SEEK_SET);
	check("readv fills its buffers in order", is(readv(fd, iov, 2), 11) && !memcmp(x, "hel", 3) && !memcmp(y, "lo World", 8));
	struct iovec w[2] = {{"ab", 2}, {"cd", 2}};
	check("writev at the end", is(writev(fd, w, 2), 4) && is(lseek(fd, 0, SEEK_CUR), 15));
	check("the file reads hello Worldabcd", has("rw", "hello Worldabcd"));
	checkerr("readv of -1 buffers", syscall(SYS_readv, fd, iov, -1L), EINVAL);
	close(fd);
	fd = open("rw", O_WRONLY);
	checkerr("read of a write-only descriptor", read(fd, b, 1), EBADF);
	close(fd);
	fd = open("rw", O_RDONLY);
	checkerr("write to a read-only descriptor", write(fd, "x", 1), EBADF);
	close(fd);
	mkdir("rd", 0755);
	fd = open("rd", O_RDONLY);
	checkerr("read of a directory", read(fd, b, 1), EISDIR);
	close(fd);
	rmdir("rd");
}

static void rw_vectors(void)
{
	char x[4], y[4];
	int fd = open("rw", O_RDWR);
	lseek(fd, 2, SEEK_SET);
	struct iovec iov[2] = {{x, 4}, {y, 4}};
	check("preadv at 6", is(preadv(fd, iov, 2, 6), 8) && !memcmp(x, "Worl", 4) && !memcmp(y, "dabc", 4));
	struct iovec w[2] = {{"HE", 2}, {"LLO", 3}};
	check("pwritev at 0", is(pwritev(fd, w, 2, 0), 5));
	check("preadv and pwritev leave the offset", is(lseek(fd, 0, SEEK_CUR), 2));
	check("the file reads HELLO Worldabcd", has("rw", "HELLO Worldabcd"));
	check("preadv2 at 0, flags 0", is(syscall(SYS_preadv2, fd, iov, 1, 0, 0, 0), 4) && !memcmp(x, "HELL", 4));
	check("preadv2 at -1 reads at the offset", is(syscall(SYS_preadv2, fd, iov, 1, -1L, 0, 0), 4) && !memcmp(x, "LLO ", 4));
	check("and moves it", is(lseek(fd, 0, SEEK_CUR), 6));
	struct iovec z = {"zz", 2};
	check("pwritev2 at 13", is(syscall(SYS_pwritev2, fd, &z, 1, 13, 0, 0), 2) && is(lseek(fd, 0, SEEK_CUR), 6));
	check("pwritev2 at -1 writes at the offset", is(syscall(SYS_pwritev2, fd, &z, 1, -1L, 0, 0), 2) &&
	      is(lseek(fd, 0, SEEK_CUR), 8));
	check("the file reads HELLO zzrldabzz", has("rw", "HELLO zzrldabzz"));
	checkerr("preadv2 with an unknown flag", syscall(SYS_preadv2, fd, iov, 1, 0, 0, 0x10000), EOPNOTSUPP);
	close(fd);
	fd = open("rw", O_WRONLY | O_APPEND);
	/* pwrite(2): on Linux, O_APPEND makes pwrite append whatever the offset. */
	check("pwrite at 0 with O_APPEND appends (Linux)", is(pwrite(fd, "!", 1, 0), 1) && has("rw", "HELLO zzrldabzz!"));
	close(fd);
	unlink("rw");
}

static void rw_sparse(void)
{
	char b[PAGE];
	int fd = open("sp", O_CREAT | O_RDWR | O_TRUNC, 0644);
	check("lseek 1 MiB into an empty file", is(lseek(fd, 1 << 20, SEEK_SET), 1 << 20));
	check("write there", is(write(fd, "x", 1), 1) && is(fsize("sp"), (1 << 20) + 1));
	memset(b, 1, sizeof b);
	check("the 1 MiB hole reads as zeros", is(pread(fd, b, sizeof b, 500000), PAGE) && zeros(b, sizeof b));
	check("SEEK_HOLE at 0 is 0", is(lseek(fd, 0, SEEK_HOLE), 0));
	check("SEEK_DATA at 0 finds the written page", is(lseek(fd, 0, SEEK_DATA), 1 << 20));
	close(fd);
	unlink("sp");
	/* data in page 0, pages 1-3 a hole, data in page 4 */
	fd = open("sh", O_CREAT | O_RDWR | O_TRUNC, 0644);
	memset(b, 'a', sizeof b);
	pwrite(fd, b, PAGE, 0);
	pwrite(fd, b, PAGE, 4 * PAGE);
	check("a file of data, hole, data is 5 pages", is(fsize("sh"), 5 * PAGE));
	check("SEEK_DATA at 0", is(lseek(fd, 0, SEEK_DATA), 0));
	check("SEEK_HOLE at 0", is(lseek(fd, 0, SEEK_HOLE), PAGE));
	check("SEEK_HOLE at 100", is(lseek(fd, 100, SEEK_HOLE), PAGE));
	check("SEEK_DATA at page 1", is(lseek(fd, PAGE, SEEK_DATA), 4 * PAGE));
	check("SEEK_DATA inside the hole", is(lseek(fd, PAGE + 904, SEEK_DATA), 4 * PAGE));
	check("SEEK_HOLE inside the hole", is(lseek(fd, 2 * PAGE, SEEK_HOLE), 2 * PAGE));
	check("SEEK_HOLE at page 4 is the end of file", is(lseek(fd, 4 * PAGE, SEEK_HOLE), 5 * PAGE));
	checkerr("SEEK_DATA at the end of file", lseek(fd, 5 * PAGE, SEEK_DATA), ENXIO);
	checkerr("SEEK_HOLE at the end of file", lseek(fd, 5 * PAGE, SEEK_HOLE), ENXIO);
	checkerr("SEEK_DATA past the end", lseek(fd, 9 * PAGE, SEEK_DATA), ENXIO);
	memset(b, 1, sizeof b);
	check("the hole in pages 1-3 reads as zeros", is(pread(fd, b, PAGE, 2 * PAGE), PAGE) && zeros(b, PAGE));
	check("SEEK_END -5", is(lseek(fd, -5, SEEK_END), 5 * PAGE - 5));
	checkerr("lseek to a negative offset", lseek(fd, -1, SEEK_SET), EINVAL);
	checkerr("SEEK_CUR before the start", lseek(fd, -(6 * PAGE), SEEK_CUR), EINVAL);
	checkerr("lseek with whence 7", lseek(fd, 0, 7), EINVAL);
	check("a failed lseek keeps the offset", is(lseek(fd, 0, SEEK_CUR), 5 * PAGE - 5));
	close(fd);
	unlink("sh");
	int p[2];
	pipe(p);
	checkerr("lseek on a pipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
	close(p[0]), close(p[1]);
}

/* ---- stat, fstat, lstat, fstatat, statx ---- */

static void stats(void)
{
	struct stat st, fs, ls;
	mkfile("s", "0123456789", 0644);
	symlink("s", "sl");
	check("stat of a file", stat("s", &st) == 0 && S_ISREG(st.st_mode) && is(st.st_mode & 07777, 0644) &&
					  is(st.st_size, 10) && is(st.st_nlink, 1) && is(st.st_uid, geteuid()));
	int fd = open("s", O_RDONLY);
	check("fstat agrees", fstat(fd, &fs) == 0 && fs.st_ino == st.st_ino && fs.st_dev == st.st_dev && fs.st_size == 10);
	check("lstat of a symlink", lstat("sl", &ls) == 0 && S_ISLNK(ls.st_mode) && is(ls.st_size, 1) && ls.st_ino != st.st_ino);
	check("stat of a symlink follows it", stat("sl", &ls) == 0 && ls.st_ino == st.st_ino);
	check("fstatat AT_SYMLINK_NOFOLLOW", fstatat(AT_FDCWD, "sl", &ls, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(ls.st_mode));
	check("fstatat AT_EMPTY_PATH", fstatat(fd, "", &ls, AT_EMPTY_PATH) == 0 && ls.st_ino == st.st_ino);
	checkerr("fstatat of an empty path without AT_EMPTY_PATH", fstatat(fd, "", &ls, 0), ENOENT);
	checkerr("fstatat relative to a file", fstatat(fd, "x", &ls, 0), ENOTDIR);
	checkerr("fstatat with an unknown flag", fstatat(AT_FDCWD, "s", &ls, 0x1), EINVAL);
	checkerr("stat of a missing file", stat("missing", &ls), ENOENT);
	checkerr("stat through a file", stat("s/x", &ls), ENOTDIR);
	struct xstatx sx;
	check("statx STATX_BASIC_STATS", is(syscall(SYS_statx, AT_FDCWD, "s", 0, XSTATX_BASIC, &sx), 0) &&
						   (sx.mask & XSTATX_NEEDED) == XSTATX_NEEDED);
	check("statx agrees with stat", sx.mode == st.st_mode && sx.nlink == 1 && sx.size == 10 && sx.ino == st.st_ino &&
					      sx.uid == st.st_uid && sx.mtime.sec == st.st_mtim.tv_sec &&
					      sx.mtime.nsec == st.st_mtim.tv_nsec);
	check("statx AT_SYMLINK_NOFOLLOW", is(syscall(SYS_statx, AT_FDCWD, "sl", AT_SYMLINK_NOFOLLOW, XSTATX_BASIC, &sx), 0) &&
						 S_ISLNK(sx.mode) && sx.size == 1);
	check("statx AT_EMPTY_PATH", is(syscall(SYS_statx, fd, "", AT_EMPTY_PATH, XSTATX_BASIC, &sx), 0) && sx.ino == st.st_ino);
	checkerr("statx with STATX__RESERVED", syscall(SYS_statx, AT_FDCWD, "s", 0, XSTATX_RESERVED, &sx), EINVAL);
	checkerr("statx with an unknown flag", syscall(SYS_statx, AT_FDCWD, "s", 0x1, XSTATX_BASIC, &sx), EINVAL);
	checkerr("statx of a missing file", syscall(SYS_statx, AT_FDCWD, "missing", 0, XSTATX_BASIC, &sx), ENOENT);
	close(fd);
	unlink("sl");
}

static void nlinks(void)
{
	struct stat st;
	mkdir("nd", 0755);
	check("an empty directory has nlink 2", stat("nd", &st) == 0 && is(st.st_nlink, 2));
	mkdir("nd/a", 0755), mkdir("nd/b", 0755), mkfile("nd/f", "", 0644);
	check("with 2 subdirectories and a file, 4", stat("nd", &st) == 0 && is(st.st_nlink, 4));
	rmdir("nd/a");
	check("rmdir of one: 3", stat("nd", &st) == 0 && is(st.st_nlink, 3));
	check("link s s2", is(link("s", "s2"), 0));
	check("both names have nlink 2", stat("s", &st) == 0 && is(st.st_nlink, 2) && stat("s2", &st) == 0 && is(st.st_nlink, 2));
	struct stat a, b;
	check("they are one inode", stat("s", &a) == 0 && stat("s2", &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	unlink("s2");
	check("unlink of one: nlink 1", stat("s", &st) == 0 && is(st.st_nlink, 1));
	rmdir("nd/b"), unlink("nd/f"), rmdir("nd"), unlink("s");
}

/* ---- statfs, fstatfs ---- */

static void statfss(void)
{
	struct statfs sf;
	check("statfs: f_type is TMPFS_MAGIC", statfs(".", &sf) == 0 && is(sf.f_type, TMPFS_MAGIC_));
	check("f_namelen 255", is(sf.f_namelen, 255));
	check("f_bsize 4096", is(sf.f_bsize, PAGE));
	int fd = open(".", O_RDONLY);
	check("fstatfs: TMPFS_MAGIC", fstatfs(fd, &sf) == 0 && is(sf.f_type, TMPFS_MAGIC_));
	close(fd);
	checkerr("statfs of a missing path", statfs("missing", &sf), ENOENT);
	checkerr("fstatfs of a bad descriptor", fstatfs(999, &sf), EBADF);
}

/* ---- getdents64 ---- */

/* readone reads one entry into name with a buffer too small for two;
 * it returns 1, 0 at the end, or -1. */
static int readone(int fd, char *name, int64_t *off, unsigned char *type)
{
	char buf[40];
	long r = syscall(SYS_getdents64, fd, buf, sizeof buf);
	if (r <= 0)
		return r < 0 ? -1 : 0;
	struct d64 *d = (struct d64 *)buf;
	strcpy(name, d->name);
	if (off)
		*off = d->off;
	if (type)
		*type = d->type;
	return r == d->reclen ? 1 : -1;
}

static void makeentries(void)
{
	char n[8];
	for (int i = 0; i < 10; i++) {
		snprintf(n, sizeof n, "dd/e%d", i);
		mkfile(n, "", 0644);
	}
}

/* count checks that each e0..e9 and sub was seen once, but for skip (at
 * most once). */
static int count(char seen[][8], int n, const char *skip)
{
	static const char *all[] = {".", "..", "e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "sub"};
	int ok = 1;
	for (int i = 0; i < 13; i++) {
		int c = 0;
		for (int j = 0; j < n; j++)
			c += !strcmp(seen[j], all[i]);
		ok &= skip && !strcmp(all[i], skip) ? c <= 1 : c == 1;
	}
	return ok;
}

static void dents(void)
{
	char seen[32][8], name[32];
	unsigned char type;
	int n = 0, fd, ok = 1, types = 0;
	mkdir("dd", 0755), mkdir("dd/sub", 0755);
	makeentries();
	checklist("getdents64 lists", "dd", ". .. e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 sub");
	fd = open("dd", O_RDONLY | O_DIRECTORY);
	while (n < 32 && (ok = readone(fd, seen[n], 0, &type)) == 1) {
		types += (!strcmp(seen[n], ".") || !strcmp(seen[n], "sub")) && type == DT_DIR;
		types += seen[n][0] == 'e' && type == DT_REG;
		n++;
	}
	check("one entry at a time, each once", ok == 0 && count(seen, n, 0));
	check("d_type DT_DIR and DT_REG", is(types, 12));
	char buf[16];
	lseek(fd, 0, SEEK_SET);
	checkerr("a buffer too small for one entry", syscall(SYS_getdents64, fd, buf, sizeof buf), EINVAL);
	close(fd);
	/* lseek to an offset getdents64 returned goes on from there */
	char rest1[256] = "", rest2[256] = "", all1[256] = "", all2[256] = "";
	int64_t off = 0, o;
	fd = open("dd", O_RDONLY | O_DIRECTORY);
	for (int i = 0; readone(fd, name, &o, 0) == 1; i++) {
		strcat(strcat(all1, name), " ");
		if (i == 2)
			off = o;
		if (i > 2)
			strcat(strcat(rest1, name), " ");
	}
	check("lseek to a d_off from before", is(lseek(fd, off, SEEK_SET), off));
	while (readone(fd, name, 0, 0) == 1)
		strcat(strcat(rest2, name), " ");
	check("resumes after that entry", !strcmp(rest1, rest2) && rest1[0]);
	lseek(fd, 0, SEEK_SET);
	while (readone(fd, name, 0, 0) == 1)
		strcat(strcat(all2, name), " ");
	check("lseek 0 starts again", !strcmp(all1, all2));
	close(fd);
}

static void dents_unlink(void)
{
	char seen[32][8];
	int n = 0, fd, ok = 1;
	fd = open("dd", O_RDONLY | O_DIRECTORY);
	while (n < 32 && (ok = readone(fd, seen[n], 0, 0)) == 1)
		if (++n == 3)
			unlink("dd/e5");
	check("an unlink between reads skips or repeats no other name", ok == 0 && count(seen, n, "e5"));
	close(fd);
	mkfile("dd/e5", "", 0644);
	n = 0;
	fd = open("dd", O_RDONLY | O_DIRECTORY);
	while (n < 32 && (ok = readone(fd, seen[n], 0, 0)) == 1) {
		if (seen[n][0] == 'e')
			unlinkat(fd, seen[n], 0);
		n++;
	}
	check("unlinking each entry as it is read sees every name once", ok == 0 && count(seen, n, 0));
	close(fd);
	checklist("what is left", "dd", ". .. sub");
	fd = open("dd", O_RDONLY | O_DIRECTORY);
	rmdir("dd/sub"), rmdir("dd");
	char buf[256];
	/* iterate_dir refuses a dead directory rather than listing nothing */
	checkerr("getdents64 of a removed directory", syscall(SYS_getdents64, fd, buf, sizeof buf), ENOENT);
	close(fd);
	fd = open("f", O_RDONLY);
	checkerr("getdents64 of a file", syscall(SYS_getdents64, fd, buf, sizeof buf), ENOTDIR);
	close(fd);
	checkerr("getdents64 of a bad descriptor", syscall(SYS_getdents64, 999, buf, sizeof buf), EBADF);
}

/* ---- mkdir, rmdir, unlink ---- */

static void dirs(void)
{
	check("mkdir", is(mkdir("m", 0777), 0));
	check("its mode is 0777 & ~umask", is(fmode("m"), 0755));
	checkerr("mkdir of an existing directory", mkdir("m", 0755), EEXIST);
	checkerr("mkdir of an existing directory with a slash", mkdir("m/", 0755), EEXIST);
	checkerr("mkdir of an existing file", mkdir("f", 0755), EEXIST);
	checkerr("mkdir in a missing directory", mkdir("nodir/x", 0755), ENOENT);
	checkerr("mkdir through a file", mkdir("f/x", 0755), ENOTDIR);
	check("mkdir of a new name with a slash", is(mkdir("m2/", 0755), 0) && is(rmdir("m2"), 0));
	int dfd = open("m", O_RDONLY | O_DIRECTORY);
	check("mkdirat", is(mkdirat(dfd, "a", 0700), 0) && is(fmode("m/a"), 0700));
	checkerr("mkdirat relative to a bad descriptor", mkdirat(999, "a", 0700), EBADF);
	/* mkdir keeps S_ISVTX from its mode (under the umask) */
	check("mkdir 01777 keeps the sticky bit", is(mkdir("sticky", 01777), 0) && is(fmode("sticky"), 01755));
	rmdir("sticky");
	checkerr("rmdir of a non-empty directory", rmdir("m"), ENOTEMPTY);
	checkerr("rmdir of a file", rmdir("f"), ENOTDIR);
	checkerr("rmdir of .", rmdir("."), EINVAL);
	checkerr("rmdir of m/.", rmdir("m/."), EINVAL);
	checkerr("rmdir of ..", rmdir(".."), ENOTEMPTY); /* do_rmdir: LAST_DOTDOT */
	checkerr("rmdir of a missing directory", rmdir("missing"), ENOENT);
	checkerr("unlink of a directory", unlink("m/a"), EISDIR);
	checkerr("unlinkat AT_REMOVEDIR of a file", unlinkat(AT_FDCWD, "f", AT_REMOVEDIR), ENOTDIR);
	checkerr("unlinkat with an unknown flag", unlinkat(dfd, "a", 0x1), EINVAL);
	check("unlinkat AT_REMOVEDIR", is(unlinkat(dfd, "a", AT_REMOVEDIR), 0) && fails(access("m/a", F_OK), ENOENT));
	mkfile("m/u", "", 0644);
	checkerr("unlink of a file with a trailing slash", unlink("m/u/"), ENOTDIR);
	check("unlinkat of a file", is(unlinkat(dfd, "u", 0), 0) && fails(access("m/u", F_OK), ENOENT));
	checkerr("unlink of a missing file", unlink("m/u"), ENOENT);
	checkerr("unlink through a file", unlink("f/x"), ENOTDIR);
	close(dfd);
	check("rmdir of the emptied directory", is(rmdir("m"), 0) && fails(access("m", F_OK), ENOENT));
}

/* ---- rename, renameat, renameat2 ---- */

static long rename2(const char *a, const char *b, unsigned flags)
{
	return syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags);
}

static void renames(void)
{
	struct stat st;
	mkfile("r1", "one", 0644), mkfile("r2", "two", 0644);
	check("rename over a file replaces it", is(rename("r1", "r2"), 0) &&
	      has("r2", "one") && fails(access("r1", F_OK), ENOENT));
	check("rename to itself does nothing", is(rename("r2", "r2"), 0) && has("r2", "one"));
	link("r2", "r3");
	check("rename between two links of one file keeps both", is(rename("r2", "r3"), 0) && is(access("r2", F_OK), 0) &&
									stat("r3", &st) == 0 && is(st.st_nlink, 2));
	unlink("r2");
	mkdir("d1", 0755), mkdir("d2", 0755), mkfile("d1/x", "x", 0644);
	check("rename of a directory over an empty one", is(rename("d1", "d2"), 0) &&
	      has("d2/x", "x") && fails(access("d1", F_OK), ENOENT));
	mkdir("d3", 0755);
	checkerr("rename of a directory over a non-empty one", rename("d3", "d2"), ENOTEMPTY);
	checkerr("rename of a file over a directory", rename("r3", "d3"), EISDIR);
	checkerr("rename of a directory over a file", rename("d3", "r3"), ENOTDIR);
	mkdir("d2/sub", 0755);
	checkerr("rename of a directory into its own subdirectory", rename("d2", "d2/sub/in"), EINVAL);
	checkerr("rename of a missing file", rename("missing", "x"), ENOENT);
	checkerr("rename into a missing directory", rename("r3", "nodir/x"), ENOENT);
	checkerr("rename of .", rename(".", "x"), EBUSY);
	int dfd = open("d2", O_RDONLY | O_DIRECTORY);
	check("renameat between directory descriptors", is(renameat(dfd, "x", AT_FDCWD, "d3/y"), 0) && has("d3/y", "x"));
	close(dfd);
	rmdir("d2/sub"), rmdir("d2");
	mkfile("xa", "A", 0644), mkfile("xb", "B", 0644);
	checkerr("RENAME_NOREPLACE over a file", rename2("xa", "xb", RENAME_NOREPLACE), EEXIST);
	check("RENAME_NOREPLACE to a new name", is(rename2("xa", "xc", RENAME_NOREPLACE), 0) && has("xc", "A"));
	check("RENAME_EXCHANGE swaps two files", is(rename2("xb", "xc", RENAME_EXCHANGE), 0) && has("xb", "A") && has("xc", "B"));
	check("RENAME_EXCHANGE of a file and a directory", is(rename2("xb", "d3", RENAME_EXCHANGE), 0) && has("d3", "A") &&
									has("xb/y", "x"));
	checkerr("RENAME_EXCHANGE with a missing name", rename2("xc", "xd", RENAME_EXCHANGE), ENOENT);
	checkerr("RENAME_NOREPLACE|RENAME_EXCHANGE", rename2("xc", "d3", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
	checkerr("renameat2 with an unknown flag", rename2("xc", "xe", 0x100), EINVAL);
	unlink("xb/y"), rmdir("xb"), unlink("xc"), unlink("d3"), unlink("r3");
}

/* ---- link, linkat, symlink, readlink ---- */

static void links(void)
{
	struct stat st, t;
	mkfile("l1", "L", 0644);
	mkdir("ld", 0755);
	check("link l1 l2: nlink 2", is(link("l1", "l2"), 0) && stat("l1", &st) == 0 && is(st.st_nlink, 2));
	int fd = open("l1", O_RDONLY);
	check("link l1 l3: fstat sees nlink 3", is(link("l1", "l3"), 0) && fstat(fd, &st) == 0 && is(st.st_nlink, 3));
	check("unlink l2: nlink 2", is(unlink("l2"), 0) && fstat(fd, &st) == 0 && is(st.st_nlink, 2));
	close(fd);
	checkerr("link of a directory", link("ld", "ld2"), EPERM);
	checkerr("link to an existing name", link("l1", "l3"), EEXIST);
	checkerr("link of a directory to an existing name", link("ld", "l3"), EEXIST);
	checkerr("link of a missing file", link("missing", "l4"), ENOENT);
	checkerr("link into a missing directory", link("l1", "nodir/l4"), ENOENT);
	symlink("l1", "ls");
	check("linkat of a symlink links the symlink", is(linkat(AT_FDCWD, "ls", AT_FDCWD, "lh", 0), 0) && lstat("lh", &st) == 0 &&
								   S_ISLNK(st.st_mode));
	check("linkat AT_SYMLINK_FOLLOW links its target", is(linkat(AT_FDCWD, "ls", AT_FDCWD, "lf", AT_SYMLINK_FOLLOW), 0) &&
								  lstat("lf", &st) == 0 && stat("l1", &t) == 0 && st.st_ino == t.st_ino);
	checkerr("linkat with an unknown flag", linkat(AT_FDCWD, "l1", AT_FDCWD, "l5", 0x1), EINVAL);
	unlink("l1"), unlink("l3"), unlink("ls"), unlink("lh"), unlink("lf"), rmdir("ld");
}

static void symlinks(void)
{
	char b[64];
	struct stat st;
	check("symlink", is(symlink("target-name", "sy"), 0));
	memset(b, 'X', sizeof b);
	check("readlink returns the target without a NUL", is(readlink("sy", b, sizeof b), 11) &&
	      !memcmp(b, "target-name", 11) && b[11] == 'X');
	memset(b, 'X', sizeof b);
	check("readlink truncates to the buffer", is(readlink("sy", b, 4), 4) && !memcmp(b, "targX", 5));
	checkerr("readlink with a buffer of 0", syscall(SYS_readlinkat, AT_FDCWD, "sy", b, 0), EINVAL);
	check("lstat size is the target's length", lstat("sy", &st) == 0 && is(st.st_size, 11));
	checkerr("readlink of a file", readlink("f", b, sizeof b), EINVAL);
	checkerr("readlink of a missing name", readlink("missing", b, sizeof b), ENOENT);
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	check("readlinkat", is(readlinkat(dfd, "sy", b, sizeof b), 11));
	close(dfd);
	int fd = open("sy", O_PATH | O_NOFOLLOW);
	check("readlinkat of an O_PATH symlink with an empty path", is(readlinkat(fd, "", b, sizeof b), 11) &&
	      !memcmp(b, "target-name", 11));
	close(fd);
	checkerr("symlink over an existing name", symlink("x", "sy"), EEXIST);
	checkerr("symlink to an empty target", symlink("", "se"), ENOENT);
	checkerr("symlinkat relative to a bad descriptor", symlinkat("x", 999, "se"), EBADF);
	unlink("sy");
	symlink("lb", "la"), symlink("la", "lb");
	checkerr("open of a symlink loop", open("la", O_RDONLY), ELOOP);
	checkerr("stat of a symlink loop", stat("la", &st), ELOOP);
	check("lstat of it works", lstat("la", &st) == 0 && S_ISLNK(st.st_mode));
	unlink("la"), unlink("lb");
	/* c1 -> f, c2 -> c1, ...: following cN takes N links; MAXSYMLINKS is 40 */
	char a[8], c[8];
	for (int i = 1; i <= 41; i++) {
		snprintf(a, sizeof a, "c%d", i - 1);
		snprintf(c, sizeof c, "c%d", i);
		symlink(i == 1 ? "f" : a, c);
	}
	fd = open("c40", O_RDONLY);
	check("a chain of 40 symlinks opens", fd >= 0);
	close(fd);
	checkerr("a chain of 41", open("c41", O_RDONLY), ELOOP);
	for (int i = 1; i <= 41; i++) {
		snprintf(c, sizeof c, "c%d", i);
		unlink(c);
	}
}

/* ---- chmod, chown, umask ---- */

static void modes(void)
{
	struct stat st;
	check("umask returns the old mask", is(umask(077), 022) && is(umask(022), 077));
	mkfile("p", "", 0644);
	check("chmod 0600", is(chmod("p", 0600), 0) && is(fmode("p"), 0600));
	int fd = open("p", O_RDONLY);
	check("fchmod 0640", is(fchmod(fd, 0640), 0) && is(fmode("p"), 0640));
	check("fchmodat 0604", is(fchmodat(AT_FDCWD, "p", 0604, 0), 0) && is(fmode("p"), 0604));
	check("chmod 07777", is(chmod("p", 07777), 0) && is(fmode("p"), 07777));
	symlink("p", "pl");
	check("chmod through a symlink changes the target", is(chmod("pl", 0640), 0) && is(fmode("p"), 0640) &&
								 lstat("pl", &st) == 0 && is(st.st_mode & 07777, 0777));
	checkerr("chmod of a missing file", chmod("missing", 0644), ENOENT);
	checkerr("fchmod of a bad descriptor", fchmod(999, 0644), EBADF);
	close(fd);
}

static void owners(void)
{
	struct stat st, ls;
	stat("p", &st);
	uid_t u = st.st_uid;
	gid_t g = st.st_gid;
	check("chown 1234:5678", is(chown("p", 1234, 5678), 0) && stat("p", &st) == 0 &&
	      is(st.st_uid, 1234) && is(st.st_gid, 5678));
	int fd = open("p", O_RDONLY);
	check("fchown -1:42 keeps the owner", is(fchown(fd, -1, 42), 0) &&
	      stat("p", &st) == 0 && is(st.st_uid, 1234) && is(st.st_gid, 42));
	check("chown back", is(chown("p", u, g), 0) && stat("p", &st) == 0 && st.st_uid == u && st.st_gid == g);
	check("lchown changes the link, not the target", is(lchown("pl", 1234, 5678), 0) && lstat("pl", &ls) == 0 &&
								 is(ls.st_uid, 1234) && stat("p", &st) == 0 && st.st_uid == u);
	check("fchownat AT_SYMLINK_NOFOLLOW likewise", is(fchownat(AT_FDCWD, "pl", 4321, -1, AT_SYMLINK_NOFOLLOW), 0) &&
							     lstat("pl", &ls) == 0 && is(ls.st_uid, 4321) && stat("p", &st) == 0 && st.st_uid == u);
	check("chown through the symlink changes the target", is(chown("pl", 1234, -1), 0) &&
	      stat("p", &st) == 0 && is(st.st_uid, 1234));
	/* chown clears set-user-ID even for root, and set-group-ID only with
	 * group execute (without it the bit marks mandatory locking). */
	chmod("p", 06755);
	check("chown clears S_ISUID and S_ISGID of 06755", is(fchown(fd, u, g), 0) && is(fmode("p"), 0755));
	chmod("p", 02644);
	check("chown keeps S_ISGID of 02644", is(fchown(fd, 1234, -1), 0) && is(fmode("p"), 02644));
	chmod("p", 04755);
	check("chown -1:-1 clears S_ISUID too", is(fchown(fd, -1, -1), 0) && is(fmode("p"), 0755));
	fchown(fd, u, g);
	mkdir("pd", 0755);
	chmod("pd", 06755);
	check("chown of a directory keeps its S_ISUID and S_ISGID", is(chown("pd", 1234, 5678), 0) && is(fmode("pd"), 06755));
	checkerr("chown of a missing file", chown("missing", 0, 0), ENOENT);
	close(fd);
	rmdir("pd"), unlink("pl"), unlink("p");
}

/* ---- utimensat, utimes ---- */

static int ts(struct timespec a, long s, long ns) { return a.tv_sec == s && a.tv_nsec == ns; }
static int le(struct timespec a, struct timespec b)
{
	return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

static void times_(void)
{
	struct stat st;
	mkfile("t", "", 0644);
	struct timespec tv[2] = {{1000000000, 123456789}, {1100000000, 987654321}};
	check("utimensat sets both times to the nanosecond", is(utimensat(AT_FDCWD, "t", tv, 0), 0) && stat("t", &st) == 0 &&
								     ts(st.st_atim, 1000000000, 123456789) && ts(st.st_mtim, 1100000000, 987654321));
	struct timespec omit[2] = {{0, UTIME_OMIT}, {1200000000, 5}};
	check("UTIME_OMIT keeps the access time", is(utimensat(AT_FDCWD, "t", omit, 0), 0) && stat("t", &st) == 0 &&
							  ts(st.st_atim, 1000000000, 123456789) && ts(st.st_mtim, 1200000000, 5));
	struct timespec before, after, now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
	clock_gettime(CLOCK_REALTIME_COARSE, &before);
	int r = utimensat(AT_FDCWD, "t", now, 0);
	clock_gettime(CLOCK_REALTIME, &after);
	check("UTIME_NOW: between the clock before and after", is(r, 0) && stat("t", &st) == 0 && le(before, st.st_mtim) &&
								 le(st.st_mtim, after) && le(before, st.st_atim) && le(st.st_atim, after));
	int fd = open("t", O_RDONLY);
	check("futimens", is(futimens(fd, tv), 0) && fstat(fd, &st) == 0 && ts(st.st_mtim, 1100000000, 987654321));
	close(fd);
	struct timeval us[2] = {{900000000, 1}, {950000000, 999999}};
	check("utimes sets microseconds", is(utimes("t", us), 0) && stat("t", &st) == 0 && ts(st.st_atim, 900000000, 1000) &&
						  ts(st.st_mtim, 950000000, 999999000));
	struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
	checkerr("utimensat with tv_nsec 1e9", utimensat(AT_FDCWD, "t", bad, 0), EINVAL);
	checkerr("utimensat of a missing file", utimensat(AT_FDCWD, "missing", tv, 0), ENOENT);
	symlink("t", "tl");
	check("utimensat AT_SYMLINK_NOFOLLOW sets the link's times", is(utimensat(AT_FDCWD, "tl", tv, AT_SYMLINK_NOFOLLOW), 0) &&
									     lstat("tl", &st) == 0 && ts(st.st_mtim, 1100000000, 987654321) &&
									     stat("t", &st) == 0 && ts(st.st_mtim, 950000000, 999999000));
	unlink("tl"), unlink("t");
}

/* ---- access, faccessat, faccessat2; permission as uid 65534 ---- */

static long faccessat2_(const char *path, int mode, int flags)
{
	return syscall(SYS_faccessat2, AT_FDCWD, path, mode, flags);
}

static void accesses(void)
{
	mkfile("a644", "x", 0644), mkfile("a744", "", 0744), mkfile("a000", "", 0000);
	mkdir("d000", 0000);
	chmod("d000", 0);
	checkerr("access F_OK of a missing file", access("missing", F_OK), ENOENT);
	checkerr("access through a file", access("a644/x", F_OK), ENOTDIR);
	check("root: R_OK|W_OK of 0644", is(access("a644", R_OK | W_OK), 0));
	checkerr("root: X_OK of 0644 (no x bit at all)", access("a644", X_OK), EACCES);
	check("root: X_OK of 0744", is(access("a744", X_OK), 0));
	check("root: R_OK|W_OK of 0000", is(access("a000", R_OK | W_OK), 0));
	check("root: X_OK of a 0000 directory", is(access("d000", X_OK), 0));
	checkerr("access with mode 8", access("a644", 8), EINVAL);
	check("faccessat", is(syscall(SYS_faccessat, AT_FDCWD, "a644", R_OK), 0));
	check("faccessat2 AT_EACCESS", is(faccessat2_("a644", W_OK, AT_EACCESS), 0));
	checkerr("faccessat2 X_OK of 0644", faccessat2_("a644", X_OK, 0), EACCES);
	checkerr("faccessat2 with an unknown flag", faccessat2_("a644", R_OK, 0x1), EINVAL);
	symlink("missing", "adl");
	checkerr("access of a dangling symlink", access("adl", F_OK), ENOENT);
	check("faccessat2 AT_SYMLINK_NOFOLLOW of it", is(faccessat2_("adl", F_OK, AT_SYMLINK_NOFOLLOW), 0));
	unlink("adl");
}

static void asnobody(void)
{
	struct stat st;
	int ok = is(setgroups(0, 0), 0) && is(setresgid(65534, 65534, 65534), 0) && is(setresuid(65534, 65534, 65534), 0) &&
		 is(geteuid(), 65534);
	check("setgroups, setresgid, setresuid 65534", ok);
	if (!ok)
		return;
	checkerr("open of a root 0600 file", open("a600", O_RDONLY), EACCES);
	int fd = open("a644", O_RDONLY);
	check("open O_RDONLY of a root 0644 file", fd >= 0);
	close(fd);
	checkerr("open O_WRONLY of it", open("a644", O_WRONLY), EACCES);
	checkerr("access W_OK of it", access("a644", W_OK), EACCES);
	check("access R_OK of it", is(access("a644", R_OK), 0));
	checkerr("faccessat2 AT_EACCESS W_OK", faccessat2_("a644", W_OK, AT_EACCESS), EACCES);
	checkerr("mkdir in a root 0755 directory", mkdir("nob", 0755), EACCES);
	checkerr("mkdir of an existing name there", mkdir("a644", 0755), EEXIST);
	checkerr("open O_CREAT there", open("nob", O_CREAT | O_WRONLY, 0644), EACCES);
	checkerr("unlink there", unlink("a644"), EACCES);
	checkerr("chmod of a root file", chmod("a644", 0666), EPERM);
	checkerr("chown of a root file", chown("a644", 65534, 65534), EPERM);
	checkerr("truncate of a root 0644 file", truncate("a644", 0), EACCES);
	checkerr("utimensat now of a root 0644 file", utimensat(AT_FDCWD, "a644", 0, 0), EACCES);
	check("utimensat now of a root 0666 file", is(utimensat(AT_FDCWD, "a666", 0, 0), 0));
	struct timespec tv[2] = {{1, 0}, {1, 0}};
	checkerr("utimensat explicit times of it", utimensat(AT_FDCWD, "a666", tv, 0), EPERM);
	checkerr("stat inside a root 0700 directory", stat("priv/x", &st), EACCES);
	checkerr("open of that directory", open("priv", O_RDONLY), EACCES);
	checkerr("unlink of root's file in a sticky directory", unlink("st/rootf"), EPERM);
	checkerr("rename of it", rename("st/rootf", "st/mine2"), EPERM);
	check("creating one's own file there", is(mkfile("st/mine", "", 0644), 0) &&
	      stat("st/mine", &st) == 0 && is(st.st_uid, 65534));
	check("and unlinking it", is(unlink("st/mine"), 0));
	checkerr("chroot", chroot("st"), EPERM);
}

static void permissions(void)
{
	mkfile("a600", "", 0600), mkfile("a666", "", 0644), chmod("a666", 0666);
	mkdir("priv", 0700), mkfile("priv/x", "", 0644);
	mkdir("st", 0755), chmod("st", 01777), mkfile("st/rootf", "", 0644);
	inchild("as uid 65534", asnobody);
	unlink("st/rootf"), rmdir("st"), unlink("priv/x"), rmdir("priv");
	unlink("a600"), unlink("a666"), unlink("a644"), unlink("a744"), unlink("a000"), rmdir("d000");
}

/* ---- truncate, ftruncate, fallocate ---- */

static void truncates(void)
{
	char b[32];
	mkfile("tr", "abcdefghij", 0644);
	int fd = open("tr", O_RDWR);
	memset(b, 1, sizeof b);
	check("truncate grows with zeros", is(truncate("tr", 20), 0) && is(fsize("tr"), 20) && is(pread(fd, b, 32, 0), 20) &&
						   !memcmp(b, "abcdefghij", 10) && zeros(b + 10, 10));
	check("truncate shrinks", is(truncate("tr", 4), 0) && is(fsize("tr"), 4));
	memset(b, 1, sizeof b);
	check("and the cut bytes are gone", is(ftruncate(fd, 8), 0) && is(pread(fd, b, 32, 0), 8) && !memcmp(b, "abcd", 4) &&
						   zeros(b + 4, 4));
	check("ftruncate leaves the offset", is(lseek(fd, 0, SEEK_CUR), 0));
	checkerr("truncate to -1", truncate("tr", -1), EINVAL);
	checkerr("ftruncate to -1", ftruncate(fd, -1), EINVAL);
	checkerr("truncate to -1 of a missing file", truncate("missing", -1), EINVAL);
	checkerr("truncate of a missing file", truncate("missing", 0), ENOENT);
	close(fd);
	fd = open("tr", O_RDONLY);
	checkerr("ftruncate of a read-only descriptor", ftruncate(fd, 0), EINVAL);
	close(fd);
	mkdir("trd", 0755);
	checkerr("truncate of a directory", truncate("trd", 0), EISDIR);
	rmdir("trd");
	int p[2];
	pipe(p);
	checkerr("ftruncate of a pipe", ftruncate(p[1], 0), EINVAL);
	close(p[0]), close(p[1]);
	unlink("tr");
}

static void fallocates(void)
{
	char b[PAGE];
	int fd = open("fa", O_CREAT | O_RDWR | O_TRUNC, 0644);
	check("fallocate mode 0 grows the size", is(fallocate(fd, 0, 0, 2 * PAGE), 0) && is(fsize("fa"), 2 * PAGE));
	check("FALLOC_FL_KEEP_SIZE does not", is(fallocate(fd, FALLOC_FL_KEEP_SIZE, 2 * PAGE, 2 * PAGE), 0) &&
	      is(fsize("fa"), 2 * PAGE));
	memset(b, 1, sizeof b);
	check("the allocated range reads as zeros", is(pread(fd, b, PAGE, PAGE), PAGE) && zeros(b, PAGE));
	close(fd);
	fd = open("fa", O_RDWR | O_TRUNC);
	memset(b, 'x', sizeof b);
	for (int i = 0; i < 3; i++)
		write(fd, b, PAGE);
	check("PUNCH_HOLE|KEEP_SIZE", is(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PAGE, PAGE), 0) &&
					      is(fsize("fa"), 3 * PAGE));
	check("zeroes the range", is(pread(fd, b, PAGE, PAGE), PAGE) && zeros(b, PAGE));
	check("and nothing else", is(pread(fd, b, PAGE, 2 * PAGE), PAGE) && b[0] == 'x' && b[PAGE - 1] == 'x' &&
					  is(pread(fd, b, 1, PAGE - 1), 1) && b[0] == 'x');
	check("SEEK_HOLE finds the punched page", is(lseek(fd, 0, SEEK_HOLE), PAGE) && is(lseek(fd, PAGE, SEEK_DATA), 2 * PAGE));
	checkerr("PUNCH_HOLE without KEEP_SIZE", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, PAGE), EOPNOTSUPP);
	checkerr("fallocate of length 0", fallocate(fd, 0, 0, 0), EINVAL);
	checkerr("fallocate at -1", fallocate(fd, 0, -1, PAGE), EINVAL);
	close(fd);
	fd = open("fa", O_RDONLY);
	checkerr("fallocate of a read-only descriptor", fallocate(fd, 0, 0, PAGE), EBADF);
	close(fd);
	int p[2];
	pipe(p);
	checkerr("fallocate of a pipe", fallocate(p[1], 0, 0, PAGE), ESPIPE);
	close(p[0]), close(p[1]);
	unlink("fa");
}

/* ---- fsync, fdatasync, sync, syncfs ---- */

static void syncs(void)
{
	int fd = open("f", O_RDWR);
	check("fsync", is(fsync(fd), 0));
	check("fdatasync", is(fdatasync(fd), 0));
	sync();
	check("syncfs", is(syncfs(fd), 0));
	close(fd);
	fd = open(".", O_RDONLY);
	check("fsync of a directory", is(fsync(fd), 0));
	close(fd);
	checkerr("fsync of a bad descriptor", fsync(999), EBADF);
	int p[2];
	pipe(p);
	checkerr("fsync of a pipe", fsync(p[1]), EINVAL);
	close(p[0]), close(p[1]);
	fd = open("f", O_PATH);
	checkerr("fsync of an O_PATH descriptor", fsync(fd), EBADF);
	close(fd);
}

/* ---- chdir, fchdir, getcwd, chroot ---- */

static long cwd(char *buf, size_t n) { return syscall(SYS_getcwd, buf, n); }

static int endswith(const char *s, const char *end)
{
	size_t a = strlen(s), b = strlen(end);
	return a >= b && !strcmp(s + a - b, end);
}

static void dirchanges(void)
{
	char top[PATH_MAX], b[PATH_MAX];
	check("getcwd", cwd(top, sizeof top) > 0 && top[0] == '/');
	int topfd = open(".", O_RDONLY | O_DIRECTORY);
	mkdir("cw", 0755);
	check("chdir into a subdirectory", is(chdir("cw"), 0));
	check("getcwd ends in /cw", cwd(b, sizeof b) > 0 && endswith(b, "/cw"));
	check("getcwd returns its length with the NUL", is(cwd(b, sizeof b), strlen(b) + 1));
	checkerr("getcwd into a buffer of 1", cwd(b, 1), ERANGE);
	check("chdir ..", is(chdir(".."), 0) && cwd(b, sizeof b) > 0 && !strcmp(b, top));
	int fd = open("cw", O_RDONLY | O_DIRECTORY);
	check("fchdir", is(fchdir(fd), 0) && cwd(b, sizeof b) > 0 && endswith(b, "/cw"));
	close(fd);
	fd = open("../f", O_RDONLY);
	checkerr("fchdir to a file", fchdir(fd), ENOTDIR);
	close(fd);
	checkerr("chdir to a file", chdir("../f"), ENOTDIR);
	checkerr("chdir to a missing directory", chdir("missing"), ENOENT);
	check("rmdir of the working directory", is(rmdir("../cw"), 0));
	checkerr("then getcwd", cwd(b, sizeof b), ENOENT);
	checkerr("and creating a file there", open("new", O_CREAT | O_WRONLY, 0644), ENOENT);
	check("fchdir back", is(fchdir(topfd), 0) && cwd(b, sizeof b) > 0 && !strcmp(b, top));
	close(topfd);
}

static void jailed(void)
{
	struct stat a, b;
	int ok = is(chroot("jail"), 0) && is(chdir("/"), 0);
	check("chroot into jail", ok);
	if (!ok) /* not root: the rest would look at the machine's / */
		return;
	checklist("/ lists", "/", ". .. x y");
	check("/.. is /", stat("/", &a) == 0 && stat("/..", &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	checklist("/../.. lists", "/../..", ". .. x y");
	char buf[64];
	check("getcwd is /", cwd(buf, sizeof buf) > 0 && !strcmp(buf, "/"));
	check("chdir .. at the root stays there", is(chdir(".."), 0) && cwd(buf, sizeof buf) > 0 && !strcmp(buf, "/"));
	check("/x reads", has("/x", "in jail") && has("../../y/../x", "in jail"));
	checkerr("chroot to a file", chroot("/x"), ENOTDIR);
}

static void chroots(void)
{
	mkdir("jail", 0755), mkfile("jail/x", "in jail", 0644), mkdir("jail/y", 0755);
	inchild("chroot", jailed);
	checklist("the parent's directory is unchanged", "jail", ". .. x y");
	unlink("jail/x"), rmdir("jail/y"), rmdir("jail");
}

/* ---- fcntl: flags, record locks, flock, pipe sizes ---- */

static void fcntlflags(void)
{
	int fd = open("f", O_RDWR);
	int fl = fcntl(fd, F_GETFL);
	check("F_GETFL of O_RDWR", is(fl & O_ACCMODE, O_RDWR) && !(fl & (O_APPEND | O_NONBLOCK)));
	check("F_SETFL O_APPEND|O_NONBLOCK", is(fcntl(fd, F_SETFL, fl | O_APPEND | O_NONBLOCK), 0) &&
						     is(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND | O_NONBLOCK));
	check("F_SETFL leaves the access mode", is(fcntl(fd, F_SETFL, O_WRONLY), 0) && is(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR));
	check("and cleared the two flags", !(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK)));
	check("F_SETFD FD_CLOEXEC", is(fcntl(fd, F_SETFD, FD_CLOEXEC), 0) && is(fcntl(fd, F_GETFD), FD_CLOEXEC));
	int d = fcntl(fd, F_DUPFD, 50);
	check("F_DUPFD from 50", d >= 50 && is(fcntl(d, F_GETFD), 0));
	close(d);
	d = fcntl(fd, F_DUPFD_CLOEXEC, 50);
	check("F_DUPFD_CLOEXEC", d >= 50 && is(fcntl(d, F_GETFD), FD_CLOEXEC));
	close(d);
	checkerr("an unknown command", fcntl(fd, 9999), EINVAL);
	checkerr("F_GETFL of a bad descriptor", fcntl(999, F_GETFL), EBADF);
	close(fd);
	fd = open("f", O_RDONLY);
	check("F_GETFL of O_RDONLY", is(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY));
	close(fd);
}

static struct flock lk(short type, off_t start, off_t len)
{
	return (struct flock){.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
}

static void lockconflict(void)
{
	int fd = open("lk", O_RDWR);
	struct flock l = lk(F_WRLCK, 0, 200);
	check("F_GETLK reports the parent's lock", is(fcntl(fd, F_GETLK, &l), 0) && is(l.l_type, F_WRLCK) &&
							   is(l.l_whence, SEEK_SET) && is(l.l_start, 0) && is(l.l_len, 100));
	check("l_pid is parent", is(l.l_pid, getppid()));
	l = lk(F_WRLCK, 150, 10);
	check("F_GETLK of a free range: F_UNLCK", is(fcntl(fd, F_GETLK, &l), 0) && is(l.l_type, F_UNLCK));
	l = lk(F_WRLCK, 50, 10);
	checkerr("F_SETLK write lock in the parent's range", fcntl(fd, F_SETLK, &l), EAGAIN);
	l = lk(F_RDLCK, 0, 1);
	checkerr("F_SETLK read lock there", fcntl(fd, F_SETLK, &l), EAGAIN);
	l = lk(F_WRLCK, 100, 10);
	check("F_SETLK just after it", is(fcntl(fd, F_SETLK, &l), 0));
	int ro = open("lk", O_RDONLY);
	l = lk(F_WRLCK, 300, 10);
	checkerr("F_SETLK write lock through a read-only descriptor", fcntl(ro, F_SETLK, &l), EBADF);
	l = lk(99, 300, 10);
	checkerr("F_SETLK of type 99", fcntl(fd, F_SETLK, &l), EINVAL);
	close(ro), close(fd);
}

static const char *lockwhy; /* why lockfree's lock should be free */

static void lockfree(void)
{
	int fd = open("lk", O_RDWR);
	struct flock l = lk(F_WRLCK, 50, 10);
	check(lockwhy, is(fcntl(fd, F_SETLK, &l), 0));
	close(fd);
}

static void posixlocks(void)
{
	char buf[200] = {0};
	int fd = open("lk", O_CREAT | O_RDWR | O_TRUNC, 0644);
	write(fd, buf, sizeof buf);
	struct flock l = lk(F_WRLCK, 0, 100);
	check("F_SETLK write lock on 0-99", is(fcntl(fd, F_SETLK, &l), 0));
	l = lk(F_WRLCK, 0, 100);
	check("F_GETLK of one's own lock: F_UNLCK", is(fcntl(fd, F_GETLK, &l), 0) && is(l.l_type, F_UNLCK));
	inchild("a conflicting process", lockconflict);
	l = lk(F_UNLCK, 0, 0);
	check("unlock", is(fcntl(fd, F_SETLK, &l), 0));
	lockwhy = "after the unlock the child's F_SETLK succeeds";
	inchild("after the unlock", lockfree);
	l = lk(F_WRLCK, 0, 100);
	fcntl(fd, F_SETLK, &l);
	close(open("lk", O_RDONLY)); /* POSIX locks go with any close of the file */
	lockwhy = "after closing another descriptor of the file too";
	inchild("closing another descriptor", lockfree);
	close(fd);
}

static void ofdlocks(void)
{
	int a = open("lk", O_RDWR), b = open("lk", O_RDWR);
	struct flock l = lk(F_WRLCK, 0, 10);
	check("F_OFD_SETLK", is(fcntl(a, F_OFD_SETLK, &l), 0));
	l = lk(F_WRLCK, 5, 10);
	checkerr("F_OFD_SETLK through another open of the same process", fcntl(b, F_OFD_SETLK, &l), EAGAIN);
	l = lk(F_WRLCK, 0, 100);
	check("F_OFD_GETLK reports it", is(fcntl(b, F_OFD_GETLK, &l), 0) &&
	      is(l.l_type, F_WRLCK) && is(l.l_start, 0) && is(l.l_len, 10));
	check("with l_pid -1", is(l.l_pid, -1));
	l = lk(F_WRLCK, 0, 10);
	checkerr("a POSIX lock conflicts with it", fcntl(b, F_SETLK, &l), EAGAIN);
	l = lk(F_WRLCK, 50, 10);
	l.l_pid = 1;
	checkerr("F_OFD_SETLK with l_pid set", fcntl(b, F_OFD_SETLK, &l), EINVAL);
	close(a);
	l = lk(F_WRLCK, 0, 10);
	check("closing the open file description drops it", is(fcntl(b, F_OFD_SETLK, &l), 0));
	close(b);
}

static int flk; /* the parent's flock'ed descriptor */

static void flockbusy(void)
{
	int fd = open("lk", O_RDWR);
	checkerr("LOCK_EX|LOCK_NB in the child", flock(fd, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	checkerr("LOCK_SH|LOCK_NB in the child", flock(fd, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	check("LOCK_EX|LOCK_NB through the inherited descriptor", is(flock(flk, LOCK_EX | LOCK_NB), 0));
	close(fd);
}

static void flockfree(void)
{
	int fd = open("lk", O_RDWR);
	check("LOCK_EX|LOCK_NB in a child after LOCK_UN", is(flock(fd, LOCK_EX | LOCK_NB), 0));
	close(fd);
}

static void flocks(void)
{
	flk = open("lk", O_RDWR);
	int b = open("lk", O_RDWR);
	check("flock LOCK_EX", is(flock(flk, LOCK_EX), 0));
	checkerr("LOCK_EX|LOCK_NB through another open in the same process", flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	inchild("flock", flockbusy);
	check("LOCK_UN", is(flock(flk, LOCK_UN), 0));
	inchild("flock after LOCK_UN", flockfree);
	check("two LOCK_SH share", is(flock(flk, LOCK_SH | LOCK_NB), 0) && is(flock(b, LOCK_SH | LOCK_NB), 0));
	checkerr("flock with a bad operation", flock(b, 0), EINVAL);
	close(b), close(flk);
	unlink("lk");
}

static void pipesizes(void)
{
	int p[2];
	char buf[8192] = {0};
	pipe(p);
	check("F_GETPIPE_SZ of a new pipe: 65536", is(fcntl(p[0], F_GETPIPE_SZ), 65536));
	check("F_SETPIPE_SZ 65536", fcntl(p[1], F_SETPIPE_SZ, 65536) >= 65536 && fcntl(p[0], F_GETPIPE_SZ) >= 65536);
	check("F_SETPIPE_SZ 1 rounds up to a page", is(fcntl(p[1], F_SETPIPE_SZ, 1), PAGE) && is(fcntl(p[0], F_GETPIPE_SZ), PAGE));
	/* round_pipe_size takes anything below a page to a page, 0 too */
	check("F_SETPIPE_SZ 0 too", is(fcntl(p[1], F_SETPIPE_SZ, 0), PAGE));
	check("F_SETPIPE_SZ 5000 rounds up to 8192", is(fcntl(p[1], F_SETPIPE_SZ, 5000), 8192));
	write(p[1], buf, sizeof buf);
	checkerr("shrinking below what it holds", fcntl(p[1], F_SETPIPE_SZ, PAGE), EBUSY);
	int fd = open("f", O_RDONLY);
	checkerr("F_GETPIPE_SZ of a file", fcntl(fd, F_GETPIPE_SZ), EBADF);
	close(fd), close(p[0]), close(p[1]);
}

/* ---- dup, dup2, dup3, close_range ---- */

static void dups(void)
{
	int a = open("f", O_RDWR), b = dup(a);
	check("dup", b > a);
	close(b);
	check("dup takes the lowest free descriptor", is(dup(a), b));
	lseek(a, 3, SEEK_SET);
	check("a dup shares the offset", is(lseek(b, 0, SEEK_CUR), 3));
	close(b);
	fcntl(a, F_SETFD, FD_CLOEXEC);
	check("dup2 to 60", is(dup2(a, 60), 60) && is(fcntl(60, F_GETFD), 0));
	check("dup2 to itself", is(dup2(a, a), a));
	checkerr("dup2 of a bad descriptor", dup2(999, 61), EBADF);
	checkerr("dup2 to -1", dup2(a, -1), EBADF);
	/* dup3 by system call: musl answers some cases itself */
	checkerr("dup3 to itself", syscall(SYS_dup3, a, a, 0), EINVAL);
	check("dup3 O_CLOEXEC", is(syscall(SYS_dup3, a, 61, O_CLOEXEC), 61) && is(fcntl(61, F_GETFD), FD_CLOEXEC));
	checkerr("dup3 with another flag", syscall(SYS_dup3, a, 62, O_APPEND), EINVAL);
	for (int i = 62; i <= 64; i++)
		dup2(a, i);
	check("close_range 61-63", is(syscall(SYS_close_range, 61, 63, 0), 0));
	check("closes 61-63", fails(fcntl(61, F_GETFD), EBADF) && fails(fcntl(63, F_GETFD), EBADF));
	check("and leaves 60 and 64", is(fcntl(60, F_GETFD), 0) && is(fcntl(64, F_GETFD), 0));
	check("CLOSE_RANGE_CLOEXEC", is(syscall(SYS_close_range, 60, 64, CLOSE_RANGE_CLOEXEC), 0) &&
					 is(fcntl(60, F_GETFD), FD_CLOEXEC) && is(fcntl(64, F_GETFD), FD_CLOEXEC));
	checkerr("close_range with first above last", syscall(SYS_close_range, 5, 4, 0), EINVAL);
	checkerr("close_range with an unknown flag", syscall(SYS_close_range, 60, 64, 0x1), EINVAL);
	syscall(SYS_close_range, 60, 64, 0);
	check("close", is(close(a), 0));
	checkerr("close again", close(a), EBADF);
}

/* ---- sendfile, copy_file_range, splice, tee ---- */

static char src[10000];

static void sendfiles(void)
{
	char b[3000];
	for (int i = 0; i < (int)sizeof src; i++)
		src[i] = 'a' + i * 7 % 26;
	int in = open("src", O_CREAT | O_RDWR | O_TRUNC, 0644), p[2];
	write(in, src, sizeof src);
	lseek(in, 0, SEEK_SET);
	pipe(p);
	off_t off = 100;
	check("sendfile to a pipe at an offset", is(sendfile(p[1], in, &off, 1000), 1000) && is(off, 1100));
	check("leaves the file offset", is(lseek(in, 0, SEEK_CUR), 0));
	check("the pipe holds the bytes sent", is(read(p[0], b, sizeof b), 1000) && !memcmp(b, src + 100, 1000));
	int out = open("dst", O_CREAT | O_RDWR | O_TRUNC, 0644);
	check("sendfile to a file from the offset", is(sendfile(out, in, 0, 3000), 3000) && is(lseek(in, 0, SEEK_CUR), 3000));
	check("the file holds the bytes", is(pread(out, b, sizeof b, 0), 3000) && !memcmp(b, src, 3000));
	off = sizeof src;
	check("sendfile at the end of file returns 0", is(sendfile(out, in, &off, 10), 0));
	int ro = open("src", O_RDONLY);
	checkerr("sendfile to a read-only descriptor", sendfile(ro, out, 0, 10), EBADF);
	close(ro), close(p[0]), close(p[1]), close(in), close(out);
}

static long cfr(int in, loff_t *oi, int out, loff_t *oo, size_t n, unsigned fl)
{
	return syscall(SYS_copy_file_range, in, oi, out, oo, n, fl);
}

static void copies(void)
{
	char b[3000];
	int in = open("src", O_RDONLY), out = open("dst", O_RDWR | O_TRUNC);
	loff_t oi = 500, oo = 0;
	check("copy_file_range", is(cfr(in, &oi, out, &oo, 2000, 0), 2000) && is(oi, 2500) && is(oo, 2000));
	check("leaves the file offsets", is(lseek(in, 0, SEEK_CUR), 0) && is(lseek(out, 0, SEEK_CUR), 0));
	check("copies the bytes", is(pread(out, b, sizeof b, 0), 2000) && !memcmp(b, src + 500, 2000));
	lseek(in, 10, SEEK_SET);
	check("copy_file_range from the offsets", is(cfr(in, 0, out, 0, 100, 0), 100) && is(lseek(in, 0, SEEK_CUR), 110) &&
							is(lseek(out, 0, SEEK_CUR), 100));
	oi = sizeof src;
	check("copy_file_range at the end of file returns 0", is(cfr(in, &oi, out, 0, 100, 0), 0));
	checkerr("copy_file_range with a flag", cfr(in, 0, out, 0, 100, 1), EINVAL);
	oi = 0, oo = 50;
	checkerr("copy_file_range over itself", cfr(out, &oi, out, &oo, 100, 0), EINVAL);
	checkerr("copy_file_range to a read-only descriptor", cfr(out, 0, in, 0, 100, 0), EBADF);
	close(in), close(out);
}

static void splices(void)
{
	char b[600];
	int in = open("src", O_RDONLY), out = open("dst", O_RDWR | O_TRUNC), p[2], q[2];
	pipe(p), pipe(q);
	loff_t off = 200, oo = 0;
	check("splice file to pipe", is(splice(in, &off, p[1], 0, 500, 0), 500) && is(off, 700) && is(lseek(in, 0, SEEK_CUR), 0));
	check("the pipe holds the bytes spliced", is(read(p[0], b, sizeof b), 500) && !memcmp(b, src + 200, 500));
	write(p[1], "pipedata", 8);
	check("splice pipe to file", is(splice(p[0], 0, out, &oo, 100, 0), 8) && is(oo, 8) && has("dst", "pipedata"));
	checkerr("splice with an offset on the pipe", splice(p[0], &off, out, 0, 8, 0), ESPIPE);
	checkerr("splice file to file", splice(in, 0, out, 0, 8, 0), EINVAL);
	write(p[1], "teedata", 7);
	check("tee", is(tee(p[0], q[1], 100, 0), 7));
	check("the copy reads back", is(read(q[0], b, sizeof b), 7) && !memcmp(b, "teedata", 7));
	check("and the source still holds it", is(read(p[0], b, sizeof b), 7) && !memcmp(b, "teedata", 7));
	checkerr("tee of an empty pipe, SPLICE_F_NONBLOCK", tee(p[0], q[1], 100, SPLICE_F_NONBLOCK), EAGAIN);
	checkerr("tee from a file", tee(in, q[1], 100, 0), EINVAL);
	checkerr("tee to the same pipe", tee(p[0], p[1], 100, 0), EINVAL);
	close(p[0]), close(p[1]), close(q[0]), close(q[1]), close(in), close(out);
	unlink("src"), unlink("dst");
}

/* ---- ioctl, poll, select ---- */

static void ioctls(void)
{
	int n = -1, on = 1, off = 0, p[2];
	mkfile("io", "0123456789", 0644);
	int fd = open("io", O_RDWR);
	lseek(fd, 3, SEEK_SET);
	check("FIONREAD of a file: bytes from the offset", is(ioctl(fd, FIONREAD, &n), 0) && is(n, 7));
	pipe(p);
	write(p[1], "abcde", 5);
	check("FIONREAD of a pipe", is(ioctl(p[0], FIONREAD, &n), 0) && is(n, 5));
	close(p[0]), close(p[1]);
	check("FIONBIO on sets O_NONBLOCK", is(ioctl(fd, FIONBIO, &on), 0) && (fcntl(fd, F_GETFL) & O_NONBLOCK));
	check("FIONBIO off clears it", is(ioctl(fd, FIONBIO, &off), 0) && !(fcntl(fd, F_GETFL) & O_NONBLOCK));
	check("FIOCLEX", is(ioctl(fd, FIOCLEX), 0) && is(fcntl(fd, F_GETFD), FD_CLOEXEC));
	check("FIONCLEX", is(ioctl(fd, FIONCLEX), 0) && is(fcntl(fd, F_GETFD), 0));
	struct winsize ws;
	checkerr("TIOCGWINSZ of a file", ioctl(fd, TIOCGWINSZ, &ws), ENOTTY);
	checkerr("ioctl of a bad descriptor", ioctl(999, FIONREAD, &n), EBADF);
	close(fd);
}

static void polls(void)
{
	int fd = open("io", O_RDWR), ro = open("io", O_RDONLY);
	struct pollfd pf[2] = {{.fd = fd, .events = POLLIN | POLLOUT}, {.fd = ro, .events = POLLIN | POLLOUT}};
	check("poll of a file: ready at once", is(poll(pf, 2, 0), 2));
	check("POLLIN|POLLOUT, even read-only", is(pf[0].revents, POLLIN | POLLOUT) && is(pf[1].revents, POLLIN | POLLOUT));
	int gone = dup(ro);
	close(gone);
	struct pollfd bad = {.fd = gone, .events = POLLIN};
	check("poll of a closed descriptor: POLLNVAL", is(poll(&bad, 1, 0), 1) && is(bad.revents, POLLNVAL));
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fd, &r);
	FD_SET(fd, &w);
	struct timeval tv = {0, 0};
	check("select of a file: readable and writable", is(select(fd + 1, &r, &w, 0, &tv), 2) &&
	      FD_ISSET(fd, &r) && FD_ISSET(fd, &w));
	close(fd), close(ro);
	unlink("io");
}

/* ---- memfd_create ---- */

static void memfds(void)
{
	char b[16];
	struct stat st;
	int m = memfd_create("files", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	check("memfd_create", m >= 0 && is(fcntl(m, F_GETFD), FD_CLOEXEC));
	check("write and read back", is(write(m, "memory", 6), 6) && is(pread(m, b, sizeof b, 0), 6) && !memcmp(b, "memory", 6));
	check("fstat size", fstat(m, &st) == 0 && S_ISREG(st.st_mode) && is(st.st_size, 6));
	struct statfs sf;
	check("fstatfs of a memfd: TMPFS_MAGIC", fstatfs(m, &sf) == 0 && is(sf.f_type, TMPFS_MAGIC_));
	check("F_GET_SEALS: none", is(fcntl(m, F_GET_SEALS), 0));
	check("F_ADD_SEALS F_SEAL_WRITE", is(fcntl(m, F_ADD_SEALS, F_SEAL_WRITE), 0) && is(fcntl(m, F_GET_SEALS), F_SEAL_WRITE));
	checkerr("then write", write(m, "x", 1), EPERM);
	checkerr("and pwrite", pwrite(m, "x", 1, 0), EPERM);
	check("reads still work", is(pread(m, b, sizeof b, 0), 6));
	check("F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL", is(fcntl(m, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), 0));
	checkerr("then ftruncate smaller", ftruncate(m, 2), EPERM);
	checkerr("ftruncate larger", ftruncate(m, 20), EPERM);
	checkerr("another seal", fcntl(m, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), EPERM);
	close(m);
	m = memfd_create("plain", 0); /* born with F_SEAL_SEAL */
	check("without MFD_ALLOW_SEALING F_GET_SEALS is F_SEAL_SEAL", is(fcntl(m, F_GET_SEALS), F_SEAL_SEAL));
	checkerr("and F_ADD_SEALS", fcntl(m, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	close(m);
	char name[260];
	memset(name, 'm', sizeof name);
	name[249] = 0;
	m = memfd_create(name, 0);
	check("a name of 249 bytes", m >= 0);
	close(m);
	name[249] = 'm', name[250] = 0;
	checkerr("a name of 250", memfd_create(name, 0), EINVAL);
	checkerr("an unknown flag", memfd_create("x", 0x100), EINVAL);
}

/* ---- xattrs ---- */

static void xattrs(void)
{
	char b[64];
	mkfile("xa", "", 0644);
	/* tmpfs keeps user.* attributes since Linux 6.6 */
	check("setxattr user.x", is(setxattr("xa", "user.x", "v1", 2, 0), 0));
	check("getxattr reads it", is(getxattr("xa", "user.x", b, sizeof b), 2) && !memcmp(b, "v1", 2));
	check("getxattr of size 0 gives the length", is(getxattr("xa", "user.x", 0, 0), 2));
	checkerr("getxattr into a short buffer", getxattr("xa", "user.x", b, 1), ERANGE);
	long n = listxattr("xa", b, sizeof b);
	int found = 0;
	for (long i = 0; i < n; i += strlen(b + i) + 1)
		found |= !strcmp(b + i, "user.x");
	check("listxattr names it", n > 0 && found && is(listxattr("xa", 0, 0), n));
	checkerr("getxattr of an absent name", getxattr("xa", "user.nope", b, sizeof b), ENODATA);
	checkerr("XATTR_CREATE of an existing name", setxattr("xa", "user.x", "v2", 2, XATTR_CREATE), EEXIST);
	checkerr("XATTR_REPLACE of an absent name", setxattr("xa", "user.y", "v2", 2, XATTR_REPLACE), ENODATA);
	int fd = open("xa", O_RDONLY);
	check("fsetxattr replaces, fgetxattr reads", is(fsetxattr(fd, "user.x", "v22", 3, XATTR_REPLACE), 0) &&
							is(fgetxattr(fd, "user.x", b, sizeof b), 3) && !memcmp(b, "v22", 3));
	close(fd);
	check("removexattr", is(removexattr("xa", "user.x"), 0));
	checkerr("then getxattr", getxattr("xa", "user.x", b, sizeof b), ENODATA);
	checkerr("removexattr of an absent name", removexattr("xa", "user.x"), ENODATA);
	checkerr("an unknown namespace", setxattr("xa", "foo.x", "v", 1, 0), EOPNOTSUPP);
	checkerr("an empty name", setxattr("xa", "", "v", 1, 0), ERANGE);
	symlink("xa", "xl");
	checkerr("user.* on a symlink", lsetxattr("xl", "user.x", "v", 1, 0), EPERM);
	checkerr("getxattr of a missing file", getxattr("missing", "user.x", b, sizeof b), ENOENT);
	unlink("xl"), unlink("xa");
}

/* ---- an unlinked open file ---- */

static void unlinkedopen(void)
{
	char b[32];
	struct stat st;
	int fd = open("uo", O_CREAT | O_RDWR | O_TRUNC, 0644);
	write(fd, "still here", 10);
	check("unlink of an open file", is(unlink("uo"), 0));
	checkerr("its name is gone", access("uo", F_OK), ENOENT);
	check("it is still readable", is(pread(fd, b, sizeof b, 0), 10) && !memcmp(b, "still here", 10));
	check("and writable", is(write(fd, "!", 1), 1));
	check("fstat: nlink 0, size 11", fstat(fd, &st) == 0 && is(st.st_nlink, 0) && is(st.st_size, 11));
	checklist("the directory does not list it", ".", ". .. f");
	close(fd);
}

/* ---- AT_EMPTY_PATH on the *at calls that take it ---- */

static void emptypaths(void)
{
	int fd = open("ep", O_CREAT | O_RDWR, 0644);
	struct stat st;
	check("fchownat AT_EMPTY_PATH", is(fchownat(fd, "", 1234, 5678, AT_EMPTY_PATH), 0) &&
	      fstat(fd, &st) == 0 && st.st_uid == 1234 && st.st_gid == 5678);
	checkerr("fchownat of an empty path without it", fchownat(fd, "", 0, 0, 0), ENOENT);
	struct timespec ts[2] = {{1000, 0}, {2000, 0}};
	check("utimensat of dirfd itself (NULL path)", is(syscall(SYS_utimensat, fd, 0, ts, 0), 0) &&
	      fstat(fd, &st) == 0 && st.st_mtime == 2000);
	check("faccessat2 AT_EMPTY_PATH", is(syscall(SYS_faccessat2, fd, "", R_OK, AT_EMPTY_PATH), 0));
	check("fchmodat2 AT_EMPTY_PATH", is(syscall(452, fd, "", 0600, AT_EMPTY_PATH), 0) &&
	      fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0600);
	symlink("ep", "eplink");
	checkerr("fchmodat2 AT_SYMLINK_NOFOLLOW of a symlink", syscall(452, AT_FDCWD, "eplink", 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
	check("linkat AT_EMPTY_PATH", is(linkat(fd, "", AT_FDCWD, "ep2", AT_EMPTY_PATH), 0) &&
	      stat("ep2", &st) == 0 && st.st_nlink == 2);
	close(fd);
	unlink("ep"), unlink("ep2"), unlink("eplink");
}

int main(int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : "/tmp";
	char dir[PATH_MAX], name[32];
	umask(022);
	snprintf(name, sizeof name, "files.%d", (int)getpid());
	snprintf(dir, sizeof dir, "%s/%s", base, name);
	check("mkdir of the scratch directory", is(mkdir(dir, 0755), 0));
	check("chdir into it", is(chdir(dir), 0));
	if (failures) {
		printf("files: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	open_create(), open_at(), open_flags(), open_tmpfile(), open_errors();
	rw_basic(), rw_vectors(), rw_sparse();
	stats(), nlinks(), statfss();
	dents(), dents_unlink();
	dirs(), renames(), links(), symlinks();
	modes(), owners(), times_();
	accesses(), permissions();
	truncates(), fallocates(), syncs();
	dirchanges(), chroots();
	fcntlflags(), posixlocks(), ofdlocks(), flocks(), pipesizes();
	dups();
	sendfiles(), copies(), splices();
	ioctls(), polls();
	memfds(), xattrs(), unlinkedopen(), emptypaths();
	unlink("f");
	checklist("the scratch directory is empty at the end", ".", ". ..");
	int fd = open(".", O_RDONLY | O_DIRECTORY);
	removeall(fd);
	close(fd);
	check("chdir out of the scratch directory", is(chdir(".."), 0));
	check("rmdir of the scratch directory", is(rmdir(name), 0));
	if (failures) {
		printf("files: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("files ok %d\n", checks);
	return 0;
}
