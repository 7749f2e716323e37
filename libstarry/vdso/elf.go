package vdso

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
)

// The image is a one-page ELF64 shared object linked at address 0, as
// Linux's vdso.so is: the ELF header, two program headers (PT_LOAD over
// the whole page, PT_DYNAMIC), .hash, .dynsym, .dynstr, .text,
// .dynamic, then the section headers that debuggers and debug/elf read.
// Loaders (glibc's setup_vdso, musl's __vdsosym, Go's runtime, LTP's
// parse_vdso) need only the program headers and the dynamic table. The
// symbols carry Linux's version, LINUX_2.6 (.gnu.version and
// .gnu.version_d): glibc and musl would take them unversioned, but Go's
// runtime reads the version definitions unconditionally.

// soname is DT_SONAME, what glibc names the object's link map, and the
// base version's name.
const soname = "linux-vdso.so.1"

// version is the version every symbol is defined in, as on Linux.
const version = "LINUX_2.6"

// function is one exported entry: its code and its names, the
// __vdso_ one global, the plain one a weak alias, as Linux exports them.
type function struct {
	name string
	emit func(a *asm)
}

var functions = []function{
	{"clock_gettime", (*asm).clockGettime},
	{"gettimeofday", (*asm).gettimeofday},
	{"time", (*asm).time},
	{"getcpu", (*asm).getcpu},
	{"clock_getres", (*asm).clockGetres},
}

// symbol is one .dynsym entry before encoding.
type symbol struct {
	name        string
	bind        elf.SymBind
	value, size uint64
}

// Section indexes, in the order build writes them.
const (
	shHash = 1 + iota
	shDynsym
	shDynstr
	shVersym
	shVerdef
	shText
	shDynamic
	shShstrtab
	shCount
)

const (
	ehdrSize    = 64
	phdrSize    = 56
	symSize     = 24
	dynSize     = 16
	shdrSize    = 64
	verdefSize  = 20 // Elf64_Verdef
	verdauxSize = 8  // Elf64_Verdaux
	nverdef     = 2  // the base version (the soname) and LINUX_2.6
	verNdx      = 2  // LINUX_2.6's index, every symbol's .gnu.version entry
)

func align(v, to int) int { return (v + to - 1) &^ (to - 1) }

// build lays the image out and encodes it.
func build() []byte {
	var names []string
	for _, f := range functions {
		names = append(names, "__vdso_"+f.name, f.name)
	}
	strtab, strOff := stringTable(append([]string{soname, version}, names...))
	nsym := 1 + len(names)
	hashOff := ehdrSize + 2*phdrSize
	hashSize := 4 * (2 + nsym + nsym)
	symOff := align(hashOff+hashSize, 8)
	strOffset := symOff + nsym*symSize
	versymOff := align(strOffset+len(strtab), 2)
	verdefOff := align(versymOff+2*nsym, 8)
	verdefLen := nverdef * (verdefSize + verdauxSize)
	textOff := align(verdefOff+verdefLen, 16)

	a := newAsm(int64(textOff))
	syms := []symbol{{}}
	for _, f := range functions {
		for len(a.code)%16 != 0 {
			a.op(0xcc) // int3 between functions
		}
		start := len(a.code)
		f.emit(a)
		v, n := uint64(textOff+start), uint64(len(a.code)-start)
		syms = append(syms, symbol{"__vdso_" + f.name, elf.STB_GLOBAL, v, n}, symbol{f.name, elf.STB_WEAK, v, n})
	}
	text := a.finish()
	dynOff := align(textOff+len(text), 8)
	dyn := []elf.Dyn64{
		{Tag: int64(elf.DT_HASH), Val: uint64(hashOff)},
		{Tag: int64(elf.DT_STRTAB), Val: uint64(strOffset)},
		{Tag: int64(elf.DT_SYMTAB), Val: uint64(symOff)},
		{Tag: int64(elf.DT_STRSZ), Val: uint64(len(strtab))},
		{Tag: int64(elf.DT_SYMENT), Val: symSize},
		{Tag: int64(elf.DT_SONAME), Val: uint64(strOff[soname])},
		{Tag: int64(elf.DT_VERSYM), Val: uint64(versymOff)},
		{Tag: int64(elf.DT_VERDEF), Val: uint64(verdefOff)},
		{Tag: int64(elf.DT_VERDEFNUM), Val: nverdef},
		{Tag: int64(elf.DT_NULL)},
	}
	shstrtab, shOff := stringTable([]string{".hash", ".dynsym", ".dynstr", ".gnu.version", ".gnu.version_d", ".text", ".dynamic", ".shstrtab"})
	shstrOffset := dynOff + len(dyn)*dynSize
	shdrOff := align(shstrOffset+len(shstrtab), 8)
	size := shdrOff + shCount*shdrSize
	if size > PageSize {
		panic("vdso: the image outgrew its page")
	}

	var b bytes.Buffer
	put := func(off int, v any) {
		for b.Len() < off {
			b.WriteByte(0)
		}
		_ = binary.Write(&b, binary.LittleEndian, v)
	}
	put(0, header(shdrOff))
	put(ehdrSize, []elf.Prog64{
		{Type: uint32(elf.PT_LOAD), Flags: uint32(elf.PF_R | elf.PF_X), Filesz: uint64(size), Memsz: uint64(size), Align: PageSize},
		{Type: uint32(elf.PT_DYNAMIC), Flags: uint32(elf.PF_R), Off: uint64(dynOff), Vaddr: uint64(dynOff), Paddr: uint64(dynOff),
			Filesz: uint64(len(dyn) * dynSize), Memsz: uint64(len(dyn) * dynSize), Align: 8},
	})
	put(hashOff, sysvHash(syms))
	put(symOff, encodeSyms(syms, strOff))
	put(strOffset, strtab)
	put(versymOff, versyms(nsym))
	put(verdefOff, verdefs(strOff))
	put(textOff, text)
	put(dynOff, dyn)
	put(shstrOffset, shstrtab)
	sec := func(name string, typ elf.SectionType, flags elf.SectionFlag, off, n int, link, info uint32, al, ent int) elf.Section64 {
		return elf.Section64{Name: shOff[name], Type: uint32(typ), Flags: uint64(flags), Addr: uint64(off), Off: uint64(off),
			Size: uint64(n), Link: link, Info: info, Addralign: uint64(al), Entsize: uint64(ent)}
	}
	put(shdrOff, []elf.Section64{
		{},
		sec(".hash", elf.SHT_HASH, elf.SHF_ALLOC, hashOff, hashSize, shDynsym, 0, 8, 4),
		sec(".dynsym", elf.SHT_DYNSYM, elf.SHF_ALLOC, symOff, nsym*symSize, shDynstr, 1, 8, symSize),
		sec(".dynstr", elf.SHT_STRTAB, elf.SHF_ALLOC, strOffset, len(strtab), 0, 0, 1, 0),
		sec(".gnu.version", elf.SHT_GNU_VERSYM, elf.SHF_ALLOC, versymOff, 2*nsym, shDynsym, 0, 2, 2),
		sec(".gnu.version_d", elf.SHT_GNU_VERDEF, elf.SHF_ALLOC, verdefOff, verdefLen, shDynstr, nverdef, 8, 0),
		sec(".text", elf.SHT_PROGBITS, elf.SHF_ALLOC|elf.SHF_EXECINSTR, textOff, len(text), 0, 0, 16, 0),
		sec(".dynamic", elf.SHT_DYNAMIC, elf.SHF_ALLOC, dynOff, len(dyn)*dynSize, shDynstr, 0, 8, dynSize),
		{Name: shOff[".shstrtab"], Type: uint32(elf.SHT_STRTAB), Off: uint64(shstrOffset), Size: uint64(len(shstrtab)), Addralign: 1},
	})
	out := make([]byte, PageSize)
	copy(out, b.Bytes())
	return out
}

