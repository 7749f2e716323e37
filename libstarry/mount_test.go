package libstarry

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

func TestTmpfsOptions(t *testing.T) {
	const frames = 1000
	cases := []struct {
		data  string
		pages int64
		mode  uint32
		err   error
	}{
		{"", frames / 2, 0o1777, nil},
		{"size=64k", 16, 0o1777, nil},
		{"size=1m,mode=755", 256, 0o755, nil},
		{"size=10%", 100, 0o1777, nil},
		{"size=4097", 2, 0o1777, nil},
		{"size=x", 0, 0, abi.EINVAL},
		{"mode=9", 0, 0, abi.EINVAL},
		{"bogus", 0, 0, abi.EINVAL},
		{"nr_inodes=10,uid=5", frames / 2, 0o1777, nil},
	}
	for _, c := range cases {
		o, err := parseTmpfsOptions(c.data, frames)
		if err != c.err || err == nil && (o.pages != c.pages || o.mode != c.mode) {
			t.Errorf("%q: %+v, %v; want %d pages mode %#o, %v", c.data, o, err, c.pages, c.mode, c.err)
		}
	}
}

// TestMountReadOnlyAndFull: a mounted tmpfs has its own limit (ENOSPC,
// the contents before it intact), a read-only mount refuses changes
// (EROFS), and unmounting uncovers the directory.
func TestMountReadOnlyAndFull(t *testing.T) {
	_, ex := newMachine()
	fs, err := NewFiles(ex, entries(t, InitDir("mnt", 0o755)))
	if err != nil {
		t.Fatal(err)
	}
	p := &Process{cfg: Config{FS: fs}, cred: rootCred, fs: newFSContext(fs)}
	w := p.At(fs.Root().Mount.Root())
	mnt, err := p.Resolve(w, "/mnt", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Mount("tmpfs", mnt, "tmpfs", 0, "size=8k"); err != nil {
		t.Fatal(err)
	}
	if err := p.Mount("x", mnt, "ext4", 0, ""); err != abi.ENODEV {
		t.Errorf("mount of ext4: %v, want ENODEV", err)
	}
	of, err := p.Open(w, "/mnt/f", abi.O_CREAT|abi.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	n, err := of.Write(nil, make([]byte, 3*4096))
	if n != 2*4096 || err != nil {
		t.Errorf("write past an 8 KiB tmpfs: %d, %v; want a short write of 8192", n, err)
	}
	if n, err := of.Write(nil, []byte("x")); n != 0 || err != abi.ENOSPC {
		t.Errorf("write to a full tmpfs: %d, %v; want ENOSPC", n, err)
	}
	of.DecRef()
	top, _ := p.Resolve(w, "/mnt", 0)
	if err := p.Remount(top, MountReadOnly); err != nil {
		t.Fatal(err)
	}
	if err := p.Mkdir(w, "/mnt/d", 0o755); err != abi.EROFS {
		t.Errorf("mkdir on a read-only mount: %v", err)
	}
	if _, err := p.Open(w, "/mnt/f", abi.O_WRONLY, 0); err != abi.EROFS {
		t.Errorf("open for writing on a read-only mount: %v", err)
	}
	if err := p.Unlink(w, "/mnt/f"); err != abi.EROFS {
		t.Errorf("unlink on a read-only mount: %v", err)
	}
	if err := p.Umount(top); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Resolve(w, "/mnt/f", 0); err != abi.ENOENT {
		t.Errorf("after umount /mnt/f: %v, want ENOENT", err)
	}
}
