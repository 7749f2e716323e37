package linux

import (
	"encoding/binary"
	"testing"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/libstarry/sysv"
	"github.com/starry-go/starry/personality/linux/abi"
)

// call is a system call whose arguments are known only when it runs.
func call(nr uint64, args func() []uint64) step {
	return step{f: func(u *sim.User, r *exo.Regs) exo.Trap {
		var a [6]uint64
		copy(a[:], args())
		r.RAX, r.RDI, r.RSI, r.RDX, r.R10, r.R8, r.R9 = nr, a[0], a[1], a[2], a[3], a[4], a[5]
		r.RIP += 2
		return exo.Trap{Kind: exo.TrapSyscall}
	}}
}

// saveRAX keeps the last call's result.
func saveRAX(t *testing.T, what string, to *uint64) step {
	return do(func(u *sim.User, r *exo.Regs) *exo.Trap {
		if int64(r.RAX) < 0 && int64(r.RAX) > -4096 {
			t.Errorf("%s: -%d", what, -int64(r.RAX))
		}
		*to = r.RAX
		return nil
	})
}

// TestShmThroughMemory: two attaches of one segment are the same pages,
// IPC_STAT counts them in the ABI's layout, shmdt and IPC_RMID free the
// segment's frames (run checks that none leaked).
func TestShmThroughMemory(t *testing.T) {
	const ds = scratch
	le := binary.LittleEndian
	var id, a, b uint64
	nattch := func(want uint64) step {
		return check(ds, 112, func(buf []byte, rax uint64) {
			if rax != 0 || le.Uint64(buf[88:]) != want || le.Uint64(buf[48:]) != 3*exo.PageSize {
				t.Errorf("IPC_STAT: rax %#x nattch %d size %d, want nattch %d", rax, le.Uint64(buf[88:]), le.Uint64(buf[48:]), want)
			}
		})
	}
	_, st := run(t, script(
		sys(abi.SYS_SHMGET, abi.IPC_PRIVATE, 3*exo.PageSize, 0o600),
		saveRAX(t, "shmget", &id),
		call(abi.SYS_SHMAT, func() []uint64 { return []uint64{id, 0, 0} }),
		saveRAX(t, "shmat", &a),
		call(abi.SYS_SHMAT, func() []uint64 { return []uint64{id, 0, abi.SHM_RDONLY} }),
		saveRAX(t, "shmat SHM_RDONLY", &b),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap { return u.Write(uintptr(a+exo.PageSize+10), []byte("hello")) }),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap {
			buf := make([]byte, 5)
			if tr := u.Read(uintptr(b+exo.PageSize+10), buf); tr != nil {
				return tr
			}
			if string(buf) != "hello" {
				t.Errorf("the other attach reads %q", buf)
			}
			return nil
		}),
		call(abi.SYS_SHMCTL, func() []uint64 { return []uint64{id, abi.IPC_STAT, ds} }),
		nattch(2),
		call(abi.SYS_SHMDT, func() []uint64 { return []uint64{a + 1} }),
		expect(t, "shmdt unaligned", errno(abi.EINVAL)),
		call(abi.SYS_SHMDT, func() []uint64 { return []uint64{a} }),
		expect(t, "shmdt", 0),
		call(abi.SYS_SHMCTL, func() []uint64 { return []uint64{id, abi.IPC_STAT, ds} }),
		nattch(1),
		call(abi.SYS_SHMCTL, func() []uint64 { return []uint64{id, abi.IPC_RMID, 0} }),
		expect(t, "IPC_RMID", 0),
		call(abi.SYS_SHMCTL, func() []uint64 { return []uint64{id, abi.IPC_STAT, ds} }),
		check(ds, 112, func(buf []byte, rax uint64) {
			if rax != 0 || le.Uint32(buf[20:])&sysv.ShmDest == 0 || le.Uint32(buf[0:]) != 0 {
				t.Errorf("after IPC_RMID: rax %#x mode %o key %#x", rax, le.Uint32(buf[20:]), le.Uint32(buf[0:]))
			}
		}),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap {
			buf := make([]byte, 5)
			if tr := u.Read(uintptr(b+exo.PageSize+10), buf); tr != nil {
				return tr
			}
			if string(buf) != "hello" {
				t.Errorf("a removed segment's attach reads %q", buf)
			}
			return nil
		}),
		call(abi.SYS_SHMDT, func() []uint64 { return []uint64{b} }),
		expect(t, "the last shmdt", 0),
		call(abi.SYS_SHMCTL, func() []uint64 { return []uint64{id, abi.IPC_STAT, ds} }),
		expect(t, "IPC_STAT after the last detach", errno(abi.EINVAL)),
		sys(abi.SYS_SHMCTL, 0, abi.IPC_STAT|0x100, ds),
		expect(t, "IPC_64 is not stripped on x86-64", errno(abi.EINVAL)),
		// A segment left attached at exit: the exit detaches it.
		sys(abi.SYS_SHMGET, abi.IPC_PRIVATE, exo.PageSize, 0o600),
		saveRAX(t, "shmget", &id),
		call(abi.SYS_SHMAT, func() []uint64 { return []uint64{id, 0, 0} }),
		saveRAX(t, "shmat", &a),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap { return u.Write(uintptr(a), []byte("x")) }),
		call(abi.SYS_SHMCTL, func() []uint64 { return []uint64{id, abi.IPC_RMID, 0} }),
		expect(t, "IPC_RMID", 0),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %+v", st)
	}
}

