package linux

import (
	"fmt"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Support says how much of a system call is implemented.
type Support int

const (
	Supported Support = iota + 1 // behaves as on Linux for the cases that arise here
	Partial                      // works for common use; Note says what differs
	Refused                      // always fails with an errno; Note says why
)

func (s Support) String() string {
	return map[Support]string{Supported: "supported", Partial: "partial", Refused: "refused"}[s]
}

// Args are a system call's six raw arguments.
type Args [6]uint64

// Handler decodes arguments, calls libstarry and returns the result or a
// typed error, which Dispatch turns into -errno.
type Handler func(t *libstarry.Thread, a Args) (uint64, error)

// Syscall is one row of the table: the compatibility document.
type Syscall struct {
	Nr      uint64
	Name    string
	Fn      Handler // nil for Refused rows
	Support Support
	Errno   abi.Errno // what a Refused row answers
	Note    string
	Proto   string // the arguments' C types (prototypes.go)
}

// table is the x86-64 system call table, indexed by number (nil: no
// row). It is built once and never written afterwards; a slice, not a
// map, because every system call looks itself up in it.
var table = buildTable()

// buildTable indexes the groups' rows by number. The rows are static
// composite literals: the linker lays them out, so no code builds them
// at boot (functions returning them were 8,000 instructions that QEMU
// translated on every boot).
func buildTable() []*Syscall {
	var t []*Syscall
	for _, group := range [][]Syscall{rwRows, fsRows, pathRows, fileRows, spliceRows, statRows, xattrRows, mountRows, credRows, mmRows, signalRows,
		threadRows, processRows, infoRows, timeRows, pollRows, socketRows, ipcRows,
		timerRows, schedRows, ptraceRows, fsmountRows, rebootRows} {
		for _, s := range group {
			for uint64(len(t)) <= s.Nr {
				t = append(t, nil)
			}
			if t[s.Nr] != nil {
				panic(fmt.Sprintf("linux: syscall %d (%s) listed twice", s.Nr, s.Name))
			}
			s.Proto, _ = prototypeOf(s.Name)
			t[s.Nr] = &s
		}
	}
	return t
}

// row is the table's row for nr, or nil.
func row(nr uint64) *Syscall {
	if nr < uint64(len(table)) {
		return table[nr]
	}
	return nil
}

// prototypeOf finds a call's prototype in the map of its file.
func prototypeOf(name string) (string, bool) {
	for _, m := range allPrototypes() {
		if p, ok := m[name]; ok {
			return p, true
		}
	}
	return "", false
}

// allPrototypes are the prototype maps: prototypes.go's and the ones
// newer groups keep beside their rows.
func allPrototypes() []map[string]string {
	return []map[string]string{prototypes, timerPrototypes, schedPrototypes, ptracePrototypes, fsmountPrototypes, rebootPrototypes}
}

// Table lists the rows by number, for documentation and tests.
func Table() []Syscall {
	var out []Syscall
	for _, s := range table {
		if s != nil {
			out = append(out, *s)
		}
	}
	return out
}

// Dispatch serves the system call t trapped with: the personality's
// libstarry.SyscallHandler. The result, or -errno, goes to RAX.
func Dispatch(t *libstarry.Thread) {
	regs := t.Regs()
	nr, raw := regs.Syscall()
	s := row(nr)
	if s == nil {
		if name, known := abi.SyscallNames[nr]; known {
			t.P.LogOnce(name, fmt.Sprintf("linux: %s (%d) is not implemented: ENOSYS", name, nr))
		} else {
			t.P.LogOnce("?", fmt.Sprintf("linux: system call numbers Linux does not have get ENOSYS (the first was %d)", nr))
		}
		regs.RAX = negErrno(abi.ENOSYS)
		return
	}
	if tr := t.P.Trace(); tr != nil && tr.Wants(s.Name) {
		traced(t, *s, Args(raw), tr, func() { serve(t, s, nr, raw) })
		return
	}
	serve(t, s, nr, raw)
}

// serve runs a row's handler and puts its result or -errno in RAX; a
// refused row answers its errno.
func serve(t *libstarry.Thread, s *Syscall, nr uint64, raw [6]uint64) {
	regs := t.Regs()
	if s.Fn == nil {
		regs.RAX = negErrno(s.Errno)
		return
	}
	v, err := s.Fn(t, narrow(s.Proto, Args(raw)))
	switch {
	case t.Interrupt(err, nr): // -ERESTART*: settled on the way out
	case err == errKeepRegs:
	case err != nil:
		regs.RAX = negErrno(errnoOf(err))
	default:
		regs.RAX = v
	}
}
