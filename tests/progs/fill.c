/* fill writes files until the file systems or the machine's memory run
 * out: each write ends with ENOSPC (never a crash or a hang), what was
 * written stays intact, and removing the files gives every block back.
 * Run it on a small machine with the directories to fill as arguments;
 * each is filled in turn, so the last ones meet a machine already full. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char chunk[1 << 20];
	int failures = 0;
	for (int i = 1; i < argc; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/fill.%d", argv[i], (int)getpid());
		struct statfs before, after;
		statfs(argv[i], &before);
		int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
		if (fd < 0) {
			printf("fill %s: open: %s\n", argv[i], strerror(errno));
			failures++;
			continue;
		}
		long total = 0;
		int err = 0;
		for (;;) {
			memset(chunk, (int)(total >> 20) & 0xff, sizeof chunk);
			ssize_t n = write(fd, chunk, sizeof chunk);
			if (n < 0) {
				err = errno;
				break;
			}
			total += n;
		}
		int intact = 1;
		for (long off = 0; off + (long)sizeof chunk <= total && intact; off += sizeof chunk) {
			if (pread(fd, chunk, sizeof chunk, off) != (ssize_t)sizeof chunk)
				intact = 0;
			for (size_t j = 0; j < sizeof chunk && intact; j += 4096)
				intact = chunk[j] == (char)((off >> 20) & 0xff);
		}
		close(fd);
		unlink(path);
		statfs(argv[i], &after);
		printf("fill %s: %s after %ld MiB, %s, %s\n", argv[i], err == ENOSPC ? "ENOSPC" : strerror(err), total >> 20,
		       intact ? "contents intact" : "contents LOST",
		       after.f_bfree == before.f_bfree ? "every block back" : "blocks LEAKED");
		failures += err != ENOSPC || !intact || after.f_bfree != before.f_bfree;
	}
	printf(failures ? "fill: FAIL\n" : "fill ok\n");
	return failures != 0;
}
