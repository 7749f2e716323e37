package exo_test

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
)

func newEnv(t *testing.T, m *sim.Machine) (*exo.Exokernel, *exo.Env) {
	t.Helper()
	k := exo.New(m, 10*time.Millisecond)
	e, err := k.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	return k, e
}

func TestMapChecksTheBinding(t *testing.T) {
	m := sim.New(64)
	k, a := newEnv(t, m)
	b, _ := k.NewEnv()
	f, err := a.AllocFrame()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  *exo.Env
		va   uintptr
		p    exo.Perm
		want error
	}{
		{"owner maps", a, 0x400000, exo.PermRead | exo.PermWrite, nil},
		{"other env without grant", b, 0x400000, exo.PermRead, exo.ErrNotOwner},
		{"kernel half", a, 0xffff800000200000, exo.PermRead, exo.ErrBadAddress},
		{"just past user half", a, exo.UserTop, exo.PermRead, exo.ErrBadAddress},
		{"page zero", a, 0, exo.PermRead, exo.ErrBadAddress},
		{"unaligned", a, 0x400010, exo.PermRead, exo.ErrBadAddress},
		{"no permission", a, 0x401000, 0, exo.ErrBadPerm},
		{"unknown bits", a, 0x401000, 0x80, exo.ErrBadPerm},
	}
	for _, c := range cases {
		if err := c.env.Map(c.va, f, c.p); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	if err := a.Share(f, b); err != nil {
		t.Fatal(err)
	}
	if err := b.Map(0x400000, f, exo.PermRead); err != nil {
		t.Errorf("granted env cannot map: %v", err)
	}
	if err := b.Share(exo.Frame(0x999000), a); !errors.Is(err, exo.ErrNotOwner) {
		t.Errorf("sharing a frame never held: %v", err)
	}
}

func TestFramesAreZeroedAndCounted(t *testing.T) {
	m := sim.New(8)
	k, a := newEnv(t, m)
	f, _ := a.AllocFrame()
	a.Map(0x10000, f, exo.PermRead|exo.PermWrite)
	a.Write(0x10000, bytes.Repeat([]byte{0x5A}, exo.PageSize))
	if err := a.FreeFrame(f); !errors.Is(err, exo.ErrMapped) {
		t.Fatalf("freeing a mapped frame: %v", err)
	}
	a.Unmap(0x10000)
	if err := a.FreeFrame(f); err != nil {
		t.Fatal(err)
	}
	if k.FramesInUse() != 0 || m.FramesInUse() != 0 {
		t.Fatalf("frames in use after free: exo %d, machine %d", k.FramesInUse(), m.FramesInUse())
	}
	_, b := newEnv(t, m)
	g, _ := b.AllocFrame()
	b.Map(0x20000, g, exo.PermRead)
	got := make([]byte, exo.PageSize)
	b.Read(0x20000, got)
	if !bytes.Equal(got, make([]byte, exo.PageSize)) {
		t.Fatal("a reused frame was not zeroed")
	}
	for i := 0; i < 7; i++ {
		b.AllocFrame()
	}
	if _, err := b.AllocFrame(); !errors.Is(err, exo.ErrNoMemory) {
		t.Errorf("allocating past the machine: %v", err)
	}
}

func TestShareKeepsFrameUntilLastReference(t *testing.T) {
	m := sim.New(8)
	k, a := newEnv(t, m)
	b, _ := k.NewEnv()
	f, _ := a.AllocFrame()
	a.Share(f, b)
	if k.Refs(f) != 2 {
		t.Fatalf("refs %d after share", k.Refs(f))
	}
	a.Destroy()
	if k.Refs(f) != 1 || m.FramesInUse() != 1 {
		t.Fatalf("owner's destroy freed a shared frame: refs %d", k.Refs(f))
	}
	b.Destroy()
	if m.FramesInUse() != 0 {
		t.Fatal("frame leaked after the last reference went")
	}
	if _, err := a.AllocFrame(); !errors.Is(err, exo.ErrDestroyed) {
		t.Errorf("destroyed env allocates: %v", err)
	}
}

