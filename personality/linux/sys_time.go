package linux

import (
	"time"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

func timeCalls() []Syscall {
	return []Syscall{
		full(abi.SYS_CLOCK_GETTIME, "clock_gettime", sysClockGettime),
		full(abi.SYS_CLOCK_GETRES, "clock_getres", sysClockGetres),
		full(abi.SYS_GETTIMEOFDAY, "gettimeofday", sysGettimeofday),
		full(abi.SYS_TIME, "time", sysTime),
		full(abi.SYS_NANOSLEEP, "nanosleep", sysNanosleep),
		full(abi.SYS_CLOCK_NANOSLEEP, "clock_nanosleep", sysClockNanosleep),
	}
}

// clockNow reads a clock as a duration since its epoch: the Unix epoch
// for CLOCK_REALTIME, the kernel's boot for the monotonic clocks.
func clockNow(t *libstarry.Thread, realtime bool) time.Duration {
	if realtime {
		return time.Duration(time.Now().UnixNano())
	}
	return time.Since(t.P.Boot())
}

// readClock serves clock_gettime's clock IDs, the dynamic CPU-time
// clocks of another process or thread (negative IDs) included. The alarm
// clocks are EINVAL, as on Linux without a wake-up capable RTC.
func readClock(t *libstarry.Thread, id uint64) (time.Duration, error) {
	switch c := int32(id); c {
	case abi.CLOCK_REALTIME, abi.CLOCK_REALTIME_COARSE, abi.CLOCK_TAI:
		return clockNow(t, true), nil
	case abi.CLOCK_MONOTONIC, abi.CLOCK_MONOTONIC_RAW, abi.CLOCK_MONOTONIC_COARSE, abi.CLOCK_BOOTTIME:
		return clockNow(t, false), nil
	case abi.CLOCK_PROCESS_CPUTIME_ID, abi.CLOCK_THREAD_CPUTIME_ID:
		return t.P.Env().CPUTime(), nil
	default:
		if c < 0 {
			return cpuClock(t, c)
		}
	}
	return 0, abi.EINVAL
}

// cpuClock reads a clock made by make_process_cpuclock or
// make_thread_cpuclock: ~pid in the high bits, bit 2 for a thread, the
// kind (PROF, VIRT, SCHED) in the low two. A thread's clock must be one
// of the caller's threads; a process's, any process. Every kind reads
// the process's CPU time (the kernel keeps no per-thread split).
func cpuClock(t *libstarry.Thread, c int32) (time.Duration, error) {
	const cpuclockMax, perThread = 3, 4
	pid := int(^(c >> 3))
	if c&3 == cpuclockMax {
		return 0, abi.EINVAL
	}
	if pid == 0 {
		return t.P.Env().CPUTime(), nil
	}
	if c&perThread != 0 {
		if t.P.ThreadByTID(pid) == nil {
			return 0, abi.EINVAL
		}
		return t.P.Env().CPUTime(), nil
	}
	p := t.P.Kernel().Process(pid)
	if p == nil || p.Env() == nil {
		return 0, abi.EINVAL
	}
	return p.Env().CPUTime(), nil
}

func sysClockGettime(t *libstarry.Thread, a Args) (uint64, error) {
	d, err := readClock(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, putTimespec(t, a[1], d)
}

func sysClockGetres(t *libstarry.Thread, a Args) (uint64, error) {
	if _, err := readClock(t, a[0]); err != nil || a[1] == 0 {
		return 0, err
	}
	return 0, putTimespec(t, a[1], time.Nanosecond)
}

// sysGettimeofday fills the time, then the time zone (UTC: zeros), each
// when asked for.
func sysGettimeofday(t *libstarry.Thread, a Args) (uint64, error) {
	if a[0] != 0 {
		now := time.Now()
		if err := putStruct(t, a[0], abi.Timeval{Sec: now.Unix(), Usec: int64(now.Nanosecond() / 1000)}); err != nil {
			return 0, err
		}
	}
	if a[1] != 0 {
		return 0, t.P.MM.CopyOut(uintptr(a[1]), make([]byte, 8)) // struct timezone
	}
	return 0, nil
}

func sysTime(t *libstarry.Thread, a Args) (uint64, error) {
	now := uint64(time.Now().Unix())
	if a[0] != 0 {
		return now, putU64(t, a[0], now)
	}
	return now, nil
}

func sysNanosleep(t *libstarry.Thread, a Args) (uint64, error) {
	d, err := getTimespec(t, a[0])
	if err != nil {
		return 0, err
	}
	left, err := t.Sleep(d)
	if err == abi.EINTR && a[1] != 0 {
		_ = putTimespec(t, a[1], left)
	}
	return 0, err
}

// sysClockNanosleep sleeps relative or until an absolute time
// (TIMER_ABSTIME), on any clock readClock knows.
func sysClockNanosleep(t *libstarry.Thread, a Args) (uint64, error) {
	d, err := getTimespec(t, a[2])
	if err != nil {
		return 0, err
	}
	now, err := readClock(t, a[0])
	if err != nil {
		return 0, err
	}
	abs := a[1]&abi.TIMER_ABSTIME != 0
	if abs {
		d -= now
	}
	left, err := t.Sleep(d)
	if err == abi.EINTR && !abs && a[3] != 0 {
		_ = putTimespec(t, a[3], left)
	}
	return 0, err
}
