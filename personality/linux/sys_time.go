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

// readClock serves clock_gettime's clock IDs.
func readClock(t *libstarry.Thread, id uint64) (time.Duration, error) {
	switch int32(id) {
	case abi.CLOCK_REALTIME, abi.CLOCK_REALTIME_COARSE, abi.CLOCK_TAI:
		return clockNow(t, true), nil
	case abi.CLOCK_MONOTONIC, abi.CLOCK_MONOTONIC_RAW, abi.CLOCK_MONOTONIC_COARSE, abi.CLOCK_BOOTTIME:
		return clockNow(t, false), nil
	case abi.CLOCK_PROCESS_CPUTIME_ID, abi.CLOCK_THREAD_CPUTIME_ID:
		return t.P.Env().CPUTime(), nil
	}
	return 0, abi.EINVAL
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

func sysGettimeofday(t *libstarry.Thread, a Args) (uint64, error) {
	if a[0] == 0 {
		return 0, nil
	}
	now := time.Now()
	return 0, putStruct(t, a[0], abi.Timeval{Sec: now.Unix(), Usec: int64(now.Nanosecond() / 1000)})
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
