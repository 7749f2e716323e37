package tmpfs

import (
	"testing"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

const ps = pageSize

func TestReadWriteHoles(t *testing.T) {
	cases := []struct {
		name      string
		setup     func(t *testing.T, n *Node)
		off       int64
		len       int
		wantN     int
		wantErr   error
		want      func(i int64) byte // the byte at file offset i; nil: zeros
		wantSize  int64
		wantPages int64
	}{
		{name: "empty file", off: 0, len: 10},
		{name: "empty file, far offset", off: 1 << 40, len: 10},
		{name: "negative offset", off: -1, len: 10, wantErr: abi.EINVAL},
		{name: "within one page", setup: func(t *testing.T, n *Node) { mustWrite(t, n, []byte("hello"), 0) },
			off: 0, len: 10, wantN: 5, want: at("hello", 0), wantSize: 5, wantPages: 1},
		{name: "across pages, hole before", setup: func(t *testing.T, n *Node) { mustWrite(t, n, pattern(5000, 3), 4000) },
			off: 0, len: 9000, wantN: 9000, want: patternAt(5000, 3, 4000), wantSize: 9000, wantPages: 3},
		{name: "sparse byte", setup: func(t *testing.T, n *Node) { mustWrite(t, n, []byte("x"), 3*ps+1) },
			off: 0, len: 4 * ps, wantN: 3*ps + 2, want: at("x", 3*ps+1), wantSize: 3*ps + 2, wantPages: 1},
		{name: "read straddling the end", setup: func(t *testing.T, n *Node) { mustWrite(t, n, []byte("0123456789"), 0) },
			off: 5, len: 10, wantN: 5, want: at("0123456789", 0), wantSize: 10, wantPages: 1},
		{name: "read at the end", setup: func(t *testing.T, n *Node) { mustWrite(t, n, []byte("0123456789"), 0) },
			off: 10, len: 10, wantSize: 10, wantPages: 1},
		{name: "overwrite in place", setup: func(t *testing.T, n *Node) {
			mustWrite(t, n, []byte("aaaaaaaa"), 0)
			mustWrite(t, n, []byte("bb"), 3)
		}, off: 0, len: 8, wantN: 8, want: at("aaabbaaa", 0), wantSize: 8, wantPages: 1},
		{name: "extending past a partial page", setup: func(t *testing.T, n *Node) {
			mustWrite(t, n, []byte("abc"), 0)
			mustWrite(t, n, []byte("z"), 2*ps)
		}, off: 0, len: 3 * ps, wantN: 2*ps + 1, want: func(i int64) byte { return at("abc", 0)(i) | at("z", 2*ps)(i) },
			wantSize: 2*ps + 1, wantPages: 2},
		{name: "last byte a file may have", setup: func(t *testing.T, n *Node) {
			if w, err := n.WriteAt([]byte("xy"), MaxFileSize-1); w != 1 || err != nil {
				t.Fatalf("write at the limit: %d, %v", w, err)
			}
		}, off: MaxFileSize - 2, len: 4, wantN: 2, want: at("x", MaxFileSize-1), wantSize: MaxFileSize, wantPages: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, 64, 0)
			n := f.file("f")
			if c.setup != nil {
				c.setup(t, n)
			}
			b := make([]byte, c.len)
			for i := range b {
				b[i] = 0xEE
			}
			got, err := n.ReadAt(b, c.off)
			if got != c.wantN || !errIs(err, c.wantErr) {
				t.Fatalf("ReadAt(%d, %d) = %d, %v; want %d, %v", c.len, c.off, got, err, c.wantN, c.wantErr)
			}
			for i := range b[:got] {
				want := byte(0)
				if c.want != nil {
					want = c.want(c.off + int64(i))
				}
				if b[i] != want {
					t.Fatalf("byte %d is %#x, want %#x", c.off+int64(i), b[i], want)
				}
			}
			if n.Size() != c.wantSize || n.inode.Attr().Size != c.wantSize {
				t.Errorf("size %d (attr %d), want %d", n.Size(), n.inode.Attr().Size, c.wantSize)
			}
			if n.Pages() != c.wantPages || f.fs.UsedPages() != c.wantPages {
				t.Errorf("%d pages (fs %d), want %d", n.Pages(), f.fs.UsedPages(), c.wantPages)
			}
		})
	}
}

// at is the byte function of s written at off over zeros.
func at(s string, off int64) func(int64) byte {
	return func(i int64) byte {
		if i >= off && i < off+int64(len(s)) {
			return s[i-off]
		}
		return 0
	}
}

