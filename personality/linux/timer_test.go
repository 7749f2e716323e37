package linux

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

const sigusr1, sigusr2 = 10, 12

var le64 = binary.LittleEndian

// pair is two 64-bit words (a timespec, a timeval, a sigset and its
// neighbour).
func pair(a, b uint64) []byte { return le64.AppendUint64(le64.AppendUint64(nil, a), b) }

// itimerspec is struct itimerspec (or itimerval) from its four words.
func itimerspec(isec, isub, vsec, vsub uint64) []byte {
	return append(pair(isec, isub), pair(vsec, vsub)...)
}

// sigevent is struct sigevent.
func sigevent(value uint64, signo, notify, tid uint32) []byte {
	b := make([]byte, sigeventSize)
	le64.PutUint64(b, value)
	le64.PutUint32(b[8:], signo)
	le64.PutUint32(b[12:], notify)
	le64.PutUint32(b[16:], tid)
	return b
}

func sigbit(sig int) []byte { return le64.AppendUint64(nil, 1<<(sig-1)) }

// spin is user code running for d (the sim counts it as user time).
func spin(d time.Duration) step {
	return do(func(u *sim.User, r *exo.Regs) *exo.Trap { time.Sleep(d); return nil })
}

func TestAlarmAndIntervalTimers(t *testing.T) {
	const val, old = scratch, scratch + 0x40
	_, st := run(t, script(
		sys(abi.SYS_ALARM, 10),
		expect(t, "alarm(10)", 0),
		sys(abi.SYS_ALARM, 0),
		expect(t, "alarm(0) after alarm(10)", 10),
		poke(val, itimerspec(1, 500, 100, 0)),
		sys(abi.SYS_SETITIMER, abi.ITIMER_REAL, val, old),
		check(old, 32, func(b []byte, rax uint64) {
			if rax != 0 || le64.Uint64(b[16:]) != 0 || le64.Uint64(b[24:]) != 0 {
				t.Errorf("setitimer = %#x, old % x", rax, b)
			}
		}),
		sys(abi.SYS_GETITIMER, abi.ITIMER_REAL, old),
		check(old, 32, func(b []byte, rax uint64) {
			sec, usec := le64.Uint64(b[16:]), le64.Uint64(b[24:])
			if rax != 0 || le64.Uint64(b) != 1 || le64.Uint64(b[8:]) != 500 || sec != 99 || usec < 900000 {
				t.Errorf("getitimer = %#x, % x", rax, b)
			}
		}),
		sys(abi.SYS_GETITIMER, uint64(1<<32-1), old), // -1
		expect(t, "getitimer of an unknown timer", errno(abi.EINVAL)),
		sys(abi.SYS_GETITIMER, abi.ITIMER_REAL, 0x10),
		expect(t, "getitimer to a bad address", errno(abi.EFAULT)),
		poke(val, itimerspec(0, 0, 1, 1000000)),
		sys(abi.SYS_SETITIMER, abi.ITIMER_REAL, val, 0),
		expect(t, "setitimer with 1e6 microseconds", errno(abi.EINVAL)),
		sys(abi.SYS_SETITIMER, abi.ITIMER_REAL, 0, 0),
		expect(t, "setitimer(NULL) disarms", 0),
		sys(abi.SYS_ALARM, 0),
		expect(t, "alarm(0) after the disarm", 0),
		// ITIMER_VIRTUAL counts user time: 2 ms of it, then SIGVTALRM,
		// whose default action ends the process.
		poke(val, itimerspec(0, 0, 0, 2000)),
		sys(abi.SYS_SETITIMER, abi.ITIMER_VIRTUAL, val, 0),
		expect(t, "setitimer(ITIMER_VIRTUAL)", 0),
		spin(20*time.Millisecond),
		spin(20*time.Millisecond),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.Signal != int(abi.SIGVTALRM) {
		t.Errorf("status %+v, want killed by SIGVTALRM", st)
	}
}

func TestPosixTimerSignal(t *testing.T) {
	const ev, id, spec, info, set, ts = scratch, scratch + 0x40, scratch + 0x60, scratch + 0x100, scratch + 0x80, scratch + 0x90
	_, st := run(t, script(
		poke(set, sigbit(sigusr2)),
		sys(abi.SYS_RT_SIGPROCMASK, abi.SIG_BLOCK, set, 0, 8),
		poke(ev, sigevent(0x1234, sigusr2, libstarry.SIGEV_SIGNAL, 0)),
		sys(abi.SYS_TIMER_CREATE, abi.CLOCK_MONOTONIC, ev, id),
		check(id, 4, func(b []byte, rax uint64) {
			if rax != 0 || le64.Uint32(b) != 0 {
				t.Errorf("timer_create = %#x, id %d", rax, le64.Uint32(b))
			}
		}),
		sys(abi.SYS_TIMER_CREATE, abi.CLOCK_MONOTONIC_RAW, ev, id),
		expect(t, "timer_create(CLOCK_MONOTONIC_RAW)", errno(abi.EOPNOTSUPP)),
		sys(abi.SYS_TIMER_CREATE, 99, ev, id),
		expect(t, "timer_create of an unknown clock", errno(abi.EINVAL)),
		sys(abi.SYS_TIMER_CREATE, abi.CLOCK_MONOTONIC, ev, 0x10),
		expect(t, "timer_create to a bad address", errno(abi.EFAULT)),
		poke(ev+12, le64.AppendUint32(nil, 54321)),
		sys(abi.SYS_TIMER_CREATE, abi.CLOCK_MONOTONIC, ev, id),
		expect(t, "timer_create with an unknown sigev_notify", errno(abi.EINVAL)),
		sys(abi.SYS_TIMER_GETTIME, 0, spec),
		check(spec, 32, func(b []byte, rax uint64) {
			if rax != 0 || string(b) != string(make([]byte, 32)) {
				t.Errorf("timer_gettime of an unset timer = %#x, % x", rax, b)
			}
		}),
		poke(spec, itimerspec(0, 1000000, 0, 1000000)), // every 1 ms
		sys(abi.SYS_TIMER_SETTIME, 0, 0, spec, 0),
		expect(t, "timer_settime", 0),
		poke(set, sigbit(sigusr2)),
		sys(abi.SYS_RT_SIGTIMEDWAIT, set, info, 0, 8),
		check(info, 32, func(b []byte, rax uint64) {
			if rax != sigusr2 || int32(le64.Uint32(b[8:])) != libstarry.SI_TIMER || le64.Uint32(b[16:]) != 0 || le64.Uint64(b[24:]) != 0x1234 {
				t.Errorf("rt_sigtimedwait = %d, siginfo % x", rax, b)
			}
		}),
		poke(ts, pair(0, 8000000)),
		sys(abi.SYS_NANOSLEEP, ts, 0),
		sys(abi.SYS_RT_SIGTIMEDWAIT, set, info, 0, 8),
		check(info, 32, func(b []byte, rax uint64) {
			if rax != sigusr2 || le64.Uint32(b[20:]) < 3 {
				t.Errorf("rt_sigtimedwait = %d, si_overrun %d after 8 intervals", rax, le64.Uint32(b[20:]))
			}
		}),
		sys(abi.SYS_TIMER_GETOVERRUN, 0),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap {
			if r.RAX < 3 || r.RAX > 1<<31 {
				t.Errorf("timer_getoverrun = %#x", r.RAX)
			}
			return nil
		}),
		sys(abi.SYS_TIMER_DELETE, 0),
		expect(t, "timer_delete", 0),
		sys(abi.SYS_TIMER_DELETE, 0),
		expect(t, "timer_delete twice", errno(abi.EINVAL)),
		sys(abi.SYS_TIMER_GETTIME, 0, spec),
		expect(t, "timer_gettime of a deleted timer", errno(abi.EINVAL)),
		// A blocked signal rt_sigtimedwait waits for is taken when it
		// comes, even an ignored one (its real mask still blocks it).
		poke(ev, make([]byte, 32)),
		poke(ev, []byte{1}), // SIG_IGN
		sys(abi.SYS_RT_SIGACTION, sigusr2, ev, 0, 8),
		expect(t, "rt_sigaction(SIG_IGN)", 0),
		poke(ev, sigevent(7, sigusr2, libstarry.SIGEV_SIGNAL, 0)),
		sys(abi.SYS_TIMER_CREATE, abi.CLOCK_REALTIME, ev, id),
		check(id, 4, func(b []byte, rax uint64) {
			if rax != 0 || le64.Uint32(b) != 3 { // the failed creates took IDs 1 and 2, as on Linux
				t.Errorf("second timer_create = %#x, id %d", rax, le64.Uint32(b))
			}
		}),
		poke(spec, itimerspec(0, 0, 0, 2000000)),
		sys(abi.SYS_TIMER_SETTIME, 3, 0, spec, 0),
		expect(t, "timer_settime of the second timer", 0),
		sys(abi.SYS_RT_SIGTIMEDWAIT, set, info, 0, 8),
		check(info, 32, func(b []byte, rax uint64) {
			if rax != sigusr2 || le64.Uint32(b[16:]) != 3 || le64.Uint64(b[24:]) != 7 {
				t.Errorf("rt_sigtimedwait for an unblocked signal = %d, siginfo % x", rax, b)
			}
		}),
		sys(abi.SYS_TIMER_GETTIME, 3, spec),
		check(spec, 32, func(b []byte, rax uint64) {
			if rax != 0 || string(b) != string(make([]byte, 32)) {
				t.Errorf("timer_gettime of an expired one-shot timer = %#x, % x", rax, b)
			}
		}),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %+v", st)
	}
}

func TestTimerfd(t *testing.T) {
	const spec, buf, pfd, ts = scratch, scratch + 0x40, scratch + 0x80, scratch + 0x90
	_, st := run(t, script(
		sys(abi.SYS_TIMERFD_CREATE, abi.CLOCK_MONOTONIC, abi.TFD_NONBLOCK|abi.TFD_CLOEXEC),
		expect(t, "timerfd_create", 3),
		sys(abi.SYS_TIMERFD_CREATE, abi.CLOCK_MONOTONIC, 0x1234),
		expect(t, "timerfd_create with unknown flags", errno(abi.EINVAL)),
		sys(abi.SYS_TIMERFD_CREATE, abi.CLOCK_PROCESS_CPUTIME_ID, 0),
		expect(t, "timerfd_create on a CPU clock", errno(abi.EINVAL)),
		sys(abi.SYS_READ, 3, buf, 8),
		expect(t, "read of an unexpired timerfd", errno(abi.EAGAIN)),
		sys(abi.SYS_READ, 3, buf, 4),
		expect(t, "read of 4 bytes", errno(abi.EINVAL)),
		poke(spec, itimerspec(0, 0, 0, 3000000)),
		sys(abi.SYS_TIMERFD_SETTIME, 3, 0, spec, 0),
		expect(t, "timerfd_settime", 0),
		sys(abi.SYS_TIMERFD_GETTIME, 3, buf),
		check(buf, 32, func(b []byte, rax uint64) {
			if v := le64.Uint64(b[24:]); rax != 0 || le64.Uint64(b[16:]) != 0 || v == 0 || v > 3000000 {
				t.Errorf("timerfd_gettime = %#x, % x", rax, b)
			}
		}),
		poke(pfd, []byte{3, 0, 0, 0, abi.POLLIN, 0, 0, 0}),
		sys(abi.SYS_POLL, pfd, 1, 1000),
		check(pfd, 8, func(b []byte, rax uint64) {
			if rax != 1 || b[6]&abi.POLLIN == 0 {
				t.Errorf("poll = %d, revents %#x", rax, b[6])
			}
		}),
		sys(abi.SYS_READ, 3, buf, 8),
		check(buf, 8, func(b []byte, rax uint64) {
			if rax != 8 || le64.Uint64(b) != 1 {
				t.Errorf("read = %d, %d expiries", rax, le64.Uint64(b))
			}
		}),
		poke(spec, itimerspec(0, 1000000, 0, 1000000)), // every 1 ms
		sys(abi.SYS_TIMERFD_SETTIME, 3, 0, spec, buf),
		check(buf, 32, func(b []byte, rax uint64) {
			if rax != 0 || string(b) != string(make([]byte, 32)) {
				t.Errorf("timerfd_settime's old value of an expired timer = %#x, % x", rax, b)
			}
		}),
		poke(ts, pair(0, 10000000)),
		sys(abi.SYS_NANOSLEEP, ts, 0),
		sys(abi.SYS_READ, 3, buf, 8),
		check(buf, 8, func(b []byte, rax uint64) {
			if n := le64.Uint64(b); rax != 8 || n < 5 || n > 20 {
				t.Errorf("read after 10 ms of a 1 ms timer = %d, %d expiries", rax, n)
			}
		}),
		poke(spec, itimerspec(0, 0, 0, 1000000000)),
		sys(abi.SYS_TIMERFD_SETTIME, 3, 0, spec, 0),
		expect(t, "timerfd_settime of 1e9 nanoseconds", errno(abi.EINVAL)),
		poke(spec, itimerspec(0, 0, 1, 0)),
		sys(abi.SYS_TIMERFD_SETTIME, 3, 0x100, spec, 0),
		expect(t, "timerfd_settime with unknown flags", errno(abi.EINVAL)),
		sys(abi.SYS_TIMERFD_SETTIME, 9, 0, spec, 0),
		expect(t, "timerfd_settime of a closed fd", errno(abi.EBADF)),
		sys(abi.SYS_TIMERFD_SETTIME, 1, 0, spec, 0),
		expect(t, "timerfd_settime of the console", errno(abi.EINVAL)),
		sys(abi.SYS_TIMERFD_SETTIME, 3, 0, 0x10, 0),
		expect(t, "timerfd_settime from a bad address", errno(abi.EFAULT)),
		sys(abi.SYS_TIMERFD_GETTIME, 3, 0x10),
		expect(t, "timerfd_gettime to a bad address", errno(abi.EFAULT)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %+v", st)
	}
}

func TestSignalfdAndSigtimedwait(t *testing.T) {
	const set, buf, pfd, ts = scratch, scratch + 0x100, scratch + 0x10, scratch + 0x20
	_, st := run(t, script(
		poke(set, sigbit(sigusr1)),
		sys(abi.SYS_RT_SIGPROCMASK, abi.SIG_BLOCK, set, 0, 8),
		sys(abi.SYS_SIGNALFD4, uint64(1<<32-1), set, 8, abi.SFD_NONBLOCK),
		expect(t, "signalfd4", 3),
		sys(abi.SYS_READ, 3, buf, 128),
		expect(t, "read of a signalfd with nothing pending", errno(abi.EAGAIN)),
		sys(abi.SYS_READ, 3, buf, 100),
		expect(t, "read of less than a record", errno(abi.EINVAL)),
		sys(abi.SYS_KILL, 0, sigusr1),
		expect(t, "kill", 0),
		poke(pfd, []byte{3, 0, 0, 0, abi.POLLIN, 0, 0, 0}),
		sys(abi.SYS_POLL, pfd, 1, 0),
		expect(t, "poll of a signalfd with a signal pending", 1),
		sys(abi.SYS_READ, 3, buf, 256),
		check(buf, 128, func(b []byte, rax uint64) {
			if rax != 128 || le64.Uint32(b) != sigusr1 || le64.Uint32(b[8:]) != 0 || le64.Uint32(b[12:]) == 0 {
				t.Errorf("read of the signalfd = %d, % x", rax, b[:24])
			}
		}),
		sys(abi.SYS_RT_SIGPENDING, buf, 8),
		check(buf, 8, func(b []byte, rax uint64) {
			if rax != 0 || le64.Uint64(b) != 0 {
				t.Errorf("rt_sigpending after the read = %#x, %#x", rax, le64.Uint64(b))
			}
		}),
		poke(set+8, sigbit(sigusr2)),
		sys(abi.SYS_SIGNALFD4, 3, set+8, 8, 0),
		expect(t, "signalfd4 changing the mask", 3),
		sys(abi.SYS_SIGNALFD4, 1, set, 8, 0),
		expect(t, "signalfd4 of the console", errno(abi.EINVAL)),
		sys(abi.SYS_SIGNALFD4, 9, set, 8, 0),
		expect(t, "signalfd4 of a closed fd", errno(abi.EBADF)),
		sys(abi.SYS_SIGNALFD4, uint64(1<<32-1), set, 8, uint64(1<<32-1)),
		expect(t, "signalfd4 with unknown flags", errno(abi.EINVAL)),
		sys(abi.SYS_SIGNALFD, uint64(1<<32-1), set, 4),
		expect(t, "signalfd with a short mask", errno(abi.EINVAL)),
		sys(abi.SYS_KILL, 0, sigusr1),
		sys(abi.SYS_READ, 3, buf, 128),
		expect(t, "read of a signalfd whose mask no longer has the signal", errno(abi.EAGAIN)),
		// rt_sigtimedwait takes the SIGUSR1 still pending.
		poke(ts, pair(1, 0)),
		sys(abi.SYS_RT_SIGTIMEDWAIT, set, buf, ts, 8),
		check(buf, 16, func(b []byte, rax uint64) {
			if rax != sigusr1 || le64.Uint32(b) != sigusr1 || le64.Uint32(b[8:]) != 0 {
				t.Errorf("rt_sigtimedwait = %d, % x", rax, b)
			}
		}),
		poke(ts, pair(0, 0)),
		sys(abi.SYS_RT_SIGTIMEDWAIT, set, buf, ts, 8),
		expect(t, "rt_sigtimedwait with nothing pending and no time", errno(abi.EAGAIN)),
		poke(ts, pair(0, 2000000)),
		sys(abi.SYS_RT_SIGTIMEDWAIT, set, 0, ts, 8),
		expect(t, "rt_sigtimedwait timing out", errno(abi.EAGAIN)),
		poke(ts, pair(0, 1000000000)),
		sys(abi.SYS_RT_SIGTIMEDWAIT, set, 0, ts, 8),
		expect(t, "rt_sigtimedwait with a bad timespec", errno(abi.EINVAL)),
		sys(abi.SYS_RT_SIGTIMEDWAIT, set, 0, 0x10, 8),
		expect(t, "rt_sigtimedwait with an unreadable timespec", errno(abi.EFAULT)),
		sys(abi.SYS_RT_SIGTIMEDWAIT, set, 0, 0, 4),
		expect(t, "rt_sigtimedwait with a short set", errno(abi.EINVAL)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %+v", st)
	}
}

func TestTimeSignalErrors(t *testing.T) {
	const ts, buf = scratch, scratch + 0x40
	_, st := run(t, script(
		sys(abi.SYS_TGKILL, uint64(1<<32-1), 1, sigusr1),
		expect(t, "tgkill with tgid -1", errno(abi.EINVAL)),
		poke(ts, pair(0, 1000)),
		sys(abi.SYS_CLOCK_NANOSLEEP, abi.CLOCK_THREAD_CPUTIME_ID, 0, ts, 0),
		expect(t, "clock_nanosleep(CLOCK_THREAD_CPUTIME_ID)", errno(abi.EOPNOTSUPP)),
		sys(abi.SYS_CLOCK_NANOSLEEP, 99, 0, ts, 0),
		expect(t, "clock_nanosleep of an unknown clock", errno(abi.EINVAL)),
		sys(abi.SYS_CLOCK_NANOSLEEP, abi.CLOCK_REALTIME, 0, 0x10, 0),
		expect(t, "clock_nanosleep from a bad address", errno(abi.EFAULT)),
		sys(abi.SYS_CLOCK_NANOSLEEP, abi.CLOCK_PROCESS_CPUTIME_ID, abi.TIMER_ABSTIME, ts, 0),
		expect(t, "clock_nanosleep until a CPU time already past", 0),
		sys(abi.SYS_EPOLL_CREATE1, 0),
		expect(t, "epoll_create1", 3),
		poke(ts, pair(0, 1000000000)),
		sys(abi.SYS_EPOLL_PWAIT2, 3, buf, 1, ts, 0, 8),
		expect(t, "epoll_pwait2 with a bad timespec", errno(abi.EINVAL)),
		poke(ts, pair(0, 1000000)),
		sys(abi.SYS_EPOLL_PWAIT2, 3, buf, 1, ts, 0, 8),
		expect(t, "epoll_pwait2 timing out", 0),
		sys(abi.SYS_EPOLL_PWAIT2, 3, buf, 1, 0x10, 0, 8),
		expect(t, "epoll_pwait2 with an unreadable timespec", errno(abi.EFAULT)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %+v", st)
	}
}
