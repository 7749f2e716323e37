/* oom maps and touches 64 MiB (or argv[1] MiB) at a time until the
 * kernel refuses: the kernel must kill it (SIGKILL, as Linux's OOM
 * killer does), keep its own memory, and run the next program with
 * every frame returned. A mapping larger than the machine is refused
 * up front (overcommit's heuristic), hence the smaller chunks for
 * small machines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	size_t chunk = (size_t)(argc > 1 ? atoi(argv[1]) : 64) << 20, total = 0;
	for (;;) {
		char *p = mmap(0, chunk, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			printf("oom: mmap failed after %zu MiB\n", total >> 20);
			return 3;
		}
		memset(p, 1, chunk);
		total += chunk;
	}
}
