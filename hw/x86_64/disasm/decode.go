package disasm

import "golang.org/x/arch/x86/x86asm"

// How an instruction is formatted.
const (
	kindInst    = iota // from x86asm.Decode, memory operand patched in
	kindLoneMem        // one memory operand, no Decode (sgdt, clflush, ...)
	kindString         // string instruction: implicit (%rsi)/(%rdi) operands
	kindMoffs          // mov between the accumulator and an absolute address
	kindBare           // no operands, no Decode (vzeroupper)
)

// decoded is an instruction ready to format.
type decoded struct {
	l        layout
	kind     int
	inst     x86asm.Inst
	length   int
	memArg   int        // index in inst.Args of the memory operand, -1 if none
	memReg   x86asm.Reg // register Decode saw there; its class is the operand size
	immStart int        // index in code of the first immediate byte
}

// decode decodes the instruction at the start of code into d without
// allocating: x86asm.Decode only ever sees register-only forms with zeroed
// immediates, which it returns without boxing anything on the heap.
func decode(code []byte, d *decoded) bool {
	*d = decoded{memArg: -1}
	l := &d.l
	if !l.parse(code) {
		return false
	}
	if l.opMap == mapOne && l.vexPos < 0 {
		switch {
		case l.op >= 0xa0 && l.op <= 0xa3:
			return d.moffs(code)
		case strOps[l.op].name != "":
			d.kind, d.length = kindString, l.memEnd
			return true
		case l.op >= 0xd8 && l.op <= 0xdf && l.isMem():
			return false // x87 memory forms: register forms differ
		}
	}
	if l.vexPos >= 0 && l.opMap == map0F && l.op == 0x77 {
		return d.vzero(code)
	}
	if l.vexPos >= 0 && !vexOK(l) || l.opMap == map0F && (l.op == 0x24 || l.op == 0x26) {
		return false // unknown to x86asm; test registers do not exist in 64-bit mode
	}
	if l.isMem() {
		if f := findMemForm(l); f != nil {
			if f.sub == 0 {
				d.kind, d.length = kindLoneMem, l.memEnd
				d.inst.Op = f.name
				if f.wName != 0 && l.rex&rexW != 0 {
					d.inst.Op = f.wName
				}
				return true
			}
			return d.rewrite(code, f.sub, f.name)
		}
	}
	return d.rewrite(code, l.op, 0)
}

// rewrite decodes a copy of the instruction whose memory operand is
// replaced by a register (ModRM mod=3, no SIB or displacement) and whose
// immediate bytes are zero, then records which argument stands for the
// memory operand. sub replaces the opcode byte and name the mnemonic, for
// memory-only forms whose register encoding means something else.
func (d *decoded) rewrite(code []byte, sub byte, name x86asm.Op) bool {
	l := &d.l
	var buf [maxInst]byte
	n := copy(buf[:], code[:l.opPos])
	buf[n] = sub
	n++
	rm := byte(0xff)
	if l.hasModRM {
		modrm := l.modrm
		if l.isMem() {
			rm = pickRM(l)
			modrm = 0xc0 | l.reg()<<3 | rm
			if l.rexPos >= 0 {
				buf[l.rexPos] &^= rexB
			} else if l.vexPos >= 0 && code[l.vexPos] == 0xc4 {
				buf[l.vexPos+1] |= 0x20 // VEX stores B inverted
			}
		}
		buf[n] = modrm
		n++
	}
	inst, err := x86asm.Decode(buf[:], 64)
	if err != nil || inst.Op == 0 || inst.Len < n {
		return false
	}
	d.length = l.memEnd + inst.Len - n
	if d.length > len(code) || d.length > maxInst {
		return false
	}
	if name != 0 {
		inst.Op = name
	}
	d.kind, d.inst, d.immStart = kindInst, inst, l.memEnd
	if rm == 0xff {
		return true
	}
	for i, a := range inst.Args {
		if r, ok := a.(x86asm.Reg); ok && holdsRM(r) && regNum(r) == int(rm) {
			d.memArg, d.memReg = i, r
			return true
		}
	}
	return false
}

