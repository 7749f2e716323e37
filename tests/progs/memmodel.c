/* memmodel: a model-based test of the memory system calls.
 *
 * Seeded random operations run over one arena of pages: MAP_FIXED mmap
 * (anonymous private, anonymous shared, private file), MAP_FIXED_NOREPLACE,
 * munmap, mprotect, madvise(MADV_DONTNEED), mremap (shrink, grow in place,
 * MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP), writes, and brk on the
 * heap. A model of every page (mapped or not, protection, what it must
 * hold) predicts each call's result and each probe's: every page is read,
 * written and executed, with SIGSEGV caught. The same binary runs on Linux
 * (which checks the model) and in the guest (which checks the kernel).
 *
 * Usage: memmodel SEED OPS. Prints "memmodel ok ..." and exits 0 only if
 * every prediction held; each disagreement is printed with the last ops.
 * It uses no malloc (musl's would move brk under the model). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096UL
#define NP 48                      /* arena pages */
#define GUARD 4                    /* never-mapped pages on each side */
#define ARENA 0x300000000000UL     /* page 0 of the arena */
#define HP 24                      /* heap pages modelled above the break */
#define MAXFILE (256 * PAGE)
#define MAXREPORT 30

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

enum { BASE_ZERO, BASE_FILE };

/* page is the model of one virtual page. */
struct page {
	int mapped, prot, shared, base;
	unsigned long fileoff; /* BASE_FILE: the file offset it shows */
	unsigned tag;          /* 0, or the tag last written */
};

static struct page arena[NP + 2 * GUARD]; /* index GUARD is arena page 0 */
static struct page heap[HP];
static unsigned long brk0, brkcur, blocker; /* blocker: heap page index + 1, or 0 */
static unsigned char file[MAXFILE];
static unsigned long filepages;
static int fd = -1, pkeys;
static unsigned long long rng;
static unsigned tagnext = 1;
static int mismatches, opno, logn;
static unsigned long probes, calls;
static char ring[8][160]; /* the last calls, for reports */

static unsigned long rnd(void)
{
	rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
	return (rng * 2685821657736338717ULL) >> 11;
}
static unsigned long below(unsigned long n) { return n ? rnd() % n : 0; }

static struct page *P(long i) { return &arena[i + GUARD]; }
static unsigned long A(long i) { return ARENA + i * PAGE; }

static void logop(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = snprintf(ring[logn % 8], sizeof ring[0], "op %d: ", opno);
	vsnprintf(ring[logn % 8] + n, sizeof ring[0] - n, fmt, ap);
	logn++;
	va_end(ap);
}

static void mismatch(const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (mismatches < MAXREPORT) {
		printf("memmodel: MISMATCH at op %d: %s\n", opno, msg);
		if (mismatches == 0)
			for (int k = logn - 8; k < logn; k++)
				if (k >= 0)
					printf("memmodel:   %s\n", ring[k % 8]);
	}
	mismatches++;
}

/* x86 pages cannot be write- or execute-only: any right implies read,
 * unless protection keys make PROT_EXEC pages execute-only. */
static int readable(const struct page *p)
{
	return p->mapped && ((p->prot & (PROT_READ | PROT_WRITE)) || ((p->prot & PROT_EXEC) && !pkeys));
}
static int writable(const struct page *p) { return p->mapped && (p->prot & PROT_WRITE); }
static int execable(const struct page *p) { return p->mapped && (p->prot & PROT_EXEC); }

static const int prots[8] = {PROT_NONE, PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE, PROT_EXEC,
			     PROT_READ | PROT_EXEC, PROT_WRITE | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC};

/* --- faults ------------------------------------------------------------ */

static sigjmp_buf jb;
static volatile unsigned long faultaddr;

static void onfault(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	faultaddr = (unsigned long)si->si_addr;
	siglongjmp(jb, 1);
}

/* tryread loads a byte; it returns 0, or 1 after a fault. */
static int tryread(unsigned long a)
{
	if (sigsetjmp(jb, 1))
		return 1;
	unsigned char v;
	__asm__ volatile("movb (%1), %0" : "=r"(v) : "r"(a) : "memory");
	return 0;
}

/* trywrite adds 0 to a word: a write that changes nothing. */
static int trywrite(unsigned long a)
{
	if (sigsetjmp(jb, 1))
		return 1;
	__asm__ volatile("lock addl $0, (%0)" : : "r"(a) : "memory");
	return 0;
}

/* tryexec calls the page; *ret gets what the stub returned. */
static int tryexec(unsigned long a, unsigned *ret)
{
	if (sigsetjmp(jb, 1))
		return 1;
	*ret = ((unsigned (*)(void))a)();
	return 0;
}

/* --- contents ---------------------------------------------------------- */

/* expect builds what a page must hold: its base (zeros or file bytes)
 * and, if tagged, the stub "mov eax, tag; ret" at 0 and the tag at 2048. */