func TestReadWriteFault(t *testing.T) {
	m := sim.New(8)
	_, a := newEnv(t, m)
	f, _ := a.AllocFrame()
	a.Map(0x30000, f, exo.PermRead)
	if err := a.Write(0x30ffe, []byte("hello")); !errors.Is(err, exo.ErrFault) {
		t.Errorf("write running off the mapping: %v", err)
	}
	if err := a.Read(0xffff800000000000, make([]byte, 8)); !errors.Is(err, exo.ErrFault) {
		t.Errorf("read of a kernel address: %v", err)
	}
	buf := make([]byte, 2)
	if err := a.Read(0x30ffe, buf); err != nil || string(buf) != "he" {
		t.Errorf("read back %q, %v", buf, err)
	}
}

func TestUnmapProtectAndLookup(t *testing.T) {
	m := sim.New(8)
	_, a := newEnv(t, m)
	f, _ := a.AllocFrame()
	a.Map(0x40000, f, exo.PermRead|exo.PermWrite)
	if err := a.Protect(0x40000, exo.PermRead); err != nil {
		t.Fatal(err)
	}
	if g, p, ok := a.Lookup(0x40123); !ok || g != f || p != exo.PermRead {
		t.Errorf("lookup: %v %v %v", g, p, ok)
	}
	if err := a.Unmap(0x40000); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := a.Lookup(0x40000); ok {
		t.Error("still mapped after Unmap")
	}
	if err := a.Unmap(0x40000); !errors.Is(err, exo.ErrNotMapped) {
		t.Errorf("double unmap: %v", err)
	}
}

func TestRunAccountsTimeAndReturnsTraps(t *testing.T) {
	m := sim.New(8)
	_, a := newEnv(t, m)
	f, _ := a.AllocFrame()
	a.Map(0x1000, f, exo.PermRead|exo.PermExec)
	m.CPU = func(u *sim.User, r *exo.Regs) exo.Trap {
		time.Sleep(2 * time.Millisecond)
		if tr := u.Write(0x1000, []byte{1}); tr != nil {
			return *tr // read-only page: a protection fault
		}
		return exo.Trap{Kind: exo.TrapSyscall}
	}
	c := a.NewContext()
	tr := c.Run()
	if tr.Kind != exo.TrapPageFault || !tr.Present || tr.Access != exo.PermWrite || tr.Addr != 0x1000 {
		t.Errorf("trap %+v", tr)
	}
	if a.CPUTime() < 2*time.Millisecond {
		t.Errorf("CPU time %v not accounted", a.CPUTime())
	}
}

func TestRevocation(t *testing.T) {
	m := sim.New(16)
	k, a := newEnv(t, m)
	var frames []exo.Frame
	for i := 0; i < 4; i++ {
		f, _ := a.AllocFrame()
		a.Map(uintptr(0x10000+i*exo.PageSize), f, exo.PermRead)
		frames = append(frames, f)
	}
	// A cooperative Env gives one frame back within the grace period.
	go func() {
		req := <-a.Revocations()
		a.Unmap(0x10000)
		a.FreeFrame(frames[0])
		<-req.Done
	}()
	if lost := k.Revoke(a, 1, 50*time.Millisecond); len(lost) != 0 {
		t.Errorf("cooperative env lost %v", lost)
	}
	// An Env that ignores the request loses frames by force, and is told.
	lost := k.Revoke(a, 2, 10*time.Millisecond)
	if len(lost) != 2 || len(a.Lost()) != 2 {
		t.Fatalf("lost %v", lost)
	}
	for _, l := range lost {
		if len(l.VAs) != 1 {
			t.Errorf("frame %#x: VAs %v", l.Frame, l.VAs)
		}
		if _, _, ok := a.Lookup(l.VAs[0]); ok {
			t.Errorf("%#x still mapped after revocation", l.VAs[0])
		}
	}
	if m.FramesInUse() != 1 {
		t.Errorf("%d frames in use, want 1", m.FramesInUse())
	}
}

