package tmpfs

import (
	"bytes"
	"fmt"
	"math/rand"
	"sync"
	"testing"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/vfs"
)

// TestConcurrentDisjointWriters: goroutines write their own stripes of
// one file while others read it, fault its pages into their Envs and
// seek in it; the stripes all arrive whole.
func TestConcurrentDisjointWriters(t *testing.T) {
	f := newFixture(t, 1<<12, 0)
	n := f.file("f")
	const writers, stripe = 8, 3*ps + 123
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			data := pattern(stripe, byte(w))
			for i := 0; i < stripe; i += 1000 {
				end := min(i+1000, stripe)
				if got, err := n.WriteAt(data[i:end], int64(w*stripe+i)); got != end-i || err != nil {
					t.Errorf("writer %d: %d, %v", w, got, err)
					return
				}
			}
		}(w)
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for r := 0; r < 4; r++ {
		readers.Add(1)
		go func(r int) {
			defer readers.Done()
			env := f.env()
			defer env.Destroy()
			b := make([]byte, 5000)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				n.ReadAt(b, int64(i*777)%(writers*stripe))
				n.SeekData(int64(i * 100))
				n.SeekHole(int64(i * 100))
				if fr, err := n.Frame(env, uint64(i%(writers*stripe/ps)), r%2 == 0); err == nil {
					env.FreeFrame(fr)
				}
			}
		}(r)
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	got := contents(t, n)
	for w := 0; w < writers; w++ {
		if !bytes.Equal(got[w*stripe:(w+1)*stripe], pattern(stripe, byte(w))) {
			t.Errorf("stripe %d damaged", w)
		}
	}
	if n.Size() != writers*stripe || f.fs.UsedPages() != n.Pages() {
		t.Errorf("size %d, fs %d pages, file %d", n.Size(), f.fs.UsedPages(), n.Pages())
	}
}

// TestConcurrentWritersShareTheLimit: writers of different files racing
// for the last pages never take more than the limit between them, and
// each one's count of bytes matches what its file holds.
func TestConcurrentWritersShareTheLimit(t *testing.T) {
	const limit, writers = 50, 8
	for round := 0; round < 20; round++ {
		f := newFixture(t, 1<<12, limit)
		files := make([]*Node, writers)
		written := make([]int64, writers)
		for i := range files {
			files[i] = f.file(fmt.Sprint("f", i))
		}
		var wg sync.WaitGroup
		for i := range files {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				b := pattern(ps/2+1, byte(i))
				for {
					if f.fs.UsedPages() > limit {
						t.Errorf("%d pages used, limit %d", f.fs.UsedPages(), limit)
					}
					w, err := files[i].WriteAt(b, written[i])
					written[i] += int64(w)
					if err != nil {
						return
					}
				}
			}(i)
		}
		wg.Wait()
		var pages int64
		for i, n := range files {
			pages += n.Pages()
			if n.Size() != written[i] || n.Pages() != int64(pagesIn(written[i])) {
				t.Errorf("file %d: size %d, %d pages; wrote %d", i, n.Size(), n.Pages(), written[i])
			}
		}
		if pages != limit || f.fs.UsedPages() != limit {
			t.Fatalf("files hold %d pages, fs counts %d; limit %d", pages, f.fs.UsedPages(), limit)
		}
	}
}

// TestConcurrentMixedOps: writes, truncates, fallocates, punches, faults
// and reads on one file at once keep the books straight, and every frame
// comes back when the file goes.
func TestConcurrentMixedOps(t *testing.T) {
	f := newFixture(t, 1<<12, 200)
	n := f.file("f")
	// A store through a mapping racing a copy to or from the same frame
	// is allowed on a real machine (the bytes mix), but the simulator's
	// memory is Go's, so the race detector would flag it: stores through
	// mappings take mem, every other operation shares it.
	var mem sync.RWMutex
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(g)))
			env := f.env()
			defer env.Destroy()
			b := make([]byte, 2*ps)
			for i := 0; i < 400; i++ {
				off := rng.Int63n(64 * ps)
				op := rng.Intn(7)
				if op == 4 {
					mem.Lock()
				} else {
					mem.RLock()
				}
				switch op {
				case 0:
					n.WriteAt(b[:rng.Intn(len(b))+1], off)
				case 1:
					n.Truncate(off)
				case 2:
					n.Fallocate(uint32(rng.Intn(2)), off, rng.Int63n(8*ps)+1)
				case 3:
					n.Fallocate(fallocPunchHole|fallocKeepSize, off, rng.Int63n(8*ps)+1)
				case 4:
					if fr, err := n.Frame(env, uint64(off/ps), true); err == nil {
						const va = 0x200000
						if env.Map(va, fr, exo.PermRead|exo.PermWrite) == nil {
							env.Write(va+uintptr(off%ps), []byte{1})
							env.Unmap(va)
						}
						env.FreeFrame(fr)
					}
				case 5:
					n.ReadAt(b, off)
				default:
					n.SeekData(off)
					n.SeekHole(off)
				}
				if op == 4 {
					mem.Unlock()
				} else {
					mem.RUnlock()
				}
				if used := f.fs.UsedPages(); used > 200 {
					t.Errorf("%d pages used, limit 200", used)
				}
			}
		}(g)
	}
	wg.Wait()
	if f.fs.UsedPages() != n.Pages() {
		t.Errorf("fs counts %d pages, the file holds %d", f.fs.UsedPages(), n.Pages())
	}
	if err := f.fs.Root().Unlink("f"); err != nil {
		t.Fatal(err)
	}
	n.Close()
	if f.fs.UsedPages() != 0 || f.k.FramesInUse() != 0 {
		t.Errorf("%d pages, %d frames left", f.fs.UsedPages(), f.k.FramesInUse())
	}
}

