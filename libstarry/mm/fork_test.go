package mm

import (
	"bytes"
	"testing"

	"github.com/starry-go/starry/exo"
)

// TestForkCopiesNothing: a fork of 64 MiB of touched memory shares every
// frame; a write copies exactly the page written, and the last holder of
// a frame takes it back instead of copying it.
func TestForkCopiesNothing(t *testing.T) {
	m, k := newMachine()
	penv, _ := k.NewEnv()
	cenv, _ := k.NewEnv()
	parent, child := newMM(penv), newMM(cenv)
	const size = 64 << 20
	rw := exo.PermRead | exo.PermWrite
	a, err := parent.Mmap(MapRequest{Len: size, Prot: rw})
	if err != nil {
		t.Fatal(err)
	}
	for off := uintptr(0); off < size; off += exo.PageSize {
		if err := parent.CopyOut(a+off, []byte{byte(off >> 12)}); err != nil {
			t.Fatal(err)
		}
	}
	s, err := parent.Mmap(MapRequest{Len: exo.PageSize, Prot: rw, Shared: true})
	if err != nil {
		t.Fatal(err)
	}
	parent.CopyOut(s, []byte("shared"))
	before := m.FramesInUse()
	if err := parent.Fork(child); err != nil {
		t.Fatal(err)
	}
	if n := m.FramesInUse(); n != before {
		t.Fatalf("fork used %d frames for %d pages", n-before, size/exo.PageSize)
	}
	got := make([]byte, 1)
	child.CopyIn(a+5*exo.PageSize, got)
	if got[0] != 5 {
		t.Errorf("child reads %d, want the parent's 5", got[0])
	}
	child.CopyOut(a+5*exo.PageSize, []byte{99})
	if n := m.FramesInUse(); n != before+1 {
		t.Errorf("a child's write used %d frames, want 1", n-before)
	}
	parent.CopyIn(a+5*exo.PageSize, got)
	if got[0] != 5 {
		t.Errorf("the child's write reached the parent: %d", got[0])
	}
	parent.CopyOut(a+5*exo.PageSize, []byte{7}) // the parent alone holds the old frame now
	if n := m.FramesInUse(); n != before+1 {
		t.Errorf("the parent's write after the child's copy used %d more frames, want none", n-before-1)
	}
	child.CopyOut(s, []byte("SHARED"))
	parent.CopyIn(s, got)
	if got[0] != 'S' {
		t.Errorf("a MAP_SHARED page was copied on write: parent reads %q", got)
	}
	if r := child.Fault(a, exo.PermWrite); r != FaultHandled {
		t.Errorf("write fault on a copy-on-write page: %v", r)
	}
	cb := make([]byte, 1)
	child.CopyIn(a, cb)
	parent.CopyIn(a, got)
	if !bytes.Equal(cb, got) || m.FramesInUse() != before+2 {
		t.Errorf("after a write fault: child %v parent %v, %d frames over", cb, got, m.FramesInUse()-before)
	}
	child.Release()
	cenv.Destroy()
	parent.CopyOut(a, []byte{1}) // the child's frames are gone: no copy
	parent.Release()
	penv.Destroy()
	if n := m.FramesInUse(); n != 0 {
		t.Errorf("%d frames leaked", n)
	}
}