func patternAt(n int, seed byte, off int64) func(int64) byte {
	p := pattern(n, seed)
	return func(i int64) byte {
		if i >= off && i < off+int64(n) {
			return p[i-off]
		}
		return 0
	}
}

func TestWriteErrors(t *testing.T) {
	f := newFixture(t, 64, 0)
	n := f.file("f")
	cases := []struct {
		name  string
		b     []byte
		off   int64
		wantN int
		want  error
	}{
		{"negative offset", []byte("x"), -1, 0, abi.EINVAL},
		{"nothing, anywhere", nil, MaxFileSize + 5, 0, nil},
		{"at the limit", []byte("x"), MaxFileSize, 0, abi.EFBIG},
		{"past the limit", []byte("x"), 1<<63 - 1, 0, abi.EFBIG},
	}
	for _, c := range cases {
		if got, err := n.WriteAt(c.b, c.off); got != c.wantN || !errIs(err, c.want) {
			t.Errorf("%s: %d, %v; want %d, %v", c.name, got, err, c.wantN, c.want)
		}
	}
	if n.Size() != 0 || f.fs.UsedPages() != 0 {
		t.Errorf("failed writes left size %d, %d pages", n.Size(), f.fs.UsedPages())
	}
	d, _ := NodeOf(f.fs.Root().Inode())
	if _, err := d.WriteAt([]byte("x"), 0); err != abi.EISDIR {
		t.Errorf("write to a directory: %v", err)
	}
	if _, err := d.ReadAt(make([]byte, 1), 0); err != abi.EISDIR {
		t.Errorf("read of a directory: %v", err)
	}
}

func TestAppend(t *testing.T) {
	f := newFixture(t, 64, 0)
	n := f.file("f")
	mustWrite(t, n, []byte("abc"), 0)
	off, w, err := n.Append([]byte("def"))
	if off != 3 || w != 3 || err != nil {
		t.Fatalf("Append = %d, %d, %v", off, w, err)
	}
	if got := string(contents(t, n)); got != "abcdef" {
		t.Errorf("contents %q", got)
	}
}

func TestTruncate(t *testing.T) {
	cases := []struct {
		name      string
		setup     func(t *testing.T, n *Node)
		size      int64
		wantErr   error
		want      func(i int64) byte
		wantSize  int64
		wantPages int64
		wantTimes bool // mtime and ctime change
	}{
		{name: "grow an empty file: a hole", size: 3 * ps, wantSize: 3 * ps, wantTimes: true},
		{name: "shrink to a page boundary frees the rest", setup: func(t *testing.T, n *Node) { mustWrite(t, n, pattern(3*ps, 1), 0) },
			size: ps, want: patternAt(ps, 1, 0), wantSize: ps, wantPages: 1, wantTimes: true},
		{name: "shrink into a page keeps it", setup: func(t *testing.T, n *Node) { mustWrite(t, n, pattern(3*ps, 1), 0) },
			size: ps + 1, want: patternAt(ps+1, 1, 0), wantSize: ps + 1, wantPages: 2, wantTimes: true},
		{name: "to zero frees everything", setup: func(t *testing.T, n *Node) { mustWrite(t, n, pattern(3*ps, 1), 0) },
			size: 0, wantTimes: true},
		{name: "shrink then grow reads zeros past the cut", setup: func(t *testing.T, n *Node) {
			mustWrite(t, n, pattern(2*ps, 2), 0)
			if err := n.Truncate(100); err != nil {
				t.Fatal(err)
			}
		}, size: 2 * ps, want: patternAt(100, 2, 0), wantSize: 2 * ps, wantPages: 1, wantTimes: true},
		{name: "same size changes no time", setup: func(t *testing.T, n *Node) { mustWrite(t, n, []byte("abc"), 0) },
			size: 3, want: at("abc", 0), wantSize: 3, wantPages: 1},
		{name: "frees what fallocate kept past the end", setup: func(t *testing.T, n *Node) {
			mustWrite(t, n, []byte("abc"), 0)
			if err := n.Fallocate(fallocKeepSize, 0, 4*ps); err != nil {
				t.Fatal(err)
			}
		}, size: 2, want: at("ab", 0), wantSize: 2, wantPages: 1, wantTimes: true},
		{name: "negative", size: -1, wantErr: abi.EINVAL},
		{name: "past the limit", size: MaxFileSize + 1, wantErr: abi.EFBIG},
		{name: "to the limit", size: MaxFileSize, wantSize: MaxFileSize, wantTimes: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, 64, 0)
			n := f.file("f")
			if c.setup != nil {
				c.setup(t, n)
			}
			before := n.inode.Attr()
			if err := n.Truncate(c.size); !errIs(err, c.wantErr) {
				t.Fatalf("Truncate(%d) = %v, want %v", c.size, err, c.wantErr)
			}
			after := n.inode.Attr()
			if changed := after.Mtime != before.Mtime && after.Ctime != before.Ctime; changed != c.wantTimes {
				t.Errorf("times changed: %v, want %v", changed, c.wantTimes)
			}
			if n.Size() != c.wantSize || after.Size != c.wantSize {
				t.Errorf("size %d (attr %d), want %d", n.Size(), after.Size, c.wantSize)
			}
			if n.Pages() != c.wantPages || f.fs.UsedPages() != c.wantPages {
				t.Errorf("%d pages (fs %d), want %d", n.Pages(), f.fs.UsedPages(), c.wantPages)
			}
			if c.wantSize <= 16*ps {
				checkBytes(t, n, c.want)
			}
		})
	}
}

