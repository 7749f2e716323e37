package libstarry

import (
	"strings"
	"sync"

	"github.com/starry-go/starry/personality/linux/abi"
)

// The UTS names (kernel/utsname_sysctl.c, kernel/sys.c): one set for
// the machine (there are no UTS namespaces), which sethostname and
// setdomainname change and uname reports.

// Utsname is struct new_utsname's strings.
type Utsname struct {
	Sysname, Nodename, Release, Version, Machine, Domainname string
}

// utsNames is the kernel's copy.
type utsNames struct {
	mu sync.Mutex
	u  Utsname
}

// UtsLen is __NEW_UTS_LEN: a name's most bytes.
const UtsLen = 64

// DefaultUtsname is what the machine starts with. The release is the
// Linux whose behaviour the personality follows and is checked against
// (6.18), so programs that test the version expect what they get.
var DefaultUtsname = Utsname{Sysname: "Linux", Nodename: "starry", Release: "6.18.0-starry",
	Version: "#1 SMP Starry-Go", Machine: "x86_64", Domainname: "(none)"}

// UNAME26 is the personality flag that makes uname report a 2.6 release.
const UNAME26 = 0x0020000

// Uname is what uname(2) reports to p: the names, with the release
// rewritten as 2.6.(60+minor) under the UNAME26 personality
// (override_release).
func (p *Process) Uname() Utsname {
	u := p.k.uts.get()
	if p.Persona()&UNAME26 != 0 {
		u.Release = uname26(u.Release)
	}
	return u
}

func (n *utsNames) get() Utsname {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.u.Sysname == "" {
		n.u = DefaultUtsname
	}
	return n.u
}

// uname26 is override_release's rewrite: the leading digits and dots
// (up to the third dot) give way to "2.6.(60+minor)", the rest stays.
func uname26(rel string) string {
	rest, dots := 0, 0
	for rest < len(rel) {
		c := rel[rest]
		if c == '.' {
			dots++
			if dots >= 3 {
				break
			}
		}
		if (c < '0' || c > '9') && c != '.' {
			break
		}
		rest++
	}
	minor := 0
	if parts := strings.SplitN(rel, ".", 3); len(parts) > 1 {
		for _, c := range parts[1] {
			if c < '0' || c > '9' {
				break
			}
			minor = minor*10 + int(c-'0')
		}
	}
	s := "2.6." + itoaDec(60+minor) + rel[rest:]
	if len(s) > UtsLen {
		s = s[:UtsLen]
	}
	return s
}

func itoaDec(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// SetHostname and SetDomainname are sethostname(2) and setdomainname(2):
// CAP_SYS_ADMIN first, then the length (0..64).
func (p *Process) SetHostname(name []byte) error {
	return p.setUTS(name, func(u *Utsname, s string) { u.Nodename = s })
}

func (p *Process) SetDomainname(name []byte) error {
	return p.setUTS(name, func(u *Utsname, s string) { u.Domainname = s })
}

// CheckSetUTS is the checks before the name is read: EPERM without
// CAP_SYS_ADMIN, then EINVAL for a length outside 0..64.
func (p *Process) CheckSetUTS(n int) error {
	if !p.Cred().Capable(CapSysAdmin) {
		return abi.EPERM
	}
	if n < 0 || n > UtsLen {
		return abi.EINVAL
	}
	return nil
}

func (p *Process) setUTS(name []byte, set func(u *Utsname, s string)) error {
	if err := p.CheckSetUTS(len(name)); err != nil {
		return err
	}
	s := string(name)
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i] // the field is a C string: a NUL ends it
	}
	n := &p.k.uts
	n.get()
	n.mu.Lock()
	set(&n.u, s)
	n.mu.Unlock()
	return nil
}
