package disasm

import (
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// probeVEX asks x86asm which VEX (map, opcode) pairs it has any table
// entry for. Unknown ones make Decode allocate a fresh error, so Line must
// not pass them to it.
func probeVEX() (known [3][4]uint64) {
	for m := 0; m < 3; m++ {
		for op := 0; op < 256; op++ {
			code := [maxInst]byte{0xc4, 0xe1 + byte(m), 0x78, byte(op), 0xc0}
			_, err := x86asm.Decode(code[:], 64)
			if err == nil || err == x86asm.ErrUnrecognized || err == x86asm.ErrTruncated {
				known[m][op>>6] |= 1 << (op & 63)
			}
		}
	}
	return known
}

// TestVEXTable checks vexKnown against the x86asm version in go.mod; if
// x86asm gains or loses AVX opcodes, paste the value printed here.
func TestVEXTable(t *testing.T) {
	if got := probeVEX(); got != vexKnown {
		t.Errorf("vexKnown is stale; x86asm now gives\n%#v", got)
	}
}
