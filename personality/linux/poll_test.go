package linux

import (
	"encoding/binary"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

func TestEventfdAndEpoll(t *testing.T) {
	const ev, buf = scratch, scratch + 0x40
	u64 := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	epollEvent := func(events uint32, data uint64) []byte {
		return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint32(nil, events), data)
	}
	_, st := run(t, script(
		sys(abi.SYS_EVENTFD2, 0, abi.EFD_NONBLOCK|abi.EFD_CLOEXEC),
		expect(t, "eventfd2", 3),
		sys(abi.SYS_READ, 3, buf, 8),
		expect(t, "read of an empty non-blocking eventfd", errno(abi.EAGAIN)),
		sys(abi.SYS_EPOLL_CREATE1, abi.EPOLL_CLOEXEC),
		expect(t, "epoll_create1", 4),
		poke(ev, epollEvent(abi.EPOLLIN, 42)),
		sys(abi.SYS_EPOLL_CTL, 4, abi.EPOLL_CTL_ADD, 3, ev),
		expect(t, "epoll_ctl add", 0),
		sys(abi.SYS_EPOLL_CTL, 4, abi.EPOLL_CTL_ADD, 3, ev),
		expect(t, "epoll_ctl add twice", errno(abi.EEXIST)),
		sys(abi.SYS_EPOLL_CTL, 4, abi.EPOLL_CTL_ADD, 1, ev),
		expect(t, "epoll_ctl on the console (a terminal polls)", 0),
		sys(abi.SYS_EPOLL_CTL, 4, abi.EPOLL_CTL_DEL, 1, 0),
		expect(t, "epoll_ctl del the console", 0),
		sys(abi.SYS_EPOLL_PWAIT, 4, buf, 8, 0, 0),
		expect(t, "epoll_pwait with nothing ready", 0),
		sys(abi.SYS_EPOLL_PWAIT, 4, buf, 8, 5, 0),
		expect(t, "epoll_pwait timing out after 5 ms", 0),
		poke(buf, u64(3)),
		sys(abi.SYS_WRITE, 3, buf, 8),
		expect(t, "eventfd write", 8),
		sys(abi.SYS_EPOLL_WAIT, 4, buf, 8, uint64(1<<32-1)),
		check(buf, 12, func(b []byte, rax uint64) {
			if rax != 1 || binary.LittleEndian.Uint32(b)&abi.EPOLLIN == 0 || binary.LittleEndian.Uint64(b[4:]) != 42 {
				t.Errorf("epoll_wait = %d % x", rax, b)
			}
		}),
		sys(abi.SYS_READ, 3, buf, 8),
		check(buf, 8, func(b []byte, rax uint64) {
			if rax != 8 || binary.LittleEndian.Uint64(b) != 3 {
				t.Errorf("eventfd read = %d % x", rax, b)
			}
		}),
		sys(abi.SYS_EPOLL_WAIT, 4, 0x10, 8, 0),
		expect(t, "epoll_wait with nothing ready and a bad buffer", 0),
		sys(abi.SYS_EPOLL_WAIT, 9, buf, 8, 0),
		expect(t, "epoll_wait on a closed fd", errno(abi.EBADF)),
		sys(abi.SYS_SCHED_GETAFFINITY, 0, 128, buf),
		check(buf, 8, func(b []byte, rax uint64) {
			if rax != 8 || binary.LittleEndian.Uint64(b) != 1 {
				t.Errorf("sched_getaffinity = %d % x", rax, b)
			}
		}),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %d", st.ShellStatus())
	}
}
