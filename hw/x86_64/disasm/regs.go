package disasm

import "golang.org/x/arch/x86/x86asm"

// Register classes, used for naming and for operand sizes.
const (
	clsOther = iota
	clsGP8
	clsGP16
	clsGP32
	clsGP64
	clsIP
	clsST
	clsMM
	clsXMM
	clsYMM
	clsZMM
	clsK
	clsSeg
	clsCR
	clsDR
)

// classes gives each register block's first member, in x86asm order.
var classes = [...]struct {
	first x86asm.Reg
	cls   int
}{
	{x86asm.AL, clsGP8}, {x86asm.AX, clsGP16}, {x86asm.EAX, clsGP32},
	{x86asm.RAX, clsGP64}, {x86asm.IP, clsIP}, {x86asm.F0, clsST},
	{x86asm.M0, clsMM}, {x86asm.X0, clsXMM}, {x86asm.Y0, clsYMM},
	{x86asm.Z0, clsZMM}, {x86asm.K0, clsK}, {x86asm.ES, clsSeg},
	{x86asm.GDTR, clsOther}, {x86asm.CR0, clsCR}, {x86asm.DR0, clsDR},
	{x86asm.TR0, clsOther},
}

// regClass returns r's class and its position within the class block.
func regClass(r x86asm.Reg) (cls, pos int) {
	for i := len(classes) - 1; i >= 0; i-- {
		if r >= classes[i].first {
			return classes[i].cls, int(r - classes[i].first)
		}
	}
	return clsOther, 0
}

// regNum returns the number r has in instruction encodings.
func regNum(r x86asm.Reg) int {
	cls, pos := regClass(r)
	if cls == clsGP8 && pos >= 8 {
		return pos - 4 // SPB..DIB are 4..7 again, then R8B..R15B
	}
	return pos
}

// holdsRM reports whether r is of a class a ModRM r/m operand can name.
func holdsRM(r x86asm.Reg) bool {
	switch cls, _ := regClass(r); cls {
	case clsGP8, clsGP16, clsGP32, clsGP64, clsMM, clsXMM, clsYMM:
		return true
	}
	return false
}

// sizeLetter is the AT&T suffix for a general register's size.
func sizeLetter(r x86asm.Reg) byte {
	switch cls, _ := regClass(r); cls {
	case clsGP8:
		return 'b'
	case clsGP16:
		return 'w'
	case clsGP32:
		return 'l'
	case clsGP64:
		return 'q'
	}
	return 0
}

var (
	gp8Names  = [...]string{"al", "cl", "dl", "bl", "ah", "ch", "dh", "bh", "spl", "bpl", "sil", "dil"}
	gp16Names = [...]string{"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"}
	gp32Names = [...]string{"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"}
	gp64Names = [...]string{"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"}
	ipNames   = [...]string{"ip", "eip", "rip"}
	segNames  = [...]string{"es", "cs", "ss", "ds", "fs", "gs"}
)

// gpName writes general register n (0-15) of the given class.
func (w *out) gpName(cls, n int) {
	if n >= 8 {
		w.byte('r')
		w.dec(uint64(n))
		switch cls {
		case clsGP8:
			w.byte('b')
		case clsGP16:
			w.byte('w')
		case clsGP32:
			w.byte('d')
		}
		return
	}
	switch cls {
	case clsGP8:
		w.str(gp8Names[n])
	case clsGP16:
		w.str(gp16Names[n])
	case clsGP32:
		w.str(gp32Names[n])
	default:
		w.str(gp64Names[n])
	}
}

// reg writes r in AT&T syntax, e.g. %rax, %r8d, %xmm3, %st(1).
func (w *out) reg(r x86asm.Reg) {
	w.byte('%')
	cls, pos := regClass(r)
	switch cls {
	case clsGP8:
		if pos < 12 {
			w.str(gp8Names[pos])
		} else {
			w.gpName(cls, pos-4)
		}
	case clsGP16, clsGP32, clsGP64:
		w.gpName(cls, pos)
	case clsIP:
		w.str(ipNames[pos%3])
	case clsST:
		w.str("st(")
		w.dec(uint64(pos))
		w.byte(')')
	case clsSeg:
		w.str(segNames[pos%6])
	default:
		w.prefixed(cls, pos, r)
	}
}

// prefixed writes the numbered register names (xmm3, cr4, ...).
func (w *out) prefixed(cls, pos int, r x86asm.Reg) {
	name := ""
	switch cls {
	case clsMM:
		name = "mm"
	case clsXMM:
		name = "xmm"
	case clsYMM:
		name = "ymm"
	case clsZMM:
		name = "zmm"
	case clsK:
		name = "k"
	case clsCR:
		name = "cr"
	case clsDR:
		name = "db"
	default:
		w.lower(r.String())
		return
	}
	w.str(name)
	w.dec(uint64(pos))
}
