/* kmem_write stores into the kernel's text; the kernel must kill the
 * program with SIGSEGV (status 139) and survive unharmed. */
#include <stdio.h>

#define KERNEL_TEXT 0xffff800000200000UL

int main(void)
{
	volatile unsigned char *p = (volatile unsigned char *)KERNEL_TEXT;

	*p = 0xcc;
	printf("kmem_write: wrote kernel text\n");
	return 1;
}
