package binfmt

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"testing"

	"github.com/starry-go/starry/libstarry/mm"
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

// loadInto parses and maps an image into a fresh MM with its stack, as
// Start does; pre is parseELF's error, post loadELF's.
func loadInto(t *testing.T, file []byte) (img *Image, pre, post error) {
	t.Helper()
	img, pre = parseELF(mm.Bytes(file))
	if pre != nil {
		return nil, pre, nil
	}
	m, _ := newMM(t)
	m.SetupStack(img.ExecStack)
	return img, nil, Load(m, img)
}

func TestParseELFValid(t *testing.T) {
	img, pre, post := loadInto(t, tinyELF())
	if pre != nil || post != nil {
		t.Fatal(pre, post)
	}
	if img.Entry != 0x400100 || img.Phdr != 0x400040 || img.Phnum != 1 || img.BrkStart != 0x403000 {
		t.Errorf("image = entry %#x phdr %#x phnum %d brk %#x", img.Entry, img.Phdr, img.Phnum, img.BrkStart)
	}
}

// TestELFChecks follows load_elf_binary: what it refuses before the
// point of no return (the error execve returns), what it accepts, and
// what fails after that point (the process is killed instead).
func TestELFChecks(t *testing.T) {
	le := binary.LittleEndian
	ph := func(b []byte) []byte { return b[64:] }
	put64 := func(off int, v uint64) func([]byte) []byte {
		return func(b []byte) []byte { le.PutUint64(b[off:], v); return b }
	}
	cases := []struct {
		name      string
		edit      func(b []byte) []byte
		pre, post error
	}{
		{"empty", func(b []byte) []byte { return nil }, abi.ENOEXEC, nil},
		{"truncated header", func(b []byte) []byte { return b[:40] }, abi.ENOEXEC, nil},
		{"bad magic", func(b []byte) []byte { b[1] = 'X'; return b }, abi.ENOEXEC, nil},
		{"aarch64", func(b []byte) []byte { le.PutUint16(b[18:], uint16(elf.EM_AARCH64)); return b }, abi.ENOEXEC, nil},
		{"relocatable", func(b []byte) []byte { le.PutUint16(b[16:], uint16(elf.ET_REL)); return b }, abi.ENOEXEC, nil},
		{"core", func(b []byte) []byte { le.PutUint16(b[16:], uint16(elf.ET_CORE)); return b }, abi.ENOEXEC, nil},
		{"phentsize", func(b []byte) []byte { le.PutUint16(b[54:], 32); return b }, abi.ENOEXEC, nil},
		{"no phdrs", func(b []byte) []byte { le.PutUint16(b[56:], 0); return b }, abi.ENOEXEC, nil},
		{"phdrs over a page", func(b []byte) []byte { le.PutUint16(b[56:], 74); return append(b, make([]byte, 4096)...) }, abi.ENOEXEC, nil},
		{"phoff beyond file", put64(32, 0x1000), abi.ENOEXEC, nil},
		{"phnum beyond file", func(b []byte) []byte { le.PutUint16(b[56:], 9); return b }, abi.ENOEXEC, nil},
		{"phoff huge", put64(32, ^uint64(0)-10), abi.ENOEXEC, nil},
		// Linux does not look at these.
		{"32-bit class", func(b []byte) []byte { b[elf.EI_CLASS] = byte(elf.ELFCLASS32); return b }, nil, nil},
		{"big endian", func(b []byte) []byte { b[elf.EI_DATA] = byte(elf.ELFDATA2MSB); return b }, nil, nil},
		{"version 0", func(b []byte) []byte { b[elf.EI_VERSION] = 0; return b }, nil, nil},
		{"entry outside every segment", put64(24, 0x500000), nil, nil},
		{"entry not executable", func(b []byte) []byte { le.PutUint32(ph(b)[4:], uint32(elf.PF_R|elf.PF_W)); return b }, nil, nil},
		{"overlapping segments", func(b []byte) []byte { return twoSegments(b, 0x402000) }, nil, nil},
		{"segments sharing a page", func(b []byte) []byte { return twoSegments(b, 0x402ff0) }, nil, nil},
		{"segments out of order", func(b []byte) []byte { return twoSegments(b, 0x300000) }, nil, nil},
		{"no PT_LOAD", func(b []byte) []byte { le.PutUint32(ph(b), uint32(elf.PT_NOTE)); return b }, nil, nil},
		{"filesz beyond file", func(b []byte) []byte { le.PutUint64(ph(b)[32:], 0x2000); return b }, nil, nil},
		// After the point of no return: the process is killed.
		{"filesz > memsz", func(b []byte) []byte { le.PutUint64(ph(b)[40:], 0x100); return b }, nil, abi.EINVAL},
		{"huge memsz", func(b []byte) []byte { le.PutUint64(ph(b)[40:], 1<<62); return b }, nil, abi.ENOMEM},
		{"vaddr in page zero", func(b []byte) []byte { le.PutUint64(ph(b)[16:], 0); return b }, nil, abi.EPERM},
		{"vaddr in kernel half", func(b []byte) []byte { le.PutUint64(ph(b)[16:], 0xffff800000000000); return b }, nil, abi.ENOMEM},
		{"misaligned offset", func(b []byte) []byte { le.PutUint64(ph(b)[16:], 0x400010); return b }, nil, abi.EINVAL},
		{"over the stack", func(b []byte) []byte { le.PutUint64(ph(b)[16:], mm.StackTop-0x10000); return b }, nil, abi.EEXIST},
		{"entry in the kernel half", put64(24, 0xffff800000000000), nil, abi.EINVAL},
	}
	for _, c := range cases {
		_, pre, post := loadInto(t, c.edit(tinyELF()))
		if pre != c.pre || post != c.post {
			t.Errorf("%s: before the point of no return %v, after %v; want %v, %v", c.name, pre, post, c.pre, c.post)
		}
	}
}

