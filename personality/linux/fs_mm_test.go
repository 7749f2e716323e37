package linux

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/personality/linux/abi"
)

// cstr puts a NUL-terminated string in the data segment.
func cstr(va uint64, s string) step { return poke(va, append([]byte(s), 0)) }

// check reads user memory after a call and hands it to f.
func check(va uint64, n int, f func(b []byte, rax uint64)) step {
	return do(func(u *sim.User, r *exo.Regs) *exo.Trap {
		b := make([]byte, n)
		if tr := u.Read(uintptr(va), b); tr != nil {
			return tr
		}
		f(b, r.RAX)
		return nil
	})
}

func TestFilesAndInfo(t *testing.T) {
	const path, buf = scratch, scratch + 0x100
	le := binary.LittleEndian
	e, st := run(t, script(
		cstr(path, "/etc/motd"),
		sys(abi.SYS_OPENAT, atFDCWD, path, abi.O_RDONLY|abi.O_CLOEXEC),
		expect(t, "openat", 3),
		sys(abi.SYS_READ, 3, buf, 5),
		check(buf, 5, func(b []byte, rax uint64) {
			if rax != 5 || string(b) != "hello" {
				t.Errorf("read = %d %q", rax, b)
			}
		}),
		sys(abi.SYS_PREAD64, 3, buf, 4, 6),
		check(buf, 4, func(b []byte, rax uint64) {
			if string(b) != "from" {
				t.Errorf("pread = %q", b)
			}
		}),
		sys(abi.SYS_FCNTL, 3, abi.F_GETFD),
		expect(t, "F_GETFD", abi.FD_CLOEXEC),
		sys(abi.SYS_FSTAT, 3, buf),
		check(buf, 144, func(b []byte, rax uint64) {
			if le.Uint32(b[24:])&abi.S_IFMT != abi.S_IFREG || le.Uint64(b[48:]) != 17 {
				t.Errorf("fstat file: mode %o size %d", le.Uint32(b[24:]), le.Uint64(b[48:]))
			}
		}),
		cstr(path, ""),
		sys(abi.SYS_NEWFSTATAT, 1, path, buf, abi.AT_EMPTY_PATH),
		check(buf, 144, func(b []byte, rax uint64) {
			if rax != 0 || le.Uint32(b[24:])&abi.S_IFMT != abi.S_IFCHR {
				t.Errorf("fstatat(1, \"\") rax %#x mode %o", rax, le.Uint32(b[24:]))
			}
		}),
		sys(abi.SYS_IOCTL, 1, abi.TIOCGWINSZ, buf),
		check(buf, 4, func(b []byte, rax uint64) {
			if rax != 0 || le.Uint16(b) != 24 || le.Uint16(b[2:]) != 80 {
				t.Errorf("TIOCGWINSZ %x", b)
			}
		}),
		sys(abi.SYS_IOCTL, 3, abi.TCGETS, buf),
		expect(t, "TCGETS on a file", errno(abi.ENOTTY)),
		sys(abi.SYS_DUP2, 3, 9),
		expect(t, "dup2", 9),
		sys(abi.SYS_CLOSE, 3),
		sys(abi.SYS_LSEEK, 9, 0, 0),
		expect(t, "lseek via dup", 0),
		sys(abi.SYS_LSEEK, 1, 0, 0),
		expect(t, "lseek console", errno(abi.ESPIPE)),
		cstr(path, "/proc/self/exe"),
		sys(abi.SYS_READLINKAT, atFDCWD, path, buf, 64),
		check(buf, 9, func(b []byte, rax uint64) {
			if rax != 9 || string(b) != "/bin/prog" {
				t.Errorf("readlinkat = %d %q", rax, b)
			}
		}),
		sys(abi.SYS_GETCWD, buf, 64),
		check(buf, 2, func(b []byte, rax uint64) {
			if rax != 2 || string(b) != "/\x00" {
				t.Errorf("getcwd %q", b)
			}
		}),
		sys(abi.SYS_UNAME, buf),
		check(buf, 390, func(b []byte, rax uint64) {
			if !strings.HasPrefix(string(b), "Linux\x00") || !strings.HasPrefix(string(b[4*65:]), "x86_64\x00") {
				t.Errorf("uname %q", b)
			}
		}),
		cstr(path, "/nope"),
		sys(abi.SYS_OPEN, path, 0),
		expect(t, "open missing", errno(abi.ENOENT)),
		cstr(path, "/etc/motd"),
		sys(abi.SYS_OPEN, path, abi.O_WRONLY),
		expect(t, "open for writing", 3),
		sys(abi.SYS_WRITE, 3, path, 4),
		expect(t, "write", 4),
		sys(abi.SYS_ARCH_PRCTL, archSetFS, 0x7000),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap {
			if r.FSBase != 0x7000 {
				t.Errorf("FS base %#x", r.FSBase)
			}
			return nil
		}),
		sys(abi.SYS_GETPID),
		expect(t, "getpid", 2), // the first process after init
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 || len(e.logs) != 0 {
		t.Errorf("status %+v logs %q", st, e.logs)
	}
	if b, err := e.fs.ReadFile("/etc/motd"); err != nil || string(b) != "/etco from ramfs\n" {
		t.Errorf("/etc/motd after the write = %q, %v", b, err)
	}
}

func TestMmapMunmapMprotect(t *testing.T) {
	var addr uint64
	const page = exo.PageSize
	_, st := run(t, script(
		sys(abi.SYS_MMAP, 0, 3*page, abi.PROT_READ|abi.PROT_WRITE, abi.MAP_PRIVATE|abi.MAP_ANONYMOUS, ^uint64(0), 0),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap {
			addr = r.RAX
			if addr&(page-1) != 0 || addr > 1<<47 {
				t.Fatalf("mmap = %#x", addr)
			}
			return nil
		}),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap { return u.Write(uintptr(addr+page), []byte("x")) }),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap {
			r.RAX, r.RDI, r.RSI, r.RDX = abi.SYS_MPROTECT, addr+page, page, abi.PROT_READ
			return &exo.Trap{Kind: exo.TrapSyscall}
		}),
		expect(t, "mprotect", 0),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap {
			b := make([]byte, 1)
			if tr := u.Read(uintptr(addr+page), b); tr != nil || b[0] != 'x' {
				t.Errorf("read after mprotect: %v %q", tr, b)
			}
			r.RAX, r.RDI, r.RSI, r.RDX, r.R10 = abi.SYS_MMAP, addr, page, abi.PROT_READ, abi.MAP_PRIVATE|abi.MAP_ANONYMOUS|abi.MAP_FIXED_NOREPLACE
			r.R8 = ^uint64(0)
			return &exo.Trap{Kind: exo.TrapSyscall}
		}),
		expect(t, "MAP_FIXED_NOREPLACE over a mapping", errno(abi.EEXIST)),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap {
			r.RAX, r.RDI, r.RSI = abi.SYS_MUNMAP, addr, 3*page
			return &exo.Trap{Kind: exo.TrapSyscall}
		}),
		expect(t, "munmap", 0),
		fault(func(u *sim.User, r *exo.Regs) *exo.Trap { return u.Write(uintptr(addr+page), []byte("y")) }),
	))
	if st.ShellStatus() != 139 {
		t.Errorf("write after munmap: status %+v", st)
	}
}

func TestTable(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Table() {
		if s.Name == "" || seen[s.Name] {
			t.Errorf("syscall %d: empty or duplicate name %q", s.Nr, s.Name)
		}
		seen[s.Name] = true
		if (s.Fn == nil) != (s.Support == Refused) || (s.Support == Refused && (s.Errno == 0 || s.Note == "")) ||
			(s.Support == Partial && s.Note == "") {
			t.Errorf("%s: inconsistent row %+v", s.Name, s)
		}
	}
	if len(Table()) < 60 {
		t.Errorf("only %d rows", len(Table()))
	}
}
