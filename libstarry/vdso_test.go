package libstarry

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/libstarry/vdso"
)

// TestVDSOMapping: exec's two pages go at the top of the mmap area,
// [vvar] read-only with the clock's parameters, [vdso] read and execute
// with the image, and no clock means no pages.
func TestVDSOMapping(t *testing.T) {
	_, ex := newMachine()
	env, err := ex.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	m := mm.New(env, 0)
	if at, err := newVDSO(Clock{}, time.Now()).mapInto(m); at != 0 || err != nil || len(m.Regions()) != 0 {
		t.Fatalf("no clock: %#x, %v, %d regions", at, err, len(m.Regions()))
	}
	var ticks int64 = 5_000_000
	boot := time.Now()
	c := Clock{TSCBoot: 11, Mult: 1 << 32, WallBoot: 1_700_000_000e9, Now: func() int64 { ticks++; return ticks }}
	at, err := newVDSO(c, boot).mapInto(m)
	if err != nil {
		t.Fatal(err)
	}
	r := m.Regions()
	if len(r) != 2 || r[0].Name != "[vvar]" || r[1].Name != "[vdso]" || uint64(r[1].Start) != at ||
		r[0].End != r[1].Start || r[1].End > mm.MmapTop || r[1].End < mm.MmapTop-exo.PageSize ||
		r[0].Prot != exo.PermRead || r[1].Prot != exo.PermRead|exo.PermExec {
		t.Fatalf("regions %+v, vDSO at %#x", r, at)
	}
	code := make([]byte, vdso.PageSize)
	if err := m.CopyIn(uintptr(at), code); err != nil || !bytes.Equal(code, vdso.Image()) {
		t.Errorf("the [vdso] page is not the image (%v)", err)
	}
	data := make([]byte, 32)
	if err := m.CopyIn(r[0].Start, data); err != nil {
		t.Fatal(err)
	}
	u := func(i int) int64 { return int64(binary.LittleEndian.Uint64(data[8*i:])) }
	// The base is the clock's reading at boot: the ticks counted, less
	// the time since boot that the bracketing read beside them.
	base := u(3)
	if u(0) != 11 || u(1) != 1<<32 || u(2) != 1_700_000_000e9 || base > ticks || base < ticks-int64(time.Since(boot))-100 {
		t.Errorf("data page %d %d %d %d (ticks %d)", u(0), u(1), u(2), base, ticks)
	}
}
