package linux

import (
	"encoding/binary"
	"testing"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestFileCapabilities checks what depends on the kind of file, as Linux
// 6.18 answers (measured natively): poll counts a plain file only for
// events it asked for, O_DIRECT and O_ASYNC stick only where the file
// supports them, and an eventfd (an anonymous inode) refuses PROT_EXEC
// mappings with EPERM before it is found not to map at all.
func TestFileCapabilities(t *testing.T) {
	const fds, buf = scratch, scratch + 0x100
	pollfd := func(fd int32, events uint16) []byte {
		return binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint32(nil, uint32(fd)), events)
	}
	revents := func(want ...uint16) func([]byte, uint64) {
		return func(b []byte, rax uint64) {
			for i, w := range want {
				if got := binary.LittleEndian.Uint16(b[8*i+6:]); got != w {
					t.Errorf("poll: revents[%d] = %#x, want %#x", i, got, w)
				}
			}
		}
	}
	_, st := run(t, script(
		// The console's input has ended: once a read has seen that
		// (the input pump runs on its own), poll reports fd 1 readable.
		sys(abi.SYS_READ, 0, buf, 16),
		expect(t, "read of the console at its end", 0),
		poke(fds, append(append(pollfd(1, 0), 0, 0), append(pollfd(-1, abi.POLLIN), 0, 0)...)),
		sys(abi.SYS_POLL, fds, 2, 0),
		expect(t, "poll of the console for nothing", 0),
		check(fds, 16, revents(0, 0)),
		poke(fds, append(append(pollfd(1, abi.POLLOUT|abi.POLLIN), 0, 0), append(pollfd(99, 0), 0, 0)...)),
		sys(abi.SYS_POLL, fds, 2, 0),
		expect(t, "poll of the console for output and a closed fd", 2),
		check(fds, 16, revents(abi.POLLOUT|abi.POLLIN, abi.POLLNVAL)),
		sys(abi.SYS_EVENTFD2, 0, 0),
		expect(t, "eventfd2", 3),
		sys(abi.SYS_FCNTL, 3, abi.F_SETFL, abi.O_DIRECT),
		expect(t, "O_DIRECT on an eventfd", errno(abi.EINVAL)),
		sys(abi.SYS_FCNTL, 3, abi.F_SETFL, abi.O_ASYNC|abi.O_NONBLOCK),
		expect(t, "O_ASYNC on an eventfd", 0),
		sys(abi.SYS_FCNTL, 3, abi.F_GETFL),
		expect(t, "F_GETFL: O_NONBLOCK kept, O_ASYNC dropped", abi.O_RDWR|abi.O_NONBLOCK),
		sys(abi.SYS_FCNTL, 1, abi.F_SETFL, abi.O_ASYNC),
		sys(abi.SYS_FCNTL, 1, abi.F_GETFL),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap {
			if r.RAX&abi.O_ASYNC == 0 {
				t.Errorf("a terminal dropped O_ASYNC: F_GETFL = %#x", r.RAX)
			}
			return nil
		}),
		sys(abi.SYS_MMAP, 0, 4096, abi.PROT_READ|abi.PROT_EXEC, abi.MAP_PRIVATE, 3, 0),
		expect(t, "PROT_EXEC mapping of an eventfd", errno(abi.EPERM)),
		sys(abi.SYS_MMAP, 0, 4096, abi.PROT_READ, abi.MAP_PRIVATE, 3, 0),
		expect(t, "mapping of an eventfd", errno(abi.ENODEV)),
		sys(abi.SYS_MMAP, 0, 4096, abi.PROT_READ, abi.MAP_SHARED_VALIDATE|abi.MAP_ANONYMOUS, 0, 0),
		expect(t, "MAP_SHARED_VALIDATE of anonymous memory", errno(abi.EINVAL)),
		sys(abi.SYS_MMAP, 0, 4096, abi.PROT_READ, abi.MAP_SHARED|abi.MAP_ANONYMOUS|abi.MAP_GROWSDOWN, 0, 0),
		expect(t, "shared anonymous memory growing down", errno(abi.EINVAL)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.Code != 0 {
		t.Errorf("exit %+v", st)
	}
}

// TestFileOwner checks F_SETOWN and friends: an ID naming nothing is
// ESRCH, INT_MIN (no group -INT_MIN) EINVAL, and what is set reads back,
// a group as a negative number; F_SETSIG takes signals up to 64.
func TestFileOwner(t *testing.T) {
	const buf = scratch
	var pid uint64
	ownEx := func(kind, id uint32) []byte {
		return binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, kind), id)
	}
	withPID := func(nr uint64, args func() []uint64) step {
		return step{f: func(u *sim.User, r *exo.Regs) exo.Trap { return sys(nr, args()...).f(u, r) }}
	}
	_, st := run(t, script(
		sys(abi.SYS_GETPID),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap { pid = r.RAX; return nil }),
		sys(abi.SYS_FCNTL, 1, abi.F_GETOWN),
		expect(t, "F_GETOWN with no owner", 0),
		sys(abi.SYS_FCNTL, 1, abi.F_SETOWN, 31999),
		expect(t, "F_SETOWN of a PID nobody has", errno(abi.ESRCH)),
		sys(abi.SYS_FCNTL, 1, abi.F_SETOWN, 1<<31),
		expect(t, "F_SETOWN of INT_MIN", errno(abi.EINVAL)),
		withPID(abi.SYS_FCNTL, func() []uint64 { return []uint64{1, abi.F_SETOWN, pid} }),
		expect(t, "F_SETOWN of the caller", 0),
		withPID(abi.SYS_FCNTL, func() []uint64 { return []uint64{1, abi.F_GETOWN} }),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap {
			if r.RAX != pid {
				t.Errorf("F_GETOWN = %d, want the caller's PID %d", r.RAX, pid)
			}
			return nil
		}),
		sys(abi.SYS_FCNTL, 1, abi.F_GETOWN_EX, buf),
		check(buf, 8, func(b []byte, rax uint64) {
			if rax != 0 || binary.LittleEndian.Uint32(b) != abi.F_OWNER_PID || uint64(binary.LittleEndian.Uint32(b[4:])) != pid {
				t.Errorf("F_GETOWN_EX = %d % x, want F_OWNER_PID and PID %d", rax, b, pid)
			}
		}),
		poke(buf, ownEx(7, 0)),
		sys(abi.SYS_FCNTL, 1, abi.F_SETOWN_EX, buf),
		expect(t, "F_SETOWN_EX of an unknown kind", errno(abi.EINVAL)),
		sys(abi.SYS_FCNTL, 1, abi.F_SETOWN_EX, 0x10),
		expect(t, "F_SETOWN_EX from a bad pointer", errno(abi.EFAULT)),
		sys(abi.SYS_FCNTL, 1, abi.F_SETSIG, 65),
		expect(t, "F_SETSIG 65", errno(abi.EINVAL)),
		sys(abi.SYS_FCNTL, 1, abi.F_SETSIG, 10),
		expect(t, "F_SETSIG 10", 0),
		sys(abi.SYS_FCNTL, 1, abi.F_GETSIG),
		expect(t, "F_GETSIG", 10),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.Code != 0 {
		t.Errorf("exit %+v", st)
	}
}

// TestUmask checks umask(2): the default is init's 022, the old mask
// comes back, and only the permission bits of an int are kept.
func TestUmask(t *testing.T) {
	_, st := run(t, script(
		sys(abi.SYS_UMASK, 0o777),
		expect(t, "umask: the default", 0o022),
		sys(abi.SYS_UMASK, 0o7077|1<<32),
		expect(t, "umask: the last mask", 0o777),
		sys(abi.SYS_UMASK, 0o027),
		expect(t, "umask: only permission bits kept", 0o077),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.Code != 0 {
		t.Errorf("exit %+v", st)
	}
}
