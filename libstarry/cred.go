package libstarry

import (
	"slices"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Cred is a process's identity (struct cred): real, effective, saved
// and file-system user and group IDs, and the supplementary groups. A
// Cred never changes once made: a change makes a new one (prepare_creds,
// commit_creds), so a reader holds a consistent identity without a lock.
// Linux keeps one per thread and libc makes setuid process-wide; here it
// is per process from the start.
type Cred struct {
	UID, EUID, SUID, FSUID uint32
	GID, EGID, SGID, FSGID uint32
	Groups                 []uint32 // sorted, as set_groups keeps them
	fs, real               *vfs.Creds
}

// rootCred is init's identity.
var rootCred = newCred(Cred{})

// newCred finishes a Cred: the identity file access is checked with.
func newCred(c Cred) *Cred {
	c.Groups = slices.Clone(c.Groups)
	slices.Sort(c.Groups)
	c.fs = &vfs.Creds{UID: c.FSUID, GID: c.FSGID, Groups: c.Groups}
	c.real = &vfs.Creds{UID: c.UID, GID: c.GID, Groups: c.Groups}
	return &c
}

// NGroupsMax is NGROUPS_MAX.
const NGroupsMax = 65536

// Cred is the process's identity now.
func (p *Process) Cred() *Cred {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cred
}

// Creds is the identity the process's file accesses are checked with
// (its fsuid, fsgid and groups).
func (p *Process) Creds() *vfs.Creds { return p.Cred().fs }

// RealCreds is the identity access(2) checks with: the real IDs
// (do_faccessat's override creds).
func (p *Process) RealCreds() *vfs.Creds { return p.Cred().real }

// setCred replaces the identity with what change makes of a copy, or
// leaves it when change fails.
func (p *Process) setCred(change func(c *Cred) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := *p.cred
	if err := change(&c); err != nil {
		return err
	}
	p.cred = newCred(c)
	return nil
}

// noID is -1, "leave this ID as it is" in the set*id calls.
const noID = ^uint32(0)

// SetUID is setuid(2) (__sys_setuid): with privilege every ID becomes
// uid; without, only the effective (and file-system) ID, and only to the
// real or saved one.
func (p *Process) SetUID(uid uint32) error {
	if uid == noID {
		return abi.EINVAL
	}
	return p.setCred(func(c *Cred) error {
		switch {
		case c.EUID == 0:
			c.UID, c.SUID = uid, uid
		case uid != c.UID && uid != c.SUID:
			return abi.EPERM
		}
		c.EUID, c.FSUID = uid, uid
		return nil
	})
}

// SetREUID is setreuid(2): the real ID may become the real or
// effective one, the effective any of the three; the saved ID follows
// the effective one when the real ID is set or the effective one moves
// off the real one.
func (p *Process) SetREUID(r, e uint32) error {
	return p.setCred(func(c *Cred) error {
		priv := c.EUID == 0
		if r != noID && !priv && r != c.UID && r != c.EUID {
			return abi.EPERM
		}
		if e != noID && !priv && e != c.UID && e != c.EUID && e != c.SUID {
			return abi.EPERM
		}
		oldRUID := c.UID
		if r != noID {
			c.UID = r
		}
		if e != noID {
			c.EUID = e
		}
		if r != noID || e != noID && e != oldRUID {
			c.SUID = c.EUID
		}
		c.FSUID = c.EUID
		return nil
	})
}

// SetRESUID is setresuid(2): without privilege each ID given must be
// one of the three the process has.
func (p *Process) SetRESUID(r, e, s uint32) error {
	return p.setCred(func(c *Cred) error {
		if c.EUID != 0 {
			for _, id := range []uint32{r, e, s} {
				if id != noID && id != c.UID && id != c.EUID && id != c.SUID {
					return abi.EPERM
				}
			}
		}
		if r != noID {
			c.UID = r
		}
		if e != noID {
			c.EUID = e
		}
		if s != noID {
			c.SUID = s
		}
		c.FSUID = c.EUID
		return nil
	})
}

// SetFSUID is setfsuid(2): it returns the old ID, and changes it only to
// one of the process's IDs (any, with privilege); it never fails.
func (p *Process) SetFSUID(id uint32) uint32 {
	var old uint32
	_ = p.setCred(func(c *Cred) error {
		old = c.FSUID
		if id != noID && (c.EUID == 0 || id == c.UID || id == c.EUID || id == c.SUID || id == c.FSUID) {
			c.FSUID = id
		}
		return nil
	})
	return old
}

// The group calls mirror the user calls; privilege is still an
// effective UID of 0 (CAP_SETGID).

func (p *Process) SetGID(gid uint32) error {
	if gid == noID {
		return abi.EINVAL
	}
	return p.setCred(func(c *Cred) error {
		switch {
		case c.EUID == 0:
			c.GID, c.SGID = gid, gid
		case gid != c.GID && gid != c.SGID:
			return abi.EPERM
		}
		c.EGID, c.FSGID = gid, gid
		return nil
	})
}

func (p *Process) SetREGID(r, e uint32) error {
	return p.setCred(func(c *Cred) error {
		priv := c.EUID == 0
		if r != noID && !priv && r != c.GID && r != c.EGID {
			return abi.EPERM
		}
		if e != noID && !priv && e != c.GID && e != c.EGID && e != c.SGID {
			return abi.EPERM
		}
		oldRGID := c.GID
		if r != noID {
			c.GID = r
		}
		if e != noID {
			c.EGID = e
		}
		if r != noID || e != noID && e != oldRGID {
			c.SGID = c.EGID
		}
		c.FSGID = c.EGID
		return nil
	})
}

func (p *Process) SetRESGID(r, e, s uint32) error {
	return p.setCred(func(c *Cred) error {
		if c.EUID != 0 {
			for _, id := range []uint32{r, e, s} {
				if id != noID && id != c.GID && id != c.EGID && id != c.SGID {
					return abi.EPERM
				}
			}
		}
		if r != noID {
			c.GID = r
		}
		if e != noID {
			c.EGID = e
		}
		if s != noID {
			c.SGID = s
		}
		c.FSGID = c.EGID
		return nil
	})
}

func (p *Process) SetFSGID(id uint32) uint32 {
	var old uint32
	_ = p.setCred(func(c *Cred) error {
		old = c.FSGID
		if id != noID && (c.EUID == 0 || id == c.GID || id == c.EGID || id == c.SGID || id == c.FSGID) {
			c.FSGID = id
		}
		return nil
	})
	return old
}

// SetGroups is setgroups(2): privileged only.
func (p *Process) SetGroups(groups []uint32) error {
	return p.setCred(func(c *Cred) error {
		if c.EUID != 0 {
			return abi.EPERM
		}
		c.Groups = groups
		return nil
	})
}

// execCred is the identity after exec of a file with attributes a
// (bprm_fill_uid): a set-user-ID file makes its owner the effective
// and saved ID, a set-group-ID one (group-executable) its group; the
// saved IDs follow the effective ones either way.
func execCred(c *Cred, mode, uid, gid uint32) *Cred {
	n := *c
	if mode&abi.S_ISUID != 0 {
		n.EUID = uid
	}
	if mode&(abi.S_ISGID|abi.S_IXGRP) == abi.S_ISGID|abi.S_IXGRP {
		n.EGID = gid
	}
	n.SUID, n.FSUID, n.SGID, n.FSGID = n.EUID, n.EUID, n.EGID, n.EGID
	return newCred(n)
}
