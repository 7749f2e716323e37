package x86_64

import "golang.org/x/sys/unix"

// Console input by interrupt. COM1's receive interrupt (ISA IRQ 4, routed
// through the I/O APIC to vecCOM1) drains the UART into a ring, and
// readers of the console block until it wakes them: an idle console costs
// nothing. The UART's FIFOs stay as the firmware left them (off under
// QEMU: one interrupt a byte; see serialInit). Where no working route
// exists, reads poll the UART every 10 ms as before (said once at boot).
const (
	vecCOM1       = 36
	com1IRQ       = 4
	sysConsoleRaw = 0x5359 // (buf, n): write bytes to the console unchanged
	conRingSize   = 4096
	// conWaitAddr is what console readers block on; no fd has this number.
	conWaitAddr = ^uintptr(0)
	pollNs      = 10_000_000
)

// consoleCounters are the console's statistics (printConsoleStats).
type consoleCounters struct {
	irqs     uint64 // receive interrupts taken
	bytes    uint64 // bytes received into the ring
	overruns uint64 // times the UART reported lost bytes (LSR OE)
	blocks   uint64 // reads that found nothing and blocked (each poll counts)
}

var (
	conRing          [conRingSize]byte
	conHead, conTail uint64 // free-running: bytes taken out, bytes put in
	conIRQ           bool   // input arrives by interrupt
	conStats         consoleCounters
)

// startConsoleIRQ routes COM1's IRQ and enables its receive interrupt,
// after startTimer has enabled the local APIC. "noconirq" on the command
// line keeps the polling (to compare, or to test the fallback).
func startConsoleIRQ() {
	findIOAPICs()
	if !hasWord("noconirq") && routeISA(com1IRQ, vecCOM1) && uartIRQWorks() {
		outb(com1+1, 0x01) // received data available
		conIRQ = true
		return
	}
	maskISA(com1IRQ)
	outb(com1+1, 0x00)
	uartDrain()
	outb(com1+2, 0xC1) // FIFOs on (16 bytes a poll, not 1); a byte arriving just now is lost
	kprint("starry: no interrupt from COM1 (IRQ 4); console input is polled every 10 ms\n")
}

// uartIRQWorks checks the route end to end before relying on it: the
// THR-empty interrupt fires as soon as it is enabled (the transmitter is
// idle), and with interrupts off the vector must then wait in the local
// APIC's IRR. It is taken harmlessly once interrupts are on.
func uartIRQWorks() bool {
	outb(com1+1, 0x02)
	seen := false
	for t0 := nanotime(); nanotime()-t0 < 5_000_000; {
		if vectorPending(vecCOM1) {
			seen = true
			break
		}
	}
	outb(com1+1, 0x00)
	inb(com1 + 2) // reading the IIR clears a THR-empty condition
	return seen
}

// uartInterrupt serves vecCOM1: it drains the UART, wakes the console's
// readers and the kernel's interrupt waiters, and sends the EOI. It runs
// in the shim and must not allocate.
func uartInterrupt() {
	conStats.irqs++
	if uartDrain() {
		wakeRestarters(waitRestart, conWaitAddr)
	}
	deviceInterrupt()
}

// uartDrain moves received bytes into the ring until the UART is empty
// or the ring full. It reports whether any byte came. A full ring leaves
// the rest in the FIFO: QEMU then holds back further input (no loss) and
// a real UART overruns, which is counted. The next read drains again, so
// the IRQ line falls and the next byte makes a new edge.
func uartDrain() bool {
	got := false
	for conTail-conHead < conRingSize {
		lsr := inb(com1 + 5)
		if lsr&0x02 != 0 { // overrun: the UART lost bytes
			conStats.overruns++
		}
		if lsr&0x01 == 0 {
			break
		}
		conRing[conTail%conRingSize] = inb(com1)
		conTail++
		conStats.bytes++
		got = true
	}
	return got
}

// consoleRead serves read(2) of a console fd from the ring. With nothing
// there it blocks until the receive interrupt restarts it (or, polling,
// for 10 ms), or fails with EAGAIN under O_NONBLOCK.
func consoleRead(f *fileDesc, buf, n uintptr) int64 {
	uartDrain()
	got := uintptr(0)
	for ; got < n && conHead != conTail; got++ {
		*(*byte)(ptrAt(buf + got)) = conRing[conHead%conRingSize]
		conHead++
	}
	uartDrain() // refill: what a full ring left in the FIFO
	if got > 0 || n == 0 {
		return int64(got)
	}
	if f.flags&unix.O_NONBLOCK != 0 {
		return -errEAGAIN
	}
	conStats.blocks++
	deadline := int64(0)
	if !conIRQ {
		deadline = nanotime() + pollNs
	}
	block(waitRestart, conWaitAddr, deadline)
	return 0
}

// consoleWriteRaw serves sysConsoleRaw: bytes go out exactly as given,
// for a tty layer that does its own output processing.
func consoleWriteRaw(buf, n uintptr) int64 {
	if !accessible(buf, n, false) {
		return -errEFAULT
	}
	for _, c := range (*[1 << 30]byte)(ptrAt(buf))[:n:n] {
		serialPutc(c)
	}
	return int64(n)
}

// printConsoleStats reports the counters at power-off ("constats" on the
// command line), from shim context.
func printConsoleStats() {
	kprint("starry: console: irq=")
	kprintDec(int64(b2i(conIRQ)))
	kprint(" interrupts=")
	kprintDec(int64(conStats.irqs))
	kprint(" bytes=")
	kprintDec(int64(conStats.bytes))
	kprint(" overruns=")
	kprintDec(int64(conStats.overruns))
	kprint(" blocked-reads=")
	kprintDec(int64(conStats.blocks))
	kprint(" ticks=")
	kprintDec(int64(ticks))
	kprint("\n")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
