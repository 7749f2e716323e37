package vdso

import (
	"bytes"
	"debug/elf"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// TestImageSymbols parses the image as a loader would and finds each
// function under both names, in .text, the weak alias at the same place.
func TestImageSymbols(t *testing.T) {
	f, err := elf.NewFile(bytes.NewReader(Image()))
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != elf.ET_DYN || f.Machine != elf.EM_X86_64 || f.Class != elf.ELFCLASS64 {
		t.Fatalf("type %v machine %v class %v", f.Type, f.Machine, f.Class)
	}
	if len(f.Progs) != 2 || f.Progs[0].Type != elf.PT_LOAD || f.Progs[1].Type != elf.PT_DYNAMIC {
		t.Fatalf("program headers %v", f.Progs)
	}
	if l := f.Progs[0]; l.Vaddr != 0 || l.Off != 0 || l.Filesz > PageSize || l.Flags != elf.PF_R|elf.PF_X {
		t.Errorf("PT_LOAD %+v", l.ProgHeader)
	}
	if so, err := f.DynString(elf.DT_SONAME); err != nil || len(so) != 1 || so[0] != soname {
		t.Errorf("DT_SONAME %q, %v", so, err)
	}
	syms, err := f.DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	text := f.Section(".text")
	byName := map[string]elf.Symbol{}
	for _, s := range syms {
		byName[s.Name] = s
	}
	for _, fn := range functions {
		g, w := byName["__vdso_"+fn.name], byName[fn.name]
		if g.Value == 0 || elf.ST_BIND(g.Info) != elf.STB_GLOBAL || elf.ST_TYPE(g.Info) != elf.STT_FUNC {
			t.Errorf("__vdso_%s: %+v", fn.name, g)
		}
		if g.Version != version || w.Version != version {
			t.Errorf("%s: versions %q and %q, want %s", fn.name, g.Version, w.Version, version)
		}
		if w.Value != g.Value || w.Size != g.Size || elf.ST_BIND(w.Info) != elf.STB_WEAK {
			t.Errorf("%s: %+v, want a weak alias of %+v", fn.name, w, g)
		}
		if g.Value < text.Addr || g.Value+g.Size > text.Addr+text.Size || g.Section != elf.SectionIndex(shText) {
			t.Errorf("__vdso_%s at %#x+%d is not in .text", fn.name, g.Value, g.Size)
		}
	}
}

// TestHashTable looks every symbol up through DT_HASH, as musl, Go and
// LTP's parse_vdso do: a wrong hash function or chain hides it.
func TestHashTable(t *testing.T) {
	img := Image()
	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	h := f.Section(".hash")
	words, _ := h.Data()
	u32 := func(i int) uint32 { return f.ByteOrder.Uint32(words[4*i:]) }
	nbucket, nchain := int(u32(0)), int(u32(1))
	syms, _ := f.DynamicSymbols() // from index 1
	if nchain != len(syms)+1 {
		t.Fatalf("nchain %d for %d symbols", nchain, len(syms)+1)
	}
	for _, s := range syms {
		found := false
		for i := int(u32(2 + int(elfHash(s.Name))%nbucket)); i != 0; i = int(u32(2 + nbucket + i)) {
			if syms[i-1].Name == s.Name {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s not found through the hash table", s.Name)
		}
	}
	if elfHash("__vdso_clock_gettime") != 0xd35ec75 || elfHash("__vdso_gettimeofday") != 0x315ca59 {
		t.Errorf("elfHash differs from the values Go's runtime has built in")
	}
}

// readNS is the expected TSC arithmetic.
var readNS = []string{"lfence", "rdtsc", "shl rdx, 0x20", "or rax, rdx", "sub rax, qword ptr [vvar+0x0]",
	"mul qword ptr [vvar+0x8]", "shrd rax, rdx, 0x20"}

func seq(parts ...any) []string {
	var out []string
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			out = append(out, p)
		case []string:
			out = append(out, p...)
		}
	}
	return out
}

