// Command gohello is a static Go program for the integration tests: the
// Go runtime in user mode needs threads (clone), futexes, signals, mmap,
// and epoll with an eventfd for its timers.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

func main() {
	var wg sync.WaitGroup
	sum := make(chan int, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) { defer wg.Done(); sum <- i }(i)
	}
	wg.Wait()
	close(sum)
	total := 0
	for v := range sum {
		total += v
	}
	start := time.Now()
	time.Sleep(20 * time.Millisecond)
	slept := time.Since(start)
	runtime.GC()
	fmt.Printf("hello from Go: sum %d, slept %v, args %v\n", total, slept.Round(time.Millisecond), os.Args[1:])
	if total != 4950 || slept < 20*time.Millisecond {
		os.Exit(1)
	}
}
