package procfs

import (
	"bytes"
	"fmt"
	"strings"
)

// The maps and smaps files of fs/proc/task_mmu.c.

// showMaps is show_map for every region.
func showMaps(c *ctx) ([]byte, error) {
	if _, err := c.proc(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, r := range c.src.Regions(c.pid) {
		mapLine(&b, r)
	}
	return b.Bytes(), nil
}

// mapLine is show_map_vma: show_vma_header_prefix, padded to 72 columns
// (seq_setwidth of 25 + sizeof(void *) * 6 - 1, then seq_pad) before a name,
// then the name, paths escaping '\n' as seq_path does.
func mapLine(b *bytes.Buffer, r Region) {
	flag := func(on bool, c byte) byte {
		if on {
			return c
		}
		return '-'
	}
	share := byte('p')
	if r.Shared {
		share = 's'
	}
	var offset uint64
	if r.File {
		offset = r.Offset
	}
	major := uint32(r.Dev>>8&0xfff) | uint32(r.Dev>>32&^0xfff)
	minor := uint32(r.Dev&0xff) | uint32(r.Dev>>12&^0xff)
	start := b.Len()
	fmt.Fprintf(b, "%08x-%08x %c%c%c%c %08x %02x:%02x %d ", r.Start, r.End, flag(r.Read, 'r'), flag(r.Write, 'w'),
		flag(r.Exec, 'x'), share, offset, major, minor, r.Ino)
	if r.Name != "" {
		for b.Len()-start < 72 {
			b.WriteByte(' ')
		}
		b.WriteByte(' ')
		b.WriteString(strings.ReplaceAll(r.Name, "\n", "\\012"))
	}
	b.WriteByte('\n')
}

// showSmaps is show_smap for every region: the header, then the
// counts smap_gather_stats makes, here from the region's resident pages.
// Pages others hold too count as shared (and half theirs for Pss);
// anonymous memory is dirty, read-only file pages clean.
func showSmaps(c *ctx) ([]byte, error) {
	if _, err := c.proc(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, r := range c.src.Regions(c.pid) {
		mapLine(&b, r)
		smapsEntry(&b, r)
	}
	return b.Bytes(), nil
}

func smapsEntry(b *bytes.Buffer, r Region) {
	kb := func(pages uint64) uint64 { return pages * (pageSize / 1024) }
	line := func(label string, v uint64) { fmt.Fprintf(b, "%-16s%8d kB\n", label+":", v) }
	own, shared := r.Resident-min(r.ResidentShare, r.Resident), min(r.ResidentShare, r.Resident)
	anon := !r.File || r.Write && !r.Shared
	dirty := anon || r.Shared
	pss := kb(own) + kb(shared)/2
	var shClean, shDirty, prClean, prDirty, pssDirty, anonKB uint64
	if dirty {
		shDirty, prDirty, pssDirty = kb(shared), kb(own), pss
	} else {
		shClean, prClean = kb(shared), kb(own)
	}
	if anon {
		anonKB = kb(r.Resident)
	}
	line("Size", (r.End-r.Start)/1024)
	line("KernelPageSize", 4)
	line("MMUPageSize", 4)
	line("Rss", kb(r.Resident))
	line("Pss", pss)
	line("Pss_Dirty", pssDirty)
	line("Shared_Clean", shClean)
	line("Shared_Dirty", shDirty)
	line("Private_Clean", prClean)
	line("Private_Dirty", prDirty)
	line("Referenced", kb(r.Resident))
	line("Anonymous", anonKB)
	line("KSM", 0)
	line("LazyFree", 0)
	line("AnonHugePages", 0)
	line("ShmemPmdMapped", 0)
	line("FilePmdMapped", 0)
	line("Shared_Hugetlb", 0)
	fmt.Fprintf(b, "Private_Hugetlb: %7d kB\n", 0)
	line("Swap", 0)
	line("SwapPss", 0)
	locked := uint64(0)
	if r.Locked {
		locked = pss
	}
	line("Locked", locked)
	fmt.Fprintf(b, "THPeligible:    %8d\n", 0)
	b.WriteString("VmFlags:" + vmFlags(r) + " \n")
}

// vmFlags is show_smap_vma_flags's mnemonics, in their bits' order.
func vmFlags(r Region) string {
	var f []string
	add := func(on bool, s string) {
		if on {
			f = append(f, s)
		}
	}
	add(r.Read, "rd")
	add(r.Write, "wr")
	add(r.Exec, "ex")
	add(r.Shared, "sh")
	f = append(f, "mr", "mw", "me")
	add(r.Shared, "ms")
	add(r.Name == "[stack]", "gd")
	add(r.Locked, "lo")
	add(r.Write && !r.Shared, "ac")
	return " " + strings.Join(f, " ")
}
