package linux

import (
	"time"

	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Interval timers, POSIX timers, timerfd, signalfd and the other
// time-driven signal calls.

var timerRows = []Syscall{
	{Nr: abi.SYS_ALARM, Name: "alarm", Fn: sysAlarm, Support: Supported},
	{Nr: abi.SYS_GETITIMER, Name: "getitimer", Fn: sysGetitimer, Support: Partial, Note: "ITIMER_PROF counts user time only, as ITIMER_VIRTUAL does (no system time is measured)"},
	{Nr: abi.SYS_SETITIMER, Name: "setitimer", Fn: sysSetitimer, Support: Partial, Note: "as getitimer; CPU timers are checked when a thread's time slice or system call ends"},
	{Nr: abi.SYS_TIMER_CREATE, Name: "timer_create", Fn: sysTimerCreate, Support: Partial, Note: "the alarm, raw and coarse clocks are EOPNOTSUPP; CPU-time clocks count user time"},
	{Nr: abi.SYS_TIMER_SETTIME, Name: "timer_settime", Fn: sysTimerSettime, Support: Supported},
	{Nr: abi.SYS_TIMER_GETTIME, Name: "timer_gettime", Fn: sysTimerGettime, Support: Supported},
	{Nr: abi.SYS_TIMER_GETOVERRUN, Name: "timer_getoverrun", Fn: sysTimerGetoverrun, Support: Supported},
	{Nr: abi.SYS_TIMER_DELETE, Name: "timer_delete", Fn: sysTimerDelete, Support: Supported},
	{Nr: abi.SYS_TIMERFD_CREATE, Name: "timerfd_create", Fn: sysTimerfdCreate, Support: Partial, Note: "the alarm clocks tick as CLOCK_REALTIME and CLOCK_BOOTTIME; TFD_IOC_SET_TICKS is not supported"},
	{Nr: abi.SYS_TIMERFD_SETTIME, Name: "timerfd_settime", Fn: sysTimerfdSettime, Support: Partial, Note: "TFD_TIMER_CANCEL_ON_SET is accepted and never cancels: the clock cannot be set"},
	{Nr: abi.SYS_TIMERFD_GETTIME, Name: "timerfd_gettime", Fn: sysTimerfdGettime, Support: Supported},
	{Nr: abi.SYS_SIGNALFD4, Name: "signalfd4", Fn: sysSignalfd4, Support: Partial, Note: "poll and epoll see the signals pending for the creating process, not for the polling thread"},
	{Nr: abi.SYS_SIGNALFD, Name: "signalfd", Fn: sysSignalfd, Support: Partial, Note: "as signalfd4"},
	{Nr: abi.SYS_RT_SIGTIMEDWAIT, Name: "rt_sigtimedwait", Fn: sysRtSigtimedwait, Support: Supported},
	{Nr: abi.SYS_EPOLL_PWAIT2, Name: "epoll_pwait2", Fn: sysEpollPwait2, Support: Partial, Note: "see epoll_ctl"},
}

// timerPrototypes are the prototypes (see prototypes.go) of this file's calls.
var timerPrototypes = map[string]string{
	"alarm": "u", "getitimer": "il", "setitimer": "ill",
	"timer_create": "cll", "timer_settime": "iill", "timer_gettime": "il",
	"timer_getoverrun": "i", "timer_delete": "i",
	"timerfd_create": "ci", "timerfd_settime": "iill", "timerfd_gettime": "il",
	"signalfd4": "illi", "signalfd": "ill", "rt_sigtimedwait": "llll",
	"epoll_pwait2": "iliill",
}

func sysAlarm(t *libstarry.Thread, a Args) (uint64, error) {
	return uint64(t.P.Alarm(uint32(a[0]))), nil
}

// maxSec keeps seconds from a user's struct within a time.Duration: as
// good as for ever.
const maxSec = int64(1<<62) / 1e9

// duration makes a duration of seconds and a sub-second part in units.
func duration(sec, sub int64, unit time.Duration) time.Duration {
	return time.Duration(min(sec, maxSec))*time.Second + time.Duration(sub)*unit
}

// getItimerval reads struct itimerval (interval, then value: two
// timevals) and checks it as get_itimerval does (EINVAL for a negative
// second or a microsecond outside [0, 1e6)).
func getItimerval(t *libstarry.Thread, va uint64) (libstarry.ITimerVal, error) {
	var b [32]byte
	if err := t.P.MM.CopyIn(uintptr(va), b[:]); err != nil {
		return libstarry.ITimerVal{}, err
	}
	var d [2]time.Duration
	for i := range d {
		sec, usec := int64(le.Uint64(b[16*i:])), int64(le.Uint64(b[16*i+8:]))
		if sec < 0 || usec < 0 || usec >= 1e6 {
			return libstarry.ITimerVal{}, abi.EINVAL
		}
		d[i] = duration(sec, usec, time.Microsecond)
	}
	return libstarry.ITimerVal{Interval: d[0], Value: d[1]}, nil
}

// putItimerval writes struct itimerval, microseconds truncated.
func putItimerval(t *libstarry.Thread, va uint64, v libstarry.ITimerVal) error {
	var b [32]byte
	for i, d := range []time.Duration{v.Interval, v.Value} {
		le.PutUint64(b[16*i:], uint64(d/time.Second))
		le.PutUint64(b[16*i+8:], uint64(d%time.Second/time.Microsecond))
	}
	return t.P.MM.CopyOut(uintptr(va), b[:])
}

// getItimerspec reads struct itimerspec (interval, then value). valid
// says whether both timespecs are (timespec64_valid); the caller decides
// when that matters.
func getItimerspec(t *libstarry.Thread, va uint64) (spec libstarry.TimerSpec, valid bool, err error) {
	var b [32]byte
	if err := t.P.MM.CopyIn(uintptr(va), b[:]); err != nil {
		return spec, false, err
	}
	var d [2]time.Duration
	valid = true
	for i := range d {
		sec, nsec := int64(le.Uint64(b[16*i:])), int64(le.Uint64(b[16*i+8:]))
		if sec < 0 || nsec < 0 || nsec >= 1e9 {
			valid = false
			continue
		}
		d[i] = duration(sec, nsec, time.Nanosecond)
	}
	return libstarry.TimerSpec{Interval: d[0], Value: d[1]}, valid, nil
}

func putItimerspec(t *libstarry.Thread, va uint64, v libstarry.TimerSpec) error {
	var b [32]byte
	for i, d := range []time.Duration{v.Interval, v.Value} {
		le.PutUint64(b[16*i:], uint64(d/time.Second))
		le.PutUint64(b[16*i+8:], uint64(d%time.Second))
	}
	return t.P.MM.CopyOut(uintptr(va), b[:])
}

// sysGetitimer: the timer, then the copy out (EFAULT).
func sysGetitimer(t *libstarry.Thread, a Args) (uint64, error) {
	v, err := t.P.GetITimer(int(int32(a[0])))
	if err != nil {
		return 0, err
	}
	return 0, putItimerval(t, a[1], v)
}

// sysSetitimer: the new value is read and checked first (a NULL one is
// zero, a misfeature Linux keeps), the timer set, and the old value
// written last: a bad old-value pointer is EFAULT with the timer set.
func sysSetitimer(t *libstarry.Thread, a Args) (uint64, error) {
	var v libstarry.ITimerVal
	if a[1] != 0 {
		var err error
		if v, err = getItimerval(t, a[1]); err != nil {
			return 0, err
		}
	}
	old, err := t.P.SetITimer(int(int32(a[0])), v)
	if err != nil || a[2] == 0 {
		return 0, err
	}
	return 0, putItimerval(t, a[2], old)
}

// sigeventSize is sizeof(struct sigevent).
const sigeventSize = 64

// sysTimerCreate is timer_create(clockid, sigevent, timerid): the
// sigevent is read first (EFAULT), the ID written before the timer
// exists (EFAULT undoes it).
func sysTimerCreate(t *libstarry.Thread, a Args) (uint64, error) {
	var ev *libstarry.SigEvent
	if a[1] != 0 {
		var b [sigeventSize]byte
		if err := t.P.MM.CopyIn(uintptr(a[1]), b[:]); err != nil {
			return 0, err
		}
		ev = &libstarry.SigEvent{Value: le.Uint64(b[0:]), Signo: int(int32(le.Uint32(b[8:]))),
			Notify: int(int32(le.Uint32(b[12:]))), TID: int(int32(le.Uint32(b[16:])))}
	}
	return 0, t.TimerCreate(int32(a[0]), ev, func(id int) error { return putU32(t, a[2], uint32(id)) })
}

// sysTimerSettime: a NULL new value is EINVAL, then it is read (EFAULT)
// and checked (EINVAL), then the timer looked up (EINVAL); the old value
// is written last.
func sysTimerSettime(t *libstarry.Thread, a Args) (uint64, error) {
	if a[2] == 0 {
		return 0, abi.EINVAL
	}
	spec, valid, err := getItimerspec(t, a[2])
	if err != nil {
		return 0, err
	}
	if !valid {
		return 0, abi.EINVAL
	}
	old, err := t.P.TimerSettime(int(int32(a[0])), a[1]&abi.TIMER_ABSTIME != 0, spec)
	if err != nil || a[3] == 0 {
		return 0, err
	}
	return 0, putItimerspec(t, a[3], old)
}

func sysTimerGettime(t *libstarry.Thread, a Args) (uint64, error) {
	v, err := t.P.TimerGettime(int(int32(a[0])))
	if err != nil {
		return 0, err
	}
	return 0, putItimerspec(t, a[1], v)
}

func sysTimerGetoverrun(t *libstarry.Thread, a Args) (uint64, error) {
	n, err := t.P.TimerGetoverrun(int(int32(a[0])))
	return uint64(n), err
}

func sysTimerDelete(t *libstarry.Thread, a Args) (uint64, error) {
	return 0, t.P.TimerDelete(int(int32(a[0])))
}

// sysTimerfdCreate checks the flags, then the clock (both EINVAL), then
// CAP_WAKE_ALARM for the alarm clocks (EPERM).
func sysTimerfdCreate(t *libstarry.Thread, a Args) (uint64, error) {
	flags := int(int32(a[1]))
	if flags&^(abi.TFD_CLOEXEC|abi.TFD_NONBLOCK) != 0 {
		return 0, abi.EINVAL
	}
	f, err := t.NewTimerFD(int32(a[0]))
	if err != nil {
		return 0, err
	}
	fd, err := t.P.FDs.Install(fdt.New(f, abi.O_RDWR|flags&abi.TFD_NONBLOCK), 0, t.P.NoFile(), flags&abi.TFD_CLOEXEC != 0)
	return uint64(fd), err
}

// timerfd is the timerfd behind descriptor a: EBADF, or EINVAL for
// another kind of file.
func timerfd(t *libstarry.Thread, a uint64) (*libstarry.TimerFD, error) {
	of, err := file(t, a)
	if err != nil {
		return nil, err
	}
	defer of.DecRef()
	f, ok := of.File.(*libstarry.TimerFD)
	if !ok {
		return nil, abi.EINVAL
	}
	return f, nil
}

// sysTimerfdSettime is do_timerfd_settime's order: the new value is
// read (EFAULT), the flags and the value checked (EINVAL), the
// descriptor looked up (EBADF, EINVAL); the old value written last.
func sysTimerfdSettime(t *libstarry.Thread, a Args) (uint64, error) {
	spec, valid, err := getItimerspec(t, a[2])
	if err != nil {
		return 0, err
	}
	flags := int(int32(a[1]))
	if flags&^(abi.TFD_TIMER_ABSTIME|abi.TFD_TIMER_CANCEL_ON_SET) != 0 || !valid {
		return 0, abi.EINVAL
	}
	f, err := timerfd(t, a[0])
	if err != nil {
		return 0, err
	}
	old := f.Set(flags&abi.TFD_TIMER_ABSTIME != 0, spec)
	if a[3] == 0 {
		return 0, nil
	}
	return 0, putItimerspec(t, a[3], old)
}

func sysTimerfdGettime(t *libstarry.Thread, a Args) (uint64, error) {
	f, err := timerfd(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, putItimerspec(t, a[1], f.Get())
}

// sysSignalfd4 is signalfd4(fd, mask, sizemask, flags): the size must be
// a sigset_t's and the mask readable, the flags known; fd -1 makes a
// signalfd, another must be one, whose mask is replaced.
func sysSignalfd4(t *libstarry.Thread, a Args) (uint64, error) {
	if a[2] != sigsetSize {
		return 0, abi.EINVAL
	}
	mask, err := getU64(t, a[1])
	if err != nil {
		return 0, err
	}
	flags := int(int32(a[3]))
	if flags&^(abi.SFD_CLOEXEC|abi.SFD_NONBLOCK) != 0 {
		return 0, abi.EINVAL
	}
	if int32(a[0]) == -1 {
		s := libstarry.NewSignalFD(t.P, mask)
		fd, err := t.P.FDs.Install(fdt.New(s, abi.O_RDWR|flags&abi.SFD_NONBLOCK), 0, t.P.NoFile(), flags&abi.SFD_CLOEXEC != 0)
		return uint64(fd), err
	}
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	s, ok := of.File.(*libstarry.SignalFD)
	if !ok {
		return 0, abi.EINVAL
	}
	s.SetMask(mask)
	return uint64(int32(a[0])), nil
}

func sysSignalfd(t *libstarry.Thread, a Args) (uint64, error) {
	return sysSignalfd4(t, Args{a[0], a[1], a[2], 0})
}

// sysRtSigtimedwait is rt_sigtimedwait(set, info, timeout, sigsetsize):
// the size, the set (EFAULT), the timeout (EFAULT, EINVAL), the wait;
// the signal taken is lost if info cannot be written (EFAULT).
func sysRtSigtimedwait(t *libstarry.Thread, a Args) (uint64, error) {
	if a[3] != sigsetSize {
		return 0, abi.EINVAL
	}
	set, err := getU64(t, a[0])
	if err != nil {
		return 0, err
	}
	timeout := time.Duration(-1)
	if a[2] != 0 {
		if timeout, err = getTimespec(t, a[2]); err != nil {
			return 0, err
		}
	}
	info, err := t.SigTimedWait(set, timeout)
	if err != nil {
		return 0, err
	}
	if a[1] != 0 {
		if err := t.P.MM.CopyOut(uintptr(a[1]), libstarry.SigInfoBytes(info)); err != nil {
			return 0, err
		}
	}
	return uint64(info.Signo), nil
}
