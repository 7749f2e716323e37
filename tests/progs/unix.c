/* unix checks AF_UNIX sockets as Linux's net/unix/af_unix.c has them:
 * socket and socketpair arguments; a stream's bytes, end of file, EPIPE
 * and SIGPIPE, ECONNRESET; datagram and sequenced-packet records and
 * their truncation; bind to a path (the S_IFSOCK node, the umask) or an
 * abstract name (autobind), listen backlogs, accept4, connect's errors,
 * shutdown; readiness for poll and epoll; socket options; SCM_RIGHTS
 * and SCM_CREDENTIALS; blocking calls ended by signals. It works in a
 * scratch directory (argv[1], default /tmp). Each check prints one
 * line; "unix ok N" at the end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
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

/* fails reports whether r is -1 with errno e. */
static int fails(long r, int e) { return r == -1 && errno == e; }

static void msleep(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, 0);
}

/* path and abstract fill a sockaddr_un and return its length. */
static socklen_t path(struct sockaddr_un *a, const char *p)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, p);
	return offsetof(struct sockaddr_un, sun_path) + strlen(p) + 1;
}

static socklen_t abstract(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, strlen(name));
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

/* uname makes an abstract name no other run uses. */
static const char *uname_(const char *what)
{
	static char b[8][64];
	static int i;
	char *p = b[i++ % 8];
	snprintf(p, 64, "unix.c-%d-%s", (int)getpid(), what);
	return p;
}

static volatile sig_atomic_t gotpipe, gotusr;
static void onpipe(int s) { (void)s; gotpipe++; }
static void onusr(int s) { (void)s; gotusr++; }

static short revents(int fd, short events)
{
	struct pollfd p = {fd, events, 0};
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

/* child runs f in a new process and returns its pid. */
static pid_t child(void (*f)(int), int arg)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		f(arg);
		_exit(0);
	}
	return c;
}

