package tests

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"math/rand"
	"strings"
)

// The mutation engine of the ELF loader's differential test: seeded
// edits of one to three header fields (the ELF header, or a program
// header) to values chosen the way bugs and fuzzers choose them.

// elfField is one header field: its offset in the file and its width.
type elfField struct {
	name      string
	off, size int
}

// ehdrFields are the ELF header's fields (elf.h's Elf64_Ehdr).
var ehdrFields = []elfField{
	{"EI_CLASS", 4, 1}, {"EI_DATA", 5, 1}, {"EI_VERSION", 6, 1}, {"EI_OSABI", 7, 1}, {"EI_ABIVERSION", 8, 1},
	{"e_type", 16, 2}, {"e_machine", 18, 2}, {"e_version", 20, 4}, {"e_entry", 24, 8}, {"e_phoff", 32, 8},
	{"e_shoff", 40, 8}, {"e_flags", 48, 4}, {"e_ehsize", 52, 2}, {"e_phentsize", 54, 2}, {"e_phnum", 56, 2},
	{"e_shentsize", 58, 2}, {"e_shnum", 60, 2}, {"e_shstrndx", 62, 2},
}

// phdrFields are one program header's fields (Elf64_Phdr), relative.
var phdrFields = []elfField{
	{"p_type", 0, 4}, {"p_flags", 4, 4}, {"p_offset", 8, 8}, {"p_vaddr", 16, 8},
	{"p_paddr", 24, 8}, {"p_filesz", 32, 8}, {"p_memsz", 40, 8}, {"p_align", 48, 8},
}

// typeValues are program header types worth turning a header into.
var typeValues = []uint64{uint64(elf.PT_NULL), uint64(elf.PT_LOAD), uint64(elf.PT_DYNAMIC), uint64(elf.PT_INTERP),
	uint64(elf.PT_NOTE), uint64(elf.PT_PHDR), uint64(elf.PT_TLS), 0x6474e550, 0x6474e551, 0x6474e552, 0x6474e553, 0x70000000}

func getField(b []byte, off, size int) uint64 {
	le := binary.LittleEndian
	switch size {
	case 1:
		return uint64(b[off])
	case 2:
		return uint64(le.Uint16(b[off:]))
	case 4:
		return uint64(le.Uint32(b[off:]))
	}
	return le.Uint64(b[off:])
}

func putField(b []byte, off, size int, v uint64) {
	le := binary.LittleEndian
	switch size {
	case 1:
		b[off] = byte(v)
	case 2:
		le.PutUint16(b[off:], uint16(v))
	case 4:
		le.PutUint32(b[off:], uint32(v))
	default:
		le.PutUint64(b[off:], v)
	}
}

// newValue picks a replacement for a field holding old.
func newValue(r *rand.Rand, f elfField, old uint64) uint64 {
	bits := uint(8 * f.size)
	mask := uint64(1)<<bits - 1
	if bits == 64 {
		mask = ^uint64(0)
	}
	if strings.HasSuffix(f.name, "p_type") && r.Intn(2) == 0 {
		return typeValues[r.Intn(len(typeValues))]
	}
	switch r.Intn(10) {
	case 0:
		return 0
	case 1:
		return 1
	case 2:
		return (old + uint64(r.Intn(9)) - 4) & mask
	case 3:
		return (old + (uint64(r.Intn(5))-2)*0x1000) & mask
	case 4:
		return old ^ 1<<uint(r.Intn(int(bits)))
	case 5:
		return mask
	case 6:
		return (old << 1) & mask
	case 7:
		return old >> 1
	case 8:
		return []uint64{0x7ffffffff000, 0x800000000000, 0xffffffffffff0000, 0x1000, 0x10000, 0x40, 4096, 56}[r.Intn(8)] & mask
	}
	return r.Uint64() & mask
}

// mutateELF returns a copy of orig with one to three fields changed and
// a description of each change.
func mutateELF(r *rand.Rand, orig []byte) ([]byte, []string) {
	b := append([]byte(nil), orig...)
	phoff := int(binary.LittleEndian.Uint64(orig[32:]))
	phnum := int(binary.LittleEndian.Uint16(orig[56:]))
	var edits []string
	for n := 1 + r.Intn(3); n > 0; n-- {
		var f elfField
		base := 0
		if r.Intn(10) < 3 || phnum == 0 {
			f = ehdrFields[r.Intn(len(ehdrFields))]
		} else {
			i := r.Intn(phnum)
			f = phdrFields[r.Intn(len(phdrFields))]
			base = phoff + i*56
			f.name = fmt.Sprintf("phdr[%d].%s", i, f.name)
		}
		old := getField(b, base+f.off, f.size)
		v := newValue(r, f, old)
		putField(b, base+f.off, f.size, v)
		edits = append(edits, fmt.Sprintf("%s %#x->%#x", f.name, old, v))
	}
	return b, edits
}
