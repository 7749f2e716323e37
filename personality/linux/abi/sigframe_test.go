package abi

import (
	"encoding/binary"
	"testing"
)

// TestUcontextLayout checks the encoding against offsets glibc's
// <sys/ucontext.h> gives C programs: gregs[REG_RIP] (16) at 168,
// gregs[REG_EFL] at 176, REG_ERR at 192, REG_TRAPNO at 200, REG_CR2 at
// 216, fpregs at 224, uc_sigmask at 296; and that Get reads back Put.
func TestUcontextLayout(t *testing.T) {
	var u Ucontext
	for i := range u.Mcontext.Gregs {
		u.Mcontext.Gregs[i] = uint64(0x100 + i)
	}
	u.Stack = StackT{SP: 0x7000, Flags: 2, Size: 0x2000}
	u.Mcontext.CS, u.Mcontext.SS = 0x33, 0x2b
	u.Mcontext.Err, u.Mcontext.Trapno, u.Mcontext.Oldmask, u.Mcontext.CR2, u.Mcontext.FPState = 4, 14, 5, 0xdead, 0xf000
	u.Sigmask = 1 << 9
	b := make([]byte, UcontextSize)
	u.Put(b)
	le := binary.LittleEndian
	for off, want := range map[int]uint64{16: 0x7000, 24: 2, 32: 0x2000, 40: 0x100, 168: 0x110, 176: 0x111,
		192: 4, 200: 14, 208: 5, 216: 0xdead, 224: 0xf000, 296: 1 << 9} {
		if got := le.Uint64(b[off:]); got != want {
			t.Errorf("offset %d: %#x, want %#x", off, got, want)
		}
	}
	if cs, ss := le.Uint16(b[184:]), le.Uint16(b[190:]); cs != 0x33 || ss != 0x2b {
		t.Errorf("cs %#x ss %#x", cs, ss)
	}
	var back Ucontext
	back.Get(b)
	if back != u {
		t.Errorf("Get after Put: %+v, want %+v", back, u)
	}
	if FrameSize != 440 || FrameSiginfo != 312 {
		t.Errorf("rt_sigframe: size %d, siginfo at %d; want 440 and 312", FrameSize, FrameSiginfo)
	}
}

// TestSiginfoLayout: si_pid at 16, si_uid at 20, si_status at 24, si_addr
// at 16, as in <bits/types/siginfo_t.h>.
func TestSiginfoLayout(t *testing.T) {
	b := make([]byte, SiginfoSize)
	le := binary.LittleEndian
	info := Siginfo{Signo: 17, Code: 1, Pid: 42, UID: 7, Status: 3, Addr: 0x1234}
	info.Put(b, SiginfoChild)
	if le.Uint32(b) != 17 || le.Uint32(b[8:]) != 1 || le.Uint32(b[16:]) != 42 || le.Uint32(b[20:]) != 7 || le.Uint32(b[24:]) != 3 {
		t.Errorf("SIGCHLD siginfo: %x", b[:32])
	}
	info.Put(b, SiginfoFault)
	if le.Uint64(b[16:]) != 0x1234 || le.Uint32(b[24:]) != 0 {
		t.Errorf("fault siginfo: %x", b[:32])
	}
}
