/* big: a 10 MiB static program (its data is in the file, not bss) that
 * reads 1 MiB of that data, a page at a time, and exits 0: exec of a
 * large image whose pages are only partly used. */
#define SIZE (10 << 20)
#define TOUCH (1 << 20)

static volatile unsigned char data[SIZE] = {1};

int main(void)
{
	unsigned sum = 0;
	for (int i = 0; i < TOUCH; i += 4096)
		sum += data[i];
	return sum == 1 ? 0 : 1;
}
