package disasm

import (
	"debug/elf"
	"math/rand"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// ownText returns the machine code of the running test binary: real Go
// compiler output, the same kind of code the kernel's crash report sees.
func ownText(t *testing.T) ([]byte, uint64) {
	if runtime.GOARCH != "amd64" {
		t.Skip("needs an amd64 test binary")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	s := f.Section(".text")
	if s == nil {
		t.Skip("no .text")
	}
	text, err := s.Data()
	if err != nil {
		t.Fatal(err)
	}
	return text, s.Addr
}

// Normalisations between Line's objdump-like output and x86asm.GNUSyntax,
// which differ only in style: old q suffixes on branches, signed
// immediates and absolute addresses, omitted ",1" scales and zero
// displacements, %riz, and bare RIP targets instead of disp(%rip).
var (
	ripComment = regexp.MustCompile(`  # 0x[0-9a-f]+$`)
	ripOperand = regexp.MustCompile(`-?0x[0-9a-f]+\(%rip\)(.*)  # (0x[0-9a-f]+)$`)
	immediate  = regexp.MustCompile(`\$-?0x[0-9a-f]+`)
	negative   = regexp.MustCompile(`0x[89a-f][0-9a-f]{15}\b`)
	shiftByOne = regexp.MustCompile(`^(sar|shr|shl|rcr|rcl|rol|ror) \$0x1,`)
	styleWords = strings.NewReplacer("callq ", "call ", "retq", "ret", "jmpq ", "jmp ",
		"data16 ", "", ",%riz)", ")", ",1)", ")", " 0x0(", " (", ",0x0(", ",(", "*0x0(", "*(", "movsxd ", "movslq ")
)

// normalise puts s in a common style. x86asm shows RIP operands either as
// disp(%rip) or as the bare target, so Line's form is normalised both ways.
func normalise(s string, ripTarget bool) string {
	if ripTarget {
		s = ripOperand.ReplaceAllString(s, "$2$1")
	} else {
		s = ripComment.ReplaceAllString(s, "")
	}
	s = styleWords.Replace(strings.Join(strings.Fields(s), " "))
	s = shiftByOne.ReplaceAllString(s, "$1 ")
	s = immediate.ReplaceAllString(s, "$$I")
	return negative.ReplaceAllStringFunc(s, func(h string) string {
		v, _ := strconv.ParseUint(h[2:], 16, 64)
		return "-0x" + strconv.FormatUint(-v, 16)
	})
}

// TestAgainstX86asm walks the test binary's code with x86asm.Decode and
// requires Line to agree with it on every instruction length (except
// vzeroupper, which x86asm gets wrong) and, after style normalisation, on
// the text of nearly all instructions.
func TestAgainstX86asm(t *testing.T) {
	text, base := ownText(t)
	total, bad, textDiff := 0, 0, 0
	for off := 0; off < len(text); {
		code := text[off:min(off+maxInst, len(text))]
		inst, err := x86asm.Decode(code, 64)
		if err != nil || inst.Op == 0 {
			off++
			continue
		}
		total++
		pc := base + uint64(off)
		off += inst.Len
		var buf [160]byte
		n, l := Line(buf[:], code, pc)
		switch {
		case l == 0:
			bad++
			continue
		case inst.Op == x86asm.VZEROUPPER:
			off += l - inst.Len
			continue
		case l != inst.Len:
			t.Fatalf("% x: length %d, x86asm says %d", code[:inst.Len], l, inst.Len)
		}
		mine := string(buf[3*max(rawColumn, l)+2 : n])
		gnu := normalise(x86asm.GNUSyntax(inst, pc, nil), false)
		// x86asm's AVX formatter drops "(%rip)", leaving the bare displacement.
		bare := strings.Replace(mine, "(%rip)", "", 1)
		if normalise(mine, false) != gnu && normalise(mine, true) != gnu && normalise(bare, false) != gnu {
			if textDiff < 10 {
				t.Logf("% x: %q vs x86asm %q", code[:l], mine, gnu)
			}
			textDiff++
		}
	}
	t.Logf("%d instructions, %d not decoded, %d differ in text", total, bad, textDiff)
	if total < 10000 || bad*100 > total || textDiff*100 > total {
		t.Errorf("too many failures: %d instructions, %d not decoded, %d differ in text", total, bad, textDiff)
	}
}

// TestNoAllocsRealCode checks Line never allocates on real compiler output.
func TestNoAllocsRealCode(t *testing.T) {
	text, base := ownText(t)
	var buf [160]byte
	off, checked := 0, 0
	allocs := testing.AllocsPerRun(3, func() {
		for off, checked = 0, 0; off < len(text); checked++ {
			_, l := Line(buf[:], text[off:min(off+maxInst, len(text))], base+uint64(off))
			off += max(l, 1)
		}
	})
	if allocs != 0 {
		t.Errorf("Line allocated %v times over %d instructions", allocs, checked)
	}
}

// randomStarts bias random input towards prefixes, escapes and VEX.
var randomStarts = [][]byte{{}, {0xc4}, {0xc5}, {0x0f}, {0x0f, 0x38}, {0x0f, 0x3a},
	{0x66, 0x0f}, {0xf3, 0x0f}, {0xf2, 0x0f}, {0x48}, {0x66}, {0xf0}, {0x64, 0x48}, {0x67}}

// TestRandomBytes feeds random byte strings: Line must not panic or
// allocate, and must agree with x86asm on length whenever both decode.
func TestRandomBytes(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var code [maxInst]byte
	var buf [160]byte
	for i := 0; i < 30000; i++ {
		r.Read(code[:])
		copy(code[:], randomStarts[i%len(randomStarts)])
		var l int
		if a := testing.AllocsPerRun(1, func() { _, l = Line(buf[:], code[:], 0) }); a != 0 {
			t.Fatalf("% x: Line allocates %v times", code, a)
		}
		inst, err := x86asm.Decode(code[:], 64)
		if l != 0 && err == nil && inst.Op != 0 && inst.Op != x86asm.VZEROUPPER &&
			inst.Op != x86asm.VZEROALL && inst.Len != l {
			t.Errorf("% x: length %d, x86asm says %d (%v)", code[:max(l, inst.Len)], l, inst.Len, inst.Op)
		}
	}
}
