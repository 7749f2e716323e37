package exotest

import (
	"fmt"
	"math/rand/v2"

	"github.com/starry-go/starry/exo"
)

// checkChaos runs random machine code with random registers, flags, FS
// and GS bases and FPU images: whatever ring 3 does, every Run must come
// back as a trap, and every frame must come back when the Envs go.
func checkChaos(k *exo.Exokernel) (string, error) {
	const programs, traps = 300, 4
	before := k.FramesInUse()
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := map[exo.TrapKind]int{}
	for i := 0; i < programs; i++ {
		e, c, err := load(k, "spin")
		if err != nil {
			return "", err
		}
		code := make([]byte, 64)
		for j := range code {
			code[j] = byte(rng.Uint32())
		}
		if err := e.Write(codeVA, code); err != nil {
			e.Destroy()
			return "", err
		}
		scramble(&c.Regs, rng)
		for j := 0; j < traps; j++ {
			t := c.Run()
			kinds[t.Kind]++
			if t.Kind < exo.TrapSyscall || t.Kind > exo.TrapTimeSlice {
				e.Destroy()
				return "", fmt.Errorf("program %d: unknown trap %+v", i, t)
			}
			if t.Kind == exo.TrapSyscall {
				c.Regs.RAX = rng.Uint64() // any "result"; keep going
			}
		}
		e.Destroy()
	}
	if after := k.FramesInUse(); after != before {
		return "", fmt.Errorf("%d frames in use after the Envs were destroyed, %d before", after, before)
	}
	return fmt.Sprintf("%d random programs: %d syscalls, %d page faults, %d exceptions, %d slices; no frame leaked",
		programs, kinds[exo.TrapSyscall], kinds[exo.TrapPageFault], kinds[exo.TrapException], kinds[exo.TrapTimeSlice]), nil
}

// scramble fills every register the Context carries with random bits,
// including ones the kernel must refuse or sanitize (non-canonical bases,
// IOPL and IF in RFLAGS, reserved MXCSR bits).
func scramble(r *exo.Regs, rng *rand.Rand) {
	for _, p := range []*uint64{&r.RAX, &r.RBX, &r.RCX, &r.RDX, &r.RSI, &r.RDI, &r.RBP, &r.RSP,
		&r.R8, &r.R9, &r.R10, &r.R11, &r.R12, &r.R13, &r.R14, &r.R15, &r.RFLAGS} {
		*p = rng.Uint64()
	}
	if rng.IntN(4) == 0 {
		r.FSBase, r.GSBase = rng.Uint64(), rng.Uint64()
	}
	if rng.IntN(2) == 0 {
		r.RSP = dataVA + exo.PageSize
	}
	for i := range r.FX {
		r.FX[i] = byte(rng.Uint32())
	}
	for i := range r.YMMHi {
		r.YMMHi[i] = byte(rng.Uint32())
	}
	r.FPChanged()
}
