/* sysv checks System V IPC as Linux keeps it: keys from ftok, IPC_PRIVATE,
 * IPC_CREAT and IPC_EXCL, the mode bits against owner, group and others
 * (a child that gave up root is refused), IPC_STAT, IPC_SET, IPC_INFO
 * and the *_INFO counts; shared memory that a forked child writes and
 * the parent reads, attach counts through fork, exec, exit and shmdt,
 * shmat's address rules (SHM_RND, SHM_REMAP, SHM_RDONLY), IPC_RMID of an
 * attached segment (SHM_DEST, its key free at once); semaphores that
 * wait (decrement, wait for zero), all-or-nothing operations, IPC_NOWAIT,
 * semtimedop's timeout, EINTR even with SA_RESTART, EIDRM, SEM_UNDO at
 * exit (and across exec); messages by type (0, positive, negative,
 * MSG_EXCEPT), MSG_NOERROR and E2BIG, MSG_COPY, full queues, waiting
 * senders and receivers, EINTR and EIDRM. Only relative facts are
 * printed. Every object made is removed, and the key file too: argv[1]
 * is the scratch directory (default /tmp). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_COPY
#define MSG_COPY 040000 /* musl leaves it out */
#endif

/* The caller defines semctl's fourth argument. */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

/* An unprivileged identity for the permission checks. */
#define NOBODY 4321

static int *counts; /* checks and failures, shared with the children */

static void check(const char *what, int ok)
{
	counts[0]++;
	printf("%s: %s\n", what, ok ? "ok" : "FAIL");
	if (!ok)
		counts[1]++;
	fflush(stdout);
}

/* fails reports whether r is -1 with errno e. */
static int fails(long r, int e) { return r == -1 && errno == e; }

/* shmat's result as a number, for fails. */
static long at(void *p) { return (long)(intptr_t)p; }

static void on_alarm(int sig) { (void)sig; }

static void msleep(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* ticking starts or stops a child that sends SIGALRM every 50ms, so that
 * a call that blocks is interrupted however late it gets there. */
static void ticking(int on)
{
	static pid_t ticker;
	if (on) {
		pid_t parent = getpid();
		if ((ticker = fork()) == 0)
			for (;;) {
				msleep(50);
				kill(parent, SIGALRM);
			}
		return;
	}
	kill(ticker, SIGKILL);
	while (waitpid(ticker, 0, 0) == -1 && errno == EINTR)
		;
}

/* wait_child is the child's exit code, or 128 + the signal that killed it. */
static int wait_child(pid_t c)
{
	int st;
	if (waitpid(c, &st, 0) != c)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* unprivileged makes the calling child an ordinary user. */
static int unprivileged(void)
{
	return setgroups(0, 0) == 0 && setgid(NOBODY) == 0 && setuid(NOBODY) == 0;
}

/* Every object made, removed at the end whatever happened. */
static int made_shm[32], made_sem[32], made_msg[32], nshm, nsem, nmsg;

static int track(int *list, int *n, int id)
{
	if (id >= 0 && *n < 32)
		list[(*n)++] = id;
	return id;
}

static unsigned long nattch(int id)
{
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) != 0)
		return (unsigned long)-1;
	return ds.shm_nattch;
}

/* wait_count polls GETNCNT or GETZCNT until it is want (some seconds at most). */
static int wait_count(int id, int num, int cmd, int want)
{
	for (int i = 0; i < 1000; i++) {
		if (semctl(id, num, cmd) == want)
			return 1;
		msleep(5);
	}
	return 0;
}

/* used_ids is shm_info's first field (musl names it __used_ids). */
static int used_ids(struct shm_info *u)
{
	int n;
	memcpy(&n, u, sizeof n);
	return n;
}

