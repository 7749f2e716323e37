package binfmt

import (
	"encoding/binary"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/mm"
)

// platform is AT_PLATFORM, Linux's ELF_PLATFORM on x86-64.
const platform = "x86_64"

// clockTicks is AT_CLKTCK: USER_HZ, which Linux fixes at 100.
const clockTicks = 100

// maxArgBytes caps argv plus envp like Linux's limit of a quarter of the
// 8 MiB stack rlimit (E2BIG beyond it).
const maxArgBytes = mm.StackSize / 4

// auxvFor lists the auxiliary vector in create_elf_tables' order:
// ARCH_DLINFO's AT_SYSINFO_EHDR first, when the process has a vDSO.
// Strings are passed as their addresses.
func auxvFor(img *Image, hwcap uint64, creds [4]uint64, random, execfn, plat uint64) [][2]uint64 {
	var arch [][2]uint64
	if img.VDSO != 0 {
		arch = append(arch, [2]uint64{AT_SYSINFO_EHDR, img.VDSO})
	}
	return append(arch, [][2]uint64{
		{AT_HWCAP, hwcap},
		{AT_PAGESZ, exo.PageSize},
		{AT_CLKTCK, clockTicks},
		{AT_PHDR, img.Phdr},
		{AT_PHENT, phdrSize},
		{AT_PHNUM, img.Phnum},
		{AT_BASE, img.Base},
		{AT_FLAGS, 0},
		{AT_ENTRY, img.Entry},
		{AT_UID, creds[0]},
		{AT_EUID, creds[1]},
		{AT_GID, creds[2]},
		{AT_EGID, creds[3]},
		{AT_SECURE, 0},
		{AT_RANDOM, random},
		{AT_HWCAP2, 0},
		{AT_EXECFN, execfn},
		{AT_PLATFORM, plat},
		{AT_NULL, 0},
	}...)
}

// BuildStack writes the initial stack into the stack region the way
// Linux's copy_strings and create_elf_tables lay it out, from the top:
// a NULL word, AT_EXECFN's string, the argv and envp strings, the
// platform string, 16 random bytes; then, 16-byte aligned at the final
// SP: argc, argv pointers, NULL, envp pointers, NULL, auxv pairs.
func BuildStack(m *mm.MM, img *Image, hwcap uint64, creds [4]uint64) (uintptr, error) {
	sp := uint64(mm.StackTop - 8)
	put := func(b []byte) (uint64, error) {
		sp -= uint64(len(b))
		return sp, m.CopyOut(uintptr(sp), b)
	}
	putStr := func(s string) (uint64, error) { return put(append([]byte(s), 0)) }
	execfn, err := putStr(img.Path)
	if err != nil {
		return 0, err
	}
	strs := append(img.Argv[:len(img.Argv):len(img.Argv)], img.Envv...)
	addrs := make([]uint64, len(strs))
	for i := len(strs) - 1; i >= 0; i-- {
		if addrs[i], err = putStr(strs[i]); err != nil {
			return 0, err
		}
	}
	plat, err := putStr(platform)
	if err != nil {
		return 0, err
	}
	var rnd [16]byte
	exo.Random(rnd[:])
	random, err := put(rnd[:])
	if err != nil {
		return 0, err
	}
	aux := auxvFor(img, hwcap, creds, random, execfn, plat)
	words := []uint64{uint64(len(img.Argv))}
	words = append(words, addrs[:len(img.Argv)]...)
	words = append(words, 0)
	words = append(words, addrs[len(img.Argv):]...)
	words = append(words, 0)
	for _, a := range aux {
		words = append(words, a[0], a[1])
	}
	sp = (sp &^ 15) - uint64(len(words))*8
	sp &^= 15 // STACK_ROUND: argc sits at a 16-byte boundary
	buf := make([]byte, len(words)*8)
	for i, w := range words {
		binary.LittleEndian.PutUint64(buf[i*8:], w)
	}
	if err := m.CopyOut(uintptr(sp), buf); err != nil {
		return 0, err
	}
	return uintptr(sp), nil
}
