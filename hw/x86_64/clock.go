package x86_64

import "math/bits"

// Time. The TSC is the clock: its rate is measured against the 8254 PIT
// at boot, and nanoseconds come from a fixed-point multiply. The local
// APIC timer, measured in the same window, fires at least tickHz times a
// second to preempt threads, and earlier when a sleeper is due.
const (
	tickHz      = 1000
	pitHz       = 1193182
	lapicEOI    = 0xB0
	lapicSVR    = 0xF0
	lapicLVTT   = 0x320
	lapicInit   = 0x380
	lapicCount  = 0x390
	lapicDivide = 0x3E0
	msrAPICBase = 0x1B
)

var (
	tscHz     uint64
	tscMult   uint64 // ns = (tsc-tscBoot) * tscMult >> 32
	tscBoot   uint64
	wallBoot  int64 // Unix time in ns at tscBoot, from the CMOS clock
	lapicBase uintptr
	ticks     uint64
)

// nanotime is the monotonic clock in ns since boot.
func nanotime() int64 {
	hi, lo := bits.Mul64(rdtsc()-tscBoot, tscMult)
	return int64(hi<<32 | lo>>32)
}

// calibrateTSC measures the TSC and the local APIC timer together
// against ~10 ms of PIT channel 0 counting down in mode 0, read back with
// latch commands: both readings start and end on a PIT edge, so the
// window is whole PIT ticks. (Measuring the APIC timer against the TSC
// afterwards took another 10 ms of boot.) It returns false when no PIT
// answers; the APIC timer is then measured against the TSC.
func calibrateTSC() bool {
	const span = pitHz / 100
	enableLAPIC()
	lapicWrite(lapicInit, 0xFFFFFFFF)
	outb(0x43, 0x30) // channel 0, lobyte/hibyte, mode 0
	outb(0x40, 0xFF)
	outb(0x40, 0xFF)
	first := readPIT()
	var t0 uint64
	var l0, last uint32
	for i := 0; i < 50_000_000; i++ {
		c := readPIT()
		if int(c) > int(last)+16 && t0 != 0 { // wrapped or garbage: no usable PIT
			return false
		}
		if t0 == 0 {
			if c == first {
				continue
			}
			t0, l0, first = rdtsc(), lapicRead(lapicCount), c // the first edge
		}
		last = uint32(c)
		if uint32(first-c) >= span {
			t1, l1 := rdtsc(), lapicRead(lapicCount)
			elapsed := uint64(first - c)
			tscHz = (t1 - t0) * pitHz / elapsed
			lapicHz = uint64(l0-l1) * pitHz / elapsed
			return tscHz > 1_000_000
		}
	}
	return false
}

// readPIT latches and reads PIT channel 0's count.
func readPIT() uint16 {
	outb(0x43, 0x00)
	return uint16(inb(0x40)) | uint16(inb(0x40))<<8
}

func setClock(hz uint64) {
	tscHz = hz
	tscMult = (1_000_000_000 << 32) / hz
	tscBoot = rdtsc()
}

func lapicWrite(reg uintptr, v uint32) { *(*uint32)(ptrAt(lapicBase + reg)) = v }
func lapicRead(reg uintptr) uint32     { return *(*uint32)(ptrAt(lapicBase + reg)) }

// startTimer remaps and masks the legacy PICs (so their spurious IRQs
// cannot pose as exceptions), enables the local APIC, measures its timer
// against the TSC and starts it periodic at tickHz on vecTimer.
func startTimer() {
	enableLAPIC()
	if lapicHz == 0 { // no PIT: measure the APIC timer against the TSC
		lapicWrite(lapicInit, 0xFFFFFFFF)
		t0 := rdtsc()
		for rdtsc()-t0 < tscHz/100 {
		}
		lapicHz = uint64(0xFFFFFFFF-lapicRead(lapicCount)) * 100
	}
	lapicPerTick = max(lapicHz/tickHz, 1)
	lapicWrite(lapicLVTT, vecTimer) // one-shot: armTimer sets each expiry
	armTimer(nanotime())
}

// enableLAPIC masks the 8259 PICs and turns on the local APIC with its
// timer masked, one-shot, counting at the bus rate over 16.
func enableLAPIC() {
	if lapicBase != 0 {
		return
	}
	for _, p := range [...][2]uint16{{0x20, 0x11}, {0xA0, 0x11}, {0x21, 0x20}, {0xA1, 0x28},
		{0x21, 4}, {0xA1, 2}, {0x21, 1}, {0xA1, 1}, {0x21, 0xFF}, {0xA1, 0xFF}} {
		outb(p[0], uint8(p[1]))
	}
	base := rdmsr(msrAPICBase)
	wrmsr(msrAPICBase, base|1<<11) // global enable
	lapicBase = phys2virt(base & 0xFFFFF000)
	lapicWrite(lapicSVR, 0x100|vecSpurious)
	lapicWrite(lapicDivide, 0x3) // divide by 16
	lapicWrite(lapicLVTT, 1<<16) // masked, one-shot
}

// lapicHz is the APIC timer's count rate; lapicPerTick its count for
// one tick.
var lapicHz, lapicPerTick uint64

// minTimerNs keeps an expiry from being set so close that the interrupt
// would come before the code that asked for it is done.
const minTimerNs = 20_000

// timerLateNs is how late an expiry is set: the APIC timer and the TSC
// drift apart a little (under QEMU's TCG especially), and an interrupt
// that comes before the deadline by the TSC wakes no one and costs a
// second one.
const timerLateNs = 10_000

// armTimer sets the next timer interrupt: at the next tick, or sooner
// when a sleeper's deadline comes first, so a 1 ms sleep wakes after
// about 1 ms, not at whatever tick follows (Linux's hrtimers; the tick
// alone made every timed wait up to a tick late).
func armTimer(now int64) {
	next := nextTimerfd(now + 1_000_000_000/tickHz)
	for i := 1; i < slotsUsed; i++ {
		if t := &threads[i]; t.state == stBlocked && t.deadline != 0 && t.deadline < next {
			next = t.deadline
		}
	}
	d := uint64(max(next-now, minTimerNs)) + timerLateNs
	lapicWrite(lapicInit, uint32(max(d*lapicPerTick*tickHz/1_000_000_000, 1)))
}

func lapicAck() { lapicWrite(lapicEOI, 0) }

// readRTC reads the CMOS real-time clock as Unix seconds (0 if absent).
func readRTC() int64 {
	rd := func(r uint8) int64 {
		outb(0x70, r)
		return int64(inb(0x71))
	}
	for i := 0; i < 100000 && rd(0x0A)&0x80 != 0; i++ { // update in progress
	}
	sec, mi, hour, day, mon, year := rd(0), rd(2), rd(4), rd(7), rd(8), rd(9)
	if rd(0x0B)&0x04 == 0 { // BCD
		bcd := func(v int64) int64 { return v&15 + (v>>4)*10 }
		sec, mi, hour, day, mon, year = bcd(sec), bcd(mi), bcd(hour&0x7F), bcd(day), bcd(mon), bcd(year)
	}
	if mon < 1 || mon > 12 || day < 1 {
		return 0
	}
	return daysSinceEpoch(2000+year, mon, day)*86400 + hour*3600 + mi*60 + sec
}

// daysSinceEpoch converts a civil date to days since 1970-01-01.
func daysSinceEpoch(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
