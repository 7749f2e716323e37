package mm

import (
	"github.com/starry-go/starry/personality/linux/abi"
)

// SyncRequest is msync's arguments after the personality checked the
// flags (unknown bits, the start's alignment, MS_ASYNC with MS_SYNC).
type SyncRequest struct {
	Start, Len uintptr
	// AsyncOnly is flags == MS_ASYNC exactly: the walk stops at the
	// first hole, since nothing else could change the answer.
	AsyncOnly  bool
	Sync       bool // MS_SYNC: each shared file region is written back
	Invalidate bool // MS_INVALIDATE: refused (EBUSY) on a locked region
}

// Msync flushes the regions in [Start, Start+Len) (mm/msync.c): a range
// that wraps is ENOMEM, an empty one succeeds untouched, and holes are
// skipped and make the answer ENOMEM once the regions after them are done
// (at once for a bare MS_ASYNC). MS_INVALIDATE on a locked region
// (MAP_LOCKED) is EBUSY when the walk reaches it.
//
// There is nothing to write back: a shared file region maps the file's
// own frames (the tmpfs pages), so every store through it is in the file
// at once, and the file system's fsync has nothing to do (noop_fsync).
// MS_INVALIDATE's cache invalidation is likewise nothing: the file's
// pages are the only copy, and a private region's pages that are still
// the file's show its changes already.
func (m *MM) Msync(r SyncRequest) error {
	// A length within a page of 2^64 rounds up to 0, and so is empty,
	// as Linux's PAGE_ALIGN makes it.
	end := r.Start + uintptr(pageUp(uint64(r.Len)))
	if end < r.Start {
		return abi.ENOMEM
	}
	if end == r.Start {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var unmapped error
	for start := r.Start; ; {
		i := m.after(start)
		if i == len(m.vmas) {
			return abi.ENOMEM
		}
		v := m.vmas[i]
		if start < v.Start {
			if r.AsyncOnly {
				return abi.ENOMEM
			}
			start = v.Start
			if start >= end {
				return abi.ENOMEM
			}
			unmapped = abi.ENOMEM
		}
		if r.Invalidate && v.Locked {
			return abi.EBUSY
		}
		// MS_SYNC on a shared file region is vfs_fsync_range over the
		// file's part: the frames are the file already (see above).
		start = v.End
		if start >= end {
			return unmapped
		}
	}
}
