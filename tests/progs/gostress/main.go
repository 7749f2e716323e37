// Command gostress runs the Go runtime hard for a while (the first
// argument, default 60s): goroutines building and checking maps, channel
// pipelines, timers, tickers and AfterFunc, select with timeouts,
// mutexes, large and small allocations, and runtime.GC, each with a
// result it checks. It prints "gostress ok" and the work done, or what
// went wrong, and exits 1 on any wrong result.
package main

import (
	"fmt"
	"hash/crc32"
	"math/rand"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var failures atomic.Int64

func fail(format string, args ...any) {
	if failures.Add(1) <= 10 {
		fmt.Printf("gostress: "+format+"\n", args...)
	}
}

// maps builds a map of strings to slices, checks every entry, deletes
// half and checks again.
func maps(seed int64) int {
	r := rand.New(rand.NewSource(seed))
	m := map[string][]byte{}
	n := 500 + r.Intn(1500)
	for i := 0; i < n; i++ {
		m[fmt.Sprintf("k%d-%d", seed, i)] = []byte(strings.Repeat(string(rune('a'+i%26)), i%300))
	}
	for i := 0; i < n; i += 2 {
		delete(m, fmt.Sprintf("k%d-%d", seed, i))
	}
	for i := 1; i < n; i += 2 {
		v, ok := m[fmt.Sprintf("k%d-%d", seed, i)]
		if !ok || len(v) != i%300 || (len(v) > 0 && v[0] != byte('a'+i%26)) {
			fail("map entry %d of seed %d is wrong", i, seed)
			return 0
		}
	}
	return len(m)
}

// pipeline sends numbers through three stages and checks the sum.
func pipeline(n int) {
	a, b, c := make(chan int), make(chan int, 8), make(chan int)
	go func() {
		for i := 1; i <= n; i++ {
			a <- i
		}
		close(a)
	}()
	go func() {
		for v := range a {
			b <- v * 2
		}
		close(b)
	}()
	go func() {
		s := 0
		for v := range b {
			s += v
		}
		c <- s
	}()
	if s := <-c; s != n*(n+1) {
		fail("pipeline sum %d, want %d", s, n*(n+1))
	}
}

// timers checks that timers, tickers and AfterFunc fire, late rather
// than early, and that select timeouts work.
func timers() {
	start := time.Now()
	var fired atomic.Int32
	done := make(chan struct{})
	time.AfterFunc(3*time.Millisecond, func() { fired.Add(1); close(done) })
	t := time.NewTimer(2 * time.Millisecond)
	tk := time.NewTicker(time.Millisecond)
	ticks := 0
	for ticks < 3 {
		select {
		case <-tk.C:
			ticks++
		case <-time.After(2 * time.Second):
			fail("ticker stopped")
			ticks = 3
		}
	}
	tk.Stop()
	<-t.C
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		fail("AfterFunc never ran")
	}
	if el := time.Since(start); el < 3*time.Millisecond || fired.Load() != 1 {
		fail("timers fired early (%v) or not once (%d)", el, fired.Load())
	}
	stop := time.NewTimer(time.Hour)
	if !stop.Stop() {
		fail("stopping an hour-long timer")
	}
}

// locked has goroutines increment a counter under a mutex.
func locked() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	n := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				mu.Lock()
				n++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if n != 8000 {
		fail("mutex counter %d, want 8000", n)
	}
}

// big allocates and checks large buffers, which come from (and go back
// to) the heap's pages directly.
func big(seed int64) {
	b := make([]byte, 1<<20+int(seed%4096))
	for i := range b {
		b[i] = byte(i * 7)
	}
	if crc32.ChecksumIEEE(b) != crc32.ChecksumIEEE(append([]byte(nil), b...)) {
		fail("a copied 1 MiB buffer differs")
	}
}

func main() {
	d := 60 * time.Second
	if len(os.Args) > 1 {
		var err error
		if d, err = time.ParseDuration(os.Args[1]); err != nil {
			fmt.Println("usage: gostress [DURATION]")
			os.Exit(2)
		}
	}
	end := time.Now().Add(d)
	var rounds, entries, gcs atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for seed := int64(w); time.Now().Before(end) && failures.Load() == 0; seed += 4 {
				entries.Add(int64(maps(seed)))
				pipeline(200)
				timers()
				locked()
				big(seed)
				rounds.Add(1)
			}
		}(w)
	}
	go func() {
		for time.Now().Before(end) {
			time.Sleep(50 * time.Millisecond)
			runtime.GC()
			gcs.Add(1)
		}
	}()
	wg.Wait()
	if failures.Load() > 0 {
		fmt.Printf("gostress: %d failures\n", failures.Load())
		os.Exit(1)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("gostress ok: %d rounds, %d map entries checked, %d forced GCs, %d GC cycles in %v\n",
		rounds.Load(), entries.Load(), gcs.Load(), ms.NumGC, d)
}
