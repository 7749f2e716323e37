/* memmodel's mremap and brk operations, included once by memmodel.c.
 *
 * mremap sources are fresh mappings (one mmap, then tags, then one
 * mprotect of the whole range), so "the old range lies in one VMA" holds
 * on Linux however it merges neighbours; the EFAULT case uses ranges that
 * no merging can make one VMA (a hole, or two protections). */

static unsigned long pageup(unsigned long a) { return (a + PAGE - 1) & ~(PAGE - 1); }

/* fresh makes [s, s+n) a new mapping with some pages tagged, then prot. */
static void fresh(long s, long n, int kind, unsigned long off, int prot)
{
	mapfixed(s, n, PROT_READ | PROT_WRITE, kind, off, 0);
	for (long i = s; i < s + n; i++) {
		if (below(2)) {
			unsigned tag = tagnext++;
			writetag(A(i), tag);
			P(i)->tag = tag;
		}
	}
	if (prot != (PROT_READ | PROT_WRITE))
		opprotect(s, n, prot);
}

static long remap(long old, long n, long m, int flags, long to)
{
	return sys(SYS_mremap, old, n * PAGE, m * PAGE, flags, to);
}

static int overlaps(long s, long n, long t, long m) { return s < t + m && t < s + n; }

/* take copies the model of [s, s+n) into out, m pages long: pages past n
 * are new zero pages like the last one, and the source is unmapped. */
static void take(long s, long n, long m, struct page *out)
{
	for (long j = 0; j < m; j++) {
		out[j] = *P(s + (j < n ? j : n - 1));
		if (j >= n)
			out[j].tag = 0, out[j].fileoff += (j - n + 1) * PAGE;
	}
	for (long i = s; i < s + n; i++)
		P(i)->mapped = 0;
}

static void put(long t, long m, const struct page *in)
{
	for (long j = 0; j < m; j++)
		*P(t + j) = in[j];
}

/* growable reports whether [s+n, s+m) is free, so a grow stays in place. */
static int growable(long s, long n, long m)
{
	for (long i = s + n; i < s + m; i++)
		if (P(i)->mapped)
			return 0;
	return 1;
}

/* remapmove grows [s, s+n) to m pages with MREMAP_MAYMOVE; when it moves
 * out of the arena the moved pages are probed there, then brought back
 * with MREMAP_FIXED. */
static void remapmove(long s, long n, long m)
{
	static struct page moved[16];
	logop("mremap MAYMOVE [%ld,+%ld) to %ld pages", s, n, m);
	long got = remap(A(s), n, m, MREMAP_MAYMOVE, 0);
	calls++;
	if (growable(s, n, m)) {
		check("mremap grow in place", got, A(s));
		take(s, n, m, moved);
		put(s, m, moved);
		return;
	}
	if (got < 0 || got == (long)A(s)) {
		mismatch("mremap MAYMOVE returned %ld, model says it moves", got);
		return;
	}
	take(s, n, m, moved);
	for (long j = 0; j < m; j++)
		probe("moved", j, got + j * PAGE, &moved[j]);
	long t = below(NP - m + 1);
	logop("mremap FIXED back from %#lx to [%ld,+%ld)", got, t, m);
	check("mremap back", remap(got, m, m, MREMAP_MAYMOVE | MREMAP_FIXED, A(t)), A(t));
	put(t, m, moved);
}

/* remapfixed moves [s, s+n) to [t, t+m); with DONTUNMAP (m == n) the old
 * range stays mapped and reads as fresh (zeros or the file). */
static void remapfixed(long s, long n, long m, int dontunmap)
{
	static struct page moved[16];
	long t = below(NP - m + 1);
	int flags = MREMAP_MAYMOVE | MREMAP_FIXED | (dontunmap ? MREMAP_DONTUNMAP : 0);
	logop("mremap FIXED%s [%ld,+%ld) to [%ld,+%ld)", dontunmap ? "|DONTUNMAP" : "", s, n, t, m);
	long want = overlaps(s, n, t, m) ? -EINVAL : (long)A(t);
	check("mremap fixed", remap(A(s), n, m, flags, A(t)), want);
	if (want < 0)
		return;
	take(s, n, m, moved);
	if (dontunmap)
		for (long i = s; i < s + n; i++)
			P(i)->mapped = 1, P(i)->tag = 0;
	put(t, m, moved);
}

