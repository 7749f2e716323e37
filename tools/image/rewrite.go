package image

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
)

// Multiboot v1 header constants (Multiboot specification 0.6.96, 3.1).
const (
	mbMagic     = 0x1BADB002
	mbFlags     = 1<<0 | 1<<1 | 1<<16 // align modules, want memory map, address fields present
	mbHeaderLen = 32
	xenNoteLen  = 24
	// mbChecksum makes magic+flags+checksum wrap to zero.
	mbChecksum = uint32(1<<32 - (mbMagic + mbFlags))
	// xenPhys32Entry is XEN_ELFNOTE_PHYS32_ENTRY: the PVH 32-bit entry point.
	xenPhys32Entry = 18
)

// Image describes what Rewrite produced, for tests and `starry build`.
type Image struct {
	Bytes          []byte
	LoadPhys       uint64 // physical address of file offset 0
	LoadEndPhys    uint64 // end of the file-backed part
	BSSEndPhys     uint64 // end of everything the kernel occupies
	PVHEntry       uint32
	MultibootEntry uint32
	PageTables     uint64 // physical address of the boot PML4
	StubOffset     int    // file offset of the 32-bit stub
	StubLen        int
}

// Rewrite returns the bootable image for a kernel ELF linked with
// GoBuildFlags. The input is not modified.
func Rewrite(raw []byte) ([]byte, error) {
	img, err := Build(raw)
	if err != nil {
		return nil, err
	}
	return img.Bytes, nil
}

// Build is Rewrite with the layout details returned too.
func Build(raw []byte) (*Image, error) {
	f, err := elf.NewFile(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("image: not an ELF file: %w", err)
	}
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 || f.Type != elf.ET_EXEC {
		return nil, errors.New("image: want a static x86-64 ELF64 executable")
	}
	img := &Image{Bytes: bytes.Clone(raw)}
	if err := img.setPhysAddrs(f); err != nil {
		return nil, err
	}
	entry64, err := symbolPhys(f, SymEntry64)
	if err != nil {
		return nil, err
	}
	if err := img.writeTables(f); err != nil {
		return nil, err
	}
	if err := img.writeHeaders(f, uint32(entry64)); err != nil {
		return nil, err
	}
	return img, nil
}

// setPhysAddrs rewrites p_paddr = p_vaddr - KernelBase and checks that the
// loadable segments are laid out in the file exactly as in memory, which a
// Multiboot loader (one contiguous copy) needs.
func (img *Image) setPhysAddrs(f *elf.File) error {
	phoff := binary.LittleEndian.Uint64(img.Bytes[32:])
	phentsize := uint64(binary.LittleEndian.Uint16(img.Bytes[54:]))
	first := true
	for i, p := range f.Progs {
		if p.Type != elf.PT_LOAD && p.Type != elf.PT_NOTE && p.Type != elf.PT_PHDR {
			continue
		}
		if p.Vaddr < KernelBase || p.Vaddr+p.Memsz-KernelBase > DirectMapBytes {
			return fmt.Errorf("image: segment %d at %#x is not in the kernel's upper half; link with GoBuildFlags", i, p.Vaddr)
		}
		phys := p.Vaddr - KernelBase
		binary.LittleEndian.PutUint64(img.Bytes[phoff+uint64(i)*phentsize+24:], phys)
		if p.Type != elf.PT_LOAD {
			continue
		}
		if first {
			img.LoadPhys = phys - p.Off
			first = false
		} else if phys-p.Off != img.LoadPhys {
			return fmt.Errorf("image: segment %d is not contiguous with the file layout", i)
		}
		img.LoadEndPhys = max(img.LoadEndPhys, phys+p.Filesz)
		img.BSSEndPhys = max(img.BSSEndPhys, phys+p.Memsz)
	}
	if first {
		return errors.New("image: no loadable segments")
	}
	return nil
}

func symbolPhys(f *elf.File, name string) (uint64, error) {
	s, err := findSymbol(f, name)
	if err != nil {
		return 0, err
	}
	return s.Value - KernelBase, nil
}

func findSymbol(f *elf.File, name string) (elf.Symbol, error) {
	syms, err := f.Symbols()
	if err != nil {
		return elf.Symbol{}, fmt.Errorf("image: no symbol table (do not strip the kernel): %w", err)
	}
	for _, s := range syms {
		// Assembly functions that Go code also declares carry ".abi0".
		if s.Name == name || s.Name == name+".abi0" {
			return s, nil
		}
	}
	return elf.Symbol{}, fmt.Errorf("image: symbol %s not found in the kernel", name)
}

// fileOffset maps a virtual address to its offset in the file, requiring n
// file-backed bytes there.
func fileOffset(f *elf.File, vaddr, n uint64) (int, error) {
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && vaddr >= p.Vaddr && vaddr+n <= p.Vaddr+p.Filesz {
			return int(p.Off + vaddr - p.Vaddr), nil
		}
	}
	return 0, fmt.Errorf("image: %#x+%d is not file-backed", vaddr, n)
}

// writeTables fills the page-aligned part of bootPageTables.
func (img *Image) writeTables(f *elf.File) error {
	s, err := findSymbol(f, SymPageTables)
	if err != nil {
		return err
	}
	start := (s.Value + pageSize - 1) &^ (pageSize - 1)
	if start+tablePages*pageSize > s.Value+s.Size {
		return fmt.Errorf("image: %s is too small (%d bytes) for %d aligned pages", SymPageTables, s.Size, tablePages)
	}
	off, err := fileOffset(f, start, tablePages*pageSize)
	if err != nil {
		return err
	}
	img.PageTables = start - KernelBase
	fillTables(img.Bytes[off:], img.PageTables)
	return nil
}