static void expect(const struct page *p, unsigned char *buf)
{
	if (p->base == BASE_FILE)
		memcpy(buf, file + p->fileoff, PAGE);
	else
		memset(buf, 0, PAGE);
	if (p->tag) {
		buf[0] = 0xb8, memcpy(buf + 1, &p->tag, 4), buf[5] = 0xc3;
		memcpy(buf + 2048, &p->tag, 4);
	}
}

/* writetag writes the stub and the tag into a page the model says is
 * writable; a fault is a disagreement, reported, never a crash. */
static void writetag(unsigned long a, unsigned tag)
{
	if (sigsetjmp(jb, 1)) {
		mismatch("writing tag %u at %#lx faulted, model says writable", tag, a);
		return;
	}
	volatile unsigned char *b = (unsigned char *)a;
	b[0] = 0xb8, b[5] = 0xc3;
	for (int i = 0; i < 4; i++)
		b[1 + i] = b[2048 + i] = tag >> (8 * i);
}

/* probe checks one page against its model: read, write, execute. */
static void probe(const char *where, long idx, unsigned long a, const struct page *p)
{
	static unsigned char want[PAGE];
	probes++;
	int rf = tryread(a);
	if (rf != !readable(p))
		mismatch("%s page %ld: read %s, model says %s (mapped %d prot %d)", where, idx,
			 rf ? "faulted" : "worked", readable(p) ? "readable" : "not", p->mapped, p->prot);
	if (!rf && readable(p)) {
		expect(p, want);
		if (memcmp(want, (void *)a, PAGE) != 0) {
			unsigned long off = 0;
			while (off < PAGE && want[off] == ((unsigned char *)a)[off])
				off++;
			mismatch("%s page %ld: byte %lu is %#x, want %#x (base %d tag %u)", where, idx, off,
				 ((unsigned char *)a)[off], want[off], p->base, p->tag);
		}
	}
	int wf = trywrite(a + 2048);
	if (wf != !writable(p))
		mismatch("%s page %ld: write %s, model says %s (prot %d)", where, idx,
			 wf ? "faulted" : "worked", writable(p) ? "writable" : "not", p->prot);
	if (execable(p) && !p->tag)
		return; /* nothing known to run there */
	unsigned got = 0;
	faultaddr = 0;
	int xf = tryexec(a, &got);
	if (!execable(p) && (!xf || faultaddr != a))
		mismatch("%s page %ld: execute %s (fault at %#lx), model says not executable", where, idx,
			 xf ? "faulted elsewhere" : "worked", faultaddr);
	if (execable(p) && (xf || got != p->tag))
		mismatch("%s page %ld: execute gave %u (fault %d), want %u", where, idx, got, xf, p->tag);
}

static void sweep(long lo, long hi)
{
	for (long i = lo; i < hi; i++)
		if (i >= -GUARD && i < NP + GUARD)
			probe("arena", i, A(i), P(i));
}

static void sweepheap(void)
{
	unsigned long h0 = (brk0 + PAGE - 1) & ~(PAGE - 1);
	for (long i = 0; i < HP; i++)
		probe("heap", i, h0 + i * PAGE, &heap[i]);
}

/* --- calls ------------------------------------------------------------- */

/* check compares a call's result with the model's prediction. */
static void check(const char *call, long got, long want)
{
	calls++;
	if (got != want)
		mismatch("%s returned %ld (errno %d), model says %ld", call, got, got == -1 ? errno : 0, want);
}

static long sys(long nr, long a, long b, long c, long d, long e)
{
	long r = syscall(nr, a, b, c, d, e, 0);
	return r == -1 ? -errno : r;
}

static void setpages(long s, long n, int prot, int kind, unsigned long off)
{
	for (long i = s; i < s + n; i++) {
		struct page *p = P(i);
		*p = (struct page){.mapped = 1, .prot = prot, .shared = kind == 1,
				   .base = kind == 2 ? BASE_FILE : BASE_ZERO};
		if (kind == 2)
			p->fileoff = off + (i - s) * PAGE;
	}
}

/* mapfixed maps [s, s+n) with kind 0 (anonymous private), 1 (anonymous
 * shared) or 2 (private file pages from page off). */
static void mapfixed(long s, long n, int prot, int kind, unsigned long off, int noreplace)
{
	int flags = (kind == 1 ? MAP_SHARED : MAP_PRIVATE) | (kind == 2 ? 0 : MAP_ANONYMOUS);
	flags |= noreplace ? MAP_FIXED_NOREPLACE : MAP_FIXED;
	logop("mmap%s [%ld,+%ld) prot %d kind %d off %lu", noreplace ? "_noreplace" : "_fixed", s, n, prot, kind, off);
	long want = A(s);
	if (noreplace)
		for (long i = s; i < s + n; i++)
			if (P(i)->mapped)
				want = -EEXIST;
	long got = (long)mmap((void *)A(s), n * PAGE, prot, flags, kind == 2 ? fd : -1, off);
	if (got == -1)
		got = -errno;
	check("mmap", got, want);
	if (want > 0)
		setpages(s, n, prot, kind, off);
}

