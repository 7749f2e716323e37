// Package disasm formats one x86-64 instruction in GNU (AT&T) syntax for
// the kernel's crash report. The crash path may run in a trap context with
// no usable goroutine, so nothing here allocates: output goes into a
// caller-supplied buffer, and x86asm.Decode (which boxes memory operands
// and large immediates into interfaces) is only given register-only copies
// of instructions whose memory operand and immediates are decoded here.
package disasm

import "golang.org/x/arch/x86/x86asm"

// Line formats the instruction at the start of code (located at address
// pc) in GNU (AT&T) syntax into dst, with no heap allocation, returning
// the bytes written and the instruction length (0 if it could not be
// decoded; then it writes the raw bytes in hex and "(bad)").
func Line(dst []byte, code []byte, pc uint64) (n int, instLen int) {
	w := out{buf: dst}
	var d decoded
	if !decode(code, &d) {
		if len(code) > maxInst {
			code = code[:maxInst]
		}
		w.rawBytes(code)
		w.str("(bad)")
		return w.n, 0
	}
	w.rawBytes(code[:d.length])
	switch d.kind {
	case kindString:
		w.stringOp(&d)
	case kindMoffs:
		w.moffs(&d, code)
	case kindBare:
		w.mnemonic(&d)
	case kindLoneMem:
		w.mnemonic(&d)
		w.byte(' ')
		if isFarBranch(d.inst.Op) {
			w.byte('*')
		}
		w.mem(&d, pc)
	default:
		w.inst(&d, code, pc)
	}
	if d.l.isMem() && d.l.mod() == 0 && d.l.rm() == 5 {
		w.str("  # ")
		w.hex(ripTarget(&d, pc))
	}
	return w.n, d.length
}

// inst writes a Decode-based instruction: mnemonic, then the operands in
// AT&T order (Intel order reversed).
func (w *out) inst(d *decoded, code []byte, pc uint64) {
	if d.l.opMap == mapOne && d.l.op == 0xcc {
		w.str("int3") // Decode calls it INT with an implicit 3
		return
	}
	w.mnemonic(d)
	nargs := 0
	for nargs < len(d.inst.Args) && d.inst.Args[nargs] != nil {
		nargs++
	}
	imm := immBytes{code: code[d.immStart:d.length]}
	imm.count(d.inst.Args[:nargs])
	for i := nargs - 1; i >= 0; i-- {
		if i == nargs-1 {
			w.byte(' ')
		} else {
			w.byte(',')
		}
		w.arg(d, i, &imm, pc)
	}
}

// arg writes argument i of a Decode-based instruction.
func (w *out) arg(d *decoded, i int, imm *immBytes, pc uint64) {
	op := d.inst.Op
	indirect := op == x86asm.CALL || op == x86asm.JMP || isFarBranch(op)
	switch a := d.inst.Args[i].(type) {
	case x86asm.Reg:
		if indirect {
			w.byte('*')
		}
		switch {
		case i == d.memArg:
			w.mem(d, pc)
		case a == x86asm.DX && (op == x86asm.IN || op == x86asm.OUT):
			w.str("(%dx)") // the port, not the data
		default:
			w.reg(a)
		}
	case x86asm.Imm:
		w.byte('$')
		w.hex(imm.next(d, uint64(a)))
	case x86asm.Rel:
		w.hex(pc + uint64(d.length) + uint64(signed(imm.code, len(imm.code))))
	default:
		w.str("?")
	}
}

func isFarBranch(op x86asm.Op) bool { return op == x86asm.LCALL || op == x86asm.LJMP }

// immBytes hands out the original immediate bytes, which the copy given to
// Decode had zeroed, one immediate argument at a time.
type immBytes struct {
	code  []byte
	nimm  int
	taken int
}

// count records how many immediate arguments share the bytes.
func (m *immBytes) count(args []x86asm.Arg) {
	for _, a := range args {
		if _, ok := a.(x86asm.Imm); ok {
			m.nimm++
		}
	}
}

// next returns the value of the next immediate. With no immediate bytes the
// value is implicit in the opcode (shift by 1) and Decode's is used. With
// two immediates (enter, extrq) the last one is a single byte.
func (m *immBytes) next(d *decoded, decoded uint64) uint64 {
	if len(m.code) == 0 {
		return decoded
	}
	b := m.code
	if m.nimm == 2 {
		if m.taken == 0 {
			b = b[:len(b)-1]
		} else {
			b = b[len(b)-1:]
		}
	}
	m.taken++
	return immValue(d, signed(b, len(b)), len(b))
}

// immValue widens an n-byte immediate the way GNU prints it: sign-extended
// to the operand size when the CPU sign-extends it, zero-extended otherwise.
func immValue(d *decoded, v int64, n int) uint64 {
	switch n {
	case 1:
		if d.l.opMap == mapOne && (d.l.op == 0x6b || d.l.op == 0x83) {
			return mask(uint64(v), d.inst.DataSize)
		}
		if d.l.opMap == mapOne && d.l.op == 0x6a {
			return pushImm(d, v)
		}
		return uint64(uint8(v))
	case 2:
		return uint64(uint16(v))
	case 4:
		if d.l.opMap == mapOne && d.l.op == 0x68 {
			return pushImm(d, v)
		}
		return mask(uint64(v), d.inst.DataSize)
	}
	return uint64(v)
}

// mask truncates v to an operand size in bits (64 if unknown).
func mask(v uint64, bits int) uint64 {
	if bits <= 0 || bits >= 64 {
		return v
	}
	return v & (1<<uint(bits) - 1)
}

// pushImm widens a push immediate to the stack slot size (Decode reports
// a 32-bit data size for push in 64-bit mode).
func pushImm(d *decoded, v int64) uint64 {
	if d.l.opsize {
		return uint64(uint16(v))
	}
	return uint64(v)
}
