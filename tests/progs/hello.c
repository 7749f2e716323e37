/* hello prints one line; built several ways (musl and glibc, static,
 * static-PIE and dynamic) so the loader is tested on each. HELLO_FROM
 * names the build. */
#include <stdio.h>

#ifndef HELLO_FROM
#define HELLO_FROM "musl"
#endif

int main(void)
{
	puts("hello from " HELLO_FROM);
	return 0;
}
