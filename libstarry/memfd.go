package libstarry

import (
	"github.com/starry-go/starry/libstarry/fd"
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

func (f *regFile) Seals() uint32           { return f.n.Seals() }
func (f *regFile) AddSeals(s uint32) error { return f.n.AddSeals(s) }

var _ Sealer = (*regFile)(nil)

// WriteSealed reports whether a shared writable mapping is refused
// (F_SEAL_WRITE, F_SEAL_FUTURE_WRITE).
func WriteSealed(s Sealer) bool { return s.Seals()&(tmpfs.SealWrite|tmpfs.SealFutureWrite) != 0 }
