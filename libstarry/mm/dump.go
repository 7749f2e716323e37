package mm

import (
	"github.com/starry-go/starry/exo"
)

// DumpPage reads the page at va (page-aligned) for a core dump, as
// get_dump_page does, without faulting anything in: a present page is
// its frame's bytes; a file page not present is the object's bytes (its
// page cache, which Linux would fault in), zeros past the object's end
// within its last page; an anonymous page never touched, or a file page
// wholly past the end of the object, is a hole (false), which the dump
// skips. b must be a page long.
func (m *MM) DumpPage(va uintptr, b []byte) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.find(va)
	if v == nil || len(b) != exo.PageSize {
		return false
	}
	if pg := m.pages[va]; pg != nil {
		return m.env.ReadFrame(pg.frame, 0, b) == nil
	}
	if v.Obj == nil || va >= v.FileEnd {
		return false
	}
	data := ReadFull(v.Obj, v.FileOff+uint64(va-v.Start), uint64(min(exo.PageSize, v.FileEnd-va)))
	if len(data) == 0 {
		return false
	}
	clear(b[copy(b, data):])
	return true
}
