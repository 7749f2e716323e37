package image

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
)

// writeHeaders places the 32-bit stub and the Multiboot header in the
// unused bytes of the first page (after the ELF and section headers, before
// the first section), and turns the Go build-ID note into the Xen PVH note.
func (img *Image) writeHeaders(f *elf.File, entry64 uint32) error {
	note, gapEnd, err := noteSection(f)
	if err != nil {
		return err
	}
	gapStart := headersEnd(img.Bytes)
	stubOff := align(gapStart, 16)
	probe := buildStub(stubParams{})
	mbOff := align(stubOff+len(probe.code), 8)
	if mbOff+mbHeaderLen > gapEnd || gapEnd > 8192 {
		return fmt.Errorf("image: no room for the boot stub in [%#x, %#x)", gapStart, gapEnd)
	}
	for _, b := range img.Bytes[stubOff : mbOff+mbHeaderLen] {
		if b != 0 {
			return errors.New("image: the header gap is not empty; the linker layout changed")
		}
	}
	phys := func(off int) uint32 { return uint32(img.LoadPhys) + uint32(off) }
	st := buildStub(stubParams{base: phys(stubOff), pml4: uint32(img.PageTables), entry64: entry64})
	copy(img.Bytes[stubOff:], st.code)
	img.StubOffset, img.StubLen = stubOff, len(st.code)
	img.PVHEntry, img.MultibootEntry = st.pvhEntry, st.multibootEntr

	le := binary.LittleEndian
	mb := img.Bytes[mbOff:]
	fields := []uint32{mbMagic, mbFlags, mbChecksum, phys(mbOff),
		uint32(img.LoadPhys), uint32(img.LoadEndPhys), uint32(img.BSSEndPhys), st.multibootEntr}
	for i, v := range fields {
		le.PutUint32(mb[i*4:], v)
	}
	return img.writeXenNote(f, note, st.pvhEntry)
}

// writeXenNote replaces the Go build-ID note (the only note in PT_NOTE)
// with XEN_ELFNOTE_PHYS32_ENTRY and shrinks PT_NOTE and the section to it.
func (img *Image) writeXenNote(f *elf.File, note *elf.Section, entry uint32) error {
	le := binary.LittleEndian
	n := img.Bytes[note.Offset : note.Offset+note.Size]
	clear(n)
	le.PutUint32(n[0:], 4)              // namesz
	le.PutUint32(n[4:], 8)              // descsz: QEMU reads a 64-bit value
	le.PutUint32(n[8:], xenPhys32Entry) // type
	copy(n[12:], "Xen\x00")
	le.PutUint64(n[16:], uint64(entry))

	phoff := le.Uint64(img.Bytes[32:])
	phentsize := uint64(le.Uint16(img.Bytes[54:]))
	found := false
	for i, p := range f.Progs {
		if p.Type == elf.PT_NOTE && p.Off == note.Offset {
			ph := img.Bytes[phoff+uint64(i)*phentsize:]
			le.PutUint64(ph[32:], xenNoteLen) // p_filesz
			le.PutUint64(ph[40:], xenNoteLen) // p_memsz
			found = true
		}
	}
	if !found {
		return errors.New("image: no PT_NOTE segment for the build-ID note")
	}
	shoff := le.Uint64(img.Bytes[40:])
	shentsize := uint64(le.Uint16(img.Bytes[58:]))
	for i, s := range f.Sections {
		if s == note {
			le.PutUint64(img.Bytes[shoff+uint64(i)*shentsize+32:], xenNoteLen) // sh_size
		}
	}
	return nil
}

// noteSection finds .note.go.buildid, which must lie in the first page with
// room for the Xen note; it also bounds the header gap.
func noteSection(f *elf.File) (*elf.Section, int, error) {
	s := f.Section(".note.go.buildid")
	if s == nil || s.Type != elf.SHT_NOTE || s.Size < xenNoteLen || s.Offset >= 8192 {
		return nil, 0, errors.New("image: no .note.go.buildid in the first 8 KiB to reuse for the PVH note")
	}
	return s, int(s.Offset), nil
}

// headersEnd is the first byte after the ELF header, the program headers
// and (when the linker put it there) the section header table.
func headersEnd(b []byte) int {
	le := binary.LittleEndian
	end := 64 + int(le.Uint16(b[56:]))*int(le.Uint16(b[54:])) + int(le.Uint64(b[32:])) - 64
	shoff, shnum, shentsize := int(le.Uint64(b[40:])), int(le.Uint16(b[60:])), int(le.Uint16(b[58:]))
	if shoff < 8192 {
		end = max(end, shoff+shnum*shentsize)
	}
	return end
}
