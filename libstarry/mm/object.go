package mm

import (
	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Bytes is an Object over bytes that never change (a test's program, a
// built-in image): each fault gets a fresh frame filled from them, so
// the pages are copies, which for contents that never change is
// indistinguishable from sharing.
func Bytes(b []byte) Object { return &bytesObject{b} }

// bytesObject is a pointer, so that regions compare their objects by
// identity (and a slice would not compare at all).
type bytesObject struct{ b []byte }

func (o *bytesObject) Frame(env *exo.Env, pgoff uint64, _ bool) (exo.Frame, error) {
	b := o.b
	off := pgoff * exo.PageSize
	if off/exo.PageSize != pgoff || off >= uint64(len(b)) {
		return 0, abi.ENXIO
	}
	f, err := env.AllocFrame()
	if err != nil {
		return 0, abi.ENOMEM
	}
	_ = env.WriteFrame(f, 0, b[off:min(off+exo.PageSize, uint64(len(b)))])
	return f, nil
}

func (o *bytesObject) ReadAt(p []byte, off int64) (int, error) {
	b := o.b
	if off < 0 {
		return 0, abi.EINVAL
	}
	if off >= int64(len(b)) {
		return 0, nil
	}
	return copy(p, b[off:]), nil
}

func (o *bytesObject) Size() int64 { return int64(len(o.b)) }

// Holder is an Object that must know while it is mapped: a file whose
// last close must not free the pages a mapping still reaches (a VMA's
// reference on its file). Hold comes when a process first maps it, Drop
// when the process's last region of it goes.
type Holder interface {
	Hold()
	Drop()
}

// holdObjects brings the process's holds up to date with its regions;
// m.mu is held.
func (m *MM) holdObjects() {
	var now map[Holder]bool
	for _, v := range m.vmas {
		if h, ok := v.Obj.(Holder); ok {
			if now == nil {
				now = map[Holder]bool{}
			}
			now[h] = true
		}
	}
	for h := range now {
		if !m.held[h] {
			h.Hold()
		}
	}
	for h := range m.held {
		if !now[h] {
			h.Drop()
		}
	}
	m.held = now
}

// ReadFull reads n bytes of o at off, fewer at its end.
func ReadFull(o Object, off uint64, n uint64) []byte {
	size := uint64(max(o.Size(), 0))
	if off >= size {
		return nil
	}
	buf := make([]byte, min(n, size-off))
	got, _ := o.ReadAt(buf, int64(off))
	return buf[:got]
}
