package ext2

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

var root = &vfs.Creds{}

// fileDev is an image file as a block device.
type fileDev struct{ f *os.File }

func (d fileDev) ReadAt(b []byte, off int64) (int, error) {
	n, err := d.f.ReadAt(b, off)
	if err != nil {
		return n, abi.EIO
	}
	return n, nil
}

func (d fileDev) WriteAt(b []byte, off int64) (int, error) {
	n, err := d.f.WriteAt(b, off)
	if err != nil {
		return n, abi.EIO
	}
	return n, nil
}

func (d fileDev) Size() int64 {
	st, err := d.f.Stat()
	if err != nil {
		return 0
	}
	return st.Size()
}

// needTools skips the test when the host has no e2fsprogs.
func needTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"mkfs.ext2", "e2fsck", "debugfs"} {
		if _, err := exec.LookPath(tool); err != nil {
			if _, err := os.Stat("/usr/sbin/" + tool); err != nil {
				t.Skipf("e2fsprogs is not installed (no %s): the ext2 tests build their images with it", tool)
			}
		}
	}
}

func tool(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return "/usr/sbin/" + name
}

// mkfs makes an image of sizeK KiB with the host's mkfs.ext2 and the
// given options.
func mkfs(t *testing.T, sizeK int, opts ...string) string {
	t.Helper()
	needTools(t)
	img := filepath.Join(t.TempDir(), "img")
	args := append([]string{"-q", "-F"}, opts...)
	args = append(args, img, fmt.Sprint(sizeK))
	if out, err := exec.Command(tool("mkfs.ext2"), args...).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext2 %v: %v\n%s", args, err, out)
	}
	return img
}

// fsck runs e2fsck -fn on the image and fails the test on any problem.
func fsck(t *testing.T, img string) {
	t.Helper()
	out, err := exec.Command(tool("e2fsck"), "-fn", img).CombinedOutput()
	if err != nil {
		t.Fatalf("e2fsck -fn: %v\n%s", err, out)
	}
}

// debugfsCat is a file's contents as debugfs reads them.
func debugfsCat(t *testing.T, img, path string) []byte {
	t.Helper()
	out, err := exec.Command(tool("debugfs"), "-R", "cat "+path, img).Output()
	if err != nil {
		t.Fatalf("debugfs cat %s: %v", path, err)
	}
	return out
}

func debugfs(t *testing.T, img, cmd string) string {
	t.Helper()
	out, err := exec.Command(tool("debugfs"), "-R", cmd, img).CombinedOutput()
	if err != nil {
		t.Fatalf("debugfs %s: %v\n%s", cmd, err, out)
	}
	return string(out)
}

// fixture is a mounted image and a mount table over it.
type fixture struct {
	t     *testing.T
	img   string
	file  *os.File
	fs    *FS
	mt    *vfs.MountTable
	clock atomic.Int64
}

func mount(t *testing.T, img string, ro bool) *fixture {
	t.Helper()
	f, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	x := &fixture{t: t, img: img, file: f}
	x.clock.Store(1_700_000_000 * 1e9)
	x.fs, err = Mount(fileDev{f}, Options{ReadOnly: ro, Now: func() int64 { return x.clock.Add(1e9) }})
	if err != nil {
		f.Close()
		t.Fatalf("mount %s: %v", img, err)
	}
	x.mt = vfs.NewMountTable(x.fs.VFS())
	t.Cleanup(func() { x.file.Close() })
	return x
}

// umount releases the instance and checks the image.
func (x *fixture) umount() {
	x.t.Helper()
	if err := x.fs.Release(); err != nil {
		x.t.Fatalf("release: %v", err)
	}
	fsck(x.t, x.img)
}

func (x *fixture) root() vfs.Path { return x.mt.Root() }

func (x *fixture) resolve(path string) (vfs.Path, error) {
	r := x.root()
	return x.mt.Resolve(root, r, r, path, vfs.NoFollow)
}

func (x *fixture) node(path string) *Node {
	x.t.Helper()
	p, err := x.resolve(path)
	if err != nil {
		x.t.Fatalf("resolve %s: %v", path, err)
	}
	n, _ := NodeOf(p.Dentry.Inode())
	return n
}

func (x *fixture) mkdir(path string) error {
	r := x.root()
	return x.mt.Mkdir(root, r, r, path, 0o755)
}

func (x *fixture) create(path string) (*Node, error) {
	r := x.root()
	p, err := x.mt.Create(root, r, r, path, 0o644)
	if err != nil {
		return nil, err
	}
	n, _ := NodeOf(p.Dentry.Inode())
	return n, nil
}

func (x *fixture) unlink(path string) error {
	r := x.root()
	return x.mt.Unlink(root, r, r, path)
}

func (x *fixture) rmdir(path string) error {
	r := x.root()
	return x.mt.Rmdir(root, r, r, path)
}

func (x *fixture) rename(from, to string) error {
	r := x.root()
	return x.mt.Rename(root, r, r, from, r, to, 0)
}

func (x *fixture) must(err error) {
	x.t.Helper()
	if err != nil {
		x.t.Fatal(err)
	}
}

// write writes b at off, all of it.
func (x *fixture) write(n *Node, b []byte, off int64) {
	x.t.Helper()
	if w, err := n.WriteAt(b, off); err != nil || w != len(b) {
		x.t.Fatalf("write %d at %d: %d, %v", len(b), off, w, err)
	}
}

func (x *fixture) contents(n *Node) []byte {
	x.t.Helper()
	b := make([]byte, n.Size())
	if got, err := n.ReadAt(b, 0); err != nil || got != len(b) {
		x.t.Fatalf("read: %d of %d, %v", got, len(b), err)
	}
	return b
}

// pattern is len bytes that differ with seed and position.
func pattern(seed, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(seed*31 + i*7 + i/251)
	}
	return b
}

func (x *fixture) names(path string) []string {
	x.t.Helper()
	p, err := x.mt.Resolve(root, x.root(), x.root(), path, 0)
	x.must(err)
	var out []string
	x.must(p.Dentry.ReadDir(0, func(e vfs.DirEntry) bool {
		if e.Name != "." && e.Name != ".." {
			out = append(out, e.Name)
		}
		return true
	}))
	return out
}

var _ = bytes.Equal
