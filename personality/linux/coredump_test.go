package linux

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"testing"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestMsync checks msync's order of checks and its walk over holes and
// locked regions against what Linux 6.18 answers.
func TestMsync(t *testing.T) {
	const page = exo.PageSize
	var addr, locked uint64
	at := func(off uint64, n uint64, flags uint64) func() []uint64 {
		return func() []uint64 { return []uint64{addr + off, n, flags} }
	}
	_, st := run(t, script(
		sys(abi.SYS_MMAP, 0, 3*page, abi.PROT_READ|abi.PROT_WRITE, abi.MAP_PRIVATE|abi.MAP_ANONYMOUS, ^uint64(0), 0),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap { addr = r.RAX; return nil }),
		call(abi.SYS_MUNMAP, func() []uint64 { return []uint64{addr + page, page} }),
		call(abi.SYS_MSYNC, at(0, page, 8)),
		expect(t, "unknown flag", errno(abi.EINVAL)),
		call(abi.SYS_MSYNC, at(1, page, 8)),
		expect(t, "unknown flag and unaligned", errno(abi.EINVAL)),
		call(abi.SYS_MSYNC, at(0, page, abi.MS_ASYNC|abi.MS_SYNC)),
		expect(t, "MS_ASYNC|MS_SYNC", errno(abi.EINVAL)),
		call(abi.SYS_MSYNC, at(0, 0, abi.MS_SYNC)),
		expect(t, "empty range", 0),
		call(abi.SYS_MSYNC, at(0, ^uint64(0), abi.MS_SYNC)),
		expect(t, "a length that rounds up to 0", 0),
		call(abi.SYS_MSYNC, at(0, ^uint64(page-1), abi.MS_SYNC)),
		expect(t, "a range that wraps", errno(abi.ENOMEM)),
		call(abi.SYS_MSYNC, at(0, page, abi.MS_SYNC)),
		expect(t, "a mapped page", 0),
		call(abi.SYS_MSYNC, at(0, 3*page, abi.MS_SYNC)),
		expect(t, "a range with a hole", errno(abi.ENOMEM)),
		call(abi.SYS_MSYNC, at(page, page, abi.MS_ASYNC)),
		expect(t, "MS_ASYNC on the hole", errno(abi.ENOMEM)),
		sys(abi.SYS_MSYNC, 0x10000, page, abi.MS_INVALIDATE),
		expect(t, "nothing mapped", errno(abi.ENOMEM)),
		sys(abi.SYS_MMAP, 0x20000000, page, abi.PROT_READ|abi.PROT_WRITE, abi.MAP_PRIVATE|abi.MAP_ANONYMOUS|abi.MAP_LOCKED, ^uint64(0), 0),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap { locked = r.RAX; return nil }),
		call(abi.SYS_MSYNC, func() []uint64 { return []uint64{locked, page, abi.MS_INVALIDATE} }),
		expect(t, "MS_INVALIDATE on a locked region", errno(abi.EBUSY)),
		call(abi.SYS_MSYNC, func() []uint64 { return []uint64{locked, page, abi.MS_SYNC} }),
		expect(t, "MS_SYNC on a locked region", 0),
		call(abi.SYS_MSYNC, at(0, 3*page, abi.MS_INVALIDATE)),
		expect(t, "MS_INVALIDATE over a hole, unlocked", errno(abi.ENOMEM)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %+v", st)
	}
}

