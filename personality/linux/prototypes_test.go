package linux

import (
	"strings"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// TestPrototypes: every implemented row declares its arguments, in the
// letters narrow knows, and no prototype names a call the table lacks.
func TestPrototypes(t *testing.T) {
	names := map[string]bool{}
	for _, s := range Table() {
		names[s.Name] = true
		p, ok := prototypeOf(s.Name)
		if s.Fn != nil && !ok {
			t.Errorf("%s has no prototype", s.Name)
		}
		args, ret, _ := strings.Cut(p, ":")
		if len(args) > 6 || strings.Trim(args, "iuldaogcfmxsprM") != "" || (ret != "" && ret != "p" && ret != "n") {
			t.Errorf("%s: bad prototype %q", s.Name, p)
		}
	}
	seen := map[string]bool{}
	for _, m := range allPrototypes() {
		for n := range m {
			if !names[n] {
				t.Errorf("prototype for %s, which the table does not have", n)
			}
			if seen[n] {
				t.Errorf("two prototypes for %s", n)
			}
			seen[n] = true
		}
	}
}

// TestNarrowing: the upper halves of int and unsigned int arguments are
// dropped before a handler sees them, as Linux's wrappers drop them.
func TestNarrowing(t *testing.T) {
	a := narrow("iul", Args{0xdead0000ffffffff, 0xdead000080000000, 0xdead000000000001})
	if a[0] != ^uint64(0) || a[1] != 0x80000000 || a[2] != 0xdead000000000001 {
		t.Errorf("narrow: %#x", a[:3])
	}
	// A program's view: fds and flags with garbage in their upper half
	// work as the low half says.
	_, st := run(t, script(
		sys(abi.SYS_EVENTFD2, 0, 1<<40|abi.EFD_CLOEXEC),
		expect(t, "eventfd2 with flags' upper half set", 3),
		sys(abi.SYS_DUP3, 0xdead<<32|3, 0xbeef<<32|7, 0),
		expect(t, "dup3 with both fds' upper halves set", 7),
		sys(abi.SYS_CLOSE, 1<<32|7),
		expect(t, "close(1<<32|7)", 0),
		sys(abi.SYS_CLOSE, 7),
		expect(t, "close(7) after that", errno(abi.EBADF)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.Code != 0 || st.Signal != 0 {
		t.Errorf("exit status %+v", st)
	}
}
