package linux

import (
	"time"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Futex operations and flags (include/uapi/linux/futex.h).
const (
	futexWait          = 0
	futexWake          = 1
	futexRequeue       = 3
	futexCmpRequeue    = 4
	futexWakeOp        = 5
	futexLockPI        = 6
	futexUnlockPI      = 7
	futexTrylockPI     = 8
	futexWaitBitset    = 9
	futexWakeBitset    = 10
	futexWaitRequeuePI = 11
	futexLockPI2       = 13
	futexPrivate       = 128
	futexClockRealtime = 256
)

// sysFutex is futex(uaddr, op, val, timeout or val2, uaddr2, val3), as
// kernel/futex/syscall.c decodes it. FUTEX_WAIT_REQUEUE_PI and
// FUTEX_CMP_REQUEUE_PI are ENOSYS: glibc stopped using them with its
// 2.25 condition variables and musl never did.
func sysFutex(t *libstarry.Thread, a Args) (uint64, error) {
	uaddr, val, uaddr2, val3 := uintptr(a[0]), uint32(a[2]), uintptr(a[4]), uint32(a[5])
	cmd := a[1] &^ (futexPrivate | futexClockRealtime)
	private, realtime := a[1]&futexPrivate != 0, a[1]&futexClockRealtime != 0
	if realtime && cmd != futexWait && cmd != futexWaitBitset && cmd != futexLockPI2 && cmd != futexWaitRequeuePI {
		return 0, abi.ENOSYS
	}
	key := func(va uintptr) (libstarry.FutexKey, error) { return t.P.FutexKey(va, private) }
	switch cmd {
	case futexWait, futexWaitBitset:
		bitset := uint32(libstarry.FutexBitsetAll)
		if cmd == futexWaitBitset {
			bitset = val3
		}
		timeout, err := futexTimeout(t, a[3], cmd == futexWaitBitset, realtime)
		if err != nil {
			return 0, err
		}
		k, err := key(uaddr)
		if err != nil {
			return 0, err
		}
		return 0, t.FutexWait(k, uaddr, val, bitset, timeout)
	case futexWake, futexWakeBitset:
		bitset := uint32(libstarry.FutexBitsetAll)
		if cmd == futexWakeBitset {
			bitset = val3
		}
		k, err := key(uaddr)
		if err != nil {
			return 0, err
		}
		n, err := t.P.FutexWake(k, int(int32(val)), bitset)
		return uint64(n), err
	case futexRequeue, futexCmpRequeue:
		from, err := key(uaddr)
		if err != nil {
			return 0, err
		}
		to, err := key(uaddr2)
		if err != nil {
			return 0, err
		}
		var cmp *uint32
		if cmd == futexCmpRequeue {
			cmp = &val3
		}
		n, err := t.P.FutexRequeue(from, to, uaddr, int(int32(val)), int(int32(a[3])), cmp)
		return uint64(n), err
	case futexWakeOp:
		k1, err := key(uaddr)
		if err != nil {
			return 0, err
		}
		k2, err := key(uaddr2)
		if err != nil {
			return 0, err
		}
		n, err := t.P.FutexWakeOp(k1, k2, uaddr2, int(int32(val)), int(int32(a[3])), libstarry.DecodeFutexOp(val3))
		return uint64(n), err
	case futexLockPI, futexLockPI2, futexTrylockPI:
		timeout := time.Duration(-1)
		if cmd != futexTrylockPI {
			var err error
			// LOCK_PI's timeout is on CLOCK_REALTIME whatever the flag says.
			if timeout, err = futexTimeout(t, a[3], true, realtime || cmd == futexLockPI); err != nil {
				return 0, err
			}
		}
		k, err := key(uaddr)
		if err != nil {
			return 0, err
		}
		return 0, t.FutexLockPI(k, uaddr, timeout, cmd == futexTrylockPI)
	case futexUnlockPI:
		k, err := key(uaddr)
		if err != nil {
			return 0, err
		}
		return 0, t.FutexUnlockPI(k, uaddr)
	}
	return 0, abi.ENOSYS
}

// futexTimeout reads the timespec at va (0: none, -1 returned) as a time
// left: relative, or absolute on CLOCK_MONOTONIC or CLOCK_REALTIME.
func futexTimeout(t *libstarry.Thread, va uint64, absolute, realtime bool) (time.Duration, error) {
	if va == 0 {
		return -1, nil
	}
	d, err := getTimespec(t, va)
	if err != nil {
		return 0, err
	}
	if absolute {
		d = max(0, d-clockNow(t, realtime))
	}
	return d, nil
}
