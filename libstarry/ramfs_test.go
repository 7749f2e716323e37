package libstarry

import (
	"testing"

	"github.com/u-root/u-root/pkg/cpio"
	"golang.org/x/sys/unix"
)

func TestRamFSLookup(t *testing.T) {
	fs, err := NewRamFS(archive(t,
		cpio.StaticFile("bin/busybox", "BB", 0o755),
		cpio.Symlink("bin/sh", "busybox"),
		cpio.Symlink("usr/bin", "../bin"),
		cpio.Symlink("loop", "loop"),
		cpio.StaticFile("etc/motd", "hi", 0o644),
		cpio.Directory("tmp", 0o1777),
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
		{"/", "/etc/motd/x", true, "", unix.ENOTDIR},
		{"/", "/etc/motd/", true, "", unix.ENOTDIR},
		{"/", "/nope", true, "", unix.ENOENT},
		{"/", "/loop", true, "", unix.ELOOP},
		{"/", "", true, "", unix.ENOENT},
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

func TestRamFSBadArchive(t *testing.T) {
	if _, err := NewRamFS([]byte("not a cpio archive at all, sorry............................................................................................")); err == nil {
		t.Error("garbage archive accepted")
	}
}
