/* fsmount checks the new mount API on tmpfs as Linux 6.18 answers it:
 * fsopen's flags and types; fsconfig's argument rules for each command,
 * tmpfs's parameters (flags, strings, values checked at once), source,
 * the phases (EBUSY after CMD_CREATE), and the messages read(2) on the
 * context gives; fsmount's flags and MOUNT_ATTR_*, its O_PATH
 * descriptor on a detached mount that can be used before move_mount
 * attaches it; what /proc/self/mounts then shows; reconfiguring ro and
 * rw through the context and fspick; open_tree's clones, attached or
 * dissolved on close. Each check prints one line (0, "fd", or an errno
 * name), compared with Linux's line by line. It runs as root in a new
 * mount namespace, in a fresh directory under argv[1] (default /tmp);
 * "fsmount done 0" at the end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MS_REC 0x4000
#define MS_PRIVATE 0x40000
#define FSOPEN_CLOEXEC 1
#define FSCONFIG_SET_FLAG 0
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_SET_BINARY 2
#define FSCONFIG_SET_PATH 3
#define FSCONFIG_SET_PATH_EMPTY 4
#define FSCONFIG_SET_FD 5
#define FSCONFIG_CMD_CREATE 6
#define FSCONFIG_CMD_RECONFIGURE 7
#define FSMOUNT_CLOEXEC 1
#define MOUNT_ATTR_RDONLY 0x1
#define MOUNT_ATTR_NOSUID 0x2
#define MOUNT_ATTR_NODEV 0x4
#define MOUNT_ATTR_NOEXEC 0x8
#define MOUNT_ATTR_NOATIME 0x10
#define MOUNT_ATTR_STRICTATIME 0x20
#define MOVE_MOUNT_F_EMPTY_PATH 0x4
#define OPEN_TREE_CLONE 1
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#define AT_RECURSIVE 0x8000

static const char *ename(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EBADF: return "EBADF";
	case EACCES: return "EACCES";
	case EBUSY: return "EBUSY";
	case ENOTDIR: return "ENOTDIR";
	case EINVAL: return "EINVAL";
	case EROFS: return "EROFS";
	case ENODEV: return "ENODEV";
	case ELOOP: return "ELOOP";
	case ENODATA: return "ENODATA";
	case EMSGSIZE: return "EMSGSIZE";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	}
	static char buf[32];
	snprintf(buf, sizeof buf, "errno %d", e);
	return buf;
}

/* show prints a call's result: 0, "fd" for a descriptor, or the errno. */
static long show(const char *what, long r, int isfd)
{
	if (r < 0)
		printf("%s %s\n", what, ename(errno));
	else if (isfd)
		printf("%s fd\n", what);
	else
		printf("%s %ld\n", what, r);
	return r;
}

static long mount_(const char *src, const char *dst, const char *type, unsigned long flags)
{
	return syscall(SYS_mount, src, dst, type, flags, NULL);
}
static long umount_(const char *dir) { return syscall(SYS_umount2, dir, 0); }
static long fsopen_(const char *name, unsigned flags) { return syscall(SYS_fsopen, name, flags); }
static long fsconfig_(int fd, unsigned cmd, const char *key, const void *val, int aux)
{
	return syscall(SYS_fsconfig, fd, cmd, key, val, aux);
}
static long fsmount_(int fd, unsigned flags, unsigned attrs) { return syscall(SYS_fsmount, fd, flags, attrs); }
static long move_mount_(int fd, const char *from, int tfd, const char *to, unsigned flags)
{
	return syscall(SYS_move_mount, fd, from, tfd, to, flags);
}
static long fspick_(int dfd, const char *path, unsigned flags) { return syscall(SYS_fspick, dfd, path, flags); }
static long open_tree_(int dfd, const char *path, unsigned flags) { return syscall(SYS_open_tree, dfd, path, flags); }