// TestELFInterpreter: a PT_INTERP and the interpreter's headers are
// checked as load_elf_binary checks them before the point of no return;
// the interpreter's type only when it is loaded, after it.
func TestELFInterpreter(t *testing.T) {
	le := binary.LittleEndian
	withInterp := func(path string, filesz uint64) []byte {
		b := twoSegments(tinyELF(), 0x404000)
		second := b[64+56:]
		le.PutUint32(second, uint32(elf.PT_INTERP))
		copy(b[0x180:], path+"\x00")
		le.PutUint64(second[8:], 0x180)
		le.PutUint64(second[32:], filesz)
		return b
	}
	arm, badph, core := tinyELF(), tinyELF(), tinyELF()
	le.PutUint16(arm[18:], uint16(elf.EM_AARCH64))
	le.PutUint16(badph[54:], 32) // e_phentsize
	le.PutUint16(core[16:], uint16(elf.ET_CORE))
	fs := files(exe("bin/none", withInterp("/lib/none.so", 13)),
		exe("bin/short", withInterp("/lib/x", 1)),
		exe("bin/unterminated", withInterp("/lib/ld.so", 10)),
		exe("bin/pastEOF", withInterp("/lib/ld.so", 0x100)),
		exe("bin/empty", withInterp("", 2)),
		exe("bin/text", withInterp("/lib/text.so", 13)),
		exe("bin/elfinterp", withInterp("/lib/ld.so", 11)),
		file("lib/noexec.so", tinyELF(), 0o644),
		exe("bin/noexec", withInterp("/lib/noexec.so", 15)),
		exe("lib/text.so", bytes.Repeat([]byte("text "), 20)),
		exe("lib/ld.so", tinyELF()),
		exe("bin/cut", withInterp("/lib/cut.so", 12)),
		exe("lib/cut.so", tinyELF()[:40]),
		exe("bin/arm", withInterp("/lib/arm.so", 12)),
		exe("lib/arm.so", arm),
		exe("bin/badph", withInterp("/lib/badph.so", 14)),
		exe("lib/badph.so", badph),
		exe("bin/core", withInterp("/lib/core.so", 13)),
		exe("lib/core.so", core),
	)
	for path, want := range map[string]error{"/bin/none": abi.ENOENT, "/bin/short": abi.ENOEXEC,
		"/bin/unterminated": abi.ENOEXEC, "/bin/pastEOF": abi.EIO, "/bin/empty": abi.ENOENT,
		"/bin/text": abi.ELIBBAD, "/bin/noexec": abi.EACCES, "/bin/elfinterp": nil,
		"/bin/cut": abi.EIO, "/bin/arm": abi.ELIBBAD, "/bin/badph": abi.ELIBBAD,
		"/bin/core": nil /* its type is checked after the point of no return */} {
		if _, err := LoadImage(fs, path, nil, nil); err != want {
			t.Errorf("%s: %v, want %v", path, err, want)
		}
	}
	img, _ := LoadImage(fs, "/bin/core", nil, nil)
	m, _ := newMM(t)
	if err := Load(m, img); err != abi.EINVAL {
		t.Errorf("loading an ET_CORE interpreter: %v, want EINVAL (SIGSEGV after the point of no return)", err)
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

// FuzzParseELF checks that no input makes the loader panic, that its
// errors are the ones Linux gives, and that an image it maps leaves the
// memory manager's regions inside the user half.
func FuzzParseELF(f *testing.F) {
	f.Add(tinyELF())
	f.Add(twoSegments(tinyELF(), 0x404000))
	f.Add([]byte("\x7fELF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, pre, post := loadInto(t, data)
		switch pre {
		case nil:
		case abi.ENOEXEC, abi.EIO, abi.EINVAL:
			return
		default:
			t.Fatalf("error %v before the point of no return", pre)
		}
		if post != nil {
			return
		}
		if img.Entry >= mm.TaskSize {
			t.Fatalf("entry %#x outside the user half", img.Entry)
		}
	})
}

func TestScriptFormat(t *testing.T) {
	fs := files(exe("bin/prog", tinyELF()),
		exe("bin/script", []byte("#!/bin/prog -x\necho\n")),
		exe("bin/loop", []byte("#!/bin/loop\n")),
		exe("bin/data", []byte("just text")),
		file("bin/noexec", []byte("#!/bin/prog\n"), 0o644),
	)
	img, err := LoadImage(fs, "/bin/script", []string{"script", "a"}, nil)
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
		if _, err := LoadImage(fs, path, nil, nil); err != wantErr {
			t.Errorf("LoadImage(%s) = %v, want %v", path, err, wantErr)
		}
	}
	if img, _ := LoadImage(fs, "/bin/prog", nil, nil); img == nil || len(img.Argv) != 1 || img.Argv[0] != "" {
		t.Errorf("empty argv not given argv[0] = \"\": %+v", img)
	}
}
