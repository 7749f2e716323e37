package mm

import (
	"github.com/starry-go/starry/personality/linux/abi"
)

// Advice is what madvise asks of a range, as far as the library OS acts
// on it; the personality maps MADV_* values to it.
type Advice int

const (
	AdviceHint     Advice = iota // accepted and not acted on (WILLNEED, HUGEPAGE, ...)
	AdviceDontNeed               // MADV_DONTNEED: private pages are dropped
	AdviceFree                   // MADV_FREE: private anonymous pages may be dropped
	// AdviceRemove is MADV_REMOVE: punching a hole in a shared object,
	// which private regions refuse with EINVAL; shared memory here has
	// no holes to punch yet, so it refuses too.
	AdviceRemove
)

// Madvise applies advice to the regions in [addr, addr+length)
// (madvise_walk_vmas): every region in the range is visited, and a hole
// anywhere makes the answer ENOMEM once the rest is done.
//
// MADV_DONTNEED drops private pages, so they read as zeros (anonymous
// memory) or the file's bytes again on the next touch; memory allocators
// and the Go runtime's scavenger rely on exactly that. Pages of shared
// regions belong to the shared object, so dropping the mapping keeps
// their contents. MADV_FREE lets the kernel drop private anonymous pages
// whenever it likes; dropping them at once is one allowed answer.
func (m *MM) Madvise(addr, length uintptr, advice Advice) error {
	if addr&pageMask != 0 {
		return abi.EINVAL
	}
	end := addr + uintptr(pageUp(uint64(length)))
	if end < addr || (length != 0 && end == addr) {
		return abi.EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var err error
	for a := addr; a < end; {
		i := m.after(a)
		if i == len(m.vmas) || m.vmas[i].Start >= end {
			return abi.ENOMEM // nothing more in the range
		}
		v := m.vmas[i]
		if v.Start > a {
			err = abi.ENOMEM
		}
		if advice == AdviceRemove {
			return abi.EINVAL // the first region visited decides (madvise_remove)
		}
		lo, hi := max(a, v.Start), min(end, v.End)
		// A shared region's pages are dropped only when they are an
		// object's: shared anonymous memory has no other copy.
		if drop := advice == AdviceDontNeed || (advice == AdviceFree && v.Obj == nil); drop && (!v.Shared || v.Obj != nil) {
			m.dropPages(lo, hi)
		}
		a = hi
	}
	return err
}