// TestConcurrentLifecycles: files made, opened, linked, unlinked and
// closed by many goroutines at once, with lookups and opens racing the
// unlinks, all end freed.
func TestConcurrentLifecycles(t *testing.T) {
	s := newNS(t)
	s.mkdir("d")
	inodes := s.fs.Inodes()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := s.root()
			for i := 0; i < 100; i++ {
				name := fmt.Sprintf("d/f%d", i%5)
				if p, err := s.mt.Create(root, r, r, name, 0o644); err == nil {
					n, _ := NodeOf(p.Dentry.Inode())
					n.Open()
					n.WriteAt([]byte("data"), int64(g*ps))
					s.mt.Link(root, p, r, r, fmt.Sprintf("d/l%d-%d", g, i%3))
					n.Close()
				}
				if p, err := s.mt.Resolve(root, r, r, name, 0); err == nil {
					n, _ := NodeOf(p.Dentry.Inode())
					n.Open()
					s.mt.Unlink(root, r, r, name)
					n.ReadAt(make([]byte, 4), int64(g*ps))
					n.Close()
				}
				s.mt.Unlink(root, r, r, fmt.Sprintf("d/l%d-%d", (g+1)%8, i%3))
				s.mt.Rename(root, r, r, fmt.Sprintf("d/l%d-%d", g, (i+1)%3), r, name, 0)
			}
		}(g)
	}
	wg.Wait()
	for _, e := range s.names("d")[2:] {
		s.must(s.mt.Unlink(root, s.root(), s.root(), "d/"+e), "unlink "+e)
	}
	if s.fs.Inodes() != inodes || s.fs.UsedPages() != 0 {
		t.Errorf("%d inodes (was %d), %d pages left", s.fs.Inodes(), inodes, s.fs.UsedPages())
	}
}

// TestConcurrentTreeChanges: renames, mkdirs and rmdirs race lookups and
// listings; the link counts add up at the end.
func TestConcurrentTreeChanges(t *testing.T) {
	s := newNS(t)
	for _, d := range []string{"a", "b", "c"} {
		s.mkdir(d)
	}
	dirs := []string{"a", "b", "c"}
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := s.root()
			rng := rand.New(rand.NewSource(int64(g)))
			for i := 0; i < 300; i++ {
				from := dirs[rng.Intn(3)] + "/" + fmt.Sprint("x", rng.Intn(4))
				to := dirs[rng.Intn(3)] + "/" + fmt.Sprint("x", rng.Intn(4))
				switch rng.Intn(5) {
				case 0:
					s.mt.Mkdir(root, r, r, from, 0o755)
				case 1:
					s.mt.Rmdir(root, r, r, from)
				case 2:
					s.mt.Rename(root, r, r, from, r, to, 0)
				case 3:
					s.mt.Rename(root, r, r, from, r, to, 2) // exchange
				default:
					if p, err := s.mt.Resolve(root, r, r, dirs[rng.Intn(3)], 0); err == nil {
						p.Dentry.ReadDir(0, func(e vfs.DirEntry) bool { return true })
					}
					s.mt.Resolve(root, r, r, from, 0)
				}
			}
		}(g)
	}
	wg.Wait()
	total := 0
	for _, d := range dirs {
		n := s.lookup(d)
		sub := 0
		for _, e := range s.names(d)[2:] {
			k := s.lookup(d + "/" + e)
			if a := k.Inode().Attr(); !k.Inode().IsDir() || a.Nlink != 2 {
				t.Errorf("%s/%s: %+v", d, e, a)
			}
			sub++
		}
		if a := n.Inode().Attr(); a.Nlink != uint32(2+sub) || a.Size != int64(40+20*sub) {
			t.Errorf("%s: nlink %d size %d with %d subdirectories", d, a.Nlink, a.Size, sub)
		}
		total += sub
	}
	if want := int64(1 + 3 + total); s.fs.Inodes() != want {
		t.Errorf("%d inodes, want %d", s.fs.Inodes(), want)
	}
}
