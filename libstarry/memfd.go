package libstarry

import (
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/libstarry/tmpfs"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// MemfdCreate makes an anonymous tmpfs file (memfd_create): on the
// internal tmpfs, named "memfd:NAME" for /proc's links, read-write, and
// sealable only when sealing is asked for (F_SEAL_SEAL otherwise).
func (p *Process) MemfdCreate(name string, sealing bool) (*fd.OpenFile, error) {
	if p.cfg.FS == nil {
		return nil, errNoFS
	}
	fs := p.cfg.FS
	root := fs.shm.Root()
	info := fs.infoOf(root)
	c := p.Creds()
	n := info.tmp.NewUnlinked(abi.S_IFREG|0o777, c.UID, c.GID)
	if sealing {
		n.AllowSealing()
	}
	q := vfs.Path{Mount: root.Mount, Dentry: vfs.AnonymousNamed(root.Dentry, n.Inode(), "memfd:"+name)}
	return fd.New(newRegFile(n, q, fs), abi.O_RDWR|oLargefile), nil
}

// oLargefile is O_LARGEFILE as the kernel sets it on every 64-bit open.
const oLargefile = 0x8000

// Sealer is an open tmpfs file's seals (F_ADD_SEALS, F_GET_SEALS).
type Sealer interface {
	Seals() uint32
	AddSeals(s uint32) error
}

func (f *regFile) Seals() uint32           { return f.tn.Seals() }
func (f *regFile) AddSeals(s uint32) error { return f.tn.AddSeals(s) }

var _ Sealer = (*regFile)(nil)

// WriteSealed reports whether a shared writable mapping is refused
// (F_SEAL_WRITE, F_SEAL_FUTURE_WRITE).
func WriteSealed(s Sealer) bool { return s.Seals()&(tmpfs.SealWrite|tmpfs.SealFutureWrite) != 0 }

// SharedAnon is the object behind a MAP_SHARED|MAP_ANONYMOUS mapping
// (shmem_zero_setup): an unnamed file of length bytes on the internal
// tmpfs, so that the processes that share it after fork share every
// page, touched before the fork or after. The mapping holds it; it goes
// with the last one.
func (p *Process) SharedAnon(length uint64) (SharedObject, error) {
	if p.cfg.FS == nil {
		return nil, errNoFS
	}
	n := p.cfg.FS.infoOf(p.cfg.FS.shm.Root()).tmp.NewUnlinked(abi.S_IFREG|0o600, 0, 0)
	if err := n.Truncate(int64(length)); err != nil {
		return nil, abi.ENOMEM
	}
	return n, nil
}

// SharedObject is a mappable object whose life the mapper brackets.
type SharedObject interface {
	mm.Object
	mm.Holder
}
