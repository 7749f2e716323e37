package linux

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

// scratch is a free spot in the data segment's bss.
const scratch = dataVA + 0x800

func TestWriteExitGroup(t *testing.T) {
	msg := []byte("hello, starry\n")
	e, st := run(t, script(
		poke(scratch, msg),
		sys(abi.SYS_WRITE, 1, scratch, uint64(len(msg))),
		expect(t, "write", uint64(len(msg))),
		sys(abi.SYS_EXIT_GROUP, 3),
	))
	if st.Code != 3 || st.Signal != 0 || st.ShellStatus() != 3 {
		t.Errorf("status %+v", st)
	}
	if e.console.String() != string(msg) {
		t.Errorf("console = %q", e.console.String())
	}
}

func TestEFAULTAndENOSYS(t *testing.T) {
	e, st := run(t, script(
		sys(abi.SYS_WRITE, 1, 0x10, 5),
		expect(t, "write from page zero", errno(abi.EFAULT)),
		sys(abi.SYS_WRITE, 1, textVA+0x10000, 5),
		expect(t, "write from unmapped", errno(abi.EFAULT)),
		sys(abi.SYS_FSTAT, 1, textVA), // a struct stat into read-only text
		expect(t, "fstat into text", errno(abi.EFAULT)),
		sys(999),
		expect(t, "unknown syscall", errno(abi.ENOSYS)),
		sys(999),
		sys(1000),
		sys(abi.SYS_ACCT), // in Linux's table, not in this kernel's
		expect(t, "acct", errno(abi.ENOSYS)),
		sys(abi.SYS_ACCT),
		sys(abi.SYS_RSEQ),
		expect(t, "rseq", errno(abi.ENOSYS)),
		sys(abi.SYS_CLOSE, 42),
		expect(t, "close of a bad fd", errno(abi.EBADF)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %+v", st)
	}
	// One line per name, one for numbers Linux lacks (naming the first).
	if len(e.logs) != 2 || !strings.Contains(e.logs[0], "999") || !strings.Contains(e.logs[1], "acct (163)") {
		t.Errorf("logs = %q, want one line about 999 and one naming acct", e.logs)
	}
}

func TestBrkGrowWriteShrink(t *testing.T) {
	var cur uint64
	heapStart := uint64(dataVA + 0x2000)
	_, st := run(t, script(
		sys(abi.SYS_BRK, 0),
		expect(t, "brk(0)", heapStart),
		sys(abi.SYS_BRK, heapStart+0x5001),
		expect(t, "brk grow", heapStart+0x5001),
		poke(heapStart+0x5000, []byte("heap!")),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap {
			b := make([]byte, 5)
			if tr := u.Read(uintptr(heapStart+0x5000), b); tr != nil {
				return tr
			}
			if string(b) != "heap!" {
				t.Errorf("heap reads %q", b)
			}
			cur = heapStart
			return nil
		}),
		sys(abi.SYS_BRK, heapStart+0x1000),
		expect(t, "brk shrink", heapStart+0x1000),
		sys(abi.SYS_BRK, 0x1000), // below the heap: refused, answers current
		expect(t, "brk below start", heapStart+0x1000),
		// The shrunk part is gone: touching it is SIGSEGV.
		do(func(u *sim.User, r *exo.Regs) *exo.Trap { return u.Read(uintptr(cur+0x5000), make([]byte, 1)) }),
	))
	if st.Signal != libstarry.SIGSEGV || st.ShellStatus() != 139 {
		t.Errorf("status %+v, want SIGSEGV", st)
	}
}

func TestFaultsBecomeSignals(t *testing.T) {
	cases := []struct {
		name  string
		trap  step
		shell int
	}{
		{"unmapped read", do(func(u *sim.User, r *exo.Regs) *exo.Trap { return u.Read(0x10, make([]byte, 1)) }), 139},
		{"write to text", poke(textVA, []byte{0}), 139},
		{"execute data", do(func(u *sim.User, r *exo.Regs) *exo.Trap { return u.Fetch(dataVA) }), 139},
		{"kernel address", do(func(u *sim.User, r *exo.Regs) *exo.Trap { return u.Read(1<<63, make([]byte, 1)) }), 139},
		{"#GP", exception(13), 139},
		{"#UD", exception(6), 132},
		{"#DE", exception(0), 136},
		{"#BP", exception(3), 133},
		{"#AC", exception(17), 135},
		{"#XM", exception(19), 136},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, st := run(t, script(c.trap))
			if st.ShellStatus() != c.shell {
				t.Errorf("status %+v (shell %d), want shell %d", st, st.ShellStatus(), c.shell)
			}
		})
	}
}

