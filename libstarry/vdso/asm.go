package vdso

import (
	"encoding/binary"
	"fmt"
)

// asm is just enough of an x86-64 assembler for the vDSO: instructions
// are given as their bytes (each with its mnemonic in a comment), and it
// adds what needs addresses: rel8 jumps to labels, and RIP-relative
// loads from the data page, whose displacement depends on where the
// instruction lies.
type asm struct {
	code   []byte
	base   int64 // the vaddr of code[0] in the image
	labels map[string]int
	jumps  []jump
}

// jump is a rel8 displacement at code[at] waiting for its label.
type jump struct {
	at    int
	label string
}

func newAsm(base int64) *asm { return &asm{base: base, labels: map[string]int{}} }

// op emits one instruction's bytes as they are.
func (a *asm) op(b ...byte) { a.code = append(a.code, b...) }

// imm32 emits an instruction whose last four bytes are an immediate.
func (a *asm) imm32(v uint32, b ...byte) {
	a.op(b...)
	a.code = binary.LittleEndian.AppendUint32(a.code, v)
}

// data emits an instruction with a [rip+disp32] operand (ModRM with
// mod=00, r/m=101) naming the data page's field at off; the displacement
// is the last field of the instruction, so it counts from the end of it.
func (a *asm) data(off int, b ...byte) {
	a.op(b...)
	end := a.base + int64(len(a.code)) + 4
	a.code = binary.LittleEndian.AppendUint32(a.code, uint32(int32(dataVaddr+int64(off)-end)))
}

// label marks the next instruction.
func (a *asm) label(name string) { a.labels[name] = len(a.code) }

// jcc emits a short jump (opcode 0xEB, or 0x70+cc) to a label.
func (a *asm) jcc(opcode byte, label string) {
	a.op(opcode, 0)
	a.jumps = append(a.jumps, jump{at: len(a.code) - 1, label: label})
}

// finish patches the jumps and returns the code; a label never defined
// or out of rel8's reach is a bug in the vDSO's code, so it panics.
func (a *asm) finish() []byte {
	for _, j := range a.jumps {
		to, ok := a.labels[j.label]
		if !ok {
			panic("vdso: no label " + j.label)
		}
		d := to - (j.at + 1)
		if d < -128 || d > 127 {
			panic(fmt.Sprintf("vdso: jump to %s out of rel8 range (%d)", j.label, d))
		}
		a.code[j.at] = byte(int8(d))
	}
	return a.code
}