/* msg prints the next message of the context's log. */
static void msg(const char *what, int fd)
{
	char buf[256];
	long n = read(fd, buf, sizeof buf - 1);
	if (n < 0) {
		printf("%s read %s\n", what, ename(errno));
		return;
	}
	buf[n] = 0;
	printf("%s read \"%s\"\n", what, buf);
}

/* opts prints which of the mount options /proc/self/mounts has for the
 * mount on dir (the last one there). */
static void opts(const char *what, const char *dir)
{
	static const char *words[] = {"rw", "ro", "nosuid", "nodev", "noexec", "noatime", "relatime",
				      "nodiratime", "sync", "size=1024k", "mode=700", NULL};
	char abs[4096], line[4096], found[4096] = "";
	if (!realpath(dir, abs)) {
		printf("%s realpath %s\n", what, ename(errno));
		return;
	}
	FILE *f = fopen("/proc/self/mounts", "r");
	while (f && fgets(line, sizeof line, f)) {
		char point[4096], o[4096];
		if (sscanf(line, "%*s %4095s %*s %4095s", point, o) == 2 && strcmp(point, abs) == 0)
			strcpy(found, o);
	}
	if (f)
		fclose(f);
	printf("%s:", what);
	if (!*found) {
		printf(" not mounted\n");
		return;
	}
	for (int i = 0; words[i]; i++) {
		char *s = found, *tok;
		char copy[4096];
		strcpy(copy, s);
		for (tok = strtok(copy, ","); tok; tok = strtok(NULL, ","))
			if (strcmp(tok, words[i]) == 0)
				printf(" %s", words[i]);
	}
	printf("\n");
}

static void params(int fd)
{
	show("SET_FLAG ro with a value", fsconfig_(fd, FSCONFIG_SET_FLAG, "ro", "x", 0), 0);
	show("SET_FLAG with aux", fsconfig_(fd, FSCONFIG_SET_FLAG, "ro", NULL, 1), 0);
	show("SET_STRING without key", fsconfig_(fd, FSCONFIG_SET_STRING, NULL, "x", 0), 0);
	show("negative fd", fsconfig_(-1, FSCONFIG_SET_FLAG, "ro", NULL, 0), 0);
	show("unknown command", fsconfig_(fd, 99, NULL, NULL, 0), 0);
	show("fd not a context", fsconfig_(0, FSCONFIG_SET_FLAG, "ro", NULL, 0), 0);
	show("bad fd", fsconfig_(99, FSCONFIG_SET_FLAG, "ro", NULL, 0), 0);
	show("SET_STRING size=1m", fsconfig_(fd, FSCONFIG_SET_STRING, "size", "1m", 0), 0);
	show("SET_STRING mode=0700", fsconfig_(fd, FSCONFIG_SET_STRING, "mode", "0700", 0), 0);
	show("SET_STRING mode=999", fsconfig_(fd, FSCONFIG_SET_STRING, "mode", "999", 0), 0);
	msg("  its message", fd);
	show("SET_FLAG bogus", fsconfig_(fd, FSCONFIG_SET_FLAG, "bogus", NULL, 0), 0);
	msg("  its message", fd);
	msg("  no more", fd);
	show("SET_FLAG size", fsconfig_(fd, FSCONFIG_SET_FLAG, "size", NULL, 0), 0);
	msg("  its message", fd);
	show("SET_STRING inode64", fsconfig_(fd, FSCONFIG_SET_STRING, "inode64", "1", 0), 0);
	msg("  its message", fd);
	show("SET_BINARY size", fsconfig_(fd, FSCONFIG_SET_BINARY, "size", "1m", 2), 0);
	msg("  its message", fd);
	show("SET_FLAG source", fsconfig_(fd, FSCONFIG_SET_FLAG, "source", NULL, 0), 0);
	msg("  its message", fd);
	show("SET_STRING source", fsconfig_(fd, FSCONFIG_SET_STRING, "source", "mysrc", 0), 0);
	show("SET_STRING source again", fsconfig_(fd, FSCONFIG_SET_STRING, "source", "other", 0), 0);
	msg("  its message", fd);
	show("SET_PATH sync \"\"", fsconfig_(fd, FSCONFIG_SET_PATH, "sync", "", AT_FDCWD), 0);
	show("SET_PATH_EMPTY sync \"\"", fsconfig_(fd, FSCONFIG_SET_PATH_EMPTY, "sync", "", AT_FDCWD), 0);
	show("SET_FD sync, bad fd", fsconfig_(fd, FSCONFIG_SET_FD, "sync", NULL, 99), 0);
	show("SET_FD sync", fsconfig_(fd, FSCONFIG_SET_FD, "sync", NULL, 0), 0);
	show("SET_FLAG bogus2", fsconfig_(fd, FSCONFIG_SET_FLAG, "bogus2", NULL, 0), 0);
	char small[4];
	errno = 0;
	show("read into 4 bytes", read(fd, small, sizeof small), 0);
	show("write", write(fd, "x", 1), 0);
}

