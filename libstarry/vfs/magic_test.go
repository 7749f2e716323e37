package vfs

import (
	"strings"
	"sync"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

func init() { errnoNames["ENXIO"] = abi.ENXIO }

// linkFS is a file system of the links procfs makes, for the walker's
// side of them: a root with "self" (a CallerLink naming the caller's
// string), magic links whose jumps the test sets, and "live", a
// directory whose entries the test adds and takes away behind the cache.
type linkFS struct {
	mu    sync.Mutex
	next  uint64
	jumps map[string]func() (Path, error)
	live  map[string]*Inode
}

type linkNode struct {
	fs   *linkFS
	kind string // "root", "live", "self", "magic", "file"
	name string
}

func newLinkFS() (*linkFS, *FileSystem) {
	l := &linkFS{jumps: map[string]func() (Path, error){}, live: map[string]*Inode{}}
	fs, err := NewFileSystem("links", l.inode("root", "", abi.S_IFDIR|0o555))
	if err != nil {
		panic(err)
	}
	return l, fs
}

// selfNode and magicNode are the two kinds of link, each with only its
// own interface.
type selfNode struct{ *linkNode }
type magicNode struct{ *linkNode }

func (l *linkFS) inode(kind, name string, mode uint32) *Inode {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.next++
	var ops InodeOps = &linkNode{fs: l, kind: kind, name: name}
	switch kind {
	case "self":
		ops = selfNode{ops.(*linkNode)}
	case "magic":
		ops = magicNode{ops.(*linkNode)}
	}
	return NewInode(l.next, Attr{Mode: mode, Nlink: 1}, ops)
}

func (n *linkNode) Lookup(name string) (*Inode, error) {
	l := n.fs
	switch {
	case n.kind == "root" && name == "self":
		return l.inode("self", name, abi.S_IFLNK|0o777), nil
	case n.kind == "root" && name == "live":
		return l.inode("live", name, abi.S_IFDIR|0o555), nil
	case n.kind == "root":
		l.mu.Lock()
		_, ok := l.jumps[name]
		l.mu.Unlock()
		if ok {
			return l.inode("magic", name, abi.S_IFLNK|0o777), nil
		}
	case n.kind == "live":
		l.mu.Lock()
		in := l.live[name]
		l.mu.Unlock()
		if in != nil {
			return in, nil
		}
	}
	return nil, abi.ENOENT
}

// Revalidate: an entry of "live" holds while the test keeps that inode.
func (n *linkNode) Revalidate(name string, child *Inode) bool {
	if n.kind != "live" {
		return true
	}
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	return n.fs.live[name] == child
}

func (n selfNode) ReadlinkFor(c *Creds) (string, error) {
	s, ok := c.Caller.(string)
	if !ok {
		return "", abi.ENOENT
	}
	return s, nil
}

func (n *linkNode) Readlink() (string, error) { return "/" + n.kind + "-body", nil }

func (n magicNode) Jump(c *Creds, _ Path) (Path, error) {
	n.fs.mu.Lock()
	f := n.fs.jumps[n.name]
	n.fs.mu.Unlock()
	return f()
}

func (n *linkNode) Create(string, uint32, uint32, uint32) (*Inode, error) { return nil, abi.EACCES }
func (n *linkNode) Mkdir(string, uint32, uint32, uint32) (*Inode, error)  { return nil, abi.EPERM }
func (n *linkNode) Mknod(string, uint32, uint32, uint32, uint64) (*Inode, error) {
	return nil, abi.EPERM
}
func (n *linkNode) Symlink(string, string, uint32, uint32) (*Inode, error) { return nil, abi.EPERM }
func (n *linkNode) Link(string, *Inode) error                              { return abi.EPERM }
func (n *linkNode) Unlink(string) error                                    { return abi.EPERM }
func (n *linkNode) Rmdir(string) error                                     { return abi.EPERM }
func (n *linkNode) Rename(string, *Inode, string, uint32) error            { return abi.EPERM }
func (n *linkNode) ReadDir(int64, func(DirEntry) bool) error               { return nil }
func (n *linkNode) SetAttr(*AttrChange) error                              { return abi.EPERM }

// magicFixture is a memFS root with /a/f and /b, and the link file
// system mounted on /m, with "tofile" jumping to /a/f, "todir" to /a,
// "pipe" failing with ENXIO, and "self" naming the caller's string.
func magicFixture(t *testing.T) (*fixture, *linkFS) {
	f := newFixture(t)
	f.mkdir("/a", 0o755)
	f.create("/a/f", 0o644)
	f.mkdir("/a/sub", 0o755)
	f.mkdir("/m", 0o755)
	l, lfs := newLinkFS()
	p, err := f.mt.Resolve(rootCreds, f.root(), f.root(), "/m", 0)
	f.must(err, "resolve /m")
	_, err = f.mt.Mount(lfs, p)
	f.must(err, "mount /m")
	file, dir := f.lookup("/a/f"), f.lookup("/a")
	l.jumps["tofile"] = func() (Path, error) { return file, nil }
	l.jumps["todir"] = func() (Path, error) { return dir, nil }
	l.jumps["pipe"] = func() (Path, error) { return Path{}, abi.ENXIO }
	return f, l
}

// TestMagicLinks: following a magic link lands on its object whatever
// its body says, in the middle of a path or at its end, and the RESOLVE_
// flags refuse it as nd_jump_link does.
func TestMagicLinks(t *testing.T) {
	f, _ := magicFixture(t)
	m := f.lookup("/m")
	for _, tc := range []struct {
		path  string
		flags Flags
		from  Path // zero: the root
		want  string
	}{
		{"/m/tofile", 0, Path{}, "/a/f@root"},
		{"/m/todir", 0, Path{}, "/a@root"},
		{"/m/todir/sub", 0, Path{}, "/a/sub@root"},
		{"/m/todir/f", 0, Path{}, "/a/f@root"},
		{"/m/todir/..", 0, Path{}, "/@root"},
		{"/m/tofile/x", 0, Path{}, "ENOTDIR"},
		{"/m/tofile", NoFollow, Path{}, "/m/tofile@links"},
		{"/m/todir/", NoFollow, Path{}, "/a@root"},
		{"/m/tofile", ResolveNoMagiclinks, Path{}, "ELOOP"},
		{"/m/todir/sub", ResolveNoMagiclinks, Path{}, "ELOOP"},
		{"/m/tofile", ResolveNoMagiclinks | NoFollow, Path{}, "/m/tofile@links"},
		{"/m/tofile", ResolveNoSymlinks, Path{}, "ELOOP"},
		{"/m/tofile", ResolveNoXdev, Path{}, "EXDEV"},
		{"tofile", ResolveBeneath, m, "EXDEV"},
		{"tofile", ResolveInRoot, m, "EXDEV"},
		{"tofile", 0, m, "/a/f@root"},
		{"/m/pipe", 0, Path{}, "ENXIO"},
		{"/m/pipe", NoFollow, Path{}, "/m/pipe@links"},
		{"/m/todir", Directory, Path{}, "/a@root"},
		{"/m/tofile", Directory, Path{}, "ENOTDIR"},
	} {
		from := tc.from
		if from.Dentry == nil {
			from = f.root()
		}
		p, err := f.mt.Resolve(rootCreds, f.root(), from, tc.path, tc.flags)
		got := errName(err)
		if err == nil {
			got = f.where(p)
		}
		if got != tc.want {
			t.Errorf("Resolve(%q, %#x) = %s, want %s", tc.path, tc.flags, got, tc.want)
		}
	}
}

// TestMagicLinkCountsAsLink: each jump counts against MaxSymlinks, as
// pick_link counts every link.
func TestMagicLinkCountsAsLink(t *testing.T) {
	f, l := magicFixture(t)
	l.jumps["loop"] = func() (Path, error) { return f.lookup("/m"), nil }
	path := func(jumps int) string { return "/m" + strings.Repeat("/loop", jumps) + "/tofile" }
	if _, err := f.mt.Resolve(rootCreds, f.root(), f.root(), path(MaxSymlinks), 0); err != abi.ELOOP {
		t.Errorf("%d jumps then one more: %s, want ELOOP", MaxSymlinks, errName(err))
	}
	p, err := f.mt.Resolve(rootCreds, f.root(), f.root(), path(MaxSymlinks-1), 0)
	if err != nil || f.where(p) != "/a/f@root" {
		t.Errorf("%d links: %s", MaxSymlinks, errName(err))
	}
}

// TestCallerLinks: a CallerLink's body is the caller's, in a walk and
// through ReadlinkAs; a plain symlink reads as its Readlink.
func TestCallerLinks(t *testing.T) {
	f, _ := magicFixture(t)
	f.symlink("/a", "/plain")
	as := func(s string) *Creds { return &Creds{Caller: s} }
	for _, tc := range []struct {
		c    *Creds
		path string
		want string
	}{
		{as("/a"), "/m/self", "/a@root"},
		{as("/a"), "/m/self/f", "/a/f@root"},
		{as("a/sub"), "/m/self", "ENOENT"}, // relative to /m, which has no "a"
		{as("../a/sub"), "/m/self", "/a/sub@root"},
		{as("/m/tofile"), "/m/self", "/a/f@root"},
		{rootCreds, "/m/self", "ENOENT"},
	} {
		p, err := f.mt.Resolve(tc.c, f.root(), f.root(), tc.path, 0)
		got := errName(err)
		if err == nil {
			got = f.where(p)
		}
		if got != tc.want {
			t.Errorf("as %v: Resolve(%q) = %s, want %s", tc.c.Caller, tc.path, got, tc.want)
		}
	}
	self := f.lookup("/m/self").Dentry.Inode()
	if s, err := ReadlinkAs(as("/x"), self); s != "/x" || err != nil {
		t.Errorf("ReadlinkAs(self) = %q, %v", s, err)
	}
	if s, err := ReadlinkAs(as("/x"), f.lookup("/plain").Dentry.Inode()); s != "/a" || err != nil {
		t.Errorf("ReadlinkAs(plain) = %q, %v", s, err)
	}
	if s, err := ReadlinkAs(as("/x"), f.lookup("/m/tofile").Dentry.Inode()); s != "/magic-body" || err != nil {
		t.Errorf("ReadlinkAs(magic) = %q, %v", s, err)
	}
}

// TestRevalidate: a cached entry its directory calls stale is dropped
// (and dead, for whoever still holds it), and the name looked up again.
func TestRevalidate(t *testing.T) {
	f, l := magicFixture(t)
	in1 := l.inode("file", "x", abi.S_IFREG|0o444)
	l.live["x"] = in1
	p1 := f.lookup("/m/live/x")
	if p1.Dentry.Inode() != in1 {
		t.Fatal("first lookup: wrong inode")
	}
	if p := f.lookup("/m/live/x"); p != p1 {
		t.Error("a valid entry was not the cached dentry")
	}
	delete(l.live, "x")
	if _, err := f.mt.Resolve(rootCreds, f.root(), f.root(), "/m/live/x", 0); err != abi.ENOENT {
		t.Errorf("stale entry: %s, want ENOENT", errName(err))
	}
	if !p1.Dentry.Dead() {
		t.Error("the stale dentry is not dead")
	}
	in2 := l.inode("file", "x", abi.S_IFREG|0o444)
	l.live["x"] = in2
	if p := f.lookup("/m/live/x"); p.Dentry.Inode() != in2 {
		t.Error("the name came back with the old inode")
	}
}

// TestRevalidateSweep: a lookup that adds an entry to a revalidated
// directory drops the stale ones still cached, so the gone do not pile
// up; the live ones stay.
func TestRevalidateSweep(t *testing.T) {
	f, l := magicFixture(t)
	var paths []Path
	for _, name := range []string{"a", "b", "c"} {
		l.live[name] = l.inode("file", name, abi.S_IFREG|0o444)
		paths = append(paths, f.lookup("/m/live/"+name))
	}
	delete(l.live, "a")
	delete(l.live, "c")
	if paths[0].Dentry.Dead() {
		t.Fatal("swept before any lookup")
	}
	l.live["d"] = l.inode("file", "d", abi.S_IFREG|0o444)
	f.lookup("/m/live/d")
	if !paths[0].Dentry.Dead() || paths[1].Dentry.Dead() || !paths[2].Dentry.Dead() {
		t.Errorf("after a new entry: dead %v %v %v, want true false true",
			paths[0].Dentry.Dead(), paths[1].Dentry.Dead(), paths[2].Dentry.Dead())
	}
	live := f.lookup("/m/live").Dentry
	live.mu.Lock()
	n := len(live.children)
	live.mu.Unlock()
	if n != 2 {
		t.Errorf("%d entries cached, want 2 (b and d)", n)
	}
}
