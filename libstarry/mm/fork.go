package mm

import (
	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Fork copies the address space into child, an empty MM on the new
// process's Env (dup_mmap): every region, and every page's frame shared
// with the child through exo. Private pages become copy-on-write on both
// sides, so nothing is copied until one side writes; pages of MAP_SHARED
// regions stay shared and writable. The child's pages are bound on their
// first touch. ENOMEM if the child's Env cannot take the frames.
func (m *MM) Fork(child *MM) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	frames := make([]exo.Frame, 0, len(m.pages))
	for _, pg := range m.pages {
		frames = append(frames, pg.frame)
	}
	if err := m.env.ShareFrames(frames, child.env); err != nil {
		return abi.ENOMEM
	}
	child.mu.Lock()
	defer child.mu.Unlock()
	for _, v := range m.vmas {
		c := *v
		c.Locked = false // dup_mmap clears VM_LOCKED: locks are not inherited
		child.vmas = append(child.vmas, &c)
	}
	for va, pg := range m.pages {
		v := m.find(va)
		private := v == nil || !v.Shared
		if private && !pg.cow {
			pg.cow = true
			if pg.mapped && v != nil && v.Prot&exo.PermWrite != 0 {
				_ = m.env.Protect(va, pagePerm(v.Prot, pg))
			}
		}
		child.addPage(va, &page{frame: pg.frame, cow: private})
	}
	child.holdObjects()
	child.brkStart, child.brk = m.brkStart, m.brk
	child.commitLimit = m.commitLimit
	return nil
}

// breakCOW gives a copy-on-write page a frame of its own before a write
// (do_wp_page): the frame itself when no other Env holds it any more
// (wp_page_reuse) and no other page here uses it, else a copy; false
// when frames run out. m.mu is held.
func (m *MM) breakCOW(va uintptr, pg *page) bool {
	if m.env.Refs(pg.frame) == 1 && m.holds[pg.frame] == 1 {
		pg.cow = false
		return true
	}
	f, err := m.env.CopyFrame(pg.frame)
	if err != nil {
		return false
	}
	if pg.mapped {
		_ = m.env.Unmap(va)
		pg.mapped = false
	}
	old := pg.frame
	pg.frame, pg.cow = f, false
	m.holds[f]++
	m.letGo(old)
	return true
}
