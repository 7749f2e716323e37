package image

import (
	"encoding/binary"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// The stub's intended instructions, in Intel syntax as x86asm prints them
// for 32-bit code, with the sample parameters below.
var wantStub = []string{
	"mov edi, 0x1",
	"jmp 0x1ff81c", // over the Multiboot entry, to cli
	"mov edi, 0x2",
	"cli",
	"mov esi, ebx",
	"mov eax, cr4",
	"or eax, 0x620",
	"mov cr4, eax",
	"mov eax, 0x40b000",
	"mov cr3, eax",
	"mov ecx, 0xc0000080",
	"rdmsr",
	"or eax, 0x901",
	"wrmsr",
	"mov eax, cr0",
	"and eax, 0x9ffffffb",
	"or eax, 0x80000003",
	"mov cr0, eax",
	"lgdt ptr [GDTR]",
	"jmp far 0x2c5180, 0x8", // selector 0x08: 64-bit code
}

func TestStubDecodesAs32BitCode(t *testing.T) {
	p := stubParams{base: 0x1ff810, pml4: 0x40b000, entry64: 0x2c5180}
	s := buildStub(p)
	code := s.code
	off := 0
	for i, want := range wantStub {
		inst, err := x86asm.Decode(code[off:], 32)
		if err != nil {
			t.Fatalf("instruction %d at +%d: %v", i, off, err)
		}
		got := strings.ToLower(x86asm.IntelSyntax(inst, uint64(p.base)+uint64(off), nil))
		if strings.HasPrefix(want, "lgdt") {
			gdtr := binary.LittleEndian.Uint32(code[off+3:])
			want = "lgdt ptr [" + hex(gdtr) + "]"
			got = strings.Replace(got, "fword ", "", 1)
		}
		if got != want {
			t.Errorf("instruction %d at +%d: got %q, want %q", i, off, got, want)
		}
		off += inst.Len
	}
	if s.pvhEntry != p.base || s.multibootEntr != p.base+7 {
		t.Errorf("entries: PVH %#x, Multiboot %#x", s.pvhEntry, s.multibootEntr)
	}
	// The GDT follows, 8-aligned, then the pseudo-descriptor lgdt reads.
	gdtOff := align(off, 8)
	gdtr := binary.LittleEndian.Uint32(code[off-7-7+3:])
	if want := p.base + uint32(gdtOff) + gdtBytes; gdtr != want {
		t.Fatalf("lgdt operand %#x, want %#x", gdtr, want)
	}
	if got := binary.LittleEndian.Uint64(code[gdtOff+8:]); got != 0x00AF9A000000FFFF {
		t.Errorf("code descriptor %#x is not 64-bit ring-0 code", got)
	}
	limit := binary.LittleEndian.Uint16(code[gdtOff+gdtBytes:])
	base := binary.LittleEndian.Uint32(code[gdtOff+gdtBytes+2:])
	if limit != gdtBytes-1 || base != p.base+uint32(gdtOff) {
		t.Errorf("GDTR limit %d base %#x", limit, base)
	}
}

func hex(v uint32) string {
	const digits = "0123456789abcdef"
	s := ""
	for ; v != 0; v >>= 4 {
		s = string(digits[v&15]) + s
	}
	return "0x" + s
}

func TestBootTablesMapKernelAndIdentity(t *testing.T) {
	buf := make([]byte, tablePages*pageSize)
	const phys = 0x40b000
	fillTables(buf, phys)
	le := binary.LittleEndian
	pml4 := func(i int) uint64 { return le.Uint64(buf[i*8:]) }
	if pml4(0) != pml4(kernelPML4Idx) || pml4(0)&^0xFFF != phys+pageSize {
		t.Fatalf("PML4[0]=%#x PML4[%d]=%#x", pml4(0), kernelPML4Idx, pml4(kernelPML4Idx))
	}
	// Translate a few addresses through the tables by hand.
	for _, pa := range []uint64{0, TextPhys, 0x12345678, 3<<30 + 0x1000, 4<<30 - 1} {
		va := KernelBase + pa
		pdpt := pml4(int(va>>39&511)) &^ 0xFFF
		pdIdx := le.Uint64(buf[pdpt-phys+(va>>30&511)*8:]) &^ 0xFFF
		e := le.Uint64(buf[pdIdx-phys+(va>>21&511)*8:])
		if e&ptePS == 0 || e&pteP == 0 || e&^0x1FFFFF&^(1<<63)+va&0x1FFFFF != pa {
			t.Errorf("%#x maps through %#x, want physical %#x", va, e, pa)
		}
		if uncached := e&ptePCD != 0; uncached != (pa >= uncachedFrom) {
			t.Errorf("%#x: cache-disabled=%v", pa, uncached)
		}
	}
}
