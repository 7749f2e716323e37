package linux

import (
	"encoding/binary"
	"strings"
	"sync"
	"testing"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestCloneThread plays two threads on the sim CPU, told apart by RIP:
// the parent clones a child with its own stack and TLS, the child writes
// and exits, and the parent waits on the child-TID futex as
// pthread_join does, then checks the parent-TID word and exits the group.
func TestCloneThread(t *testing.T) {
	const ptid, ctid, msg = scratch, scratch + 8, scratch + 0x40
	const flags = abi.CLONE_VM | abi.CLONE_FS | abi.CLONE_FILES | abi.CLONE_SIGHAND | abi.CLONE_THREAD |
		abi.CLONE_SETTLS | abi.CLONE_PARENT_SETTID | abi.CLONE_CHILD_CLEARTID
	var mu sync.Mutex
	var childTID uint64
	var problems []string
	fail := func(s string) { mu.Lock(); problems = append(problems, s); mu.Unlock() }
	// User memory is demand-paged: an access that faults returns the
	// trap, and the step runs again once the kernel has served it.
	word := func(u *sim.User, va uint64) (uint32, *exo.Trap) {
		var b [4]byte
		tr := u.Read(uintptr(va), b[:])
		return binary.LittleEndian.Uint32(b[:]), tr
	}
	syscall := func(r *exo.Regs, next uint64, nr uint64, args ...uint64) exo.Trap {
		var a [6]uint64
		copy(a[:], args)
		r.RAX, r.RDI, r.RSI, r.RDX, r.R10, r.R8, r.R9 = nr, a[0], a[1], a[2], a[3], a[4], a[5]
		r.RIP = next
		return exo.Trap{Kind: exo.TrapSyscall}
	}
	cpu := func(u *sim.User, r *exo.Regs) exo.Trap {
		switch r.RIP {
		case 0x102: // back from clone, in both threads
			if r.RAX == 0 {
				r.RIP = 0x200
			} else {
				mu.Lock()
				childTID = r.RAX
				mu.Unlock()
				r.RIP = 0x300
			}
			return exo.Trap{Kind: exo.TrapTimeSlice}
		case 0x200: // the child
			if r.FSBase != 0x7000 || r.RSP != 0x9000 {
				fail("child FS base or stack not set by clone")
			}
			if tr := u.Write(msg, []byte("child\n")); tr != nil {
				return *tr
			}
			return syscall(r, 0x202, abi.SYS_WRITE, 1, msg, 6)
		case 0x202:
			return syscall(r, 0x204, abi.SYS_EXIT, 0)
		case 0x300: // the parent joins
			v, tr := word(u, ctid)
			if tr != nil {
				return *tr
			}
			if v != 0 {
				return syscall(r, 0x300, abi.SYS_FUTEX, ctid, 0, uint64(v))
			}
			r.RIP = 0x400
			return exo.Trap{Kind: exo.TrapTimeSlice}
		case 0x400:
			mu.Lock()
			tid := childTID
			mu.Unlock()
			v, tr := word(u, ptid)
			if tr != nil {
				return *tr
			}
			if uint64(v) != tid || tid == 0 || tid == 7 { // 7 is the PID
				fail("parent TID word or TID wrong")
			}
			return syscall(r, 0x402, abi.SYS_EXIT_GROUP, 7)
		case 0x204, 0x402:
			fail("a thread ran after it exited")
			return exo.Trap{Kind: exo.TrapException, Vector: 6}
		default: // the ELF entry point: start with the clone
			if tr := u.Write(ctid, []byte{0xff, 0xff, 0, 0}); tr != nil {
				return *tr
			}
			return syscall(r, 0x102, abi.SYS_CLONE, flags, 0x9000, ptid, ctid, 0x7000)
		}
	}
	e, st := run(t, cpu)
	if st.Code != 7 || st.Signal != 0 {
		t.Errorf("status %+v, want code 7", st)
	}
	if !strings.Contains(e.console.String(), "child\n") {
		t.Errorf("console %q", e.console.String())
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestCloneFlagChecks: copy_process's EINVAL cases. (Forks are tested
// with real programs in QEMU: here every context plays one script.)
func TestCloneFlagChecks(t *testing.T) {
	_, st := run(t, script(
		sys(abi.SYS_CLONE, threadCloneFlags|abi.CLONE_NEWNS, 0, 0, 0, 0),
		expect(t, "clone with a namespace flag", errno(abi.EINVAL)),
		sys(abi.SYS_CLONE, abi.CLONE_THREAD|abi.CLONE_VM, 0, 0, 0, 0),
		expect(t, "CLONE_THREAD without CLONE_SIGHAND", errno(abi.EINVAL)),
		sys(abi.SYS_CLONE, abi.CLONE_SIGHAND, 0, 0, 0, 0),
		expect(t, "CLONE_SIGHAND without CLONE_VM", errno(abi.EINVAL)),
		sys(abi.SYS_CLONE3, scratch, 8),
		expect(t, "clone3 with a short struct", errno(abi.EINVAL)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %d", st.ShellStatus())
	}
}

const threadCloneFlags = abi.CLONE_VM | abi.CLONE_FS | abi.CLONE_FILES | abi.CLONE_SIGHAND | abi.CLONE_THREAD

func TestExitOfTheOnlyThreadEndsTheProcess(t *testing.T) {
	_, st := run(t, script(sys(abi.SYS_EXIT, 5)))
	if st.Code != 5 || st.Signal != 0 {
		t.Errorf("status %+v, want code 5", st)
	}
}
