/* priv executes the privileged instruction named by argv[1] in ring 3.
 * Each raises #GP, which the kernel must turn into SIGSEGV (status 139);
 * reaching the printf means the CPU let ring 3 do it. */
#include <stdio.h>
#include <string.h>

static unsigned char gdtr[10];

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (strcmp(what, "hlt") == 0)
		__asm__ volatile("hlt");
	else if (strcmp(what, "cli") == 0)
		__asm__ volatile("cli");
	else if (strcmp(what, "in") == 0) {
		unsigned char v;
		__asm__ volatile("inb $0x80, %0" : "=a"(v));
	} else if (strcmp(what, "out") == 0)
		__asm__ volatile("outb %0, $0x80" : : "a"((unsigned char)0));
	else if (strcmp(what, "wrmsr") == 0)
		__asm__ volatile("wrmsr" : : "c"(0xc0000080u), "a"(0u), "d"(0u));
	else if (strcmp(what, "cr3") == 0)
		__asm__ volatile("mov %0, %%cr3" : : "r"(0UL));
	else if (strcmp(what, "lgdt") == 0)
		__asm__ volatile("lgdt %0" : : "m"(gdtr));
	else {
		fprintf(stderr, "usage: priv hlt|cli|in|out|wrmsr|cr3|lgdt\n");
		return 2;
	}
	printf("priv %s: executed in user mode\n", what);
	return 1;
}
