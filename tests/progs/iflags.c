/* iflags checks the inode flags chattr sets as Linux's tmpfs has them
 * since 6.0: FS_IOC_GETFLAGS and FS_IOC_SETFLAGS (and the 32-bit numbers,
 * ENOTTY for a 64-bit caller), FS_IOC_FSGETXATTR and FS_IOC_FSSETXATTR;
 * which flags tmpfs takes and which a new inode inherits; who may set
 * them (the owner, and CAP_LINUX_IMMUTABLE for IMMUTABLE and APPEND);
 * what an immutable or append-only file or directory refuses (open for
 * writing, truncate, chmod, chown, utimes, link, unlink, rename, xattrs,
 * fallocate, F_SETFL) and what it still allows (writes through a
 * descriptor opened before); NOATIME reads; statx's stx_attributes and
 * stx_attributes_mask. Each check prints one line with the result (0 or
 * an errno name), compared with Linux's line by line. It runs as root in
 * a fresh directory under argv[1] (default /tmp), a tmpfs, and removes
 * it; "iflags done 0" at the end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define FS_IOC_GETFLAGS 0x80086601
#define FS_IOC_SETFLAGS 0x40086602
#define FS_IOC32_GETFLAGS 0x80046601
#define FS_IOC32_SETFLAGS 0x40046602
#define FS_IOC_FSGETXATTR 0x801c581f
#define FS_IOC_FSSETXATTR 0x401c5820
#define FS_COMPR_FL 0x4
#define FS_SYNC_FL 0x8
#define FS_IMMUTABLE_FL 0x10
#define FS_APPEND_FL 0x20
#define FS_NODUMP_FL 0x40
#define FS_NOATIME_FL 0x80
#define FS_XFLAG_IMMUTABLE 0x8
#define FS_XFLAG_APPEND 0x10
#define FS_XFLAG_NODUMP 0x80
#define FS_XFLAG_NOATIME 0x40
#define FS_XFLAG_EXTSIZE 0x800

struct fsxattr_ {
	uint32_t xflags, extsize, nextents, projid, cowextsize;
	unsigned char pad[8];
};

struct statx_ {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad1;
	uint64_t ino, size, blocks, attributes_mask;
	unsigned char rest[256 - 64];
};

static int bad;

static const char *ename(int e)
{
	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EBADF: return "EBADF";
	case EEXIST: return "EEXIST";
	case EISDIR: return "EISDIR";
	}
	static char b[16];
	snprintf(b, sizeof b, "errno%d", e);
	return b;
}

/* check prints what a call gave: 0 or its errno. */
static void check(const char *what, long r)
{
	printf("%s: %s\n", what, r < 0 ? ename(errno) : "0");
}

static int getfl(int fd)
{
	int f = -1;
	if (ioctl(fd, FS_IOC_GETFLAGS, &f) < 0)
		return -errno;
	return f;
}

static long setfl(int fd, int f) { return ioctl(fd, FS_IOC_SETFLAGS, &f); }

static long xstatx(const char *p, struct statx_ *sx)
{
	memset(sx, 0, sizeof *sx);
	return syscall(SYS_statx, AT_FDCWD, p, 0, 0x7ff, sx);
}

static void flags_api(void)
{
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	printf("new file flags %#x\n", getfl(fd));
	int i = 0;
	check("FS_IOC32_GETFLAGS", ioctl(fd, FS_IOC32_GETFLAGS, &i));
	check("FS_IOC32_SETFLAGS", ioctl(fd, FS_IOC32_SETFLAGS, &i));
	check("set COMPR", setfl(fd, FS_COMPR_FL));
	check("set SYNC", setfl(fd, FS_SYNC_FL));
	check("set NODUMP|NOATIME", setfl(fd, FS_NODUMP_FL | FS_NOATIME_FL));
	printf("flags %#x\n", getfl(fd));
	struct fsxattr_ fx;
	memset(&fx, 0xff, sizeof fx);
	check("FSGETXATTR", ioctl(fd, FS_IOC_FSGETXATTR, &fx));
	printf("xflags %#x extsize %u nextents %u projid %u\n", fx.xflags, fx.extsize, fx.nextents, fx.projid);
	memset(&fx, 0, sizeof fx);
	fx.xflags = FS_XFLAG_NODUMP;
	check("FSSETXATTR NODUMP", ioctl(fd, FS_IOC_FSSETXATTR, &fx));
	printf("flags %#x\n", getfl(fd));
	fx.xflags = FS_XFLAG_EXTSIZE;
	check("FSSETXATTR EXTSIZE", ioctl(fd, FS_IOC_FSSETXATTR, &fx));
	fx.xflags = 0;
	fx.projid = 5;
	check("FSSETXATTR projid", ioctl(fd, FS_IOC_FSSETXATTR, &fx));
	check("set 0", setfl(fd, 0));
	check("get on O_PATH", ({ int p = open("f", O_PATH); long r = ioctl(p, FS_IOC_GETFLAGS, &i); close(p); r; }));
	check("get on O_RDONLY", ({ int p = open("f", O_RDONLY); long r = ioctl(p, FS_IOC_GETFLAGS, &i); close(p); r; }));
	int pfd[2];
	if (pipe(pfd) == 0) {
		check("get on a pipe", ioctl(pfd[0], FS_IOC_GETFLAGS, &i));
		close(pfd[0]);
		close(pfd[1]);
	}
	check("get to a bad address", ioctl(fd, FS_IOC_GETFLAGS, (void *)8));
	check("set from a bad address", ioctl(fd, FS_IOC_SETFLAGS, (void *)8));
	close(fd);
	/* The directory's NODUMP and NOATIME are inherited. */
	mkdir("d", 0755);
	int d = open("d", O_RDONLY | O_DIRECTORY);
	check("dir set NODUMP|NOATIME|APPEND", setfl(d, FS_NODUMP_FL | FS_NOATIME_FL | FS_APPEND_FL));
	printf("dir flags %#x\n", getfl(d));
	fd = open("d/child", O_CREAT | O_RDWR, 0644);
	printf("child flags %#x\n", getfl(fd));
	close(fd);
	mkdir("d/sub", 0755);
	fd = open("d/sub", O_RDONLY);
	printf("subdir flags %#x\n", getfl(fd));
	close(fd);
	check("unlink in an append-only dir", unlink("d/child"));
	check("rename out of an append-only dir", rename("d/child", "moved"));
	check("create in an append-only dir", close(open("d/new", O_CREAT | O_RDWR, 0644)));
	check("dir set 0", setfl(d, 0));
	check("unlink afterwards", unlink("d/child"));
	unlink("d/new");
	rmdir("d/sub");
	close(d);
}