func TestWriteFrameBeforeMapping(t *testing.T) {
	m := sim.New(8)
	k, a := newEnv(t, m)
	b, _ := k.NewEnv()
	f, _ := a.AllocFrame()
	if err := a.WriteFrame(f, 4090, []byte("abcdef")); err != nil {
		t.Fatal(err)
	}
	if err := a.WriteFrame(f, 4091, []byte("abcdef")); !errors.Is(err, exo.ErrBadAddress) {
		t.Errorf("write past the page: %v", err)
	}
	if err := b.WriteFrame(f, 0, []byte("x")); !errors.Is(err, exo.ErrNotOwner) {
		t.Errorf("write to another Env's frame: %v", err)
	}
	a.Map(0x10000, f, exo.PermRead)
	got := make([]byte, 6)
	a.Read(0x10000+4090, got)
	if string(got) != "abcdef" {
		t.Errorf("read back %q", got)
	}
}

func TestReadFrameMirrorsWriteFrame(t *testing.T) {
	m := sim.New(8)
	k, a := newEnv(t, m)
	b, _ := k.NewEnv()
	c, _ := k.NewEnv()
	f, _ := a.AllocFrame()
	if err := a.WriteFrame(f, 4090, []byte("abcdef")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 6)
	if err := a.ReadFrame(f, 4090, got); err != nil || string(got) != "abcdef" {
		t.Errorf("read back %q, %v", got, err)
	}
	if err := a.ReadFrame(f, 4091, got); !errors.Is(err, exo.ErrBadAddress) {
		t.Errorf("read past the page: %v", err)
	}
	if err := a.ReadFrame(f, -1, got[:1]); !errors.Is(err, exo.ErrBadAddress) {
		t.Errorf("read before the page: %v", err)
	}
	if err := b.ReadFrame(f, 0, got); !errors.Is(err, exo.ErrNotOwner) {
		t.Errorf("read of another Env's frame: %v", err)
	}
	// A grant is enough, and the grantee sees what the owner's mapping
	// wrote.
	if err := a.Share(f, c); err != nil {
		t.Fatal(err)
	}
	a.Map(0x10000, f, exo.PermRead|exo.PermWrite)
	a.Write(0x10000, []byte("xyz"))
	if err := c.ReadFrame(f, 0, got[:3]); err != nil || string(got[:3]) != "xyz" {
		t.Errorf("grantee read %q, %v", got[:3], err)
	}
	c.Destroy()
	if err := c.ReadFrame(f, 0, got); !errors.Is(err, exo.ErrNotOwner) {
		t.Errorf("read by a destroyed Env: %v", err)
	}
}

func TestAtomicWords(t *testing.T) {
	m := sim.New(8)
	k, a := newEnv(t, m)
	b, _ := k.NewEnv()
	f, _ := a.AllocFrame()
	a.Map(0x10000, f, exo.PermRead) // read-only: the word is still reachable
	a.Write(0x10ffc, []byte{7, 0, 0, 0})
	if v, err := a.Load32(0x10ffc); v != 7 || err != nil {
		t.Errorf("Load32 = %d, %v", v, err)
	}
	if old, err := a.CompareAndSwap32(0x10ffc, 6, 9); old != 7 || err != nil {
		t.Errorf("CAS with a stale old value: %d, %v", old, err)
	}
	if old, err := a.CompareAndSwap32(0x10ffc, 7, 9); old != 7 || err != nil {
		t.Errorf("CAS: %d, %v", old, err)
	}
	if v, _ := a.Load32(0x10ffc); v != 9 {
		t.Errorf("after CAS the word is %d", v)
	}
	for _, c := range []struct {
		env  *exo.Env
		va   uintptr
		want error
	}{
		{a, 0x10ffe, exo.ErrBadAddress}, // unaligned
		{a, 0x11000, exo.ErrFault},      // unmapped
		{b, 0x10ffc, exo.ErrFault},      // another Env's mapping
		{a, 0xffff800000200000, exo.ErrFault},
	} {
		if _, err := c.env.CompareAndSwap32(c.va, 0, 1); !errors.Is(err, c.want) {
			t.Errorf("CAS at %#x: %v, want %v", c.va, err, c.want)
		}
		if _, err := c.env.Load32(c.va); !errors.Is(err, c.want) {
			t.Errorf("Load32 at %#x: %v, want %v", c.va, err, c.want)
		}
	}
}

