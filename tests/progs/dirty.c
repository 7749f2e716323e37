/* dirty fills 8 MiB of anonymous memory and 1 MiB of brk memory with
 * 0x5A and gives it all back; zero, run next in the same boot, then
 * checks that no frame reaches it still holding the pattern. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAP_LEN (8UL << 20)
#define BRK_LEN (1UL << 20)

int main(void)
{
	unsigned char *p = mmap(0, MAP_LEN, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("dirty: mmap");
		return 1;
	}
	memset(p, 0x5a, MAP_LEN);
	if (munmap(p, MAP_LEN) != 0) {
		perror("dirty: munmap");
		return 1;
	}
	unsigned long cur = syscall(SYS_brk, 0);
	if ((unsigned long)syscall(SYS_brk, cur + BRK_LEN) != cur + BRK_LEN) {
		printf("dirty: brk could not grow by %lu bytes\n", BRK_LEN);
		return 1;
	}
	memset((void *)cur, 0x5a, BRK_LEN);
	syscall(SYS_brk, cur);
	puts("dirty ok");
	return 0;
}
