// tty: a pseudo-terminal pair and its line discipline as Linux has them,
// compared line by line with a native run: the slave's defaults,
// canonical editing and its echo, EOF, raw reads with VMIN and VTIME,
// output processing, flow control, the controlling terminal, job control (SIGTTIN for
// a background reader, ^C to the foreground group, SIGWINCH), and the
// master's close.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int master, slave;

// drain reads what the master has (the slave's output and echo) and
// prints it escaped.
static void drain(const char *what)
{
	char b[256], out[1024];
	int n = 0, o = 0;
	usleep(20000);
	int fl = fcntl(master, F_GETFL);
	fcntl(master, F_SETFL, fl | O_NONBLOCK);
	int r;
	while ((r = read(master, b + n, sizeof b - 1 - n)) > 0)
		n += r;
	fcntl(master, F_SETFL, fl);
	for (int i = 0; i < n; i++) {
		unsigned char c = b[i];
		if (c >= 32 && c < 127 && c != '\\')
			out[o++] = c;
		else
			o += sprintf(out + o, "\\x%02x", c);
	}
	out[o] = 0;
	printf("%s: master read \"%s\"\n", what, out);
}

static void slave_read(const char *what)
{
	char b[64];
	int n = read(slave, b, sizeof b - 1);
	if (n < 0) {
		printf("%s: slave read: %s\n", what, strerror(errno));
		return;
	}
	b[n] = 0;
	for (int i = 0; i < n; i++)
		if (b[i] == '\n')
			b[i] = '|';
	printf("%s: slave read %d \"%s\"\n", what, n, b);
}

static void opening(void)
{
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0) {
		printf("posix_openpt: %s\n", strerror(errno));
		exit(1);
	}
	grantpt(master);
	const char *name = ptsname(master);
	printf("ptsname is /dev/pts/N: %d\n", name && strncmp(name, "/dev/pts/", 9) == 0);
	int early = open(name, O_RDWR | O_NOCTTY);
	printf("open before unlockpt: %d %s\n", early, early < 0 ? strerror(errno) : "");
	unlockpt(master);
	slave = open(name, O_RDWR | O_NOCTTY);
	printf("open slave: %d, isatty %d %d, ttyname matches %d\n", slave >= 0, isatty(slave), isatty(master),
	       ttyname(slave) && strcmp(ttyname(slave), name) == 0);
	struct termios t;
	tcgetattr(slave, &t);
	printf("slave termios: %#x %#x %#x %#x cc", t.c_iflag, t.c_oflag, t.c_cflag, t.c_lflag);
	for (int i = 0; i < 17; i++)
		printf(" %d", t.c_cc[i]);
	printf("\n");
}

static void canonical(void)
{
	write(master, "hello\x7f\x7fp! wrd\x17world\r", 20);
	slave_read("edited line");
	drain("echo");
	write(master, "ab\x04", 3);
	slave_read("VEOF ends a line");
	write(master, "\x04", 1);
	slave_read("VEOF alone");
	write(master, "gone\x15kept\n", 10);
	slave_read("after VKILL");
	drain("kill echo");
	write(slave, "a\nb", 3);
	drain("ONLCR output");
}

static void raw(void)
{
	struct termios t, saved;
	tcgetattr(slave, &saved);
	t = saved;
	cfmakeraw(&t);
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 0;
	tcsetattr(slave, TCSANOW, &t);
	write(master, "xyz\r", 4);
	slave_read("raw VMIN 3");
	drain("raw echo");
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 2;
	tcsetattr(slave, TCSANOW, &t);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	slave_read("VTIME 2, nothing typed");
	clock_gettime(CLOCK_MONOTONIC, &b);
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	printf("VTIME waited 150-2000 ms: %d\n", ms >= 150 && ms < 2000);
	write(slave, "a\nb", 3);
	drain("raw output");
	int n = -1;
	write(master, "q", 1);
	usleep(20000);
	ioctl(slave, FIONREAD, &n);
	printf("FIONREAD: %d\n", n);
	tcflush(slave, TCIFLUSH);
	ioctl(slave, FIONREAD, &n);
	printf("after TCIFLUSH: %d\n", n);
	tcsetattr(slave, TCSANOW, &saved);
}

// nbwrite writes one byte to the slave without waiting and says how it went.
static void nbwrite(const char *what, const char *c)
{
	int fl = fcntl(slave, F_GETFL);
	fcntl(slave, F_SETFL, fl | O_NONBLOCK);
	int r = write(slave, c, 1);
	printf("%s: write %d %s\n", what, r, r < 0 ? strerror(errno) : "");
	fcntl(slave, F_SETFL, fl);
}

