package libstarry

import (
	"bytes"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"
)

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
	fs, err := NewRamFS(joined)
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
		"garbage":    []byte("not an archive at all, certainly not newc"),
		"truncated":  good[:len(good)/2],
		"no trailer": good[:bytes.Index(good, []byte("TRAILER"))-newcHeaderLen],
	} {
		if _, err := NewRamFS(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
