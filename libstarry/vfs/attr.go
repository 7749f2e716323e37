package vfs

import "github.com/starry-go/starry/personality/linux/abi"

// Bits of AttrChange.Valid: which attributes to change (Linux's ATTR_*).
const (
	SetMode  = 1 << iota // Mode's permission bits (07777)
	SetUID               // UID
	SetGID               // GID
	SetSize              // Size
	SetAtime             // Atime
	SetMtime             // Mtime
	// SetTimesNow says Atime and Mtime are "now" (utimes with no times,
	// or UTIME_NOW for both), for which write access suffices
	// (ATTR_TOUCH); without it a time change needs ownership.
	SetTimesNow
	// KillSetID drops set-user-ID, and set-group-ID if the file is
	// group-executable, as chown does to non-directories
	// (ATTR_KILL_SUID|ATTR_KILL_SGID).
	KillSetID
)

// AttrChange is a change to an inode's attributes (Linux's struct iattr).
// The file system sets ctime itself.
type AttrChange struct {
	Valid        uint32
	Mode         uint32
	UID, GID     uint32
	Size         int64
	Atime, Mtime int64 // nanoseconds since the epoch
}

// SetAttr checks c may make change ch to n and has n's file system make
// it. The checks are notify_change's, may_setattr's and setattr_prepare's
// (fs/attr.c), in their order: no owner, mode or explicit time change to
// an append-only or immutable inode, no "now" times for an immutable one
// and write access for them, then the set-ID bits a chown drops, then
// chown, chgrp, chmod (which drops set-group-ID for a group c is not in)
// and explicit times. Size changes are checked only
// for the file's type and sign (do_truncate's EISDIR and EINVAL); write
// access to the file is the caller's to check.
func SetAttr(c *Creds, n *Inode, ch AttrChange) error {
	n.setMu.Lock()
	defer n.setMu.Unlock()
	a := n.Attr()
	if err := maySetattr(n, ch); err != nil {
		return err
	}
	if ch.Valid&SetTimesNow != 0 && !ownerOrPrivileged(c, a) {
		if err := Permission(c, n, MayWrite); err != nil {
			return err
		}
	}
	if ch.Valid&KillSetID != 0 {
		killSetID(&ch, a)
	}
	if err := setattrPrepare(c, n, a, &ch); err != nil {
		return err
	}
	return n.Ops.SetAttr(&ch)
}

// maySetattr is may_setattr's flag checks: an append-only or immutable
// inode keeps its owner, mode and times but for a touch, which only an
// immutable one refuses. (A size change is refused by the truncate calls
// themselves, so that ftruncate through a descriptor opened before the
// inode became immutable still works, as on Linux.)
func maySetattr(n *Inode, ch AttrChange) error {
	explicit := ch.Valid&(SetAtime|SetMtime) != 0 && ch.Valid&SetTimesNow == 0
	if (ch.Valid&(SetMode|SetUID|SetGID) != 0 || explicit) && n.Flags()&(InodeAppend|InodeImmutable) != 0 {
		return abi.EPERM
	}
	if ch.Valid&SetTimesNow != 0 && n.IsImmutable() {
		return abi.EPERM
	}
	return nil
}

// killSetID turns KillSetID into a mode change when there is a bit to drop.
func killSetID(ch *AttrChange, a Attr) {
	drop := uint32(0)
	if a.Mode&abi.S_ISUID != 0 {
		drop |= abi.S_ISUID
	}
	if a.Mode&(abi.S_ISGID|abi.S_IXGRP) == abi.S_ISGID|abi.S_IXGRP {
		drop |= abi.S_ISGID
	}
	if drop == 0 {
		return
	}
	if ch.Valid&SetMode == 0 {
		ch.Valid |= SetMode
		ch.Mode = a.Mode & 0o7777
	}
	ch.Mode &^= drop
}

// setattrPrepare is setattr_prepare plus do_truncate's type checks.
func setattrPrepare(c *Creds, n *Inode, a Attr, ch *AttrChange) error {
	if ch.Valid&SetSize != 0 {
		switch {
		case n.IsDir():
			return abi.EISDIR
		case n.Type() != abi.S_IFREG || ch.Size < 0:
			return abi.EINVAL
		}
	}
	if ch.Valid&SetUID != 0 && !(c.UID == a.UID && ch.UID == a.UID) && !c.privileged() {
		return abi.EPERM
	}
	if ch.Valid&SetGID != 0 && !(c.UID == a.UID && (ch.GID == a.GID || c.InGroup(ch.GID))) && !c.privileged() {
		return abi.EPERM
	}
	if ch.Valid&SetMode != 0 {
		if !ownerOrPrivileged(c, a) {
			return abi.EPERM
		}
		gid := a.GID
		if ch.Valid&SetGID != 0 {
			gid = ch.GID
		}
		if !c.InGroup(gid) && !c.privileged() {
			ch.Mode &^= abi.S_ISGID
		}
		ch.Mode &= 0o7777
	}
	explicit := ch.Valid&(SetAtime|SetMtime) != 0 && ch.Valid&SetTimesNow == 0
	if explicit && !ownerOrPrivileged(c, a) {
		return abi.EPERM
	}
	return nil
}
