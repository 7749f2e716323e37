package mm

import (
	"bytes"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// CopyIn reads user memory at va into b, paging in what is not present
// yet, as copy_from_user's fault path does in Linux. A range outside the
// process's regions, or without read permission, is EFAULT.
func (m *MM) CopyIn(va uintptr, b []byte) error {
	return m.copyUser(va, b, exo.PermRead)
}

// CopyOut writes b to user memory at va; the region must be writable.
func (m *MM) CopyOut(va uintptr, b []byte) error {
	return m.copyUser(va, b, exo.PermWrite)
}

func (m *MM) copyUser(va uintptr, b []byte, access exo.Perm) error {
	if va+uintptr(len(b)) < va {
		return abi.EFAULT
	}
	for len(b) > 0 {
		n := min(len(b), int(exo.PageSize-va&pageMask))
		if err := m.present(va, access); err != nil {
			return err
		}
		var err error
		if access == exo.PermWrite {
			err = m.env.Write(va, b[:n])
		} else {
			err = m.env.Read(va, b[:n])
		}
		if err != nil {
			return abi.EFAULT
		}
		b, va = b[n:], va+uintptr(n)
	}
	return nil
}

// present makes the page at va present for access, or answers EFAULT.
func (m *MM) present(va uintptr, access exo.Perm) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.find(va)
	if v == nil || !allows(v.Prot, access) {
		return abi.EFAULT
	}
	if pg := m.pages[va&^pageMask]; pg != nil && pg.mapped && !(pg.cow && access&exo.PermWrite != 0) {
		return nil // (a write to a copy-on-write page must copy it first)
	}
	switch m.fault(va, access) {
	case FaultHandled:
		return nil
	case FaultNoMemory:
		return abi.ENOMEM
	}
	return abi.EFAULT
}

// maxPath is Linux's PATH_MAX; strings longer than it are ENAMETOOLONG.
const maxPath = 4096

// CopyInString reads a NUL-terminated string of at most max bytes
// (strncpy_from_user): ENAMETOOLONG if no NUL comes in time.
func (m *MM) CopyInString(va uintptr, max int) (string, error) {
	// Chunks of stringChunk, none crossing a page (so a fault is the
	// page's, as before): a short path costs one small copy, not the
	// page's rest, and no heap buffer.
	var chunk [stringChunk]byte
	var out []byte
	for len(out) < max {
		n := min(max-len(out), int(exo.PageSize-va&pageMask), stringChunk)
		buf := chunk[:n]
		if err := m.CopyIn(va, buf); err != nil {
			return "", err
		}
		if i := bytes.IndexByte(buf, 0); i >= 0 {
			if out == nil {
				return string(buf[:i]), nil
			}
			return string(append(out, buf[:i]...)), nil
		}
		out = append(out, buf...)
		va += uintptr(n)
	}
	return "", abi.ENAMETOOLONG
}

// stringChunk is how much CopyInString copies at a time.
const stringChunk = 256

// CopyInPath reads a path argument.
func (m *MM) CopyInPath(va uintptr) (string, error) {
	s, err := m.CopyInString(va, maxPath)
	if err == nil && s == "" {
		return "", abi.ENOENT
	}
	return s, err
}

// Load32 reads an aligned user word atomically (a futex's get_user): the
// page must be readable.
func (m *MM) Load32(va uintptr) (uint32, error) {
	if va%4 != 0 {
		return 0, abi.EINVAL
	}
	if err := m.present(va, exo.PermRead); err != nil {
		return 0, err
	}
	v, err := m.env.Load32(va)
	if err != nil {
		return 0, abi.EFAULT
	}
	return v, nil
}

// CompareAndSwap32 stores new at va if it holds old, atomically with the
// process's own threads, and returns what it held
// (futex_atomic_cmpxchg_inatomic): the page must be writable.
func (m *MM) CompareAndSwap32(va uintptr, old, new uint32) (uint32, error) {
	if va%4 != 0 {
		return 0, abi.EINVAL
	}
	if err := m.present(va, exo.PermWrite); err != nil {
		return 0, err
	}
	cur, err := m.env.CompareAndSwap32(va, old, new)
	if err != nil {
		return 0, abi.EFAULT
	}
	return cur, nil
}

// SharedFrame says what a shared (not FUTEX_PRIVATE) futex word at va is
// keyed by, as get_futex_key decides: the frame when its region is
// MAP_SHARED (paged in first), so every process mapping it finds the same
// queue; otherwise shared is false and the address space and address are
// the key. EFAULT when no region holds va.
func (m *MM) SharedFrame(va uintptr) (f exo.Frame, shared bool, err error) {
	m.mu.Lock()
	v := m.find(va)
	m.mu.Unlock()
	switch {
	case v == nil:
		return 0, false, abi.EFAULT
	case !v.Shared:
		return 0, false, nil
	}
	if err := m.present(va, exo.PermRead); err != nil {
		return 0, false, err
	}
	f, _, ok := m.env.Lookup(va)
	if !ok {
		return 0, false, abi.EFAULT
	}
	return f, true, nil
}

// ForceCopyOut writes b into user memory at va as a tracer does
// (FOLL_FORCE|FOLL_WRITE, PTRACE_POKEDATA): a private region need not be
// writable, and a page it shares (copy-on-write, or a file's) is copied
// first, so the write reaches this process alone; a shared region must
// be writable, as Linux refuses to force a write into a file.
func (m *MM) ForceCopyOut(va uintptr, b []byte) error {
	if va+uintptr(len(b)) < va {
		return abi.EFAULT
	}
	for len(b) > 0 {
		n := min(len(b), int(exo.PageSize-va&pageMask))
		if err := m.forceWritable(va); err != nil {
			return err
		}
		if m.env.Write(va, b[:n]) != nil {
			return abi.EFAULT
		}
		b, va = b[n:], va+uintptr(n)
	}
	return nil
}

// forceWritable makes the page at va present and this process's own,
// for a forced write.
func (m *MM) forceWritable(va uintptr) error {
	m.mu.Lock()
	v := m.find(va)
	writable := v != nil && v.Prot&exo.PermWrite != 0
	m.mu.Unlock()
	if writable {
		return m.present(va, exo.PermWrite)
	}
	if err := m.present(va, exo.PermRead); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, pg := m.find(va), m.pages[va&^pageMask]
	if v == nil || v.Shared || pg == nil {
		return abi.EFAULT
	}
	if pg.cow && !m.breakCOW(va&^pageMask, pg) {
		return abi.ENOMEM
	}
	if !pg.mapped {
		if m.env.Map(va&^pageMask, pg.frame, pagePerm(v.Prot, pg)) != nil {
			return abi.ENOMEM
		}
		pg.mapped = true
	}
	v.Dirty = true
	return nil
}