int main(int argc, char **argv)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/fsmount.XXXXXX", argc > 1 ? argv[1] : "/tmp");
	if (unshare(CLONE_NEWNS) || mount_("none", "/", NULL, MS_REC | MS_PRIVATE) || !mkdtemp(dir) ||
	    chdir(dir)) {
		perror("setup");
		return 1;
	}
	show("fsopen nope", fsopen_("nope", 0), 0);
	show("fsopen flags 0x10", fsopen_("tmpfs", 0x10), 0);
	int fd = show("fsopen tmpfs", fsopen_("tmpfs", FSOPEN_CLOEXEC), 1);
	show("  FD_CLOEXEC", fcntl(fd, F_GETFD), 0);
	show("  O_ACCMODE", fcntl(fd, F_GETFL) & O_ACCMODE, 0);
	params(fd);
	show("fsmount before CMD_CREATE", fsmount_(fd, 0, 0), 0);
	show("CMD_CREATE", fsconfig_(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0), 0);
	show("CMD_CREATE again", fsconfig_(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0), 0);
	show("SET_STRING after", fsconfig_(fd, FSCONFIG_SET_STRING, "size", "2m", 0), 0);
	show("CMD_RECONFIGURE before fsmount", fsconfig_(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0), 0);
	show("fsmount flags 2", fsmount_(fd, 2, 0), 0);
	show("fsmount attr 0x100", fsmount_(fd, 0, 0x100), 0);
	show("fsmount NOATIME|STRICTATIME", fsmount_(fd, 0, MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME), 0);
	show("fsmount bad fd", fsmount_(99, 0, 0), 0);
	show("fsmount of a non-context", fsmount_(0, 0, 0), 0);
	int mfd = show("fsmount", fsmount_(fd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOATIME), 1);
	show("  FD_CLOEXEC", fcntl(mfd, F_GETFD), 0);
	show("  O_PATH", (fcntl(mfd, F_GETFL) & O_PATH) != 0, 0);
	show("fsmount again", fsmount_(fd, 0, 0), 0);
	struct stat st;
	show("fstatat detached root", fstatat(mfd, "", &st, AT_EMPTY_PATH), 0);
	printf("  mode %o\n", st.st_mode);
	int f = show("create a file in the detached mount", openat(mfd, "f", O_CREAT | O_RDWR, 0644), 1);
	show("  write", write(f, "hi", 2), 0);
	close(f);
	show("mkdir mnt", mkdir("mnt", 0755), 0);
	show("move_mount without F_EMPTY_PATH", move_mount_(mfd, "", AT_FDCWD, "mnt", 0), 0);
	show("move_mount flags 0x8", move_mount_(mfd, "", AT_FDCWD, "mnt", 0x8), 0);
	show("move_mount to a missing dir", move_mount_(mfd, "", AT_FDCWD, "nodir", MOVE_MOUNT_F_EMPTY_PATH), 0);
	show("move_mount", move_mount_(mfd, "", AT_FDCWD, "mnt", MOVE_MOUNT_F_EMPTY_PATH), 0);
	show("move_mount onto itself", move_mount_(mfd, "", AT_FDCWD, "mnt", MOVE_MOUNT_F_EMPTY_PATH), 0);
	close(mfd);
	show("access mnt/f", access("mnt/f", F_OK), 0);
	opts("mounted", "mnt");
	show("SET_FLAG ro", fsconfig_(fd, FSCONFIG_SET_FLAG, "ro", NULL, 0), 0);
	show("CMD_RECONFIGURE", fsconfig_(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0), 0);
	opts("after ro", "mnt");
	show("create on it", open("mnt/g", O_CREAT | O_RDWR, 0644), 1);
	close(fd);
	int pfd = show("fspick mnt", fspick_(AT_FDCWD, "mnt", 0), 1);
	show("  FD_CLOEXEC", fcntl(pfd, F_GETFD), 0);
	show("fspick SET_FLAG rw", fsconfig_(pfd, FSCONFIG_SET_FLAG, "rw", NULL, 0), 0);
	show("fspick CMD_CREATE", fsconfig_(pfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0), 0);
	show("fspick CMD_RECONFIGURE", fsconfig_(pfd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0), 0);
	show("fsmount of fspick's", fsmount_(pfd, 0, 0), 0);
	close(pfd);
	opts("after rw", "mnt");
	show("mkdir mnt/sub", mkdir("mnt/sub", 0755), 0);
	show("fspick mnt/sub", fspick_(AT_FDCWD, "mnt/sub", 0), 1);
	show("fspick flags 0x10", fspick_(AT_FDCWD, "mnt", 0x10), 1);
	show("fspick missing", fspick_(AT_FDCWD, "nodir", 0), 1);
	show("open_tree AT_RECURSIVE alone", open_tree_(AT_FDCWD, "mnt", AT_RECURSIVE), 1);
	show("open_tree bad flags", open_tree_(AT_FDCWD, "mnt", 0x2), 1);
	int ofd = show("open_tree clone", open_tree_(AT_FDCWD, "mnt", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC), 1);
	show("  FD_CLOEXEC", fcntl(ofd, F_GETFD), 0);
	show("mkdir mnt2", mkdir("mnt2", 0755), 0);
	show("move_mount the clone", move_mount_(ofd, "", AT_FDCWD, "mnt2", MOVE_MOUNT_F_EMPTY_PATH), 0);
	close(ofd);
	show("access mnt2/f", access("mnt2/f", F_OK), 0);
	opts("clone", "mnt2");
	show("umount mnt2", umount_("mnt2"), 0);
	ofd = show("open_tree clone of mnt/sub", open_tree_(AT_FDCWD, "mnt/sub", OPEN_TREE_CLONE), 1);
	show("  mkdir through it", mkdirat(ofd, "d", 0755), 0);
	close(ofd);
	show("  access mnt/sub/d", access("mnt/sub/d", F_OK), 0);
	opts("mnt2 after the clone went", "mnt2");
	int plain = show("open_tree without clone", open_tree_(AT_FDCWD, "mnt", 0), 1);
	show("  O_PATH", (fcntl(plain, F_GETFL) & O_PATH) != 0, 0);
	show("  move_mount it onto mnt2", move_mount_(plain, "", AT_FDCWD, "mnt2", MOVE_MOUNT_F_EMPTY_PATH), 0);
	close(plain);
	opts("moved", "mnt2");
	show("  access mnt2/f", access("mnt2/f", F_OK), 0);
	opts("mnt after the move", "mnt");
	show("umount mnt2", umount_("mnt2"), 0);
	fd = fsopen_("tmpfs", 0);
	show("CMD_CREATE with a bad size", fsconfig_(fd, FSCONFIG_SET_STRING, "size", "x", 0), 0);
	show("CMD_CREATE and close unmounted", fsconfig_(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0), 0);
	close(fd);
	rmdir("mnt");
	rmdir("mnt2");
	chdir("/");
	show("rmdir", rmdir(dir), 0);
	printf("fsmount done 0\n");
	return 0;
}
