package x86_64

import "strings"

// CPU is what CPUID says of the processor, for /proc/cpuinfo: Linux
// shows the brand string, the signature and the feature flags the CPU
// reports, and programs (LTP's virtualisation check, tuning libraries)
// read them from there.
type CPU struct {
	Vendor, ModelName       string
	Family, Model, Stepping int
	MHz                     float64 // the TSC's measured rate
	CacheKB                 int     // the last-level cache CPUID leaf 0x80000006 names
	Flags                   string  // Linux's names (x86_cap_flags), in its word order
}

// cpuFlagWords are Linux's x86_cap_flags names for the CPUID words it
// shows, bit by bit ("" for bits it does not show), each with its leaf.
var cpuFlagWords = []struct {
	leaf, sub uint32
	reg       int // 0 EAX .. 3 EDX
	names     [32]string
}{
	{1, 0, 3, [32]string{"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "", "sep",
		"mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", "", "dts", "acpi", "mmx", "fxsr",
		"sse", "sse2", "ss", "ht", "tm", "ia64", "pbe"}},
	{0x80000001, 0, 3, [32]string{11: "syscall", 19: "mp", 20: "nx", 22: "mmxext", 25: "fxsr_opt",
		26: "pdpe1gb", 27: "rdtscp", 29: "lm", 30: "3dnowext", 31: "3dnow"}},
	{1, 0, 2, [32]string{"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est", "tm2",
		"ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", "", "pcid", "dca", "sse4_1", "sse4_2",
		"x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes", "xsave", "", "avx", "f16c", "rdrand",
		"hypervisor"}},
	{0x80000001, 0, 2, [32]string{"lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm", "sse4a",
		"misalignsse", "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", "", "lwp", "fma4", "tce",
		"", "nodeid_msr", "", "tbm", "topoext", "perfctr_core", "perfctr_nb", "", "bpext", "ptsc",
		"perfctr_llc", "mwaitx"}},
	{7, 0, 1, [32]string{"fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", "", "smep", "bmi2",
		"erms", "invpcid", "rtm", "cqm", "", "mpx", "rdt_a", "avx512f", "avx512dq", "rdseed", "adx",
		"smap", "avx512ifma", "", "clflushopt", "clwb", "intel_pt", "avx512pf", "avx512er", "avx512cd",
		"sha_ni", "avx512bw", "avx512vl"}},
}

// CPUInfo reads the boot CPU's identification.
func CPUInfo() CPU {
	maxLeaf, b, c, d := cpuid(0, 0)
	maxExt, _, _, _ := cpuid(0x80000000, 0)
	var c0 CPU
	c0.Vendor = regString(b, d, c)
	sig, _, _, _ := cpuid(1, 0)
	c0.Family = int(sig>>8) & 0xF
	c0.Model = int(sig>>4) & 0xF
	c0.Stepping = int(sig) & 0xF
	if c0.Family == 0xF {
		c0.Family += int(sig>>20) & 0xFF
	}
	if c0.Family >= 6 {
		c0.Model |= int(sig>>16) & 0xF << 4
	}
	if maxExt >= 0x80000004 {
		var brand []string
		for l := uint32(0x80000002); l <= 0x80000004; l++ {
			a, b, c, d := cpuid(l, 0)
			brand = append(brand, regString(a, b, c, d))
		}
		c0.ModelName = strings.TrimSpace(strings.TrimRight(strings.Join(brand, ""), "\x00"))
	}
	if maxExt >= 0x80000006 {
		_, _, c, _ := cpuid(0x80000006, 0)
		c0.CacheKB = int(c >> 16)
	}
	c0.MHz = float64(tscHz) / 1e6
	var flags []string
	for _, w := range cpuFlagWords {
		if (w.leaf < 0x80000000 && w.leaf > maxLeaf) || (w.leaf >= 0x80000000 && w.leaf > maxExt) {
			continue
		}
		var r [4]uint32
		r[0], r[1], r[2], r[3] = cpuid(w.leaf, w.sub)
		for i, name := range w.names {
			if name != "" && r[w.reg]&(1<<i) != 0 {
				flags = append(flags, name)
			}
		}
	}
	c0.Flags = strings.Join(flags, " ")
	return c0
}

// regString is the bytes of registers in the order given, as CPUID
// spells its strings.
func regString(regs ...uint32) string {
	b := make([]byte, 0, 4*len(regs))
	for _, r := range regs {
		b = append(b, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
	}
	return strings.TrimRight(string(b), "\x00")
}
