package bench

import (
	"fmt"
	"io"
	"slices"

	"github.com/starry-go/starry/exo"
)

// Clock reads the TSC and knows its rate.
type Clock interface {
	TSC() uint64
	TSCHz() uint64
}

const (
	codeVA = 0x400000
	heapVA = 0x10000000
)

var (
	// syscall; jmp back to it
	syscallLoop = []byte{0x0f, 0x05, 0xeb, 0xfc}
	// mov byte [rax], al; add rax, 4096; jmp back
	touchLoop = []byte{0x88, 0x00, 0x48, 0x05, 0x00, 0x10, 0x00, 0x00, 0xeb, 0xf6}
)

// Exo measures the exokernel's primitives from ring 3 and prints one line
// per figure: exo-null-trap, the round trip of a user SYSCALL to the Go
// goroutine that called Run and back; exo-null-trap-2envs, the same
// alternating between two Envs (adding the address-space switch); and
// exo-pagefault-map, a page-fault upcall that maps a fresh frame.
func Exo(w io.Writer, k *exo.Exokernel, c Clock, n int) error {
	a, ca, err := env(k, syscallLoop)
	if err != nil {
		return err
	}
	defer a.Destroy()
	b, cb, err := env(k, syscallLoop)
	if err != nil {
		return err
	}
	defer b.Destroy()
	same := sample(c, n, func(int) exo.Trap { return ca.Run() })
	alt := sample(c, n, func(i int) exo.Trap {
		if i%2 == 0 {
			return ca.Run()
		}
		return cb.Run()
	})
	report(w, c, "exo-null-trap", same)
	report(w, c, "exo-null-trap-2envs", alt)
	return faults(w, k, c, min(n, 4096))
}

// faults measures the page-fault upcall: the program touches fresh pages
// and each fault is served by allocating and mapping a frame.
func faults(w io.Writer, k *exo.Exokernel, c Clock, n int) error {
	e, ctx, err := env(k, touchLoop)
	if err != nil {
		return err
	}
	defer e.Destroy()
	ctx.Regs.RAX = heapVA
	var mapErr error
	d := sample(c, n, func(int) exo.Trap {
		t := ctx.Run()
		if t.Kind == exo.TrapPageFault {
			f, err := e.AllocFrame()
			if err == nil {
				err = e.Map(t.Addr&^(exo.PageSize-1), f, exo.PermRead|exo.PermWrite)
			}
			mapErr = err
		}
		return t
	})
	if mapErr != nil {
		return mapErr
	}
	report(w, c, "exo-pagefault-map", d)
	return nil
}

func env(k *exo.Exokernel, code []byte) (*exo.Env, *exo.Context, error) {
	e, err := k.NewEnv()
	if err != nil {
		return nil, nil, err
	}
	f, err := e.AllocFrame()
	if err == nil {
		err = e.Map(codeVA, f, exo.PermRead|exo.PermExec)
	}
	if err == nil {
		err = e.Write(codeVA, code)
	}
	if err != nil {
		e.Destroy()
		return nil, nil, err
	}
	ctx := e.NewContext()
	ctx.Regs.RIP = codeVA
	return e, ctx, nil
}

// sample times n runs of fn in TSC cycles, skipping time-slice traps
// (they measure the scheduler, not the path).
func sample(c Clock, n int, fn func(i int) exo.Trap) []uint64 {
	d := make([]uint64, 0, n)
	for i := 0; len(d) < n; i++ {
		t0 := c.TSC()
		t := fn(i)
		t1 := c.TSC()
		if t.Kind != exo.TrapTimeSlice {
			d = append(d, t1-t0)
		}
	}
	return d
}

func report(w io.Writer, c Clock, what string, d []uint64) {
	slices.Sort(d)
	med := d[len(d)/2]
	ns := func(cy uint64) float64 { return float64(cy) * 1e9 / float64(c.TSCHz()) }
	fmt.Fprintf(w, "bench: %s median %.0f ns %d cycles (p10 %.0f ns, p90 %.0f ns, n=%d)\n",
		what, ns(med), med, ns(d[len(d)/10]), ns(d[len(d)*9/10]), len(d))
}