static int exitcode(pid_t c)
{
	int st;
	if (waitpid(c, &st, 0) != c || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int *volatile badptr = (int *)8;

static void creation(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct stat st;
	check("socket(AF_UNIX, SOCK_STREAM)", s >= 0);
	check("fstat: S_IFSOCK with every permission", fstat(s, &st) == 0 && st.st_mode == (S_IFSOCK | 0777) && st.st_nlink == 1);
	check("lseek on a socket: ESPIPE", fails(lseek(s, 0, SEEK_SET), ESPIPE));
	check("its status flags are O_RDWR", fcntl(s, F_GETFL) == O_RDWR);
	close(s);
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	check("SOCK_NONBLOCK and SOCK_CLOEXEC", s >= 0 && (fcntl(s, F_GETFL) & O_NONBLOCK) && (fcntl(s, F_GETFD) & FD_CLOEXEC));
	close(s);
	check("type 0: ESOCKTNOSUPPORT", fails(socket(AF_UNIX, 0, 0), ESOCKTNOSUPPORT));
	check("SOCK_RDM: ESOCKTNOSUPPORT", fails(socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT));
	check("SOCK_PACKET: ESOCKTNOSUPPORT", fails(socket(AF_UNIX, SOCK_PACKET, 0), ESOCKTNOSUPPORT));
	check("type 11 (SOCK_MAX): EINVAL", fails(socket(AF_UNIX, 11, 0), EINVAL));
	check("an unknown type flag: EINVAL", fails(socket(AF_UNIX, SOCK_STREAM | 0x10, 0), EINVAL));
	check("protocol 2: EPROTONOSUPPORT", fails(socket(AF_UNIX, SOCK_STREAM, 2), EPROTONOSUPPORT));
	s = socket(AF_UNIX, SOCK_SEQPACKET, PF_UNIX);
	check("protocol PF_UNIX", s >= 0);
	close(s);
	check("the type is checked before the protocol", fails(socket(AF_UNIX, 12, 5), EINVAL));
	check("the protocol before the type's support", fails(socket(AF_UNIX, SOCK_RDM, 5), EPROTONOSUPPORT));
	check("AF_UNSPEC: EAFNOSUPPORT", fails(socket(AF_UNSPEC, SOCK_STREAM, 0), EAFNOSUPPORT));
	check("family 1000: EAFNOSUPPORT", fails(socket(1000, SOCK_STREAM, 0), EAFNOSUPPORT));
	check("the family is checked before the type", fails(socket(1000, 12, 0), EAFNOSUPPORT));
	check("the type's flags before the family", fails(socket(1000, SOCK_STREAM | 0x10, 0), EINVAL));
	s = socket(AF_UNIX, SOCK_RAW, 0);
	int v = 0;
	socklen_t l = sizeof v;
	check("SOCK_RAW is taken as SOCK_DGRAM", s >= 0 && getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l) == 0 && v == SOCK_DGRAM);
	close(s);
	int p[2];
	pipe(p);
	check("listen on a pipe: ENOTSOCK", fails(listen(p[0], 1), ENOTSOCK));
	check("accept4 on a pipe: ENOTSOCK", fails(accept4(p[0], 0, 0, 0), ENOTSOCK));
	check("accept4 with a bad flag, before ENOTSOCK: EINVAL", fails(syscall(SYS_accept4, p[0], 0, 0, 0x1000), EINVAL));
	close(p[0]);
	close(p[1]);
	check("shutdown of a closed descriptor: EBADF", fails(shutdown(999, SHUT_RD), EBADF));
	int sv[2];
	check("socketpair to a bad address: EFAULT", fails(socketpair(AF_UNIX, SOCK_STREAM, 0, badptr), EFAULT));
	check("even of family 1000", fails(socketpair(1000, SOCK_STREAM, 0, badptr), EFAULT));
	check("socketpair of family 1000: EAFNOSUPPORT", fails(socketpair(1000, SOCK_STREAM, 0, sv), EAFNOSUPPORT));
	check("socketpair with a bad type flag: EINVAL", fails(socketpair(AF_UNIX, SOCK_STREAM | 0x10, 0, sv), EINVAL));
	check("socketpair SOCK_SEQPACKET|SOCK_CLOEXEC", socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0 &&
							    (fcntl(sv[0], F_GETFD) & FD_CLOEXEC) && (fcntl(sv[1], F_GETFD) & FD_CLOEXEC));
	close(sv[0]);
	close(sv[1]);
}

static void slowwrite(int fd)
{
	msleep(50);
	write(fd, "abc", 3);
	msleep(50);
	write(fd, "defgh", 5);
}

static void bigwrite(int fd)
{
	static char big[1 << 20];
	_exit(write(fd, big, sizeof big) == sizeof big ? 0 : 1);
}

static void streams(void)
{
	int sv[2];
	char b[64];
	check("socketpair SOCK_STREAM", socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	write(sv[0], "hello ", 6);
	write(sv[0], "world", 5);
	int n = -1;
	check("FIONREAD counts the unread bytes", ioctl(sv[1], FIONREAD, &n) == 0 && n == 11);
	check("a read takes part of what was written", read(sv[1], b, 3) == 3 && memcmp(b, "hel", 3) == 0);
	check("MSG_PEEK joins writes and leaves them", recv(sv[1], b, sizeof b, MSG_PEEK) == 8 && memcmp(b, "lo world", 8) == 0);
	check("a read joins writes", read(sv[1], b, sizeof b) == 8 && memcmp(b, "lo world", 8) == 0);
	check("MSG_DONTWAIT on an empty stream: EAGAIN", fails(recv(sv[1], b, 1, MSG_DONTWAIT), EAGAIN));
	check("the other way", write(sv[1], "back", 4) == 4 && read(sv[0], b, sizeof b) == 4);
	struct ucred uc;
	socklen_t l = sizeof uc;
	check("SO_PEERCRED of a pair is its maker", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &l) == 0 && l == sizeof uc &&
							 uc.pid == getpid() && uc.uid == geteuid() && uc.gid == getegid());
	struct sockaddr_un a;
	l = sizeof a;
	check("getsockname of an unnamed socket: the family alone", getsockname(sv[0], (void *)&a, &l) == 0 && l == 2 && a.sun_family == AF_UNIX);
	l = sizeof a;
	check("getpeername of an unnamed peer: the family alone", getpeername(sv[0], (void *)&a, &l) == 0 && l == 2);
	l = 1;
	check("getsockname with a short length reports the whole", getsockname(sv[0], (void *)&a, &l) == 0 && l == 2);
	l = -1;
	check("getsockname with a negative length: EINVAL", fails(getsockname(sv[0], (void *)&a, &l), EINVAL));
	struct iovec iov[2] = {{"ab", 2}, {"cde", 3}};
	check("writev", writev(sv[0], iov, 2) == 5);
	char x[2], y[8];
	struct iovec riov[2] = {{x, 2}, {y, 8}};
	check("readv", readv(sv[1], riov, 2) == 5 && memcmp(x, "ab", 2) == 0 && memcmp(y, "cde", 3) == 0);
	pid_t c = child(slowwrite, sv[0]);
	check("MSG_WAITALL waits for the whole size", recv(sv[1], b, 6, MSG_WAITALL) == 6 && memcmp(b, "abcdef", 6) == 0);
	check("and leaves the rest", read(sv[1], b, sizeof b) == 2);
	exitcode(c);
	check("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR) == 0);
	check("the peer reads end of file", read(sv[1], b, sizeof b) == 0);
	check("and polls POLLIN|POLLRDHUP, not POLLHUP", revents(sv[1], POLLIN | POLLOUT | POLLRDHUP) == (POLLIN | POLLOUT | POLLRDHUP));
	check("the shut end polls POLLOUT alone", revents(sv[0], POLLIN | POLLOUT | POLLRDHUP) == POLLOUT);
	signal(SIGPIPE, onpipe);
	check("a write after SHUT_WR: EPIPE", fails(write(sv[0], "x", 1), EPIPE));
	check("and SIGPIPE", gotpipe == 1);
	check("send MSG_NOSIGNAL: EPIPE", fails(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE));
	check("without the signal", gotpipe == 1);
	check("an empty write after SHUT_WR: EPIPE too", fails(write(sv[0], "", 0), EPIPE) && gotpipe == 2);
	check("the peer can still write back", write(sv[1], "y", 1) == 1 && read(sv[0], b, 1) == 1);
	check("shutdown SHUT_RD too", shutdown(sv[0], SHUT_RD) == 0);
	check("both shut: POLLHUP", revents(sv[0], POLLIN) == (POLLIN | POLLHUP));
	check("the peer's writes: EPIPE", fails(write(sv[1], "x", 1), EPIPE) && gotpipe == 3);
	close(sv[0]);
	close(sv[1]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "unread", 6);
	write(sv[1], "to 0", 4);
	close(sv[1]);
	check("a peer closed with unread data: POLLIN|POLLHUP|POLLERR|POLLRDHUP",
	      revents(sv[0], POLLIN | POLLOUT | POLLRDHUP) == (POLLIN | POLLOUT | POLLHUP | POLLERR | POLLRDHUP));
	check("what it sent is still read", read(sv[0], b, sizeof b) == 4);
	check("then ECONNRESET", fails(read(sv[0], b, sizeof b), ECONNRESET));
	check("then end of file", read(sv[0], b, sizeof b) == 0);
	check("a write to it: EPIPE and SIGPIPE", fails(write(sv[0], "x", 1), EPIPE) && gotpipe == 4);
	close(sv[0]);

	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	check("read of an unconnected stream: EINVAL", fails(read(s, b, 1), EINVAL));
	check("write to it: ENOTCONN, no SIGPIPE", fails(write(s, "x", 1), ENOTCONN) && gotpipe == 4);
	check("it polls POLLOUT|POLLHUP", revents(s, POLLIN | POLLOUT) == (POLLOUT | POLLHUP));
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	abstract(&a, "nowhere");
	check("sendto with an address on a connected stream: EISCONN", fails(sendto(sv[0], "x", 1, 0, (void *)&a, 10), EISCONN));
	check("on an unconnected one: EOPNOTSUPP", fails(sendto(s, "x", 1, 0, (void *)&a, 10), EOPNOTSUPP));
	check("send MSG_OOB unconnected: ENOTCONN", fails(send(s, "x", 1, MSG_OOB), ENOTCONN));
	close(s);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	int sent = 0;
	while (write(sv[0], "x", 1) == 1 && sent < 100000)
		sent++;
	check("a non-blocking writer fills its send buffer, then EAGAIN", errno == EAGAIN && sent > 10 && sent < 100000);
	check("and is not writable", !(revents(sv[0], POLLOUT) & POLLOUT));
	static char big[1 << 20];
	check("the reader takes it all", read(sv[1], big, sizeof big) == sent);
	check("writable again", revents(sv[0], POLLOUT) == POLLOUT);
	fcntl(sv[0], F_SETFL, 0);
	c = child(bigwrite, sv[0]);
	int total = 0, r;
	while (total < (int)sizeof big && (r = read(sv[1], big, sizeof big)) > 0)
		total += r;
	check("a blocked writer of 1 MiB goes on as the reader takes it", total == sizeof big && exitcode(c) == 0);
	close(sv[0]);
	close(sv[1]);
}

static void dgrams(void)
{
	int sv[2];
	char b[64];
	check("socketpair SOCK_DGRAM", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	write(sv[0], "first", 5);
	write(sv[0], "second", 6);
	write(sv[0], "", 0);
	check("a datagram is read whole", read(sv[1], b, sizeof b) == 5);
	struct iovec iov = {b, 2};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	check("cut short, with MSG_TRUNC in msg_flags", recvmsg(sv[1], &m, MSG_PEEK) == 2 && (m.msg_flags & MSG_TRUNC));
	check("MSG_TRUNC returns its whole length", recv(sv[1], b, 2, MSG_TRUNC) == 6);
	check("an empty datagram reads as 0", recv(sv[1], b, sizeof b, MSG_DONTWAIT) == 0);
	check("and is one", fails(recv(sv[1], b, sizeof b, MSG_DONTWAIT), EAGAIN));
	int n = -1;
	write(sv[0], "12345", 5);
	write(sv[0], "67", 2);
	check("FIONREAD is the next datagram's length", ioctl(sv[1], FIONREAD, &n) == 0 && n == 5);
	read(sv[1], b, sizeof b);
	read(sv[1], b, sizeof b);
	int sndbuf = 0;
	socklen_t l = sizeof sndbuf;
	getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, &l);
	static char big[1 << 19];
	check("a datagram past SO_SNDBUF-32: EMSGSIZE", fails(write(sv[0], big, sndbuf - 31), EMSGSIZE));
	check("SO_SNDBUF-32 goes", write(sv[0], big, sndbuf - 32) == sndbuf - 32 && read(sv[1], big, sizeof big) == sndbuf - 32);
	struct iovec two[2] = {{"ab", 2}, {"cde", 3}};
	check("writev sends one datagram", writev(sv[0], two, 2) == 5 && recv(sv[1], b, sizeof b, MSG_DONTWAIT) == 5 &&
						   memcmp(b, "abcde", 5) == 0);
	char x[2], y[8];
	struct iovec riov[2] = {{x, 2}, {y, 8}};
	write(sv[0], "fghij", 5);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	check("readv takes one datagram over its iovecs", readv(sv[1], riov, 2) == 5 && memcmp(x, "fg", 2) == 0 &&
								  memcmp(y, "hij", 3) == 0);
	fcntl(sv[1], F_SETFL, 0);
	check("listen on a datagram socket: EOPNOTSUPP", fails(listen(sv[0], 1), EOPNOTSUPP));
	check("accept: EOPNOTSUPP", fails(accept(sv[0], 0, 0), EOPNOTSUPP));
	close(sv[1]);
	check("a datagram socket whose peer closed polls POLLOUT", revents(sv[0], POLLIN | POLLOUT) == POLLOUT);
	check("a send to it: ECONNREFUSED", fails(write(sv[0], "x", 1), ECONNREFUSED));
	check("and it is disconnected: ENOTCONN", fails(write(sv[0], "x", 1), ENOTCONN));
	close(sv[0]);

	struct sockaddr_un a, from;
	socklen_t alen = abstract(&a, uname_("dgram")), flen;
	int r = socket(AF_UNIX, SOCK_DGRAM, 0), w = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	check("bind an abstract datagram socket", bind(r, (void *)&a, alen) == 0);
	check("sendto it from an unnamed socket", sendto(w, "x", 1, 0, (void *)&a, alen) == 1);
	flen = sizeof from;
	check("recvfrom: the sender has no name (length 0)", recvfrom(r, b, sizeof b, 0, (void *)&from, &flen) == 1 && flen == 0);
	struct sockaddr_un wa;
	socklen_t walen = abstract(&wa, uname_("sender"));
	bind(w, (void *)&wa, walen);
	sendto(w, "y", 1, 0, (void *)&a, alen);
	flen = sizeof from;
	check("a named sender's address comes with it", recvfrom(r, b, sizeof b, 0, (void *)&from, &flen) == 1 && flen == walen &&
								  memcmp(&from, &wa, walen) == 0);
	int q = 0;
	while (sendto(w, "z", 1, 0, (void *)&a, alen) == 1 && q < 1000)
		q++;
	check("a receiver not connected back takes some datagrams, then EAGAIN", errno == EAGAIN && q > 1 && q < 1000);
	check("connect to it", connect(w, (void *)&a, alen) == 0);
	check("not writable while its queue is full", !(revents(w, POLLOUT) & POLLOUT));
	read(r, b, 1);
	check("writable when it takes one", revents(w, POLLOUT) == POLLOUT);
	while (recv(r, b, 1, MSG_DONTWAIT) == 1)
		;
	int x3 = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un xa;
	socklen_t xalen = abstract(&xa, uname_("third"));
	bind(x3, (void *)&xa, xalen);
	check("the receiver connects elsewhere", connect(r, (void *)&xa, xalen) == 0);
	check("then it refuses others: EPERM", fails(send(w, "x", 1, 0), EPERM));
	struct sockaddr unspec = {.sa_family = AF_UNSPEC};
	check("connect AF_UNSPEC disconnects", connect(r, &unspec, sizeof unspec) == 0 && fails(send(r, "x", 1, 0), ENOTCONN));
	check("connect with a 1-byte address: EINVAL", fails(connect(r, &unspec, 1), EINVAL));
	check("a datagram socket with no peer: ENOTCONN", fails(write(x3, "x", 1), ENOTCONN));
	abstract(&xa, uname_("unbound"));
	check("sendto an unbound name: ECONNREFUSED", fails(sendto(x3, "x", 1, 0, (void *)&xa, xalen + 3), ECONNREFUSED));
	check("sendto with a name of 200 bytes: EINVAL", fails(sendto(x3, "x", 1, 0, (void *)&xa, 200), EINVAL));
	close(r);
	close(w);
	close(x3);

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	shutdown(sv[1], SHUT_RD);
	check("a datagram socket shut for reading: non-blocking read EAGAIN", fails(recv(sv[1], b, 1, MSG_DONTWAIT), EAGAIN));
	check("a blocking one is end of file", recv(sv[1], b, 1, 0) == 0);
	int before = gotpipe;
	check("a send to it: EPIPE, without SIGPIPE", fails(write(sv[0], "x", 1), EPIPE) && gotpipe == before);
	check("its shutdown does not reach the peer", !(revents(sv[0], POLLIN | POLLRDHUP) & POLLRDHUP));
	struct mmsghdr mm[3];
	struct iovec mi[3] = {{"one", 3}, {"two!", 4}, {"three", 5}};
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 3; i++) {
		mm[i].msg_hdr.msg_iov = &mi[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	check("sendmmsg sends three datagrams", sendmmsg(sv[1], mm, 3, 0) == 3 && mm[1].msg_len == 4);
	char rb[3][8];
	struct iovec ri[3] = {{rb[0], 8}, {rb[1], 8}, {rb[2], 8}};
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 3; i++) {
		mm[i].msg_hdr.msg_iov = &ri[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	check("recvmmsg takes them", recvmmsg(sv[0], mm, 3, 0, 0) == 3 && mm[2].msg_len == 5 && memcmp(rb[2], "three", 5) == 0);
	check("recvmmsg MSG_WAITFORONE with nothing queued: EAGAIN", fails(recvmmsg(sv[0], mm, 3, MSG_DONTWAIT | MSG_WAITFORONE, 0), EAGAIN));
	close(sv[0]);
	close(sv[1]);
}

static void seqpackets(void)
{
	int sv[2];
	char b[64];
	check("socketpair SOCK_SEQPACKET", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	write(sv[0], "abcdef", 6);
	write(sv[0], "gh", 2);
	struct iovec iov = {b, 3};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	check("a record cut short: MSG_TRUNC", recvmsg(sv[1], &m, 0) == 3 && (m.msg_flags & MSG_TRUNC));
	check("the rest of it is gone", read(sv[1], b, sizeof b) == 2 && memcmp(b, "gh", 2) == 0);
	write(sv[0], "", 0);
	check("an empty record reads as 0", recv(sv[1], b, sizeof b, MSG_DONTWAIT) == 0);
	check("then nothing: EAGAIN", fails(recv(sv[1], b, sizeof b, MSG_DONTWAIT), EAGAIN));
	shutdown(sv[0], SHUT_WR);
	check("after the peer's SHUT_WR a non-blocking read is end of file", recv(sv[1], b, sizeof b, MSG_DONTWAIT) == 0);
	close(sv[0]);
	int before = gotpipe;
	check("a write to a closed peer: EPIPE, without SIGPIPE", fails(write(sv[1], "x", 1), EPIPE) && gotpipe == before);
	close(sv[1]);
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	write(sv[0], "unread", 6);
	close(sv[1]);
	check("a peer closed with unread records: ECONNRESET", fails(read(sv[0], b, sizeof b), ECONNRESET));
	check("then end of file", read(sv[0], b, sizeof b) == 0);
	close(sv[0]);
	int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	check("an unconnected seqpacket socket: read ENOTCONN", fails(read(s, b, 1), ENOTCONN));
	check("write ENOTCONN", fails(write(s, "x", 1), ENOTCONN));
	check("it polls POLLOUT|POLLHUP", revents(s, POLLIN | POLLOUT) == (POLLOUT | POLLHUP));
	struct sockaddr_un a;
	socklen_t alen = abstract(&a, uname_("seq"));
	check("listen on an abstract seqpacket name", bind(s, (void *)&a, alen) == 0 && listen(s, 4) == 0);
	int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	check("connect", connect(c, (void *)&a, alen) == 0);
	int t = accept(s, 0, 0);
	check("accept", t >= 0);
	write(c, "rec1", 4);
	write(c, "record2", 7);
	check("records keep their bounds over a connection", read(t, b, sizeof b) == 4 && read(t, b, sizeof b) == 7);
	close(c);
	close(t);
	close(s);
}

/* eacces connects to "sock" as nobody: refused, or with writable set
 * (its mode is then 0777) accepted. */
static void eacces(int writable)
{
	struct sockaddr_un a;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (setgid(65534) || setuid(65534))
		_exit(2);
	struct stat st;
	if (stat("sock", &st)) /* the node itself is in reach */
		_exit(3);
	if (writable)
		_exit(connect(s, (void *)&a, path(&a, "sock")) == 0 ? 0 : 1);
	_exit(fails(connect(s, (void *)&a, path(&a, "sock")), EACCES) ? 0 : 1);
}

static void connector(int fd)
{
	(void)fd;
	struct sockaddr_un a;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	_exit(connect(s, (void *)&a, path(&a, "sock")) == 0 ? 0 : 1);
}

static void paths(void)
{
	struct sockaddr_un a, g;
	socklen_t l;
	struct stat st;
	char b[64];
	umask(022);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	check("bind to a path", bind(s, (void *)&a, path(&a, "sock")) == 0);
	check("makes an S_IFSOCK node, 0777 less the umask", stat("sock", &st) == 0 && st.st_mode == (S_IFSOCK | 0755));
	check("which open refuses: ENXIO", fails(open("sock", O_RDONLY), ENXIO));
	l = sizeof g;
	check("getsockname: the path and its NUL", getsockname(s, (void *)&g, &l) == 0 && l == offsetof(struct sockaddr_un, sun_path) + 5 &&
							   strcmp(g.sun_path, "sock") == 0);
	check("a second bind: EINVAL", fails(bind(s, (void *)&a, path(&a, "sock.again")), EINVAL));
	check("and its node is gone again", fails(stat("sock.again", &st), ENOENT));
	umask(027);
	int s2 = socket(AF_UNIX, SOCK_DGRAM, 0);
	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path, "dsock", 5);
	check("bind to a path without its NUL", bind(s2, (void *)&a, offsetof(struct sockaddr_un, sun_path) + 5) == 0);
	check("with the umask 027: 0750", stat("dsock", &st) == 0 && st.st_mode == (S_IFSOCK | 0750));
	l = sizeof g;
	check("its name gains the NUL", getsockname(s2, (void *)&g, &l) == 0 && l == offsetof(struct sockaddr_un, sun_path) + 6);
	umask(022);
	int s3 = socket(AF_UNIX, SOCK_STREAM, 0);
	check("bind to a path that exists: EADDRINUSE", fails(bind(s3, (void *)&a, path(&a, "sock")), EADDRINUSE));
	close(open("plain", O_CREAT | O_WRONLY, 0644));
	check("to a regular file's: EADDRINUSE", fails(bind(s3, (void *)&a, path(&a, "plain")), EADDRINUSE));
	check("in a missing directory: ENOENT", fails(bind(s3, (void *)&a, path(&a, "no/such")), ENOENT));
	check("address length 1: EINVAL", fails(bind(s3, (void *)&a, 1), EINVAL));
	check("address length 111: EINVAL", fails(bind(s3, (void *)&a, 111), EINVAL));
	check("address length 129: EINVAL", fails(bind(s3, (void *)&a, 129), EINVAL));
	a.sun_family = AF_INET;
	check("another family: EINVAL", fails(bind(s3, (void *)&a, 10), EINVAL));
	l = path(&a, "pad");
	check("a full-length address is cut at the NUL", bind(s3, (void *)&a, sizeof a) == 0 && stat("pad", &st) == 0);
	l = sizeof g;
	check("its name is the path", getsockname(s3, (void *)&g, &l) == 0 && l == offsetof(struct sockaddr_un, sun_path) + 4);
	int u = socket(AF_UNIX, SOCK_STREAM, 0);
	check("listen unbound: EINVAL", fails(listen(u, 1), EINVAL));
	check("connect to a bound socket not listening: ECONNREFUSED", fails(connect(u, (void *)&a, path(&a, "pad")), ECONNREFUSED));
	check("accept on it: EINVAL", fails(accept(s3, 0, 0), EINVAL));
	check("listen with backlog 0", listen(s, 0) == 0);
	int v;
	l = sizeof v;
	check("SO_ACCEPTCONN", getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &l) == 0 && v == 1);
	check("an idle listener polls nothing", revents(s, POLLIN | POLLOUT) == 0);
	fcntl(s, F_SETFL, O_NONBLOCK);
	check("accept with nothing waiting: EAGAIN", fails(accept(s, 0, 0), EAGAIN));
	fcntl(s, F_SETFL, 0);
	check("connect to a path", connect(u, (void *)&a, path(&a, "sock")) == 0);
	check("listen on a connected socket: EINVAL", fails(listen(u, 1), EINVAL));
	check("a waiting connection makes the listener readable", revents(s, POLLIN | POLLOUT) == POLLIN);
	check("data can go before accept", write(u, "early", 5) == 5);
	int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	check("a full backlog, non-blocking: EAGAIN", fails(connect(c2, (void *)&a, path(&a, "sock")), EAGAIN));
	fcntl(u, F_SETFL, O_NONBLOCK);
	check("a connected socket to a full backlog: EAGAIN before EISCONN", fails(connect(u, (void *)&a, path(&a, "sock")), EAGAIN));
	fcntl(u, F_SETFL, 0);
	pid_t c = child(connector, 0);
	msleep(100);
	check("a blocking connect waits for room", waitpid(c, 0, WNOHANG) == 0);
	l = sizeof g;
	memset(&g, 0, sizeof g);
	int t = accept4(s, (void *)&g, &l, SOCK_NONBLOCK | SOCK_CLOEXEC);
	check("accept4 SOCK_NONBLOCK|SOCK_CLOEXEC", t >= 0 && (fcntl(t, F_GETFL) & O_NONBLOCK) && (fcntl(t, F_GETFD) & FD_CLOEXEC));
	check("the connector was unnamed", l == 2);
	check("and goes on connecting", exitcode(c) == 0);
	check("what it sent before accept is there", read(t, b, sizeof b) == 5 && memcmp(b, "early", 5) == 0);
	l = sizeof g;
	check("the accepted socket is named as the listener", getsockname(t, (void *)&g, &l) == 0 && strcmp(g.sun_path, "sock") == 0);
	l = sizeof g;
	check("the client's peer is the path", getpeername(u, (void *)&g, &l) == 0 && strcmp(g.sun_path, "sock") == 0);
	struct ucred uc;
	l = sizeof uc;
	check("SO_PEERCRED of the client is the listener's", getsockopt(u, SOL_SOCKET, SO_PEERCRED, &uc, &l) == 0 && uc.pid == getpid());
	int t2 = accept(s, 0, 0);
	l = sizeof uc;
	check("of the accepted socket, the connecting process", t2 >= 0 && getsockopt(t2, SOL_SOCKET, SO_PEERCRED, &uc, &l) == 0 &&
									uc.pid == c);
	check("the connector's end is closed: end of file", read(t2, b, sizeof b) == 0);
	check("connect again with room: EISCONN", fails(connect(u, (void *)&a, path(&a, "sock")), EISCONN));
	close(t2);
	close(u);
	check("then the server reads end of file", read(t, b, sizeof b) == 0);
	close(t);
	check("connect to a missing path: ENOENT", fails(connect(c2, (void *)&a, path(&a, "missing")), ENOENT));
	check("to a regular file: ECONNREFUSED", fails(connect(c2, (void *)&a, path(&a, "plain")), ECONNREFUSED));
	check("to a datagram socket: EPROTOTYPE", fails(connect(c2, (void *)&a, path(&a, "dsock")), EPROTOTYPE));
	symlink("sock", "link");
	check("through a symlink", connect(c2, (void *)&a, path(&a, "link")) == 0);
	close(accept(s, 0, 0));
	close(c2);
	c = child(eacces, 0);
	check("without write permission on the node: EACCES", exitcode(c) == 0);
	chmod("sock", 0777);
	c = child(eacces, 1);
	check("with it, others connect", exitcode(c) == 0);
	close(s);
	c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	check("to the node of a closed socket: ECONNREFUSED", fails(connect(c2, (void *)&a, path(&a, "sock")), ECONNREFUSED));
	close(c2);
	close(s2);
	close(s3);
	unlink("sock");
	unlink("dsock");
	unlink("pad");
	unlink("plain");
	unlink("link");
}

static void abstracts(void)
{
	struct sockaddr_un a, g;
	socklen_t l, alen = abstract(&a, uname_("abs"));
	int s = socket(AF_UNIX, SOCK_STREAM, 0), s2 = socket(AF_UNIX, SOCK_STREAM, 0), d = socket(AF_UNIX, SOCK_DGRAM, 0);
	check("bind an abstract name", bind(s, (void *)&a, alen) == 0);
	l = sizeof g;
	check("getsockname: the name's every byte", getsockname(s, (void *)&g, &l) == 0 && l == alen && memcmp(&g, &a, alen) == 0);
	check("the same name again: EADDRINUSE", fails(bind(s2, (void *)&a, alen), EADDRINUSE));
	check("the same name for a datagram socket", bind(d, (void *)&a, alen) == 0);
	check("a longer name is another", bind(s2, (void *)&a, alen + 1) == 0);
	listen(s, 1);
	int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	check("connect of another type: ECONNREFUSED", fails(connect(c, (void *)&a, alen), ECONNREFUSED));
	close(c);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	check("connect of its type", connect(c, (void *)&a, alen) == 0);
	close(c);
	int ab = socket(AF_UNIX, SOCK_DGRAM, 0);
	check("autobind: the family alone", bind(ab, (void *)&a, sizeof(sa_family_t)) == 0);
	l = sizeof g;
	int hex = getsockname(ab, (void *)&g, &l) == 0 && l == offsetof(struct sockaddr_un, sun_path) + 6 && g.sun_path[0] == 0;
	for (int i = 1; i < 6; i++)
		hex = hex && strchr("0123456789abcdef", g.sun_path[i]) && g.sun_path[i];
	check("gives a NUL and five hex digits", hex);
	check("autobind again keeps it", bind(ab, (void *)&a, sizeof(sa_family_t)) == 0);
	check("a path bind after it: EINVAL", fails(bind(ab, (void *)&a, path(&a, "late")), EINVAL));
	int pc = socket(AF_UNIX, SOCK_DGRAM, 0), on = 1;
	setsockopt(pc, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
	alen = abstract(&a, uname_("abs"));
	sendto(pc, "x", 1, 0, (void *)&a, alen);
	l = sizeof g;
	check("a sender with SO_PASSCRED binds itself", getsockname(pc, (void *)&g, &l) == 0 && l == offsetof(struct sockaddr_un, sun_path) + 6);
	check("shutdown SHUT_RD on a listener", shutdown(s, SHUT_RD) == 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	check("refuses connections: ECONNREFUSED", fails(connect(c, (void *)&a, alen), ECONNREFUSED));
	check("shutdown(3): EINVAL", fails(shutdown(c, 3), EINVAL));
	check("shutdown of an unconnected socket", shutdown(c, SHUT_RDWR) == 0);
	close(c);
	close(s);
	close(s2);
	close(d);
	close(ab);
	close(pc);
}

/* sendfds sends one byte with n descriptors (the headers are zeroed,
 * so musl's padded ones are the kernel's). */
static ssize_t sendfds(int s, const int *fds, int n)
{
	char c = 'F';
	struct iovec iov = {&c, 1};
	union {
		char b[CMSG_SPACE(sizeof(int) * 256)];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = CMSG_SPACE(sizeof(int) * n)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
	return syscall(SYS_sendmsg, s, &m, 0); /* musl's sendmsg copies at most 1024 bytes of control */
}

/* recvfds receives into a control buffer of ctl bytes (none if 0). */
static ssize_t recvfds(int s, struct msghdr *m, char *data, size_t n, void *ctl, size_t ctllen, int flags)
{
	static struct iovec iov;
	iov.iov_base = data;
	iov.iov_len = n;
	memset(m, 0, sizeof *m);
	m->msg_iov = &iov;
	m->msg_iovlen = 1;
	m->msg_control = ctllen ? ctl : 0;
	m->msg_controllen = ctllen;
	return recvmsg(s, m, flags);
}

static int firstfd(struct msghdr *m)
{
	struct cmsghdr *cm = CMSG_FIRSTHDR(m);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof fd);
	return fd;
}

static void rights(void)
{
	int sv[2], p[2];
	char b[16];
	union {
		char b[256];
		struct cmsghdr align;
	} ctl;
	struct msghdr m;
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	pipe(p);
	check("SCM_RIGHTS: send a pipe's write end", sendfds(sv[0], &p[1], 1) == 1);
	close(p[1]);
	check("MSG_PEEK shows the descriptor", recvfds(sv[1], &m, b, sizeof b, ctl.b, sizeof ctl.b, MSG_PEEK) == 1 && firstfd(&m) >= 0);
	close(firstfd(&m));
	check("recvmsg MSG_CMSG_CLOEXEC installs it", recvfds(sv[1], &m, b, sizeof b, ctl.b, sizeof ctl.b, MSG_CMSG_CLOEXEC) == 1);
	int fd = firstfd(&m);
	check("one cmsg of CMSG_LEN(4), CMSG_SPACE(4) of control used", CMSG_FIRSTHDR(&m)->cmsg_len == CMSG_LEN(sizeof(int)) &&
									m.msg_controllen == CMSG_SPACE(sizeof(int)));
	check("msg_flags reports MSG_CMSG_CLOEXEC, as Linux does", m.msg_flags == MSG_CMSG_CLOEXEC);
	check("close-on-exec", fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
	check("the passed descriptor writes to the pipe", write(fd, "via", 3) == 3 && read(p[0], b, sizeof b) == 3);
	close(fd);
	check("with every copy closed, the pipe is at end of file", read(p[0], b, sizeof b) == 0);
	close(p[0]);

	pipe(p);
	int two[2] = {p[1], p[1]};
	sendfds(sv[0], two, 2);
	check("room for one of two: MSG_CTRUNC", recvfds(sv[1], &m, b, sizeof b, ctl.b, CMSG_LEN(sizeof(int)), 0) == 1 &&
							(m.msg_flags & MSG_CTRUNC) && m.msg_controllen == CMSG_LEN(sizeof(int)));
	fd = firstfd(&m);
	check("and it is not close-on-exec", fd >= 0 && fcntl(fd, F_GETFD) == 0);
	close(fd);
	sendfds(sv[0], &p[1], 1);
	check("no control buffer: MSG_CTRUNC", recvfds(sv[1], &m, b, sizeof b, 0, 0, 0) == 1 && (m.msg_flags & MSG_CTRUNC));
	sendfds(sv[0], &p[1], 1);
	check("read(2) takes the byte", read(sv[1], b, sizeof b) == 1);
	sendfds(sv[0], &p[1], 1);
	close(sv[1]);
	close(p[1]);
	check("the dropped ones and the one left queued when the receiver closed are closed",
	      read(p[0], b, sizeof b) == 0);
	close(p[0]);
	close(sv[0]);

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	int bad = 999;
	check("a bad descriptor: EBADF", fails(sendfds(sv[0], &bad, 1), EBADF));
	int many[254];
	for (int i = 0; i < 254; i++)
		many[i] = 0;
	check("253 descriptors", sendfds(sv[0], many, 253) == 1);
	check("254: EINVAL", fails(sendfds(sv[0], many, 254), EINVAL));
	check("the 253 arrive", recvfds(sv[1], &m, b, sizeof b, ctl.b, sizeof ctl.b, 0) == 1 && (m.msg_flags & MSG_CTRUNC));
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
		for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int f;
			memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof f);
			close(f);
		}
	struct iovec iov = {"x", 1};
	struct msghdr sm = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(struct cmsghdr)};
	struct cmsghdr *cm = (struct cmsghdr *)ctl.b;
	cm->cmsg_len = 8;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	check("a cmsg_len shorter than the header: EINVAL", fails(sendmsg(sv[0], &sm, 0), EINVAL));
	cm->cmsg_len = sizeof(struct cmsghdr) + 1;
	check("longer than the control: EINVAL", fails(sendmsg(sv[0], &sm, 0), EINVAL));
	cm->cmsg_len = sizeof(struct cmsghdr);
	cm->cmsg_type = 99;
	check("an unknown SOL_SOCKET type: EINVAL", fails(sendmsg(sv[0], &sm, 0), EINVAL));
	cm->cmsg_level = 5;
	check("other levels are skipped", sendmsg(sv[0], &sm, 0) == 1 && read(sv[1], b, sizeof b) == 1);
	close(sv[0]);
	close(sv[1]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	write(sv[0], "ab", 2);
	sendfds(sv[0], &p[1], 1);
	write(sv[0], "cd", 2);
	check("a stream read stops after the bytes the files came with",
	      recvfds(sv[1], &m, b, sizeof b, ctl.b, sizeof ctl.b, 0) == 3 && memcmp(b, "abF", 3) == 0 && firstfd(&m) >= 0);
	close(firstfd(&m));
	check("the next read gets the rest, without files",
	      recvfds(sv[1], &m, b, sizeof b, ctl.b, sizeof ctl.b, 0) == 2 && m.msg_controllen == 0);
	int pair2[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, pair2);
	sendfds(sv[0], &pair2[1], 1);
	close(pair2[1]);
	recvfds(sv[1], &m, b, sizeof b, ctl.b, sizeof ctl.b, 0);
	fd = firstfd(&m);
	check("a socket passed over a socket still works", fd >= 0 && write(fd, "hi", 2) == 2 && read(pair2[0], b, sizeof b) == 2);
	close(fd);
	check("and closes", read(pair2[0], b, sizeof b) == 0);
	close(pair2[0]);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static struct ucred *credsof(struct msghdr *m)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(m); cm; cm = CMSG_NXTHDR(m, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS)
			return (struct ucred *)CMSG_DATA(cm);
	return 0;
}

static ssize_t sendcreds(int s, struct ucred c, size_t len)
{
	struct iovec iov = {"c", 1};
	union {
		char b[CMSG_SPACE(sizeof(struct ucred)) + 8];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = CMSG_SPACE(len)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), &c, sizeof c);
	return sendmsg(s, &m, 0);
}

static void unprivileged_creds(int s)
{
	if (setgid(65534) || setuid(65534))
		_exit(9);
	int code = 0;
	if (!fails(sendcreds(s, (struct ucred){1, 65534, 65534}, sizeof(struct ucred)), EPERM))
		code |= 1;
	if (!fails(sendcreds(s, (struct ucred){getpid(), 0, 65534}, sizeof(struct ucred)), EPERM))
		code |= 2;
	if (sendcreds(s, (struct ucred){getpid(), 65534, 65534}, sizeof(struct ucred)) != 1)
		code |= 4;
	_exit(code);
}

static void writeone(int fd) { write(fd, "xy", 2); }
static void nothing(int fd) { (void)fd; }

static void creds(void)
{
	int sv[2], on = 1;
	char b[16];
	union {
		char b[256];
		struct cmsghdr align;
	} ctl;
	struct msghdr m;
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	check("explicit SCM_CREDENTIALS of one's own", sendcreds(sv[0], (struct ucred){getpid(), getuid(), getgid()}, sizeof(struct ucred)) == 1);
	check("are not shown without SO_PASSCRED", recvfds(sv[1], &m, b, sizeof b, ctl.b, sizeof ctl.b, 0) == 1 && !credsof(&m));
	check("SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on) == 0);
	int v = 0;
	socklen_t l = sizeof v;
	check("reads back as 1", getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &l) == 0 && v == 1);
	write(sv[0], "w", 1);
	struct ucred *c;
	check("every message then carries the sender's credentials", recvfds(sv[1], &m, b, sizeof b, ctl.b, sizeof ctl.b, 0) == 1 &&
									   (c = credsof(&m)) && c->pid == getpid() && c->uid == getuid() && c->gid == getgid());
	check("in CMSG_SPACE(12) of control", m.msg_controllen == CMSG_SPACE(sizeof(struct ucred)));
	check("root may claim another pid", sendcreds(sv[0], (struct ucred){1, 0, 0}, sizeof(struct ucred)) == 1 &&
						    recvfds(sv[1], &m, b, sizeof b, ctl.b, sizeof ctl.b, 0) == 1 && (c = credsof(&m)) && c->pid == 1);
	pid_t gone = child(nothing, 0);
	exitcode(gone);
	check("but not one nothing has: ESRCH", fails(sendcreds(sv[0], (struct ucred){gone, 0, 0}, sizeof(struct ucred)), ESRCH));
	check("uid -1: EINVAL", fails(sendcreds(sv[0], (struct ucred){getpid(), (uid_t)-1, 0}, sizeof(struct ucred)), EINVAL));
	check("a cmsg_len not of a ucred: EINVAL", fails(sendcreds(sv[0], (struct ucred){getpid(), 0, 0}, sizeof(struct ucred) + 4), EINVAL));
	pid_t k = child(unprivileged_creds, sv[0]);
	check("others may claim only their own pid and IDs (EPERM)", exitcode(k) == 0);
	check("and their message carries those", recvfds(sv[1], &m, b, sizeof b, ctl.b, sizeof ctl.b, 0) == 1 && (c = credsof(&m)) &&
							  c->pid == k && c->uid == 65534);
	write(sv[0], "w", 1);
	check("credentials and no room: MSG_CTRUNC", recvfds(sv[1], &m, b, sizeof b, 0, 0, 0) == 1 && (m.msg_flags & MSG_CTRUNC));
	close(sv[0]);
	close(sv[1]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
	write(sv[0], "ab", 2);
	write(sv[0], "cd", 2);
	check("a stream read joins one sender's writes", recvfds(sv[1], &m, b, sizeof b, ctl.b, sizeof ctl.b, 0) == 4 && credsof(&m));
	k = child(writeone, sv[0]);
	exitcode(k);
	write(sv[0], "zz", 2);
	check("but stops where another sender's begin", recvfds(sv[1], &m, b, sizeof b, ctl.b, sizeof ctl.b, 0) == 2 &&
								 (c = credsof(&m)) && c->pid == k);
	check("whose bytes come next", recvfds(sv[1], &m, b, sizeof b, ctl.b, sizeof ctl.b, 0) == 2 && (c = credsof(&m)) &&
					       c->pid == getpid());
	close(sv[0]);
	close(sv[1]);
}

static void options(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0), v;
	socklen_t l = sizeof v;
	check("SO_TYPE", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l) == 0 && v == SOCK_STREAM && l == sizeof v);
	check("SO_DOMAIN", getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &l) == 0 && v == AF_UNIX);
	check("SO_PROTOCOL is 0", getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &l) == 0 && v == 0);
	check("SO_ACCEPTCONN is 0", getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &l) == 0 && v == 0);
	check("SO_ERROR is 0", getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &l) == 0 && v == 0);
	int snd = 0, rcv = 0;
	getsockopt(s, SOL_SOCKET, SO_SNDBUF, &snd, &l);
	getsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcv, &l);
	check("SO_SNDBUF and SO_RCVBUF start at 212992", snd == 212992 && rcv == 212992);
	v = 10000;
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
	check("SO_SNDBUF 10000 reads 20000", getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l) == 0 && v == 20000);
	v = 1;
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
	check("SO_SNDBUF 1 reads SOCK_MIN_SNDBUF", getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l) == 0 && v == 4608);
	v = 1;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
	check("SO_RCVBUF 1 reads SOCK_MIN_RCVBUF", getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &l) == 0 && v == 2304);
	v = 1;
	check("SO_REUSEADDR", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v) == 0 &&
				      getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &l) == 0 && v == 1);
	v = 1;
	check("SO_KEEPALIVE", setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v) == 0 &&
				      getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, &l) == 0 && v == 1);
	check("SO_SNDLOWAT reads 1", getsockopt(s, SOL_SOCKET, SO_SNDLOWAT, &v, &l) == 0 && v == 1);
	check("an unknown option: ENOPROTOOPT", fails(getsockopt(s, SOL_SOCKET, 9999, &v, &l), ENOPROTOOPT) &&
							  fails(setsockopt(s, SOL_SOCKET, 9999, &v, sizeof v), ENOPROTOOPT));
	check("setting SO_TYPE: ENOPROTOOPT", fails(setsockopt(s, SOL_SOCKET, SO_TYPE, &v, sizeof v), ENOPROTOOPT));
	check("level 0: EOPNOTSUPP", fails(getsockopt(s, 0, 1, &v, &l), EOPNOTSUPP) && fails(setsockopt(s, 0, 1, &v, sizeof v), EOPNOTSUPP));
	check("an optlen of 3: EINVAL", fails(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, 3), EINVAL));
	l = -1;
	check("a negative optlen: EINVAL", fails(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l), EINVAL));
	l = 2;
	v = -1;
	check("a short optlen cuts the value", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l) == 0 && l == 2 && (v & 0xffff) == SOCK_STREAM);
	struct ucred uc;
	l = sizeof uc;
	check("SO_PEERCRED with no peer: pid 0, IDs -1", getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &l) == 0 && uc.pid == 0 &&
								 uc.uid == (uid_t)-1 && uc.gid == (gid_t)-1);
	struct linger lg = {1, 1};
	l = sizeof lg;
	check("SO_LINGER reads off", getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &l) == 0 && l == sizeof lg && lg.l_onoff == 0);
	struct timeval tv = {0, 200000};
	check("SO_RCVTIMEO", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
	memset(&tv, 0, sizeof tv);
	l = sizeof tv;
	check("reads back", getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &l) == 0 && l == sizeof tv && tv.tv_sec == 0 && tv.tv_usec == 200000);
	tv.tv_usec = 1000000;
	check("a tv_usec of a second: EDOM", fails(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), EDOM));
	check("half a timeval: EINVAL", fails(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, 8), EINVAL));
	close(s);
	int sv[2];
	char b[8];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	tv = (struct timeval){0, 100000};
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	check("a read past SO_RCVTIMEO: EAGAIN", fails(read(sv[0], b, 1), EAGAIN));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	check("after the time", ms >= 90);
	write(sv[0], "x", 1);
	close(sv[1]);
	l = sizeof v;
	check("SO_ERROR after the peer closed with unread data: ECONNRESET", getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &l) == 0 && v == ECONNRESET);
	check("reading it cleared it", getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &l) == 0 && v == 0);
	close(sv[0]);
}

