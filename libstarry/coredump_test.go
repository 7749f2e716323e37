package libstarry

import (
	"testing"

	"github.com/starry-go/starry/libstarry/fd"
)

func TestCoreStatus(t *testing.T) {
	if s := (ExitStatus{Signal: sigabrt, Core: true}); s.waitStatus() != 0x86 || s.killedCode() != CLD_DUMPED || s.ShellStatus() != 134 {
		t.Errorf("dumped: status %#x, code %d, shell %d", s.waitStatus(), s.killedCode(), s.ShellStatus())
	}
	if s := (ExitStatus{Signal: sigabrt}); s.waitStatus() != 6 || s.killedCode() != CLD_KILLED {
		t.Errorf("killed: status %#x, code %d", s.waitStatus(), s.killedCode())
	}
	for sig, want := range map[int]bool{sigabrt: true, SIGSEGV: true, SIGKILL: false, 15: false, SIGCHLD: false, 0: false, 65: false} {
		if coreSignal(sig) != want {
			t.Errorf("coreSignal(%d) = %v", sig, !want)
		}
	}
}

// sigabrt is SIGABRT.
const sigabrt = 6

// sink is a file that records where its bytes went.
type sink struct{ b []byte }

func (s *sink) WriteAt(_ fd.Ctx, b []byte, off int64) (int, error) {
	if need := int(off) + len(b); need > len(s.b) {
		s.b = append(s.b, make([]byte, need-len(s.b))...)
	}
	return copy(s.b[off:], b), nil
}

// TestCoreWriterLimit checks dump_emit's accounting: only written bytes
// count against the limit, the first write past it ends the dump, and a
// trailing hole gets its last byte so the size covers it.
func TestCoreWriterLimit(t *testing.T) {
	s := &sink{}
	c := &coreWriter{w: s, limit: 10}
	c.emit([]byte("abcd"))
	c.skip(100)
	if !c.emit([]byte("efgh")) || c.emit([]byte("ijk")) || c.emit([]byte("l")) {
		t.Error("the limit did not end the dump at the first write past it")
	}
	if len(s.b) != 108 || string(s.b[104:]) != "efgh" {
		t.Errorf("file %d bytes, tail %q", len(s.b), s.b[max(len(s.b)-4, 0):])
	}
	s = &sink{}
	c = &coreWriter{w: s, limit: 100}
	c.write(coreImage{head: [][]byte{[]byte("head")}, dataOff: 64})
	if len(s.b) != 64 {
		t.Errorf("a dump ending in a hole is %d bytes, want 64", len(s.b))
	}
}
