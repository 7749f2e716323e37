package initramfs

import (
	"bytes"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"

	"github.com/starry-go/starry/libstarry"
)

// ramfs reads b and builds the RamFS the kernel would.
func ramfs(b []byte) (*libstarry.RamFS, error) {
	entries, err := Read(b)
	if err != nil {
		return nil, err
	}
	return libstarry.NewRamFS(entries)
}

func newcArchive(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := cpio.Newc.Writer(&b)
	for name, data := range files {
		if err := w.WriteRecord(cpio.StaticFile(name, data, 0o644)); err != nil {
			t.Fatal(err)
		}
	}
	if err := cpio.WriteTrailer(w); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestConcatenatedArchives(t *testing.T) {
	a := newcArchive(t, map[string]string{"etc/a": "first", "etc/both": "old"})
	b := newcArchive(t, map[string]string{"etc/b": "second", "etc/both": "new"})
	joined := append(append(append([]byte{}, a...), make([]byte, 12)...), b...)
	fs, err := ramfs(joined)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/etc/a": "first", "/etc/b": "second", "/etc/both": "new"} {
		n, err := fs.Lookup("/", path, true)
		if err != nil {
			t.Errorf("%s: %v", path, err)
		} else if string(n.Data) != want {
			t.Errorf("%s: %q, want %q", path, n.Data, want)
		}
	}
}

func TestMalformedArchives(t *testing.T) {
	good := newcArchive(t, map[string]string{"x": "y"})
	for name, b := range map[string][]byte{
		"garbage":      []byte("not an archive at all, certainly not newc"),
		"long garbage": []byte("not a cpio archive at all, sorry............................................................................................"),
		"truncated":    good[:len(good)/2],
		"no trailer":   good[:bytes.Index(good, []byte("TRAILER"))-newcHeaderLen],
	} {
		if _, err := Read(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestModesAndSymlinks(t *testing.T) {
	var b bytes.Buffer
	w := cpio.Newc.Writer(&b)
	if err := cpio.WriteRecordsAndDirs(w, []cpio.Record{cpio.StaticFile("bin/busybox", "BB", 0o755), cpio.Symlink("bin/sh", "busybox")}); err != nil {
		t.Fatal(err)
	}
	cpio.WriteTrailer(w)
	fs, err := ramfs(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	n, err := fs.Lookup("/", "/bin/sh", true)
	if err != nil || string(n.Data) != "BB" || n.Mode != 0o100755 {
		t.Errorf("/bin/sh -> %+v, %v", n, err)
	}
}
