package x86_64

import "testing"

// The address-space map is plain data, so it is tested on the host.

func resetVMAs() { nVMAs = 0 }

func regions() []vma { return append([]vma(nil), vmas[:nVMAs]...) }

func TestSetRangeSplitsAndMerges(t *testing.T) {
	resetVMAs()
	defer resetVMAs()
	steps := []struct {
		start, end uintptr
		prot       int
		want       []vma
	}{
		{0x10000, 0x20000, 0, []vma{{0x10000, 0x20000, 0}}},
		{0x30000, 0x40000, 3, []vma{{0x10000, 0x20000, 0}, {0x30000, 0x40000, 3}}},
		// Commit the middle of the reservation: three pieces.
		{0x14000, 0x18000, 3, []vma{{0x10000, 0x14000, 0}, {0x14000, 0x18000, 3}, {0x18000, 0x20000, 0}, {0x30000, 0x40000, 3}}},
		// Fill the gap with the same protection: neighbours merge.
		{0x20000, 0x30000, 0, []vma{{0x10000, 0x14000, 0}, {0x14000, 0x18000, 3}, {0x18000, 0x30000, 0}, {0x30000, 0x40000, 3}}},
		// Unmap across two regions.
		{0x16000, 0x34000, -1, []vma{{0x10000, 0x14000, 0}, {0x14000, 0x16000, 3}, {0x34000, 0x40000, 3}}},
		// Map over everything.
		{0x0, 0x50000, 1, []vma{{0x0, 0x50000, 1}}},
	}
	for i, s := range steps {
		if !setRange(s.start, s.end, s.prot) {
			t.Fatalf("step %d: setRange failed", i)
		}
		got := regions()
		if len(got) != len(s.want) {
			t.Fatalf("step %d: got %v, want %v", i, got, s.want)
		}
		for j := range got {
			if got[j] != s.want[j] {
				t.Fatalf("step %d: got %v, want %v", i, got, s.want)
			}
		}
	}
}

func TestFindVMAAndRangeFree(t *testing.T) {
	resetVMAs()
	defer resetVMAs()
	setRange(0x10000, 0x20000, 3)
	if v := findVMA(0x1ffff); v == nil || v.prot != 3 {
		t.Error("0x1ffff should be mapped")
	}
	if findVMA(0x20000) != nil || findVMA(0xffff) != nil {
		t.Error("region bounds are half-open")
	}
	if rangeFree(0x1f000, 0x21000) || !rangeFree(0x20000, 0x30000) {
		t.Error("rangeFree wrong at the boundary")
	}
}

func TestSetRangeFullTable(t *testing.T) {
	resetVMAs()
	defer resetVMAs()
	// Alternate protections so nothing merges, until the table is full.
	for i := 0; i < maxVMAs; i++ {
		if !setRange(uintptr(i+1)*0x2000, uintptr(i+1)*0x2000+0x1000, i%2) {
			t.Fatalf("insert %d failed early", i)
		}
	}
	if setRange(0x10000000, 0x10001000, 1) {
		t.Error("insert into a full table succeeded")
	}
	if nVMAs != maxVMAs {
		t.Errorf("table changed by a failed insert: %d", nVMAs)
	}
}
