package tmpfs

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// model is what a file should be: its bytes, and which pages have frames
// (pages past the end included, as fallocate's KEEP_SIZE leaves them).
type model struct {
	data  []byte
	pages map[uint64]bool
	limit int // pages the file may hold
}

func (m *model) size() int64 { return int64(len(m.data)) }

func (m *model) grow(size int64) {
	if size > m.size() {
		m.data = append(m.data, make([]byte, size-m.size())...)
	}
}

func (m *model) write(b []byte, off int64) (int, error) {
	done := 0
	for done < len(b) {
		pg := uint64((off + int64(done)) / ps)
		if !m.pages[pg] {
			if len(m.pages) == m.limit {
				break
			}
			m.pages[pg] = true
		}
		done += min(len(b)-done, ps-int((off+int64(done))%ps))
	}
	if done == 0 {
		return 0, abi.ENOSPC
	}
	m.grow(off + int64(done))
	copy(m.data[off:], b[:done])
	return done, nil
}

func (m *model) truncate(size int64) {
	if size < m.size() {
		for pg := range m.pages {
			if pg >= pagesIn(size) {
				delete(m.pages, pg)
			}
		}
		m.data = m.data[:size]
	}
	m.grow(size)
}

func (m *model) fallocate(mode uint32, off, length int64) error {
	end := off + length
	if mode&fallocPunchHole != 0 {
		for pg := pagesIn(off); pg < uint64(end/ps); pg++ {
			delete(m.pages, pg)
		}
		for i := off; i < min(end, m.size()); i++ {
			m.data[i] = 0
		}
		return nil
	}
	var need []uint64
	for pg := uint64(off / ps); pg <= uint64((end-1)/ps); pg++ {
		if !m.pages[pg] {
			need = append(need, pg)
		}
	}
	if len(m.pages)+len(need) > m.limit {
		return abi.ENOSPC
	}
	for _, pg := range need {
		m.pages[pg] = true
	}
	if mode&fallocKeepSize == 0 {
		m.grow(end)
	}
	return nil
}

func (m *model) seek(off int64, data bool) (int64, error) {
	if off < 0 || off >= m.size() {
		return 0, abi.ENXIO
	}
	for pos := off; pos < m.size(); pos = (pos/ps + 1) * ps {
		if m.pages[uint64(pos/ps)] == data {
			return pos, nil
		}
	}
	if data {
		return 0, abi.ENXIO
	}
	return m.size(), nil
}

// TestModel runs random operations on a file and on a model of it, many
// seeds, and compares every answer and the whole contents as it goes,
// with the limit reached now and then, by the instance's limit or by the
// machine's memory.
func TestModel(t *testing.T) {
	seeds := 300
	if testing.Short() {
		seeds = 40
	}
	for seed := 0; seed < seeds; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runModel(t, int64(seed)) })
	}
}

