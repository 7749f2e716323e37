package x86_64

import (
	"github.com/starry-go/starry/hw/x86_64/disasm"
)

// Crash reports, for exceptions that cannot become signals (faults in
// the shim itself, double faults, machine checks, faults before the
// runtime has handlers). They print everything without allocating, then
// power off with crashStatus.
const crashStatus = 3

var vectorNames = [...]string{"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available", "#DF double fault",
	"coprocessor overrun", "#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection"}

// fatalNested is entered from trapEntry when a trap hits the shim itself.
func fatalNested() { crash(&fatalRegs, "trap inside the kernel's trap/syscall shim") }

func crash(r *Regs, why string) {
	kprint("\nstarry: KERNEL CRASH: ")
	kprint(why)
	kprint("\nvector ")
	kprintDec(int64(r.Vector))
	if r.Vector < uint64(len(vectorNames)) {
		kprint(" (")
		kprint(vectorNames[r.Vector])
		kprint(")")
	}
	kprint(" error ")
	kprintHex(r.ErrCode)
	kprint(" cr2 ")
	kprintHex(r.CR2)
	kprint("\n")
	printRegs(r)
	printInstruction(r.RIP)
	printStack(r.RBP)
	powerOff(crashStatus)
}

func printRegs(r *Regs) {
	names := [...]string{"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10",
		"r11", "r12", "r13", "r14", "r15", "rip", "cs", "rflags", "rsp", "ss", "fsbase"}
	vals := [...]uint64{r.RAX, r.RBX, r.RCX, r.RDX, r.RSI, r.RDI, r.RBP, r.R8, r.R9, r.R10,
		r.R11, r.R12, r.R13, r.R14, r.R15, r.RIP, r.CS, r.RFLAGS, r.RSP, r.SS, r.FSBase}
	for i := range names {
		kprint(names[i])
		kprint("=")
		kprintHex(vals[i])
		if i%4 == 3 || i == len(names)-1 {
			kprint("\n")
		} else {
			kprint(" ")
		}
	}
}

// printInstruction disassembles the faulting instruction when its bytes
// are readable.
func printInstruction(rip uint64) {
	if rip < kernelBase || rip+16 > kernelBase+directMapEnd {
		kprint("instruction: not readable\n")
		return
	}
	code := (*[16]byte)(ptrAt(uintptr(rip)))
	var line [160]byte
	n, _ := disasm.Line(line[:], code[:], rip)
	kprint("instruction: ")
	consoleWrite(line[:n])
	kprint("\n")
}

// printStack follows the frame-pointer chain (Go keeps frame pointers on
// amd64) and prints return addresses; `starry` symbolizes them.
func printStack(rbp uint64) {
	kprint("stack:\n")
	for i := 0; i < 32 && rbp != 0 && rbp&7 == 0; i++ {
		if !accessibleNoFault(uintptr(rbp), 16) {
			break
		}
		ret := *u64at(uintptr(rbp + 8))
		kprint("  ")
		kprintHex(ret)
		kprint("\n")
		rbp = *u64at(uintptr(rbp))
	}
}

// accessibleNoFault checks a range is mapped without faulting pages in.
func accessibleNoFault(addr, n uintptr) bool {
	if addr >= kernelBase && addr+n <= kernelBase+directMapEnd {
		return true
	}
	if addr < heapBase || addr+n > heapTop {
		return false
	}
	for p := addr &^ (pageSize - 1); p < addr+n; p += pageSize {
		if e := pte(p, false); e == nil || *e&pteP == 0 {
			return false
		}
	}
	return true
}
