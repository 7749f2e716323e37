package tmpfs

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

func TestFallocate(t *testing.T) {
	const punch = fallocPunchHole | fallocKeepSize
	threePages := func(t *testing.T, n *Node) { mustWrite(t, n, pattern(3*ps, 9), 0) }
	old := patternAt(3*ps, 9, 0)
	cases := []struct {
		name        string
		setup       func(t *testing.T, n *Node)
		mode        uint32
		off, length int64
		wantErr     error
		want        func(i int64) byte
		wantSize    int64
		wantPages   int64
	}{
		{name: "allocate grows the file", off: 100, length: 2 * ps, wantSize: 2*ps + 100, wantPages: 3},
		{name: "keep size allocates past the end", setup: func(t *testing.T, n *Node) { mustWrite(t, n, []byte("abc"), 0) },
			mode: fallocKeepSize, off: 0, length: 4 * ps, want: at("abc", 0), wantSize: 3, wantPages: 4},
		{name: "allocate over data keeps it", setup: threePages, off: 0, length: 5 * ps,
			want: old, wantSize: 5 * ps, wantPages: 5},
		{name: "allocate inside keeps the size", setup: threePages, off: ps, length: 10,
			want: old, wantSize: 3 * ps, wantPages: 3},
		{name: "punch frees whole pages, zeroes partial ones", setup: threePages, mode: punch, off: 100, length: 3*ps - 200,
			want: func(i int64) byte {
				if i >= 100 && i < 3*ps-100 {
					return 0
				}
				return old(i)
			}, wantSize: 3 * ps, wantPages: 2},
		{name: "punch inside one page", setup: threePages, mode: punch, off: ps + 10, length: 20,
			want: func(i int64) byte {
				if i >= ps+10 && i < ps+30 {
					return 0
				}
				return old(i)
			}, wantSize: 3 * ps, wantPages: 3},
		{name: "punch the head of a page", setup: threePages, mode: punch, off: ps, length: 20,
			want: func(i int64) byte {
				if i >= ps && i < ps+20 {
					return 0
				}
				return old(i)
			}, wantSize: 3 * ps, wantPages: 3},
		{name: "punch past the end frees kept pages", setup: func(t *testing.T, n *Node) {
			mustWrite(t, n, []byte("abc"), 0)
			if err := n.Fallocate(fallocKeepSize, 0, 4*ps); err != nil {
				t.Fatal(err)
			}
		}, mode: punch, off: ps, length: 1 << 40, want: at("abc", 0), wantSize: 3, wantPages: 1},
		{name: "negative offset", off: -1, length: 1, wantErr: abi.EINVAL},
		{name: "zero length", off: 0, length: 0, wantErr: abi.EINVAL},
		{name: "punch without keep size", mode: fallocPunchHole, off: 0, length: 1, wantErr: abi.EOPNOTSUPP},
		{name: "zero range", mode: 0x10, off: 0, length: 1, wantErr: abi.EOPNOTSUPP},
		{name: "past the limit", off: MaxFileSize - ps, length: ps + 1, wantErr: abi.EFBIG},
		{name: "wrapping", off: MaxFileSize, length: 1<<63 - 1, wantErr: abi.EFBIG},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, 64, 0)
			n := f.file("f")
			if c.setup != nil {
				c.setup(t, n)
			}
			if err := n.Fallocate(c.mode, c.off, c.length); !errIs(err, c.wantErr) {
				t.Fatalf("Fallocate(%d, %d, %d) = %v, want %v", c.mode, c.off, c.length, err, c.wantErr)
			}
			if n.Size() != c.wantSize || n.inode.Attr().Size != c.wantSize {
				t.Errorf("size %d (attr %d), want %d", n.Size(), n.inode.Attr().Size, c.wantSize)
			}
			if n.Pages() != c.wantPages || f.fs.UsedPages() != c.wantPages {
				t.Errorf("%d pages (fs %d), want %d", n.Pages(), f.fs.UsedPages(), c.wantPages)
			}
			checkBytes(t, n, c.want)
		})
	}
	f := newFixture(t, 64, 0)
	d, _ := NodeOf(f.fs.Root().Inode())
	if err := d.Fallocate(0, 0, 1); err != abi.EISDIR {
		t.Errorf("fallocate of a directory: %v", err)
	}
}

// TestFallocateENOSPCUndoes: an allocation that cannot be had whole takes
// nothing, at the limit and when the machine runs out.
func TestFallocateENOSPCUndoes(t *testing.T) {
	for _, c := range []struct {
		name   string
		frames int
		limit  int64
	}{{"limit", 64, 6}, {"machine", 6, 0}} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, c.frames, c.limit)
			n := f.file("f")
			data := pattern(2*ps+10, 4)
			mustWrite(t, n, data, ps) // pages 1, 2 and 3
			inUse := f.k.FramesInUse()
			if err := n.Fallocate(0, 0, 10*ps); err != abi.ENOSPC {
				t.Fatalf("Fallocate = %v, want ENOSPC", err)
			}
			if n.Size() != 3*ps+10 || n.Pages() != 3 || f.fs.UsedPages() != 3 || f.k.FramesInUse() != inUse {
				t.Errorf("after ENOSPC: size %d, %d pages, fs %d, %d frames (was %d)",
					n.Size(), n.Pages(), f.fs.UsedPages(), f.k.FramesInUse(), inUse)
			}
			checkBytes(t, n, patternAt(len(data), 4, ps))
			if err := n.Fallocate(0, 0, 5*ps); err != nil {
				t.Errorf("what fits: %v", err)
			}
		})
	}
}

