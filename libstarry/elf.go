package libstarry

import (
	"debug/elf"
	"encoding/binary"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// PIEBase is where a static PIE (ET_DYN without PT_INTERP) is loaded. It
// is Linux's ELF_ET_DYN_BASE on x86-64 (2/3 of the 47-bit user half,
// page-aligned down) with randomization off, so addresses are
// reproducible run to run and match what `setarch -R` shows on Linux.
const PIEBase = 0x555555554000

// Layout limits for a loaded image.
const (
	ehdrSize   = 64
	phdrSize   = 56
	maxPhnum   = 512     // more program headers than any sane binary
	maxSegSize = 1 << 36 // 64 GiB: caps memsz so the sums below never wrap
	pageMask   = exo.PageSize - 1
	userLow    = exo.UserBase
	userHigh   = exo.UserTop
)

// Segment is one PT_LOAD, relocated: its bytes are File[Offset :
// Offset+Filesz] at Vaddr, followed by zeros up to Vaddr+Memsz.
type Segment struct {
	Vaddr, Memsz   uint64
	Offset, Filesz uint64
	Prot           exo.Perm
}

// Image is everything about a new program gathered before the old one is
// touched, like Linux's struct linux_binprm plus what load_elf_binary
// computes: the file, its relocated segments, entry and auxv inputs.
type Image struct {
	Path     string // as given to exec (AT_EXECFN)
	Exe      string // the binary actually loaded (/proc/self/exe)
	File     []byte
	Segments []Segment
	Entry    uint64
	Phdr     uint64 // AT_PHDR: where the program headers are in memory
	Phnum    uint64
	Bias     uint64 // load bias: 0 for ET_EXEC, PIEBase for static PIE
	BrkStart uint64 // page after the highest segment
	Argv     []string
	Envv     []string
}

// parseELF validates an ELF64 x86-64 static executable or static PIE and
// builds its Image. Every failure is ENOEXEC, as load_elf_binary in
// fs/binfmt_elf.c returns for a file it will not run.
func parseELF(file []byte) (*Image, error) {
	if len(file) < ehdrSize || string(file[:4]) != elf.ELFMAG {
		return nil, abi.ENOEXEC
	}
	le := binary.LittleEndian
	if elf.Class(file[elf.EI_CLASS]) != elf.ELFCLASS64 || elf.Data(file[elf.EI_DATA]) != elf.ELFDATA2LSB ||
		elf.Version(file[elf.EI_VERSION]) != elf.EV_CURRENT {
		return nil, abi.ENOEXEC
	}
	typ := elf.Type(le.Uint16(file[16:]))
	if elf.Machine(le.Uint16(file[18:])) != elf.EM_X86_64 || (typ != elf.ET_EXEC && typ != elf.ET_DYN) {
		return nil, abi.ENOEXEC
	}
	entry, phoff := le.Uint64(file[24:]), le.Uint64(file[32:])
	phent, phnum := uint64(le.Uint16(file[54:])), uint64(le.Uint16(file[56:]))
	if phent != phdrSize || phnum == 0 || phnum > maxPhnum ||
		phoff > uint64(len(file)) || phnum*phdrSize > uint64(len(file))-phoff {
		return nil, abi.ENOEXEC
	}
	img := &Image{File: file, Phnum: phnum}
	if typ == elf.ET_DYN {
		img.Bias = PIEBase
	}
	var phdrVaddr uint64
	havePhdr := false
	for i := uint64(0); i < phnum; i++ {
		ph := file[phoff+i*phdrSize:]
		switch elf.ProgType(le.Uint32(ph)) {
		case elf.PT_INTERP:
			// Dynamic executables need ld.so loaded beside them: not yet.
			return nil, abi.ENOEXEC
		case elf.PT_PHDR:
			phdrVaddr, havePhdr = le.Uint64(ph[16:]), true
		case elf.PT_LOAD:
			seg, err := loadSegment(ph, img.Bias, uint64(len(file)))
			if err != nil {
				return nil, err
			}
			img.Segments = append(img.Segments, seg)
		}
	}
	if err := checkLayout(img.Segments); err != nil {
		return nil, err
	}
	img.Entry = entry + img.Bias
	if !insideExec(img.Segments, img.Entry) {
		return nil, abi.ENOEXEC
	}
	img.Phdr = phdrAddr(img, phoff, phdrVaddr, havePhdr)
	last := img.Segments[len(img.Segments)-1]
	img.BrkStart = pageUp(last.Vaddr + last.Memsz)
	return img, nil
}

// loadSegment decodes and checks one PT_LOAD program header.
func loadSegment(ph []byte, bias, fileLen uint64) (Segment, error) {
	le := binary.LittleEndian
	flags := elf.ProgFlag(le.Uint32(ph[4:]))
	s := Segment{Offset: le.Uint64(ph[8:]), Vaddr: le.Uint64(ph[16:]), Filesz: le.Uint64(ph[32:]), Memsz: le.Uint64(ph[40:])}
	if s.Filesz > s.Memsz || s.Memsz == 0 || s.Memsz > maxSegSize ||
		s.Offset > fileLen || s.Filesz > fileLen-s.Offset ||
		s.Offset&pageMask != s.Vaddr&pageMask || s.Vaddr > userHigh {
		return s, abi.ENOEXEC
	}
	s.Vaddr += bias
	if s.Vaddr&^pageMask < userLow || s.Vaddr+s.Memsz > userHigh {
		return s, abi.ENOEXEC
	}
	if flags&elf.PF_R != 0 {
		s.Prot |= exo.PermRead
	}
	if flags&elf.PF_W != 0 {
		s.Prot |= exo.PermWrite
	}
	if flags&elf.PF_X != 0 {
		s.Prot |= exo.PermExec
	}
	return s, nil
}

// checkLayout requires at least one segment, ascending order (the ELF
// specification's rule for PT_LOAD) and no two segments sharing a page:
// each page then belongs to exactly one region with one protection.
func checkLayout(segs []Segment) error {
	if len(segs) == 0 {
		return abi.ENOEXEC
	}
	for i := 1; i < len(segs); i++ {
		prevEnd := pageUp(segs[i-1].Vaddr + segs[i-1].Memsz)
		if segs[i].Vaddr&^pageMask < prevEnd {
			return abi.ENOEXEC
		}
	}
	return nil
}

// insideExec reports whether addr lies in an executable segment.
func insideExec(segs []Segment, addr uint64) bool {
	for _, s := range segs {
		if s.Prot&exo.PermExec != 0 && addr >= s.Vaddr && addr < s.Vaddr+s.Memsz {
			return true
		}
	}
	return false
}

// phdrAddr finds AT_PHDR as load_elf_binary does: PT_PHDR if present,
// else the loaded segment whose file bytes hold the headers, else
// first-segment-base + phoff (Linux's fallback, possibly unmapped).
func phdrAddr(img *Image, phoff, phdrVaddr uint64, havePhdr bool) uint64 {
	if havePhdr {
		return phdrVaddr + img.Bias
	}
	for _, s := range img.Segments {
		if phoff >= s.Offset && phoff-s.Offset < s.Filesz {
			return s.Vaddr + (phoff - s.Offset)
		}
	}
	first := img.Segments[0]
	return first.Vaddr - first.Offset + phoff
}

func pageUp(v uint64) uint64   { return (v + pageMask) &^ pageMask }
func pageDown(v uint64) uint64 { return v &^ pageMask }