// checkBytes compares the whole file with want (nil: zeros).
func checkBytes(t *testing.T, n *Node, want func(int64) byte) {
	t.Helper()
	for i, b := range contents(t, n) {
		w := byte(0)
		if want != nil {
			w = want(int64(i))
		}
		if b != w {
			t.Fatalf("byte %d is %#x, want %#x", i, b, w)
		}
	}
}

func TestSetAttrSizeAndTimes(t *testing.T) {
	f := newFixture(t, 64, 0)
	n := f.file("f")
	mustWrite(t, n, pattern(2*ps, 5), 0)
	in := n.Inode()
	set := func(ch vfs.AttrChange) error { return vfs.SetAttr(root, in, ch) }
	if err := set(vfs.AttrChange{Valid: vfs.SetSize, Size: ps}); err != nil {
		t.Fatal(err)
	}
	if n.Size() != ps || n.Pages() != 1 || in.Attr().Size != ps {
		t.Errorf("after SetSize: size %d, %d pages", n.Size(), n.Pages())
	}
	c0 := in.Attr().Ctime
	if err := set(vfs.AttrChange{Valid: vfs.SetAtime | vfs.SetMtime, Atime: 7, Mtime: 8}); err != nil {
		t.Fatal(err)
	}
	a := in.Attr()
	if a.Atime != 7 || a.Mtime != 8 || a.Ctime <= c0 {
		t.Errorf("explicit times: %d %d %d", a.Atime, a.Mtime, a.Ctime)
	}
	if err := set(vfs.AttrChange{Valid: vfs.SetAtime | vfs.SetMtime | vfs.SetTimesNow}); err != nil {
		t.Fatal(err)
	}
	if a := in.Attr(); a.Atime != a.Ctime || a.Mtime != a.Ctime || a.Ctime < 1000 {
		t.Errorf("times now: %d %d %d", a.Atime, a.Mtime, a.Ctime)
	}
	if err := set(vfs.AttrChange{Valid: vfs.SetSize, Size: -1}); err != abi.EINVAL {
		t.Errorf("negative size: %v", err)
	}
	if err := set(vfs.AttrChange{Valid: vfs.SetMode | vfs.SetUID | vfs.SetGID, Mode: 0o600, UID: 5, GID: 6}); err != nil {
		t.Fatal(err)
	}
	if a := in.Attr(); a.Mode != abi.S_IFREG|0o600 || a.UID != 5 || a.GID != 6 {
		t.Errorf("chmod and chown: %o %d:%d", a.Mode, a.UID, a.GID)
	}
}

// TestReadRefreshesAtimeAsRelatime: a read after a change moves atime,
// a second read does not.
func TestReadRefreshesAtimeAsRelatime(t *testing.T) {
	f := newFixture(t, 64, 0)
	n := f.file("f")
	mustWrite(t, n, []byte("abc"), 0)
	b := make([]byte, 3)
	n.ReadAt(b, 0)
	a1 := n.inode.Attr().Atime
	n.ReadAt(b, 0)
	a := n.inode.Attr()
	if a1 <= a.Mtime || a.Atime != a1 {
		t.Errorf("atime %d then %d, mtime %d", a1, a.Atime, a.Mtime)
	}
}
