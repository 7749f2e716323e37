package libstarry

import (
	"debug/elf"
	"encoding/binary"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// tinyELF is a valid static executable: one RX segment at 0x400000
// holding the whole file (headers included), entry just after them.
func tinyELF() []byte {
	b := make([]byte, 0x200)
	copy(b, elf.ELFMAG)
	b[elf.EI_CLASS], b[elf.EI_DATA], b[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), 1
	le := binary.LittleEndian
	le.PutUint16(b[16:], uint16(elf.ET_EXEC))
	le.PutUint16(b[18:], uint16(elf.EM_X86_64))
	le.PutUint32(b[20:], 1)
	le.PutUint64(b[24:], 0x400100) // entry
	le.PutUint64(b[32:], 64)       // phoff
	le.PutUint16(b[52:], 64)
	le.PutUint16(b[54:], 56)
	le.PutUint16(b[56:], 1)
	ph := b[64:]
	le.PutUint32(ph[0:], uint32(elf.PT_LOAD))
	le.PutUint32(ph[4:], uint32(elf.PF_R|elf.PF_X))
	le.PutUint64(ph[8:], 0)         // offset
	le.PutUint64(ph[16:], 0x400000) // vaddr
	le.PutUint64(ph[32:], 0x200)    // filesz
	le.PutUint64(ph[40:], 0x3000)   // memsz
	copy(b[0x100:], "\xf4CODE")
	return b
}

func TestParseELFValid(t *testing.T) {
	img, err := parseELF(tinyELF())
	if err != nil {
		t.Fatal(err)
	}
	if img.Entry != 0x400100 || img.Phdr != 0x400040 || img.Phnum != 1 || img.BrkStart != 0x403000 {
		t.Errorf("image = entry %#x phdr %#x phnum %d brk %#x", img.Entry, img.Phdr, img.Phnum, img.BrkStart)
	}
}

func TestParseELFMalformed(t *testing.T) {
	le := binary.LittleEndian
	ph := func(b []byte) []byte { return b[64:] }
	cases := []struct {
		name string
		edit func(b []byte) []byte
	}{
		{"empty", func(b []byte) []byte { return nil }},
		{"truncated header", func(b []byte) []byte { return b[:40] }},
		{"bad magic", func(b []byte) []byte { b[1] = 'X'; return b }},
		{"32-bit class", func(b []byte) []byte { b[elf.EI_CLASS] = byte(elf.ELFCLASS32); return b }},
		{"big endian", func(b []byte) []byte { b[elf.EI_DATA] = byte(elf.ELFDATA2MSB); return b }},
		{"aarch64", func(b []byte) []byte { le.PutUint16(b[18:], uint16(elf.EM_AARCH64)); return b }},
		{"relocatable", func(b []byte) []byte { le.PutUint16(b[16:], uint16(elf.ET_REL)); return b }},
		{"core", func(b []byte) []byte { le.PutUint16(b[16:], uint16(elf.ET_CORE)); return b }},
		{"phentsize", func(b []byte) []byte { le.PutUint16(b[54:], 32); return b }},
		{"no phdrs", func(b []byte) []byte { le.PutUint16(b[56:], 0); return b }},
		{"phoff beyond file", func(b []byte) []byte { le.PutUint64(b[32:], 0x1000); return b }},
		{"phnum beyond file", func(b []byte) []byte { le.PutUint16(b[56:], 9); return b }},
		{"phoff huge", func(b []byte) []byte { le.PutUint64(b[32:], ^uint64(0)-10); return b }},
		{"no PT_LOAD", func(b []byte) []byte { le.PutUint32(ph(b), uint32(elf.PT_NOTE)); return b }},
		{"filesz > memsz", func(b []byte) []byte { le.PutUint64(ph(b)[40:], 0x100); return b }},
		{"filesz beyond file", func(b []byte) []byte { le.PutUint64(ph(b)[32:], 0x201); le.PutUint64(ph(b)[40:], 0x201); return b }},
		{"offset beyond file", func(b []byte) []byte { le.PutUint64(ph(b)[8:], 0x10000); le.PutUint64(ph(b)[16:], 0x410000); return b }},
		{"huge memsz", func(b []byte) []byte { le.PutUint64(ph(b)[40:], 1<<62); return b }},
		{"wrapping memsz", func(b []byte) []byte { le.PutUint64(ph(b)[40:], ^uint64(0)-0x1000); return b }},
		{"vaddr in page zero", func(b []byte) []byte { le.PutUint64(ph(b)[16:], 0); le.PutUint64(b[24:], 0x100); return b }},
		{"vaddr in kernel half", func(b []byte) []byte { le.PutUint64(ph(b)[16:], 0xffff800000000000); return b }},
		{"vaddr crossing user top", func(b []byte) []byte {
			le.PutUint64(ph(b)[16:], 1<<47-0x1000)
			le.PutUint64(b[24:], 1<<47-0x1000)
			return b
		}},
		{"misaligned offset", func(b []byte) []byte { le.PutUint64(ph(b)[16:], 0x400010); return b }},
		{"entry outside", func(b []byte) []byte { le.PutUint64(b[24:], 0x500000); return b }},
		{"entry not executable", func(b []byte) []byte { le.PutUint32(ph(b)[4:], uint32(elf.PF_R|elf.PF_W)); return b }},
		{"interp", func(b []byte) []byte { le.PutUint32(ph(b), uint32(elf.PT_INTERP)); return b }},
		{"overlapping segments", func(b []byte) []byte { return twoSegments(b, 0x402000) }},
		{"segments sharing a page", func(b []byte) []byte { return twoSegments(b, 0x402ff0+0x0) }},
		{"segments out of order", func(b []byte) []byte { return twoSegments(b, 0x300000) }},
	}
	for _, c := range cases {
		img, err := parseELF(c.edit(tinyELF()))
		if err != abi.ENOEXEC {
			t.Errorf("%s: parseELF = %+v, %v; want ENOEXEC", c.name, img, err)
		}
	}
	if _, err := parseELF(twoSegments(tinyELF(), 0x404000)); err != nil {
		t.Errorf("two well-separated segments: %v", err)
	}
}

// twoSegments adds a second PT_LOAD (RW, file offset 0) at vaddr.
func twoSegments(b []byte, vaddr uint64) []byte {
	le := binary.LittleEndian
	le.PutUint16(b[56:], 2)
	second := b[64+56:]
	copy(second, b[64:64+56])
	le.PutUint32(second[4:], uint32(elf.PF_R|elf.PF_W))
	off := vaddr & pageMask
	le.PutUint64(second[8:], off)
	le.PutUint64(second[16:], vaddr)
	le.PutUint64(second[32:], 0x10)
	le.PutUint64(second[40:], 0x10)
	return b
}

// FuzzParseELF checks that no input makes the loader panic, and that
// whatever it accepts satisfies the invariants the memory manager needs.
func FuzzParseELF(f *testing.F) {
	f.Add(tinyELF())
	f.Add(twoSegments(tinyELF(), 0x404000))
	f.Add([]byte("\x7fELF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := parseELF(data)
		if err != nil {
			if err != abi.ENOEXEC {
				t.Fatalf("error %v, want ENOEXEC", err)
			}
			return
		}
		for i, s := range img.Segments {
			if s.Vaddr < userLow || s.Vaddr+s.Memsz > userHigh || s.Filesz > s.Memsz ||
				s.Offset+s.Filesz > uint64(len(data)) {
				t.Fatalf("segment %d out of bounds: %+v", i, s)
			}
		}
		if !insideExec(img.Segments, img.Entry) {
			t.Fatalf("entry %#x not executable", img.Entry)
		}
	})
}

func TestScriptFormat(t *testing.T) {
	fs, err := NewRamFS(entries(t,
		exe("bin/prog", tinyELF()),
		exe("bin/script", []byte("#!/bin/prog -x\necho\n")),
		exe("bin/loop", []byte("#!/bin/loop\n")),
		exe("bin/data", []byte("just text")),
		RamFile("bin/noexec", []byte("#!/bin/prog\n"), 0o644),
	))
	if err != nil {
		t.Fatal(err)
	}
	img, err := LoadImage(fs, "/", "/bin/script", []string{"script", "a"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/bin/prog", "-x", "/bin/script", "a"}
	if len(img.Argv) != len(want) || img.Exe != "/bin/prog" || img.Path != "/bin/script" {
		t.Fatalf("script image argv %q exe %q path %q", img.Argv, img.Exe, img.Path)
	}
	for i := range want {
		if img.Argv[i] != want[i] {
			t.Errorf("argv[%d] = %q, want %q", i, img.Argv[i], want[i])
		}
	}
	for path, wantErr := range map[string]error{"/bin/loop": abi.ELOOP, "/bin/data": abi.ENOEXEC,
		"/bin/noexec": abi.EACCES, "/bin": abi.EACCES, "/nope": abi.ENOENT} {
		if _, err := LoadImage(fs, "/", path, nil, nil); err != wantErr {
			t.Errorf("LoadImage(%s) = %v, want %v", path, err, wantErr)
		}
	}
	if img, _ := LoadImage(fs, "/", "/bin/prog", nil, nil); img == nil || len(img.Argv) != 1 || img.Argv[0] != "" {
		t.Errorf("empty argv not given argv[0] = \"\": %+v", img)
	}
}
