package disasm

// This file finds the byte layout of an instruction (prefixes, opcode,
// ModRM, SIB, displacement) without knowing its meaning. x86asm.Decode
// boxes every memory operand and every immediate outside 0..255 into an
// interface, which allocates; the layout lets Line hand Decode a rewritten
// copy that has neither, and decode those parts itself.

// maxInst is the architectural limit on instruction length.
const maxInst = 15

// Opcode maps, selected by escape bytes or the VEX mmmmm field.
const (
	mapOne = iota
	map0F
	map0F38
	map0F3A
)

// REX bits, also filled in from VEX so both encodings look the same.
const (
	rexW = 8
	rexR = 4
	rexX = 2
	rexB = 1
)

// layout is the structure of one instruction.
type layout struct {
	rex      byte // REX prefix (or the VEX equivalent); 0 if none
	rexPos   int  // index of the REX byte, -1 if none
	vexPos   int  // index of a C4/C5 VEX prefix, -1 if none
	vvvv     byte // VEX extra register operand
	seg      byte // last segment override prefix, 0 if none
	opsize   bool // 66 prefix
	addr32   bool // 67 prefix
	lock     bool // F0 prefix
	rep      byte // last F2/F3 prefix, 0 if none
	opMap    int
	op       byte
	opPos    int // index of the opcode byte proper
	hasModRM bool
	modrm    byte
	hasSIB   bool
	sib      byte
	dispLen  int
	disp     int64
	memEnd   int // index just past the opcode or ModRM/SIB/displacement
}

func (l *layout) mod() byte { return l.modrm >> 6 }
func (l *layout) reg() byte { return l.modrm >> 3 & 7 }
func (l *layout) rm() byte  { return l.modrm & 7 }

// isMem reports whether the ModRM byte names a memory operand.
func (l *layout) isMem() bool { return l.hasModRM && l.mod() != 3 }

// Which opcodes take a ModRM byte in 64-bit mode, one row per high nibble.
// The 0F38 and 0F3A maps always do; VEX and 0F escapes are handled before.
const modrmOne = "" +
	"1111000011110000" + // 0x
	"1111000011110000" + // 1x
	"1111000011110000" + // 2x
	"1111000011110000" + // 3x
	"0000000000000000" + // 4x REX
	"0000000000000000" + // 5x
	"0011000001010000" + // 6x 63 69 6b
	"0000000000000000" + // 7x
	"1111111111111111" + // 8x
	"0000000000000000" + // 9x
	"0000000000000000" + // Ax
	"0000000000000000" + // Bx
	"1100001100000000" + // Cx c0 c1 c6 c7
	"1111000011111111" + // Dx
	"0000000000000000" + // Ex
	"0000001100000011" //   Fx f6 f7 fe ff

const modrm0F = "" +
	"1111000000000100" + // 0x
	"1111111111111111" + // 1x
	"1111000011111111" + // 2x
	"0000000000000000" + // 3x
	"1111111111111111" + // 4x
	"1111111111111111" + // 5x
	"1111111111111111" + // 6x
	"1111111011001111" + // 7x
	"0000000000000000" + // 8x
	"1111111111111111" + // 9x
	"0001110000011111" + // Ax
	"1111111111111111" + // Bx
	"1111111100000000" + // Cx
	"1111111111111111" + // Dx
	"1111111111111111" + // Ex
	"1111111111111111" //   Fx

// prefix records b if it is a legacy or REX prefix and reports whether it was.
func (l *layout) prefix(b byte, i int) bool {
	switch b {
	case 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65:
		l.seg = b
	case 0x66:
		l.opsize = true
	case 0x67:
		l.addr32 = true
	case 0xf0:
		l.lock = true
	case 0xf2, 0xf3:
		l.rep = b
	default:
		if b&0xf0 != 0x40 {
			return false
		}
		l.rex, l.rexPos = b, i
		return true
	}
	// A REX prefix only counts when it comes last.
	l.rex, l.rexPos = 0, -1
	return true
}

// parse fills l from code; it fails on truncated input and on encodings
// Line does not support (EVEX, 3DNow!).
func (l *layout) parse(code []byte) bool {
	*l = layout{rexPos: -1, vexPos: -1}
	if len(code) > maxInst {
		code = code[:maxInst]
	}
	i := 0
	for i < len(code) && l.prefix(code[i], i) {
		i++
	}
	i, ok := l.opcode(code, i)
	if !ok {
		return false
	}
	if !l.hasModRM {
		l.memEnd = i
		return true
	}
	return l.modRM(code, i)
}

// opcode decodes escapes or a VEX prefix and the opcode byte at code[i:],
// returning the index after the opcode.
func (l *layout) opcode(code []byte, i int) (int, bool) {
	if i >= len(code) {
		return i, false
	}
	switch code[i] {
	case 0x62: // EVEX is not supported
		return i, false
	case 0xc5:
		if i+2 >= len(code) {
			return i, false
		}
		p := code[i+1]
		l.vexPos, l.opMap = i, map0F
		l.rex = 0x40 | (^p>>7&1)*rexR
		l.vvvv = ^p >> 3 & 15
		i += 2
	case 0xc4:
		if i+3 >= len(code) {
			return i, false
		}
		p1, p2 := code[i+1], code[i+2]
		l.vexPos, l.opMap = i, int(p1&31)
		if l.opMap < map0F || l.opMap > map0F3A {
			return i, false
		}
		l.rex = 0x40 | ^p1>>5&7 | (p2>>7)*rexW
		l.vvvv = ^p2 >> 3 & 15
		i += 3
	case 0x0f:
		i++
		if i >= len(code) || code[i] == 0x0f {
			return i, false
		}
		l.opMap = map0F
		if code[i] == 0x38 || code[i] == 0x3a {
			l.opMap = map0F38 + int(code[i]>>1&1)
			i++
		}
	}
	if i >= len(code) {
		return i, false
	}
	l.op, l.opPos = code[i], i
	switch {
	case l.opMap == mapOne:
		l.hasModRM = modrmOne[l.op] == '1'
	case l.opMap == map0F:
		l.hasModRM = modrm0F[l.op] == '1' && !(l.vexPos >= 0 && l.op == 0x77)
	default:
		l.hasModRM = true
	}
	return i + 1, true
}

// modRM decodes the ModRM byte at code[i] with any SIB and displacement.
func (l *layout) modRM(code []byte, i int) bool {
	if i >= len(code) {
		return false
	}
	l.modrm = code[i]
	i++
	if mod := l.mod(); mod != 3 {
		if l.rm() == 4 {
			if i >= len(code) {
				return false
			}
			l.hasSIB, l.sib = true, code[i]
			i++
		}
		switch {
		case mod == 1:
			l.dispLen = 1
		case mod == 2, mod == 0 && l.rm() == 5, mod == 0 && l.hasSIB && l.sib&7 == 5:
			l.dispLen = 4
		}
		if i+l.dispLen > len(code) {
			return false
		}
		l.disp = signed(code[i:], l.dispLen)
		i += l.dispLen
	}
	l.memEnd = i
	return true
}

// signed reads an n-byte little-endian two's complement number.
func signed(b []byte, n int) int64 {
	var v uint64
	for k := n - 1; k >= 0; k-- {
		v = v<<8 | uint64(b[k])
	}
	if n == 0 || n >= 8 {
		return int64(v)
	}
	shift := 64 - 8*uint(n)
	return int64(v<<shift) >> shift
}
