package binfmt

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"strings"
	"testing"

	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

// loaded is an image mapped into a fresh sim Env with its initial stack.
type loaded struct {
	img *Image
	mm  *mm.MM
	sp  uintptr
}

func load(t *testing.T, prog []byte, argv, envv []string) loaded {
	t.Helper()
	fs := files(exe("bin/prog", prog))
	img, err := LoadImage(fs, "/bin/prog", argv, envv)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := newMM(t)
	m.SetupStack(img.ExecStack)
	if err := Load(m, img); err != nil {
		t.Fatal(err)
	}
	sp, err := BuildStack(m, img, 0x178bfbff, [4]uint64{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	return loaded{img, m, sp}
}

func (l loaded) u64(t *testing.T, va uint64) uint64 {
	t.Helper()
	var b [8]byte
	if err := l.mm.CopyIn(uintptr(va), b[:]); err != nil {
		t.Fatalf("reading %#x: %v", va, err)
	}
	return binary.LittleEndian.Uint64(b[:])
}

func (l loaded) str(t *testing.T, va uint64) string {
	t.Helper()
	s, err := l.mm.CopyInString(uintptr(va), 4096)
	if err != nil {
		t.Fatalf("string at %#x: %v", va, err)
	}
	return s
}

// checkStack reads the initial stack back and checks it against what
// create_elf_tables would have written.
func checkStack(t *testing.T, l loaded, argv, envv []string) map[uint64]uint64 {
	if l.sp%16 != 0 {
		t.Errorf("sp %#x not 16-byte aligned", l.sp)
	}
	p := uint64(l.sp)
	if argc := l.u64(t, p); argc != uint64(len(argv)) {
		t.Fatalf("argc = %d", argc)
	}
	p += 8
	for _, list := range [][]string{argv, envv} {
		for i, want := range list {
			if got := l.str(t, l.u64(t, p)); got != want {
				t.Errorf("string %d = %q, want %q", i, got, want)
			}
			p += 8
		}
		if l.u64(t, p) != 0 {
			t.Errorf("missing NULL after vector at %#x", p)
		}
		p += 8
	}
	aux := map[uint64]uint64{}
	for {
		k, v := l.u64(t, p), l.u64(t, p+8)
		p += 16
		aux[k] = v
		if k == AT_NULL {
			break
		}
	}
	return aux
}

func TestLoadAndStack(t *testing.T) {
	argv, envv := []string{"prog", "arg one", ""}, []string{"HOME=/", "TERM=linux"}
	l := load(t, tinyELF(), argv, envv)
	aux := checkStack(t, l, argv, envv)
	want := map[uint64]uint64{AT_PHDR: 0x400040, AT_PHENT: 56, AT_PHNUM: 1, AT_PAGESZ: 4096, AT_BASE: 0,
		AT_FLAGS: 0, AT_ENTRY: 0x400100, AT_UID: 1, AT_EUID: 2, AT_GID: 3, AT_EGID: 4, AT_SECURE: 0,
		AT_HWCAP: 0x178bfbff, AT_HWCAP2: 0, AT_CLKTCK: 100}
	for k, v := range want {
		if got, ok := aux[k]; !ok || got != v {
			t.Errorf("auxv[%d] = %#x (present %v), want %#x", k, got, ok, v)
		}
	}
	if s := l.str(t, aux[AT_PLATFORM]); s != "x86_64" {
		t.Errorf("AT_PLATFORM = %q", s)
	}
	if s := l.str(t, aux[AT_EXECFN]); s != "/bin/prog" {
		t.Errorf("AT_EXECFN = %q", s)
	}
	rnd := make([]byte, 16)
	if err := l.mm.CopyIn(uintptr(aux[AT_RANDOM]), rnd); err != nil || bytes.Equal(rnd, make([]byte, 16)) {
		t.Errorf("AT_RANDOM bytes %x, %v", rnd, err)
	}
	// The segment reads back as the file, then zeros (bss) to memsz.
	got := make([]byte, 0x3000)
	if err := l.mm.CopyIn(0x400000, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[:0x200], tinyELF()) || !bytes.Equal(got[0x200:], make([]byte, 0x2e00)) {
		t.Error("segment contents differ from file + zeros")
	}
	// Text is not writable, even by the kernel on the process's behalf.
	if err := l.mm.CopyOut(0x400000, []byte{1}); err != abi.EFAULT {
		t.Errorf("CopyOut to text = %v, want EFAULT", err)
	}
}

func TestE2BIG(t *testing.T) {
	fs := files(exe("bin/prog", tinyELF()))
	for name, argv := range map[string][]string{
		"all the strings":     {string(make([]byte, maxArgBytes/2)), string(make([]byte, maxArgBytes/2))},
		"one string too long": {string(make([]byte, maxArgStrlen))},
	} {
		if _, err := LoadImage(fs, "/bin/prog", argv, nil); err != abi.E2BIG {
			t.Errorf("%s: %v, want E2BIG", name, err)
		}
	}
	if _, err := LoadImage(fs, "/bin/prog", []string{string(make([]byte, maxArgStrlen-1))}, nil); err != nil {
		t.Errorf("a string of MAX_ARG_STRLEN with its NUL: %v", err)
	}
}

// TestLoadRealBinaries loads programs built by the host toolchains and
// checks the loaded segments against the file and the auxv against the
// ELF headers.
func TestLoadRealBinaries(t *testing.T) {
	for _, kind := range []string{"go", "musl", "glibc", "glibc-pie", "busybox"} {
		t.Run(kind, func(t *testing.T) {
			prog := buildProgram(t, kind)
			l := load(t, prog, []string{"prog"}, []string{"A=b"})
			aux := checkStack(t, l, []string{"prog"}, []string{"A=b"})
			img := l.img
			if kind == "glibc-pie" && (img.Bias == 0 || img.Bias&pageMask != 0 || img.Bias >= mm.MmapTop) {
				t.Errorf("static PIE bias %#x: want a page in the mmap area, as Linux 6 places it", img.Bias)
			}
			if aux[AT_ENTRY] != img.Entry || aux[AT_PHNUM] != img.Phnum {
				t.Errorf("auxv entry %#x phnum %d vs image %#x %d", aux[AT_ENTRY], aux[AT_PHNUM], img.Entry, img.Phnum)
			}
			// AT_PHDR must point at the program headers in memory.
			phoff := binary.LittleEndian.Uint64(prog[32:])
			ph := make([]byte, img.Phnum*56)
			if err := l.mm.CopyIn(uintptr(aux[AT_PHDR]), ph); err != nil || !bytes.Equal(ph, prog[phoff:phoff+uint64(len(ph))]) {
				t.Errorf("program headers at AT_PHDR %#x differ (%v)", aux[AT_PHDR], err)
			}
			for _, s := range img.Progs {
				if s.Type != elf.PT_LOAD || s.Flags&elf.PF_R == 0 {
					continue
				}
				got := make([]byte, s.Memsz)
				if err := l.mm.CopyIn(uintptr(s.Vaddr+img.Bias), got); err != nil {
					t.Fatalf("segment %#x: %v", s.Vaddr, err)
				}
				// The bss is zero; a read-only segment keeps what the
				// file has after p_filesz in its last page, as on Linux.
				if !bytes.Equal(got[:s.Filesz], prog[s.Offset:s.Offset+s.Filesz]) ||
					(s.Flags&elf.PF_W != 0 && !bytes.Equal(got[s.Filesz:], make([]byte, s.Memsz-s.Filesz))) {
					t.Errorf("segment %#x contents differ", s.Vaddr)
				}
			}
			var insn [1]byte
			if err := l.mm.CopyIn(uintptr(img.Entry), insn[:]); err != nil {
				t.Errorf("entry unreadable: %v", err)
			}
		})
	}
}

// TestDynamicLoad: a dynamic PIE's interpreter is looked up as Linux
// does (ENOENT when it is missing); when present (the host's own glibc
// ld.so), the program goes at ELF_ET_DYN_BASE, the interpreter top-down
// below the mmap base, and the program starts at the interpreter's entry
// with AT_BASE its load address and AT_ENTRY the program's.
func TestDynamicLoad(t *testing.T) {
	prog := buildProgram(t, "dynamic")
	img, err := parseELF(mm.Bytes(prog))
	if err != nil || img.Interp == "" {
		t.Fatalf("dynamic executable: %v, interpreter %q", err, img.Interp)
	}
	fs := files(exe("bin/prog", prog))
	if _, err := LoadImage(fs, "/bin/prog", nil, nil); err != abi.ENOENT {
		t.Errorf("without its interpreter: %v, want ENOENT", err)
	}
	ld, err := os.ReadFile(img.Interp)
	if err != nil {
		t.Skipf("the host has no %s: %v", img.Interp, err)
	}
	fs = files(exe("bin/prog", prog), exe(strings.TrimPrefix(img.Interp, "/"), ld))
	img, err = LoadImage(fs, "/bin/prog", []string{"prog"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := newMM(t)
	m.SetupStack(img.ExecStack)
	if err := Load(m, img); err != nil {
		t.Fatal(err)
	}
	sp, err := BuildStack(m, img, 0, [4]uint64{})
	if err != nil {
		t.Fatal(err)
	}
	l := loaded{img, m, sp}
	aux := checkStack(t, l, []string{"prog"}, nil)
	in := img.Interpreter
	switch {
	case img.Bias>>32 != elfDynBase>>32:
		t.Errorf("program bias %#x, want near ELF_ET_DYN_BASE %#x", img.Bias, uint64(elfDynBase))
	case img.Base == 0 || img.Base >= mm.MmapTop || img.Base != in.Bias:
		t.Errorf("interpreter base %#x (bias %#x), want below the mmap base %#x", img.Base, in.Bias, uint64(mm.MmapTop))
	case img.Start != img.Base+in.EEntry:
		t.Errorf("start %#x, want the interpreter's entry %#x", img.Start, img.Base+in.EEntry)
	case aux[AT_BASE] != img.Base || aux[AT_ENTRY] != img.Entry || img.Entry != img.Bias+img.EEntry:
		t.Errorf("auxv AT_BASE %#x AT_ENTRY %#x, want %#x %#x", aux[AT_BASE], aux[AT_ENTRY], img.Base, img.Entry)
	}
	if l.u64(t, img.Base)&0xffffffff != 0x464c457f {
		t.Errorf("no ELF header at the interpreter's base %#x", img.Base)
	}
}
