package tmpfs

import "github.com/starry-go/starry/exo"

// pageIndex maps a file's page numbers to its frames. Files are mostly
// written and read from the front, so pages near the start live in a
// slice indexed by page number (a map's hashing, growth and random seed
// were a fifth of copying the initramfs in); a page far past the slice's
// end goes to a map, so pages at large offsets cannot make the kernel
// hold a slice much longer than the pages it indexes (at most four
// entries per page, and a little slack). Frame 0 is never a frame
// (the exokernel hands out nothing below 1 MiB), so it marks a hole.
type pageIndex struct {
	dense  []exo.Frame
	sparse map[uint64]exo.Frame
	n      int
}

// denseSlack is how far past the slice's end a page may always be and
// still grow it: a write that skips a little leaves a few holes.
const denseSlack = 64

func (x *pageIndex) get(pg uint64) (exo.Frame, bool) {
	if pg < uint64(len(x.dense)) {
		f := x.dense[pg]
		return f, f != 0
	}
	f, ok := x.sparse[pg]
	return f, ok
}

func (x *pageIndex) set(pg uint64, f exo.Frame) {
	if pg < uint64(len(x.dense)) {
		if x.dense[pg] == 0 {
			x.n++
		}
		x.dense[pg] = f
		return
	}
	if _, ok := x.sparse[pg]; ok {
		x.sparse[pg] = f
		return
	}
	x.n++
	if old := uint64(len(x.dense)); pg < old+denseSlack || pg < 4*uint64(x.n) {
		for uint64(len(x.dense)) <= pg {
			x.dense = append(x.dense, 0)
		}
		x.dense[pg] = f
		x.adoptSparse(old, pg)
		return
	}
	if x.sparse == nil {
		x.sparse = map[uint64]exo.Frame{}
	}
	x.sparse[pg] = f
}

// adoptSparse moves the map's pages in [from, to), which the slice has
// grown over, into it.
func (x *pageIndex) adoptSparse(from, to uint64) {
	if len(x.sparse) == 0 {
		return
	}
	for pg := from; pg < to; pg++ {
		if f, ok := x.sparse[pg]; ok {
			x.dense[pg] = f
			delete(x.sparse, pg)
		}
	}
}

func (x *pageIndex) del(pg uint64) {
	if pg < uint64(len(x.dense)) {
		if x.dense[pg] != 0 {
			x.dense[pg] = 0
			x.n--
		}
		return
	}
	if _, ok := x.sparse[pg]; ok {
		delete(x.sparse, pg)
		x.n--
	}
}

// count is how many pages have frames.
func (x *pageIndex) count() int { return x.n }

// each calls fn for every page with a frame, in no particular order; fn
// may delete the page it is given.
func (x *pageIndex) each(fn func(pg uint64, f exo.Frame)) {
	for pg, f := range x.dense {
		if f != 0 {
			fn(uint64(pg), f)
		}
	}
	for pg, f := range x.sparse {
		fn(pg, f)
	}
}
