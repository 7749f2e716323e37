/* zero checks that fresh anonymous memory (8 MiB of mmap, 1 MiB of brk)
 * reads as zero. The first touch of each page is an atomic add of 0, a
 * write, so the kernel must hand over a real frame (perhaps one dirty
 * just freed) rather than map a shared zero page. */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAP_LEN (8UL << 20)
#define BRK_LEN (1UL << 20)
#define PAGE 4096UL

/* check returns 0 if all of [p, p+len) is zero, else reports the first
 * non-zero byte. */
static int check(const char *what, unsigned char *p, unsigned long len)
{
	for (unsigned long off = 0; off < len; off += PAGE) {
		unsigned char first = __atomic_fetch_add(p + off, 0, __ATOMIC_SEQ_CST);
		if (first != 0) {
			printf("zero: %s byte %lu is 0x%02x\n", what, off, first);
			return 1;
		}
		for (unsigned long i = 1; i < PAGE; i++) {
			if (p[off + i] != 0) {
				printf("zero: %s byte %lu is 0x%02x\n", what, off + i, p[off + i]);
				return 1;
			}
		}
	}
	return 0;
}

int main(void)
{
	unsigned char *p = mmap(0, MAP_LEN, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("zero: mmap");
		return 1;
	}
	if (check("mmap", p, MAP_LEN))
		return 1;
	unsigned long cur = syscall(SYS_brk, 0);
	if ((unsigned long)syscall(SYS_brk, cur + BRK_LEN) != cur + BRK_LEN) {
		printf("zero: brk could not grow by %lu bytes\n", BRK_LEN);
		return 1;
	}
	/* brk starts mid-page; the part of the page below cur may hold data. */
	unsigned long start = (cur + PAGE - 1) & ~(PAGE - 1);
	if (check("brk", (unsigned char *)start, cur + BRK_LEN - start))
		return 1;
	puts("zero ok");
	return 0;
}
