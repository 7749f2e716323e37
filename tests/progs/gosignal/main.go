// gosignal checks what a Go program needs of signals and timers: os/signal
// Notify, Ignore and Reset on real signals, a time.Ticker, and a 20 ms
// sleep that takes 20 ms (the median of ten, within 2 ms). It prints the
// same lines on Linux and in the guest.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1)
	_ = syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	select {
	case s := <-c:
		fmt.Println("notified:", s)
	case <-time.After(5 * time.Second):
		fmt.Println("no SIGUSR1 in 5 s")
	}
	signal.Ignore(syscall.SIGUSR2)
	_ = syscall.Kill(os.Getpid(), syscall.SIGUSR2) // ignored: the process lives on
	fmt.Println("ignored SIGUSR2 and lived:", signal.Ignored(syscall.SIGUSR2))
	signal.Reset(syscall.SIGUSR1)
	fmt.Println("SIGUSR1 reset, still ignored:", signal.Ignored(syscall.SIGUSR1))

	tk := time.NewTicker(10 * time.Millisecond)
	start := time.Now()
	for i := 0; i < 5; i++ {
		<-tk.C
	}
	tk.Stop()
	fmt.Println("5 ticks of 10 ms took 50 ms or more:", time.Since(start) >= 50*time.Millisecond)

	var d []time.Duration
	for i := 0; i < 10; i++ {
		t0 := time.Now()
		time.Sleep(20 * time.Millisecond)
		d = append(d, time.Since(t0))
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	med := d[len(d)/2]
	ok := med >= 20*time.Millisecond && med <= 22*time.Millisecond
	fmt.Println("20 ms sleep within 2 ms:", ok)
	if !ok {
		fmt.Fprintln(os.Stderr, "median", med, "all", d)
	}
}