// TestCode disassembles each function and compares it with what it is
// meant to be, the data page's fields named by their offset; jumps show
// their targets as offsets into the function.
func TestCode(t *testing.T) {
	classify := []string{"cmp edi, 0xb", "jnbe .sys", "mov eax, 0x1", "mov ecx, edi", "shl eax, cl"}
	div := func(d string) []string { return []string{"xor edx, edx", "mov ecx, " + d, "div rcx"} }
	real := seq(readNS, "add rax, qword ptr [vvar+0x10]")
	want := map[string][]string{
		"clock_gettime": seq(classify, "test eax, 0x821", "jnz .real", "test eax, 0xd2", "jz .sys",
			readNS, "sub rax, qword ptr [vvar+0x18]", "jmp .store",
			".real:", real, ".store:", div("0x3b9aca00"), "mov qword ptr [rsi], rax", "mov qword ptr [rsi+0x8], rdx",
			"xor eax, eax", "ret", ".sys:", "mov eax, 0xe4", "syscall", "ret"),
		"gettimeofday": seq("test rdi, rdi", "jz .tz", real, div("0x3b9aca00"), "mov qword ptr [rdi], rax",
			"mov rax, rdx", div("0x3e8"), "mov qword ptr [rdi+0x8], rax",
			".tz:", "test rsi, rsi", "jz .done", "mov qword ptr [rsi], 0x0", ".done:", "xor eax, eax", "ret"),
		"time": seq(real, div("0x3b9aca00"), "test rdi, rdi", "jz .ret", "mov qword ptr [rdi], rax", ".ret:", "ret"),
		"getcpu": seq("test rdi, rdi", "jz .node", "mov dword ptr [rdi], 0x0", ".node:", "test rsi, rsi", "jz .done",
			"mov dword ptr [rsi], 0x0", ".done:", "xor eax, eax", "ret"),
		"clock_getres": seq(classify, "test eax, 0x8f3", "jz .sys", "test rsi, rsi", "jz .ok",
			"mov qword ptr [rsi], 0x0", "mov qword ptr [rsi+0x8], 0x1", ".ok:", "xor eax, eax", "ret",
			".sys:", "mov eax, 0xe5", "syscall", "ret"),
	}
	f, err := elf.NewFile(bytes.NewReader(Image()))
	if err != nil {
		t.Fatal(err)
	}
	syms, _ := f.DynamicSymbols()
	img := Image()
	for _, s := range syms {
		name, ok := strings.CutPrefix(s.Name, "__vdso_")
		if !ok {
			continue
		}
		got := disassemble(t, img, s.Value, s.Size)
		if !matches(got, want[name]) {
			var texts []string
			for _, g := range got {
				texts = append(texts, g.text)
			}
			t.Errorf("%s:\n got  %q\n want %q", name, texts, want[name])
		}
		delete(want, name)
	}
	if len(want) > 0 {
		t.Errorf("functions not exported: %v", want)
	}
}

// insn is one decoded instruction: its text, where it starts, and where
// a jump goes (-1 for none).
type insn struct {
	text   string
	at, to int
}

func disassemble(t *testing.T, img []byte, start, size uint64) []insn {
	var out []insn
	for pc := start; pc < start+size; {
		inst, err := x86asm.Decode(img[pc:start+size], 64)
		if err != nil {
			t.Fatalf("at %#x: %v", pc, err)
		}
		next := pc + uint64(inst.Len)
		in := insn{at: int(pc - start), to: -1}
		for i, a := range inst.Args {
			switch a := a.(type) {
			case x86asm.Mem:
				if a.Base == x86asm.RIP { // name the data-page field it reads
					inst.Args[i] = x86asm.Mem{Segment: a.Segment, Base: x86asm.RIP, Disp: int64(next) + a.Disp - dataVaddr}
				}
			case x86asm.Rel:
				in.to = int(int64(next) + int64(a) - int64(start))
			}
		}
		in.text = strings.ToLower(x86asm.IntelSyntax(inst, 0, nil))
		in.text = strings.Replace(strings.Replace(in.text, "[rip]", "[rip+0x0]", 1), "[rip+", "[vvar+", 1)
		out = append(out, in)
		pc = next
	}
	return out
}

// matches compares instructions with a listing whose ".x:" lines label
// the next instruction and whose jumps name their label: "jz .sys".
func matches(got []insn, want []string) bool {
	labels := map[string]int{}
	var plain []string
	for _, w := range want {
		if l, ok := strings.CutSuffix(w, ":"); ok {
			labels[l] = len(plain)
			continue
		}
		plain = append(plain, w)
	}
	if len(got) != len(plain) {
		return false
	}
	for i, g := range got {
		w := plain[i]
		if g.to >= 0 {
			op, label, _ := strings.Cut(w, " ")
			idx, ok := labels[label]
			if !ok || idx >= len(got) || got[idx].at != g.to || !strings.HasPrefix(g.text, op+" ") {
				return false
			}
			continue
		}
		if g.text != w {
			return false
		}
	}
	return true
}

// TestData checks the data page's layout against the offsets the code uses.
func TestData(t *testing.T) {
	b := Data(Params{TSCBoot: 1, Mult: 2, WallBoot: -3, MonoBase: 4})
	got := fmt.Sprintf("%x", b[:32])
	want := "0100000000000000" + "0200000000000000" + "fdffffffffffffff" + "0400000000000000"
	if len(b) != PageSize || got != want {
		t.Errorf("data page %s", got)
	}
}
