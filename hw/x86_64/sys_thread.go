package x86_64

import "golang.org/x/sys/unix"

// Threads, futexes and sleeping.

func sysClone(t *thread, flags uint64, stack, ptid, ctid, tls uintptr) int64 {
	const need = unix.CLONE_VM | unix.CLONE_THREAD | unix.CLONE_SIGHAND
	if flags&need != need {
		return -errENOSYS // new processes arrive with the library OS (issue 3)
	}
	i, ok := newThread()
	if !ok {
		return -errEAGAIN
	}
	c := &threads[i]
	c.regs = t.regs
	// The FPU image sits at a 64-aligned offset that depends on where each
	// Regs lives, so it is copied by area, not as raw bytes.
	copy(xArea(&c.regs), xArea(&t.regs))
	c.regs.RAX = 0
	if stack != 0 {
		c.regs.RSP = uint64(stack)
	}
	if flags&unix.CLONE_SETTLS != 0 {
		c.regs.FSBase = uint64(tls)
	}
	c.sigmask = t.sigmask
	c.altFlags = ssDisable // Linux clears the signal stack for CLONE_VM children
	if flags&unix.CLONE_CHILD_CLEARTID != 0 {
		c.clearTID = ctid
	}
	for _, p := range [2]struct {
		set  bool
		addr uintptr
	}{{flags&unix.CLONE_PARENT_SETTID != 0, ptid}, {flags&unix.CLONE_CHILD_SETTID != 0, ctid}} {
		if p.set && accessible(p.addr, 4, true) {
			*(*int32)(ptrAt(p.addr)) = int32(c.tid)
		}
	}
	c.state = stRunnable
	return int64(c.tid)
}

func sysExit(t *thread, status int) int64 {
	if t.clearTID != 0 && accessible(t.clearTID, 4, true) {
		*(*int32)(ptrAt(t.clearTID)) = 0
		futexWakeN(t.clearTID, 1)
	}
	t.state = stFree
	liveThrs--
	if liveThrs == 0 {
		powerOff(status & 0xFF)
	}
	return 0
}

func sysFutex(addr uintptr, op int, val uint32, timeout uintptr) int64 {
	switch op &^ (futexPrivate | futexClockRealtime) {
	case futexWait:
		if addr&3 != 0 || !accessible(addr, 4, false) {
			return -errEFAULT
		}
		deadline, err := deadlineAfter(timeout)
		if err != 0 {
			return err
		}
		if *(*uint32)(ptrAt(addr)) != val {
			return -errEAGAIN
		}
		block(waitFutex, addr, deadline)
		return 0
	case futexWake:
		return futexWakeN(addr, int(val))
	}
	return -errENOSYS
}

func futexWakeN(addr uintptr, n int) int64 {
	woken := 0
	for i := 1; i < slotsUsed && woken < n; i++ {
		t := &threads[i]
		if t.state == stBlocked && t.waitKind == waitFutex && t.waitAddr == addr {
			wake(t, 0)
			woken++
		}
	}
	return int64(woken)
}

func sysNanosleep(req uintptr) int64 {
	deadline, err := deadlineAfter(req)
	if err != 0 {
		return err
	}
	if req == 0 {
		return -errEFAULT
	}
	block(waitSleep, 0, deadline)
	return 0
}

func sysClockNanosleep(clock, flags int, req uintptr) int64 {
	if flags&unix.TIMER_ABSTIME == 0 {
		return sysNanosleep(req)
	}
	if !accessible(req, 16, false) {
		return -errEFAULT
	}
	at := *(*int64)(ptrAt(req))*1e9 + *(*int64)(ptrAt(req + 8))
	if clock == unix.CLOCK_REALTIME {
		at -= wallBoot
	}
	if at <= nanotime() {
		return 0
	}
	block(waitSleep, 0, at)
	return 0
}

// sysKill sends sig to thread tid (0: the caller's process, i.e. any).
func sysKill(tid, sig int) int64 {
	if sig < 0 || sig > 64 {
		return -errEINVAL
	}
	for i := 1; i < slotsUsed; i++ {
		t := &threads[i]
		if t.state != stFree && (tid == 0 || t.tid == tid) {
			if sig != 0 {
				sendSignal(t, sig)
			}
			return 0
		}
	}
	return -errESRCH
}

// futex operations (linux/futex.h), which x/sys/unix does not define.
const (
	futexWait          = 0
	futexWake          = 1
	futexPrivate       = 128
	futexClockRealtime = 256
)
