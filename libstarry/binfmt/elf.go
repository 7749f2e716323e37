package binfmt

import (
	"bytes"
	"debug/elf"
	"encoding/binary"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The ELF loader mirrors fs/binfmt_elf.c's load_elf_binary, split where
// Linux splits it: parseELF is the work before begin_new_exec (the point
// of no return), whose failures execve returns; loadELF (elfload.go) is
// the mapping loop after it, whose failures kill the new process with
// SIGSEGV, as bprm_execve's force_fatal_sig does. Each rule names the
// Linux check it follows; Linux checks nothing else (not EI_CLASS,
// EI_DATA or EI_VERSION, not where the entry point is, not whether
// segments are sorted or overlap), and neither does this loader.

const (
	ehdrSize = 64
	phdrSize = 56
	pathMax  = 4096 // PATH_MAX
	pageMask = exo.PageSize - 1
)

// Prog is one program header, as in the file (Elf64_Phdr).
type Prog struct {
	Type                 elf.ProgType
	Flags                elf.ProgFlag
	Offset, Vaddr        uint64
	Filesz, Memsz, Align uint64
}

// Image is everything about a new program gathered before the old one is
// touched, like Linux's struct linux_binprm plus what load_elf_binary
// computes. parseELF fills the header fields; loadELF the addresses.
type Image struct {
	Path      string // as given to exec (AT_EXECFN)
	Exe       string // the binary actually loaded (/proc/self/exe)
	File      mm.Object
	Type      elf.Type
	Progs     []Prog
	Phoff     uint64
	Phnum     uint64
	EEntry    uint64 // e_entry as written (before the load bias)
	Interp    string // PT_INTERP's path, "" for a static program
	ExecStack bool   // PT_GNU_STACK asked for an executable stack
	// Interpreter is the dynamic linker PT_INTERP names, parsed; it is
	// loaded beside the program, which it then starts.
	Interpreter *Image

	// Set by Load.
	Entry    uint64 // the program's entry (AT_ENTRY)
	Start    uint64 // where the first instruction runs: Entry, or the interpreter's
	Base     uint64 // AT_BASE: the interpreter's load address, or 0
	Phdr     uint64 // AT_PHDR
	Bias     uint64 // load bias: 0 for ET_EXEC
	BrkStart uint64
	VDSO     uint64 // AT_SYSINFO_EHDR: the vDSO's ELF header, 0 for none (set by exec)
	Argv     []string
	Envv     []string
}

// parseELF makes load_elf_binary's checks before the point of no return.
func parseELF(file mm.Object) (*Image, error) {
	var h [ehdrSize]byte // bprm->buf: the file's start, zero-padded
	copy(h[:], mm.ReadFull(file, 0, ehdrSize))
	le := binary.LittleEndian
	typ, machine := elf.Type(le.Uint16(h[16:])), elf.Machine(le.Uint16(h[18:]))
	switch {
	case !bytes.Equal(h[:4], []byte(elf.ELFMAG)): // memcmp(e_ident, ELFMAG, SELFMAG)
		return nil, abi.ENOEXEC
	case typ != elf.ET_EXEC && typ != elf.ET_DYN:
		return nil, abi.ENOEXEC
	case machine != elf.EM_X86_64: // elf_check_arch
		return nil, abi.ENOEXEC
	}
	img, err := parseHeaders(file)
	if err != nil {
		return nil, err
	}
	for _, p := range img.Progs {
		if p.Type == elf.PT_INTERP {
			interp, err := interpPath(file, p)
			if err != nil {
				return nil, err
			}
			img.Interp = interp
			break // only the first PT_INTERP counts
		}
	}
	for _, p := range img.Progs {
		if p.Type == elf.PT_GNU_STACK { // the last one wins
			img.ExecStack = p.Flags&elf.PF_X != 0
		}
	}
	return img, nil
}

// parseHeaders reads the ELF header's fields and the program headers as
// load_elf_phdrs does: the entry size, a total of at most a page, all of
// it in the file; any failure there is ENOEXEC.
func parseHeaders(file mm.Object) (*Image, error) {
	le := binary.LittleEndian
	var h [ehdrSize]byte // zero-padded, as bprm->buf
	copy(h[:], mm.ReadFull(file, 0, ehdrSize))
	flen := uint64(file.Size())
	img := &Image{File: file, Type: elf.Type(le.Uint16(h[16:])), EEntry: le.Uint64(h[24:]), Phoff: le.Uint64(h[32:]),
		Phnum: uint64(le.Uint16(h[56:]))}
	size := img.Phnum * phdrSize
	if le.Uint16(h[54:]) != phdrSize || size == 0 || size > exo.PageSize ||
		img.Phoff > flen || size > flen-img.Phoff {
		return nil, abi.ENOEXEC
	}
	table := mm.ReadFull(file, img.Phoff, size)
	if uint64(len(table)) != size {
		return nil, abi.ENOEXEC
	}
	for i := uint64(0); i < img.Phnum; i++ {
		ph := table[i*phdrSize:]
		img.Progs = append(img.Progs, Prog{Type: elf.ProgType(le.Uint32(ph)), Flags: elf.ProgFlag(le.Uint32(ph[4:])),
			Offset: le.Uint64(ph[8:]), Vaddr: le.Uint64(ph[16:]), Filesz: le.Uint64(ph[32:]),
			Memsz: le.Uint64(ph[40:]), Align: le.Uint64(ph[48:])})
	}
	return img, nil
}

// interpPath reads PT_INTERP's string as load_elf_binary does: 2 to
// PATH_MAX bytes (ENOEXEC), all in the file (elf_read: EIO, or EINVAL
// for an offset kernel_read takes as negative), NUL-terminated (ENOEXEC).
func interpPath(file mm.Object, p Prog) (string, error) {
	flen := uint64(file.Size())
	switch {
	case p.Filesz > pathMax || p.Filesz < 2:
		return "", abi.ENOEXEC
	case p.Offset >= 1<<63:
		return "", abi.EINVAL
	case p.Offset > flen || p.Filesz > flen-p.Offset:
		return "", abi.EIO
	}
	s := mm.ReadFull(file, p.Offset, p.Filesz)
	if uint64(len(s)) != p.Filesz || s[len(s)-1] != 0 {
		return "", abi.ENOEXEC
	}
	return string(s[:bytes.IndexByte(s, 0)]), nil
}

// parseInterp makes load_elf_binary's checks of the interpreter before
// the point of no return: its header read whole (EIO if the file is
// shorter), ELFMAG and x86-64 (ELIBBAD), and program headers that
// load_elf_phdrs accepts (ELIBBAD). Its type is load_elf_interp's check,
// after the point of no return.
func parseInterp(file mm.Object) (*Image, error) {
	data := mm.ReadFull(file, 0, ehdrSize)
	if len(data) < ehdrSize {
		return nil, abi.EIO
	}
	le := binary.LittleEndian
	if !bytes.Equal(data[:4], []byte(elf.ELFMAG)) || elf.Machine(le.Uint16(data[18:])) != elf.EM_X86_64 {
		return nil, abi.ELIBBAD
	}
	img, err := parseHeaders(file)
	if err != nil {
		return nil, abi.ELIBBAD
	}
	return img, nil
}

// protOf turns p_flags into a protection (make_prot).
func protOf(f elf.ProgFlag) exo.Perm {
	var p exo.Perm
	if f&elf.PF_R != 0 {
		p |= exo.PermRead
	}
	if f&elf.PF_W != 0 {
		p |= exo.PermWrite
	}
	if f&elf.PF_X != 0 {
		p |= exo.PermExec
	}
	return p
}

func pageUp(v uint64) uint64   { return (v + pageMask) &^ pageMask }
func pageDown(v uint64) uint64 { return v &^ pageMask }
