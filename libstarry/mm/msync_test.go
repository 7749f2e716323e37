package mm

import (
	"testing"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestMsyncWalk checks msync's walk: holes are ENOMEM once the rest is
// done (at once for a bare MS_ASYNC), a locked region refuses
// MS_INVALIDATE when the walk reaches it, and fork does not pass the
// lock on.
func TestMsyncWalk(t *testing.T) {
	_, k := newMachine()
	env, _ := k.NewEnv()
	m := newMM(env)
	rw := exo.PermRead | exo.PermWrite
	const page = exo.PageSize
	a, err := m.Mmap(MapRequest{Len: 4 * page, Prot: rw})
	if err != nil {
		t.Fatal(err)
	}
	_ = m.Munmap(a+page, page)
	if _, err := m.Mmap(MapRequest{Addr: a + 3*page, Len: page, Prot: rw, Fixed: true, Locked: true}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what string
		r    SyncRequest
		want error
	}{
		{"mapped", SyncRequest{Start: a, Len: page, Sync: true}, nil},
		{"empty", SyncRequest{Start: a + page, Len: 0, Sync: true}, nil},
		{"wraps", SyncRequest{Start: a, Len: ^uintptr(0) - 2*page, Sync: true}, abi.ENOMEM},
		{"over the hole", SyncRequest{Start: a, Len: 3 * page, Sync: true}, abi.ENOMEM},
		{"the hole alone", SyncRequest{Start: a + page, Len: page}, abi.ENOMEM},
		{"past the last region", SyncRequest{Start: a + 4*page, Len: page}, abi.ENOMEM},
		{"locked, MS_SYNC", SyncRequest{Start: a + 3*page, Len: page, Sync: true}, nil},
		{"locked, MS_INVALIDATE", SyncRequest{Start: a + 3*page, Len: page, Invalidate: true}, abi.EBUSY},
		{"hole, then locked", SyncRequest{Start: a + page, Len: 3 * page, Invalidate: true}, abi.EBUSY},
		{"bare MS_ASYNC stops at the hole", SyncRequest{Start: a + page, Len: 3 * page, AsyncOnly: true, Invalidate: false}, abi.ENOMEM},
		{"unlocked MS_INVALIDATE", SyncRequest{Start: a, Len: 3 * page, Invalidate: true}, abi.ENOMEM},
	} {
		if err := m.Msync(c.r); err != c.want {
			t.Errorf("%s: %v, want %v", c.what, err, c.want)
		}
	}
	env2, _ := k.NewEnv()
	child := newMM(env2)
	if err := m.Fork(child); err != nil {
		t.Fatal(err)
	}
	if err := child.Msync(SyncRequest{Start: a + 3*page, Len: page, Invalidate: true}); err != nil {
		t.Errorf("a forked child's copy of a locked region: %v", err)
	}
	child.Release()
	m.Release()
}

// TestDumpPage checks what a core dump reads: a present page's bytes,
// an untouched anonymous page a hole, a file page's bytes unfaulted; and
// that touching anonymous memory marks the region Dirty.
func TestDumpPage(t *testing.T) {
	_, k := newMachine()
	env, _ := k.NewEnv()
	m := newMM(env)
	rw := exo.PermRead | exo.PermWrite
	a, _ := m.Mmap(MapRequest{Len: 2 * exo.PageSize, Prot: rw})
	f, _ := m.Mmap(MapRequest{Len: exo.PageSize, Prot: exo.PermRead, Obj: Bytes([]byte("file bytes"))})
	page := make([]byte, exo.PageSize)
	if m.DumpPage(a, page) {
		t.Error("an untouched anonymous page is not a hole")
	}
	if r := regionAt(m, a); r.Dirty {
		t.Error("untouched anonymous region is Dirty")
	}
	_ = m.CopyOut(a+exo.PageSize, []byte("anon"))
	if !m.DumpPage(a+exo.PageSize, page) || string(page[:4]) != "anon" {
		t.Errorf("present page: %q", page[:4])
	}
	if r := regionAt(m, a); !r.Dirty {
		t.Error("written anonymous region is not Dirty")
	}
	held := m.FramesHeld()
	if !m.DumpPage(f, page) || string(page[:10]) != "file bytes" || page[10] != 0 {
		t.Errorf("file page: %q", page[:12])
	}
	if m.FramesHeld() != held {
		t.Error("DumpPage faulted a page in")
	}
	if r := regionAt(m, f); r.Dirty {
		t.Error("an unread file region is Dirty")
	}
	m.Release()
}
