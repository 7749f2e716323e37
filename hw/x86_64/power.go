package x86_64

// powerOff ends the machine with an exit status. QEMU's isa-debug-exit
// device (port 0xf4) makes QEMU exit with (status<<1)|1; without it, the
// ACPI PM1a control ports of QEMU's q35 (0x604) and pc (0xb004) machines
// enter S5. If neither works the CPU halts with interrupts off: it never
// reboots or returns to the caller.
func powerOff(status int) {
	if hasWord("constats") {
		printConsoleStats()
	}
	kprint("starry: poweroff status=")
	kprintDec(int64(status))
	kprint("\n")
	outb(0xf4, uint8(status))
	outw(0x604, 0x2000)  // SLP_TYPa=0 (S5 on QEMU), SLP_EN
	outw(0xb004, 0x2000) // same on PIIX4
	halt()
}
