package exo

import (
	"sync"
	"sync/atomic"
	"time"
)

// Env is a protection domain: an address space, the frames it holds, and
// the CPU time it has used. One library-OS process runs in one Env.
type Env struct {
	k     *Exokernel
	id    int
	as    AddressSpace
	mu    sync.Mutex        // guards the fields below and as
	dead  atomic.Bool       // set under mu; Run reads it without
	held  map[Frame]int     // frames this Env may map (owned or granted): how often it maps each
	maps  map[uintptr]Frame // its mappings, by page
	cpu   atomic.Int64      // user-mode ns, added by Run without mu
	revo  chan Revocation
	lost  []LostFrame
	freed int // frames given back since the last revocation request
}

// NewEnv makes an empty protection domain.
func (k *Exokernel) NewEnv() (*Env, error) {
	as, err := k.backend.NewAddressSpace()
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.nextID++
	id := k.nextID
	k.mu.Unlock()
	return &Env{k: k, id: id, as: as, held: map[Frame]int{}, maps: map[uintptr]Frame{},
		revo: make(chan Revocation, 4)}, nil
}

// ID numbers Envs from 1.
func (e *Env) ID() int { return e.id }

// CPUTime is the user-mode time this Env has used.
func (e *Env) CPUTime() time.Duration { return time.Duration(e.cpu.Load()) }

// AllocFrame gives the Env a zeroed frame it owns.
func (e *Env) AllocFrame() (Frame, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dead.Load() {
		return 0, ErrDestroyed
	}
	p, ok := e.k.backend.AllocPhys()
	if !ok {
		return 0, ErrNoMemory
	}
	f := Frame(p)
	e.k.mu.Lock()
	e.k.frames[f] = 1
	e.k.mu.Unlock()
	e.held[f] = 0
	return f, nil
}

// FreeFrame drops the Env's reference to a frame it no longer maps.
func (e *Env) FreeFrame(f Frame) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	n, ok := e.held[f]
	if !ok {
		return ErrNotOwner
	}
	if n > 0 {
		return ErrMapped
	}
	e.release(f)
	e.freed++
	return nil
}

// release drops e's reference; e.mu is held.
func (e *Env) release(f Frame) {
	delete(e.held, f)
	k := e.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.frames[f]--; k.frames[f] <= 0 {
		delete(k.frames, f)
		k.backend.FreePhys(uint64(f))
	}
}

// Share grants other the right to map f: the reference count rises and
// the frame lives until both have let go.
func (e *Env) Share(f Frame, other *Env) error {
	return e.ShareFrames([]Frame{f}, other)
}

// ShareFrames grants other every frame of fs, or none (ErrNotOwner if e
// lacks one): what fork's copy-on-write needs for a whole address space.
// Both Envs are locked, in ID order, for the check and the counts' rise,
// so a frame e frees meanwhile cannot come back from a count of zero.
func (e *Env) ShareFrames(fs []Frame, other *Env) error {
	if e == other {
		return nil
	}
	first, second := e, other
	if second.id < first.id {
		first, second = second, first
	}
	first.mu.Lock()
	defer first.mu.Unlock()
	second.mu.Lock()
	defer second.mu.Unlock()
	if e.dead.Load() {
		return ErrNotOwner
	}
	if other.dead.Load() {
		return ErrDestroyed
	}
	for _, f := range fs {
		if _, ok := e.held[f]; !ok {
			return ErrNotOwner
		}
	}
	e.k.mu.Lock()
	defer e.k.mu.Unlock()
	for _, f := range fs {
		if _, ok := other.held[f]; !ok {
			e.k.frames[f]++
			other.held[f] = 0
		}
	}
	return nil
}

// CopyFrame gives the Env a new frame holding a copy of src, which it
// must hold (owned or granted): the copy of copy-on-write.
func (e *Env) CopyFrame(src Frame) (Frame, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.held[src]; !ok || e.dead.Load() {
		return 0, ErrNotOwner
	}
	p, ok := e.k.backend.AllocPhys()
	if !ok {
		return 0, ErrNoMemory
	}
	copy(e.k.backend.Phys(p), e.k.backend.Phys(uint64(src)))
	f := Frame(p)
	e.k.mu.Lock()
	e.k.frames[f] = 1
	e.k.mu.Unlock()
	e.held[f] = 0
	return f, nil
}

// Refs is how many Envs hold f, one of them e: copy-on-write takes a
// frame back rather than copying it when e alone holds it.
func (e *Env) Refs(f Frame) int { return e.k.Refs(f) }

// Refs is the number of Envs holding f (0 when it is free).
func (k *Exokernel) Refs(f Frame) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.frames[f]
}

func checkVA(va uintptr) error {
	if va%PageSize != 0 || va < UserBase || va >= UserTop {
		return ErrBadAddress
	}
	return nil
}

// checkMapping is the binding's address and permission check.
func checkMapping(va uintptr, p Perm) error {
	if err := checkVA(va); err != nil {
		return err
	}
	if p&^permAll != 0 || p == 0 {
		return ErrBadPerm
	}
	return nil
}

// Map binds the page at va to f: the secure binding.
func (e *Env) Map(va uintptr, f Frame, p Perm) error {
	if err := checkMapping(va, p); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dead.Load() {
		return ErrDestroyed
	}
	if _, ok := e.held[f]; !ok {
		return ErrNotOwner
	}
	old, remap := e.maps[va]
	if remap && old != f {
		return ErrAlreadyUsed
	}
	if err := e.as.Set(va, uint64(f), p); err != nil {
		return err
	}
	if !remap {
		e.maps[va] = f
		e.held[f]++
	}
	return nil
}

// Unmap removes the mapping at va.
func (e *Env) Unmap(va uintptr) error {
	if err := checkVA(va); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	f, ok := e.maps[va]
	if !ok {
		return ErrNotMapped
	}
	e.as.Clear(va)
	delete(e.maps, va)
	e.held[f]--
	return nil
}

// Protect changes the permission of the mapping at va.
func (e *Env) Protect(va uintptr, p Perm) error {
	if err := checkMapping(va, p); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	f, ok := e.maps[va]
	if !ok {
		return ErrNotMapped
	}
	return e.as.Set(va, uint64(f), p)
}

// Lookup reports the mapping at the page holding va.
func (e *Env) Lookup(va uintptr) (Frame, Perm, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	phys, p, ok := e.as.Get(va &^ (PageSize - 1))
	return Frame(phys), p, ok
}

// Destroy tears down the page table first (the backend stops every use
// of it), then drops every frame reference, so no frame is handed to
// another Env while still mapped here. The Env cannot be used afterwards.
func (e *Env) Destroy() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dead.Load() {
		return
	}
	e.dead.Store(true)
	e.as.Destroy()
	e.maps = nil
	for f := range e.held {
		e.release(f)
	}
}
