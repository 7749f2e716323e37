package mm

import (
	"testing"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

func TestMMRegions(t *testing.T) {
	m, k := newMachine()
	env, _ := k.NewEnv()
	mm := newMM(env)
	rw := exo.PermRead | exo.PermWrite
	a, err := mm.Mmap(MapRequest{Len: 4 * exo.PageSize, Prot: rw})
	if err != nil || a != MmapTop-4*exo.PageSize {
		t.Fatalf("first mmap at %#x, %v", a, err)
	}
	b, _ := mm.Mmap(MapRequest{Len: exo.PageSize, Prot: rw})
	if b != a-exo.PageSize {
		t.Errorf("second mmap at %#x, want just below %#x", b, a)
	}
	if h, _ := mm.Mmap(MapRequest{Addr: 0x10000000, Len: 1, Prot: rw}); h != 0x10000000 {
		t.Errorf("free hint not taken: %#x", h)
	}
	if h, _ := mm.Mmap(MapRequest{Addr: a, Len: 1, Prot: rw}); h == a {
		t.Error("busy hint taken")
	}
	if _, err := mm.Mmap(MapRequest{Addr: a + 1, Len: 1, Fixed: true}); err != abi.EINVAL {
		t.Errorf("misaligned MAP_FIXED: %v", err)
	}
	if err := mm.CopyOut(a+exo.PageSize, []byte("keep")); err != nil {
		t.Fatal(err)
	}
	// PROT_NONE in the middle splits the region and keeps the contents.
	if err := mm.Mprotect(a+exo.PageSize, exo.PageSize, 0); err != nil {
		t.Fatal(err)
	}
	if r := regionAt(mm, a+exo.PageSize); r.Start != a+exo.PageSize || r.End != a+2*exo.PageSize || r.Prot != 0 {
		t.Errorf("after mprotect of one page: region %#x-%#x prot %d", r.Start, r.End, r.Prot)
	}
	if r := regionAt(mm, a); r.End != a+exo.PageSize || r.Prot != rw {
		t.Errorf("below the PROT_NONE page: region %#x-%#x prot %d", r.Start, r.End, r.Prot)
	}
	if code := mm.Fault(a+exo.PageSize, exo.PermRead); code != FaultProtection {
		t.Errorf("fault on PROT_NONE = %d", code)
	}
	_ = mm.Mprotect(a+exo.PageSize, exo.PageSize, rw)
	if r := regionAt(mm, a); r.Start > b || r.End != a+4*exo.PageSize {
		t.Errorf("mprotect back did not merge the regions: %#x-%#x", r.Start, r.End)
	}
	got := make([]byte, 4)
	if err := mm.CopyIn(a+exo.PageSize, got); err != nil || string(got) != "keep" {
		t.Errorf("after PROT_NONE round trip: %q %v", got, err)
	}
	if err := mm.Mprotect(0x20000000, exo.PageSize, 0); err != abi.ENOMEM {
		t.Errorf("mprotect of unmapped range: %v", err)
	}
	// MAP_FIXED over part of a region replaces it (and frees its frame).
	held := mm.FramesHeld()
	if f, err := mm.Mmap(MapRequest{Addr: a + exo.PageSize, Len: exo.PageSize, Prot: rw, Fixed: true}); err != nil || f != a+exo.PageSize {
		t.Fatalf("MAP_FIXED: %#x %v", f, err)
	}
	if mm.FramesHeld() != held-1 {
		t.Errorf("MAP_FIXED kept the old frame")
	}
	if err := mm.CopyIn(a+exo.PageSize, got); err != nil || string(got) != "\x00\x00\x00\x00" {
		t.Errorf("fresh MAP_FIXED page reads %q", got)
	}
	if err := mm.Munmap(a, 4*exo.PageSize); err != nil {
		t.Fatal(err)
	}
	if err := mm.CopyIn(a, got); err != abi.EFAULT {
		t.Errorf("read after munmap: %v", err)
	}
	mm.Release()
	env.Destroy()
	if m.FramesInUse() != 0 {
		t.Errorf("%d frames leaked", m.FramesInUse())
	}
}

// regionAt returns the region holding addr (zero if none).
func regionAt(mm *MM, addr uintptr) VMA {
	for _, r := range mm.Regions() {
		if r.Start <= addr && addr < r.End {
			return r
		}
	}
	return VMA{}
}
