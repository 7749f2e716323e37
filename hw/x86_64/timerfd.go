package x86_64

import "golang.org/x/sys/unix"

// One-shot timerfds for the kernel's own Go code (exo's timers). A
// goroutine that reads one through the runtime's poller parks without
// holding a thread, and the thread that wakes from epoll_pwait when it
// expires runs that goroutine, and the ones it readies, at once. A thread
// that blocks in a futex instead keeps the scheduler's P until sysmon
// takes it back, which left timer wakeups 100-400 us late under TCG.
// Expiry is checked where sleepers' deadlines are (schedule, armTimer).

// armedTimerfds counts timerfds with a deadline, so that schedule skips
// the fd scan when there are none.
var armedTimerfds int

func sysTimerfdCreate(clock, flags int) int64 {
	if clock != unix.CLOCK_MONOTONIC && clock != unix.CLOCK_BOOTTIME {
		return -errEINVAL // the kernel's Go code uses only the monotonic clock
	}
	if flags&^(unix.TFD_NONBLOCK|unix.TFD_CLOEXEC) != 0 {
		return -errEINVAL
	}
	return allocFD(fdTimerfd, unix.O_RDWR|flags&unix.O_NONBLOCK)
}

// sysTimerfdSettime arms (or, with a zero value, disarms) a timerfd and
// drops expirations not yet read, as Linux does. Intervals are refused:
// nothing in the kernel needs a periodic timerfd.
func sysTimerfdSettime(fd, flags int, new, old uintptr) int64 {
	f := getFD(fd)
	if f == nil {
		return -errEBADF
	}
	if f.kind != fdTimerfd || flags&^unix.TFD_TIMER_ABSTIME != 0 {
		return -errEINVAL
	}
	if !accessible(new, 32, false) || old != 0 && !accessible(old, 32, true) {
		return -errEFAULT
	}
	isec, insec := *(*int64)(ptrAt(new)), *(*int64)(ptrAt(new + 8))
	sec, nsec := *(*int64)(ptrAt(new + 16)), *(*int64)(ptrAt(new + 24))
	if sec < 0 || nsec < 0 || nsec >= 1e9 || isec != 0 || insec != 0 {
		return -errEINVAL
	}
	now := nanotime()
	if old != 0 {
		left := int64(0)
		if f.deadline != 0 {
			left = max(f.deadline-now, 1)
		}
		*(*[4]int64)(ptrAt(old)) = [4]int64{0, 0, left / 1e9, left % 1e9}
	}
	setTimerfd(f, 0)
	f.counter = 0
	if sec == 0 && nsec == 0 {
		return 0
	}
	at := min(sec, 1<<31)*1e9 + nsec
	if flags&unix.TFD_TIMER_ABSTIME == 0 {
		at += now
	}
	if at <= now {
		expireTimerfd(fd)
		return 0
	}
	setTimerfd(f, at)
	return 0
}

func setTimerfd(f *fileDesc, at int64) {
	switch {
	case f.deadline == 0 && at != 0:
		armedTimerfds++
	case f.deadline != 0 && at == 0:
		armedTimerfds--
	}
	f.deadline = at
}

// expireTimerfd counts an expiration and wakes its readers and pollers.
func expireTimerfd(fd int) {
	f := &fds[fd]
	setTimerfd(f, 0)
	f.counter++
	wakeRestarters(waitRestart, uintptr(fd))
	wakeEpollers(fd)
}

// expireTimerfds fires the timerfds due by now.
func expireTimerfds(now int64) {
	for i := 0; armedTimerfds > 0 && i < maxFDs; i++ {
		if f := &fds[i]; f.kind == fdTimerfd && f.deadline != 0 && f.deadline <= now {
			expireTimerfd(i)
		}
	}
}

// nextTimerfd is the earliest timerfd deadline before next.
func nextTimerfd(next int64) int64 {
	for i := 0; armedTimerfds > 0 && i < maxFDs; i++ {
		if f := &fds[i]; f.kind == fdTimerfd && f.deadline != 0 && f.deadline < next {
			next = f.deadline
		}
	}
	return next
}