static void immutable(void)
{
	int fd = open("imm", O_CREAT | O_RDWR, 0644);
	if (write(fd, "hello", 5) != 5)
		bad++;
	check("set IMMUTABLE", setfl(fd, FS_IMMUTABLE_FL));
	printf("flags %#x\n", getfl(fd));
	struct statx_ sx;
	check("statx", xstatx("imm", &sx));
	printf("attributes %#llx mask %#llx\n", (unsigned long long)sx.attributes, (unsigned long long)sx.attributes_mask);
	check("open O_WRONLY", open("imm", O_WRONLY));
	check("open O_RDONLY|O_TRUNC", open("imm", O_RDONLY | O_TRUNC));
	int r = open("imm", O_RDONLY);
	check("open O_RDONLY", r);
	close(r);
	check("access W_OK", access("imm", W_OK));
	check("access R_OK", access("imm", R_OK));
	check("write through an old descriptor", write(fd, "x", 1));
	check("pwrite through an old descriptor", pwrite(fd, "y", 1, 0));
	check("ftruncate through an old descriptor", ftruncate(fd, 2));
	check("fallocate", fallocate(fd, 0, 0, 4096));
	check("truncate", truncate("imm", 0));
	check("chmod", chmod("imm", 0600));
	check("chown", chown("imm", 1, 1));
	check("utimes now", utimes("imm", NULL));
	struct timeval tv[2] = {{1, 0}, {2, 0}};
	check("utimes explicit", utimes("imm", tv));
	check("link", link("imm", "imm2"));
	check("unlink", unlink("imm"));
	check("rename", rename("imm", "imm3"));
	check("rename onto", ({ close(open("other", O_CREAT | O_RDWR, 0644)); rename("other", "imm"); }));
	check("setxattr", setxattr("imm", "user.a", "v", 1, 0));
	check("removexattr", removexattr("imm", "user.a"));
	check("set NODUMP while immutable", setfl(fd, FS_IMMUTABLE_FL | FS_NODUMP_FL));
	check("set 0", setfl(fd, 0));
	check("unlink afterwards", unlink("imm"));
	unlink("other");
	close(fd);

	mkdir("idir", 0755);
	close(open("idir/in", O_CREAT | O_RDWR, 0644));
	int d = open("idir", O_RDONLY | O_DIRECTORY);
	check("dir set IMMUTABLE", setfl(d, FS_IMMUTABLE_FL));
	check("create in an immutable dir", open("idir/new", O_CREAT | O_RDWR, 0644));
	check("mkdir in an immutable dir", mkdir("idir/sub", 0755));
	check("unlink in an immutable dir", unlink("idir/in"));
	check("rename in an immutable dir", rename("idir/in", "idir/in2"));
	check("rmdir an immutable dir", rmdir("idir"));
	fd = open("idir/in", O_RDWR);
	check("open a file in an immutable dir for writing", fd);
	close(fd);
	check("dir set 0", setfl(d, 0));
	close(d);
	unlink("idir/in");
	rmdir("idir");
}