// pickRM chooses the register number the copy uses in place of the memory
// operand: one that no other operand can name (not the ModRM reg field,
// not VEX.vvvv, and not 0-2, which are the implicit AL/CL/DX/XMM0).
func pickRM(l *layout) byte {
	for _, r := range [...]byte{3, 5, 6, 7} {
		if r != l.reg() && (l.vexPos < 0 || r != l.vvvv&7) {
			return r
		}
	}
	return 7 // unreachable: at most two of the four are excluded
}

// moffs decodes A0-A3, mov between the accumulator and an absolute
// address whose size is the address size.
func (d *decoded) moffs(code []byte) bool {
	n := 8
	if d.l.addr32 {
		n = 4
	}
	d.kind, d.immStart, d.length = kindMoffs, d.l.memEnd, d.l.memEnd+n
	return d.length <= len(code) && d.length <= maxInst
}

// vzero decodes VZEROUPPER and VZEROALL itself: x86asm wrongly expects a
// ModRM byte after them, giving a bad length or a truncation error.
func (d *decoded) vzero(code []byte) bool {
	l := &d.l
	vexL := code[l.opPos-1] & 4 // the last VEX byte holds L in both forms
	d.kind, d.length, d.inst.Op = kindBare, l.memEnd, x86asm.VZEROUPPER
	if vexL != 0 {
		d.inst.Op = x86asm.VZEROALL
	}
	return true
}

// memForm describes a memory-only encoding: either a lone memory operand
// (sub == 0) or one whose operands match those of opcode sub in the same
// map, which Decode is asked to decode instead.
type memForm struct {
	opMap int
	op    byte
	reg   int8 // ModRM reg field, -1 for any
	pfx   byte // 0x66: needs 66 and no F2/F3; 1: needs none of them; 0: any
	name  x86asm.Op
	wName x86asm.Op // name under REX.W, if different
	sub   byte
}

// memForms lists the memory-only encodings common in kernel and runtime code.
var memForms = [...]memForm{
	{mapOne, 0x8d, -1, 0, x86asm.LEA, 0, 0x8b},
	{mapOne, 0xff, 3, 0, x86asm.LCALL, 0, 0},
	{mapOne, 0xff, 5, 0, x86asm.LJMP, 0, 0},
	{map0F, 0x01, 0, 0, x86asm.SGDT, 0, 0},
	{map0F, 0x01, 1, 0, x86asm.SIDT, 0, 0},
	{map0F, 0x01, 2, 0, x86asm.LGDT, 0, 0},
	{map0F, 0x01, 3, 0, x86asm.LIDT, 0, 0},
	{map0F, 0x01, 7, 0, x86asm.INVLPG, 0, 0},
	{map0F, 0xae, 0, 0, x86asm.FXSAVE, x86asm.FXSAVE64, 0},
	{map0F, 0xae, 1, 0, x86asm.FXRSTOR, x86asm.FXRSTOR64, 0},
	{map0F, 0xae, 2, 0, x86asm.LDMXCSR, 0, 0},
	{map0F, 0xae, 3, 0, x86asm.STMXCSR, 0, 0},
	{map0F, 0xae, 4, 0, x86asm.XSAVE, x86asm.XSAVE64, 0},
	{map0F, 0xae, 5, 0, x86asm.XRSTOR, x86asm.XRSTOR64, 0},
	{map0F, 0xae, 6, 0, x86asm.XSAVEOPT, x86asm.XSAVEOPT64, 0},
	{map0F, 0xae, 7, 0, x86asm.CLFLUSH, 0, 0},
	{map0F, 0xc7, 1, 0, x86asm.CMPXCHG8B, x86asm.CMPXCHG16B, 0},
	{map0F, 0x18, 0, 0, x86asm.PREFETCHNTA, 0, 0},
	{map0F, 0x18, 1, 0, x86asm.PREFETCHT0, 0, 0},
	{map0F, 0x18, 2, 0, x86asm.PREFETCHT1, 0, 0},
	{map0F, 0x18, 3, 0, x86asm.PREFETCHT2, 0, 0},
	{map0F, 0x0d, 1, 0, x86asm.PREFETCHW, 0, 0},
	{map0F, 0x12, -1, 1, x86asm.MOVLPS, 0, 0x10},
	{map0F, 0x13, -1, 1, x86asm.MOVLPS, 0, 0x11},
	{map0F, 0x16, -1, 1, x86asm.MOVHPS, 0, 0x10},
	{map0F, 0x17, -1, 1, x86asm.MOVHPS, 0, 0x11},
	{map0F, 0x12, -1, 0x66, x86asm.MOVLPD, 0, 0x10},
	{map0F, 0x13, -1, 0x66, x86asm.MOVLPD, 0, 0x11},
	{map0F, 0x16, -1, 0x66, x86asm.MOVHPD, 0, 0x10},
	{map0F, 0x17, -1, 0x66, x86asm.MOVHPD, 0, 0x11},
	{map0F, 0x2b, -1, 1, x86asm.MOVNTPS, 0, 0x29},
	{map0F, 0x2b, -1, 0x66, x86asm.MOVNTPD, 0, 0x29},
	{map0F, 0xe7, -1, 1, x86asm.MOVNTQ, 0, 0x7f},
	{map0F, 0xe7, -1, 0x66, x86asm.MOVNTDQ, 0, 0x7f},
}

