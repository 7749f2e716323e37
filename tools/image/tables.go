package image

import "encoding/binary"

// Boot page tables: one PML4, one PDPT and four page directories of 2 MiB
// pages map the first 4 GiB of physical memory twice: at 0 (identity, so
// the stub keeps running when paging turns on) and at KernelBase (the
// direct map, which holds the kernel image). The kernel drops the identity
// half before Go runs.
const (
	tablePages    = 6
	pageSize      = 4096
	pteP          = 1 << 0
	pteRW         = 1 << 1
	ptePWT        = 1 << 3
	ptePCD        = 1 << 4
	ptePS         = 1 << 7
	kernelPML4Idx = (KernelBase >> 39) & 511
)

// fillTables writes the tables into dst (tablePages pages, the first at
// physical address phys).
func fillTables(dst []byte, phys uint64) {
	put := func(page, idx int, v uint64) {
		binary.LittleEndian.PutUint64(dst[page*pageSize+idx*8:], v)
	}
	clear(dst[:tablePages*pageSize])
	pdpt := phys + pageSize
	put(0, 0, pdpt|pteP|pteRW)
	put(0, kernelPML4Idx, pdpt|pteP|pteRW)
	for g := 0; g < 4; g++ {
		pd := phys + uint64(2+g)*pageSize
		put(1, g, pd|pteP|pteRW)
		for i := 0; i < 512; i++ {
			addr := uint64(g)<<30 | uint64(i)<<21
			v := addr | pteP | pteRW | ptePS
			if addr >= uncachedFrom {
				v |= ptePCD | ptePWT
			}
			put(2+g, i, v)
		}
	}
}
