package vfs

import (
	"errors"
	"strings"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

var (
	rootCreds = &Creds{}
	user      = &Creds{UID: 1000, GID: 1000, Groups: []uint32{50}}
	user2     = &Creds{UID: 1001, GID: 1001}
)

// fixture is a namespace over a memFS, with helpers that must succeed.
type fixture struct {
	t   *testing.T
	mem *memFS
	fs  *FileSystem
	mt  *MountTable
}

func newFixture(t *testing.T) *fixture {
	mem, fs := newMemFS("root")
	return &fixture{t: t, mem: mem, fs: fs, mt: NewMountTable(fs)}
}

func (f *fixture) root() Path { return f.mt.Root() }

func (f *fixture) must(err error, what string) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
}

func (f *fixture) mkdir(path string, mode uint32) {
	f.t.Helper()
	f.must(f.mt.Mkdir(rootCreds, f.root(), f.root(), path, mode), "mkdir "+path)
}

func (f *fixture) create(path string, mode uint32) {
	f.t.Helper()
	_, err := f.mt.Create(rootCreds, f.root(), f.root(), path, mode)
	f.must(err, "create "+path)
}

func (f *fixture) symlink(target, path string) {
	f.t.Helper()
	f.must(f.mt.Symlink(rootCreds, target, f.root(), f.root(), path), "symlink "+path)
}

func (f *fixture) chown(path string, uid, gid uint32) {
	f.t.Helper()
	p := f.lookup(path)
	f.must(SetAttr(rootCreds, p.Dentry.inode, AttrChange{Valid: SetUID | SetGID, UID: uid, GID: gid}), "chown "+path)
}

func (f *fixture) chmod(path string, mode uint32) {
	f.t.Helper()
	p := f.lookup(path)
	f.must(SetAttr(rootCreds, p.Dentry.inode, AttrChange{Valid: SetMode, Mode: mode}), "chmod "+path)
}

// lookup resolves path from the root as root, without following a final
// symlink.
func (f *fixture) lookup(path string) Path {
	f.t.Helper()
	p, err := f.mt.Resolve(rootCreds, f.root(), f.root(), path, NoFollow)
	f.must(err, "resolve "+path)
	return p
}

// mount mounts a new memFS called name on path.
func (f *fixture) mount(name, path string) (*memFS, *FileSystem, *Mount) {
	f.t.Helper()
	mem, fs := newMemFS(name)
	p, err := f.mt.Resolve(rootCreds, f.root(), f.root(), path, 0)
	f.must(err, "resolve "+path)
	m, err := f.mt.Mount(fs, p)
	f.must(err, "mount "+path)
	return mem, fs, m
}

// where names a Path as its absolute path and its file system's name.
func (f *fixture) where(p Path) string {
	s, under := f.mt.PathOf(f.root(), p)
	if !under {
		s = "?" + s
	}
	return s + "@" + p.Mount.fs.Name
}

// errName shows an error as its errno's name, for readable test failures.
func errName(err error) string {
	if err == nil {
		return "ok"
	}
	var e abi.Errno
	if errors.As(err, &e) {
		for name, v := range errnoNames {
			if v == e {
				return name
			}
		}
	}
	return err.Error()
}

var errnoNames = map[string]abi.Errno{
	"ENOENT": abi.ENOENT, "ENOTDIR": abi.ENOTDIR, "EISDIR": abi.EISDIR, "ELOOP": abi.ELOOP,
	"ENAMETOOLONG": abi.ENAMETOOLONG, "EACCES": abi.EACCES, "EPERM": abi.EPERM, "EEXIST": abi.EEXIST,
	"EINVAL": abi.EINVAL, "EAGAIN": abi.EAGAIN, "EXDEV": abi.EXDEV, "EBUSY": abi.EBUSY, "ENOTEMPTY": abi.ENOTEMPTY,
}

// want turns "ok" or an errno's name into what to compare errName with.
func want(s string) string {
	if s == "ok" || strings.HasPrefix(s, "E") {
		return s
	}
	panic("bad want " + s)
}
