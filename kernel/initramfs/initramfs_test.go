package initramfs

import (
	"bytes"
	"testing"
	"time"

	"github.com/u-root/u-root/pkg/cpio"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/libstarry"
)

// ramfs reads b and unpacks it into a root tmpfs as the kernel would.
func ramfs(b []byte) (*libstarry.Files, error) {
	entries, err := Read(b)
	if err != nil {
		return nil, err
	}
	return libstarry.NewFiles(exo.New(sim.New(1024), time.Millisecond), entries)
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
		data, err := fs.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
		} else if string(data) != want {
			t.Errorf("%s: %q, want %q", path, data, want)
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
	data, err := fs.ReadFile("/bin/sh")
	st, serr := fs.Stat("/bin/sh", false)
	if err != nil || serr != nil || string(data) != "BB" || st.Mode != 0o100755 {
		t.Errorf("/bin/sh -> %q %+v, %v %v", data, st, err, serr)
	}
	if st, err := fs.Stat("/bin/sh", true); err != nil || st.Mode&0o170000 != 0o120000 {
		t.Errorf("lstat /bin/sh = %+v, %v", st, err)
	}
}

// TestDataAliasesArchive: a file's contents are the archive's own bytes,
// not a copy on the kernel's heap (a 36 MiB initramfs needed 36 MiB of
// heap besides its frames, and was copied twice).
func TestDataAliasesArchive(t *testing.T) {
	b := newcArchive(t, map[string]string{"f": "contents of f"})
	entries, err := Read(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name != "f" {
			continue
		}
		if string(e.Data) != "contents of f" {
			t.Fatalf("data %q", e.Data)
		}
		i := bytes.Index(b, e.Data)
		if i < 0 || &b[i] != &e.Data[0] {
			t.Fatalf("the data is a copy, not the archive's bytes")
		}
		return
	}
	t.Fatal("no entry f")
}
