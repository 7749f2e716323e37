/* oom maps and touches 64 MiB at a time until the kernel refuses: the
 * kernel must kill it (SIGKILL, as Linux's OOM killer does), keep its
 * own memory, and run the next program with every frame returned. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int main(void)
{
	size_t total = 0;
	for (;;) {
		char *p = mmap(0, 64 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			printf("oom: mmap failed after %zu MiB\n", total >> 20);
			return 3;
		}
		memset(p, 1, 64 << 20);
		total += 64 << 20;
	}
}