func exception(v int) step {
	return step{f: func(u *sim.User, r *exo.Regs) exo.Trap { return exo.Trap{Kind: exo.TrapException, Vector: v} }}
}

// TestSignalHandler installs a SIGSEGV handler, faults, and checks the
// rt_sigframe the handler sees; the handler redirects the saved RIP and
// returns through rt_sigreturn.
func TestSignalHandler(t *testing.T) {
	const handler, restorer, resume = textVA + 0x200, textVA + 0x300, textVA + 0x400
	act := make([]byte, 32)
	binary.LittleEndian.PutUint64(act[0:], handler)
	binary.LittleEndian.PutUint64(act[8:], libstarry.SA_SIGINFO|libstarry.SA_RESTORER)
	binary.LittleEndian.PutUint64(act[16:], restorer)
	var faultSP uint64
	_, st := run(t, script(
		poke(scratch, act),
		sys(abi.SYS_RT_SIGACTION, uint64(abi.SIGSEGV), scratch, 0, 8),
		expect(t, "rt_sigaction", 0),
		fault(func(u *sim.User, r *exo.Regs) *exo.Trap {
			faultSP, r.RBX = r.RSP, 0xB0B
			return u.Read(0xdead0, make([]byte, 1))
		}),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap {
			var b [8]byte
			ret := u.Read(uintptr(r.RSP), b[:])
			if r.RIP != handler || r.RDI != uint64(abi.SIGSEGV) || r.RSP%16 != 8 || ret != nil ||
				binary.LittleEndian.Uint64(b[:]) != restorer || r.RSP >= faultSP-128 {
				t.Errorf("handler entry: rip %#x rdi %d rsp %#x (fault sp %#x) pretcode %x", r.RIP, r.RDI, r.RSP, faultSP, b)
			}
			info := make([]byte, 24)
			_ = u.Read(uintptr(r.RSI), info)
			if binary.LittleEndian.Uint32(info[0:]) != uint32(abi.SIGSEGV) || binary.LittleEndian.Uint32(info[8:]) != libstarry.SEGV_MAPERR ||
				binary.LittleEndian.Uint64(info[16:]) != 0xdead0 {
				t.Errorf("siginfo %x", info)
			}
			binary.LittleEndian.PutUint64(b[:], resume)
			if tr := u.Write(uintptr(r.RDX+40+128), b[:]); tr != nil { // uc_mcontext.rip
				return tr
			}
			r.RSP += 8 // the handler's ret pops pretcode into RIP
			r.RBX = 0
			return nil
		}),
		sys(abi.SYS_RT_SIGRETURN),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap {
			if r.RIP != resume || r.RSP != faultSP || r.RBX != 0xB0B {
				t.Errorf("after sigreturn: rip %#x rsp %#x rbx %#x", r.RIP, r.RSP, r.RBX)
			}
			return nil
		}),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %+v", st)
	}
}

func TestKillFromKernel(t *testing.T) {
	spin := func(u *sim.User, r *exo.Regs) exo.Trap { return exo.Trap{Kind: exo.TrapTimeSlice} }
	e := start(t, spin)
	e.p.Kill(int(abi.SIGTERM))
	if st := waitFor(t, e.p); st.ShellStatus() != 143 {
		t.Errorf("status %+v", st)
	}
	if n := e.m.FramesInUse(); n != e.fileFrames {
		t.Errorf("%d frames in use, %d of them the files'", n, e.fileFrames)
	}
}
