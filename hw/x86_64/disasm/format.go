package disasm

import (
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// attNames maps x86asm names to the GNU ones where they differ.
var attNames = [...]struct {
	op   x86asm.Op
	name string
}{
	{x86asm.CBW, "cbtw"}, {x86asm.CWDE, "cwtl"}, {x86asm.CDQE, "cltq"},
	{x86asm.CWD, "cwtd"}, {x86asm.CDQ, "cltd"}, {x86asm.CQO, "cqto"},
	{x86asm.MOVSD_XMM, "movsd"}, {x86asm.CMPSD_XMM, "cmpsd"},
}

// mnemonic writes the lock prefix and the mnemonic, with a size suffix when
// no register operand shows the operand size (movl $0x1,(%rax)).
func (w *out) mnemonic(d *decoded) {
	op := d.inst.Op
	if d.l.lock {
		w.str("lock ")
	}
	switch op {
	case x86asm.MOVZX, x86asm.MOVSX, x86asm.MOVSXD:
		w.movx(d)
		return
	}
	for _, a := range attNames {
		if a.op == op {
			w.str(a.name)
			return
		}
	}
	name := op.String()
	w.lower(name)
	if op == x86asm.CRC32 && d.memArg == 1 {
		w.byte(sizeLetter(d.memReg)) // the source size is not otherwise shown
		return
	}
	if d.memArg < 0 || op == x86asm.CALL || op == x86asm.JMP || strings.HasPrefix(name, "SET") {
		return
	}
	for i, a := range d.inst.Args {
		if _, ok := a.(x86asm.Reg); ok && i != d.memArg {
			return
		}
	}
	if c := sizeLetter(d.memReg); c != 0 {
		w.byte(c)
	}
}

// movx writes movz/movs with the GNU source and destination size letters
// (movzbl, movswq, movslq).
func (w *out) movx(d *decoded) {
	if d.inst.Op == x86asm.MOVZX {
		w.str("movz")
	} else {
		w.str("movs")
	}
	dst, _ := d.inst.Args[0].(x86asm.Reg)
	src, _ := d.inst.Args[1].(x86asm.Reg)
	if d.memArg == 1 {
		src = d.memReg
	}
	if c := sizeLetter(src); c != 0 {
		w.byte(c)
	}
	if c := sizeLetter(dst); c != 0 {
		w.byte(c)
	}
}

// mem writes the ModRM memory operand: seg:disp(base,index,scale).
func (w *out) mem(d *decoded, pc uint64) {
	l := &d.l
	w.segment(l.seg)
	cls := clsGP64
	if l.addr32 {
		cls = clsGP32
	}
	base, index, scale := -1, -1, 0
	switch {
	case l.hasSIB:
		if i := int(l.sib>>3&7) | int(l.rex&rexX)<<2; i != 4 {
			index, scale = i, 1<<(l.sib>>6)
		}
		if l.sib&7 != 5 || l.mod() != 0 {
			base = int(l.sib&7) | int(l.rex&rexB)<<3
		}
	case l.mod() == 0 && l.rm() == 5:
		w.signedHex(l.disp)
		if l.addr32 {
			w.str("(%eip)")
		} else {
			w.str("(%rip)")
		}
		return
	default:
		base = int(l.rm()) | int(l.rex&rexB)<<3
	}
	switch {
	case base < 0 && index < 0:
		w.hex(mask(uint64(l.disp), 64-32*b2i(l.addr32)))
		return
	case base < 0 || l.dispLen > 0:
		w.signedHex(l.disp)
	}
	w.byte('(')
	if base >= 0 {
		w.byte('%')
		w.gpName(cls, base)
	}
	if index >= 0 {
		w.str(",%")
		w.gpName(cls, index)
		w.byte(',')
		w.dec(uint64(scale))
	}
	w.byte(')')
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// segment writes an explicit segment override such as "%fs:".
func (w *out) segment(prefix byte) {
	for i, p := range [...]byte{0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65} {
		if p == prefix {
			w.byte('%')
			w.str(segNames[i])
			w.byte(':')
		}
	}
}

// ripTarget is the address a RIP-relative operand refers to.
func ripTarget(d *decoded, pc uint64) uint64 {
	t := pc + uint64(d.length) + uint64(d.l.disp)
	if d.l.addr32 {
		t = uint64(uint32(t))
	}
	return t
}

// stringOp writes a string instruction with its implicit operands, e.g.
// "rep movsq %ds:(%rsi),%es:(%rdi)" or "stos %rax,%es:(%rdi)".
func (w *out) stringOp(d *decoded) {
	l := &d.l
	s := &strOps[l.op]
	switch {
	case l.rep == 0xf3 && s.repz:
		w.str("repz ")
	case l.rep == 0xf3:
		w.str("rep ")
	case l.rep == 0xf2:
		w.str("repnz ")
	}
	size := 1
	if l.op&1 == 1 && l.op != 0xd7 {
		switch {
		case l.rex&rexW != 0 && l.op > 0x6f:
			size = 8
		case l.opsize:
			size = 2
		default:
			size = 4
		}
	}
	w.str(s.name)
	if s.suffix {
		w.byte(sizeSuffix(size))
	}
	w.byte(' ')
	w.strOperand(l, s.src, size)
	if s.dst != 0 {
		w.byte(',')
		w.strOperand(l, s.dst, size)
	}
}

// strOperand writes one implicit string-instruction operand.
func (w *out) strOperand(l *layout, kind byte, size int) {
	cls := clsGP64
	if l.addr32 {
		cls = clsGP32
	}
	switch kind {
	case 'X':
		w.str("(%dx)")
		return
	case 'A':
		w.accumulator(size)
		return
	case 'D':
		w.str("%es:(%")
		w.gpName(cls, 7)
	default:
		if l.seg != 0 {
			w.segment(l.seg)
		} else {
			w.str("%ds:")
		}
		w.str("(%")
		if kind == 'B' {
			w.gpName(cls, 3)
		} else {
			w.gpName(cls, 6)
		}
	}
	w.byte(')')
}

// sizeSuffix is the AT&T suffix for an operand size in bytes.
func sizeSuffix(size int) byte {
	switch size {
	case 1:
		return 'b'
	case 2:
		return 'w'
	case 4:
		return 'l'
	}
	return 'q'
}

// accumulator writes %al, %ax, %eax or %rax for an operand size in bytes.
func (w *out) accumulator(size int) {
	w.byte('%')
	switch size {
	case 1:
		w.str("al")
	case 2:
		w.str("ax")
	case 4:
		w.str("eax")
	default:
		w.str("rax")
	}
}

// moffs writes A0-A3: movabs between the accumulator and an absolute
// address (mov when the address is 32 bits).
func (w *out) moffs(d *decoded, code []byte) {
	l := &d.l
	size := 1
	if l.op&1 == 1 {
		switch {
		case l.rex&rexW != 0:
			size = 8
		case l.opsize:
			size = 2
		default:
			size = 4
		}
	}
	if l.addr32 {
		w.str("mov ")
	} else {
		w.str("movabs ")
	}
	addr := code[d.immStart:d.length]
	if l.op >= 0xa2 {
		w.accumulator(size)
		w.byte(',')
	}
	w.segment(l.seg)
	w.hex(mask(uint64(signed(addr, len(addr))), 8*len(addr)))
	if l.op < 0xa2 {
		w.byte(',')
		w.accumulator(size)
	}
}