// TestDirectoryReads checks that every read of a directory reaches its
// failing read op (EISDIR) after the descriptor's checks, that writes
// are EBADF, and that a pipe still refuses positions (ESPIPE).
func TestDirectoryReads(t *testing.T) {
	const path, buf, iov = scratch, scratch + 0x100, scratch + 0x200
	iovec := make([]byte, 16)
	binary.LittleEndian.PutUint64(iovec, buf)
	binary.LittleEndian.PutUint64(iovec[8:], 16)
	_, st := run(t, script(
		cstr(path, "/etc"),
		poke(iov, iovec),
		sys(abi.SYS_OPENAT, atFDCWD, path, abi.O_RDONLY|abi.O_DIRECTORY),
		expect(t, "open /etc", 3),
		sys(abi.SYS_READ, 3, buf, 16),
		expect(t, "read", errno(abi.EISDIR)),
		sys(abi.SYS_READ, 3, buf, 0),
		expect(t, "read of 0 bytes", errno(abi.EISDIR)),
		sys(abi.SYS_PREAD64, 3, buf, 16, 0),
		expect(t, "pread64", errno(abi.EISDIR)),
		sys(abi.SYS_PREAD64, 3, buf, 16, ^uint64(0)),
		expect(t, "pread64 at a negative offset", errno(abi.EINVAL)),
		sys(abi.SYS_READV, 3, iov, 1),
		expect(t, "readv", errno(abi.EISDIR)),
		sys(abi.SYS_PREADV, 3, iov, 1, 0, 0),
		expect(t, "preadv", errno(abi.EISDIR)),
		sys(abi.SYS_PREADV2, 3, iov, 1, 0, 0, 0),
		expect(t, "preadv2", errno(abi.EISDIR)),
		sys(abi.SYS_PWRITE64, 3, buf, 16, 0),
		expect(t, "pwrite64", errno(abi.EBADF)),
		sys(abi.SYS_PIPE2, buf, 0),
		sys(abi.SYS_PREAD64, 4, buf, 16, 0),
		expect(t, "pread64 on a pipe", errno(abi.ESPIPE)),
		sys(abi.SYS_OPENAT, atFDCWD, path, abi.O_PATH),
		expect(t, "open O_PATH", 6),
		sys(abi.SYS_PREAD64, 6, buf, 16, 0),
		expect(t, "pread64 on O_PATH", errno(abi.EBADF)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %+v", st)
	}
}

// crash runs a program that sets RLIMIT_CORE to limit (none: the
// default, 0), leaves a marker in its data and dies of SIGSEGV with RBX
// set; it returns the status and the core file, if one was made.
func crash(t *testing.T, limit uint64, set bool) (core []byte, st struct {
	Signal int
	Core   bool
}) {
	t.Helper()
	const rlim, marker = scratch, scratch + 0x100
	lim := make([]byte, 16)
	binary.LittleEndian.PutUint64(lim, limit)
	binary.LittleEndian.PutUint64(lim[8:], abi.RLIM_INFINITY)
	steps := []step{poke(rlim, lim), cstr(marker, "core-marker")}
	if set {
		steps = append(steps, sys(abi.SYS_SETRLIMIT, abi.RLIMIT_CORE, rlim), expect(t, "setrlimit", 0))
	}
	steps = append(steps, fault(func(u *sim.User, r *exo.Regs) *exo.Trap {
		r.RBX = 0xB0B
		return u.Read(0xdead0, make([]byte, 1))
	}))
	e := start(t, script(steps...))
	s := waitFor(t, e.p)
	st.Signal, st.Core = s.Signal, s.Core
	core, _ = e.fs.ReadFile("/core")
	return core, st
}

// TestCoreDump checks the core file of a SIGSEGV death: an ET_CORE ELF
// with the registers and signal in NT_PRSTATUS, the data segment's bytes
// in its PT_LOAD, and the status's core bit; none at RLIMIT_CORE 0 or
// below a page; a dump RLIMIT_CORE cuts short still sets the bit.
func TestCoreDump(t *testing.T) {
	core, st := crash(t, abi.RLIM_INFINITY, true)
	if st.Signal != 11 || !st.Core {
		t.Fatalf("status %+v, want SIGSEGV with a core dump", st)
	}
	f, err := elf.NewFile(bytes.NewReader(core))
	if err != nil {
		t.Fatalf("core file: %v", err)
	}
	if f.Type != elf.ET_CORE || f.Machine != elf.EM_X86_64 || f.Class != elf.ELFCLASS64 {
		t.Errorf("core header: %v %v %v", f.Type, f.Machine, f.Class)
	}
	var notes, data *elf.Prog
	for _, p := range f.Progs {
		switch {
		case p.Type == elf.PT_NOTE:
			notes = p
		case p.Type == elf.PT_LOAD && p.Vaddr == dataVA:
			data = p
		}
	}
	if notes == nil || data == nil {
		t.Fatalf("core program headers: %+v", f.Progs)
	}
	b := make([]byte, data.Filesz)
	if _, err := data.ReadAt(b, 0); err != nil || !bytes.Contains(b, []byte("core-marker")) {
		t.Errorf("data segment in the core (%d bytes, %v) lacks the marker", len(b), err)
	}
	nb := make([]byte, notes.Filesz)
	if _, err := notes.ReadAt(nb, 0); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	types := map[uint32][]byte{}
	for len(nb) >= 12 {
		namesz, descsz, typ := le.Uint32(nb), le.Uint32(nb[4:]), le.Uint32(nb[8:])
		name := (namesz + 3) &^ 3
		desc := (descsz + 3) &^ 3
		if 12+uint64(name)+uint64(desc) > uint64(len(nb)) {
			t.Fatalf("truncated note %d", typ)
		}
		if _, seen := types[typ]; !seen {
			types[typ] = nb[12+name : 12+name+descsz]
		}
		nb = nb[12+name+desc:]
	}
	pr, ok := types[1]
	if !ok || len(pr) != 336 {
		t.Fatalf("NT_PRSTATUS: %d bytes", len(pr))
	}
	if sig, rbx := le.Uint16(pr[12:]), le.Uint64(pr[112+5*8:]); sig != 11 || rbx != 0xB0B {
		t.Errorf("NT_PRSTATUS: signal %d, rbx %#x", sig, rbx)
	}
	if ps := types[3]; len(ps) != 136 || !bytes.HasPrefix(ps[40:], []byte("prog\x00")) {
		t.Errorf("NT_PRPSINFO: %q", ps)
	}
	if si := types[0x53494749]; len(si) != 128 || le.Uint32(si) != 11 || le.Uint64(si[16:]) != 0xdead0 {
		t.Errorf("NT_SIGINFO: %x", si)
	}
	if _, ok := types[2]; !ok {
		t.Error("no NT_FPREGSET")
	}

	if core, st := crash(t, 0, false); core != nil || st.Core || st.Signal != 11 {
		t.Errorf("RLIMIT_CORE 0: status %+v, core %d bytes", st, len(core))
	}
	if core, st := crash(t, exo.PageSize-1, true); core != nil || st.Core {
		t.Errorf("RLIMIT_CORE below a page: status %+v, core %d bytes", st, len(core))
	}
	if core, st := crash(t, exo.PageSize, true); core == nil || len(core) > exo.PageSize || !st.Core {
		t.Errorf("RLIMIT_CORE a page: status %+v, core %d bytes", st, len(core))
	}
}
