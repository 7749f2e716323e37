/* kmem_read loads from the kernel's text; the page is supervisor-only,
 * so the kernel must kill the program with SIGSEGV (status 139). */
#include <stdio.h>

#define KERNEL_TEXT 0xffff800000200000UL

int main(void)
{
	volatile unsigned char *p = (volatile unsigned char *)KERNEL_TEXT;
	unsigned char v = *p;

	printf("kmem_read: read 0x%02x from kernel text\n", v);
	return 1;
}
