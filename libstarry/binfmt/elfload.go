package binfmt

import (
	"debug/elf"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Load maps an image into an address space that holds only its stack,
// as load_elf_binary's loop does after the point of no return: the first
// PT_LOAD of an ET_EXEC at its address without replacing anything
// (MAP_FIXED_NOREPLACE), the first of an ET_DYN wherever the whole image
// fits (top-down, honouring the largest power-of-two p_align), the rest
// with MAP_FIXED at the same bias, so later segments may replace earlier
// ones. An error means Linux would kill the process with SIGSEGV.
func Load(m *mm.MM, img *Image) error {
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
			noReplace = true
		default:
			base, err := placeImage(m, img.Progs)
			if err != nil {
				return err
			}
			// The first segment's page goes at base, with room for
			// total_mapping_size after it, as elf_map's first mmap.
			bias, noReplace = base-pageDown(p.Vaddr), true
		}
		first = false
		if err := loadSegment(m, img.File, bias+p.Vaddr, p, noReplace); err != nil {
			return err
		}
		if p.Offset <= img.Phoff && img.Phoff < p.Offset+p.Filesz {
			phdr = img.Phoff - p.Offset + p.Vaddr
		}
		// "Check to see if the section's size will overflow the allowed
		// task size" (on the unbiased address, after mapping it).
		if p.Vaddr >= mm.TaskSize || p.Filesz > p.Memsz || p.Memsz > mm.TaskSize || mm.TaskSize-p.Memsz < p.Vaddr {
			return abi.EINVAL
		}
		brk = max(brk, p.Vaddr+p.Memsz)
	}
	img.Bias, img.Entry, img.Phdr = bias, img.EEntry+bias, phdr+bias
	if img.Entry >= mm.TaskSize {
		return abi.EINVAL
	}
	img.BrkStart = pageUp(brk + bias)
	m.SetBrkStart(uintptr(img.BrkStart))
	return nil
}

// placeImage finds room for an ET_DYN image (total_mapping_size: from
// the lowest PT_LOAD page to the highest end; maximum_alignment; and the
// top-down search of vm_mmap with no hint).
func placeImage(m *mm.MM, progs []Prog) (uint64, error) {
	low, high := ^uint64(0), uint64(0)
	align := uint64(exo.PageSize)
	for _, p := range progs {
		if p.Type == elf.PT_LOAD {
			low, high = min(low, pageDown(p.Vaddr)), max(high, p.Vaddr+p.Memsz)
			if p.Align&(p.Align-1) == 0 { // only powers of two count
				align = max(align, pageUp(p.Align))
			}
		}
	}
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
func loadSegment(m *mm.MM, file []byte, addr uint64, p Prog, noReplace bool) error {
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
			v := mm.VMA{Start: uintptr(mapAddr), End: uintptr(mapAddr + size), Prot: prot, File: file, FileOff: off,
				FileEnd: uintptr(mapAddr + size)}
			if p.Memsz > p.Filesz && prot&exo.PermWrite != 0 && zeroStart&pageMask != 0 {
				// padzero: a writable segment's last file page is
				// cleared past p_filesz, and a page past the end of the
				// file cannot be (clear_user faults: EFAULT).
				if off+(pageDown(zeroStart)-mapAddr) >= uint64(len(file)) {
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
