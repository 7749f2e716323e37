package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"
)

// readArchives reads every record of concatenated newc archives, the way
// the kernel does: after each trailer, skip zero padding and go on.
func readArchives(t *testing.T, data []byte) map[string]cpio.Record {
	t.Helper()
	recs := map[string]cpio.Record{}
	for len(data) > 0 {
		if data[0] == 0 {
			data = data[4:]
			continue
		}
		// The reader hides the trailer, so find it after the last record:
		// a 110-byte header and "TRAILER!!!\0", padded to 124 bytes.
		r := cpio.Newc.Reader(bytes.NewReader(data))
		var end int64
		for {
			rec, err := r.ReadRecord()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("reading the archive: %v", err)
			}
			recs[rec.Name] = rec
			end = (rec.FilePos + int64(rec.FileSize) + 3) &^ 3
		}
		end += 124
		data = data[(end+3)&^3:]
	}
	return recs
}

func content(t *testing.T, r cpio.Record) string {
	t.Helper()
	b := make([]byte, r.FileSize)
	if _, err := r.ReadAt(b, 0); err != nil && len(b) > 0 {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteInitramfs(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	os.MkdirAll(filepath.Join(tree, "sub"), 0o750)
	os.WriteFile(filepath.Join(tree, "sub", "prog"), []byte("#!x\n"), 0o755)
	os.WriteFile(filepath.Join(tree, "data"), []byte("data"), 0o600)
	os.Symlink("sub/prog", filepath.Join(tree, "link"))
	single := filepath.Join(dir, "single")
	os.WriteFile(single, []byte("one"), 0o644)
	// The base archive has an odd length, so padding must be added.
	base := filepath.Join(dir, "base.cpio")
	var b bytes.Buffer
	a := newArchiveWriter(&b)
	a.write(cpio.StaticFile("/etc/base", "base", 0o644))
	a.finish()
	os.WriteFile(base, append(b.Bytes(), 0), 0o644)

	var out bytes.Buffer
	adds := []addSpec{{tree, "/opt/t"}, {single, "/bin/single"}}
	if err := writeInitramfs(&out, base, adds, []byte("/bin/single\n")); err != nil {
		t.Fatal(err)
	}
	recs := readArchives(t, out.Bytes())
	want := map[string]uint64{
		"etc":              cpio.S_IFDIR | 0o755,
		"etc/base":         cpio.S_IFREG | 0o644,
		"bin":              cpio.S_IFDIR | 0o755,
		"opt":              cpio.S_IFDIR | 0o755,
		"opt/t":            cpio.S_IFDIR | 0o750,
		"opt/t/sub":        cpio.S_IFDIR | 0o750,
		"opt/t/sub/prog":   cpio.S_IFREG | 0o755,
		"opt/t/data":       cpio.S_IFREG | 0o600,
		"opt/t/link":       cpio.S_IFLNK | 0o777,
		"bin/single":       cpio.S_IFREG | 0o644,
		".starry":          cpio.S_IFDIR | 0o755,
		".starry/commands": cpio.S_IFREG | 0o644,
	}
	for name, mode := range want {
		rec, ok := recs[name]
		if !ok {
			t.Errorf("%s missing; have %v", name, keys(recs))
			continue
		}
		if rec.Mode != mode {
			t.Errorf("%s mode %#o, want %#o", name, rec.Mode, mode)
		}
	}
	if len(recs) != len(want) {
		t.Errorf("records %v", keys(recs))
	}
	for name, text := range map[string]string{"opt/t/link": "sub/prog", "opt/t/data": "data", ".starry/commands": "/bin/single\n", "etc/base": "base"} {
		if got := content(t, recs[name]); got != text {
			t.Errorf("%s holds %q, want %q", name, got, text)
		}
	}
	names, err := listArchive(bytes.NewReader(out.Bytes()[b.Len()+4:]))
	if err != nil || len(names) == 0 || !strings.HasPrefix(names[0], "opt ") {
		t.Errorf("the generated archive does not start with its parent directory: %v %v", names, err)
	}
}

func TestInitramfsCollisions(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	os.WriteFile(f, []byte("x"), 0o644)
	cases := map[string][]addSpec{
		"same file twice":      {{f, "/a"}, {f, "/a"}},
		"file under a file":    {{f, "/a"}, {f, "/a/b"}},
		"the commands file":    {{f, commandsPath}},
		"a file then dir tree": {{f, "/d"}, {dir, "/d"}},
	}
	for name, adds := range cases {
		if err := writeInitramfs(&bytes.Buffer{}, "", adds, []byte("/a\n")); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Directories merge: two trees under /bin are fine.
	if err := writeInitramfs(&bytes.Buffer{}, "", []addSpec{{f, "/bin/a"}, {f, "/bin/b"}}, nil); err != nil {
		t.Errorf("merging /bin: %v", err)
	}
}

func TestAddFollowsTopSymlink(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "real"), []byte("prog"), 0o755)
	os.Symlink("real", filepath.Join(dir, "link"))
	var out bytes.Buffer
	if err := writeInitramfs(&out, "", []addSpec{{filepath.Join(dir, "link"), "/bin/p"}}, nil); err != nil {
		t.Fatal(err)
	}
	rec := readArchives(t, out.Bytes())["bin/p"]
	if rec.Mode != cpio.S_IFREG|0o755 || content(t, rec) != "prog" {
		t.Errorf("bin/p: mode %#o, %q", rec.Mode, content(t, rec))
	}
}

func keys(m map[string]cpio.Record) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	return k
}
