package exo

// Read copies from the Env's memory at va into b, through the Env's own
// mappings. Any unmapped page makes it fail with ErrFault (after copying
// what it could); nothing outside the Env is ever reached.
func (e *Env) Read(va uintptr, b []byte) error {
	return e.copy(va, b, false)
}

// Write copies b into the Env's memory at va. Write permission is not
// required: the library OS acts for its process (as Linux's kernel may
// write a read-only page through ptrace); only the mapping must exist.
func (e *Env) Write(va uintptr, b []byte) error {
	return e.copy(va, b, true)
}

// WriteFrame fills a frame the Env holds before it maps it, so no thread
// of the Env can see the frame half-filled. off+len(b) must fit the page.
func (e *Env) WriteFrame(f Frame, off int, b []byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.held[f]; !ok || e.dead.Load() {
		return ErrNotOwner
	}
	if off < 0 || off+len(b) > PageSize {
		return ErrBadAddress
	}
	copy(e.k.backend.Phys(uint64(f))[off:], b)
	return nil
}

// ReadFrame copies from a frame the Env holds, at off, into b: how a
// pager Env that never maps its frames (a tmpfs file's pages) reads them.
// The checks are WriteFrame's: off+len(b) must fit the page.
func (e *Env) ReadFrame(f Frame, off int, b []byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.held[f]; !ok || e.dead.Load() {
		return ErrNotOwner
	}
	if off < 0 || off+len(b) > PageSize {
		return ErrBadAddress
	}
	copy(b, e.k.backend.Phys(uint64(f))[off:])
	return nil
}

func (e *Env) copy(va uintptr, b []byte, write bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dead.Load() {
		return ErrDestroyed
	}
	for len(b) > 0 {
		if va < UserBase || va >= UserTop {
			return ErrFault
		}
		page := va &^ (PageSize - 1)
		f, ok := e.maps[page]
		if !ok {
			return ErrFault
		}
		mem := e.k.backend.Phys(uint64(f))[va-page:]
		var n int
		if write {
			n = copy(mem, b)
		} else {
			n = copy(b, mem)
		}
		b = b[n:]
		va += uintptr(n)
	}
	return nil
}
