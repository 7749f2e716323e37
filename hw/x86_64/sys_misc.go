package x86_64

import "golang.org/x/sys/unix"

// Time, randomness, CPU affinity, thread-local storage, limits, uname.

func sysClockGettime(clock int, ts uintptr) int64 {
	if !accessible(ts, 16, true) {
		return -errEFAULT
	}
	var ns int64
	switch clock {
	case unix.CLOCK_REALTIME, unix.CLOCK_REALTIME_COARSE, unix.CLOCK_TAI:
		ns = wallBoot + nanotime()
	case unix.CLOCK_MONOTONIC, unix.CLOCK_MONOTONIC_RAW, unix.CLOCK_MONOTONIC_COARSE, unix.CLOCK_BOOTTIME:
		ns = nanotime()
	default:
		return -errEINVAL // CPU-time clocks are not accounted yet
	}
	*(*int64)(ptrAt(ts)), *(*int64)(ptrAt(ts + 8)) = ns/1e9, ns%1e9
	return 0
}

func sysGettimeofday(tv uintptr) int64 {
	if tv == 0 {
		return 0
	}
	if !accessible(tv, 16, true) {
		return -errEFAULT
	}
	ns := wallBoot + nanotime()
	*(*int64)(ptrAt(tv)), *(*int64)(ptrAt(tv + 8)) = ns/1e9, ns%1e9/1000
	return 0
}

func sysGetrandom(buf, n uintptr) int64 {
	if !accessible(buf, n, true) {
		return -errEFAULT
	}
	for i := uintptr(0); i < n; i += 8 {
		v := random64()
		for j := uintptr(0); j < 8 && i+j < n; j++ {
			*(*byte)(ptrAt(buf + i + j)) = byte(v >> (8 * j))
		}
	}
	return int64(n)
}

// sysSchedGetaffinity reports one CPU: the runtime sizes GOMAXPROCS by it.
func sysSchedGetaffinity(size, mask uintptr) int64 {
	if size < 8 || size&7 != 0 {
		return -errEINVAL
	}
	if !accessible(mask, 8, true) {
		return -errEFAULT
	}
	*u64at(mask) = 1
	return 8
}

func sysArchPrctl(t *thread, code int, addr uintptr) int64 {
	switch code {
	case archSetFS:
		if addr >= userTop && addr < kernelBase {
			return -errEPERM // not canonical
		}
		t.regs.FSBase = uint64(addr)
		return 0
	case archGetFS:
		if !accessible(addr, 8, true) {
			return -errEFAULT
		}
		*u64at(addr) = t.regs.FSBase
		return 0
	}
	return -errEINVAL
}

func sysPrctl(t *thread, op int, arg uintptr) int64 {
	switch op {
	case unix.PR_SET_NAME:
		if !accessible(arg, 16, false) {
			return -errEFAULT
		}
		copy(t.name[:15], (*[16]byte)(ptrAt(arg))[:15])
		return 0
	case unix.PR_GET_NAME:
		if !accessible(arg, 16, true) {
			return -errEFAULT
		}
		copy((*[16]byte)(ptrAt(arg))[:], t.name[:])
		return 0
	}
	return -errEINVAL // PR_SET_VMA and the rest: not supported
}

// Resource limits: kept so that a raised limit reads back raised.
var rlimits = [16][2]uint64{unix.RLIMIT_NOFILE: {maxFDs, maxFDs}, unix.RLIMIT_STACK: {8 << 20, 1<<64 - 1}}

func sysPrlimit(res int, newLim, oldLim uintptr) int64 {
	if res < 0 || res >= len(rlimits) {
		return -errEINVAL
	}
	cur := rlimits[res]
	if cur == [2]uint64{} {
		cur = [2]uint64{1<<64 - 1, 1<<64 - 1}
	}
	if oldLim != 0 {
		if !accessible(oldLim, 16, true) {
			return -errEFAULT
		}
		*u64at(oldLim), *u64at(oldLim + 8) = cur[0], cur[1]
	}
	if newLim != 0 {
		if !accessible(newLim, 16, false) {
			return -errEFAULT
		}
		soft, hard := *u64at(newLim), *u64at(newLim + 8)
		if soft > hard || hard > cur[1] {
			return -errEPERM
		}
		rlimits[res] = [2]uint64{soft, hard}
	}
	return 0
}

func sysUname(buf uintptr) int64 {
	const field = 65
	if !accessible(buf, 6*field, true) {
		return -errEFAULT
	}
	b := (*[6 * field]byte)(ptrAt(buf))
	clear(b[:])
	for i, s := range [...]string{"Linux", "starry", "6.1.0-starry-go", "#1", "x86_64", "(none)"} {
		copy(b[i*field:], s)
	}
	return 0
}

// Random is the machine's exo.Entropy: random64's, as getrandom's.
func (machine) Random(b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := random64()
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
}

var rngState uint64

// random64 uses RDRAND when the CPU has it, else a xorshift generator
// seeded from the TSC at boot.
func random64() uint64 {
	if hasRDRAND {
		if v, ok := rdrand(); ok {
			return v
		}
	}
	if rngState == 0 {
		rngState = rdtsc() | 1
	}
	rngState ^= rngState << 13
	rngState ^= rngState >> 7
	rngState ^= rngState << 17
	return rngState
}

// arch_prctl codes (asm/prctl.h), which x/sys/unix does not define.
const (
	archSetFS = 0x1002
	archGetFS = 0x1003
)
