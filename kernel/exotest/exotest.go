package exotest

import (
	"fmt"
	"io"

	"github.com/starry-go/starry/exo"
)

type check struct {
	name string
	fn   func(k *exo.Exokernel) (string, error)
}

var checks = []check{
	{"syscall", checkSyscall},
	{"fpu", checkFPU},
	{"privileged", checkPrivileged},
	{"int3", checkInt3},
	{"kernelmem", checkKernelMemory},
	{"wildptr", checkWildPointer},
	{"nx", checkNX},
	{"noncanonical", checkNonCanonical},
	{"slice", checkSlice},
	{"zeroed", checkZeroed},
	{"revoke", checkRevoke},
	{"protect", checkProtect},
	{"chaos", checkChaos},
}

// Run runs every check, one line each, then "exo: PASS" or "exo: FAIL".
// avx says the machine saves AVX state, so the AVX check must pass too.
func Run(w io.Writer, k *exo.Exokernel, avx bool) bool {
	failed := 0
	list := checks
	if avx {
		list = append(list[:len(list):len(list)], check{"avx", checkAVX})
	}
	for _, c := range list {
		detail, err := c.fn(k)
		if err != nil {
			failed++
			fmt.Fprintf(w, "exo: %s: FAIL: %v\n", c.name, err)
			continue
		}
		fmt.Fprintf(w, "exo: %s: ok (%s)\n", c.name, detail)
	}
	if failed > 0 {
		fmt.Fprintf(w, "exo: FAIL (%d of %d checks failed)\n", failed, len(list))
		return false
	}
	fmt.Fprintln(w, "exo: PASS")
	return true
}

// load makes an Env running program name: code at codeVA (read+exec),
// one data page at dataVA (read+write) whose top is the stack.
func load(k *exo.Exokernel, name string) (*exo.Env, *exo.Context, error) {
	e, err := k.NewEnv()
	if err != nil {
		return nil, nil, err
	}
	for _, m := range []struct {
		va   uintptr
		perm exo.Perm
		code []byte
	}{{codeVA, exo.PermRead | exo.PermExec, programs[name]}, {dataVA, exo.PermRead | exo.PermWrite, nil}} {
		f, err := e.AllocFrame()
		if err != nil {
			e.Destroy()
			return nil, nil, err
		}
		if err := e.Map(m.va, f, m.perm); err != nil {
			e.Destroy()
			return nil, nil, err
		}
		if err := e.Write(m.va, m.code); err != nil {
			e.Destroy()
			return nil, nil, err
		}
	}
	c := e.NewContext()
	c.Regs.RIP, c.Regs.RSP = codeVA, dataVA+exo.PageSize
	return e, c, nil
}

// expect runs c until a trap other than the end of a time slice (a slice
// may end before the first instruction, e.g. when the host deschedules
// the virtual CPU), then checks the trap's kind and vector.
func expect(c *exo.Context, kind exo.TrapKind, vector int) (exo.Trap, error) {
	t := c.Run()
	for i := 0; i < 100 && kind != exo.TrapTimeSlice && t.Kind == exo.TrapTimeSlice; i++ {
		t = c.Run()
	}
	if t.Kind != kind || (kind == exo.TrapException && t.Vector != vector) {
		return t, fmt.Errorf("trap %+v, want kind %d vector %d (rip %#x)", t, kind, vector, c.Regs.RIP)
	}
	return t, nil
}

func checkSyscall(k *exo.Exokernel) (string, error) {
	e, c, err := load(k, "syscall")
	if err != nil {
		return "", err
	}
	defer e.Destroy()
	r := &c.Regs
	r.RBX, r.RBP, r.R8, r.R12, r.R15, r.FSBase, r.GSBase = 0xb, 0xbb, 0x8, 0x1212, 0x1515, 0x7f0000001000, 0x7f0000002000
	if _, err := expect(c, exo.TrapSyscall, 0); err != nil {
		return "", err
	}
	nr, _ := r.Syscall()
	if nr != 39 || r.RIP != codeVA+7 || r.RCX != r.RIP {
		return "", fmt.Errorf("nr %d rip %#x rcx %#x", nr, r.RIP, r.RCX)
	}
	if r.RBX != 0xb || r.RBP != 0xbb || r.R8 != 0x8 || r.R12 != 0x1212 || r.R15 != 0x1515 ||
		r.FSBase != 0x7f0000001000 || r.GSBase != 0x7f0000002000 {
		return "", fmt.Errorf("registers changed across the trap: %+v", *r)
	}
	r.RAX = 1234 // the "result"; the program then spins until its slice ends
	if _, err := expect(c, exo.TrapTimeSlice, 0); err != nil {
		return "", err
	}
	if r.RAX != 1234 || r.RIP != codeVA+7 {
		return "", fmt.Errorf("after the slice: rax %d rip %#x", r.RAX, r.RIP)
	}
	return "getpid trapped with registers, FS and GS base intact", nil
}
