package tmpfs

import (
	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// SeekData is lseek's SEEK_DATA (mapping_seek_hole_data): the first
// offset at or after off that lies in a page with a frame, page by page
// as tmpfs sees it. ENXIO at or past the end, or when only holes follow.
func (n *Node) SeekData(off int64) (int64, error) {
	if err := n.checkReg(); err != nil {
		return 0, abi.EINVAL
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	if off < 0 || off >= n.size {
		return 0, abi.ENXIO
	}
	first, last := uint64(off/pageSize), uint64((n.size-1)/pageSize)
	found, ok := uint64(0), false
	if last-first >= uint64(n.pages.count()) {
		n.pages.each(func(pg uint64, _ exo.Frame) {
			if pg >= first && pg <= last && (!ok || pg < found) {
				found, ok = pg, true
			}
		})
	} else {
		for pg := first; pg <= last && !ok; pg++ {
			_, ok = n.pages.get(pg)
			found = pg
		}
	}
	if !ok {
		return 0, abi.ENXIO
	}
	return max(off, int64(found)*pageSize), nil
}

// SeekHole is lseek's SEEK_HOLE: the first offset at or after off in a
// page without a frame, or the end of the file, which counts as a hole.
// ENXIO at or past the end.
func (n *Node) SeekHole(off int64) (int64, error) {
	if err := n.checkReg(); err != nil {
		return 0, abi.EINVAL
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	if off < 0 || off >= n.size {
		return 0, abi.ENXIO
	}
	last := uint64((n.size - 1) / pageSize)
	for pg := uint64(off / pageSize); pg <= last; pg++ {
		if _, ok := n.pages.get(pg); !ok {
			return max(off, int64(pg)*pageSize), nil
		}
	}
	return n.size, nil
}
