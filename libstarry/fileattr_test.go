package libstarry

import (
	"testing"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestAppendOnlyOpen: an append-only file opens for writing only with
// O_APPEND and never with O_TRUNC (may_open), keeps O_APPEND through
// F_SETFL, refuses truncate and ftruncate, and a write through such a
// descriptor lands at the end whatever the offset; statx shows the flag.
func TestAppendOnlyOpen(t *testing.T) {
	_, ex := newMachine()
	fs, err := NewFiles(ex, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &Process{cfg: Config{FS: fs}, cred: rootCred, fs: newFSContext(fs)}
	w := p.At(vfs.Path{})
	of, err := p.Open(w, "/tmp/f", abi.O_CREAT|abi.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer of.DecRef()
	if _, err := of.Write(nil, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	q := of.File.(PathFile).Path()
	if err := vfs.SetFileAttr(p.Creds(), q.Dentry.Inode(), vfs.FillFlags(abi.FS_APPEND_FL), true); err != nil {
		t.Fatal(err)
	}
	for _, fl := range []int{abi.O_WRONLY, abi.O_RDWR, abi.O_WRONLY | abi.O_APPEND | abi.O_TRUNC, abi.O_RDONLY | abi.O_TRUNC} {
		if o, err := p.Open(w, "/tmp/f", fl, 0); err != abi.EPERM {
			t.Errorf("open with %#x: %v, want EPERM", fl, err)
			if o != nil {
				o.DecRef()
			}
		}
	}
	a, err := p.Open(w, "/tmp/f", abi.O_WRONLY|abi.O_APPEND, 0)
	if err != nil {
		t.Fatalf("open O_APPEND: %v", err)
	}
	defer a.DecRef()
	if err := a.SetFlags(abi.O_NONBLOCK); err != abi.EPERM {
		t.Errorf("F_SETFL dropping O_APPEND: %v, want EPERM", err)
	}
	if err := of.SetFlags(abi.O_APPEND); err != abi.EPERM {
		t.Errorf("F_SETFL adding O_APPEND: %v, want EPERM", err)
	}
	if err := a.SetFlags(abi.O_APPEND | abi.O_NONBLOCK); err != nil {
		t.Errorf("F_SETFL keeping O_APPEND: %v", err)
	}
	if _, err := a.File.(fd.WriterAt).WriteAt(a.Ctx(nil), []byte("AB"), 0); err != nil {
		t.Fatal(err)
	}
	if b, _ := fs.ReadFile("/tmp/f"); string(b) != "helloAB" {
		t.Errorf("contents %q, want helloAB", b)
	}
	if err := p.Truncate(q, 0); err != abi.EPERM {
		t.Errorf("truncate: %v, want EPERM", err)
	}
	if err := a.File.(Truncater).Truncate(p.Creds(), 0); err != abi.EPERM {
		t.Errorf("ftruncate: %v, want EPERM", err)
	}
	if st := p.Stat(q); st.Attributes != abi.STATX_ATTR_APPEND || st.AttributesMask&abi.STATX_ATTR_IMMUTABLE == 0 {
		t.Errorf("statx attributes %#x mask %#x", st.Attributes, st.AttributesMask)
	}
	if err := vfs.SetFileAttr(p.Creds(), q.Dentry.Inode(), vfs.FillFlags(0), true); err != nil {
		t.Fatal(err)
	}
	if err := p.Truncate(q, 0); err != nil {
		t.Errorf("truncate once cleared: %v", err)
	}
}
