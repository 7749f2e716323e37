package procfs

import (
	"testing"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/tmpfs"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestMagicJump: in a namespace of tmpfs on / and procfs on /proc, the
// descriptor, cwd and root links of a process lead to the tmpfs objects
// themselves (nd_jump_link), whatever their names say, and open lands on
// the tmpfs file.
func TestMagicJump(t *testing.T) {
	ex := exo.New(sim.New(256), time.Millisecond)
	pager, err := ex.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	tfs := tmpfs.New(pager, 0, func() int64 { return 0 })
	mt := vfs.NewMountTable(tfs.VFS())
	root, c := mt.Root(), &vfs.Creds{Caller: looker{42, 42}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(mt.Mkdir(c, root, root, "/proc", 0o555))
	must(mt.Mkdir(c, root, root, "/work", 0o755))
	file, err := mt.Create(c, root, root, "/work/x", 0o644)
	must(err)
	work, err := mt.Resolve(c, root, root, "/work", 0)
	must(err)
	src := sample()
	src.links[42]["cwd"], src.links[42]["root"] = Link{Name: "/work", Path: work}, Link{Name: "/", Path: root}
	// The name is stale on purpose: following must not read it.
	src.fds[42] = append(src.fds[42], FDInfo{FD: 5, Link: Link{Name: "/elsewhere", Path: file}, Flags: abi.O_RDONLY})
	// A pipe has no place: following leads to an unnamed inode that
	// opens it anew.
	var reopened []int
	reopen := func(flags int) (fd.File, error) { reopened = append(reopened, flags); return &roFile{}, nil }
	src.fds[42] = append(src.fds[42], FDInfo{FD: 6, Link: Link{Name: "pipe:[88]", Reopen: reopen, Mode: abi.S_IFIFO | 0o600, Ino: 88}})
	procAt, err := mt.Resolve(c, root, root, "/proc", 0)
	must(err)
	pfs := New(src)
	_, err = mt.Mount(pfs.VFS(), procAt)
	must(err)
	for _, tc := range []struct {
		path  string
		flags vfs.Flags
		want  vfs.Path
		err   error
	}{
		{"/proc/self/fd/5", 0, file, nil},
		{"/proc/42/fd/5", 0, file, nil},
		{"/proc/thread-self/fd/5", 0, file, nil},
		{"/proc/self/cwd/x", 0, file, nil},
		{"/proc/self/cwd", 0, work, nil},
		{"/proc/self/root/work/x", 0, file, nil},
		{"/proc/self/cwd/../work/x", 0, file, nil},
		{"/proc/self/fd/5", vfs.ResolveNoMagiclinks, vfs.Path{}, abi.ELOOP},
		{"/proc/self/fd/5", vfs.ResolveNoXdev, vfs.Path{}, abi.EXDEV},
		{"/proc/self/fd/5/", 0, vfs.Path{}, abi.ENOTDIR},
		{"/proc/self/fd/3", 0, vfs.Path{}, abi.ENXIO},
		{"/proc/self/fd/9", 0, vfs.Path{}, abi.ENOENT},
	} {
		got, err := mt.Resolve(c, root, root, tc.path, tc.flags)
		if err != tc.err || err == nil && got != tc.want {
			t.Errorf("Resolve(%s, %#x) = %v, %v; want %v, %v", tc.path, tc.flags, got, err, tc.want, tc.err)
		}
	}
	got, err := mt.Resolve(c, root, root, "/proc/self/fd/5", 0)
	must(err)
	if _, ok, _ := Open(c, got, abi.O_RDONLY); ok {
		t.Error("procfs opened the tmpfs file itself")
	}
	if _, ok := tmpfs.NodeOf(got.Dentry.Inode()); !ok {
		t.Error("the jump did not land on a tmpfs inode")
	}
	pipe, err := mt.Resolve(c, root, root, "/proc/self/fd/6", 0)
	must(err)
	in := pipe.Dentry.Inode()
	if in.Type() != abi.S_IFIFO || in.Ino != 88 || !pipe.Dentry.Dead() || pipe.Mount.FS() != pfs.VFS() {
		t.Errorf("the pipe's link leads to %v (type %#o ino %d)", pipe, in.Type(), in.Ino)
	}
	if f, ok, err := Open(c, pipe, abi.O_WRONLY); !ok || err != nil || f == nil || len(reopened) != 1 || reopened[0] != abi.O_WRONLY {
		t.Errorf("opening the pipe's inode: %v %v %v, reopened %v", f, ok, err, reopened)
	}
	if _, err := mt.Resolve(c, root, root, "/proc/self/fd/6", vfs.ResolveNoMagiclinks); err != abi.ELOOP {
		t.Errorf("the pipe's link with RESOLVE_NO_MAGICLINKS: %v", err)
	}
	link, err := mt.Resolve(c, root, root, "/proc/self/fd/5", vfs.NoFollow)
	must(err)
	if s, err := vfs.ReadlinkAs(c, link.Dentry.Inode()); s != "/elsewhere" || err != nil {
		t.Errorf("readlink = %q, %v", s, err)
	}
}
