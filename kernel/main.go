// Command kernel is the Starry-Go kernel image: the Go program that
// hw/x86_64 boots in ring 0. Build it with `starry build`; it is not a
// Linux program even though it is linked as one.
package main

import (
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/starry-go/starry/bench"
	"github.com/starry-go/starry/exo"
	hw "github.com/starry-go/starry/hw/x86_64"
	"github.com/starry-go/starry/kernel/exotest"
	"github.com/starry-go/starry/kernel/selftest"
)

// hwClock gives the self-test and the benchmarks the TSC.
type hwClock struct{}

func (hwClock) TSC() uint64   { return hw.TSC() }
func (hwClock) TSCHz() uint64 { return hw.TSCHz() }

func main() {
	fmt.Println("starry: go main")
	go waitInterrupts()
	total, free := hw.Memory()
	fmt.Printf("starry: %d KiB of memory, %d KiB free; heap at %p; TSC %d MHz; cmdline %q\n",
		total>>10, free>>10, new(int), hw.TSCHz()/1e6, hw.Cmdline())
	args := os.Args[1:]
	switch {
	case slices.Contains(args, "crashtest"):
		fmt.Println("starry: faulting inside the shim on purpose")
		hw.CrashTest()
		fmt.Println("starry: crash test did not crash")
		hw.PowerOff(1)
	case slices.Contains(args, "consoletest"):
		hw.PowerOff(consoleTest())
	case slices.Contains(args, "bench=exo"):
		if err := bench.Exo(os.Stdout, exo.New(hw.Backend(), 10*time.Millisecond), hwClock{}, 20000); err != nil {
			fmt.Println("bench: exo:", err)
			hw.PowerOff(1)
		}
		hw.PowerOff(0)
	case slices.Contains(args, "selftest"):
		ok := selftest.Run(os.Stdout, hwClock{})
		ok = exotest.Run(os.Stdout, exo.New(hw.Backend(), 10*time.Millisecond), hw.XSAVEEnabled()) && ok
		if ok {
			hw.PowerOff(0)
		}
		hw.PowerOff(1)
	}
	if initrd := hw.Initrd(); initrd != nil {
		hw.PowerOff(runCommands(initrd))
	}
	fmt.Println("starry: nothing to run (no initramfs); try --selftest or -- COMMAND")
	hw.PowerOff(0)
}

// waitInterrupts is the kernel's idle thread as the Go runtime sees it:
// it waits for device interrupts in a system call for ever. When every
// process is blocked (reading a pipe no one writes, waiting on a futex no
// one wakes) the kernel is idle, not deadlocked, as Linux would be; the
// runtime's deadlock check never fires while a thread is in a system
// call.
func waitInterrupts() {
	for {
		hw.WaitInterrupt()
	}
}