func TestSeekDataHole(t *testing.T) {
	f := newFixture(t, 64, 0)
	n := f.file("f")
	// Pages 1, 3 and the partial 5 hold data; 0, 2 and 4 are holes.
	mustWrite(t, n, []byte("a"), ps)
	mustWrite(t, n, []byte("b"), 3*ps+5)
	mustWrite(t, n, pattern(10, 1), 5*ps)
	size := int64(5*ps + 10)
	cases := []struct {
		data    bool
		off     int64
		want    int64
		wantErr error
	}{
		{true, 0, ps, nil},
		{true, ps + 1, ps + 1, nil},
		{true, 2 * ps, 3 * ps, nil},
		{true, 4*ps + 7, 5 * ps, nil},
		{true, 5*ps + 5, 5*ps + 5, nil},
		{true, size, 0, abi.ENXIO},
		{true, size + ps, 0, abi.ENXIO},
		{true, -1, 0, abi.ENXIO},
		{false, 0, 0, nil},
		{false, 10, 10, nil},
		{false, ps, 2 * ps, nil},
		{false, 3*ps + 9, 4 * ps, nil},
		{false, 5 * ps, size, nil},
		{false, size - 1, size, nil},
		{false, size, 0, abi.ENXIO},
		{false, -1, 0, abi.ENXIO},
	}
	for _, c := range cases {
		seek, name := n.SeekHole, "SEEK_HOLE"
		if c.data {
			seek, name = n.SeekData, "SEEK_DATA"
		}
		if got, err := seek(c.off); got != c.want || !errIs(err, c.wantErr) {
			t.Errorf("%s(%d) = %d, %v; want %d, %v", name, c.off, got, err, c.want, c.wantErr)
		}
	}
	// A trailing hole: no data after the last page with a frame.
	if err := n.Truncate(100 * ps); err != nil {
		t.Fatal(err)
	}
	if _, err := n.SeekData(6 * ps); err != abi.ENXIO {
		t.Errorf("SEEK_DATA in the trailing hole: %v", err)
	}
	if got, _ := n.SeekHole(5 * ps); got != 6*ps {
		t.Errorf("SEEK_HOLE after the last data page: %d", got)
	}
	// A huge sparse file is walked by its pages, not its range.
	if err := n.Truncate(MaxFileSize); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, n, []byte("z"), MaxFileSize-1)
	if got, err := n.SeekData(6 * ps); got != MaxFileSize-ps || err != nil {
		t.Errorf("SEEK_DATA across a huge hole: %d, %v", got, err)
	}
}

// TestWriteENOSPC: at the limit (or the machine's end) a write is short,
// counting the bytes before, then ENOSPC; the old contents stay.
func TestWriteENOSPC(t *testing.T) {
	for _, c := range []struct {
		name   string
		frames int
		limit  int64
	}{{"limit", 64, 4}, {"machine", 4, 0}} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, c.frames, c.limit)
			n := f.file("f")
			old := pattern(3*ps, 7)
			mustWrite(t, n, old, 0)
			more := pattern(3*ps, 8)
			w, err := n.WriteAt(more, 2*ps+100) // page 2 is there, 3 fits, 4 does not
			if w != 2*ps-100 || err != nil {
				t.Fatalf("short write: %d, %v; want %d, nil", w, err, 2*ps-100)
			}
			if n.Size() != 4*ps || f.fs.UsedPages() != 4 {
				t.Errorf("size %d, %d pages", n.Size(), f.fs.UsedPages())
			}
			want := append(append([]byte{}, old[:2*ps+100]...), more[:2*ps-100]...)
			if got := contents(t, n); !equal(got, want) {
				t.Errorf("contents differ after the short write")
			}
			if w, err := n.WriteAt([]byte("x"), 4*ps); w != 0 || err != abi.ENOSPC {
				t.Errorf("write with nothing left: %d, %v", w, err)
			}
			if w, err := n.WriteAt([]byte("x"), 10*ps); w != 0 || err != abi.ENOSPC {
				t.Errorf("write past the end with nothing left: %d, %v", w, err)
			}
			if w, err := n.WriteAt([]byte("in place"), 10); w != 8 || err != nil {
				t.Errorf("overwrite needs no frame: %d, %v", w, err)
			}
			if n.Size() != 4*ps {
				t.Errorf("failed write changed the size to %d", n.Size())
			}
			env := f.env()
			if err := n.Truncate(5 * ps); err != nil {
				t.Fatal(err)
			}
			// A fault tells the limit (SIGBUS) from the machine (OOM).
			wantErr := abi.ENOSPC
			if c.limit == 0 {
				wantErr = abi.ENOMEM
			}
			if _, err := n.Frame(env, 4, false); err != wantErr {
				t.Errorf("fault with nothing left: %v, want %v", err, wantErr)
			}
		})
	}
}
