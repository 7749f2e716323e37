package libstarry

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starry-go/starry/libstarry/ext2"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestExt2OnLoop mounts an image made by the host's mkfs.ext2 from a
// loop device, as LTP's .mount_device tests do, changes it, unmounts it
// and has e2fsck check what reached the backing file.
func TestExt2OnLoop(t *testing.T) {
	mkfs, err1 := exec.LookPath("mkfs.ext2")
	fsck, err2 := exec.LookPath("e2fsck")
	if err1 != nil || err2 != nil {
		t.Skip("e2fsprogs is not installed (mkfs.ext2, e2fsck): the test builds its image with it")
	}
	dir := t.TempDir()
	img := filepath.Join(dir, "img")
	if out, err := exec.Command(mkfs, "-q", "-F", "-b", "1024", img, "2048").CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext2: %v\n%s", err, out)
	}
	data, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	_, ex := newMachine()
	fs, err := NewFiles(ex, entries(t, InitDir("mnt", 0o755), InitDir("mnt2", 0o755), InitFile("img", data, 0o644)))
	if err != nil {
		t.Fatal(err)
	}
	p := &Process{cfg: Config{FS: fs}, cred: rootCred, fs: newFSContext(fs)}
	w := p.At(fs.Root().Mount.Root())
	resolve := func(path string) vfs.Path {
		q, err := p.Resolve(w, path, 0)
		if err != nil {
			t.Fatalf("resolve %s: %v", path, err)
		}
		return q
	}
	if err := p.Mount("/img", resolve("/mnt"), "ext2", 0, ""); err != abi.ENOTBLK {
		t.Fatalf("mount from a regular file: %v, want ENOTBLK", err)
	}
	backing, err := p.Open(w, "/img", abi.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := p.Open(w, "/dev/loop0", abi.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Mount("/dev/loop0", resolve("/mnt"), "ext2", 0, ""); err != abi.EINVAL {
		t.Fatalf("mount of an unbound device: %v, want EINVAL", err)
	}
	if err := dev.File.(*LoopDevice).Bind(backing, nil, 0); err != nil {
		t.Fatal(err)
	}
	if err := p.Mount("/dev/loop0", resolve("/mnt"), "ext2", 0, ""); err != nil {
		t.Fatal(err)
	}
	if err := p.Mount("/dev/loop0", resolve("/mnt2"), "ext2", 0, ""); err != nil {
		t.Fatalf("second mount of the device: %v", err)
	}
	of, err := p.Open(w, "/mnt/f", abi.O_CREAT|abi.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := of.Write(nil, make([]byte, 5000)); err != nil || n != 5000 {
		t.Fatalf("write: %d, %v", n, err)
	}
	if st := of.Stat(); st.Blocks != 10 || st.Size != 5000 {
		t.Fatalf("stat: %d blocks, size %d; want 10 and 5000", st.Blocks, st.Size)
	}
	of.DecRef()
	if st, err := fs.Stat("/mnt2/f", false); err != nil || st.Size != 5000 {
		t.Fatalf("the second mount shares the instance: %+v, %v", st, err)
	}
	if s := p.Statfs(resolve("/mnt")); s.Magic != ext2.Magic || s.BlockSize != 1024 {
		t.Fatalf("statfs: %+v", s)
	}
	held, err := p.Open(w, "/mnt/held", abi.O_CREAT|abi.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"/mnt", "/mnt2"} {
		if err := p.Umount(resolve(m)); err != nil {
			t.Fatal(err)
		}
	}
	// Unmounted with a file open, the instance lives until it is closed.
	if n, err := held.Write(nil, []byte("late")); err != nil || n != 4 {
		t.Fatalf("write after the unmount: %d, %v", n, err)
	}
	if got := fs.loops().devs[0].opens; got != 2 {
		t.Fatalf("device opened %d times while a file is open, want 2", got)
	}
	held.DecRef()
	st, err := p.Open(w, "/sys/block/loop0/stat", abi.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 512)
	n, _ := st.Read(nil, buf)
	st.DecRef()
	if f := strings.Fields(string(buf[:n])); len(f) != 17 || f[6] == "0" || f[9] == "0" {
		t.Fatalf("/sys/block/loop0/stat: %q", buf[:n])
	}
	if got := fs.loops().devs[0].opens; got != 1 {
		t.Fatalf("device opened %d times after the last close, want 1", got)
	}
	dev.DecRef()
	backing.DecRef()
	out, err := fs.ReadFile("/img")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(img, out, 0o644); err != nil {
		t.Fatal(err)
	}
	if res, err := exec.Command(fsck, "-fn", img).CombinedOutput(); err != nil {
		t.Fatalf("e2fsck -fn: %v\n%s", err, res)
	}
}
