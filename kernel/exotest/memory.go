package exotest

import (
	"bytes"
	"fmt"
	"time"

	"github.com/starry-go/starry/exo"
)

// checkZeroed dirties frames in one Env, frees them, and requires the
// next Env to see the same frames zeroed.
func checkZeroed(k *exo.Exokernel) (string, error) {
	const n = 64
	a, err := k.NewEnv()
	if err != nil {
		return "", err
	}
	used := map[exo.Frame]bool{}
	for i := 0; i < n; i++ {
		f, err := a.AllocFrame()
		if err != nil {
			return "", err
		}
		va := uintptr(0x10000000 + i*exo.PageSize)
		a.Map(va, f, exo.PermRead|exo.PermWrite)
		a.Write(va, bytes.Repeat([]byte{0x5A}, exo.PageSize))
		used[f] = true
	}
	a.Destroy()
	b, err := k.NewEnv()
	if err != nil {
		return "", err
	}
	defer b.Destroy()
	reused := 0
	buf := make([]byte, exo.PageSize)
	for i := 0; i < n; i++ {
		f, err := b.AllocFrame()
		if err != nil {
			return "", err
		}
		if used[f] {
			reused++
		}
		va := uintptr(0x20000000 + i*exo.PageSize)
		b.Map(va, f, exo.PermRead)
		b.Read(va, buf)
		if !bytes.Equal(buf, make([]byte, exo.PageSize)) {
			return "", fmt.Errorf("frame %#x came back dirty", f)
		}
	}
	if reused == 0 {
		return "", fmt.Errorf("no frame was reused, so nothing was shown")
	}
	return fmt.Sprintf("%d of %d frames reused, all zero", reused, n), nil
}

// checkRevoke takes frames from an Env that ignores the request and
// requires its next touch of them to fault.
func checkRevoke(k *exo.Exokernel) (string, error) {
	e, c, err := load(k, "wildwrite")
	if err != nil {
		return "", err
	}
	defer e.Destroy()
	lost := k.Revoke(e, 1, 5*time.Millisecond)
	if len(lost) != 1 || len(lost[0].VAs) != 1 {
		return "", fmt.Errorf("lost %+v", lost)
	}
	va := lost[0].VAs[0]
	if va != codeVA && va != dataVA {
		return "", fmt.Errorf("lost an unexpected page %#x", va)
	}
	c.Regs.RIP, c.Regs.RAX = codeVA, dataVA
	t, err := expect(c, exo.TrapPageFault, 0)
	if err != nil || t.Present || t.Addr != va {
		return "", fmt.Errorf("after revocation: %+v", t)
	}
	return fmt.Sprintf("frame at %#x taken after the deadline; next touch faults", va), nil
}

// checkProtect writes a page, makes it read-only, and requires the next
// write to fault (the stale writable TLB entry must be gone), then makes
// it writable again and requires the write to succeed.
func checkProtect(k *exo.Exokernel) (string, error) {
	e, c, err := load(k, "store")
	if err != nil {
		return "", err
	}
	defer e.Destroy()
	store := func() exo.Trap {
		c.Regs.RIP, c.Regs.RAX = codeVA, dataVA
		t := c.Run()
		for i := 0; i < 100 && t.Kind == exo.TrapTimeSlice; i++ {
			t = c.Run()
		}
		return t
	}
	if t := store(); t.Kind != exo.TrapSyscall {
		return "", fmt.Errorf("store to a writable page: %+v", t)
	}
	if err := e.Protect(dataVA, exo.PermRead); err != nil {
		return "", err
	}
	if t := store(); t.Kind != exo.TrapPageFault || !t.Present || t.Access != exo.PermWrite {
		return "", fmt.Errorf("store after Protect(read): %+v", t)
	}
	if err := e.Protect(dataVA, exo.PermRead|exo.PermWrite); err != nil {
		return "", err
	}
	if t := store(); t.Kind != exo.TrapSyscall {
		return "", fmt.Errorf("store after Protect(read|write): %+v", t)
	}
	return "write, read-only fault, write again: the TLB follows Protect", nil
}
