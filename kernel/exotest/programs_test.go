package exotest

import (
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// TestEncodings decodes every hand-encoded program and compares it with
// the instructions it is meant to be.
func TestEncodings(t *testing.T) {
	want := map[string][]string{
		"syscall":   {"mov eax, 0x27", "syscall", "jmp .-0x2"},
		"fpu":       {"paddq xmm0, xmm0", "syscall", "jmp .-0x2"},
		"spin":      {"jmp .-0x2"},
		"avx":       {"vpaddq ymm0, ymm0, ymm0", "syscall", "jmp .-0x2"},
		"int3":      {"int3"},
		"hlt":       {"hlt"},
		"cli":       {"cli"},
		"in":        {"in al, 0x80"},
		"out":       {"out 0x80, al"},
		"wrmsr":     {"wrmsr"},
		"cr3":       {"mov cr3, rax"},
		"lgdt":      {"lgdt ptr [rax]"},
		"kread":     {"mov rax, 0xffff800000200000", "mov rax, qword ptr [rax]"},
		"kwrite":    {"mov rax, 0xffff800000200000", "mov dword ptr [rax], 0x1"},
		"wildwrite": {"mov dword ptr [rax], 0x1"},
		"store":     {"mov dword ptr [rax], 0x1", "syscall", "jmp .-0x2"},
	}
	if len(want) != len(programs) {
		t.Fatalf("%d programs, %d expectations", len(programs), len(want))
	}
	for name, code := range programs {
		var got []string
		for off := 0; off < len(code); {
			inst, err := x86asm.Decode(code[off:], 64)
			if err != nil {
				t.Fatalf("%s +%d: %v", name, off, err)
			}
			s := strings.ToLower(x86asm.IntelSyntax(inst, 0, nil))
			s = strings.Replace(s, "fword ", "", 1)
			got = append(got, s)
			off += inst.Len
		}
		if strings.Join(got, "; ") != strings.Join(want[name], "; ") {
			t.Errorf("%s decodes as %q, want %q", name, got, want[name])
		}
	}
}
