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
