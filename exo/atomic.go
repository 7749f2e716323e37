package exo

// Load32 and CompareAndSwap32 reach one aligned 32-bit word of the Env's
// memory through its own mapping, atomically with respect to the Env's
// threads on every CPU: a futex's value is compared, and a lock word
// handed over, while the program itself may be updating it. Like Read
// and Write they need only the mapping, not its permission.

// Load32 reads the word at va.
func (e *Env) Load32(va uintptr) (uint32, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, err := e.word(va)
	if err != nil {
		return 0, err
	}
	return e.k.backend.Load32(w), nil
}

// CompareAndSwap32 stores new at va if the word holds old; it returns
// what the word held, so the swap happened exactly when that equals old.
func (e *Env) CompareAndSwap32(va uintptr, old, new uint32) (uint32, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, err := e.word(va)
	if err != nil {
		return 0, err
	}
	return e.k.backend.CompareAndSwap32(w, old, new), nil
}

// word finds the physical address of the word at va; e.mu is held, which
// keeps the frame from being unmapped and freed while the caller uses it.
func (e *Env) word(va uintptr) (uint64, error) {
	if e.dead.Load() {
		return 0, ErrDestroyed
	}
	if va%4 != 0 {
		return 0, ErrBadAddress
	}
	if va < UserBase || va >= UserTop {
		return 0, ErrFault
	}
	f, ok := e.maps[va&^(PageSize-1)]
	if !ok {
		return 0, ErrFault
	}
	return uint64(f) + uint64(va&(PageSize-1)), nil
}
