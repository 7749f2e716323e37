package mm

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The host-side half of the memory model test (tests/progs/memmodel.c is
// the guest half): random mmap, munmap, mprotect, madvise and mremap on an
// MM over exo/sim, checked page by page against a model after every call,
// together with MM's own invariants: regions sorted, disjoint and merged,
// every present page inside a region and bound exactly when its region
// allows access, and no frame held that no page accounts for.

const modelPages = 32

var modelBase = uintptr(0x100000000)

type modelPage struct {
	mapped bool
	prot   exo.Perm
	tag    byte // what its first byte holds (0: never written or dropped)
}

type mmModel struct {
	t     *testing.T
	mm    *MM
	pages [modelPages]modelPage
	rnd   *rand.Rand
	op    string
}

func (x *mmModel) addr(i int) uintptr { return modelBase + uintptr(i)*exo.PageSize }

func (x *mmModel) check(call string, got, want error) {
	if got != want {
		x.t.Fatalf("%s: %s answered %v, model says %v", x.op, call, got, want)
	}
}

func (x *mmModel) mmap(s, n int, prot exo.Perm) {
	a, err := x.mm.Mmap(MapRequest{Addr: x.addr(s), Len: uintptr(n) * exo.PageSize, Prot: prot, Fixed: true})
	x.check("mmap", err, nil)
	if a != x.addr(s) {
		x.t.Fatalf("%s: mmap at %#x", x.op, a)
	}
	for i := s; i < s+n; i++ {
		x.pages[i] = modelPage{mapped: true, prot: prot}
	}
}

func (x *mmModel) mprotect(s, n int, prot exo.Perm) {
	var want error
	for i := s; i < s+n && want == nil; i++ {
		if !x.pages[i].mapped {
			want = abi.ENOMEM
		} else {
			x.pages[i].prot = prot
		}
	}
	x.check("mprotect", x.mm.Mprotect(x.addr(s), uintptr(n)*exo.PageSize, prot), want)
}

func (x *mmModel) dontneed(s, n int) {
	var want error
	for i := s; i < s+n; i++ {
		if !x.pages[i].mapped {
			want = abi.ENOMEM
		}
		x.pages[i].tag = 0
	}
	x.check("madvise", x.mm.Madvise(x.addr(s), uintptr(n)*exo.PageSize, AdviceDontNeed), want)
}

// remap moves [s, s+n) to [t, t+n) with MREMAP_FIXED (EINVAL if they
// overlap, EFAULT unless the source is one mapped run of one protection).
func (x *mmModel) remap(s, n, to int) {
	var want error
	one := x.pages[s].mapped
	for i := s + 1; i < s+n; i++ {
		one = one && x.pages[i].mapped && x.pages[i].prot == x.pages[s].prot
	}
	switch {
	case s < to+n && to < s+n:
		want = abi.EINVAL
	case !one:
		return // whether Linux has one VMA there depends on its merging
	}
	_, err := x.mm.Mremap(RemapRequest{Old: x.addr(s), OldLen: uintptr(n) * exo.PageSize, NewLen: uintptr(n) * exo.PageSize,
		MayMove: true, Fixed: true, NewAddr: x.addr(to)})
	x.check("mremap", err, want)
	if want == nil {
		moved := append([]modelPage(nil), x.pages[s:s+n]...)
		for i := s; i < s+n; i++ {
			x.pages[i] = modelPage{}
		}
		copy(x.pages[to:], moved)
	}
}

func (x *mmModel) write(i int) {
	p := &x.pages[i]
	if !p.mapped || p.prot&exo.PermWrite == 0 {
		return
	}
	p.tag = byte(x.rnd.Intn(255) + 1)
	x.check("CopyOut", x.mm.CopyOut(x.addr(i), []byte{p.tag}), nil)
}

// probe checks every page: a read fault exactly where the model forbids
// reads, and the byte the model expects where it allows them.
func (x *mmModel) probe() {
	for i, p := range x.pages {
		code := x.mm.Fault(x.addr(i), exo.PermRead)
		want := FaultHandled
		if !p.mapped {
			want = FaultUnmapped
		} else if p.prot == 0 {
			want = FaultProtection
		}
		if code != want {
			x.t.Fatalf("%s: page %d read fault %d, model says %d (%+v)", x.op, i, code, want, p)
		}
		if want == FaultHandled {
			var b [1]byte
			if err := x.mm.CopyIn(x.addr(i), b[:]); err != nil || b[0] != p.tag {
				x.t.Fatalf("%s: page %d holds %d (%v), model says %d", x.op, i, b[0], err, p.tag)
			}
		}
	}
}

// invariants checks MM's own bookkeeping.
func (x *mmModel) invariants() {
	m := x.mm
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, v := range m.vmas {
		if v.Start >= v.End || (i > 0 && m.vmas[i-1].End > v.Start) {
			x.t.Fatalf("%s: regions out of order or overlapping at %d: %+v", x.op, i, *v)
		}
		if i > 0 && mergeable(m.vmas[i-1], v) {
			x.t.Fatalf("%s: regions %#x and %#x should have merged", x.op, m.vmas[i-1].Start, v.Start)
		}
	}
	for va, pg := range m.pages {
		v := m.find(va)
		if v == nil {
			x.t.Fatalf("%s: page %#x is held outside every region", x.op, va)
		}
		if _, _, bound := m.env.Lookup(va); bound != pg.mapped || pg.mapped != (v.Prot != 0) {
			x.t.Fatalf("%s: page %#x bound=%v mapped=%v in a region with prot %d", x.op, va, bound, pg.mapped, v.Prot)
		}
	}
}

func TestMMModel(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			m, k := newMachine()
			env, _ := k.NewEnv()
			x := &mmModel{t: t, mm: newMM(env), rnd: rand.New(rand.NewSource(seed))}
			prots := []exo.Perm{0, exo.PermRead, exo.PermRead | exo.PermWrite, exo.PermRead | exo.PermExec}
			for op := 0; op < 400; op++ {
				s := x.rnd.Intn(modelPages)
				n := 1 + x.rnd.Intn(min(6, modelPages-s))
				prot := prots[x.rnd.Intn(len(prots))]
				x.op = fmt.Sprintf("op %d", op)
				switch x.rnd.Intn(7) {
				case 0, 1:
					x.mmap(s, n, prot)
				case 2:
					x.check("munmap", x.mm.Munmap(x.addr(s), uintptr(n)*exo.PageSize), nil)
					for i := s; i < s+n; i++ {
						x.pages[i] = modelPage{}
					}
				case 3:
					x.mprotect(s, n, prot)
				case 4:
					x.dontneed(s, n)
				case 5:
					x.remap(s, n, x.rnd.Intn(modelPages-n+1))
				default:
					x.write(s)
				}
				x.invariants()
				x.probe()
			}
			x.mm.Release()
			env.Destroy()
			if m.FramesInUse() != 0 {
				t.Errorf("%d frames leaked", m.FramesInUse())
			}
		})
	}
}