static void append_only(void)
{
	int fd = open("app", O_CREAT | O_RDWR, 0644);
	if (write(fd, "hello", 5) != 5)
		bad++;
	check("set APPEND", setfl(fd, FS_APPEND_FL));
	struct statx_ sx;
	check("statx", xstatx("app", &sx));
	printf("attributes %#llx mask %#llx\n", (unsigned long long)sx.attributes, (unsigned long long)sx.attributes_mask);
	check("open O_WRONLY", open("app", O_WRONLY));
	check("open O_RDWR", open("app", O_RDWR));
	check("open O_WRONLY|O_APPEND|O_TRUNC", open("app", O_WRONLY | O_APPEND | O_TRUNC));
	int a = open("app", O_WRONLY | O_APPEND);
	check("open O_WRONLY|O_APPEND", a);
	check("F_SETFL clearing O_APPEND", fcntl(a, F_SETFL, 0));
	check("F_SETFL keeping O_APPEND", fcntl(a, F_SETFL, O_APPEND | O_NONBLOCK));
	check("pwrite at 0", pwrite(a, "AB", 2, 0));
	char b[16] = {0};
	check("pread", pread(fd, b, sizeof b - 1, 0));
	printf("contents %s\n", b);
	check("write through an old descriptor", pwrite(fd, "Z", 1, 0));
	memset(b, 0, sizeof b);
	check("pread", pread(fd, b, sizeof b - 1, 0));
	printf("contents %s\n", b);
	check("F_SETFL on the old descriptor setting O_APPEND", fcntl(fd, F_SETFL, O_APPEND));
	check("ftruncate", ftruncate(a, 0));
	check("truncate", truncate("app", 0));
	check("fallocate", fallocate(a, 0, 0, 4096));
	check("fallocate KEEP_SIZE", fallocate(a, 1, 0, 8192));
	check("chmod", chmod("app", 0600));
	check("utimes now", utimes("app", NULL));
	struct timeval tv[2] = {{1, 0}, {2, 0}};
	check("utimes explicit", utimes("app", tv));
	check("link", link("app", "app2"));
	check("unlink", unlink("app"));
	check("rename", rename("app", "app3"));
	check("setxattr", setxattr("app", "user.a", "v", 1, 0));
	close(a);
	check("set 0", setfl(fd, 0));
	check("unlink afterwards", unlink("app"));
	close(fd);
}

static void noatime(void)
{
	int fd = open("na", O_CREAT | O_RDWR, 0644);
	if (write(fd, "hello", 5) != 5)
		bad++;
	struct timespec ts[2] = {{1000, 0}, {1000, 0}};
	futimens(fd, ts);
	check("set NOATIME", setfl(fd, FS_NOATIME_FL));
	char b[8];
	check("pread", pread(fd, b, 5, 0));
	struct stat st;
	fstat(fd, &st);
	printf("atime after a read with NOATIME: %s\n", st.st_atime == 1000 ? "kept" : "changed");
	check("set 0", setfl(fd, 0));
	check("pread", pread(fd, b, 5, 0));
	fstat(fd, &st);
	printf("atime after a read without: %s\n", st.st_atime == 1000 ? "kept" : "changed");
	struct statx_ sx;
	check("set NODUMP", setfl(fd, FS_NODUMP_FL));
	check("statx", xstatx("na", &sx));
	printf("attributes %#llx\n", (unsigned long long)sx.attributes);
	close(fd);
	unlink("na");
}

/* unprivileged: a non-owner may not set flags; the owner may set NODUMP
 * but not IMMUTABLE without CAP_LINUX_IMMUTABLE. */
static void unprivileged(void)
{
	int fd = open("u", O_CREAT | O_RDWR, 0666);
	close(fd);
	chown("u", 1000, 1000);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(2000) || setuid(2000))
			_exit(2);
		int f = open("u", O_RDONLY);
		check("non-owner get", ({ int x; ioctl(f, FS_IOC_GETFLAGS, &x); }));
		check("non-owner set NODUMP", setfl(f, FS_NODUMP_FL));
		close(f);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	pid = fork();
	if (pid == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(2);
		int f = open("u", O_RDWR);
		check("owner set NODUMP", setfl(f, FS_NODUMP_FL));
		check("owner set IMMUTABLE", setfl(f, FS_IMMUTABLE_FL | FS_NODUMP_FL));
		check("owner set an unsupported flag", setfl(f, FS_SYNC_FL | FS_NODUMP_FL));
		check("owner clear NODUMP", setfl(f, 0));
		close(f);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	fd = open("u", O_RDWR);
	check("root set IMMUTABLE", setfl(fd, FS_IMMUTABLE_FL));
	pid = fork();
	if (pid == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(2);
		int f = open("u", O_RDONLY);
		check("owner clear IMMUTABLE", setfl(f, 0));
		check("owner set NODUMP keeping IMMUTABLE", setfl(f, FS_IMMUTABLE_FL | FS_NODUMP_FL));
		close(f);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	printf("flags %#x\n", getfl(fd));
	check("root clear", setfl(fd, 0));
	close(fd);
	unlink("u");
}

int main(int argc, char **argv)
{
	char dir[256];
	snprintf(dir, sizeof dir, "%s/iflags.XXXXXX", argc > 1 ? argv[1] : "/tmp");
	if (!mkdtemp(dir) || chmod(dir, 0755) || chdir(dir)) {
		perror("scratch dir");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	flags_api();
	immutable();
	append_only();
	noatime();
	unprivileged();
	rmdir("d");
	unlink("moved");
	unlink("f");
	chdir("/");
	check("rmdir scratch", rmdir(dir));
	printf("iflags done %d\n", bad);
	return bad != 0;
}
