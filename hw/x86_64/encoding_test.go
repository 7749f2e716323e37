package x86_64

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// TestHandEncodedInstructions decodes every BYTE-encoded instruction in
// the assembly (the Go assembler lacks ltr, xsave64, xrstor64, xsetbv,
// rdrand) and checks it is the instruction its comment names.
func TestHandEncodedInstructions(t *testing.T) {
	files, _ := filepath.Glob("*.s")
	line := regexp.MustCompile(`^\s*((?:BYTE \$0x[0-9A-Fa-f]{2};?\s*)+)//\s*(.+)$`)
	found := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(src), "\n") {
			m := line.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			var code []byte
			for _, b := range regexp.MustCompile(`0x[0-9A-Fa-f]{2}`).FindAllString(m[1], -1) {
				v, _ := strconv.ParseUint(b, 0, 8)
				code = append(code, byte(v))
			}
			inst, err := x86asm.Decode(code, 64)
			if err != nil || inst.Len != len(code) {
				t.Errorf("%s: % x does not decode to one instruction: %v", f, code, err)
				continue
			}
			// x86asm spells SYSRET's 64-bit form (48 0f 07) "rex.w sysretq".
			got := strings.TrimPrefix(strings.ToLower(x86asm.GNUSyntax(inst, 0, nil)), "rex.w ")
			want := strings.Fields(m[2])[0]
			if !strings.HasPrefix(got, want) {
				t.Errorf("%s: % x is %q, comment says %q", f, code, got, m[2])
			}
			found++
		}
	}
	if found < 5 {
		t.Errorf("found only %d hand-encoded instructions", found)
	}
}

func TestCloneCopiesFPUImageAcrossAlignments(t *testing.T) {
	var a, b [2]Regs
	src, dst := &a[0], &b[1] // different offsets modulo 64
	for i := range xArea(src) {
		xArea(src)[i] = byte(i)
	}
	copy(xArea(dst), xArea(src))
	for i, v := range xArea(dst) {
		if v != byte(i) {
			t.Fatalf("byte %d = %d after the copy", i, v)
		}
	}
}
