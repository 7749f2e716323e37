package image

import "encoding/binary"

// The 32-bit entry stub. PVH and Multiboot loaders both enter in 32-bit
// protected mode with paging off and EBX pointing at their boot
// information. The stub records which protocol entered (EDI) and the
// information pointer (ESI), turns on long mode with the boot page tables,
// and far-jumps to entry64 in 64-bit mode. Its bytes are generated here and
// checked instruction by instruction with x86asm in stub_test.go.

// stubParams are the physical addresses the stub needs.
type stubParams struct {
	base    uint32 // where the stub itself is loaded
	pml4    uint32 // boot PML4
	entry64 uint32 // physical address of hw/x86_64.entry64
}

// stub is the generated code plus its GDT, and where each entry starts.
type stub struct {
	code          []byte
	pvhEntry      uint32
	multibootEntr uint32
}

const (
	cr4Bits  = 1<<5 | 1<<9 | 1<<10  // PAE, OSFXSR, OSXMMEXCPT: long mode and SSE for Go
	eferBits = 1<<0 | 1<<8 | 1<<11  // SCE (SYSCALL), LME (long mode), NXE
	cr0Clear = 1<<2 | 1<<29 | 1<<30 // EM (x87 emulation), NW, CD: caches on, FPU real
	cr0Set   = 1<<31 | 1<<1 | 1<<0  // PG, MP, PE
	gdtCode  = 0x08                 // selector of the 64-bit code descriptor
	gdtBytes = 3 * 8                // null, code64, data
	eferMSR  = 0xC0000080
)

// buildStub lays out: PVH entry, Multiboot entry, common code, then the
// GDT and the pseudo-descriptor that lgdt reads.
func buildStub(p stubParams) stub {
	var b []byte
	le := binary.LittleEndian
	imm32 := func(v uint32) { b = le.AppendUint32(b, v) }

	s := stub{pvhEntry: p.base}
	b = append(b, 0xBF) // mov edi, ProtoPVH
	imm32(ProtoPVH)
	b = append(b, 0xEB, 5) // jmp over the Multiboot entry (5 bytes)
	s.multibootEntr = p.base + uint32(len(b))
	b = append(b, 0xBF) // mov edi, ProtoMultiboot
	imm32(ProtoMultiboot)

	b = append(b, 0xFA)             // cli
	b = append(b, 0x89, 0xDE)       // mov esi, ebx   (boot information)
	b = append(b, 0x0F, 0x20, 0xE0) // mov eax, cr4
	b = append(b, 0x0D)             // or eax, cr4Bits
	imm32(cr4Bits)
	b = append(b, 0x0F, 0x22, 0xE0) // mov cr4, eax
	b = append(b, 0xB8)             // mov eax, pml4
	imm32(p.pml4)
	b = append(b, 0x0F, 0x22, 0xD8) // mov cr3, eax
	b = append(b, 0xB9)             // mov ecx, EFER
	imm32(eferMSR)
	b = append(b, 0x0F, 0x32) // rdmsr
	b = append(b, 0x0D)       // or eax, eferBits
	imm32(eferBits)
	b = append(b, 0x0F, 0x30)       // wrmsr
	b = append(b, 0x0F, 0x20, 0xC0) // mov eax, cr0
	b = append(b, 0x25)             // and eax, ^cr0Clear
	imm32(^uint32(cr0Clear))
	b = append(b, 0x0D) // or eax, cr0Set
	imm32(cr0Set)
	b = append(b, 0x0F, 0x22, 0xC0) // mov cr0, eax: paging on, now in compatibility mode

	codeLen := len(b) + 7 + 7 // this lgdt and the far jmp below
	gdtAt := p.base + uint32(align(codeLen, 8))
	gdtrAt := gdtAt + gdtBytes
	b = append(b, 0x0F, 0x01, 0x15) // lgdt [gdtr]
	imm32(gdtrAt)
	b = append(b, 0xEA) // jmp far gdtCode:entry64
	imm32(p.entry64)
	b = le.AppendUint16(b, gdtCode)

	for len(b) < align(codeLen, 8) {
		b = append(b, 0xCC) // int3 padding, never executed
	}
	b = le.AppendUint64(b, 0)                  // null descriptor
	b = le.AppendUint64(b, 0x00AF9A000000FFFF) // 64-bit code, DPL 0
	b = le.AppendUint64(b, 0x00CF92000000FFFF) // data, DPL 0
	b = le.AppendUint16(b, gdtBytes-1)         // pseudo-descriptor: limit
	b = le.AppendUint32(b, gdtAt)              // and 32-bit base
	s.code = b
	return s
}

func align(n, a int) int { return (n + a - 1) &^ (a - 1) }
