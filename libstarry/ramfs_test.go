package libstarry

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

func TestRamFSLookup(t *testing.T) {
	fs, err := NewRamFS(entries(t,
		RamFile("bin/busybox", []byte("BB"), 0o755),
		RamSymlink("bin/sh", "busybox"),
		RamSymlink("usr/bin", "../bin"),
		RamSymlink("loop", "loop"),
		RamFile("etc/motd", []byte("hi"), 0o644),
		RamDir("tmp", 0o1777),
	))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		cwd, path string
		follow    bool
		want      string // file contents, or "" with err
		err       error
	}{
		{"/", "/bin/busybox", true, "BB", nil},
		{"/", "bin/sh", true, "BB", nil},
		{"/etc", "../bin/sh", true, "BB", nil},
		{"/", "/usr/bin/sh", true, "BB", nil},
		{"/", "/../../etc/./motd", true, "hi", nil},
		{"/", "/etc/motd/x", true, "", abi.ENOTDIR},
		{"/", "/etc/motd/", true, "", abi.ENOTDIR},
		{"/", "/nope", true, "", abi.ENOENT},
		{"/", "/loop", true, "", abi.ELOOP},
		{"/", "", true, "", abi.ENOENT},
	}
	for _, c := range cases {
		n, err := fs.Lookup(c.cwd, c.path, c.follow)
		if err != c.err {
			t.Errorf("Lookup(%q, %q) error = %v, want %v", c.cwd, c.path, err, c.err)
			continue
		}
		if err == nil && string(n.Data) != c.want {
			t.Errorf("Lookup(%q, %q) = %q, want %q", c.cwd, c.path, n.Data, c.want)
		}
	}
	n, err := fs.Lookup("/", "/bin/sh", false)
	if err != nil || !n.IsSymlink() || n.Target != "busybox" {
		t.Errorf("lstat-style lookup of /bin/sh = %+v, %v", n, err)
	}
	if n, _ := fs.Lookup("/", "/tmp", true); n == nil || !n.IsDir() || n.Mode&0o7777 != 0o1777 {
		t.Errorf("/tmp = %+v", n)
	}
	if n, _ := fs.Lookup("/", "/usr", true); n == nil || !n.IsDir() {
		t.Errorf("implicit /usr = %+v", n)
	}
}

// TestRamFSBadEntries: a file used as a directory is refused. (Garbage
// archives are kernel/initramfs's to refuse.)
func TestRamFSBadEntries(t *testing.T) {
	if _, err := NewRamFS(entries(t, RamFile("a", []byte("x"), 0o644), RamFile("a/b", nil, 0o644))); err != abi.ENOTDIR {
		t.Errorf("file under a file: %v, want ENOTDIR", err)
	}
}
