package tmpfs

import (
	"bytes"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// fixture is a tmpfs over a simulated machine, with a clock that ticks
// once per reading, so every time a test sees is distinct.
type fixture struct {
	t     *testing.T
	m     *sim.Machine
	k     *exo.Exokernel
	pager *exo.Env
	fs    *FS
	clock atomic.Int64
}

func newFixture(t *testing.T, frames int, limit int64) *fixture {
	t.Helper()
	f := &fixture{t: t, m: sim.New(frames)}
	f.k = exo.New(f.m, 10*time.Millisecond)
	var err error
	if f.pager, err = f.k.NewEnv(); err != nil {
		t.Fatal(err)
	}
	f.clock.Store(1000)
	f.fs = New(f.pager, limit, func() int64 { return f.clock.Add(1) })
	return f
}

// file makes an open regular file in the root.
func (f *fixture) file(name string) *Node {
	f.t.Helper()
	in, err := f.fs.Root().Create(name, 0o644, 0, 0)
	if err != nil {
		f.t.Fatalf("create %s: %v", name, err)
	}
	n, _ := NodeOf(in)
	n.Open()
	return n
}

// env is a fresh Env, as a process that maps files is.
func (f *fixture) env() *exo.Env {
	f.t.Helper()
	e, err := f.k.NewEnv()
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

// contents reads the whole file.
func contents(t *testing.T, n *Node) []byte {
	t.Helper()
	b := make([]byte, n.Size())
	got, err := n.ReadAt(b, 0)
	if err != nil || got != len(b) {
		t.Fatalf("read whole file: %d of %d, %v", got, len(b), err)
	}
	return b
}

func mustWrite(t *testing.T, n *Node, b []byte, off int64) {
	t.Helper()
	if w, err := n.WriteAt(b, off); err != nil || w != len(b) {
		t.Fatalf("write %d at %d: %d, %v", len(b), off, w, err)
	}
}

// errIs is errors.Is with nil meaning success.
func errIs(err, want error) bool {
	if want == nil {
		return err == nil
	}
	return errors.Is(err, want)
}

// pattern is n bytes no two pages of which look alike.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7+i/pageSize) ^ seed | 1
	}
	return b
}

func equal(a, b []byte) bool { return bytes.Equal(a, b) }

var root = &vfs.Creds{}

// A node is what mmap maps.
var _ mm.Object = (*Node)(nil)

// ns is a mount namespace whose root is a tmpfs.
type ns struct {
	*fixture
	mt *vfs.MountTable
}

func newNS(t *testing.T) *ns {
	f := newFixture(t, 1<<12, 0)
	return &ns{f, vfs.NewMountTable(f.fs.VFS())}
}

func (s *ns) root() vfs.Path { return s.mt.Root() }

func (s *ns) must(err error, what string) {
	s.t.Helper()
	if err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

func (s *ns) mkdir(path string) {
	s.t.Helper()
	s.must(s.mt.Mkdir(root, s.root(), s.root(), path, 0o755), "mkdir "+path)
}

func (s *ns) create(path string) *Node {
	s.t.Helper()
	p, err := s.mt.Create(root, s.root(), s.root(), path, 0o644)
	s.must(err, "create "+path)
	n, _ := NodeOf(p.Dentry.Inode())
	return n
}

func (s *ns) lookup(path string) *Node {
	s.t.Helper()
	p, err := s.mt.Resolve(root, s.root(), s.root(), path, vfs.NoFollow)
	s.must(err, "resolve "+path)
	n, _ := NodeOf(p.Dentry.Inode())
	return n
}

func (s *ns) exists(path string) bool {
	_, err := s.mt.Resolve(root, s.root(), s.root(), path, vfs.NoFollow)
	if err != nil && !errors.Is(err, abi.ENOENT) {
		s.t.Fatalf("resolve %s: %v", path, err)
	}
	return err == nil
}

// names lists a directory through the vfs, "." and ".." included.
func (s *ns) names(path string) []string {
	s.t.Helper()
	p, err := s.mt.Resolve(root, s.root(), s.root(), path, 0)
	s.must(err, "resolve "+path)
	var out []string
	s.must(p.Dentry.ReadDir(0, func(e vfs.DirEntry) bool {
		out = append(out, e.Name)
		return true
	}), "readdir "+path)
	return out
}

// vfsPath resolves path without following a final symlink.
func vfsPath(s *ns, path string) vfs.Path {
	s.t.Helper()
	p, err := s.mt.Resolve(root, s.root(), s.root(), path, vfs.NoFollow)
	s.must(err, "resolve "+path)
	return p
}