static void opunmap(long s, long n)
{
	logop("munmap [%ld,+%ld)", s, n);
	check("munmap", sys(SYS_munmap, A(s), n * PAGE, 0, 0, 0), 0);
	for (long i = s; i < s + n; i++)
		P(i)->mapped = 0;
}

/* opprotect: Linux changes the pages from s up to the first hole, and
 * answers ENOMEM if there is a hole (do_mprotect_pkey). */
static void opprotect(long s, long n, int prot)
{
	logop("mprotect [%ld,+%ld) prot %d", s, n, prot);
	long want = 0;
	for (long i = s; i < s + n; i++) {
		if (!P(i)->mapped) {
			want = -ENOMEM;
			break;
		}
	}
	check("mprotect", sys(SYS_mprotect, A(s), n * PAGE, prot, 0, 0), want);
	for (long i = s; i < s + n && P(i)->mapped; i++)
		P(i)->prot = prot;
}

/* opdontneed: every mapped page is dropped; private pages then read as
 * zeros (anonymous) or the file, shared ones keep their contents; a hole
 * is ENOMEM after the rest is done (madvise_walk_vmas). */
static void opdontneed(long s, long n)
{
	logop("madvise DONTNEED [%ld,+%ld)", s, n);
	long want = 0;
	for (long i = s; i < s + n; i++) {
		struct page *p = P(i);
		if (!p->mapped)
			want = -ENOMEM;
		else if (!p->shared)
			p->tag = 0;
	}
	check("madvise", sys(SYS_madvise, A(s), n * PAGE, MADV_DONTNEED, 0, 0), want);
}

/* opwrite tags the writable pages of [s, s+n); the others must fault. */
static void opwrite(long s, long n)
{
	logop("write [%ld,+%ld)", s, n);
	for (long i = s; i < s + n; i++) {
		struct page *p = P(i);
		unsigned tag = tagnext++;
		if (writable(p)) {
			writetag(A(i), tag);
			p->tag = tag;
		} else if (trywrite(A(i)) == 0) {
			mismatch("write to page %ld worked, model says not writable (prot %d)", i, p->prot);
		}
	}
}

#include "memmodel_remap.h"

/* --- the run ----------------------------------------------------------- */

static void loadfile(const char *path)
{
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror("memmodel: open");
		exit(2);
	}
	long n = 0, r;
	while (n < (long)MAXFILE && (r = read(fd, file + n, MAXFILE - n)) > 0)
		n += r;
	filepages = n / PAGE; /* whole pages only: a page past EOF is SIGBUS */
	if (filepages < 8) {
		printf("memmodel: %s has only %lu whole pages\n", path, filepages);
		exit(2);
	}
}

static void setup(void)
{
	struct sigaction sa = {.sa_sigaction = onfault, .sa_flags = SA_SIGINFO | SA_NODEFER};
	sigaction(SIGSEGV, &sa, 0);
	sigaction(SIGBUS, &sa, 0);
	unsigned a, b, c, d;
	__asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
	pkeys = (c >> 4) & 1; /* OSPKE: Linux then makes PROT_EXEC pages execute-only */
	void *r = mmap((void *)A(-GUARD), (NP + 2 * GUARD) * PAGE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (r != (void *)A(-GUARD)) {
		printf("memmodel: the arena at %#lx is not free\n", A(-GUARD));
		exit(2);
	}
	munmap(r, (NP + 2 * GUARD) * PAGE);
	brk0 = brkcur = sys(SYS_brk, 0, 0, 0, 0, 0);
}

static void step(void)
{
	long s = below(NP), n = 1 + below(8);
	if (s + n > NP)
		n = NP - s;
	int prot = prots[below(8)];
	switch (below(20)) {
	case 0: case 1: case 2: case 3: {
		int kind = below(3);
		unsigned long off = kind == 2 ? below(filepages - n) * PAGE : 0;
		mapfixed(s, n, prot, kind, off, 0);
		break;
	}
	case 4:
		mapfixed(s, n, prot, below(2), 0, 1);
		break;
	case 5: case 6:
		opunmap(s, n);
		break;
	case 7: case 8: case 9: case 10:
		opprotect(s, n, prot);
		break;
	case 11: case 12:
		opdontneed(s, n);
		break;
	case 13: case 14: case 15:
		opwrite(s, n);
		break;
	case 16: case 17:
		opremap();
		break;
	default:
		opbrk();
		break;
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: memmodel SEED OPS\n");
		return 2;
	}
	unsigned long seed = strtoul(argv[1], 0, 0);
	int ops = atoi(argv[2]);
	rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	loadfile(argv[0]);
	setup();
	for (opno = 0; opno < ops; opno++) {
		step();
		if (opno % 16 == 15) {
			sweep(-GUARD, NP + GUARD);
			sweepheap();
		}
	}
	sweep(-GUARD, NP + GUARD);
	sweepheap();
	printf("memmodel %s seed=%lu ops=%d calls=%lu probes=%lu mismatches=%d pkeys=%d\n",
	       mismatches ? "FAIL" : "ok", seed, ops, calls, probes, mismatches, pkeys);
	return mismatches ? 1 : 0;
}
