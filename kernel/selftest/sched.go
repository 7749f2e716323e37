package selftest

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// numGoroutines is how many goroutines the scheduler check starts at once.
const numGoroutines = 10000

// checkGoroutines starts numGoroutines goroutines twice: once as a fan-in
// where each sends its index to one channel (the sum proves no message was
// lost or duplicated), and once as a pipeline where a token passes through
// every goroutine in turn (proving each one really ran and handed off).
func checkGoroutines(Clock) (string, error) {
	start := time.Now()
	results := make(chan int, 64)
	var wg sync.WaitGroup
	for i := 0; i < numGoroutines; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results <- i
		}(i)
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	sum, count := 0, 0
	for v := range results {
		sum += v
		count++
	}
	want := numGoroutines * (numGoroutines - 1) / 2
	if count != numGoroutines || sum != want {
		return "", fmt.Errorf("fan-in got %d messages summing to %d, want %d summing to %d",
			count, sum, numGoroutines, want)
	}
	fanIn := time.Since(start)
	token := pipeline(numGoroutines)
	if token != numGoroutines {
		return "", fmt.Errorf("pipeline token %d, want %d", token, numGoroutines)
	}
	return fmt.Sprintf("%d goroutines: fan-in sum %d in %v, pipeline token %d in %v",
		numGoroutines, sum, fanIn.Round(time.Millisecond), token,
		(time.Since(start) - fanIn).Round(time.Millisecond)), nil
}

// pipeline chains n goroutines with unbuffered channels, each adding one to
// the token it receives, and returns the token that comes out of the end.
func pipeline(n int) int {
	first := make(chan int)
	in := first
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		out := make(chan int)
		wg.Add(1)
		go func(in <-chan int, out chan<- int) {
			defer wg.Done()
			out <- 1 + <-in
		}(in, out)
		in = out
	}
	first <- 0
	token := <-in
	wg.Wait()
	return token
}

// GC check parameters: a live set of gcLiveSlots slices of gcChunk bytes
// (4 MiB) is kept while garbage is churned, with GOGC lowered so collections
// come naturally and often.
const (
	gcChunk      = 64 << 10
	gcLiveSlots  = 64
	gcWantCycles = 20
	gcPercent    = 20
	gcHeapLimit  = 64 << 20
	gcMaxChurn   = 2 << 30
	gcDeadline   = 15 * time.Second
)

// gcSink keeps the live set reachable from a global so the compiler
// cannot optimise the allocations away.
var gcSink [][]byte

// checkGC churns garbage until the runtime has completed gcWantCycles
// collections on its own, then verifies the heap stayed bounded and that
// every live object still holds the pattern written into it (a collector
// that frees or moves live memory corrupts it).
func checkGC(Clock) (string, error) {
	old := debug.SetGCPercent(gcPercent)
	defer debug.SetGCPercent(old)
	defer func() { gcSink = nil }()
	gcSink = make([][]byte, gcLiveSlots)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	startGC := ms.NumGC
	var peakAlloc, peakSys uint64
	start := time.Now()
	churned := uint64(0)
	for i := 0; ms.NumGC-startGC < gcWantCycles; i++ {
		if churned >= gcMaxChurn || time.Since(start) > gcDeadline {
			return "", fmt.Errorf("only %d GC cycles after %d MiB churned in %v",
				ms.NumGC-startGC, churned>>20, time.Since(start).Round(time.Millisecond))
		}
		slot := i % gcLiveSlots
		if old := gcSink[slot]; old != nil && !filled(old, byte(i-gcLiveSlots)) {
			return "", fmt.Errorf("live object %d corrupted after %d GC cycles", slot, ms.NumGC-startGC)
		}
		b := make([]byte, gcChunk)
		fill(b, byte(i))
		gcSink[slot] = b
		churned += gcChunk
		if i%32 == 0 {
			runtime.ReadMemStats(&ms)
			peakAlloc = max(peakAlloc, ms.HeapAlloc)
			peakSys = max(peakSys, ms.HeapSys)
		}
	}
	runtime.ReadMemStats(&ms)
	peakAlloc = max(peakAlloc, ms.HeapAlloc)
	peakSys = max(peakSys, ms.HeapSys)
	if peakAlloc > gcHeapLimit || peakSys > gcHeapLimit {
		return "", fmt.Errorf("heap not bounded: peak HeapAlloc %d KiB, HeapSys %d KiB, limit %d KiB",
			peakAlloc>>10, peakSys>>10, gcHeapLimit>>10)
	}
	return fmt.Sprintf("%d cycles, %d MiB churned in %v, peak HeapAlloc %d KiB, HeapSys %d KiB",
		ms.NumGC-startGC, churned>>20, time.Since(start).Round(time.Millisecond),
		peakAlloc>>10, peakSys>>10), nil
}

// fill writes a recognisable pattern (tag at both ends and in the middle).
func fill(b []byte, tag byte) {
	b[0], b[len(b)/2], b[len(b)-1] = tag, tag^0x5a, tag
}

// filled reports whether b still holds the pattern written by fill.
func filled(b []byte, tag byte) bool {
	return b[0] == tag && b[len(b)/2] == tag^0x5a && b[len(b)-1] == tag
}
