package binfmt

import (
	"debug/elf"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

// elfDynBase is ELF_ET_DYN_BASE on x86-64, two thirds of the user
// address space: where a dynamically linked PIE goes, so that its
// interpreter and libraries (placed top-down like any mmap) and its brk
// have room on both sides.
const elfDynBase = (1<<47 - exo.PageSize) / 3 * 2

// Load maps an image into an address space that holds only its stack,
// as load_elf_binary does after the point of no return, then the
// interpreter it names, as load_elf_interp does. The program starts at
// the interpreter's entry when it has one, with AT_BASE its load
// address. An error means Linux would kill the process with SIGSEGV.
func Load(m *mm.MM, img *Image) error {
	first := placeProgram
	if img.Interpreter != nil {
		first = placeAtDynBase
	}
	brk, err := mapImage(m, img, first)
	if err != nil {
		return err
	}
	img.Entry, img.Start = img.EEntry+img.Bias, img.EEntry+img.Bias
	if img.Entry >= mm.TaskSize {
		return abi.EINVAL
	}
	img.BrkStart = pageUp(brk + img.Bias)
	m.SetBrkStart(uintptr(img.BrkStart))
	in := img.Interpreter
	if in == nil {
		return nil
	}
	if in.Type != elf.ET_EXEC && in.Type != elf.ET_DYN {
		return abi.EINVAL
	}
	if _, err := mapImage(m, in, placeInterp); err != nil {
		return err
	}
	img.Base, img.Start = in.Bias, in.EEntry+in.Bias
	if img.Start >= mm.TaskSize {
		return abi.EINVAL
	}
	return nil
}

// placement says where an image's first PT_LOAD goes; the rest follow it
// with MAP_FIXED at the same bias, so later segments may replace earlier
// ones.
type placement int

const (
	// placeProgram: an ET_EXEC at its address without replacing anything
	// (MAP_FIXED_NOREPLACE), a static PIE wherever the whole image fits
	// (top-down, honouring the largest power-of-two p_align).
	placeProgram placement = iota
	// placeAtDynBase: a dynamically linked PIE at ELF_ET_DYN_BASE,
	// aligned down to its largest p_align (MAP_FIXED_NOREPLACE).
	placeAtDynBase
	// placeInterp: an interpreter as load_elf_interp maps it: an ET_DYN
	// wherever it fits, an ET_EXEC at its address (MAP_FIXED).
	placeInterp
)

// mapImage maps img's PT_LOAD segments, sets its Bias and Phdr, and
// returns the unbiased end of its highest segment.
func mapImage(m *mm.MM, img *Image, how placement) (uint64, error) {
	first := true
	var bias, phdr, brk uint64
	for _, p := range img.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		noReplace := false
		switch {
		case !first:
		case img.Type == elf.ET_EXEC:
			noReplace = how != placeInterp
		case how == placeAtDynBase:
			base := uint64(elfDynBase) &^ (maxAlign(img.Progs) - 1)
			bias, noReplace = pageDown(base-p.Vaddr), true
		default:
			base, err := placeImage(m, img.Progs)
			if err != nil {
				return 0, err
			}
			// The first segment's page goes at base, with room for
			// total_mapping_size after it, as elf_map's first mmap.
			bias, noReplace = base-pageDown(p.Vaddr), how == placeProgram
		}
		first = false
		if err := loadSegment(m, img.File, bias+p.Vaddr, p, noReplace); err != nil {
			return 0, err
		}
		if p.Offset <= img.Phoff && img.Phoff < p.Offset+p.Filesz {
			phdr = img.Phoff - p.Offset + p.Vaddr
		}
		// "Check to see if the section's size will overflow the allowed
		// task size" (on the unbiased address, after mapping it).
		if p.Vaddr >= mm.TaskSize || p.Filesz > p.Memsz || p.Memsz > mm.TaskSize || mm.TaskSize-p.Memsz < p.Vaddr {
			return 0, abi.EINVAL
		}
		brk = max(brk, p.Vaddr+p.Memsz)
	}
	img.Bias, img.Phdr = bias, phdr+bias
	return brk, nil
}

