package sim

import "github.com/starry-go/starry/exo"

// User is memory as user code sees it: every access is checked against
// the page table's user permissions, and a failed check is the page-fault
// trap the real MMU would raise.
type User struct{ as *AddressSpace }

// Read copies user memory at va into b.
func (u *User) Read(va uintptr, b []byte) *exo.Trap {
	return u.access(va, b, exo.PermRead, false)
}

// Write copies b into user memory at va.
func (u *User) Write(va uintptr, b []byte) *exo.Trap {
	return u.access(va, b, exo.PermWrite, true)
}

// Fetch checks that the instruction at va may execute.
func (u *User) Fetch(va uintptr) *exo.Trap {
	var b [1]byte
	return u.access(va, b[:], exo.PermExec, false)
}

func (u *User) access(va uintptr, b []byte, want exo.Perm, write bool) *exo.Trap {
	for len(b) > 0 {
		page := va &^ (exo.PageSize - 1)
		if va >= exo.UserTop {
			return &exo.Trap{Kind: exo.TrapPageFault, Addr: va, Access: want, Present: true}
		}
		phys, p, ok := u.as.Get(page)
		if !ok || p&want == 0 {
			return &exo.Trap{Kind: exo.TrapPageFault, Addr: va, Access: want, Present: ok}
		}
		mem := u.as.m.Phys(phys)[va-page:]
		var n int
		if write {
			n = copy(mem, b)
		} else {
			n = copy(b, mem)
		}
		b = b[n:]
		va += uintptr(n)
	}
	return nil
}
