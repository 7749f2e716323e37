package procfs

import (
	"bytes"
	"fmt"
	"strings"
)

// hwcapFlags are x86_cap_flags' names for CPUID leaf 1 EDX (word 0).
var hwcapFlags = [32]string{"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "", "sep",
	"mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", "", "dts", "acpi", "mmx", "fxsr", "sse",
	"sse2", "ss", "ht", "tm", "ia64", "pbe"}

// defaultFlags are what every x86-64 CPU has, for a Source that knows
// nothing of its CPU.
const defaultFlags = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 syscall nx lm pni"

// showCPUInfo is arch/x86/kernel/cpu/proc.c's show_cpuinfo, one block
// per CPU, each ended by a blank line. Zero fields of the Source's
// CPUInfo get plain defaults; the flags come from AT_HWCAP when the
// Source names none.
func showCPUInfo(c *ctx) ([]byte, error) {
	sys := c.src.System()
	ci := sys.CPU
	if ci.Vendor == "" {
		ci.Vendor = "GenuineIntel"
	}
	if ci.ModelName == "" {
		ci.ModelName = "Starry-Go virtual CPU"
	}
	if ci.Family == 0 {
		ci.Family = 6
	}
	if ci.MHz == 0 {
		ci.MHz = 2000
	}
	if ci.CacheKB == 0 {
		ci.CacheKB = 16384
	}
	if ci.Flags == "" {
		ci.Flags = flagsOf(sys.HWCap)
	}
	n := max(sys.CPUs, 1)
	khz := uint64(ci.MHz * 1000)
	bogo := khz * 2 / 10 // bogomips in hundredths: twice the MHz, as lpj from the TSC gives
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %d\nmodel\t\t: %d\nmodel name\t: %s\nstepping\t: %d\n",
			i, ci.Vendor, ci.Family, ci.Model, ci.ModelName, ci.Stepping)
		fmt.Fprintf(&b, "cpu MHz\t\t: %d.%03d\ncache size\t: %d KB\n", khz/1000, khz%1000, ci.CacheKB)
		fmt.Fprintf(&b, "physical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\napicid\t\t: %d\ninitial apicid\t: %d\n",
			n, i, n, i, i)
		b.WriteString("fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: 13\nwp\t\t: yes\n")
		fmt.Fprintf(&b, "flags\t\t: %s\nbugs\t\t:\nbogomips\t: %d.%02d\n", ci.Flags, bogo/100, bogo%100)
		b.WriteString("clflush size\t: 64\ncache_alignment\t: 64\naddress sizes\t: 40 bits physical, 48 bits virtual\npower management:\n\n")
	}
	return b.Bytes(), nil
}

// flagsOf names hwcap's bits, with the long-mode flags every x86-64 CPU
// has; the defaults without any.
func flagsOf(hwcap uint64) string {
	if uint32(hwcap) == 0 {
		return defaultFlags
	}
	var f []string
	for i, name := range hwcapFlags {
		if name != "" && hwcap&(1<<i) != 0 {
			f = append(f, name)
		}
	}
	return strings.Join(append(f, "syscall", "nx", "lm"), " ")
}
