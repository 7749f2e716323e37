package x86_64

import "unsafe"

// Boot protocols the 32-bit stub reports (tools/image).
const (
	protoPVH       = 1
	protoMultiboot = 2
	pvhMagic       = 0x336ec578
	mbFlagCmdline  = 1 << 2
	mbFlagMmap     = 1 << 6
	mbFlagMem      = 1 << 0
	mbFlagMods     = 1 << 3
)

var (
	cmdline    [1024]byte
	cmdlineLen int
	ramRanges  [64][2]uint64 // [start, end) of usable RAM from the memory map
	nRAM       int
	hasRDRAND  bool
	crashTest  bool
	// initrd is the first boot module (the initramfs), kept out of the
	// frame allocator.
	initrdStart, initrdEnd uint64
	mainStack              [512 << 10]byte // the runtime's m0 stack ("the OS stack")
	idleStack              [4096]byte
)

// minWorkBytes is the least memory the kernel boots with beyond its
// image, the initramfs (whose files are copied into frames before its
// own memory is freed) and its reserve (kernelReserve, at least 8 MiB):
// the kernel's working heap (about 4 MiB running busybox) and a few MiB
// for programs.
const minWorkBytes = 8 << 20

// checkMemory stops a boot that cannot work with a message saying how
// much memory to give, rather than letting the Go runtime fault on its
// first heap page or the initramfs not fit: the kernel image (its bss
// holds every thread's stacks and state) takes about 8 MiB.
func checkMemory(imageEnd uint64) {
	free := framesFree * pageSize
	initrd := initrdEnd - initrdStart
	want := minWorkBytes + kernelReserve()*pageSize + initrd
	if free >= want {
		return
	}
	var ram uint64
	for i := 0; i < nRAM; i++ {
		ram += ramRanges[i][1] - ramRanges[i][0]
	}
	// The image, the initramfs and its copy, the working minimum and
	// the reserve, an eighth of all memory once that passes 8 MiB; then
	// a MiB for the holes below 1 MiB and the firmware's (QEMU's -m 28
	// is 27.6 MiB of RAM).
	base := imageEnd + 2*initrd + minWorkBytes
	need := base + 2048*pageSize
	if need/8 > 2048*pageSize {
		need = base * 8 / 7
	}
	kprint("starry: not enough memory: ")
	kprintDec(int64(ram >> 20))
	kprint(" MiB, the kernel image ends at ")
	kprintDec(int64(imageEnd >> 20))
	kprint(" MiB and ")
	kprintDec(int64(free >> 20))
	kprint(" MiB are left for the kernel's heap and reserve, the initramfs's files and programs, which need ")
	kprintDec(int64((want + 1<<20 - 1) >> 20))
	kprint(" MiB: boot with at least ")
	kprintDec(int64((need+1<<20-1)>>20 + 1))
	kprint(" MiB (starry run --mem, or QEMU's -m)\n")
	powerOff(1)
}

// bootInit runs once, from entryHigh, before the Go runtime: on the shim
// stack with the fake g, so under the shim's rules. It prepares the CPU,
// memory and clocks and makes the runtime's entry point the first thread.
func bootInit(proto, info uintptr) {
	cpu0.self = addrOf(unsafe.Pointer(&cpu0))
	serialInit()
	kprint("starry: boot\n")
	setupCPU()
	if !readBootInfo(proto, phys2virt(uint64(info))) {
		kprint("starry: no memory map from the loader; assuming 64 MiB\n")
		addRAM(0, 64<<20)
	}
	imageEnd := uint64(kernelEnd) - kernelBase
	for i := 0; i < nRAM; i++ {
		start, end := max(ramRanges[i][0], imageEnd, 1<<20), ramRanges[i][1]
		if initrdEnd > start && initrdStart < end { // carve the initrd out
			addFreeRange(start, initrdStart)
			start = initrdEnd
		}
		addFreeRange(start, end)
	}
	checkMemory(imageEnd)
	dropIdentityMap()
	if !calibrateTSC() {
		kprint("starry: no PIT to calibrate the TSC; assuming 1 GHz\n")
		tscHz = 1_000_000_000
	}
	setClock(tscHz)
	wallBoot = readRTC() * 1e9
	_, _, ecx, _ := cpuid(1, 0)
	hasRDRAND = ecx&(1<<30) != 0
	startTimer()
	startConsoleIRQ()
	crashTest = hasWord("crashtest")
	if !hasWord("noxsave") { // "noxsave": FXSAVE only, no AVX (for comparisons)
		enableXSAVE()
	}
	setupThreads()
}

