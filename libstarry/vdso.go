package libstarry

import (
	"fmt"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/libstarry/vdso"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Clock is the machine's clock as the kernel reads it, for the vDSO:
// Now() = ((TSC - TSCBoot) * Mult) >> 32 in ns, and Unix time is
// WallBoot + Now(). The zero Clock (no Now) gives processes no vDSO,
// so libc reads the clock through the system calls.
type Clock struct {
	TSCBoot, Mult uint64
	WallBoot      int64
	Now           func() int64
}

// vdsoPages are the two pages exec maps into every process
// (arch_setup_additional_pages): [vvar], the clock's parameters, and
// [vdso], the code. Each process gets its own copy of each page at its
// first touch (mm.Bytes), which for pages that never change is as good
// as sharing them.
type vdsoPages struct{ data, code mm.Object }

// newVDSO builds the pages for the clock, whose CLOCK_MONOTONIC counts
// from boot; nil without a clock.
func newVDSO(c Clock, boot time.Time) *vdsoPages {
	if c.Now == nil || c.Mult == 0 {
		return nil
	}
	p := vdso.Params{TSCBoot: c.TSCBoot, Mult: c.Mult, WallBoot: c.WallBoot, MonoBase: monoBase(c.Now, boot)}
	return &vdsoPages{data: mm.Bytes(vdso.Data(p)), code: mm.Bytes(vdso.Image())}
}

// monoBase is the clock's reading at boot, CLOCK_MONOTONIC's zero, which
// the system calls reach as time.Since(boot). A time.Time does not show
// its monotonic reading, so it is bracketed: a reading of now() taken
// before time.Since(boot) is at most the true base, short by the time
// between the two reads; the best of a few tries is kept. The vDSO thus
// reads that little ahead of the system call (under 1 us under TCG,
// where a system call costs several), never behind, so a sleep that
// ended by the system call's clock has ended by the vDSO's too.
func monoBase(now func() int64, boot time.Time) int64 {
	best := now() - int64(time.Since(boot))
	for range 64 {
		n := now()
		best = max(best, n-int64(time.Since(boot)))
	}
	return best
}

// mapInto maps [vvar] and, right above it, [vdso] at the top of the free
// space below the mmap base, where Linux puts them after the program and
// its interpreter, and returns the vDSO's address (AT_SYSINFO_EHDR),
// 0 when the process has none.
func (v *vdsoPages) mapInto(m *mm.MM) (uint64, error) {
	if v == nil {
		return 0, nil
	}
	const page = vdso.PageSize
	at, ok := m.FreeRange(2*page, exo.PageSize)
	if !ok {
		return 0, abi.ENOMEM
	}
	for _, r := range []mm.VMA{
		{Start: at, End: at + page, Prot: exo.PermRead, Obj: v.data, FileEnd: at + page, Name: "[vvar]"},
		{Start: at + page, End: at + 2*page, Prot: exo.PermRead | exo.PermExec, Obj: v.code, FileEnd: at + 2*page, Name: "[vdso]"},
	} {
		if err := m.Place(r, true); err != nil {
			return 0, err
		}
	}
	return uint64(at + page), nil
}

// countSyscall counts a system call trap (thread.go's handle).
func (p *Process) countSyscall() { p.syscalls.Add(1) }

// Syscalls counts the system calls the process's threads have made.
func (p *Process) Syscalls() uint64 { return p.syscalls.Load() }

// reportSyscalls logs the count as the process ends, when the kernel
// was asked to (Config.CountSyscalls): what tests read to see that the
// vDSO kept the clock out of the kernel.
func (p *Process) reportSyscalls() {
	if p.cfg.CountSyscalls && p.cfg.Log != nil {
		p.mu.Lock()
		exe := p.exe
		p.mu.Unlock()
		p.cfg.Log(fmt.Sprintf("pid %d (%s) made %d system calls", p.pid, exe, p.Syscalls()))
	}
}