// flow is output flow control: VSTOP/VSTART typed (IXON), TCXONC's four
// actions, and the requests a terminal refuses with EINVAL.
static void flow(void)
{
	write(master, "\x13", 1);
	usleep(20000);
	nbwrite("after ^S", "s");
	write(master, "\x11", 1);
	usleep(20000);
	nbwrite("after ^Q", "q");
	drain("flow output");
	printf("TCOOFF: %d\n", tcflow(slave, TCOOFF));
	nbwrite("after TCOOFF", "o");
	write(master, "\x11", 1);
	usleep(20000);
	nbwrite("^Q after TCOOFF", "Q");
	printf("TCOON: %d\n", tcflow(slave, TCOON));
	nbwrite("after TCOON", "n");
	printf("TCIOFF: %d\n", tcflow(slave, TCIOFF));
	printf("TCION: %d\n", tcflow(slave, TCION));
	drain("flow characters");
	int r = ioctl(slave, TCXONC, 4);
	printf("TCXONC 4: %d %s\n", r, r < 0 ? strerror(errno) : "");
	r = ioctl(slave, TCFLSH, 3);
	printf("TCFLSH 3: %d %s\n", r, r < 0 ? strerror(errno) : "");
	int ld = 99;
	r = ioctl(slave, TIOCSETD, &ld);
	printf("TIOCSETD 99: %d %s\n", r, r < 0 ? strerror(errno) : "");
	r = ioctl(slave, TCSETS, (void *)8);
	printf("TCSETS at a bad address: %d %s\n", r, r < 0 ? strerror(errno) : "");
	r = ioctl(slave, 0x54ff, 0);
	printf("an unknown terminal request: %d %s\n", r, r < 0 ? strerror(errno) : "");
}

static volatile sig_atomic_t winch;
static int sync_pipe[2];

// ready and await pass the turn between the session child and the
// parent, which types at the master.
static void ready(void) { write(sync_pipe[1], "r", 1); }
static void await(void)
{
	char c;
	read(sync_pipe[0], &c, 1);
}

static void onwinch(int s) { winch = s; }

// session: a child leads a session with the slave as its terminal; a
// background reader stops with SIGTTIN, a foreground one reads, ^C
// kills the foreground group, a window change is SIGWINCH, and closing
// the master hangs the session up.
static int session_child(const char *name)
{
	setsid();
	int fd = open("/dev/tty", O_RDWR);
	int e = errno;
	printf("child: /dev/tty before a terminal: %d %s\n", fd, fd < 0 ? strerror(e) : "");
	int s = open(name, O_RDWR); // a session leader's first terminal becomes its own
	printf("child: tcgetpgrp is me %d, getsid %d\n", tcgetpgrp(s) == getpid(), tcgetsid(s) == getpid());
	fd = open("/dev/tty", O_RDWR);
	printf("child: /dev/tty now: %d\n", fd >= 0);
	signal(SIGWINCH, onwinch);
	pid_t g = fork();
	if (g == 0) {
		setpgid(0, 0);
		char b[16];
		int n = read(s, b, sizeof b);
		_exit(n == 5 ? 0 : 10 + n);
	}
	setpgid(g, g);
	int st;
	waitpid(g, &st, WUNTRACED);
	printf("child: background reader stopped by %d\n", WIFSTOPPED(st) ? WSTOPSIG(st) : -1);
	signal(SIGTTOU, SIG_IGN);
	tcsetpgrp(s, g);
	kill(g, SIGCONT);
	printf("child: foreground is the reader %d\n", tcgetpgrp(s) == g);
	ready();
	waitpid(g, &st, 0);
	printf("child: reader exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	tcsetpgrp(s, getpgrp());
	pid_t h = fork();
	if (h == 0) {
		setpgid(0, 0);
		tcsetpgrp(s, getpid());
		for (;;)
			pause();
	}
	setpgid(h, h);
	while (tcgetpgrp(s) != h)
		usleep(10000);
	printf("child: ready for ^C\n");
	ready();
	waitpid(h, &st, 0);
	printf("child: sleeper killed by %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
	tcsetpgrp(s, getpgrp());
	printf("child: ready for a window change\n");
	ready();
	while (!winch)
		usleep(10000);
	struct winsize ws;
	ioctl(s, TIOCGWINSZ, &ws);
	printf("child: SIGWINCH, %dx%d\n", ws.ws_col, ws.ws_row);
	return 0;
}

static void session(void)
{
	const char *name = ptsname(master);
	close(slave);
	pipe(sync_pipe);
	pid_t c = fork();
	if (c == 0)
		exit(session_child(name));
	// The child says when it waits; the parent answers through the master.
	await();
	write(master, "line\n", 5);
	await();
	write(master, "\x03", 1);
	await();
	struct winsize ws = {.ws_row = 30, .ws_col = 100};
	ioctl(master, TIOCSWINSZ, &ws);
	int st;
	waitpid(c, &st, 0);
	printf("session child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	drain("session echo");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	opening();
	canonical();
	raw();
	flow();
	session();
	close(master);
	return 0;
}