/* remapfault grows a range that cannot be one VMA: EFAULT. */
static void remapfault(long s, long n)
{
	int split = !P(s)->mapped;
	for (long i = s; i < s + n && !split; i++)
		split = !P(i)->mapped || (i > s && P(i)->prot != P(i - 1)->prot);
	if (!split)
		return;
	logop("mremap across VMAs [%ld,+%ld)", s, n);
	check("mremap across VMAs", remap(A(s), n, n + 1, MREMAP_MAYMOVE, 0), -EFAULT);
}

static void opremap(void)
{
	long n = 1 + below(6), s = below(NP - n + 1);
	int kind = below(3), prot = prots[below(8)], v = below(6);
	unsigned long off = kind == 2 ? below(filepages - n) * PAGE : 0;
	long m = n + 1 + below(4);
	if (s + m > NP)
		m = NP - s;
	if (v == 5) {
		remapfault(s, n);
		return;
	}
	fresh(s, n, kind, off, prot);
	if (kind != 0 && (v == 1 || v == 2))
		v = 3; /* growing file or shared memory would reach past its end */
	if (kind == 1 && v == 4)
		v = 3; /* DONTUNMAP of shared memory would alias it */
	switch (v) {
	case 0:
		if (n < 2)
			return;
		m = 1 + below(n - 1);
		logop("mremap shrink [%ld,+%ld) to %ld", s, n, m);
		check("mremap shrink", remap(A(s), n, m, 0, 0), A(s));
		for (long i = s + m; i < s + n; i++)
			P(i)->mapped = 0;
		break;
	case 1:
		if (m <= n)
			return;
		logop("mremap grow [%ld,+%ld) to %ld", s, n, m);
		check("mremap grow", remap(A(s), n, m, 0, 0), growable(s, n, m) ? (long)A(s) : -ENOMEM);
		if (growable(s, n, m))
			setpages(s + n, m - n, prot, 0, 0);
		break;
	case 2:
		if (m > n)
			remapmove(s, n, m);
		break;
	case 3:
		remapfixed(s, n, kind == 0 ? 1 + below(n + 3) : 1 + below(n), 0);
		break;
	case 4:
		remapfixed(s, n, n, 1);
		break;
	}
}

/* opbrk moves the break, or puts a mapping (or takes it away) just above
 * it. Linux grows the heap only if a page stays free below the next
 * mapping (do_brk's check against vm_start_gap). */
static void opbrk(void)
{
	unsigned long h0 = pageup(brk0);
	if (below(4) == 0) {
		if (blocker) {
			logop("munmap heap blocker %lu", blocker - 1);
			check("munmap blocker", sys(SYS_munmap, h0 + (blocker - 1) * PAGE, PAGE, 0, 0, 0), 0);
			heap[blocker - 1].mapped = 0;
			blocker = 0;
			return;
		}
		unsigned long k = 2 + below(HP - 2), a = h0 + k * PAGE;
		if (a < pageup(brkcur))
			return;
		logop("mmap heap blocker %lu", k);
		check("mmap blocker", (long)mmap((void *)a, PAGE, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), a);
		heap[k] = (struct page){.mapped = 1, .prot = PROT_READ | PROT_WRITE};
		blocker = k + 1;
		return;
	}
	if (below(3) == 0) {
		unsigned long k = below(HP);
		logop("write heap %lu", k);
		if (writable(&heap[k]))
			writetag(h0 + k * PAGE, heap[k].tag = tagnext++);
		return;
	}
	unsigned long want = brk0 + below((HP - 1) * PAGE);
	if (below(8) == 0)
		want = brk0 - PAGE; /* below the start: refused */
	unsigned long oldend = pageup(brkcur), newend = pageup(want), result = want;
	if (want < brk0)
		result = brkcur;
	else if (newend > oldend && blocker && h0 + (blocker - 1) * PAGE < newend + PAGE)
		result = brkcur;
	logop("brk %#lx (break %#lx)", want, brkcur);
	check("brk", sys(SYS_brk, want, 0, 0, 0, 0), result);
	if (result != want)
		return;
	for (unsigned long a = oldend; a < newend; a += PAGE)
		heap[(a - h0) / PAGE] = (struct page){.mapped = 1, .prot = PROT_READ | PROT_WRITE};
	for (unsigned long a = newend; a < oldend; a += PAGE)
		heap[(a - h0) / PAGE].mapped = 0;
	brkcur = want;
}
