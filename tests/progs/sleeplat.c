// sleeplat: timed waits end on time. For poll, select, pselect6 and
// nanosleep of 1 and 10 ms, no wait may end early and the median
// overshoot must stay under 300 us (LTP's timer tests allow 450 us on
// the mean). Prints "sleeplat ok" or each median that is too long.
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#define N 41
#define LIMIT_US 300

static long long now_ns(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

static void wait_for(const char *how, long us) {
	if (!strcmp(how, "poll")) {
		poll(NULL, 0, us / 1000);
	} else if (!strcmp(how, "select")) {
		struct timeval tv = {0, us};
		select(0, NULL, NULL, NULL, &tv);
	} else if (!strcmp(how, "pselect")) {
		struct timespec ts = {0, us * 1000};
		pselect(0, NULL, NULL, NULL, &ts, NULL);
	} else {
		struct timespec ts = {0, us * 1000};
		nanosleep(&ts, NULL);
	}
}

int main(void) {
	const char *hows[] = {"poll", "select", "pselect", "nanosleep"};
	long durations[] = {1000, 10000};
	int bad = 0;
	for (int h = 0; h < 4; h++) {
		for (int d = 0; d < 2; d++) {
			long long s[N];
			for (int i = 0; i < N; i++) {
				long long t0 = now_ns();
				wait_for(hows[h], durations[d]);
				s[i] = (now_ns() - t0) / 1000 - durations[d];
			}
			qsort(s, N, sizeof s[0], cmp);
			if (s[0] < 0) {
				printf("sleeplat: %s of %ld us ended %lld us early\n", hows[h], durations[d], -s[0]);
				bad = 1;
			}
			if (s[N / 2] > LIMIT_US) {
				printf("sleeplat: %s of %ld us: median overshoot %lld us (limit %d)\n", hows[h], durations[d], s[N / 2], LIMIT_US);
				bad = 1;
			}
		}
	}
	if (!bad)
		puts("sleeplat ok");
	return bad;
}