func runModel(t *testing.T, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	const limit = 24
	frames, fsLimit := 1<<10, int64(limit)
	if seed%2 == 1 {
		frames, fsLimit = limit, 0 // the machine runs out instead
	}
	f := newFixture(t, frames, fsLimit)
	n := f.file("f")
	m := &model{pages: map[uint64]bool{}, limit: limit}
	env := f.env()
	span := int64(rng.Intn(30)+2) * ps // where the offsets fall
	if seed%3 == 2 {
		span = int64(rng.Intn(400)+100) * ps // far enough for pages past the index's slice
	}
	pos := func() int64 {
		switch rng.Intn(4) {
		case 0:
			return int64(rng.Intn(int(span)/ps+1)) * ps // page-aligned
		case 1:
			return max(0, m.size()+int64(rng.Intn(3))-1) // about the end
		}
		return rng.Int63n(span)
	}
	var log []string
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d after %v: "+format, append([]any{seed, log}, args...)...)
	}
	for step := 0; step < 250; step++ {
		switch op := rng.Intn(10); {
		case op < 3:
			off, b := pos(), pattern(rng.Intn(3*ps)+1, byte(step))
			log = append(log, fmt.Sprintf("w%d+%d", off, len(b)))
			gotN, gotErr := n.WriteAt(b, off)
			wantN, wantErr := m.write(b, off)
			if gotN != wantN || gotErr != wantErr {
				fail("WriteAt = %d, %v; want %d, %v", gotN, gotErr, wantN, wantErr)
			}
		case op < 5:
			size := pos()
			log = append(log, fmt.Sprintf("t%d", size))
			if err := n.Truncate(size); err != nil {
				fail("Truncate: %v", err)
			}
			m.truncate(size)
		case op < 7:
			mode := []uint32{0, fallocKeepSize, fallocPunchHole | fallocKeepSize}[rng.Intn(3)]
			off := pos()
			length := rng.Int63n(4*ps) + 1
			log = append(log, fmt.Sprintf("f%d:%d+%d", mode, off, length))
			if got, want := n.Fallocate(mode, off, length), m.fallocate(mode, off, length); got != want {
				fail("Fallocate = %v, want %v", got, want)
			}
		case op < 8:
			// A store through a shared mapping of the page.
			if m.size() == 0 {
				continue
			}
			at := rng.Int63n(m.size())
			pg := uint64(at / ps)
			log = append(log, fmt.Sprintf("m%d", at))
			fr, err := n.Frame(env, pg, true)
			wantErr := error(nil)
			if !m.pages[pg] {
				if len(m.pages) == limit {
					wantErr = abi.ENOSPC
					if fsLimit == 0 {
						wantErr = abi.ENOMEM
					}
				} else {
					m.pages[pg] = true
				}
			}
			if err != wantErr {
				fail("Frame = %v, want %v", err, wantErr)
			}
			if err != nil {
				continue
			}
			const va = 0x10000000
			b := []byte{byte(step) | 0x80}
			if env.Map(va, fr, exo.PermRead|exo.PermWrite) != nil || env.Write(va+uintptr(at%ps), b) != nil ||
				env.Unmap(va) != nil || env.FreeFrame(fr) != nil {
				fail("mapping the frame failed")
			}
			m.data[at] = b[0]
		case op < 9:
			off, data := pos(), rng.Intn(2) == 0
			seek := n.SeekHole
			if data {
				seek = n.SeekData
			}
			got, gotErr := seek(off)
			want, wantErr := m.seek(off, data)
			if got != want || gotErr != wantErr {
				fail("seek(%d, data %v) = %d, %v; want %d, %v", off, data, got, gotErr, want, wantErr)
			}
		default:
			off, b := pos(), make([]byte, rng.Intn(3*ps))
			got, err := n.ReadAt(b, off)
			want := 0
			if off < m.size() {
				want = min(len(b), int(m.size()-off))
			}
			if got != want || err != nil {
				fail("ReadAt(%d, %d) = %d, %v; want %d", len(b), off, got, err, want)
			}
			if got > 0 && !bytes.Equal(b[:got], m.data[off:off+int64(got)]) {
				fail("ReadAt(%d, %d) read other bytes", len(b), off)
			}
		}
		if n.Size() != m.size() || n.Pages() != int64(len(m.pages)) || f.fs.UsedPages() != int64(len(m.pages)) {
			fail("size %d, %d pages (fs %d); model %d, %d", n.Size(), n.Pages(), f.fs.UsedPages(), m.size(), len(m.pages))
		}
		if step%25 == 0 && !bytes.Equal(contents(t, n), m.data) {
			fail("contents differ")
		}
	}
	if !bytes.Equal(contents(t, n), m.data) {
		fail("contents differ at the end")
	}
	// Every frame comes back with the file.
	env.Destroy()
	s := f.fs.Root()
	if err := s.Unlink("f"); err != nil {
		t.Fatal(err)
	}
	n.Close()
	if f.fs.UsedPages() != 0 || f.k.FramesInUse() != 0 {
		t.Errorf("seed %d: %d pages, %d frames left", seed, f.fs.UsedPages(), f.k.FramesInUse())
	}
}
