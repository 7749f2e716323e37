/* exit exits with the status given as argv[1], to test that a program's
 * status reaches the host unchanged. */
#include <stdlib.h>

int main(int argc, char **argv)
{
	return argc > 1 ? atoi(argv[1]) : 0;
}