// TestSemAndMsgThroughMemory: the sembuf, semun and msgbuf encodings.
func TestSemAndMsgThroughMemory(t *testing.T) {
	const sops, msg, buf = scratch, scratch + 0x40, scratch + 0x100
	var sem, q uint64
	sembuf := func(num uint16, op int16, flg int16) []byte {
		b := make([]byte, 6)
		binary.LittleEndian.PutUint16(b, num)
		binary.LittleEndian.PutUint16(b[2:], uint16(op))
		binary.LittleEndian.PutUint16(b[4:], uint16(flg))
		return b
	}
	msgbuf := func(typ uint64, text string) []byte {
		b := binary.LittleEndian.AppendUint64(nil, typ)
		return append(b, text...)
	}
	_, st := run(t, script(
		sys(abi.SYS_SEMGET, abi.IPC_PRIVATE, 2, 0o600),
		saveRAX(t, "semget", &sem),
		call(abi.SYS_SEMCTL, func() []uint64 { return []uint64{sem, 1, sysv.SetVal, 0xdead00000007} }),
		expect(t, "SETVAL takes the low half", 0),
		call(abi.SYS_SEMCTL, func() []uint64 { return []uint64{sem, 1, sysv.GetVal} }),
		expect(t, "GETVAL", 7),
		poke(sops, append(sembuf(1, -3, 0), sembuf(0, 2, 0)...)),
		call(abi.SYS_SEMOP, func() []uint64 { return []uint64{sem, sops, 2} }),
		expect(t, "semop", 0),
		call(abi.SYS_SEMCTL, func() []uint64 { return []uint64{sem, 0, sysv.GetAll, buf} }),
		check(buf, 4, func(b []byte, rax uint64) {
			if rax != 0 || binary.LittleEndian.Uint16(b) != 2 || binary.LittleEndian.Uint16(b[2:]) != 4 {
				t.Errorf("GETALL %x (%#x)", b, rax)
			}
		}),
		poke(sops, sembuf(0, -3, abi.IPC_NOWAIT)),
		call(abi.SYS_SEMOP, func() []uint64 { return []uint64{sem, sops, 1} }),
		expect(t, "semop IPC_NOWAIT", errno(abi.EAGAIN)),
		poke(buf, make([]byte, 16)),
		call(abi.SYS_SEMTIMEDOP, func() []uint64 { return []uint64{sem, sops, 1, buf} }),
		expect(t, "semtimedop", errno(abi.EAGAIN)),
		call(abi.SYS_SEMTIMEDOP, func() []uint64 { return []uint64{sem, sops, 501, buf} }),
		expect(t, "semtimedop past semopm", errno(abi.E2BIG)),
		call(abi.SYS_SEMCTL, func() []uint64 { return []uint64{sem, 0, abi.IPC_RMID} }),
		expect(t, "IPC_RMID", 0),

		sys(abi.SYS_MSGGET, abi.IPC_PRIVATE, 0o600),
		saveRAX(t, "msgget", &q),
		poke(msg, msgbuf(5, "hello")),
		call(abi.SYS_MSGSND, func() []uint64 { return []uint64{q, msg, 5, 0} }),
		expect(t, "msgsnd", 0),
		call(abi.SYS_MSGSND, func() []uint64 { return []uint64{q, 8, 5, 0} }),
		expect(t, "msgsnd from a bad pointer", errno(abi.EFAULT)),
		call(abi.SYS_MSGRCV, func() []uint64 { return []uint64{q, buf, 3, 0, sysv.MsgNoError} }),
		check(buf, 11, func(b []byte, rax uint64) {
			if rax != 3 || binary.LittleEndian.Uint64(b) != 5 || string(b[8:]) != "hel" {
				t.Errorf("msgrcv = %d %q", rax, b)
			}
		}),
		call(abi.SYS_MSGRCV, func() []uint64 { return []uint64{q, buf, 3, 0, abi.IPC_NOWAIT} }),
		expect(t, "msgrcv of nothing", errno(abi.ENOMSG)),
		call(abi.SYS_MSGCTL, func() []uint64 { return []uint64{q, abi.IPC_STAT, buf} }),
		check(buf, 120, func(b []byte, rax uint64) {
			if rax != 0 || binary.LittleEndian.Uint64(b[88:]) != 16384 || binary.LittleEndian.Uint32(b[100:]) == 0 {
				t.Errorf("IPC_STAT qbytes %d lrpid %d", binary.LittleEndian.Uint64(b[88:]), binary.LittleEndian.Uint32(b[100:]))
			}
		}),
		call(abi.SYS_MSGCTL, func() []uint64 { return []uint64{q, abi.IPC_RMID, 0} }),
		expect(t, "IPC_RMID", 0),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %+v", st)
	}
}
