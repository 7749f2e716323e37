package vfs

import "github.com/starry-go/starry/personality/linux/abi"

// Creds is the identity file access is checked against: Linux's fsuid,
// fsgid and supplementary groups. A Creds must not change while in use;
// a thread that changes identity makes a new one, as Linux's creds are
// replaced rather than edited.
type Creds struct {
	UID, GID uint32
	Groups   []uint32
	// Caller is who resolves, opaque to the VFS: what a CallerLink or
	// MagicLink needs to know who is looking (procfs's "self" is the
	// looking process). Nil for the kernel's own resolutions.
	Caller any
}

// Access masks for Permission (Linux's MAY_EXEC, MAY_WRITE, MAY_READ).
const (
	MayExec  = 1
	MayWrite = 2
	MayRead  = 4
)

// privileged reports whether c holds the capabilities this package knows
// of (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_CHOWN,
// CAP_FSETID, CAP_MKNOD): there are no capability sets yet, so UID 0 has
// them all and everyone else none.
func (c *Creds) privileged() bool { return c.UID == 0 }

// InGroup reports whether gid is c's group or one of its supplementary
// groups (in_group_p).
func (c *Creds) InGroup(gid uint32) bool {
	if c.GID == gid {
		return true
	}
	for _, g := range c.Groups {
		if g == gid {
			return true
		}
	}
	return false
}

// Permission checks c may access n for mask (MayRead|MayWrite|MayExec)
// as generic_permission (fs/namei.c) does: the owner's bits if c owns n,
// else the group's if c is in n's group, else the others'; failing that,
// privilege overrides any check on a directory, and read or write on
// anything, but execute on a non-directory only if some x bit is set.
// It returns EACCES or nil, or EPERM for write access to an immutable
// inode, which nobody gets (inode_permission).
func Permission(c *Creds, n *Inode, mask int) error {
	if mask&MayWrite != 0 && n.IsImmutable() {
		return abi.EPERM
	}
	a := n.Attr()
	if modeAllows(c, a, mask) {
		return nil
	}
	if c.privileged() && (n.IsDir() || mask&MayExec == 0 || a.Mode&sIXUGO != 0) {
		return nil
	}
	return abi.EACCES
}

// modeAllows is acl_permission_check without ACLs.
func modeAllows(c *Creds, a Attr, mask int) bool {
	mode := a.Mode
	switch {
	case c.UID == a.UID:
		mode >>= 6
	case c.InGroup(a.GID):
		mode >>= 3
	}
	return uint32(mask&7)&^mode == 0
}

// ownerOrPrivileged is inode_owner_or_capable.
func ownerOrPrivileged(c *Creds, a Attr) bool { return c.UID == a.UID || c.privileged() }

// stickyDenies is check_sticky: in a sticky directory only the owner of
// the entry or of the directory (or the privileged) may remove or rename
// it.
func stickyDenies(c *Creds, dir, victim Attr) bool {
	if dir.Mode&abi.S_ISVTX == 0 || c.UID == victim.UID || c.UID == dir.UID {
		return false
	}
	return !c.privileged()
}

// newOwner gives a new inode's owner and mode as vfs_prepare_mode's
// mode_strip_sgid and inode_init_owner do: the creator's fsuid, and the
// creator's fsgid unless the directory is set-group-ID, in which case the
// directory's group (and set-group-ID again for a new directory, while a
// group-executable set-group-ID file of a group the creator is not in
// loses the bit).
func newOwner(c *Creds, dir *Inode, mode uint32) (uid, gid, m uint32) {
	d := dir.Attr()
	if d.Mode&abi.S_ISGID == 0 {
		return c.UID, c.GID, mode
	}
	switch {
	case mode&abi.S_IFMT == abi.S_IFDIR:
		mode |= abi.S_ISGID
	case mode&(abi.S_ISGID|abi.S_IXGRP) == abi.S_ISGID|abi.S_IXGRP && !c.InGroup(d.GID) && !c.privileged():
		mode &^= abi.S_ISGID
	}
	return c.UID, d.GID, mode
}
