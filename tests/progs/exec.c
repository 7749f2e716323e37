/* exec checks execve(2) as Linux documents it: what the new image gets
 * (arguments, environment, descriptors, signal state, its ID when a
 * thread execs), the errors that leave the caller's image intact, and
 * "#!" scripts. It runs itself as the new image: "exec child MODE ...".
 * It needs the files the test puts beside it (see exec_test.go). Each
 * check prints one line; "exec ok N" at the end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static int failures, checks;
static const char *self;

static void check(const char *what, int ok)
{
	checks++;
	printf("%s: %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		failures++;
	fflush(stdout);
}

/* run forks, execs argv (with envp) in the child and returns what the
 * child wrote to its stdout, or the exec's errno as "errno N". */
static char *run(const char *path, char *const argv[], char *const envp[], int raise_sig)
{
	static char out[4096];
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		dup2(p[1], 1);
		close(p[0]);
		if (raise_sig > 0)
			raise(raise_sig); /* pending across the exec (fork's child starts with none) */
		execve(path, argv, envp);
		printf("errno %d", errno);
		fflush(stdout);
		_exit(127);
	}
	close(p[1]);
	int n = 0, r;
	while (n < (int)sizeof out - 1 && (r = read(p[0], out + n, sizeof out - 1 - n)) > 0)
		n += r;
	out[n] = 0;
	close(p[0]);
	waitpid(c, 0, 0);
	return out;
}

/* --- the child side ------------------------------------------------------ */

static int childmode(int argc, char **argv)
{
	const char *mode = argv[2];
	if (strcmp(mode, "args") == 0) {
		printf("argc=%d", argc);
		for (int i = 3; i < argc; i++)
			printf(" [%s]", argv[i]);
		for (char **e = environ; *e; e++)
			printf(" env[%s]", *e);
	} else if (strcmp(mode, "fds") == 0) {
		int a = atoi(argv[3]), b = atoi(argv[4]);
		printf("cloexec-closed=%d kept=%d", fcntl(a, F_GETFD) == -1 && errno == EBADF, fcntl(b, F_GETFD) == 0);
	} else if (strcmp(mode, "sigs") == 0) {
		struct sigaction usr1, usr2;
		sigaction(SIGUSR1, 0, &usr1);
		sigaction(SIGUSR2, 0, &usr2);
		sigset_t mask, pend;
		sigprocmask(SIG_BLOCK, 0, &mask);
		sigpending(&pend);
		printf("handler-reset=%d ignore-kept=%d mask-kept=%d pending-kept=%d",
		       usr1.sa_handler == SIG_DFL, usr2.sa_handler == SIG_IGN, sigismember(&mask, SIGINT),
		       sigismember(&pend, SIGINT));
	} else if (strcmp(mode, "tid") == 0) {
		printf("pid-kept=%d tid-is-pid=%d", getpid() == atoi(argv[3]), syscall(SYS_gettid) == getpid());
	}
	return 0;
}

/* --- the checks ---------------------------------------------------------- */

static void args(void)
{
	char *argv[] = {"exec", "child", "args", "a b", "", "c", 0};
	char *envp[] = {"K=V", "EMPTY=", 0};
	check("argv and envp reach the new image", strcmp(run(self, argv, envp, -1),
							   "argc=6 [a b] [] [c] env[K=V] env[EMPTY=]") == 0);
	char *nullenv[] = {"exec", "child", "args", 0};
	check("a NULL envp is an empty environment", strcmp(run(self, nullenv, 0, -1), "argc=3") == 0);
	char *arg0only[] = {"only", 0};
	check("argv[0] alone runs it with no mode (exits at once)", strcmp(run(self, arg0only, 0, -1), "") == 0);
}

static void fds(void)
{
	int a = open("/", O_RDONLY | O_CLOEXEC), b = open("/", O_RDONLY);
	char as[16], bs[16];
	snprintf(as, sizeof as, "%d", a);
	snprintf(bs, sizeof bs, "%d", b);
	char *argv[] = {"exec", "child", "fds", as, bs, 0};
	check("O_CLOEXEC descriptors close at exec, others stay",
	      strcmp(run(self, argv, 0, -1), "cloexec-closed=1 kept=1") == 0);
	close(a);
	close(b);
}

