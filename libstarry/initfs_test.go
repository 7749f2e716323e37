package libstarry

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// TestUnpack: the initramfs lands in the root tmpfs as populate_rootfs
// leaves it: files with their contents and modes, symlinks, implicit
// parents, later entries replacing earlier ones, devices under /dev, and
// tmpfs mounts on /tmp and /dev/shm.
func TestUnpack(t *testing.T) {
	_, ex := newMachine()
	fs, err := NewFiles(ex, entries(t,
		InitFile("bin/busybox", []byte("BB"), 0o755),
		InitSymlink("bin/sh", "busybox"),
		InitSymlink("usr/bin", "../bin"),
		InitFile("etc/motd", []byte("old"), 0o644),
		InitFile("etc/motd", []byte("hi"), 0o600),
		InitDir("srv", 0o700),
		InitFile("srv/x", nil, 0o644),
		InitDir("srv", 0o750),
	))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/bin/busybox": "BB", "/bin/sh": "BB", "/usr/bin/sh": "BB", "/etc/motd": "hi"} {
		if b, err := fs.ReadFile(path); err != nil || string(b) != want {
			t.Errorf("%s = %q, %v; want %q", path, b, err, want)
		}
	}
	modes := map[string]uint32{"/etc/motd": abi.S_IFREG | 0o600, "/srv": abi.S_IFDIR | 0o750, "/usr": abi.S_IFDIR | 0o755,
		"/tmp": abi.S_IFDIR | 0o1777, "/dev/shm": abi.S_IFDIR | 0o1777, "/dev/null": abi.S_IFCHR | 0o666, "/srv/x": abi.S_IFREG | 0o644}
	for path, want := range modes {
		if st, err := fs.Stat(path, true); err != nil || st.Mode != want {
			t.Errorf("%s mode = %#o, %v; want %#o", path, st.Mode, err, want)
		}
	}
	if st, err := fs.Stat("/bin/sh", true); err != nil || st.Mode&abi.S_IFMT != abi.S_IFLNK || st.Size != int64(len("busybox")) {
		t.Errorf("lstat /bin/sh = %+v, %v", st, err)
	}
	root, _ := fs.Stat("/", false)
	tmp, _ := fs.Stat("/tmp", false)
	if root.Dev == tmp.Dev {
		t.Errorf("/tmp is on the root's device %#x: not a mount of its own", root.Dev)
	}
	if b, err := fs.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil || string(b) != "always madvise [never]\n" {
		t.Errorf("/sys THP setting = %q, %v", b, err)
	}
	if st, err := fs.Stat("/sys/devices/system/cpu/online", false); err != nil || st.Mode != abi.S_IFREG|0o444 {
		t.Errorf("/sys cpu list: %+v, %v", st, err)
	}
	if _, err := fs.ReadFile("/nope"); err != abi.ENOENT {
		t.Errorf("missing file: %v", err)
	}
}

// TestUnpackBadEntries: a file used as a directory is refused. (Garbage
// archives are kernel/initramfs's to refuse.)
func TestUnpackBadEntries(t *testing.T) {
	_, ex := newMachine()
	if _, err := NewFiles(ex, entries(t, InitFile("a", []byte("x"), 0o644), InitFile("a/b", nil, 0o644))); err != abi.ENOTDIR {
		t.Errorf("file under a file: %v, want ENOTDIR", err)
	}
}
