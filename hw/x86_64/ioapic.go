package x86_64

// Device interrupts through the I/O APIC. The 8259 PICs stay remapped
// and masked (startTimer); an ISA interrupt is routed instead by one
// I/O APIC redirection entry to a vector on the boot CPU's local APIC,
// which also takes the EOI. The I/O APIC is found in ACPI's MADT, with
// the ISA interrupt overrides it lists; without ACPI, at the standard
// address with the identity ISA-to-GSI mapping.
const (
	ioapicDefault = 0xFEC00000
	ioRegSel      = 0x00
	ioWin         = 0x10
	ioapicVer     = 0x01
	ioRedTbl      = 0x10 // entry n: low dword at 0x10+2n, high at 0x11+2n
	redMasked     = 1 << 16
	redLevel      = 1 << 15
	redActiveLow  = 1 << 13
	lapicID       = 0x20
	lapicIRR      = 0x200 // 8 registers, 16 bytes apart, 32 vectors each
	maxIOAPICs    = 8
)

// ioapic is one I/O APIC: its registers and the GSIs its pins serve.
type ioapic struct {
	base    uintptr // direct-map address
	gsiBase uint32
	pins    uint32
}

// isaRoute is where an ISA IRQ arrives: its GSI and redirection flags.
type isaRoute struct {
	gsi   uint32
	flags uint32 // redLevel, redActiveLow
}

var (
	ioapics  [maxIOAPICs]ioapic
	nIOAPICs int
	isaGSI   [16]isaRoute
	rsdpPhys uint64 // from the PVH start info; 0: scan the BIOS areas
)

func (a *ioapic) read(reg uint32) uint32 {
	*(*uint32)(ptrAt(a.base + ioRegSel)) = reg
	return *(*uint32)(ptrAt(a.base + ioWin))
}

func (a *ioapic) write(reg, v uint32) {
	*(*uint32)(ptrAt(a.base + ioRegSel)) = reg
	*(*uint32)(ptrAt(a.base + ioWin)) = v
}

// addIOAPIC records the I/O APIC at phys if its version register reads
// like one (an absent device reads as all ones) and masks all its pins.
func addIOAPIC(phys uint64, gsiBase uint32) {
	if nIOAPICs == len(ioapics) || phys >= directMapEnd {
		return
	}
	a := ioapic{base: phys2virt(phys), gsiBase: gsiBase}
	ver := a.read(ioapicVer)
	if ver == 0xFFFFFFFF || ver&0xFF < 0x10 {
		return
	}
	a.pins = ver>>16&0xFF + 1
	for p := uint32(0); p < a.pins; p++ {
		a.write(ioRedTbl+2*p, redMasked)
	}
	ioapics[nIOAPICs] = a
	nIOAPICs++
}

// findIOAPICs fills ioapics and isaGSI from the MADT, or falls back to
// the standard I/O APIC with ISA IRQ n on GSI n, edge, active high.
func findIOAPICs() {
	for i := range isaGSI {
		isaGSI[i] = isaRoute{gsi: uint32(i)}
	}
	if madt := findMADT(); madt != 0 {
		parseMADT(madt)
	}
	if nIOAPICs == 0 {
		addIOAPIC(ioapicDefault, 0)
	}
}

// routeISA sends ISA IRQ irq to vector vec on the boot CPU. It returns
// false when no I/O APIC serves the IRQ's GSI.
func routeISA(irq int, vec uint8) bool {
	r := isaGSI[irq]
	for i := 0; i < nIOAPICs; i++ {
		a := &ioapics[i]
		if r.gsi < a.gsiBase || r.gsi >= a.gsiBase+a.pins {
			continue
		}
		pin := r.gsi - a.gsiBase
		dest := lapicRead(lapicID) >> 24
		a.write(ioRedTbl+2*pin+1, dest<<24)
		a.write(ioRedTbl+2*pin, uint32(vec)|r.flags) // fixed, physical, unmasked
		return true
	}
	return false
}

// maskISA masks ISA IRQ irq again.
func maskISA(irq int) {
	r := isaGSI[irq]
	for i := 0; i < nIOAPICs; i++ {
		if a := &ioapics[i]; r.gsi >= a.gsiBase && r.gsi < a.gsiBase+a.pins {
			a.write(ioRedTbl+2*(r.gsi-a.gsiBase), redMasked)
		}
	}
}

// vectorPending reports whether vec waits in the local APIC's IRR (with
// interrupts off, an accepted interrupt stays there).
func vectorPending(vec uint8) bool {
	return lapicRead(lapicIRR+uintptr(vec/32)*0x10)&(1<<(vec%32)) != 0
}
