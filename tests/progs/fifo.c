/* fifo checks named pipes as fs/pipe.c's fifo_open makes them: a
 * reader's open waits for a writer and a writer's for a reader, a
 * nonblocking writer with no reader is ENXIO while a nonblocking reader
 * opens at once and reads end of file, O_RDWR never waits, data flows
 * between processes, and the buffer starts empty once every end closed.
 * Takes a scratch directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
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

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[4096], buf[64];
	snprintf(path, sizeof path, "%s/fifo.%d", dir, (int)getpid());
	check("mkfifo", mkfifo(path, 0600) == 0);
	struct stat st;
	check("it is a FIFO of mode 0600", stat(path, &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0600);
	check("a nonblocking writer with no reader: ENXIO", open(path, O_WRONLY | O_NONBLOCK) == -1 && errno == ENXIO);
	int r = open(path, O_RDONLY | O_NONBLOCK);
	check("a nonblocking reader opens at once", r >= 0);
	check("and reads end of file with no writer", read(r, buf, sizeof buf) == 0);
	struct pollfd pf = {r, POLLIN, 0};
	check("poll: nothing, not even a hang-up, before any writer", poll(&pf, 1, 0) == 0);
	int w = open(path, O_WRONLY | O_NONBLOCK);
	check("now a nonblocking writer opens", w >= 0);
	check("write", write(w, "hello", 5) == 5);
	check("the reader reads it", read(r, buf, sizeof buf) == 5 && !memcmp(buf, "hello", 5));
	check("an empty FIFO with a writer: EAGAIN", read(r, buf, sizeof buf) == -1 && errno == EAGAIN);
	close(w);
	pf.revents = 0;
	check("poll: hung up once the writer went", poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP));
	check("read: end of file", read(r, buf, sizeof buf) == 0);
	close(r);

	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(path, O_WRONLY); /* waits for the parent's reader */
		_exit(fd >= 0 && write(fd, "from the child", 14) == 14 ? 0 : 1);
	}
	r = open(path, O_RDONLY); /* waits for the child's writer */
	check("a blocking reader and writer meet", r >= 0);
	int n = 0, got;
	while ((got = read(r, buf + n, sizeof buf - n)) > 0)
		n += got;
	int status;
	waitpid(pid, &status, 0);
	check("the child's bytes arrive, then end of file", n == 14 && !memcmp(buf, "from the child", 14) && got == 0);
	check("the child exited 0", WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(r);

	int rw = open(path, O_RDWR);
	check("O_RDWR opens without waiting", rw >= 0);
	check("and reads what it wrote", write(rw, "self", 4) == 4 && read(rw, buf, 4) == 4 && !memcmp(buf, "self", 4));
	check("fstat says FIFO", fstat(rw, &st) == 0 && S_ISFIFO(st.st_mode));
	check("lseek: ESPIPE", lseek(rw, 0, SEEK_SET) == -1 && errno == ESPIPE);
	check("leave a byte behind", write(rw, "x", 1) == 1);
	close(rw);
	r = open(path, O_RDWR);
	check("after every end closed, it starts empty", fcntl(r, F_SETFL, O_NONBLOCK) == 0 && read(r, buf, 1) == -1 && errno == EAGAIN);
	close(r);
	check("unlink", unlink(path) == 0);
	if (failures) {
		printf("fifo: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("fifo ok %d\n", checks);
	return 0;
}
