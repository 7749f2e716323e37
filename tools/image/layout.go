package image

// Addresses shared with the kernel (hw/x86_64). Changing one here means
// changing it there; the kernel's tests check the same numbers.
const (
	// KernelBase is where physical address 0 appears in the kernel's upper
	// half: virtual = physical + KernelBase. The boot page tables map the
	// first DirectMapBytes of physical memory there, so the kernel image
	// (linked at KernelBase+TextPhys) is reached through this direct map.
	KernelBase = 0xffff800000000000
	// TextPhys is the physical address of the kernel's text section.
	TextPhys = 0x200000
	// DirectMapBytes is how much physical memory the boot tables map.
	DirectMapBytes = 4 << 30
	// uncachedFrom marks the start of the PCI/MMIO hole below 4 GiB; the
	// boot tables map it cache-disabled (LAPIC, IOAPIC, HPET live there).
	uncachedFrom = 3 << 30

	// Symbols the rewrite looks up in the kernel ELF.
	SymEntry64    = "github.com/starry-go/starry/hw/x86_64.entry64"
	SymPageTables = "github.com/starry-go/starry/hw/x86_64.bootPageTables"

	// Boot protocol numbers the stub leaves in EDI for entry64.
	ProtoPVH       = 1
	ProtoMultiboot = 2
)

// GoBuildFlags are the extra `go build` arguments that link the kernel at
// KernelBase+TextPhys. The linker rejects 0xffff8... as -T but accepts the
// same 64-bit value written as a negative number.
func GoBuildFlags() []string {
	return []string{"-ldflags", "-T -140737486258176"}
}
