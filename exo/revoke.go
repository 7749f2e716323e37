package exo

import (
	"sort"
	"time"
)

// Revocation asks an Env to give back N frames by Deadline.
type Revocation struct {
	N        int
	Deadline time.Time
	// Done is closed when exo has settled the request; Lost then lists
	// what was taken by force (empty if the Env complied).
	Done <-chan struct{}
	Lost *[]LostFrame
}

// LostFrame is a frame exo took back, and where the Env had it mapped.
type LostFrame struct {
	Frame Frame
	VAs   []uintptr
}

// Revocations delivers revocation requests to the Env's library OS.
func (e *Env) Revocations() <-chan Revocation { return e.revo }

// Lost lists every frame taken from the Env by force so far.
func (e *Env) Lost() []LostFrame {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]LostFrame(nil), e.lost...)
}

// Revoke asks e for n frames within grace, then takes what is missing:
// the abort protocol. It returns the frames taken by force.
func (k *Exokernel) Revoke(e *Env, n int, grace time.Duration) []LostFrame {
	done := make(chan struct{})
	var lost []LostFrame
	e.mu.Lock()
	e.freed = 0
	e.mu.Unlock()
	req := Revocation{N: n, Deadline: time.Now().Add(grace), Done: done, Lost: &lost}
	select {
	case e.revo <- req:
	default: // the Env is not listening: it gets no grace
		grace = 0
	}
	time.Sleep(grace)
	lost = e.abort(n)
	close(done)
	return lost
}

// abort takes back what the Env did not return: frames it holds alone,
// newest (highest) first, unmapping them wherever it mapped them.
func (e *Env) abort(n int) []LostFrame {
	e.mu.Lock()
	defer e.mu.Unlock()
	missing := n - e.freed
	var lost []LostFrame
	if missing <= 0 || e.dead.Load() {
		return nil
	}
	var cands []Frame
	for f := range e.held {
		if e.k.Refs(f) == 1 { // shared frames stay: another Env relies on them
			cands = append(cands, f)
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i] > cands[j] })
	for _, f := range cands[:min(missing, len(cands))] {
		lf := LostFrame{Frame: f}
		for va, m := range e.maps {
			if m == f {
				e.as.Clear(va)
				delete(e.maps, va)
				e.held[f]--
				lf.VAs = append(lf.VAs, va)
			}
		}
		sort.Slice(lf.VAs, func(i, j int) bool { return lf.VAs[i] < lf.VAs[j] })
		e.release(f)
		lost = append(lost, lf)
	}
	e.lost = append(e.lost, lost...)
	return lost
}
