package tmpfs

import "github.com/starry-go/starry/personality/linux/abi"

// File seals (memfd_add_seals, include/uapi/linux/fcntl.h): what a file
// refuses from now on. A tmpfs file starts sealed against sealing
// (F_SEAL_SEAL); a memfd made with MFD_ALLOW_SEALING starts with none.
const (
	SealSeal        = 0x1
	SealShrink      = 0x2
	SealGrow        = 0x4
	SealWrite       = 0x8
	SealFutureWrite = 0x10
	SealExec        = 0x20
	sealAll         = SealSeal | SealShrink | SealGrow | SealWrite | SealFutureWrite | SealExec
)

// Seals are the file's seals (F_GET_SEALS).
func (n *Node) Seals() uint32 {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.seals
}

// AddSeals is F_ADD_SEALS: unknown bits are EINVAL, a file sealed
// against sealing EPERM; seals only accumulate.
func (n *Node) AddSeals(s uint32) error {
	if s&^sealAll != 0 {
		return abi.EINVAL
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seals&SealSeal != 0 {
		return abi.EPERM
	}
	n.seals |= s
	return nil
}

// AllowSealing clears the initial F_SEAL_SEAL (memfd_create with
// MFD_ALLOW_SEALING).
func (n *Node) AllowSealing() {
	n.mu.Lock()
	n.seals &^= SealSeal
	n.mu.Unlock()
}

// writeSealed reports whether a write of [off, end) is refused (EPERM),
// given the size now: sealed against writes, or against growing past it;
// n.mu is held.
func (n *Node) writeSealed(off, end int64) bool {
	return n.seals&(SealWrite|SealFutureWrite) != 0 || n.seals&SealGrow != 0 && end > n.size
}

// sizeSealed reports whether changing the size to size is refused; n.mu
// is held.
func (n *Node) sizeSealed(size int64) bool {
	return size < n.size && n.seals&SealShrink != 0 || size > n.size && n.seals&SealGrow != 0
}