// TestShareRacesFree drives Share against FreeFrame, both let go at
// once: a frame either stays with its new holder, alive and counted once,
// or goes back to the machine; it never comes back from a count of zero.
func TestShareRacesFree(t *testing.T) {
	m := sim.New(64)
	k, a := newEnv(t, m)
	b, _ := k.NewEnv()
	// Keep b's lock busy, as a process with many threads would: Share
	// then waits for it, which is when a free slips in if the check and
	// the count's rise are not done under one hold.
	stop := make(chan struct{})
	defer close(stop)
	for g := 0; g < 2; g++ {
		go func() {
			for {
				select {
				case <-stop:
					return
				default:
					b.Lookup(0x10000)
				}
			}
		}()
	}
	for i := 0; i < 5000; i++ {
		f, err := a.AllocFrame()
		if err != nil {
			t.Fatal(err)
		}
		var shareErr, freeErr error
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Add(2)
		go func() { defer wg.Done(); <-start; shareErr = a.Share(f, b) }()
		go func() { defer wg.Done(); <-start; freeErr = a.FreeFrame(f) }()
		close(start)
		wg.Wait()
		if freeErr != nil {
			t.Fatalf("free: %v", freeErr)
		}
		switch {
		case shareErr == nil && (k.Refs(f) != 1 || m.FramesInUse() != 1):
			t.Fatalf("round %d: shared, then freed by the owner: refs %d, machine frames %d, want 1 and 1", i, k.Refs(f), m.FramesInUse())
		case shareErr == nil:
			if err := b.FreeFrame(f); err != nil {
				t.Fatal(err)
			}
		case !errors.Is(shareErr, exo.ErrNotOwner):
			t.Fatalf("share: %v", shareErr)
		}
		if k.Refs(f) != 0 || m.FramesInUse() != 0 {
			t.Fatalf("round %d: refs %d, machine frames %d after both let go", i, k.Refs(f), m.FramesInUse())
		}
	}
}

func TestCopyFrame(t *testing.T) {
	m := sim.New(8)
	k, a := newEnv(t, m)
	b, _ := k.NewEnv()
	f, _ := a.AllocFrame()
	a.WriteFrame(f, 100, []byte("copy me"))
	g, err := a.CopyFrame(f)
	if err != nil {
		t.Fatal(err)
	}
	a.Map(0x10000, g, exo.PermRead)
	got := make([]byte, 7)
	if a.Read(0x10064, got); string(got) != "copy me" || g == f {
		t.Errorf("copy reads %q (frame %v from %v)", got, g, f)
	}
	if _, err := b.CopyFrame(f); !errors.Is(err, exo.ErrNotOwner) {
		t.Errorf("copying a frame not held: %v", err)
	}
}

// TestFramesBeyond counts what other Envs hold: a frame the pager alone
// holds is not counted, one it shares is, and one it never had is.
func TestFramesBeyond(t *testing.T) {
	m := sim.New(8)
	k, pager := newEnv(t, m)
	proc, _ := k.NewEnv()
	f1, _ := pager.AllocFrame()
	f2, _ := pager.AllocFrame()
	if n := k.FramesBeyond(pager); n != 0 {
		t.Fatalf("FramesBeyond = %d with only the pager's frames", n)
	}
	_ = pager.Share(f2, proc)
	_, _ = proc.AllocFrame()
	if n := k.FramesBeyond(pager); n != 2 {
		t.Errorf("FramesBeyond = %d, want 2 (a shared frame and the process's own)", n)
	}
	proc.Destroy()
	if n := k.FramesBeyond(pager); n != 0 || k.Refs(f1) != 1 {
		t.Errorf("FramesBeyond = %d after the process went", n)
	}
}
