// Command govdso reads the clock the way Go programs do: time.Now, whose
// wall and monotonic readings the runtime takes from the vDSO's
// __vdso_clock_gettime when the kernel gives one. 100000 readings must
// never go back and must agree with clock_gettime made as a system call.
// Prints "govdso ok".
package main

import (
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"
)

const n = 100000

// sysNow reads a clock by system call, as a duration since its epoch.
func sysNow(clock int) time.Duration {
	var ts syscall.Timespec
	if _, _, e := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, uintptr(clock), uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		fmt.Println("govdso: clock_gettime:", e)
		os.Exit(1)
	}
	return time.Duration(ts.Nano())
}

func main() {
	start := time.Now()
	last := time.Duration(0)
	for i := 0; i < n; i++ {
		d := time.Since(start)
		if d < last {
			fmt.Println("govdso: the monotonic clock went back:", last, d)
			os.Exit(1)
		}
		last = d
	}
	for i := 0; i < 10; i++ {
		a := sysNow(0) // CLOCK_REALTIME
		v := time.Duration(time.Now().UnixNano())
		b := sysNow(0)
		if v < a || v > b {
			fmt.Println("govdso: time.Now outside the system calls around it:", v-a, b-v)
			os.Exit(1)
		}
	}
	fmt.Println("govdso ok")
}