static void poke(int fd)
{
	msleep(100);
	kill(getppid(), SIGUSR1);
	msleep(100);
	write(fd, "late", 4);
}

static void signals(void)
{
	int sv[2];
	char b[8];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct sigaction sa = {.sa_handler = onusr};
	sigaction(SIGUSR1, &sa, 0);
	pid_t c = child(poke, sv[1]);
	gotusr = 0;
	check("a blocked read ends at a signal without SA_RESTART: EINTR", fails(read(sv[0], b, sizeof b), EINTR) && gotusr == 1);
	check("the data comes later", read(sv[0], b, sizeof b) == 4);
	exitcode(c);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, 0);
	c = child(poke, sv[1]);
	gotusr = 0;
	check("with SA_RESTART the read goes on", read(sv[0], b, sizeof b) == 4 && gotusr == 1);
	exitcode(c);
	struct timeval tv = {5, 0};
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	c = child(poke, sv[1]);
	gotusr = 0;
	check("but not with SO_RCVTIMEO set: EINTR", fails(read(sv[0], b, sizeof b), EINTR) && gotusr == 1);
	read(sv[0], b, sizeof b);
	exitcode(c);
	sa.sa_flags = 0;
	sigaction(SIGUSR1, &sa, 0);
	struct sockaddr_un a;
	socklen_t alen = abstract(&a, uname_("intr"));
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(l, (void *)&a, alen);
	listen(l, 1);
	c = child(poke, sv[1]);
	check("a blocked accept: EINTR", fails(accept(l, 0, 0), EINTR));
	read(sv[0], b, sizeof b);
	exitcode(c);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = sv[0]}, got;
	check("epoll_ctl takes a socket", epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev) == 0);
	check("epoll_wait: nothing yet", epoll_wait(ep, &got, 1, 0) == 0);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, 0);
	c = child(poke, sv[1]);
	int n;
	while ((n = epoll_wait(ep, &got, 1, 5000)) < 0 && errno == EINTR)
		;
	check("epoll_wait wakes when data comes", n == 1 && got.events == EPOLLIN && got.data.fd == sv[0]);
	exitcode(c);
	ev.events = EPOLLOUT;
	epoll_ctl(ep, EPOLL_CTL_MOD, sv[0], &ev);
	check("EPOLLOUT on a connected stream", epoll_wait(ep, &got, 1, 0) == 1 && got.events == EPOLLOUT);
	ev.events = EPOLLIN;
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	int cl = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(cl, (void *)&a, alen);
	epoll_ctl(ep, EPOLL_CTL_DEL, sv[0], 0);
	check("EPOLLIN on a listener with a connection waiting", epoll_wait(ep, &got, 1, 1000) == 1 && got.events == EPOLLIN);
	close(ep);
	close(cl);
	close(l);
	close(sv[0]);
	close(sv[1]);
}

int main(int argc, char **argv)
{
	char dir[256];
	snprintf(dir, sizeof dir, "%s/unixXXXXXX", argc > 1 ? argv[1] : "/tmp");
	if (!mkdtemp(dir) || chmod(dir, 0755) || chdir(dir)) {
		perror("scratch directory");
		return 1;
	}
	creation();
	streams();
	dgrams();
	seqpackets();
	paths();
	abstracts();
	rights();
	creds();
	options();
	signals();
	chdir("/");
	check("the scratch directory is left empty", rmdir(dir) == 0);
	if (failures) {
		printf("unix: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("unix ok %d\n", checks);
	return 0;
}
