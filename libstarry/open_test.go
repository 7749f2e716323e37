package libstarry

import (
	"testing"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestTmpfileLink: an O_TMPFILE file is nameless until linkat gives it a
// name (I_LINKABLE), and one opened with O_EXCL never gets one.
func TestTmpfileLink(t *testing.T) {
	_, ex := newMachine()
	fs, err := NewFiles(ex, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &Process{cfg: Config{FS: fs}, cred: rootCred, fs: newFSContext(fs)}
	w := p.At(vfs.Path{})
	for _, excl := range []bool{false, true} {
		flags := abi.O_TMPFILE | abi.O_RDWR
		if excl {
			flags |= abi.O_EXCL
		}
		of, err := p.Open(w, "/tmp", flags, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := of.Write(nil, []byte("data")); n != 4 || err != nil {
			t.Fatalf("write: %d, %v", n, err)
		}
		q := of.File.(PathFile).Path()
		if st := p.Stat(q); st.Nlink != 0 {
			t.Errorf("a new O_TMPFILE file has %d links", st.Nlink)
		}
		name := "/tmp/named"
		if excl {
			name = "/tmp/other"
		}
		err = p.Link(q, w, name)
		switch {
		case excl && err != abi.ENOENT:
			t.Errorf("link of an O_TMPFILE|O_EXCL file: %v, want ENOENT", err)
		case !excl && err != nil:
			t.Errorf("link of an O_TMPFILE file: %v", err)
		}
		of.DecRef()
	}
	if b, err := fs.ReadFile("/tmp/named"); err != nil || string(b) != "data" {
		t.Errorf("the linked file reads %q, %v", b, err)
	}
}
