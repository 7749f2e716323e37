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
	Caps                   CapSets  // capabilities (caps.go)
	fs, real               *vfs.Creds
}

// rootCred is init's identity.
var rootCred = newCred(Cred{Caps: rootCaps})

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
// (its fsuid, fsgid and groups), naming the process as the caller (what
// /proc/self resolves to).
func (p *Process) Creds() *vfs.Creds { return p.callerCreds().fs }

// callerCreds is the process's copy of its Cred's vfs identities with
// itself as the caller, made again only when the Cred changes (a Cred
// is shared by the processes a fork made).
func (p *Process) callerCreds() *credCopy {
	c := p.Cred()
	if cc := p.creds.Load(); cc != nil && cc.src == c {
		return cc
	}
	fs, real := *c.fs, *c.real
	fs.Caller, real.Caller = p, p
	cc := &credCopy{src: c, fs: &fs, real: &real}
	p.creds.Store(cc)
	return cc
}

// credCopy is a Cred's vfs identities for one process.
type credCopy struct {
	src      *Cred
	fs, real *vfs.Creds
}

// RealCreds is the identity access(2) checks with: the real IDs
// (do_faccessat's override creds).
func (p *Process) RealCreds() *vfs.Creds { return p.callerCreds().real }

// setCred replaces the identity with what change makes of a copy, or
// leaves it when change fails.
func (p *Process) setCred(change func(c *Cred) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := *p.cred
	if err := change(&c); err != nil {
		return err
	}
	fixSetIDCaps(p.cred, &c)
	p.cred = newCred(c)
	return nil
}

// noID is -1, "leave this ID as it is" in the set*id calls.
const noID = ^uint32(0)

// idSet is one kind of ID of a Cred being changed: the user IDs or the
// group IDs. The rules of kernel/sys.c are the same for both, and
// privilege is an effective UID of 0 for both (CAP_SETUID, CAP_SETGID).
type idSet struct {
	r, e, s, fs *uint32
	priv        bool
}

func (c *Cred) users() idSet  { return idSet{&c.UID, &c.EUID, &c.SUID, &c.FSUID, c.EUID == 0} }
func (c *Cred) groups() idSet { return idSet{&c.GID, &c.EGID, &c.SGID, &c.FSGID, c.EUID == 0} }

// set is setuid(2) (__sys_setuid): with privilege every ID becomes id;
// without, only the effective (and file-system) one, to the real or the
// saved ID.
func (x idSet) set(id uint32) error {
	switch {
	case x.priv:
		*x.r, *x.s = id, id
	case id != *x.r && id != *x.s:
		return abi.EPERM
	}
	*x.e, *x.fs = id, id
	return nil
}

// setRE is setreuid(2): the real ID may become the real or effective
// one, the effective any of the three; the saved ID follows the
// effective one when the real ID is set or the effective one moves off
// the old real one.
func (x idSet) setRE(r, e uint32) error {
	if r != noID && !x.priv && r != *x.r && r != *x.e {
		return abi.EPERM
	}
	if e != noID && !x.priv && e != *x.r && e != *x.e && e != *x.s {
		return abi.EPERM
	}
	oldR := *x.r
	if r != noID {
		*x.r = r
	}
	if e != noID {
		*x.e = e
	}
	if r != noID || e != noID && e != oldR {
		*x.s = *x.e
	}
	*x.fs = *x.e
	return nil
}

// setRES is setresuid(2): without privilege each ID given must be one
// of the three the process has.
func (x idSet) setRES(r, e, s uint32) error {
	if !x.priv {
		for _, id := range []uint32{r, e, s} {
			if id != noID && id != *x.r && id != *x.e && id != *x.s {
				return abi.EPERM
			}
		}
	}
	for _, c := range []struct {
		dst *uint32
		id  uint32
	}{{x.r, r}, {x.e, e}, {x.s, s}} {
		if c.id != noID {
			*c.dst = c.id
		}
	}
	*x.fs = *x.e
	return nil
}

// setFS is setfsuid(2): the old ID back; the change only to one of the
// process's IDs (any, with privilege); it never fails.
func (x idSet) setFS(id uint32) uint32 {
	old := *x.fs
	if id != noID && (x.priv || id == *x.r || id == *x.e || id == *x.s || id == *x.fs) {
		*x.fs = id
	}
	return old
}

// SetUID, SetREUID, SetRESUID and SetFSUID are setuid(2) and its
// relatives; the Set*GID ones the same for groups. -1 (noID) for setuid
// itself is EINVAL.
func (p *Process) SetUID(uid uint32) error {
	if uid == noID {
		return abi.EINVAL
	}
	return p.setCred(func(c *Cred) error { return c.users().set(uid) })
}

func (p *Process) SetREUID(r, e uint32) error {
	return p.setCred(func(c *Cred) error { return c.users().setRE(r, e) })
}

func (p *Process) SetRESUID(r, e, s uint32) error {
	return p.setCred(func(c *Cred) error { return c.users().setRES(r, e, s) })
}

func (p *Process) SetFSUID(id uint32) uint32 {
	var old uint32
	_ = p.setCred(func(c *Cred) error { old = c.users().setFS(id); return nil })
	return old
}

func (p *Process) SetGID(gid uint32) error {
	if gid == noID {
		return abi.EINVAL
	}
	return p.setCred(func(c *Cred) error { return c.groups().set(gid) })
}

func (p *Process) SetREGID(r, e uint32) error {
	return p.setCred(func(c *Cred) error { return c.groups().setRE(r, e) })
}

func (p *Process) SetRESGID(r, e, s uint32) error {
	return p.setCred(func(c *Cred) error { return c.groups().setRES(r, e, s) })
}

func (p *Process) SetFSGID(id uint32) uint32 {
	var old uint32
	_ = p.setCred(func(c *Cred) error { old = c.groups().setFS(id); return nil })
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
	n.Caps = execCaps(n.Caps, n.UID, n.EUID, n.EUID != c.EUID || !c.inGroup(n.EGID))
	return newCred(n)
}
