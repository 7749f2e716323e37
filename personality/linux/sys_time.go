package linux

import (
	"encoding/binary"
	"time"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

var timeRows = []Syscall{
	{Nr: abi.SYS_CLOCK_GETTIME, Name: "clock_gettime", Fn: sysClockGettime, Support: Supported},
	{Nr: abi.SYS_CLOCK_GETRES, Name: "clock_getres", Fn: sysClockGetres, Support: Supported},
	{Nr: abi.SYS_GETTIMEOFDAY, Name: "gettimeofday", Fn: sysGettimeofday, Support: Supported},
	{Nr: abi.SYS_TIME, Name: "time", Fn: sysTime, Support: Supported},
	{Nr: abi.SYS_NANOSLEEP, Name: "nanosleep", Fn: sysNanosleep, Support: Supported},
	{Nr: abi.SYS_CLOCK_NANOSLEEP, Name: "clock_nanosleep", Fn: sysClockNanosleep, Support: Supported},
	{Nr: abi.SYS_TIMES, Name: "times", Fn: sysTimes, Support: Supported},
	{Nr: abi.SYS_CLOCK_SETTIME, Name: "clock_settime", Fn: sysClockSettime, Support: Partial, Note: "checked as Linux does (EINVAL for a clock that cannot be set or a bad time, EFAULT, EPERM without CAP_SYS_TIME), but the wall clock is never set: with CAP_SYS_TIME CLOCK_REALTIME is EPERM too, since every process's vDSO page holds the boot time"},
	{Nr: abi.SYS_SETTIMEOFDAY, Name: "settimeofday", Fn: sysSettimeofday, Support: Partial, Note: "as clock_settime: checked, never sets the clock"},
}

// userHZ is USER_HZ, the unit of clock_t.
const userHZ = 100

// sysTimes is times(buf): the process's and its reaped children's CPU
// times in clock ticks, when buf is given, and the ticks since boot.
func sysTimes(t *libstarry.Thread, a Args) (uint64, error) {
	if a[0] != 0 {
		self, _ := t.P.Getrusage(libstarry.RusageSelf)
		kids, _ := t.P.Getrusage(libstarry.RusageChildren)
		var b [32]byte
		for i, d := range []time.Duration{self.UTime, self.STime, kids.UTime, kids.STime} {
			binary.LittleEndian.PutUint64(b[8*i:], uint64(d/(time.Second/userHZ)))
		}
		if err := t.P.MM.CopyOut(uintptr(a[0]), b[:]); err != nil {
			return 0, err
		}
	}
	return uint64(time.Since(t.P.Boot()) / (time.Second / userHZ)), nil
}

// sysClockSettime checks a request to set a clock as do_clock_settime
// and do_sys_settimeofday64 do, in their order: only CLOCK_REALTIME can
// be set (EINVAL otherwise, EFAULT for the time), the time must be
// valid (EINVAL), and the caller needs CAP_SYS_TIME (EPERM). The clock
// is not set (see the table's note).
func sysClockSettime(t *libstarry.Thread, a Args) (uint64, error) {
	if int32(a[0]) != abi.CLOCK_REALTIME {
		if _, err := readClock(t, a[0]); err != nil {
			return 0, err
		}
		return 0, abi.EINVAL
	}
	if _, err := getTimespec(t, a[1]); err != nil {
		return 0, err
	}
	return 0, abi.EPERM
}

// sysSettimeofday is settimeofday(tv, tz): a bad timeval or time zone
// is EINVAL, then EPERM as for clock_settime.
func sysSettimeofday(t *libstarry.Thread, a Args) (uint64, error) {
	if a[0] != 0 {
		var b [16]byte
		if err := t.P.MM.CopyIn(uintptr(a[0]), b[:]); err != nil {
			return 0, err
		}
		if usec := int64(binary.LittleEndian.Uint64(b[8:])); usec < 0 || usec >= 1e6 || int64(binary.LittleEndian.Uint64(b[:])) < 0 {
			return 0, abi.EINVAL
		}
	}
	if a[1] != 0 {
		var b [8]byte
		if err := t.P.MM.CopyIn(uintptr(a[1]), b[:]); err != nil {
			return 0, err
		}
		if mw := int32(binary.LittleEndian.Uint32(b[:])); mw < -15*60 || mw > 15*60 {
			return 0, abi.EINVAL
		}
	}
	return 0, abi.EPERM
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
	case abi.CLOCK_PROCESS_CPUTIME_ID:
		return t.P.CPUTime(), nil
	case abi.CLOCK_THREAD_CPUTIME_ID:
		return t.CPUTime(), nil
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
// of the caller's threads; a process's, any process. Every kind (PROF,
// VIRT, SCHED) reads the one CPU time kept: user time.
func cpuClock(t *libstarry.Thread, c int32) (time.Duration, error) {
	const cpuclockMax, perThread = 3, 4
	pid := int(^(c >> 3))
	if c&3 == cpuclockMax {
		return 0, abi.EINVAL
	}
	if c&perThread != 0 {
		th := t
		if pid != 0 {
			th = t.P.ThreadByTID(pid)
		}
		if th == nil {
			return 0, abi.EINVAL
		}
		return th.CPUTime(), nil
	}
	if pid == 0 {
		return t.P.CPUTime(), nil
	}
	p := t.P.Kernel().Process(pid)
	if p == nil || p.Env() == nil {
		return 0, abi.EINVAL
	}
	return p.CPUTime(), nil
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
	if err == abi.EINTR && a[1] != 0 && putTimespec(t, a[1], left) != nil {
		return 0, abi.EFAULT // nanosleep_copyout
	}
	return 0, err
}

// sysClockNanosleep sleeps relative or until an absolute time
// (TIMER_ABSTIME), as Linux's order has it: an unknown clock is EINVAL
// and one without nsleep (the thread CPU clock, the raw and coarse
// ones) EOPNOTSUPP before the timespec is read (EFAULT) and checked
// (EINVAL); the alarm clocks, which need a wake-up RTC, are EOPNOTSUPP
// after. The process CPU clocks wait for CPU time to pass.
func sysClockNanosleep(t *libstarry.Thread, a Args) (uint64, error) {
	id := int32(a[0])
	switch id {
	case abi.CLOCK_THREAD_CPUTIME_ID, abi.CLOCK_MONOTONIC_RAW, abi.CLOCK_REALTIME_COARSE, abi.CLOCK_MONOTONIC_COARSE:
		return 0, abi.EOPNOTSUPP
	case abi.CLOCK_REALTIME, abi.CLOCK_MONOTONIC, abi.CLOCK_BOOTTIME, abi.CLOCK_TAI, abi.CLOCK_PROCESS_CPUTIME_ID,
		abi.CLOCK_REALTIME_ALARM, abi.CLOCK_BOOTTIME_ALARM:
	default:
		if id >= 0 {
			return 0, abi.EINVAL
		}
	}
	d, err := getTimespec(t, a[2])
	if err != nil {
		return 0, err
	}
	abs := a[1]&abi.TIMER_ABSTIME != 0
	var left time.Duration
	switch {
	case id == abi.CLOCK_REALTIME_ALARM || id == abi.CLOCK_BOOTTIME_ALARM:
		return 0, abi.EOPNOTSUPP
	case id == abi.CLOCK_PROCESS_CPUTIME_ID || id < 0:
		left, err = t.SleepCPU(id, abs, d)
	default:
		if abs {
			now, _ := readClock(t, a[0])
			d -= now
		}
		left, err = t.Sleep(d)
	}
	if err == abi.EINTR && !abs && a[3] != 0 && putTimespec(t, a[3], left) != nil {
		return 0, abi.EFAULT // nanosleep_copyout
	}
	return 0, err
}
