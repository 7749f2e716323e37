package libstarry

import "github.com/starry-go/starry/personality/linux/abi"

// Capabilities (security/commoncap.c, kernel/capability.c): each Cred
// carries the effective, permitted, inheritable, bounding and ambient
// sets and the securebits. Root starts with every capability; exec and
// the set*id calls move the sets as Linux's "root is privileged" rules
// say (cap_bprm_creds_from_file for a file without capabilities,
// cap_emulate_setxuid). The older permission checks of the identity
// and file calls still test an effective UID of 0; the calls of
// sched.go, prctl's capability options, sethostname and setrlimit test
// the effective set.

// CapSets are a Cred's capability sets, one bit per capability.
type CapSets struct {
	Effective, Permitted, Inheritable uint64
	Bounding, Ambient                 uint64
	Securebits                        uint32
}

// Capability numbers (include/uapi/linux/capability.h) the library OS
// checks, and the last one this kernel knows (CAP_LAST_CAP).
const (
	CapSetPCAP    = 8
	CapLinuxImmut = 9 // CAP_LINUX_IMMUTABLE
	CapSysAdmin   = 21
	CapSysNice    = 23
	CapSysPtrace  = 19
	CapSysResrc   = 24
	CapLastCap    = 40
	capValidMask  = uint64(1)<<(CapLastCap+1) - 1
	secureNoRoot  = 0 // SECURE_NOROOT
	secureNoFixup = 2 // SECURE_NO_SETUID_FIXUP
	secureKeepCap = 4 // SECURE_KEEP_CAPS
	// securebitsValid are the bits PR_SET_SECUREBITS takes
	// (SECURE_ALL_BITS | SECURE_ALL_LOCKS).
	securebitsValid = 0x55 | 0xaa
)

// rootCaps are init's: every capability in every set but the ambient.
var rootCaps = CapSets{Effective: capValidMask, Permitted: capValidMask, Bounding: capValidMask}

// Capable reports whether the identity has capability cap in its
// effective set (capable(), ns_capable in the one user namespace).
func (c *Cred) Capable(cap int) bool {
	return cap >= 0 && cap <= CapLastCap && c.Caps.Effective&(1<<cap) != 0
}

// ValidCap reports whether cap names a capability (cap_valid).
func ValidCap(cap uint64) bool { return cap <= CapLastCap }

// fixSetIDCaps is cap_task_fix_setuid after a change of old's user IDs
// into n: leaving root for good clears the permitted and effective sets
// (unless SECURE_KEEP_CAPS) and the ambient one; an effective UID
// leaving 0 clears the effective set and one returning to 0 restores
// it from the permitted; a file-system UID leaving 0 drops the file
// capabilities from the effective set, one returning restores them.
func fixSetIDCaps(old *Cred, n *Cred) {
	c := &n.Caps
	if c.Securebits&(1<<secureNoFixup) != 0 {
		return
	}
	wasRoot := old.UID == 0 || old.EUID == 0 || old.SUID == 0
	isRoot := n.UID == 0 || n.EUID == 0 || n.SUID == 0
	if wasRoot && !isRoot {
		if c.Securebits&(1<<secureKeepCap) == 0 {
			c.Permitted, c.Effective = 0, 0
		}
		c.Ambient = 0
	}
	if old.EUID == 0 && n.EUID != 0 {
		c.Effective = 0
	}
	if old.EUID != 0 && n.EUID == 0 {
		c.Effective = c.Permitted
	}
	if old.FSUID == 0 && n.FSUID != 0 {
		c.Effective &^= capFSMask
	}
	if old.FSUID != 0 && n.FSUID == 0 {
		c.Effective |= c.Permitted & capFSMask
	}
}

// capFSMask is CAP_FS_MASK: CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH,
// FOWNER, FSETID, LINUX_IMMUTABLE, MKNOD and MAC_OVERRIDE.
const capFSMask = 1<<0 | 1<<1 | 1<<2 | 1<<3 | 1<<4 | 1<<9 | 1<<27 | 1<<32

// execCaps are the sets after exec of a file with no capabilities of
// its own (cap_bprm_creds_from_file): root, real or effective, gets
// the bounding and inheritable sets permitted (handle_privileged_root),
// and an effective root all of them effective; anyone else keeps only
// the ambient set, permitted and effective. A set-ID exec (idChanged)
// clears the ambient set first. SECURE_KEEP_CAPS does not survive exec.
func execCaps(c CapSets, uid, euid uint32, idChanged bool) CapSets {
	if idChanged {
		c.Ambient = 0
	}
	root := c.Securebits&(1<<secureNoRoot) == 0 && (uid == 0 || euid == 0)
	c.Permitted = 0
	if root {
		c.Permitted = c.Bounding | c.Inheritable
	}
	c.Permitted |= c.Ambient // pP' = (X & fP) | (pI & fI) | pA'
	if euid == 0 && c.Securebits&(1<<secureNoRoot) == 0 {
		c.Effective = c.Permitted
	} else {
		c.Effective = c.Ambient
	}
	c.Securebits &^= 1 << secureKeepCap
	return c
}

