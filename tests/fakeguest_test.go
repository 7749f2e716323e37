package tests

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// A fake guest is a few bytes of 32-bit code in an ELF that QEMU boots
// through PVH (a Xen note) or Multiboot (an address-field header), like
// the real kernel. It lets the CLI's console parsing, exit statuses and
// error paths be tested on exactly the behaviour each test needs: a given
// status, a crash report, a hang, a triple fault.

const (
	fakeLoad  = 0x100000 // physical address of file offset 0
	fakeCode  = 0x1000   // file offset of the entry point
	fakeMBoff = 0x100    // file offset of the Multiboot header
)

// Instruction bytes; each is valid in 32-bit protected mode.
var (
	insMovDXCOM1  = []byte{0x66, 0xba, 0xf8, 0x03} // mov dx, 0x3f8
	insHaltLoop   = []byte{0xfa, 0xf4, 0xeb, 0xfd} // cli; hlt; jmp hlt
	insTripleFlt  = []byte{0x6a, 0x00, 0x6a, 0x00, 0x0f, 0x01, 0x1c, 0x24, 0x0f, 0x0b}
	insOutDebugFn = func(status byte) []byte { return []byte{0xb0, status, 0xe6, 0xf4} } // mov al, N; out 0xf4, al
)

// fakeCodePrint returns code that writes text to COM1.
func fakeCodePrint(text string) []byte {
	code := append([]byte{}, insMovDXCOM1...)
	for i := 0; i < len(text); i++ {
		code = append(code, 0xb0, text[i], 0xee) // mov al, c; out dx, al
	}
	return code
}

// fakeGuestExit prints text, then powers off with status.
func fakeGuestExit(text string, status byte) []byte {
	code := fakeCodePrint(text)
	code = append(code, insOutDebugFn(status)...)
	return append(code, insHaltLoop...)
}

// fakeELF wraps code into an ELF64 image with a PVH note and a Multiboot
// header, loaded at fakeLoad with the entry at fakeLoad+fakeCode.
func fakeELF(code []byte) []byte {
	const ehdr, phdr = 64, 56
	le := binary.LittleEndian
	entry := uint64(fakeLoad + fakeCode)
	size := uint64(fakeCode + len(code))
	var b bytes.Buffer
	ident := []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	b.Write(ident)
	binary.Write(&b, le, []uint16{2, 62})          // ET_EXEC, EM_X86_64
	binary.Write(&b, le, uint32(1))                // EV_CURRENT
	binary.Write(&b, le, []uint64{entry, ehdr, 0}) // entry, phoff, shoff
	binary.Write(&b, le, uint32(0))                // flags
	binary.Write(&b, le, []uint16{ehdr, phdr, 2, 64, 0, 0})
	noteOff := uint64(ehdr + 2*phdr)
	// PT_LOAD of the whole file, then PT_NOTE of the Xen note.
	binary.Write(&b, le, []uint32{1, 5})
	binary.Write(&b, le, []uint64{0, fakeLoad, fakeLoad, size, size, 0x1000})
	binary.Write(&b, le, []uint32{4, 4})
	binary.Write(&b, le, []uint64{noteOff, 0, 0, 24, 24, 4})
	// XEN_ELFNOTE_PHYS32_ENTRY: namesz 4, descsz 8, type 18, "Xen\0", entry.
	binary.Write(&b, le, []uint32{4, 8, 18})
	b.WriteString("Xen\x00")
	binary.Write(&b, le, entry)
	b.Write(make([]byte, fakeMBoff-b.Len()))
	const magic, flags = 0x1badb002, 1 << 16
	binary.Write(&b, le, []uint32{magic, flags, uint32(-(magic + flags) & 0xffffffff),
		fakeLoad + fakeMBoff, fakeLoad, 0, 0, uint32(entry)})
	b.Write(make([]byte, fakeCode-b.Len()))
	b.Write(code)
	return b.Bytes()
}

// writeFakeGuest stores a fake guest in the test's temporary directory.
func writeFakeGuest(t *testing.T, name string, code []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, fakeELF(code), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
