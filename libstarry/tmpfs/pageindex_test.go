package tmpfs

import (
	"math/rand"
	"testing"

	"github.com/starry-go/starry/exo"
)

// TestPageIndex drives a pageIndex and a map with the same random sets
// and deletes, pages near the front (the slice) and far out (the map,
// then the slice once it grows over them), and compares every lookup,
// the count and a full walk that deletes as it goes.
func TestPageIndex(t *testing.T) {
	for seed := int64(0); seed < 50; seed++ {
		rng := rand.New(rand.NewSource(seed))
		var x pageIndex
		want := map[uint64]exo.Frame{}
		for step := 0; step < 2000; step++ {
			pg := uint64(rng.Intn(64))
			if rng.Intn(4) == 0 {
				pg = uint64(rng.Intn(5000))
			}
			switch rng.Intn(3) {
			case 0, 1:
				f := exo.Frame(1<<20 + step*4096)
				x.set(pg, f)
				want[pg] = f
			case 2:
				x.del(pg)
				delete(want, pg)
			}
			if f, ok := x.get(pg); f != want[pg] || ok != (want[pg] != 0) {
				t.Fatalf("seed %d step %d: get(%d) = %#x, %v; want %#x", seed, step, pg, f, ok, want[pg])
			}
		}
		if x.count() != len(want) {
			t.Fatalf("seed %d: count %d, want %d", seed, x.count(), len(want))
		}
		if len(x.dense) > 4*x.count()+2*denseSlack+64 {
			t.Fatalf("seed %d: a slice of %d for %d pages", seed, len(x.dense), x.count())
		}
		seen := 0
		x.each(func(pg uint64, f exo.Frame) {
			if want[pg] != f {
				t.Fatalf("seed %d: each gave page %d frame %#x, want %#x", seed, pg, f, want[pg])
			}
			seen++
			x.del(pg)
		})
		if seen != len(want) || x.count() != 0 {
			t.Fatalf("seed %d: each saw %d of %d pages; %d left after deleting", seed, seen, len(want), x.count())
		}
	}
}

// TestPageIndexSpread: pages spaced ever further apart, the way a
// program could try to make the kernel hold a long slice for few pages,
// go to the map once the slice would be mostly holes.
func TestPageIndexSpread(t *testing.T) {
	var x pageIndex
	pg := uint64(0)
	for i := 0; i < 30; i++ {
		x.set(pg, exo.Frame(1<<20+i*4096))
		pg = 2*pg + denseSlack - 1
	}
	if len(x.dense) > 4*x.count()+denseSlack {
		t.Fatalf("a slice of %d entries for %d pages", len(x.dense), x.count())
	}
}
