package exotest

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/starry-go/starry/exo"
)

// xmm0 is where XMM0 lives in an FXSAVE image.
const xmm0 = 160

func checkFPU(k *exo.Exokernel) (string, error) {
	e, c, err := load(k, "fpu")
	if err != nil {
		return "", err
	}
	defer e.Destroy()
	le := binary.LittleEndian
	le.PutUint64(c.Regs.FX[xmm0:], 21)
	le.PutUint64(c.Regs.FX[xmm0+8:], 1)
	c.Regs.FPChanged()
	if _, err := expect(c, exo.TrapSyscall, 0); err != nil {
		return "", err
	}
	lo, hi := le.Uint64(c.Regs.FX[xmm0:]), le.Uint64(c.Regs.FX[xmm0+8:])
	if lo != 42 || hi != 2 {
		return "", fmt.Errorf("xmm0 = %d:%d after paddq, want 42:2", hi, lo)
	}
	return "xmm0 loaded, doubled in ring 3, saved", nil
}

func checkPrivileged(k *exo.Exokernel) (string, error) {
	for _, name := range []string{"hlt", "cli", "in", "out", "wrmsr", "cr3", "lgdt"} {
		e, c, err := load(k, name)
		if err != nil {
			return "", err
		}
		c.Regs.RAX = dataVA
		_, err = expect(c, exo.TrapException, 13)
		e.Destroy()
		if err != nil {
			return "", fmt.Errorf("%s: %v", name, err)
		}
	}
	return "hlt, cli, in, out, wrmsr, mov cr3, lgdt each raised #GP", nil
}

func checkInt3(k *exo.Exokernel) (string, error) {
	e, c, err := load(k, "int3")
	if err != nil {
		return "", err
	}
	defer e.Destroy()
	if _, err := expect(c, exo.TrapException, 3); err != nil {
		return "", err
	}
	return "#BP", nil
}

// fault runs program name and checks the page fault it must raise.
func fault(k *exo.Exokernel, name string, rip, rax uint64, addr uintptr, access exo.Perm, present bool) error {
	e, c, err := load(k, name)
	if err != nil {
		return err
	}
	defer e.Destroy()
	if rip != 0 {
		c.Regs.RIP = rip
	}
	c.Regs.RAX = rax
	t, err := expect(c, exo.TrapPageFault, 0)
	if err != nil {
		return err
	}
	if t.Addr != addr || t.Access != access || t.Present != present {
		return fmt.Errorf("%s: fault %+v, want addr %#x access %d present %v", name, t, addr, access, present)
	}
	return nil
}

func checkKernelMemory(k *exo.Exokernel) (string, error) {
	if err := fault(k, "kread", 0, 0, kernelVA, exo.PermRead, true); err != nil {
		return "", err
	}
	if err := fault(k, "kwrite", 0, 0, kernelVA, exo.PermWrite, true); err != nil {
		return "", err
	}
	return "reading and writing kernel text fault as protection faults", nil
}

func checkWildPointer(k *exo.Exokernel) (string, error) {
	return "write to an unmapped page faults not-present", fault(k, "wildwrite", 0, 0x50000000, 0x50000000, exo.PermWrite, false)
}

func checkNX(k *exo.Exokernel) (string, error) {
	return "jumping into the data page faults on execute", fault(k, "spin", dataVA, 0, dataVA, exo.PermExec, true)
}

func checkNonCanonical(k *exo.Exokernel) (string, error) {
	e, c, err := load(k, "spin")
	if err != nil {
		return "", err
	}
	defer e.Destroy()
	c.Regs.RIP = 1 << 47
	if _, err := expect(c, exo.TrapException, 13); err != nil {
		return "", err
	}
	return "a kernel-half RIP is refused with #GP", nil
}

// checkSlice spins in ring 3 for 200 ms of wall time while a kernel
// goroutine's ticker must keep firing.
func checkSlice(k *exo.Exokernel) (string, error) {
	e, c, err := load(k, "spin")
	if err != nil {
		return "", err
	}
	defer e.Destroy()
	ticks := make(chan int)
	stop := make(chan struct{})
	go func() {
		n := 0
		tk := time.NewTicker(5 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-tk.C:
				n++
			case <-stop:
				ticks <- n
				return
			}
		}
	}()
	slices := 0
	for start := time.Now(); time.Since(start) < 200*time.Millisecond; slices++ {
		if _, err := expect(c, exo.TrapTimeSlice, 0); err != nil {
			close(stop)
			<-ticks
			return "", err
		}
	}
	close(stop)
	n := <-ticks
	if n < 10 || slices < 2 {
		return "", fmt.Errorf("%d slices, kernel ticker fired %d times in 200ms", slices, n)
	}
	return fmt.Sprintf("%d slices of %v, kernel ticker fired %d times, env CPU %v", slices, k.Slice(), n, e.CPUTime().Round(time.Millisecond)), nil
}

// checkAVX runs vpaddq on YMM0 in ring 3: both halves must be loaded from
// the Context and saved back, so the XSAVE path carries AVX state.
func checkAVX(k *exo.Exokernel) (string, error) {
	e, c, err := load(k, "avx")
	if err != nil {
		return "", err
	}
	defer e.Destroy()
	le := binary.LittleEndian
	le.PutUint64(c.Regs.FX[xmm0:], 5)
	le.PutUint64(c.Regs.YMMHi[8:], 7) // YMM0 bits 192..255
	c.Regs.FPChanged()
	if _, err := expect(c, exo.TrapSyscall, 0); err != nil {
		return "", err
	}
	if lo, hi := le.Uint64(c.Regs.FX[xmm0:]), le.Uint64(c.Regs.YMMHi[8:]); lo != 10 || hi != 14 {
		return "", fmt.Errorf("ymm0 lanes %d, %d after vpaddq, want 10, 14", lo, hi)
	}
	return "ymm0 upper half loaded, doubled in ring 3, saved (XSAVE)", nil
}
