package x86_64

// The 16550 UART on COM1 is the console: boot messages, the Go runtime's
// writes to fds 1 and 2, and crash reports all go there.
const com1 = 0x3f8

// serialInit leaves the FIFOs in the mode the firmware chose: turning
// them on or off, or clearing them, throws away what was received, and
// QEMU delivers piped input from its start, before the kernel's.
func serialInit() {
	outb(com1+1, 0x00) // no UART interrupts until startConsoleIRQ routes IRQ 4
	outb(com1+3, 0x80) // DLAB on to set the divisor
	outb(com1+0, 0x01) // 115200 baud
	outb(com1+1, 0x00)
	outb(com1+3, 0x03)            // 8 bits, no parity, one stop bit
	if inb(com1+2)&0xC0 == 0xC0 { // IIR: the firmware turned the FIFOs on
		outb(com1+2, 0xC1) // keep them on, receive trigger at 14 bytes
	}
	outb(com1+4, 0x0B) // DTR, RTS, OUT2 (which gates the IRQ line on PC hardware)
}

func serialPutc(c byte) {
	for i := 0; i < 100000 && inb(com1+5)&0x20 == 0; i++ {
	}
	outb(com1, c)
}

// consoleWrite writes b, turning "\n" into "\r\n" as a tty would.
func consoleWrite(b []byte) {
	for _, c := range b {
		if c == '\n' {
			serialPutc('\r')
		}
		serialPutc(c)
	}
}

// kprint and friends print from shim context without allocating.
func kprint(s string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			serialPutc('\r')
		}
		serialPutc(s[i])
	}
}

func kprintHex(v uint64) {
	var b [18]byte
	b[0], b[1] = '0', 'x'
	for i := 0; i < 16; i++ {
		b[17-i] = "0123456789abcdef"[v&15]
		v >>= 4
	}
	consoleWrite(b[:])
}

func kprintDec(v int64) {
	var b [20]byte
	i := len(b)
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	for {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	consoleWrite(b[i:])
}
