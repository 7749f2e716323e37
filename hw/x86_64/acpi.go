package x86_64

// Just enough ACPI to route interrupts: the RSDP (from the PVH start
// info, or by the usual scan of the EBDA and the BIOS ROM area), the
// RSDT or XSDT, and the MADT's I/O APIC and interrupt override entries.
// Every table is checked for its signature and checksum before use.

// physBytes is n bytes of physical memory at p, or nil when they are not
// in the direct map.
func physBytes(p uint64, n uint32) []byte {
	if p == 0 || p >= directMapEnd || uint64(n) > directMapEnd-p || n > 1<<20 {
		return nil
	}
	return (*[1 << 20]byte)(ptrAt(phys2virt(p)))[:n:n]
}

func checksumOK(b []byte) bool {
	s := byte(0)
	for _, c := range b {
		s += c
	}
	return s == 0
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func le64(b []byte) uint64 { return uint64(le32(b)) | uint64(le32(b[4:]))<<32 }

func isRSDP(p uint64) bool {
	b := physBytes(p, 20)
	return b != nil && string(b[:8]) == "RSD PTR " && checksumOK(b)
}

func findRSDP() uint64 {
	if isRSDP(rsdpPhys) {
		return rsdpPhys
	}
	ebda := uint64(*(*uint16)(ptrAt(phys2virt(0x40E)))) << 4
	areas := [...][2]uint64{{ebda, ebda + 1024}, {0xE0000, 0x100000}}
	for i, r := range areas {
		if i == 0 && (ebda < 0x80000 || ebda >= 0xA0000) {
			continue // no EBDA pointer worth trusting
		}
		for p := r[0]; p+20 <= r[1]; p += 16 {
			if isRSDP(p) {
				return p
			}
		}
	}
	return 0
}

// acpiTable returns the ACPI table at p if it has signature sig and a valid
// checksum.
func acpiTable(p uint64, sig string) []byte {
	h := physBytes(p, 36)
	if h == nil || string(h[:4]) != sig {
		return nil
	}
	t := physBytes(p, le32(h[4:]))
	if len(t) < 36 || !checksumOK(t) {
		return nil
	}
	return t
}

// findMADT returns the physical address of the MADT, 0 if there is none.
func findMADT() uint64 {
	rsdp := findRSDP()
	if rsdp == 0 {
		return 0
	}
	r := physBytes(rsdp, 36)
	sdt, sig, width := uint64(le32(r[16:])), "RSDT", 4
	if x := physBytes(rsdp, le32(r[20:])); r[15] >= 2 && len(x) >= 36 && checksumOK(x) && le64(r[24:]) != 0 {
		sdt, sig, width = le64(r[24:]), "XSDT", 8
	}
	t := acpiTable(sdt, sig)
	for off := 36; off+width <= len(t); off += width {
		p := uint64(le32(t[off:]))
		if width == 8 {
			p = le64(t[off:])
		}
		if acpiTable(p, "APIC") != nil {
			return p
		}
	}
	return 0
}

// parseMADT records the I/O APICs and the ISA interrupt overrides.
func parseMADT(p uint64) {
	t := acpiTable(p, "APIC")
	for off := 44; off+2 <= len(t); {
		typ, n := t[off], int(t[off+1])
		if n < 2 || off+n > len(t) {
			break
		}
		e := t[off : off+n]
		switch {
		case typ == 1 && n >= 12: // I/O APIC
			addIOAPIC(uint64(le32(e[4:])), le32(e[8:]))
		case typ == 2 && n >= 10 && e[2] == 0 && e[3] < 16: // ISA override
			isaGSI[e[3]] = isaRoute{gsi: le32(e[4:]), flags: overrideFlags(uint32(e[8]) | uint32(e[9])<<8)}
		}
		off += n
	}
}

// overrideFlags turns MPS INTI flags into redirection-entry bits; the
// "conforming" encodings mean the ISA defaults, edge and active high.
func overrideFlags(f uint32) uint32 {
	var r uint32
	if f&3 == 3 {
		r |= redActiveLow
	}
	if f>>2&3 == 3 {
		r |= redLevel
	}
	return r
}
