package ext2

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestOperations does every kind of change on each block size and
// revision, then checks the image with e2fsck and reads it back with
// debugfs.
func TestOperations(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []string
	}{
		{"1k", []string{"-b", "1024"}},
		{"2k", []string{"-b", "2048"}},
		{"4k", []string{"-b", "4096"}},
		{"rev0", []string{"-b", "1024", "-r", "0"}},
		{"nofiletype", []string{"-b", "1024", "-O", "^filetype,^resize_inode,^dir_index"}},
		{"inode128", []string{"-b", "4096", "-I", "128"}},
	} {
		t.Run(c.name, func(t *testing.T) { testOperations(t, mkfs(t, 16384, c.opts...)) })
	}
}

func testOperations(t *testing.T, img string) {
	x := mount(t, img, false)
	x.must(x.mkdir("/d"))
	x.must(x.mkdir("/d/e"))
	a, err := x.create("/d/a")
	x.must(err)
	small := pattern(1, 5000)
	x.write(a, small, 0)
	// A sparse file reaching the double and (with 1k blocks) triple
	// indirect blocks.
	big, err := x.create("/big")
	x.must(err)
	far := int64(70 << 20)
	x.write(big, pattern(2, 3000), 300<<10)
	x.write(big, pattern(3, 9000), far)
	x.write(big, pattern(4, 100), 5)
	r := x.root()
	x.must(x.mt.Symlink(root, "short-target", r, r, "/fast"))
	long := strings.Repeat("x/", 100)
	x.must(x.mt.Symlink(root, long, r, r, "/slow"))
	x.must(x.mt.Mknod(root, r, r, "/chr", abi.S_IFCHR|0o600, abi.Mkdev(1, 3)))
	x.must(x.mt.Mknod(root, r, r, "/blk", abi.S_IFBLK|0o600, abi.Mkdev(300, 70000)))
	x.must(x.mt.Mknod(root, r, r, "/fifo", abi.S_IFIFO|0o600, 0))
	ap, _ := x.resolve("/d/a")
	x.must(x.mt.Link(root, ap, r, r, "/d/e/hard"))
	// Many entries, so the directory grows past a block, then some go.
	for i := range 200 {
		_, err := x.create("/d/f" + strings.Repeat("n", i%40) + string(rune('a'+i%26)) + itoa(i))
		x.must(err)
	}
	for i := 0; i < 200; i += 3 {
		x.must(x.unlink("/d/f" + strings.Repeat("n", i%40) + string(rune('a'+i%26)) + itoa(i)))
	}
	x.must(x.mkdir("/gone"))
	x.must(x.rmdir("/gone"))
	x.must(x.rename("/d/e", "/moved"))
	x.must(x.rename("/d/a", "/moved/a2"))
	x.must(x.mkdir("/empty"))
	x.must(x.mkdir("/victim"))
	x.must(x.rename("/empty", "/victim"))
	tr, err := x.create("/trunc")
	x.must(err)
	x.write(tr, pattern(5, 300<<10), 0)
	x.must(tr.Truncate(1500))
	x.must(tr.Truncate(4000))
	x.must(vfs.SetAttr(root, x.node("/trunc").Inode(), vfs.AttrChange{Valid: vfs.SetMode | vfs.SetUID | vfs.SetGID, Mode: 0o4711, UID: 70000, GID: 5}))

	if got := x.contents(x.node("/moved/hard")); !bytes.Equal(got, small) {
		t.Fatal("hard link reads other bytes")
	}
	if s, _ := x.node("/slow").Readlink(); s != long {
		t.Fatalf("slow symlink reads %q", s)
	}
	if a := x.node("/blk").Inode().Attr(); a.Rdev != abi.Mkdev(300, 70000) {
		t.Fatalf("rdev %x", a.Rdev)
	}
	x.umount()

	if got := debugfsCat(t, img, "/moved/a2"); !bytes.Equal(got, small) {
		t.Fatalf("debugfs reads %d bytes of /moved/a2, want %d", len(got), len(small))
	}
	want := make([]byte, far+9000)
	copy(want[300<<10:], pattern(2, 3000))
	copy(want[far:], pattern(3, 9000))
	copy(want[5:], pattern(4, 100))
	if got := debugfsCat(t, img, "/big"); !bytes.Equal(got, want) {
		t.Fatalf("debugfs reads %d bytes of /big, other than written", len(got))
	}
	tw := pattern(5, 4000)
	clear(tw[1500:])
	if got := debugfsCat(t, img, "/trunc"); !bytes.Equal(got, tw) {
		t.Fatal("truncated file reads other bytes")
	}
	if s := debugfs(t, img, "stat /trunc"); !strings.Contains(s, "User: 70000") || !strings.Contains(s, "Mode:  04711") {
		t.Fatalf("stat /trunc:\n%s", s)
	}
	// Mounted again, it reads the same.
	y := mount(t, img, true)
	if got := y.contents(y.node("/big")); !bytes.Equal(got, want) {
		t.Fatal("remount reads /big otherwise")
	}
	if s, _ := y.node("/fast").Readlink(); s != "short-target" {
		t.Fatalf("fast symlink %q", s)
	}
	if _, err := y.create("/new"); err != abi.EROFS {
		t.Fatalf("create on a read-only mount: %v", err)
	}
}