// maxAlign is maximum_alignment: the largest power-of-two p_align of the
// PT_LOAD segments, at least a page.
func maxAlign(progs []Prog) uint64 {
	align := uint64(exo.PageSize)
	for _, p := range progs {
		if p.Type == elf.PT_LOAD && p.Align&(p.Align-1) == 0 {
			align = max(align, pageUp(p.Align))
		}
	}
	return align
}

// placeImage finds room for an ET_DYN image (total_mapping_size: from
// the lowest PT_LOAD page to the highest end; maximum_alignment; and the
// top-down search of vm_mmap with no hint).
func placeImage(m *mm.MM, progs []Prog) (uint64, error) {
	low, high := ^uint64(0), uint64(0)
	for _, p := range progs {
		if p.Type == elf.PT_LOAD {
			low, high = min(low, pageDown(p.Vaddr)), max(high, p.Vaddr+p.Memsz)
		}
	}
	align := maxAlign(progs)
	total := high - low
	if total == 0 {
		return 0, abi.EINVAL
	}
	length := pageUp(total)
	if length == 0 || length > mm.TaskSize {
		return 0, abi.ENOMEM
	}
	base, ok := m.FreeRange(uintptr(length), uintptr(align))
	if !ok {
		return 0, abi.ENOMEM
	}
	return uint64(base), nil
}

// loadSegment is elf_load: the file pages of one PT_LOAD (elf_map; the
// offset must share the address's page offset, or mmap answers EINVAL),
// the rest of its last file page zeroed only if the segment is writable
// (padzero ignores the fault otherwise), and anonymous pages, readable
// and writable, for the rest of p_memsz (vm_brk_flags, which replaces
// whatever is there).
func loadSegment(m *mm.MM, file mm.Object, addr uint64, p Prog, noReplace bool) error {
	pageOff := p.Vaddr & pageMask
	mapAddr := pageDown(addr)
	zeroStart := mapAddr
	prot := protOf(p.Flags)
	if p.Filesz > 0 {
		size := pageUp(p.Filesz + pageOff)
		off := p.Offset - pageOff
		if size != 0 {
			switch {
			case off&pageMask != 0 || off+size < off:
				return abi.EINVAL
			case !mm.FileRangeOK(off, size):
				return abi.EOVERFLOW
			case mapAddr+size < mapAddr:
				return abi.ENOMEM
			}
			zeroStart = mapAddr + pageOff + p.Filesz
			v := mm.VMA{Start: uintptr(mapAddr), End: uintptr(mapAddr + size), Prot: prot, Obj: file, FileOff: off,
				FileEnd: uintptr(mapAddr + size)}
			if p.Memsz > p.Filesz && prot&exo.PermWrite != 0 && zeroStart&pageMask != 0 {
				// padzero: a writable segment's last file page is
				// cleared past p_filesz, and a page past the end of the
				// file cannot be (clear_user faults: EFAULT).
				if off+(pageDown(zeroStart)-mapAddr) >= uint64(file.Size()) {
					return abi.EFAULT
				}
				v.FileEnd = uintptr(zeroStart)
			}
			if err := m.Place(v, noReplace); err != nil {
				return err
			}
		} else {
			zeroStart = mapAddr + pageOff + p.Filesz
		}
	}
	if p.Memsz <= p.Filesz {
		return nil
	}
	zeroEnd := mapAddr + pageOff + p.Memsz
	start, end := pageUp(zeroStart), pageUp(zeroEnd)
	switch {
	case end == start:
		return nil
	case end < start:
		return abi.ENOMEM
	}
	bss := exo.PermRead | exo.PermWrite | prot&exo.PermExec
	return m.Place(mm.VMA{Start: uintptr(start), End: uintptr(end), Prot: bss}, false)
}