static void onusr1(int s) { (void)s; }

static void sigs(void)
{
	signal(SIGUSR1, onusr1);
	signal(SIGUSR2, SIG_IGN);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGINT);
	sigprocmask(SIG_BLOCK, &m, 0);
	char *argv[] = {"exec", "child", "sigs", 0};
	check("exec resets handlers, keeps SIG_IGN, the mask and pending signals",
	      strcmp(run(self, argv, 0, SIGINT), "handler-reset=1 ignore-kept=1 mask-kept=1 pending-kept=1") == 0);
	sigprocmask(SIG_UNBLOCK, &m, 0);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

static char pidarg[16];

static void *thread_exec(void *arg)
{
	(void)arg;
	char *argv[] = {"exec", "child", "tid", pidarg, 0};
	execve(self, argv, 0);
	return 0;
}

static void threadexec(void)
{
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		dup2(p[1], 1);
		snprintf(pidarg, sizeof pidarg, "%d", getpid());
		pthread_t t;
		pthread_create(&t, 0, thread_exec, 0);
		for (;;)
			pause(); /* exec ends this thread too */
	}
	close(p[1]);
	char out[128] = {0};
	read(p[0], out, sizeof out - 1);
	int st;
	waitpid(c, &st, 0);
	check("a thread's exec ends the others and takes the process's ID",
	      strcmp(out, "pid-kept=1 tid-is-pid=1") == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p[0]);
}

static void errors(void)
{
	char *argv[] = {"x", 0};
	errno = 0;
	check("no such file: ENOENT", execve("/no/such/file", argv, 0) == -1 && errno == ENOENT);
	check("a directory: EACCES", execve("/dev", argv, 0) == -1 && errno == EACCES);
	check("no execute permission: EACCES", execve("/data/noexec", argv, 0) == -1 && errno == EACCES);
	check("an empty file: ENOEXEC", execve("/data/empty", argv, 0) == -1 && errno == ENOEXEC);
	char **volatile badv = (char **)1;
	char *volatile badp = (char *)16;
	check("a bad argv pointer: EFAULT, and we go on", execve(self, badv, 0) == -1 && errno == EFAULT);
	char *bad[] = {"x", badp, 0};
	check("a bad string in argv: EFAULT", execve(self, bad, 0) == -1 && errno == EFAULT);
	check("a bad path pointer: EFAULT", execve(badp, argv, 0) == -1 && errno == EFAULT);
}

static void scripts(void)
{
	char *argv[] = {"script", "x", 0};
	check("#! with an argument: interpreter, its one argument, the script, the rest",
	      strcmp(run("/data/script", argv, 0, -1), "argc=4 [script a  b] [/data/script] [x]") == 0);
	check("a script running a script", strcmp(run("/data/script2", argv, 0, -1),
						   "argc=5 [script a  b] [/data/script] [/data/script2] [x]") == 0);
	char *argv2[] = {"deep", 0};
	check("a sixth nested interpreter is ELOOP", strcmp(run("/data/deep6", argv2, 0, -1), "errno 40") == 0);
	check("five levels still run", strncmp(run("/data/deep5", argv2, 0, -1), "argc=", 5) == 0);
	check("a missing interpreter: ENOENT", execve("/data/nointerp", argv, 0) == -1 && errno == ENOENT);
	check("an interpreter that is no program: ENOEXEC",
	      execve("/data/badinterp", argv, 0) == -1 && errno == ENOEXEC);
	check("a #! line with no interpreter: ENOEXEC", execve("/data/nointerpname", argv, 0) == -1 && errno == ENOEXEC);
}

int main(int argc, char **argv)
{
	self = argv[0][0] == '/' ? argv[0] : "/bin/exec";
	if (argc > 2 && strcmp(argv[1], "child") == 0)
		return childmode(argc, argv);
	if (argc > 1 && strncmp(argv[1], "script", 6) == 0) {
		printf("argc=%d", argc); /* run as a script's interpreter */
		for (int i = 1; i < argc; i++)
			printf(" [%s]", argv[i]);
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "only") == 0)
		return 0;
	args();
	fds();
	sigs();
	threadexec();
	errors();
	scripts();
	if (failures) {
		printf("exec: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("exec ok %d\n", checks);
	return 0;
}
