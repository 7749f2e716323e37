package image

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

var (
	kernelOnce sync.Once
	kernelRaw  []byte
	kernelErr  error
)

// linkKernel links ./kernel the way `starry build` does.
func linkKernel(t *testing.T, extra ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "kernel.elf")
	args := append([]string{"build", "-o", out}, GoBuildFlags()...)
	if len(extra) > 0 {
		args = []string{"build", "-o", out, "-ldflags", GoBuildFlags()[1] + " " + strings.Join(extra, " ")}
	}
	cmd := exec.Command("go", append(args, "github.com/starry-go/starry/kernel")...)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func kernel(t *testing.T) []byte {
	kernelOnce.Do(func() { kernelRaw = linkKernel(t) })
	if kernelRaw == nil {
		t.Fatal("kernel did not build")
	}
	return kernelRaw
}

func TestRewriteKernel(t *testing.T) {
	raw := kernel(t)
	img, err := Build(raw)
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.NewFile(bytes.NewReader(img.Bytes))
	if err != nil {
		t.Fatal(err)
	}
	var loads int
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			loads++
			if p.Paddr != p.Vaddr-KernelBase || p.Paddr-p.Off != img.LoadPhys {
				t.Errorf("segment vaddr %#x: paddr %#x, offset %#x", p.Vaddr, p.Paddr, p.Off)
			}
		}
		if p.Type == elf.PT_NOTE {
			checkXenNote(t, img, p)
		}
	}
	if loads < 2 {
		t.Fatalf("%d loadable segments", loads)
	}
	if text := f.Section(".text"); text.Addr-KernelBase != TextPhys {
		t.Errorf(".text at physical %#x, want %#x", text.Addr-KernelBase, TextPhys)
	}
	checkMultiboot(t, img)
	checkStubJumpsToEntry64(t, f, img)
	if !bytes.Equal(raw[:16], img.Bytes[:16]) || bytes.Equal(raw, img.Bytes) {
		t.Error("the image should differ from the input only in rewritten places")
	}
}

func checkXenNote(t *testing.T, img *Image, p *elf.Prog) {
	n := img.Bytes[p.Off : p.Off+p.Filesz]
	le := binary.LittleEndian
	if len(n) != xenNoteLen || le.Uint32(n[8:]) != xenPhys32Entry || string(n[12:16]) != "Xen\x00" {
		t.Fatalf("PT_NOTE is not the Xen PVH note: % x", n)
	}
	if got := le.Uint64(n[16:]); got != uint64(img.PVHEntry) {
		t.Errorf("PVH entry %#x, want %#x", got, img.PVHEntry)
	}
}

func checkMultiboot(t *testing.T, img *Image) {
	le := binary.LittleEndian
	for off := 0; off+mbHeaderLen <= 8192; off += 4 {
		h := img.Bytes[off:]
		if le.Uint32(h) != mbMagic {
			continue
		}
		if le.Uint32(h)+le.Uint32(h[4:])+le.Uint32(h[8:]) != 0 {
			t.Fatal("Multiboot checksum does not sum to zero")
		}
		want := []uint32{uint32(img.LoadPhys) + uint32(off), uint32(img.LoadPhys),
			uint32(img.LoadEndPhys), uint32(img.BSSEndPhys), img.MultibootEntry}
		for i, w := range want {
			if got := le.Uint32(h[12+4*i:]); got != w {
				t.Errorf("Multiboot field %d = %#x, want %#x", i, got, w)
			}
		}
		if img.LoadEndPhys-img.LoadPhys > uint64(len(img.Bytes)) {
			t.Error("load_end_addr is past the end of the file")
		}
		return
	}
	t.Fatal("no Multiboot header in the first 8 KiB")
}

// checkStubJumpsToEntry64 decodes the stub inside the image and follows
// it to its far jump, which must reach entry64's physical address.
func checkStubJumpsToEntry64(t *testing.T, f *elf.File, img *Image) {
	entry, err := symbolPhys(f, SymEntry64)
	if err != nil {
		t.Fatal(err)
	}
	code := img.Bytes[img.StubOffset : img.StubOffset+img.StubLen]
	for off := 0; off < len(code); {
		inst, err := x86asm.Decode(code[off:], 32)
		if err != nil {
			t.Fatalf("stub +%d: %v", off, err)
		}
		if inst.Op == x86asm.LJMP {
			// x86asm gives the selector first, then the offset.
			if sel, imm := inst.Args[0].(x86asm.Imm), uint64(inst.Args[1].(x86asm.Imm)); sel != gdtCode || imm != entry {
				t.Errorf("far jump to %#x, want entry64 at %#x", imm, entry)
			}
			return
		}
		off += inst.Len
	}
	t.Fatal("no far jump in the stub")
}

func TestRewriteRejectsBadInput(t *testing.T) {
	raw := kernel(t)
	notELF := []byte("not an ELF file at all")
	wrongClass := bytes.Clone(raw)
	wrongClass[4] = byte(elf.ELFCLASS32)
	wrongMachine := bytes.Clone(raw)
	binary.LittleEndian.PutUint16(wrongMachine[18:], uint16(elf.EM_AARCH64))
	for name, in := range map[string][]byte{"not ELF": notELF, "32-bit": wrongClass, "arm64": wrongMachine, "truncated": raw[:100]} {
		if _, err := Rewrite(in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	stripped := linkKernel(t, "-s")
	if _, err := Rewrite(stripped); err == nil || !strings.Contains(err.Error(), "symbol") {
		t.Errorf("stripped kernel: %v", err)
	}
}
