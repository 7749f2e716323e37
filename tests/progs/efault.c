/* efault passes bad buffers to write() and read() through raw syscall(),
 * so libc cannot check them first; each call must fail with EFAULT and
 * leave the kernel running. It reads from its own executable, which is
 * always there and never blocks. Prints "efault ok" and exits 0 only if
 * every call failed as it should. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	unsigned long addr;
} bad[] = {
	{"NULL", 0},
	{"unmapped", 0x7000dead0000UL},
	{"kernel", 0xffff800000200000UL},
};

static int check(const char *call, const char *name, long r)
{
	if (r == -1 && errno == EFAULT)
		return 0;
	printf("efault: %s with a %s buffer returned %ld (errno %d), want -1 EFAULT\n",
	       call, name, r, r == -1 ? errno : 0);
	return 1;
}

int main(int argc, char **argv)
{
	int failed = 0;
	int fd = open(argc > 0 ? argv[0] : "/proc/self/exe", O_RDONLY);

	if (fd < 0) {
		perror("efault: open argv[0]");
		return 2;
	}
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		failed += check("write", bad[i].name,
				syscall(SYS_write, 1, bad[i].addr, 16));
		failed += check("read", bad[i].name,
				syscall(SYS_read, fd, bad[i].addr, 16));
	}
	if (failed) {
		printf("efault: %d calls did not fail with EFAULT\n", failed);
		return 1;
	}
	puts("efault ok");
	return 0;
}