func itoa(i int) string {
	return strings.TrimLeft(string([]byte{byte('0' + i/100), byte('0' + i/10%10), byte('0' + i%10)}), "0")
}

// TestReadPopulated reads an image mkfs.ext2 filled from a directory.
func TestReadPopulated(t *testing.T) {
	needTools(t)
	src := t.TempDir()
	files := map[string][]byte{"a": pattern(1, 10), "sub/b": pattern(2, 70000), "sub/deep/c": nil}
	for name, data := range files {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("sub/b", filepath.Join(src, "link")); err != nil {
		t.Fatal(err)
	}
	img := mkfs(t, 8192, "-b", "1024", "-d", src)
	x := mount(t, img, false)
	for name, data := range files {
		if got := x.contents(x.node("/" + name)); !bytes.Equal(got, data) {
			t.Fatalf("%s reads %d bytes, want %d", name, len(got), len(data))
		}
	}
	if got := strings.Join(x.names("/sub"), ","); got != "b,deep" && got != "deep,b" {
		t.Fatalf("/sub lists %s", got)
	}
	x.must(x.unlink("/sub/b"))
	x.umount()
}

// TestFeatures: unknown incompat features refuse any mount, unknown
// ro_compat ones a read-write mount.
func TestFeatures(t *testing.T) {
	img := mkfs(t, 4096)
	set := func(off int, v uint32) {
		f, err := os.OpenFile(img, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		b := make([]byte, 4)
		le.PutUint32(b, v)
		if _, err := f.WriteAt(b, sbOffset+int64(off)); err != nil {
			t.Fatal(err)
		}
	}
	get := func(off int) uint32 {
		b, _ := os.ReadFile(img)
		return le.Uint32(b[sbOffset+off:])
	}
	try := func(ro bool) error {
		f, _ := os.OpenFile(img, os.O_RDWR, 0)
		defer f.Close()
		_, err := Mount(fileDev{f}, Options{ReadOnly: ro, Now: func() int64 { return 0 }})
		return err
	}
	ro := get(sbFeatureRO)
	set(sbFeatureRO, ro|0x8000)
	if err := try(false); err != abi.EINVAL {
		t.Fatalf("rw mount with an unknown ro_compat feature: %v", err)
	}
	if err := try(true); err != nil {
		t.Fatalf("ro mount with an unknown ro_compat feature: %v", err)
	}
	set(sbFeatureRO, ro)
	inc := get(sbFeatureInc)
	set(sbFeatureInc, inc|0x0040) // extents
	if err := try(true); err != abi.EINVAL {
		t.Fatalf("mount with extents: %v", err)
	}
	set(sbFeatureInc, inc)
	if err := try(false); err != nil {
		t.Fatal(err)
	}
}

// TestFull fills the disk: ENOSPC, then freeing brings the space back.
func TestFull(t *testing.T) {
	img := mkfs(t, 2048, "-b", "1024")
	x := mount(t, img, false)
	free := x.fs.Statfs().Free
	n, err := x.create("/fill")
	x.must(err)
	chunk := pattern(9, 64<<10)
	var off int64
	for {
		w, err := n.WriteAt(chunk, off)
		off += int64(w)
		if err == abi.ENOSPC {
			break
		}
		x.must(err)
		if off > 4<<20 {
			t.Fatal("never ran out of space")
		}
	}
	if x.fs.Statfs().Free != 0 {
		t.Fatalf("free after ENOSPC: %d", x.fs.Statfs().Free)
	}
	if _, err := x.create("/more"); err != nil {
		t.Fatalf("an empty file needs no block: %v", err)
	}
	if err := x.mkdir("/dir"); err != abi.ENOSPC {
		t.Fatalf("mkdir on a full disk: %v", err)
	}
	x.must(x.unlink("/fill"))
	if got := x.fs.Statfs().Free; got != free {
		t.Fatalf("free %d after unlink, was %d", got, free)
	}
	x.umount()
}

// TestUnlinkedOpen: a file unlinked while open keeps its blocks until
// the last Close.
func TestUnlinkedOpen(t *testing.T) {
	img := mkfs(t, 4096)
	x := mount(t, img, false)
	free := x.fs.Statfs().Free
	n, err := x.create("/f")
	x.must(err)
	n.Open()
	x.write(n, pattern(1, 100000), 0)
	x.must(x.unlink("/f"))
	if got := x.contents(n); !bytes.Equal(got, pattern(1, 100000)) {
		t.Fatal("unlinked file reads other bytes")
	}
	if x.fs.Statfs().Free == free {
		t.Fatal("blocks freed while open")
	}
	n.Close()
	if got := x.fs.Statfs().Free; got != free {
		t.Fatalf("free %d after close, was %d", got, free)
	}
	x.umount()
}

// TestRenameRules: replacing, moving directories, ENOTEMPTY, EXCHANGE.
func TestRenameRules(t *testing.T) {
	img := mkfs(t, 4096)
	x := mount(t, img, false)
	x.must(x.mkdir("/a"))
	x.must(x.mkdir("/a/sub"))
	x.must(x.mkdir("/b"))
	_, err := x.create("/b/file")
	x.must(err)
	if err := x.rename("/a", "/b"); err != abi.ENOTEMPTY {
		t.Fatalf("rename over a non-empty directory: %v", err)
	}
	r := x.root()
	if err := x.mt.Rename(root, r, r, "/a", r, "/b", vfs.RenameExchange); err != abi.EINVAL {
		t.Fatalf("RENAME_EXCHANGE: %v", err)
	}
	x.must(x.rename("/a/sub", "/b/sub"))
	if got := x.node("/a").Inode().Attr().Nlink; got != 2 {
		t.Fatalf("/a has %d links", got)
	}
	if got := x.node("/b").Inode().Attr().Nlink; got != 3 {
		t.Fatalf("/b has %d links", got)
	}
	_, err = x.create("/c")
	x.must(err)
	x.must(x.rename("/c", "/b/file"))
	x.must(x.rename("/b/sub", "/a"))
	x.umount()
}

// TestBusyboxImage: the guest makes its file systems with busybox's
// mke2fs (LTP's mkfs.ext2 there), so its images must work too.
func TestBusyboxImage(t *testing.T) {
	needTools(t)
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("no /bin/busybox")
	}
	img := filepath.Join(t.TempDir(), "img")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 64<<20); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("/bin/busybox", "mke2fs", "-F", img).CombinedOutput(); err != nil {
		t.Fatalf("busybox mke2fs: %v\n%s", err, out)
	}
	fsck(t, img)
	testOperations(t, img)
}

