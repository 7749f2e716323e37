package flock

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// The model: byte 0..63 each, and byte 64 standing for [64, MaxOffset].
// Requests start in 0..64 and end in 0..63 or at MaxOffset, so every
// lock edge falls inside the model.
const modelBytes = 65

type model [modelBytes][]int16 // byte -> owner index -> type (F_UNLCK none)

func (md *model) span(s, e int64) (int, int) {
	hi := int(min(e, modelBytes-1))
	if e != MaxOffset && e >= modelBytes-1 {
		panic("range not in the model")
	}
	return int(s), hi
}

func randomRange(r *rand.Rand) (int64, int64) {
	s := int64(r.Intn(modelBytes))
	if s == modelBytes-1 || r.Intn(8) == 0 {
		return s, MaxOffset
	}
	return s, s + int64(r.Intn(int(modelBytes-1-s)))
}

func modelConflict(held, req int16) bool {
	return held != U && (held == W || req == W)
}

// runs is what the owner's list must be: maximal runs of one type.
func (md *model) runs(o int) []rng {
	var out []rng
	for b := 0; b < modelBytes; b++ {
		t := md[b][o]
		if t == U {
			continue
		}
		if n := len(out); n > 0 && out[n-1].typ == t && out[n-1].e == int64(b-1) {
			out[n-1].e = int64(b)
			continue
		}
		out = append(out, rng{t, int64(b), int64(b)})
	}
	for i := range out {
		if out[i].e == modelBytes-1 {
			out[i].e = MaxOffset
		}
	}
	return out
}

func TestModel(t *testing.T) {
	for seed := int64(0); seed < 400; seed++ {
		if err := runModel(seed, 2+int(seed%2), 300); err != "" {
			t.Fatalf("seed %d: %s", seed, err)
		}
	}
}

func runModel(seed int64, nOwners, steps int) string {
	r := rand.New(rand.NewSource(seed))
	m := New()
	f := m.Of("ino")
	owners := make([]*owner, nOwners)
	for i := range owners {
		owners[i] = &owner{fmt.Sprint("o", i)}
	}
	isOFD := func(i int) bool { return i == 2 } // the third owner is an open file description
	var md model
	for b := range md {
		md[b] = slices.Repeat([]int16{U}, nOwners)
	}
	for step := 0; step < steps; step++ {
		o := r.Intn(nOwners)
		s, e := randomRange(r)
		typ := []int16{R, W, U}[r.Intn(3)]
		lo, hi := md.span(s, e)
		req := Lock{Type: typ, Start: s, End: e, Owner: owners[o], Pid: o + 100, OFD: isOFD(o)}
		what := fmt.Sprintf("step %d: owner %d type %d [%d, %d]", step, o, typ, s, e)

		switch r.Intn(10) {
		case 0: // close(2) of a descriptor, or the description's last close
			if isOFD(o) {
				f.RemoveFile(owners[o])
			} else {
				f.RemoveOwner(owners[o])
			}
			for b := range md {
				md[b][o] = U
			}
			what = fmt.Sprintf("step %d: remove owner %d", step, o)
		case 1, 2: // F_GETLK
			if typ == U {
				typ = W
				req.Type = W
			}
			want := false
			for b := lo; b <= hi; b++ {
				for p := range owners {
					want = want || p != o && modelConflict(md[b][p], typ)
				}
			}
			got, ok := f.Test(req)
			if ok != want {
				return fmt.Sprintf("%s: Test %v, model %v", what, ok, want)
			}
			if ok {
				list := snapshot(f)
				p := slices.Index(owners, got.Owner.(*owner))
				stored := got
				if isOFD(p) {
					stored.Pid = -1
				}
				if !slices.Contains(list, stored) || !req.conflicts(got) || got.OFD != isOFD(p) ||
					(isOFD(p) && got.Pid != -1) || (!isOFD(p) && got.Pid != p+100) {
					return fmt.Sprintf("%s: Test returned %+v", what, got)
				}
			}
			continue
		default: // F_SETLK
			conflict := false
			if typ != U {
				for b := lo; b <= hi; b++ {
					for p := range owners {
						conflict = conflict || p != o && modelConflict(md[b][p], typ)
					}
				}
			}
			err := f.Set(req, nil)
			switch {
			case conflict && err != abi.EAGAIN:
				return fmt.Sprintf("%s: got %v, want EAGAIN", what, err)
			case !conflict && err != nil:
				return fmt.Sprintf("%s: got %v", what, err)
			case !conflict:
				for b := lo; b <= hi; b++ {
					md[b][o] = typ
				}
			}
		}

		list := snapshot(f)
		if err := invariantErr(list); err != "" {
			return what + ": " + err
		}
		if m.Count() != len(list) {
			return fmt.Sprintf("%s: Count %d, list %d", what, m.Count(), len(list))
		}
		for p := range owners {
			var mine []Lock
			for _, l := range list {
				if l.Owner == owners[p] {
					mine = append(mine, l)
				}
			}
			if got, want := ranges(mine), md.runs(p); !slices.Equal(got, want) {
				return fmt.Sprintf("%s: owner %d has %v, model %v", what, p, got, want)
			}
		}
	}
	for _, o := range owners {
		f.RemoveFile(o)
	}
	if m.Count() != 0 || len(m.files) != 0 {
		return fmt.Sprintf("left %d locks, %d files", m.Count(), len(m.files))
	}
	return ""
}
