/* exit0: the program the exec benchmarks start; it exits 0 at once. */
int main(void) { return 0; }
