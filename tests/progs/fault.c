/* fault dies of the CPU exception named by argv[1], so the kernel's
 * exception-to-signal mapping shows in the exit status (128+signal):
 * ill (ud2, SIGILL 132), segv (NULL store, SIGSEGV 139), fpe (divide by
 * zero, SIGFPE 136), trap (int3, SIGTRAP 133). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	if (strcmp(what, "ill") == 0)
		__asm__ volatile("ud2");
	else if (strcmp(what, "segv") == 0)
		*(volatile int *)0 = 1;
	else if (strcmp(what, "fpe") == 0)
		__asm__ volatile("divl %0" : : "r"(0u), "a"(1u), "d"(0u));
	else if (strcmp(what, "trap") == 0)
		__asm__ volatile("int3");
	else {
		fprintf(stderr, "usage: fault ill|segv|fpe|trap\n");
		return 2;
	}
	printf("fault %s: still alive\n", what);
	return 1;
}