// The PR_CAP_AMBIENT operations (include/uapi/linux/prctl.h).
const (
	AmbientIsSet    = 1
	AmbientRaise    = 2
	AmbientLower    = 3
	AmbientClearAll = 4
)

// secureNoAmbientRaise is SECURE_NO_CAP_AMBIENT_RAISE.
const secureNoAmbientRaise = 6

// CapAmbient is prctl(PR_CAP_AMBIENT, op, cap, a4, a5) (cap_task_prctl):
// CLEAR_ALL with nothing else set, else a valid cap and a4, a5 zero
// (EINVAL); IS_SET answers 1 or 0; RAISE needs the cap permitted and
// inheritable and SECURE_NO_CAP_AMBIENT_RAISE unset (EPERM); LOWER
// always succeeds. Other ops are EINVAL.
func (p *Process) CapAmbient(op, cap, a4, a5 uint64) (uint64, error) {
	if op == AmbientClearAll {
		if cap|a4|a5 != 0 {
			return 0, abi.EINVAL
		}
		return 0, p.setCred(func(c *Cred) error { c.Caps.Ambient = 0; return nil })
	}
	if !ValidCap(cap) || a4|a5 != 0 {
		return 0, abi.EINVAL
	}
	bit := uint64(1) << cap
	switch op {
	case AmbientIsSet:
		if p.Cred().Caps.Ambient&bit != 0 {
			return 1, nil
		}
		return 0, nil
	case AmbientRaise, AmbientLower:
	default:
		return 0, abi.EINVAL
	}
	return 0, p.setCred(func(c *Cred) error {
		if op == AmbientLower {
			c.Caps.Ambient &^= bit
			return nil
		}
		s := c.Caps
		if s.Permitted&bit == 0 || s.Inheritable&bit == 0 || s.Securebits&(1<<secureNoAmbientRaise) != 0 {
			return abi.EPERM
		}
		c.Caps.Ambient |= bit
		return nil
	})
}

// Capset is capset(2) on the caller (cap_capset): a new inheritable set
// within the old inheritable and permitted ones (unless CAP_SETPCAP)
// and within the old inheritable and bounding ones, a permitted set
// within the old one, an effective set within the new permitted one.
func (p *Process) Capset(eff, prm, inh uint64) error {
	return p.setCred(func(c *Cred) error {
		old := c.Caps
		if !c.Capable(CapSetPCAP) && inh&^(old.Inheritable|old.Permitted) != 0 {
			return abi.EPERM
		}
		if inh&^(old.Inheritable|old.Bounding) != 0 {
			return abi.EPERM
		}
		if prm&^old.Permitted != 0 || eff&^prm != 0 {
			return abi.EPERM
		}
		c.Caps.Effective, c.Caps.Permitted, c.Caps.Inheritable = eff&capValidMask, prm&capValidMask, inh&capValidMask
		c.Caps.Ambient &= prm & inh
		return nil
	})
}

// CapbsetDrop is PR_CAPBSET_DROP (cap_prctl_drop): CAP_SETPCAP first,
// then the capability's number.
func (p *Process) CapbsetDrop(cap uint64) error {
	return p.setCred(func(c *Cred) error {
		if !c.Capable(CapSetPCAP) {
			return abi.EPERM
		}
		if !ValidCap(cap) {
			return abi.EINVAL
		}
		c.Caps.Bounding &^= 1 << cap
		return nil
	})
}

// SetKeepCaps is PR_SET_KEEPCAPS: SECURE_KEEP_CAPS on or off, EPERM
// once SECURE_KEEP_CAPS_LOCKED is set.
func (p *Process) SetKeepCaps(on bool) error {
	return p.setCred(func(c *Cred) error {
		if c.Caps.Securebits&(1<<(secureKeepCap+1)) != 0 {
			return abi.EPERM
		}
		c.Caps.Securebits &^= 1 << secureKeepCap
		if on {
			c.Caps.Securebits |= 1 << secureKeepCap
		}
		return nil
	})
}

// SetSecurebits is PR_SET_SECUREBITS: CAP_SETPCAP, known bits only, a
// locked bit unchanged, and no lock undone.
func (p *Process) SetSecurebits(bits uint64) error {
	return p.setCred(func(c *Cred) error {
		old := uint64(c.Caps.Securebits)
		locked := (old & 0xaa) >> 1
		if (old^bits)&locked != 0 || old&^bits&0xaa != 0 || bits&^securebitsValid != 0 || !c.Capable(CapSetPCAP) {
			return abi.EPERM
		}
		c.Caps.Securebits = uint32(bits)
		return nil
	})
}

// inGroup is in_group_p: gid is the file-system GID or a supplementary
// group.
func (c *Cred) inGroup(gid uint32) bool {
	if gid == c.FSGID {
		return true
	}
	for _, g := range c.Groups {
		if g == gid {
			return true
		}
	}
	return false
}
