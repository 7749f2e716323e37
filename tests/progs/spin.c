/* spin loops forever without a system call; run in the background, it
 * shows that the timer still preempts a user program that never yields. */
int main(void)
{
	volatile unsigned long n = 0;

	for (;;)
		n++;
}