func addRAM(start, end uint64) {
	if nRAM < len(ramRanges) && start < end {
		ramRanges[nRAM] = [2]uint64{start, end}
		nRAM++
	}
}

func u32(a uintptr) uint32 { return *(*uint32)(ptrAt(a)) }

// readBootInfo copies the command line and the RAM ranges out of the
// loader's structures (PVH start_info, or Multiboot v1 info) before any
// frame is handed out and might overwrite them.
func readBootInfo(proto, info uintptr) bool {
	switch {
	case proto == protoPVH && u32(info) == pvhMagic:
		rsdpPhys = *u64at(info + 32)
		if p := *u64at(info + 24); p != 0 {
			copyCString(phys2virt(p), false)
		}
		if n := u32(info + 12); n > 0 {
			m := phys2virt(*u64at(info + 16))
			setInitrd(*u64at(m), *u64at(m)+*u64at(m + 8))
		}
		if u32(info+4) < 1 {
			return false
		}
		mm, n := phys2virt(*u64at(info + 40)), uintptr(u32(info+48))
		for i := uintptr(0); i < n; i++ {
			e := mm + i*24
			if u32(e+16) == 1 { // E820 RAM
				addRAM(*u64at(e), *u64at(e)+*u64at(e + 8))
			}
		}
	case proto == protoMultiboot:
		flags := u32(info)
		if flags&mbFlagCmdline != 0 {
			copyCString(phys2virt(uint64(u32(info+16))), true)
		}
		if flags&mbFlagMods != 0 && u32(info+20) > 0 {
			m := phys2virt(uint64(u32(info + 24)))
			setInitrd(uint64(u32(m)), uint64(u32(m+4)))
		}
		if flags&mbFlagMmap != 0 {
			e, end := phys2virt(uint64(u32(info+48))), phys2virt(uint64(u32(info+48)+u32(info+44)))
			for ; e < end; e += uintptr(u32(e)) + 4 {
				if u32(e+20) == 1 {
					addRAM(*u64at(e + 4), *u64at(e + 4)+*u64at(e + 12))
				}
			}
		} else if flags&mbFlagMem != 0 {
			addRAM(1<<20, 1<<20+uint64(u32(info+8))<<10)
		}
	default:
		kprint("starry: unknown boot protocol\n")
		return false
	}
	return nRAM > 0
}

// copyCString copies the loader's command line. Some Multiboot loaders
// (GRUB legacy, QEMU) put the kernel's path first and GRUB 2 does not;
// with skipPath a first word that looks like a path ("/..." or "(hd0)/...")
// is dropped.
func copyCString(p uintptr, skipPath bool) {
	i := uintptr(0)
	if first := *(*byte)(ptrAt(p)); skipPath && (first == '/' || first == '(') {
		for ; i < 4096 && *(*byte)(ptrAt(p + i)) > ' '; i++ {
		}
	}
	for ; cmdlineLen < len(cmdline)-1; i++ {
		c := *(*byte)(ptrAt(p + i))
		if c == 0 {
			break
		}
		if cmdlineLen == 0 && c == ' ' {
			continue
		}
		cmdline[cmdlineLen] = c
		cmdlineLen++
	}
}

// hasWord reports whether the command line holds w as a word.
func hasWord(w string) bool {
	found := false
	forEachWord(func(s []byte) {
		if string(s) == w {
			found = true
		}
	})
	return found
}

func forEachWord(fn func([]byte)) {
	start := -1
	for i := 0; i <= cmdlineLen; i++ {
		space := i == cmdlineLen || cmdline[i] == ' '
		if !space && start < 0 {
			start = i
		}
		if space && start >= 0 {
			fn(cmdline[start:i])
			start = -1
		}
	}
}

// init keeps the boot entry linked: only the loader jumps to it, so
// without a reference the linker would drop it (and everything it
// reaches: entryHigh, bootInit, the trap paths).
func init() {
	if bootEntry == 0 || entryHighAddr == 0 {
		panic("x86_64: boot entry not linked")
	}
}

// setInitrd records the boot module if it lies in the direct map.
func setInitrd(start, end uint64) {
	if start < end && end <= directMapEnd {
		initrdStart, initrdEnd = start, end
	}
}