static void shm_tests(const char *self, key_t key, key_t unused)
{
	long page = sysconf(_SC_PAGESIZE);
	struct shmid_ds ds;
	struct shminfo info;
	struct shm_info usage0, usage;
	check("shmctl IPC_INFO: shmmin 1, shmseg as shmmni, huge shmmax and shmall",
	      shmctl(0, IPC_INFO, (struct shmid_ds *)&info) >= 0 && info.shmmin == 1 && info.shmseg == info.shmmni &&
		  info.shmmax >= 1UL << 40 && info.shmall >= 1UL << 40);
	check("shmctl SHM_INFO", shmctl(0, SHM_INFO, (struct shmid_ds *)&usage0) >= 0);
	check("shmget of 0 bytes: EINVAL", fails(shmget(IPC_PRIVATE, 0, 0600), EINVAL));
	check("shmget above shmmax: EINVAL", fails(shmget(IPC_PRIVATE, (size_t)-1, 0600), EINVAL));
	check("shmget of more than the machine has: ENOMEM", fails(shmget(IPC_PRIVATE, 1UL << 46, 0600), ENOMEM));
	int big = track(made_shm, &nshm, shmget(IPC_PRIVATE, 1UL << 46, SHM_NORESERVE | 0600));
	check("it is fine with SHM_NORESERVE", big >= 0 && shmctl(big, IPC_RMID, 0) == 0);

	int id = track(made_shm, &nshm, shmget(key, 2 * page, IPC_CREAT | IPC_EXCL | 0600));
	check("shmget of a key with IPC_CREAT|IPC_EXCL", id >= 0);
	check("again: EEXIST", fails(shmget(key, 2 * page, IPC_CREAT | IPC_EXCL | 0600), EEXIST));
	check("the key finds it with size 0", shmget(key, 0, 0) == id);
	check("and with IPC_CREAT and a smaller size", shmget(key, page, IPC_CREAT | 0600) == id);
	check("a size above the segment's: EINVAL", fails(shmget(key, 2 * page + 1, 0), EINVAL));
	check("a key nothing has: ENOENT", fails(shmget(unused, page, 0), ENOENT));
	check("IPC_STAT of a new segment",
	      shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_segsz == (size_t)(2 * page) && ds.shm_nattch == 0 &&
		  ds.shm_cpid == getpid() && ds.shm_lpid == 0 && ds.shm_atime == 0 && ds.shm_ctime != 0 &&
		  (ds.shm_perm.mode & 0777) == 0600 && ds.shm_perm.__key == key && ds.shm_perm.uid == geteuid() &&
		  ds.shm_perm.cuid == geteuid() && ds.shm_perm.gid == getegid() && ds.shm_perm.cgid == getegid());
	check("IPC_STAT of a bad ID: EINVAL", fails(shmctl(id + 32768, IPC_STAT, &ds), EINVAL) &&
						   fails(shmctl(-1, IPC_STAT, &ds), EINVAL));
	check("IPC_STAT to a bad pointer: EFAULT", fails(shmctl(id, IPC_STAT, (void *)8), EFAULT));
	check("an unknown command: EINVAL", fails(shmctl(id, 99, &ds), EINVAL));

	char *p = shmat(id, 0, 0);
	check("shmat", p != (char *)-1);
	memset(p, 'P', 2 * page);
	check("IPC_STAT after shmat: nattch 1, lpid and atime set",
	      shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1 && ds.shm_lpid == getpid() && ds.shm_atime != 0);
	char *q = shmat(id, 0, SHM_RDONLY);
	check("shmat SHM_RDONLY: the same memory", q != (char *)-1 && q != p && q[page] == 'P' && nattch(id) == 2);
	p[5] = 'x';
	check("a write shows through the other attach", q[5] == 'x');
	pid_t c = fork();
	if (c == 0) {
		setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
		q[0] = 1;
		_exit(0);
	}
	check("a write through SHM_RDONLY: SIGSEGV", wait_child(c) == 128 + SIGSEGV);
	c = fork();
	if (c == 0) {
		check("child: a fork inherits both attaches (nattch 4)", nattch(id) == 4);
		p[100] = 'C';
		check("child: shmdt of both", shmdt(p) == 0 && shmdt(q) == 0 && shmctl(id, IPC_STAT, &ds) == 0 &&
						      ds.shm_nattch == 2 && ds.shm_lpid == getpid());
		_exit(0);
	}
	wait_child(c);
	check("the parent reads what the child wrote", p[100] == 'C' && q[100] == 'C');
	c = fork();
	if (c == 0)
		_exit(nattch(id) == 4 ? 0 : 1);
	check("a child's exit detaches what it had", wait_child(c) == 0 && nattch(id) == 2);
	char idstr[16];
	snprintf(idstr, sizeof idstr, "%d", id);
	c = fork();
	if (c == 0) {
		execl(self, self, "--nattch", idstr, "2", (char *)0);
		_exit(3);
	}
	check("exec detaches: the new program sees the parent's 2", wait_child(c) == 0);

	check("shmdt of an unaligned address: EINVAL", fails(shmdt(p + 1), EINVAL));
	check("shmdt inside an attach: EINVAL", fails(shmdt(p + page), EINVAL));
	check("shmdt of memory that is no attach: EINVAL", fails(shmdt(counts), EINVAL));
	check("munmap of an attach's first page leaves it attached", munmap(p, page) == 0 && nattch(id) == 2);
	check("shmdt at its address finds the rest", shmdt(p) == 0 && nattch(id) == 1);
	check("shmdt again: EINVAL", fails(shmdt(p), EINVAL));
	check("shmdt of the read-only attach: nattch 0, dtime and lpid",
	      shmdt(q) == 0 && shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 0 && ds.shm_dtime != 0 &&
		  ds.shm_lpid == getpid());

	char *hole = mmap(0, 4 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(hole, 4 * page);
	char *a = shmat(id, hole, 0);
	check("shmat at an address", a == hole && a[0] == 'P');
	check("shmat over an attach: EINVAL", fails(at(shmat(id, hole, 0)), EINVAL));
	check("shmat SHM_REMAP over it replaces it", shmat(id, hole, SHM_REMAP) == hole && nattch(id) == 1);
	check("shmat at an unaligned address: EINVAL", fails(at(shmat(id, hole + 2 * page + 1, 0)), EINVAL));
	check("SHM_RND onto a mapping: EINVAL", fails(at(shmat(id, hole + 1, SHM_RND)), EINVAL));
	check("SHM_RND rounds down", shmat(id, hole + 2 * page + 123, SHM_RND) == hole + 2 * page && nattch(id) == 2);
	check("SHM_REMAP without an address: EINVAL", fails(at(shmat(id, 0, SHM_REMAP)), EINVAL));
	check("SHM_RND|SHM_REMAP rounding to 0: EINVAL", fails(at(shmat(id, (void *)1, SHM_RND | SHM_REMAP)), EINVAL));
	check("shmat of a bad ID: EINVAL", fails(at(shmat(id + 32768, 0, 0)), EINVAL) && fails(at(shmat(-1, 0, 0)), EINVAL));

	ds.shm_perm.mode = 0640;
	check("IPC_SET of the mode", shmctl(id, IPC_SET, &ds) == 0 && shmctl(id, IPC_STAT, &ds) == 0 &&
					   (ds.shm_perm.mode & 0777) == 0640 && ds.shm_perm.uid == geteuid());
	ds.shm_perm.uid = (uid_t)-1;
	check("IPC_SET of uid -1: EINVAL", fails(shmctl(id, IPC_SET, &ds), EINVAL));
	check("IPC_SET from a bad pointer: EFAULT", fails(shmctl(id, IPC_SET, (void *)8), EFAULT));

	check("IPC_RMID while attached", shmctl(id, IPC_RMID, 0) == 0);
	check("IPC_STAT shows SHM_DEST, the key gone, the attaches",
	      shmctl(id, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & SHM_DEST) && ds.shm_perm.__key == IPC_PRIVATE &&
		  ds.shm_nattch == 2);
	check("the key no longer finds it", fails(shmget(key, 0, 0), ENOENT));
	int id2 = track(made_shm, &nshm, shmget(key, page, IPC_CREAT | IPC_EXCL | 0604));
	check("the key makes a new segment at once", id2 >= 0 && id2 != id);
	check("the removed segment's memory is still there", hole[1] == 'P' && hole[2 * page + 1] == 'P');
	char *late = shmat(id, 0, 0);
	check("a removed segment can still be attached", late != (char *)-1 && nattch(id) == 3);
	shmdt(late);
	shmdt(hole);
	check("it stays until the last detach", nattch(id) == 1);
	shmdt(hole + 2 * page);
	check("then it is gone", fails(shmctl(id, IPC_STAT, &ds), EINVAL));
	check("SHM_INFO counts the segments and their pages",
	      shmctl(0, SHM_INFO, (struct shmid_ds *)&usage) >= 0 && used_ids(&usage) == used_ids(&usage0) + 1 &&
		  usage.shm_tot == usage0.shm_tot + 1);
	check("SHM_STAT of the slot gives the ID", shmctl(id2 & 0x7fff, SHM_STAT, &ds) == id2 && ds.shm_segsz == (size_t)page);

	/* Others may read id2 (0604), not write it, and not change it. */
	c = fork();
	if (c == 0) {
		if (!unprivileged())
			_exit(1);
		check("nobody: shmget asking for read", shmget(key, 0, 0400) == id2);
		check("nobody: shmget asking for write: EACCES", fails(shmget(key, 0, 0200), EACCES));
		check("nobody: shmat: EACCES", fails(at(shmat(id2, 0, 0)), EACCES));
		char *r = shmat(id2, 0, SHM_RDONLY);
		check("nobody: shmat SHM_RDONLY", r != (char *)-1 && r[0] == 0);
		check("nobody: IPC_STAT", shmctl(id2, IPC_STAT, &ds) == 0);
		check("nobody: IPC_SET: EPERM", fails(shmctl(id2, IPC_SET, &ds), EPERM));
		check("nobody: IPC_RMID: EPERM", fails(shmctl(id2, IPC_RMID, 0), EPERM));
		check("nobody: SHM_LOCK: EPERM", fails(shmctl(id2, SHM_LOCK, 0), EPERM));
		_exit(0);
	}
	check("the unprivileged child ran", wait_child(c) == 0);
	shmctl(id2, IPC_STAT, &ds);
	ds.shm_perm.uid = NOBODY;
	ds.shm_perm.mode = 0600;
	check("IPC_SET gives it to nobody", shmctl(id2, IPC_SET, &ds) == 0);
	c = fork();
	if (c == 0) {
		if (!unprivileged())
			_exit(1);
		char *r = shmat(id2, 0, 0);
		check("nobody: the owner may write it", r != (char *)-1 && (r[0] = 'N') == 'N');
		_exit(shmctl(id2, IPC_RMID, 0) == 0 ? 0 : 2);
	}
	check("and remove it (gone with the child's exit)", wait_child(c) == 0 && fails(shmctl(id2, IPC_STAT, &ds), EINVAL));
}

static void sem_tests(const char *self, key_t key, key_t unused)
{
	union semun arg;
	struct seminfo si, u0, u1;
	struct semid_ds ds;
	arg.__buf = &si;
	check("semctl IPC_INFO: SEMVMX, SEMAEM, SEMUSZ, limits",
	      semctl(0, 0, IPC_INFO, arg) >= 0 && si.semvmx == 32767 && si.semaem == 32767 && si.semusz == 20 &&
		  si.semmsl > 0 && si.semopm > 0 && si.semmni > 0 && si.semmns > 0);
	arg.__buf = &u0;
	check("semctl SEM_INFO", semctl(0, 0, SEM_INFO, arg) >= 0);
	check("semget of 0 semaphores: EINVAL", fails(semget(IPC_PRIVATE, 0, 0600), EINVAL));
	check("semget of more than semmsl: EINVAL", fails(semget(IPC_PRIVATE, si.semmsl + 1, 0600), EINVAL));
	int id = track(made_sem, &nsem, semget(key, 3, IPC_CREAT | IPC_EXCL | 0600));
	check("semget of a key with IPC_CREAT|IPC_EXCL", id >= 0);
	check("again: EEXIST", fails(semget(key, 3, IPC_CREAT | IPC_EXCL | 0600), EEXIST));
	check("the key finds it with fewer semaphores", semget(key, 2, 0) == id && semget(key, 0, 0) == id);
	check("more semaphores than the set: EINVAL", fails(semget(key, 4, 0), EINVAL));
	check("a key nothing has: ENOENT", fails(semget(unused, 1, 0), ENOENT));
	arg.__buf = &u1;
	check("SEM_INFO counts the set and its semaphores",
	      semctl(0, 0, SEM_INFO, arg) >= 0 && u1.semusz == u0.semusz + 1 && u1.semaem == u0.semaem + 3);
	arg.buf = &ds;
	check("IPC_STAT of a new set",
	      semctl(id, 0, IPC_STAT, arg) == 0 && ds.sem_nsems == 3 && ds.sem_otime == 0 && ds.sem_ctime != 0 &&
		  (ds.sem_perm.mode & 0777) == 0600 && ds.sem_perm.__key == key && ds.sem_perm.cuid == geteuid());
	arg.val = 5;
	check("SETVAL, GETVAL, GETPID", semctl(id, 0, SETVAL, arg) == 0 && semctl(id, 0, GETVAL) == 5 &&
					   semctl(id, 0, GETPID) == getpid());
	arg.val = 32768;
	check("SETVAL above SEMVMX: ERANGE", fails(semctl(id, 0, SETVAL, arg), ERANGE));
	arg.val = -1;
	check("SETVAL below 0: ERANGE", fails(semctl(id, 0, SETVAL, arg), ERANGE));
	arg.val = 1;
	check("SETVAL of semaphore 3 of 3: EINVAL", fails(semctl(id, 3, SETVAL, arg), EINVAL));
	check("GETVAL of semaphore -1: EINVAL", fails(semctl(id, -1, GETVAL), EINVAL));
	check("GETVAL of a bad ID: EINVAL", fails(semctl(id + 32768, 0, GETVAL), EINVAL) && fails(semctl(-1, 0, GETVAL), EINVAL));
	unsigned short all[3] = {1, 2, 3}, got[3] = {0}, bad[3] = {1, 40000, 3};
	arg.array = all;
	int set = semctl(id, 0, SETALL, arg);
	arg.array = got;
	check("SETALL, GETALL", set == 0 && semctl(id, 0, GETALL, arg) == 0 && got[0] == 1 && got[1] == 2 && got[2] == 3);
	arg.array = bad;
	check("SETALL above SEMVMX: ERANGE, nothing set", fails(semctl(id, 0, SETALL, arg), ERANGE) && semctl(id, 1, GETVAL) == 2);
	arg.array = (unsigned short *)8;
	check("SETALL from a bad pointer: EFAULT", fails(semctl(id, 0, SETALL, arg), EFAULT));
	check("an unknown command: EINVAL", fails(semctl(id, 0, 99), EINVAL));

	struct sembuf dec = {0, -1, IPC_NOWAIT};
	check("semop decrements", semop(id, &dec, 1) == 0 && semctl(id, 0, GETVAL) == 0);
	check("one that must wait, with IPC_NOWAIT: EAGAIN", fails(semop(id, &dec, 1), EAGAIN));
	struct sembuf two[2] = {{1, -1, 0}, {0, -1, IPC_NOWAIT}};
	check("all or nothing: EAGAIN, nothing changed", fails(semop(id, two, 2), EAGAIN) && semctl(id, 1, GETVAL) == 2);
	struct sembuf same[3] = {{1, -2, 0}, {1, 3, 0}, {1, -1, 0}};
	check("operations on one semaphore in order", semop(id, same, 3) == 0 && semctl(id, 1, GETVAL) == 2);
	struct sembuf up = {2, 32767, 0};
	check("past SEMVMX: ERANGE", fails(semop(id, &up, 1), ERANGE) && semctl(id, 2, GETVAL) == 3);
	struct sembuf far = {3, 1, 0};
	check("semaphore 3 of 3: EFBIG", fails(semop(id, &far, 1), EFBIG));
	check("no operations: EINVAL", fails(semop(id, &dec, 0), EINVAL));
	struct sembuf *many = calloc(si.semopm + 1, sizeof *many);
	check("more than semopm: E2BIG", fails(semop(id, many, si.semopm + 1), E2BIG));
	free(many);
	check("a bad ID: EINVAL", fails(semop(id + 32768, &dec, 1), EINVAL) && fails(semop(-1, &dec, 1), EINVAL));
	check("a bad pointer: EFAULT", fails(semop(id, (void *)8, 1), EFAULT));
	arg.buf = &ds;
	check("sem_otime is set", semctl(id, 0, IPC_STAT, arg) == 0 && ds.sem_otime != 0);

	pid_t c = fork();
	if (c == 0) {
		struct sembuf d = {0, -1, 0};
		_exit(semop(id, &d, 1) == 0 ? 0 : 1);
	}
	check("a decrement waits (GETNCNT 1)", wait_count(id, 0, GETNCNT, 1));
	struct sembuf inc = {0, 1, 0};
	semop(id, &inc, 1);
	check("an increment completes it", wait_child(c) == 0 && semctl(id, 0, GETVAL) == 0 &&
						  semctl(id, 0, GETNCNT) == 0 && semctl(id, 0, GETPID) == c);
	c = fork();
	if (c == 0) {
		struct sembuf z = {1, 0, 0};
		_exit(semop(id, &z, 1) == 0 ? 0 : 1);
	}
	check("a wait for zero waits (GETZCNT 1)", wait_count(id, 1, GETZCNT, 1));
	struct sembuf to0 = {1, -2, 0};
	semop(id, &to0, 1);
	check("reaching 0 completes it", wait_child(c) == 0 && semctl(id, 1, GETZCNT) == 0);

	struct sembuf w = {0, -1, 0};
	ticking(1);
	int r = semop(id, &w, 1), e = errno;
	ticking(0);
	check("a signal interrupts semop: EINTR, though SA_RESTART", r == -1 && e == EINTR && semctl(id, 0, GETNCNT) == 0);
	struct timespec ts = {0, 100000000};
	check("semtimedop times out: EAGAIN", fails(semtimedop(id, &w, 1, &ts), EAGAIN));
	ts.tv_nsec = 0;
	check("semtimedop with a zero timeout: EAGAIN", fails(semtimedop(id, &w, 1, &ts), EAGAIN));
	ts.tv_nsec = 1000000000;
	check("semtimedop with a bad timeout: EINVAL", fails(semtimedop(id, &w, 1, &ts), EINVAL));
	check("semtimedop with no timeout that need not wait", semtimedop(id, &inc, 1, 0) == 0 && semctl(id, 0, GETVAL) == 1);

	c = fork();
	if (c == 0) {
		struct sembuf u = {2, 2, SEM_UNDO};
		_exit(semop(id, &u, 1) == 0 && semctl(id, 2, GETVAL) == 5 ? 0 : 1);
	}
	check("SEM_UNDO is undone when the process exits", wait_child(c) == 0 && semctl(id, 2, GETVAL) == 3 &&
								   semctl(id, 2, GETPID) == c);
	c = fork();
	if (c == 0) {
		struct sembuf u = {2, -1, SEM_UNDO};
		if (semop(id, &u, 1) != 0)
			_exit(2);
		execl(self, self, "--exit", (char *)0);
		_exit(3);
	}
	check("and kept across exec", wait_child(c) == 0 && semctl(id, 2, GETVAL) == 3);
	int sync[2];
	pipe(sync);
	c = fork();
	if (c == 0) {
		struct sembuf u = {2, 1, SEM_UNDO};
		char b;
		close(sync[1]);
		semop(id, &u, 1);
		read(sync[0], &b, 1);
		_exit(0);
	}
	close(sync[0]);
	check("a child's SEM_UNDO increment", wait_count(id, 2, GETVAL, 4));
	arg.val = 10;
	semctl(id, 2, SETVAL, arg);
	close(sync[1]);
	check("SETVAL clears the adjustments: the exit leaves 10", wait_child(c) == 0 && semctl(id, 2, GETVAL) == 10);

	c = fork();
	if (c == 0) {
		if (!unprivileged())
			_exit(1);
		struct sembuf d = {0, -1, IPC_NOWAIT};
		check("nobody: semop: EACCES", fails(semop(id, &d, 1), EACCES));
		check("nobody: GETVAL: EACCES", fails(semctl(id, 0, GETVAL), EACCES));
		check("nobody: IPC_RMID: EPERM", fails(semctl(id, 0, IPC_RMID), EPERM));
		_exit(0);
	}
	check("the unprivileged child ran", wait_child(c) == 0);
	arg.buf = &ds;
	semctl(id, 0, IPC_STAT, arg);
	ds.sem_perm.mode = 0644;
	check("IPC_SET of the mode", semctl(id, 0, IPC_SET, arg) == 0 && semctl(id, 0, IPC_STAT, arg) == 0 &&
					   (ds.sem_perm.mode & 0777) == 0644);
	c = fork();
	if (c == 0) {
		if (!unprivileged())
			_exit(1);
		struct sembuf z = {1, 0, IPC_NOWAIT}, d = {0, -1, IPC_NOWAIT};
		check("nobody: others may read: GETVAL, a wait for zero", semctl(id, 0, GETVAL) == 1 && semop(id, &z, 1) == 0);
		check("nobody: but not change: EACCES", fails(semop(id, &d, 1), EACCES));
		_exit(0);
	}
	check("the second unprivileged child ran", wait_child(c) == 0);

	c = fork();
	if (c == 0) {
		struct sembuf d = {0, -2, 0};
		_exit(semop(id, &d, 1) == -1 && errno == EIDRM ? 0 : 1);
	}
	check("a decrement by 2 of 1 waits", wait_count(id, 0, GETNCNT, 1));
	check("IPC_RMID", semctl(id, 0, IPC_RMID) == 0);
	check("wakes it with EIDRM", wait_child(c) == 0);
	check("the set is gone", fails(semctl(id, 0, GETVAL), EINVAL) && fails(semop(id, &inc, 1), EINVAL));
}

struct message {
	long mtype;
	char mtext[8300];
};

static int snd(int id, long type, const char *text, size_t n, int flg)
{
	static struct message m;
	m.mtype = type;
	memcpy(m.mtext, text, n);
	return msgsnd(id, &m, n, flg);
}

/* rcv takes a message and reports whether it is of type and text want. */
static int rcv(int id, long type, int flg, long want, const char *text)
{
	static struct message m;
	long n = msgrcv(id, &m, sizeof m.mtext, type, flg);
	return n == (long)strlen(text) && m.mtype == want && memcmp(m.mtext, text, n) == 0;
}

/* idrm has a child wait in msgrcv (or, full, in msgsnd) on a queue that
 * is then removed: EIDRM. Nothing says when the child is asleep, so a
 * child that came too late (EINVAL) is run again, given longer. */
static int idrm(int full)
{
	for (int delay = 100; delay < 5000; delay *= 2) {
		int id = track(made_msg, &nmsg, msgget(IPC_PRIVATE, 0600));
		struct msqid_ds ds;
		msgctl(id, IPC_STAT, &ds);
		ds.msg_qbytes = 1;
		msgctl(id, IPC_SET, &ds);
		snd(id, 1, "x", 1, 0);
		pid_t c = fork();
		if (c == 0) {
			int r = full ? snd(id, 1, "y", 1, 0) : msgrcv(id, &(struct message){0}, 10, 2, 0);
			_exit(r == -1 && errno == EIDRM ? 0 : r == -1 && errno == EINVAL ? 2 : 1);
		}
		msleep(delay);
		msgctl(id, IPC_RMID, 0);
		int st = wait_child(c);
		if (st != 2)
			return st == 0;
	}
	return 0;
}

static void msg_tests(key_t key, key_t key2, key_t unused)
{
	struct msginfo mi, u0, u1;
	struct msqid_ds ds;
	static struct message m;
	check("msgctl IPC_INFO: msgmax within msgmnb, MSGSSZ, MSGSEG",
	      msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0 && mi.msgmax > 0 && mi.msgmnb >= mi.msgmax &&
		  mi.msgssz == 16 && mi.msgseg == 0xffff && mi.msgmni > 0);
	check("msgctl MSG_INFO", msgctl(0, MSG_INFO, (struct msqid_ds *)&u0) >= 0);
	int id = track(made_msg, &nmsg, msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	check("msgget of a key with IPC_CREAT|IPC_EXCL", id >= 0);
	check("again: EEXIST", fails(msgget(key, IPC_CREAT | IPC_EXCL | 0600), EEXIST));
	check("the key finds it", msgget(key, 0) == id && msgget(key, IPC_CREAT | 0600) == id);
	check("a key nothing has: ENOENT", fails(msgget(unused, 0), ENOENT));
	check("IPC_STAT of a new queue: msg_qbytes is msgmnb",
	      msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qbytes == (msglen_t)mi.msgmnb && ds.msg_qnum == 0 &&
		  ds.msg_lspid == 0 && ds.msg_stime == 0 && ds.msg_ctime != 0 && (ds.msg_perm.mode & 0777) == 0600 &&
		  ds.msg_perm.__key == key);
	int sent = snd(id, 3, "c", 1, 0) == 0 && snd(id, 1, "a1", 2, 0) == 0 && snd(id, 2, "b", 1, 0) == 0 &&
		   snd(id, 1, "a2", 2, 0) == 0 && snd(id, 5, "e", 1, 0) == 0;
	check("msgsnd of five messages", sent);
	check("IPC_STAT counts them", msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum == 5 && ds.msg_cbytes == 7 &&
					  ds.msg_lspid == getpid() && ds.msg_stime != 0);
	check("MSG_INFO counts the queue, the messages and their bytes",
	      msgctl(0, MSG_INFO, (struct msqid_ds *)&u1) >= 0 && u1.msgpool == u0.msgpool + 1 &&
		  u1.msgmap == u0.msgmap + 5 && u1.msgtql == u0.msgtql + 7);
	check("msgsnd of type 0: EINVAL", fails(snd(id, 0, "z", 1, 0), EINVAL));
	check("msgsnd above msgmax: EINVAL", fails(msgsnd(id, &m, mi.msgmax + 1, 0), EINVAL));
	check("msgsnd from a bad pointer: EFAULT", fails(msgsnd(id, (void *)8, 1, 0), EFAULT));
	check("msgsnd to a bad ID: EINVAL", fails(snd(id + 32768, 1, "z", 1, 0), EINVAL) && fails(snd(-1, 1, "z", 1, 0), EINVAL));
	check("MSG_COPY of position 0 leaves it", rcv(id, 0, MSG_COPY | IPC_NOWAIT, 3, "c") &&
						      msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum == 5);
	check("MSG_COPY of position 3", rcv(id, 3, MSG_COPY | IPC_NOWAIT, 1, "a2"));
	check("MSG_COPY past the end: ENOMSG", fails(msgrcv(id, &m, 10, 5, MSG_COPY | IPC_NOWAIT), ENOMSG));
	check("MSG_COPY without IPC_NOWAIT: EINVAL", fails(msgrcv(id, &m, 10, 0, MSG_COPY), EINVAL));
	check("MSG_COPY with MSG_EXCEPT: EINVAL", fails(msgrcv(id, &m, 10, 0, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT), EINVAL));
	check("type 0: the first", rcv(id, 0, 0, 3, "c"));
	check("type -2: the lowest type up to 2, oldest first", rcv(id, -2, 0, 1, "a1"));
	check("type 2 with MSG_EXCEPT: the first of another type", rcv(id, 2, MSG_EXCEPT, 1, "a2"));
	check("type 4 with IPC_NOWAIT: ENOMSG", fails(msgrcv(id, &m, 10, 4, IPC_NOWAIT), ENOMSG));
	check("a buffer too small: E2BIG, the message stays", fails(msgrcv(id, &m, 0, 2, 0), E2BIG) &&
								  msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum == 2);
	m.mtype = 0;
	check("MSG_NOERROR cuts it", msgrcv(id, &m, 0, 2, MSG_NOERROR) == 0 && m.mtype == 2);
	check("type -100: the lowest left", rcv(id, -100, 0, 5, "e"));
	check("IPC_STAT: empty, lrpid and rtime set", msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum == 0 &&
							      ds.msg_cbytes == 0 && ds.msg_lrpid == getpid() && ds.msg_rtime != 0);
	check("msgrcv of a bad ID: EINVAL", fails(msgrcv(id + 32768, &m, 10, 0, 0), EINVAL));

	static char buf[8300];
	memset(buf, 'm', sizeof buf);
	check("a message of msgmax bytes", snd(id, 1, buf, mi.msgmax, 0) == 0 && msgrcv(id, &m, sizeof m.mtext, 0, 0) == mi.msgmax);
	msgctl(id, IPC_STAT, &ds);
	ds.msg_qbytes = 100;
	check("IPC_SET of msg_qbytes 100", msgctl(id, IPC_SET, &ds) == 0 && msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qbytes == 100);
	check("60 bytes fit", snd(id, 1, buf, 60, 0) == 0);
	check("60 more do not: EAGAIN with IPC_NOWAIT", fails(snd(id, 1, buf, 60, IPC_NOWAIT), EAGAIN));
	pid_t c = fork();
	if (c == 0)
		_exit(snd(id, 6, buf, 60, 0) == 0 ? 0 : 1);
	msleep(100);
	check("a receive makes room", msgrcv(id, &m, sizeof m.mtext, 1, 0) == 60);
	check("for the sender that waited", wait_child(c) == 0 && msgrcv(id, &m, sizeof m.mtext, 6, IPC_NOWAIT) == 60);
	c = fork();
	if (c == 0)
		_exit(rcv(id, 7, 0, 7, "seven") ? 0 : 1);
	msleep(100);
	snd(id, 8, "eight", 5, 0);
	snd(id, 7, "seven", 5, 0);
	check("a receiver waits for its type", wait_child(c) == 0 && rcv(id, 0, IPC_NOWAIT, 8, "eight"));
	ticking(1);
	long r = msgrcv(id, &m, 10, 9, 0);
	int e = errno;
	ticking(0);
	check("a signal interrupts msgrcv: EINTR, though SA_RESTART", r == -1 && e == EINTR);
	snd(id, 1, buf, 60, 0);
	ticking(1);
	r = snd(id, 1, buf, 60, 0);
	e = errno;
	ticking(0);
	check("and a waiting msgsnd: EINTR", r == -1 && e == EINTR);
	check("IPC_RMID wakes a receiver with EIDRM", idrm(0));
	check("and a sender", idrm(1));

	c = fork();
	if (c == 0) {
		if (!unprivileged())
			_exit(1);
		check("nobody: msgsnd: EACCES", fails(snd(id, 1, "z", 1, IPC_NOWAIT), EACCES));
		check("nobody: msgrcv: EACCES", fails(msgrcv(id, &m, 10, 0, IPC_NOWAIT), EACCES));
		check("nobody: IPC_STAT: EACCES", fails(msgctl(id, IPC_STAT, &ds), EACCES));
		check("nobody: IPC_RMID: EPERM", fails(msgctl(id, IPC_RMID, 0), EPERM));
		_exit(0);
	}
	check("the unprivileged child ran", wait_child(c) == 0);
	msgctl(id, IPC_STAT, &ds);
	ds.msg_perm.uid = NOBODY;
	check("IPC_SET gives it to nobody", msgctl(id, IPC_SET, &ds) == 0);
	c = fork();
	if (c == 0) {
		if (!unprivileged())
			_exit(1);
		check("nobody: the owner may receive", msgrcv(id, &m, sizeof m.mtext, 0, IPC_NOWAIT) == 60);
		msgctl(id, IPC_STAT, &ds);
		ds.msg_qbytes = mi.msgmnb + 1;
		check("nobody: msg_qbytes above msgmnb: EPERM", fails(msgctl(id, IPC_SET, &ds), EPERM));
		ds.msg_qbytes = 200;
		check("nobody: below it", msgctl(id, IPC_SET, &ds) == 0);
		_exit(msgctl(id, IPC_RMID, 0) == 0 ? 0 : 2);
	}
	check("and it removed the queue", wait_child(c) == 0 && fails(msgctl(id, IPC_STAT, &ds), EINVAL));

	c = fork();
	if (c == 0) {
		int q = msgget(key2, IPC_CREAT | IPC_EXCL | 0600);
		_exit(q >= 0 && snd(q, 4, "from the child", 14, 0) == 0 ? 0 : 1);
	}
	int q = track(made_msg, &nmsg, wait_child(c) == 0 ? msgget(key2, 0) : -1);
	check("a queue a child made is the parent's too", q >= 0 && rcv(q, 4, IPC_NOWAIT, 4, "from the child"));
	check("IPC_RMID", msgctl(q, IPC_RMID, 0) == 0 && fails(snd(q, 1, "z", 1, 0), EINVAL));
}

int main(int argc, char **argv)
{
	if (argc > 3 && strcmp(argv[1], "--nattch") == 0) /* the exec'd child of shm_tests */
		return nattch(atoi(argv[2])) == strtoul(argv[3], 0, 10) ? 0 : 1;
	if (argc > 1 && strcmp(argv[1], "--exit") == 0) /* the exec'd child of sem_tests */
		return 0;
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	counts = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counts == MAP_FAILED)
		return 1;
	char path[4096];
	snprintf(path, sizeof path, "%s/sysv-key.%d", dir, getpid());
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
	check("a key file in the scratch directory", fd >= 0);
	close(fd);
	key_t ka = ftok(path, 'a'), kb = ftok(path, 'b'), kc = ftok(path, 'c'), kd = ftok(path, 'd'), kz = ftok(path, 'z');
	check("ftok: one key per project", ka != -1 && ka != kb && kb != kc && kc != kd && kd != kz && ka != kz &&
						 (ka & 0xffffff) == (kz & 0xffffff));
	check("ftok of a missing file: ENOENT", fails(ftok("/no/such/file", 'a'), ENOENT));
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
	sigaction(SIGALRM, &sa, 0);
	shm_tests(argv[0], ka, kz);
	sem_tests(argv[0], kb, kz);
	msg_tests(kc, kd, kz);
	for (int i = 0; i < nshm; i++)
		shmctl(made_shm[i], IPC_RMID, 0);
	for (int i = 0; i < nsem; i++)
		semctl(made_sem[i], 0, IPC_RMID);
	for (int i = 0; i < nmsg; i++)
		msgctl(made_msg[i], IPC_RMID, 0);
	check("the key file is removed", unlink(path) == 0);
	if (counts[1]) {
		printf("sysv: %d of %d checks failed\n", counts[1], counts[0]);
		return 1;
	}
	printf("sysv ok %d\n", counts[0]);
	return 0;
}
