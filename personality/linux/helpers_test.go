package linux

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/libstarry"
)

// Addresses in the test program: one RX page of text at 0x400000 and one
// RW data page at 0x401000.
const (
	textVA = 0x400000
	entry  = 0x400100
	dataVA = 0x401000
)

// testELF is a static executable with a text and a data segment.
func testELF() []byte {
	b := make([]byte, 0x2000)
	copy(b, elf.ELFMAG)
	b[elf.EI_CLASS], b[elf.EI_DATA], b[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), 1
	le := binary.LittleEndian
	le.PutUint16(b[16:], uint16(elf.ET_EXEC))
	le.PutUint16(b[18:], uint16(elf.EM_X86_64))
	le.PutUint64(b[24:], entry)
	le.PutUint64(b[32:], 64)
	le.PutUint16(b[54:], 56)
	le.PutUint16(b[56:], 2)
	for i, seg := range []struct {
		flags    elf.ProgFlag
		off, va  uint64
		fsz, msz uint64
	}{{elf.PF_R | elf.PF_X, 0, textVA, 0x1000, 0x1000}, {elf.PF_R | elf.PF_W, 0x1000, dataVA, 0x100, 0x2000}} {
		ph := b[64+56*i:]
		le.PutUint32(ph[0:], uint32(elf.PT_LOAD))
		le.PutUint32(ph[4:], uint32(seg.flags))
		le.PutUint64(ph[8:], seg.off)
		le.PutUint64(ph[16:], seg.va)
		le.PutUint64(ph[32:], seg.fsz)
		le.PutUint64(ph[40:], seg.msz)
	}
	copy(b[0x1000:], "initialised data")
	return b
}

// step is one instruction-ish of a scripted program: it may use memory
// and must return the trap that ends it. A step that ends in a page
// fault is replayed once the fault is served, unless once is set (a
// fault the program expects to be turned into a signal).
type step struct {
	f    func(u *sim.User, r *exo.Regs) exo.Trap
	once bool
}

// script plays steps in order as the sim CPU. A step ending in a page
// fault is replayed after the fault is handled, as the CPU restarts a
// faulting instruction; past the last step the program hits #UD.
func script(steps ...step) sim.CPU {
	var mu sync.Mutex
	i := 0
	return func(u *sim.User, r *exo.Regs) exo.Trap {
		mu.Lock()
		defer mu.Unlock()
		if i >= len(steps) {
			return exo.Trap{Kind: exo.TrapException, Vector: 6}
		}
		tr := steps[i].f(u, r)
		if tr.Kind != exo.TrapPageFault || steps[i].once {
			i++
		}
		return tr
	}
}

// sys is a step that makes a system call.
func sys(nr uint64, args ...uint64) step {
	return step{f: func(u *sim.User, r *exo.Regs) exo.Trap {
		var a [6]uint64
		copy(a[:], args)
		r.RAX, r.RDI, r.RSI, r.RDX, r.R10, r.R8, r.R9 = nr, a[0], a[1], a[2], a[3], a[4], a[5]
		r.RIP += 2
		return exo.Trap{Kind: exo.TrapSyscall}
	}}
}

// do runs f as a step; without a trap of its own it ends its time slice.
func do(f func(u *sim.User, r *exo.Regs) *exo.Trap) step {
	return step{f: func(u *sim.User, r *exo.Regs) exo.Trap {
		if tr := f(u, r); tr != nil {
			return *tr
		}
		return exo.Trap{Kind: exo.TrapTimeSlice}
	}}
}

// fault is a step whose page fault is not replayed.
func fault(f func(u *sim.User, r *exo.Regs) *exo.Trap) step {
	s := do(f)
	s.once = true
	return s
}

// env is one test machine running one process.
type env struct {
	m          *sim.Machine
	p          *libstarry.Process
	fs         *libstarry.Files
	fileFrames int // frames in use once the files were unpacked
	console    *testConsole
	logs       []string
}

// run starts the test program (or prog, if given) on a fresh machine
// with cpu and returns once it has exited, checking no frame leaked.
func run(t *testing.T, cpu sim.CPU, extra ...libstarry.InitEntry) (*env, libstarry.ExitStatus) {
	t.Helper()
	e := start(t, cpu, extra...)
	st := waitFor(t, e.p)
	if n := e.m.FramesInUse(); n != e.fileFrames {
		t.Errorf("%d frames in use after exit, %d before the start (the files')", n, e.fileFrames)
	}
	return e, st
}

func start(t *testing.T, cpu sim.CPU, extra ...libstarry.InitEntry) *env {
	t.Helper()
	entries := append([]libstarry.InitEntry{libstarry.InitFile("bin/prog", testELF(), 0o755),
		libstarry.InitFile("etc/motd", []byte("hello from ramfs\n"), 0o644)}, extra...)
	e := &env{m: sim.New(4096), console: &testConsole{}}
	e.m.CPU = cpu
	ex := exo.New(e.m, time.Millisecond)
	fs, err := libstarry.NewFiles(ex, entries)
	if err != nil {
		t.Fatal(err)
	}
	k := libstarry.NewKernel()
	if _, err := fs.MountProc(k, libstarry.ProcConfig{}); err != nil {
		t.Fatal(err)
	}
	e.fs, e.fileFrames = fs, e.m.FramesInUse()
	var mu sync.Mutex
	cfg := libstarry.Config{Kernel: k, Exo: ex, FS: fs, Console: e.console,
		Log: func(s string) { mu.Lock(); e.logs = append(e.logs, s); mu.Unlock() }}
	e.p, err = Start(cfg, "/bin/prog", []string{"prog"}, []string{"PATH=/bin"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func waitFor(t *testing.T, p *libstarry.Process) libstarry.ExitStatus {
	t.Helper()
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("process did not exit")
	}
	return p.Wait()
}

// errno is the RAX value of a failed call.
func errno(e interface{ Error() string }) uint64 {
	return negErrno(errnoOf(e.(error)))
}

// expect is a step that checks the last call's result and goes on.
func expect(t *testing.T, what string, want uint64) step {
	return do(func(u *sim.User, r *exo.Regs) *exo.Trap {
		if r.RAX != want {
			t.Errorf("%s: RAX = %#x, want %#x", what, r.RAX, want)
		}
		return nil
	})
}

// poke writes b to user memory from "user code".
func poke(va uint64, b []byte) step {
	return do(func(u *sim.User, r *exo.Regs) *exo.Trap { return u.Write(uintptr(va), b) })
}

// testConsole is a console whose input is at its end from the start and
// whose output is kept. A bytes.Buffer did both at once: the console's
// input pump read back what the program wrote, racing with it.
type testConsole struct {
	mu  sync.Mutex
	out bytes.Buffer
}

func (c *testConsole) Read([]byte) (int, error) { return 0, io.EOF }

func (c *testConsole) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Write(b)
}

func (c *testConsole) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}
