package libstarry

import (
	"bytes"
	"encoding/binary"

	"github.com/starry-go/starry/libstarry/mm"
)

// startupStrings finds a process's argv and envp strings and its
// auxiliary vector where exec left them (binfmt.BuildStack, after
// create_elf_tables), for /proc/PID/cmdline, environ and auxv: Linux
// keeps mm->arg_start, env_end and saved_auxv, the library OS keeps
// none of them, so they are read back from the top of the stack, whose
// layout is known. From the top down: AT_EXECFN's string, the argv and
// envp strings, "x86_64", 16 random bytes; below them argc, the argv
// and envp pointers and the auxv pairs. AT_RANDOM's pair is found by
// what it points at; argc is where the pointers to those strings start
// (in any order, since getopt may permute them). Nothing is returned
// when the layout is not found (the program rewrote its start-up area).
// The strings are as they are now, as Linux's reads of arg_start..env_end
// show a program's changes to them (setproctitle).
func startupStrings(m *mm.MM) (cmdline, environ, auxv []byte) {
	const top = mm.StackTop - 8
	for size := uintptr(8 << 10); size <= 4<<20; size *= 2 {
		lo := uintptr(top) - size
		buf := make([]byte, size)
		if m.Peek(lo, buf) != nil {
			return nil, nil, nil
		}
		if c, e, a, ok := parseStartup(buf, uint64(lo)); ok {
			return c, e, a
		}
	}
	return nil, nil, nil
}

// Auxiliary-vector keys the search uses.
const (
	atRandom = 25
	atExecfn = 31
)

// parseStartup looks for the start-up area in buf, the user memory at
// base up to the stack's top.
func parseStartup(buf []byte, base uint64) (cmdline, environ, auxv []byte, ok bool) {
	word := func(va uint64) (uint64, bool) {
		if va < base || va+8 > base+uint64(len(buf)) {
			return 0, false
		}
		return binary.LittleEndian.Uint64(buf[va-base:]), true
	}
	end := base + uint64(len(buf))
	for q := end - 16; q >= base && q < end; q -= 8 {
		if w, _ := word(q); w != atRandom {
			continue
		}
		random, _ := word(q + 8)
		args := random + 16 + uint64(len("x86_64\x00"))
		if random < base || args > end || !bytes.Equal(buf[random+16-base:args-base], []byte("x86_64\x00")) {
			continue
		}
		execfn, ok := auxValue(buf, base, q, atExecfn)
		if !ok || execfn < args || execfn > end {
			continue
		}
		return splitStartup(buf, base, q, args, execfn)
	}
	return nil, nil, nil, false
}

// auxValue is key's value in the vector holding the pair at q.
func auxValue(buf []byte, base, q, key uint64) (uint64, bool) {
	end := base + uint64(len(buf))
	for p := q; p+16 <= end; p += 16 {
		k := binary.LittleEndian.Uint64(buf[p-base:])
		if k == key {
			return binary.LittleEndian.Uint64(buf[p+8-base:]), true
		}
		if k == 0 {
			break
		}
	}
	return 0, false
}

// splitStartup finds the vector's start below its AT_RANDOM pair at q
// (the lowest of a run of pairs with keys of auxvec.h's range), then
// argc where the words for n strings put it: argc, argv, NULL, envp,
// NULL, the vector. Only argc and the NULLs are checked, not the
// pointers: programs rewrite argv's (busybox's getopt32 does) and
// unsetenv shifts envp's, while Linux reads the strings, never the
// pointers.
func splitStartup(buf []byte, base, q, args, execfn uint64) (cmdline, environ, auxv []byte, ok bool) {
	var order []uint64
	for s := args; s < execfn; {
		order = append(order, s)
		i := bytes.IndexByte(buf[s-base:execfn-base], 0)
		if i < 0 {
			return nil, nil, nil, false
		}
		s += uint64(i) + 1
	}
	n := uint64(len(order))
	at := func(va uint64) uint64 { return binary.LittleEndian.Uint64(buf[va-base:]) }
	vec := q
	for vec-16 >= base && vec-16 < vec && at(vec-16) > 0 && at(vec-16) < 64 {
		vec -= 16
	}
	sp := vec - 8*(n+3)
	if sp < base || sp > vec {
		return nil, nil, nil, false
	}
	argc := at(sp)
	if argc == 0 || argc > n || at(sp+8*(argc+1)) != 0 || at(vec-8) != 0 {
		return nil, nil, nil, false
	}
	vend := vec
	for vend+16 <= base+uint64(len(buf)) && at(vend) != 0 {
		vend += 16
	}
	envStart := execfn
	if argc < n {
		envStart = order[argc]
	}
	return copyBytes(buf[args-base : envStart-base]), copyBytes(buf[envStart-base : execfn-base]),
		copyBytes(buf[vec-base : vend+16-base]), true
}

func copyBytes(b []byte) []byte { return append([]byte(nil), b...) }
