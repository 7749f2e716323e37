package tmpfs

import (
	"testing"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestUnlinkedOpenFileLivesUntilClose: the last name going leaves an open
// file readable and writable; the last close then frees its frames.
func TestUnlinkedOpenFileLivesUntilClose(t *testing.T) {
	s := newNS(t)
	base, inodes := s.k.FramesInUse(), s.fs.Inodes()
	n := s.create("f")
	n.Open()
	n.Open() // two open file descriptions
	data := pattern(3*ps, 2)
	mustWrite(t, n, data, 0)
	s.must(s.mt.Unlink(root, s.root(), s.root(), "f"), "unlink")
	if s.exists("f") || n.Inode().Attr().Nlink != 0 {
		t.Fatalf("name still there, nlink %d", n.Inode().Attr().Nlink)
	}
	if got := contents(t, n); !equal(got, data) {
		t.Errorf("contents changed by the unlink")
	}
	mustWrite(t, n, []byte("more"), 3*ps)
	if s.fs.UsedPages() != 4 || s.fs.Inodes() != inodes+1 {
		t.Errorf("while open: %d pages, %d inodes", s.fs.UsedPages(), s.fs.Inodes())
	}
	n.Close()
	if s.fs.UsedPages() != 4 {
		t.Errorf("first close freed the pages")
	}
	n.Close()
	if s.fs.UsedPages() != 0 || s.k.FramesInUse() != base || s.fs.Inodes() != inodes {
		t.Errorf("after the last close: %d pages, %d frames (was %d), %d inodes (was %d)",
			s.fs.UsedPages(), s.k.FramesInUse(), base, s.fs.Inodes(), inodes)
	}
}

// TestCloseOfLinkedFileKeepsIt: closing a file that still has a name
// frees nothing; unlinking it afterwards does.
func TestCloseOfLinkedFileKeepsIt(t *testing.T) {
	s := newNS(t)
	n := s.create("f")
	n.Open()
	mustWrite(t, n, []byte("abc"), 0)
	n.Close()
	if s.fs.UsedPages() != 1 || string(contents(t, s.lookup("f"))) != "abc" {
		t.Fatalf("close of a linked file lost it")
	}
	s.must(s.mt.Link(root, vfsPath(s, "f"), s.root(), s.root(), "g"), "link")
	s.must(s.mt.Unlink(root, s.root(), s.root(), "f"), "unlink f")
	if s.fs.UsedPages() != 1 || n.Inode().Attr().Nlink != 1 {
		t.Fatalf("unlink of one of two names freed the file")
	}
	s.must(s.mt.Unlink(root, s.root(), s.root(), "g"), "unlink g")
	if s.fs.UsedPages() != 0 {
		t.Errorf("unlink of the last name of a closed file kept %d pages", s.fs.UsedPages())
	}
}

func TestNewUnlinked(t *testing.T) {
	f := newFixture(t, 64, 0)
	inodes := f.fs.Inodes()
	n := f.fs.NewUnlinked(abi.S_IFREG|0o600, 3, 4)
	n.Open()
	if a := n.Inode().Attr(); a.Nlink != 0 || a.Mode != abi.S_IFREG|0o600 || a.UID != 3 || a.GID != 4 {
		t.Errorf("attributes %+v", a)
	}
	mustWrite(t, n, pattern(2*ps, 1), 0)
	n.Close()
	if f.fs.UsedPages() != 0 || f.fs.Inodes() != inodes {
		t.Errorf("after close: %d pages, %d inodes", f.fs.UsedPages(), f.fs.Inodes())
	}
}

// TestFrameSharesThePage: a fault's frame is the file's own, so a store
// through another Env's mapping is what ReadAt then sees, and a write is
// what the mapping then reads.
func TestFrameSharesThePage(t *testing.T) {
	f := newFixture(t, 64, 0)
	n := f.file("f")
	mustWrite(t, n, []byte("hello"), 0)
	if err := n.Truncate(3 * ps); err != nil {
		t.Fatal(err)
	}
	env := f.env()
	const va = 0x400000
	for pg := uint64(0); pg < 3; pg++ {
		fr, err := n.Frame(env, pg, true)
		if err != nil {
			t.Fatalf("Frame(%d): %v", pg, err)
		}
		if err := env.Map(va+uintptr(pg)*ps, fr, exo.PermRead|exo.PermWrite); err != nil {
			t.Fatalf("Map: %v", err)
		}
	}
	if n.Pages() != 3 {
		t.Errorf("faults on holes took %d pages, want 3", n.Pages())
	}
	got := make([]byte, 5)
	if env.Read(va, got); string(got) != "hello" {
		t.Errorf("mapping reads %q", got)
	}
	if err := env.Write(va+2*ps+7, []byte("mapped")); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	if _, err := n.ReadAt(b, 2*ps+7); err != nil || string(b) != "mapped" {
		t.Errorf("ReadAt sees %q, %v", b, err)
	}
	mustWrite(t, n, []byte("written"), ps+1)
	got = make([]byte, 7)
	if env.Read(va+ps+1, got); string(got) != "written" {
		t.Errorf("mapping reads %q after WriteAt", got)
	}
	if _, err := n.Frame(env, 3, false); err != abi.ENXIO {
		t.Errorf("Frame past the end: %v", err)
	}
	if _, err := n.Frame(env, 1<<60, false); err != abi.ENXIO {
		t.Errorf("Frame far past the end: %v", err)
	}
	// The file dropping a page leaves the mapping's frame alive until the
	// Env lets go; then every frame is back.
	base := f.k.FramesInUse() - 3
	if err := n.Truncate(0); err != nil {
		t.Fatal(err)
	}
	if f.fs.UsedPages() != 0 || f.k.FramesInUse() != base+3 {
		t.Errorf("after truncate: fs %d pages, %d frames", f.fs.UsedPages(), f.k.FramesInUse())
	}
	env.Destroy()
	if f.k.FramesInUse() != base {
		t.Errorf("after the Env went: %d frames, want %d", f.k.FramesInUse(), base)
	}
}

func TestFrameUpdatesTimesOnSharedWrite(t *testing.T) {
	f := newFixture(t, 64, 0)
	n := f.file("f")
	mustWrite(t, n, []byte("x"), 0)
	env := f.env()
	m0 := n.Inode().Attr().Mtime
	if _, err := n.Frame(env, 0, false); err != nil {
		t.Fatal(err)
	}
	if n.Inode().Attr().Mtime != m0 {
		t.Errorf("a read fault changed mtime")
	}
	if _, err := n.Frame(env, 0, true); err != nil {
		t.Fatal(err)
	}
	if a := n.Inode().Attr(); a.Mtime == m0 || a.Ctime != a.Mtime {
		t.Errorf("a write fault left mtime %d ctime %d (was %d)", a.Mtime, a.Ctime, m0)
	}
}

// TestInodesDoNotLeak: making and removing every kind of node returns
// the count and the frames to where they were.
func TestInodesDoNotLeak(t *testing.T) {
	s := newNS(t)
	inodes, frames := s.fs.Inodes(), s.k.FramesInUse()
	for i := 0; i < 3; i++ {
		s.mkdir("d")
		n := s.create("d/f")
		mustWrite(t, n, pattern(ps+1, 1), 0)
		s.must(s.mt.Symlink(root, "f", s.root(), s.root(), "d/l"), "symlink")
		s.must(s.mt.Mknod(root, s.root(), s.root(), "d/p", abi.S_IFIFO|0o600, 0), "mknod")
		s.must(s.mt.Link(root, vfsPath(s, "d/f"), s.root(), s.root(), "d/g"), "link")
		s.create("d/h")
		s.must(s.mt.Rename(root, s.root(), s.root(), "d/h", s.root(), "d/g", 0), "rename over")
		for _, name := range []string{"d/f", "d/g", "d/l", "d/p"} {
			s.must(s.mt.Unlink(root, s.root(), s.root(), name), "unlink "+name)
		}
		s.must(s.mt.Rmdir(root, s.root(), s.root(), "d"), "rmdir")
	}
	if s.fs.Inodes() != inodes || s.k.FramesInUse() != frames || s.fs.UsedPages() != 0 {
		t.Errorf("%d inodes (was %d), %d frames (was %d), %d pages",
			s.fs.Inodes(), inodes, s.k.FramesInUse(), frames, s.fs.UsedPages())
	}
}

// TestOpenAfterLastUnlink: an open that arrives after the last name went
// (it resolved the path before) finds the inode alive again but empty,
// and its Close frees it.
func TestOpenAfterLastUnlink(t *testing.T) {
	s := newNS(t)
	inodes := s.fs.Inodes()
	n := s.create("f")
	mustWrite(t, n, pattern(2*ps, 1), 0)
	if n.Blocks() != 2*ps/512 || s.fs.LimitPages() != 0 {
		t.Errorf("blocks %d, limit %d", n.Blocks(), s.fs.LimitPages())
	}
	s.must(s.mt.Unlink(root, s.root(), s.root(), "f"), "unlink")
	if s.fs.UsedPages() != 0 || s.fs.Inodes() != inodes {
		t.Fatalf("unlink of an unopened file kept %d pages, %d inodes", s.fs.UsedPages(), s.fs.Inodes())
	}
	n.Open()
	if s.fs.Inodes() != inodes+1 || n.Size() != 0 || n.Inode().Attr().Size != 0 {
		t.Errorf("revived: %d inodes, size %d", s.fs.Inodes(), n.Size())
	}
	mustWrite(t, n, []byte("x"), 0)
	n.Close()
	if s.fs.UsedPages() != 0 || s.fs.Inodes() != inodes {
		t.Errorf("after close: %d pages, %d inodes", s.fs.UsedPages(), s.fs.Inodes())
	}
	defer func() {
		if recover() == nil {
			t.Errorf("Close without Open did not panic")
		}
	}()
	n.Close()
}
