package procfs

import "strings"

// memSums are the mm_struct counters task_mem, task_statm and
// do_task_stat print, summed from the regions (task_mmu.c): Linux keeps
// them as it maps; here they are counted from a snapshot. Sizes are in
// pages.
type memSums struct {
	total, data, stack, exec, text uint64
	anon, file, shmem              uint64 // resident
	locked                         uint64 // in VM_LOCKED regions (locked_vm)
	pte                            uint64 // page-table pages, estimated
	startCode, endCode, startBrk   uint64
	has                            bool // the process has an address space
}

const pmdSpan = 2 << 20 // what one page-table page maps

// sumRegions counts rs as vm_stat_account and the RSS counters do:
// data is private writable memory but the stack, exec is executable
// read-only memory, of which text is the program's own.
// Resident pages of a private writable file mapping are counted as
// anonymous (they are mostly copies by then), of shared anonymous memory
// as shmem.
func sumRegions(rs []Region) memSums {
	s := memSums{has: len(rs) > 0}
	tables := map[uint64]bool{}
	for _, r := range rs {
		pages := (r.End - r.Start) / pageSize
		s.total += pages
		if r.Locked {
			s.locked += pages
		}
		stack := r.Name == "[stack]"
		switch {
		case stack:
			s.stack += pages
		case r.Write && !r.Shared:
			s.data += pages
		case r.Exec && !r.Write:
			s.exec += pages
			if r.Program {
				s.text += pages
				if s.startCode == 0 {
					s.startCode = r.Start
				}
				s.endCode = r.End
			}
		}
		switch {
		case !r.File:
			s.anon += r.Resident
		case r.Shared && isShmem(r.Name):
			s.shmem += r.Resident
		case r.Write && !r.Shared:
			s.anon += r.Resident
		default:
			s.file += r.Resident
		}
		if r.Name == "[heap]" {
			s.startBrk = r.Start
		}
		// A page-table page for each 2 MiB span that can hold a
		// resident page (where in the region they lie is not known).
		spans := (r.End+pmdSpan-1)/pmdSpan - r.Start/pmdSpan
		for i := uint64(0); i < min(spans, r.Resident); i++ {
			tables[r.Start/pmdSpan+i] = true
		}
	}
	if s.has {
		s.pte = uint64(len(tables)) + 3 // and the upper levels
	}
	return s
}

// isShmem: shared anonymous memory and memfds live on the internal tmpfs.
func isShmem(name string) bool {
	return strings.HasPrefix(name, "/dev/zero") || strings.HasPrefix(name, "/memfd:")
}

func (s memSums) rss() uint64 { return s.anon + s.file + s.shmem }

// regionsOf is the process's regions and their sums.
func (c *ctx) regionsOf() ([]Region, memSums) {
	rs := c.src.Regions(c.pid)
	return rs, sumRegions(rs)
}