// header is the ELF header of an x86-64 shared object.
func header(shoff int) elf.Header64 {
	h := elf.Header64{Type: uint16(elf.ET_DYN), Machine: uint16(elf.EM_X86_64), Version: uint32(elf.EV_CURRENT),
		Phoff: ehdrSize, Shoff: uint64(shoff), Ehsize: ehdrSize, Phentsize: phdrSize, Phnum: 2,
		Shentsize: shdrSize, Shnum: shCount, Shstrndx: shShstrtab}
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	h.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	h.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	h.Ident[elf.EI_OSABI] = byte(elf.ELFOSABI_NONE)
	return h
}

// stringTable joins names NUL-terminated after a leading NUL, and says
// where each starts.
func stringTable(names []string) ([]byte, map[string]uint32) {
	b := []byte{0}
	at := map[string]uint32{}
	for _, n := range names {
		at[n] = uint32(len(b))
		b = append(append(b, n...), 0)
	}
	return b, at
}

// encodeSyms is .dynsym: every function in .text, STT_FUNC.
func encodeSyms(syms []symbol, strOff map[string]uint32) []elf.Sym64 {
	out := make([]elf.Sym64, len(syms))
	for i, s := range syms[1:] {
		out[i+1] = elf.Sym64{Name: strOff[s.name], Info: elf.ST_INFO(s.bind, elf.STT_FUNC), Shndx: shText, Value: s.value, Size: s.size}
	}
	return out
}

// versyms is .gnu.version: the null symbol local (0), every other in
// LINUX_2.6.
func versyms(nsym int) []uint16 {
	v := make([]uint16, nsym)
	for i := 1; i < nsym; i++ {
		v[i] = verNdx
	}
	return v
}

// verdef is Elf64_Verdef followed by its one Elf64_Verdaux.
type verdef struct {
	Version, Flags, Ndx, Cnt uint16
	Hash, Aux, Next          uint32
	Name, AuxNext            uint32
}

// verdefs is .gnu.version_d: the base version, named by the soname
// (VER_FLG_BASE, index 1), then LINUX_2.6 (index 2).
func verdefs(strOff map[string]uint32) []verdef {
	const verFlgBase, step = 1, verdefSize + verdauxSize
	return []verdef{
		{Version: 1, Flags: verFlgBase, Ndx: 1, Cnt: 1, Hash: elfHash(soname), Aux: verdefSize, Next: step, Name: strOff[soname]},
		{Version: 1, Ndx: verNdx, Cnt: 1, Hash: elfHash(version), Aux: verdefSize, Name: strOff[version]},
	}
}

// sysvHash is .hash (DT_HASH): nbucket, nchain, the buckets, the chains,
// one bucket per symbol, each bucket's chain in symbol order.
func sysvHash(syms []symbol) []uint32 {
	n := uint32(len(syms))
	bucket, chain := make([]uint32, n), make([]uint32, n)
	last := make([]uint32, n) // each bucket's last symbol so far
	for i := uint32(1); i < n; i++ {
		h := elfHash(syms[i].name) % n
		if bucket[h] == 0 {
			bucket[h] = i
		} else {
			chain[last[h]] = i
		}
		last[h] = i
	}
	return append(append([]uint32{n, n}, bucket...), chain...)
}

// elfHash is the System V ABI's hash of a symbol name.
func elfHash(name string) uint32 {
	var h uint32
	for i := 0; i < len(name); i++ {
		h = h<<4 + uint32(name[i])
		g := h & 0xf0000000
		h ^= g >> 24
		h &^= g
	}
	return h
}