// findMemForm returns the memory-only form matching l, or nil.
func findMemForm(l *layout) *memForm {
	if l.vexPos >= 0 {
		return nil
	}
	for i := range memForms {
		f := &memForms[i]
		if f.opMap != l.opMap || f.op != l.op || (f.reg >= 0 && byte(f.reg) != l.reg()) {
			continue
		}
		switch {
		case f.pfx == 0x66 && (!l.opsize || l.rep != 0),
			f.pfx == 1 && (l.opsize || l.rep != 0):
			continue
		}
		return f
	}
	return nil
}

// strOp describes a string instruction. Operand letters: S = %ds:(%rsi),
// D = %es:(%rdi), A = accumulator, X = (%dx), B = %ds:(%rbx); src first.
type strOp struct {
	name     string
	suffix   bool // GNU adds a size suffix (no register operand gives it)
	src, dst byte
	repz     bool // F3 means repz rather than rep
}

// strOps is indexed by one-byte opcode.
var strOps = [256]strOp{
	0x6c: {"ins", true, 'X', 'D', false},
	0x6d: {"ins", true, 'X', 'D', false},
	0x6e: {"outs", true, 'S', 'X', false},
	0x6f: {"outs", true, 'S', 'X', false},
	0xa4: {"movs", true, 'S', 'D', false},
	0xa5: {"movs", true, 'S', 'D', false},
	0xa6: {"cmps", true, 'D', 'S', true},
	0xa7: {"cmps", true, 'D', 'S', true},
	0xaa: {"stos", false, 'A', 'D', false},
	0xab: {"stos", false, 'A', 'D', false},
	0xac: {"lods", false, 'S', 'A', false},
	0xad: {"lods", false, 'S', 'A', false},
	0xae: {"scas", false, 'D', 'A', true},
	0xaf: {"scas", false, 'D', 'A', true},
	0xd7: {"xlat", false, 'B', 0, false},
}

// vexKnown marks the VEX (map 0F, 0F38, 0F3A; opcode) pairs x86asm has
// table entries for: for any other pair Decode returns a freshly
// allocated error, so Line reports those as bad without calling it.
// TestVEXTable keeps it in step with the x86asm version in go.mod.
var vexKnown = [3][4]uint64{
	{0xff0000ff0000, 0xffffffffffff0cf6, 0x4000030f0000, 0x7fffffffffff0074},
	{0xffffffffffffffff, 0xffff01fc0f3ff0ff, 0xfff3ffcfffcfff08, 0xec0000fc0cbdd0},
	{0xcf0f00efeff0ff7f, 0xf00cf00ff1c5f, 0x0, 0x10000c000c004},
}

// vexOK reports whether x86asm knows the VEX opcode in l.
func vexOK(l *layout) bool {
	return vexKnown[l.opMap-map0F][l.op>>6]&(1<<(l.op&63)) != 0
}
