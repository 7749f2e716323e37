package exo

import (
	"errors"
	"sync"
	"time"
)

// Errors are exo's typed answers; the library OS maps them to errno.
var (
	ErrNotOwner    = errors.New("exo: frame not owned or granted")
	ErrBadAddress  = errors.New("exo: address outside the user half or unaligned")
	ErrBadPerm     = errors.New("exo: permission bits not allowed")
	ErrNoMemory    = errors.New("exo: out of physical memory")
	ErrNotMapped   = errors.New("exo: nothing mapped there")
	ErrMapped      = errors.New("exo: frame still mapped")
	ErrFault       = errors.New("exo: bad user address")
	ErrDestroyed   = errors.New("exo: env destroyed")
	ErrAlreadyUsed = errors.New("exo: address already mapped")
)

// Perm is a user mapping's permission. The user bit is implied.
type Perm uint8

const (
	PermRead Perm = 1 << iota
	PermWrite
	PermExec
	permAll = PermRead | PermWrite | PermExec
)

// PageSize is the unit of Map.
const PageSize = 4096

// UserTop bounds the user half: user addresses are in [UserBase, UserTop).
const (
	UserBase = 0x1000
	UserTop  = 1 << 47
)

// Frame names a physical frame. Only exo interprets it.
type Frame uint64

// Exokernel owns the frame table and the Envs of one machine.
type Exokernel struct {
	mu      sync.Mutex
	backend Backend
	frames  map[Frame]int // frames handed out, and how many Envs hold each
	nextID  int
	slice   time.Duration
}

// New makes an exokernel on a backend. slice is the CPU time slice.
func New(b Backend, slice time.Duration) *Exokernel {
	if a, ok := b.(Alarm); ok {
		UseAlarm(a)
	}
	if e, ok := b.(Entropy); ok {
		entropySource.Store(&e)
	}
	return &Exokernel{backend: b, frames: map[Frame]int{}, slice: slice}
}

// Slice is the length of a user time slice.
func (k *Exokernel) Slice() time.Duration { return k.slice }

// UserFrames is the size of the machine's memory for Envs, in frames: a
// library OS sizes its commit checks by it (Linux's totalram_pages).
func (k *Exokernel) UserFrames() int { return k.backend.UserFrames() }

// FreeFrames is how many frames are left for Envs now, page tables
// included: a library OS's low-memory policies read it.
func (k *Exokernel) FreeFrames() int { return k.backend.FreeFrames() }

// FramesInUse counts frames handed out and not yet returned.
func (k *Exokernel) FramesInUse() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.frames)
}

// FramesBeyond counts the frames held by an Env other than e: with e the
// library OS's pager (the page cache), what its processes still hold.
func (k *Exokernel) FramesBeyond(e *Env) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for f, refs := range k.frames {
		if _, mine := e.held[f]; !mine || refs > 1 {
			n++
		}
	}
	return n
}
