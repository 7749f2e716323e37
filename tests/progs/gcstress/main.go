// Command gcstress allocates maps and slices and collects garbage (the
// program from the correctness issue, unchanged): its heap reuses memory
// the runtime returned with MADV_DONTNEED, which go1.26 trusts to read as
// zeros. "seq" runs the work on one goroutine.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
)

func work(id int) int {
	m := map[string][]byte{}
	for i := 0; i < 2000; i++ {
		m[fmt.Sprintf("%d-%d", id, i)] = []byte(strings.Repeat("x", i%300))
	}
	return len(m)
}

func main() {
	seq := len(os.Args) > 1 && os.Args[1] == "seq"
	for round := 0; round < 30; round++ {
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			if seq {
				work(g)
				continue
			}
			wg.Add(1)
			go func(g int) { defer wg.Done(); work(g) }(g)
		}
		if round%3 == 0 {
			runtime.GC()
		}
		wg.Wait()
	}
	fmt.Println("gcstress ok")
}