// TestFileAttr: chattr's flags reach the disk, FS_COMPR_FL included (ext2
// keeps it), and statx reports them.
func TestFileAttr(t *testing.T) {
	img := mkfs(t, 4096)
	x := mount(t, img, false)
	n, err := x.create("/f")
	x.must(err)
	x.must(vfs.SetFileAttr(root, n.Inode(), vfs.FillFlags(abi.FS_COMPR_FL|abi.FS_NODUMP_FL|abi.FS_APPEND_FL), true))
	if attrs, _ := n.StatxAttributes(); attrs != abi.STATX_ATTR_COMPRESSED|abi.STATX_ATTR_NODUMP|abi.STATX_ATTR_APPEND {
		t.Fatalf("statx attributes %#x", attrs)
	}
	if !n.Inode().IsAppend() {
		t.Fatal("append-only flag not enforced")
	}
	x.must(vfs.SetFileAttr(root, n.Inode(), vfs.FillFlags(abi.FS_COMPR_FL|abi.FS_NODUMP_FL), true))
	x.must(x.mkdir("/d"))
	x.must(vfs.SetFileAttr(root, x.node("/d").Inode(), vfs.FillFlags(abi.FS_NODUMP_FL), true))
	k, err := x.create("/d/inherits")
	x.must(err)
	if got := k.GetFileAttr().Flags; got != abi.FS_NODUMP_FL {
		t.Fatalf("new file's flags %#x", got)
	}
	x.umount()
	if s := debugfs(t, img, "stat /f"); !strings.Contains(s, "Flags: 0x44") {
		t.Fatalf("stat /f:\n%s", s)
	}
}

// TestDetachWhileOpen: unmounted with a file open (a lazy unmount), the
// instance goes on serving it and ends with its last Close.
func TestDetachWhileOpen(t *testing.T) {
	img := mkfs(t, 4096)
	x := mount(t, img, false)
	n, err := x.create("/f")
	x.must(err)
	n.Open()
	idle := false
	x.fs.Attach()
	if x.fs.Detach(func() { idle = true }) {
		t.Fatal("released with a file open")
	}
	x.write(n, []byte("after"), 0)
	x.must(x.unlink("/f"))
	n.Close()
	if !idle || !x.fs.released {
		t.Fatal("the last Close did not end the instance")
	}
	fsck(t, img)
	y := mount(t, img, false)
	y.fs.Attach()
	if y.fs.Detach(nil) != true {
		t.Fatal("an idle instance is released at once")
	}
}
