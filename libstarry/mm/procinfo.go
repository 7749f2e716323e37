package mm

import (
	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Resident counts, for /proc/PID/smaps and status, the pages present in
// [start, end) and, of those, the ones whose frames another address
// space holds too (a fork's copy-on-write sharers, or a second mapper
// of a file, past the file system's own hold when obj says the region
// maps an object), as smaps_account tells Shared from Private by
// mapcount.
func (m *MM) Resident(start, end uintptr, obj bool) (present, shared uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	base := 1
	if obj {
		base = 2
	}
	m.eachPage(start, end, func(_ uintptr, pg *page) {
		present++
		if m.env.Refs(pg.frame) > base {
			shared++
		}
	})
	return present, shared
}

// Peek reads user memory at va into b for /proc, which must not fault
// another process's pages in just to look at them: a page not present
// reads as zeros, which is what an untouched anonymous page holds (so
// Peek is for anonymous memory, the stack's start-up area). Outside the
// regions it is EFAULT.
func (m *MM) Peek(va uintptr, b []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(b) > 0 {
		n := min(len(b), int(exo.PageSize-va&pageMask))
		if m.find(va) == nil {
			return abi.EFAULT
		}
		if pg := m.pages[va&^pageMask]; pg != nil {
			if m.env.ReadFrame(pg.frame, int(va&pageMask), b[:n]) != nil {
				return abi.EFAULT
			}
		} else {
			clear(b[:n])
		}
		b, va = b[n:], va+uintptr(n)
	}
	return nil
}
