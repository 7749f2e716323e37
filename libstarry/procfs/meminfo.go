package procfs

import (
	"bytes"
	"fmt"
)

// showMeminfo is meminfo_proc_show (fs/proc/meminfo.c) as a Linux 6.x
// of today prints it on x86-64 (zswap and THP configured, memory
// failure not; the host the tests compare with), then
// hugetlb_report_meminfo and arch_report_meminfo. The figures are
// the exokernel's frames: tmpfs pages are Cached and Shmem (never
// reclaimable, so not Available), the rest in use is anonymous; there
// is no swap, no page cache of disks, no slab to speak of.
func showMeminfo(c *ctx) ([]byte, error) {
	m := c.src.System().Mem
	used := m.Total - min(m.Free, m.Total)
	anon := used - min(m.Shmem, used)
	var b bytes.Buffer
	line := func(label string, pages uint64) { fmt.Fprintf(&b, "%-16s%s kB\n", label+":", kB(pages)) }
	line("MemTotal", m.Total)
	line("MemFree", m.Free)
	line("MemAvailable", m.Free)
	line("Buffers", 0)
	line("Cached", m.Shmem)
	line("SwapCached", 0)
	line("Active", anon+m.Shmem)
	line("Inactive", 0)
	line("Active(anon)", anon+m.Shmem)
	line("Inactive(anon)", 0)
	line("Active(file)", 0)
	line("Inactive(file)", 0)
	line("Unevictable", 0)
	line("Mlocked", 0)
	line("SwapTotal", 0)
	line("SwapFree", 0)
	line("Zswap", 0)
	line("Zswapped", 0)
	line("Dirty", 0)
	line("Writeback", 0)
	line("AnonPages", anon)
	line("Mapped", 0)
	line("Shmem", m.Shmem)
	line("KReclaimable", 0)
	line("Slab", 0)
	line("SReclaimable", 0)
	line("SUnreclaim", 0)
	line("KernelStack", 0)
	line("PageTables", 0)
	line("SecPageTables", 0)
	line("NFS_Unstable", 0)
	line("Bounce", 0)
	line("WritebackTmp", 0)
	line("CommitLimit", m.Total/2) // overcommit_ratio 50, no swap
	line("Committed_AS", m.Committed)
	fmt.Fprintf(&b, "VmallocTotal:   %8d kB\n", uint64(32<<40)>>10-1)
	line("VmallocUsed", 0)
	line("VmallocChunk", 0)
	line("Percpu", 0)
	line("AnonHugePages", 0)
	line("ShmemHugePages", 0)
	line("ShmemPmdMapped", 0)
	line("FileHugePages", 0)
	line("FilePmdMapped", 0)
	line("Balloon", 0)
	fmt.Fprintf(&b, "HugePages_Total:   %5d\nHugePages_Free:    %5d\nHugePages_Rsvd:    %5d\nHugePages_Surp:    %5d\n", 0, 0, 0, 0)
	fmt.Fprintf(&b, "Hugepagesize:   %8d kB\nHugetlb:        %8d kB\n", 2048, 0)
	line("DirectMap4k", m.Total)
	line("DirectMap2M", 0)
	line("DirectMap1G", 0)
	return b.Bytes(), nil
}
