package libstarry

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/libstarry/binfmt"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/libstarry/procfs"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// procELF is a static executable: one RX page of text at 0x400000, one
// RW page of data after it.
func procELF() []byte {
	b := make([]byte, 0x2000)
	copy(b, elf.ELFMAG)
	b[elf.EI_CLASS], b[elf.EI_DATA], b[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), 1
	le := binary.LittleEndian
	le.PutUint16(b[16:], uint16(elf.ET_EXEC))
	le.PutUint16(b[18:], uint16(elf.EM_X86_64))
	le.PutUint64(b[24:], 0x400100)
	le.PutUint64(b[32:], 64)
	le.PutUint16(b[54:], 56)
	le.PutUint16(b[56:], 2)
	for i, seg := range []struct {
		flags   elf.ProgFlag
		off, va uint64
	}{{elf.PF_R | elf.PF_X, 0, 0x400000}, {elf.PF_R | elf.PF_W, 0x1000, 0x401000}} {
		ph := b[64+56*i:]
		le.PutUint32(ph[0:], uint32(elf.PT_LOAD))
		le.PutUint32(ph[4:], uint32(seg.flags))
		le.PutUint64(ph[8:], seg.off)
		le.PutUint64(ph[16:], seg.va)
		le.PutUint64(ph[32:], 0x1000)
		le.PutUint64(ph[40:], 0x1000)
	}
	return b
}

// procWorld is a machine with /proc mounted and one process, parked in
// its first system call until release is closed.
type procWorld struct {
	t       *testing.T
	fs      *Files
	k       *Kernel
	p       *Process
	th      *Thread
	release chan struct{}
	inCall  string // the thread's state as another saw it inside its call, before it waited
}

func newProcWorld(t *testing.T) *procWorld {
	m, ex := newMachine()
	m.CPU = func(*sim.User, *exo.Regs) exo.Trap { return exo.Trap{Kind: exo.TrapSyscall} }
	fs, err := NewFiles(ex, entries(t, exe("bin/prog", procELF()), InitSymlink("bin/alias", "prog")))
	if err != nil {
		t.Fatal(err)
	}
	k := NewKernel()
	if _, err := fs.MountProc(k, ProcConfig{Boot: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	w := &procWorld{t: t, fs: fs, k: k, release: make(chan struct{})}
	ready := make(chan *Thread, 1)
	sys := func(th *Thread) {
		if w.inCall == "" {
			w.inCall = strings.Fields(w.read(as(nil), fmt.Sprintf("/proc/%d/stat", th.TID())))[2]
		}
		intr := th.Interrupted() // parks as every blocking call does, so /proc shows S
		select {
		case ready <- th:
		default:
		}
		select {
		case <-w.release:
		case <-intr:
		}
		th.ExitThread(0)
	}
	w.p, err = Start(Config{Kernel: k, Exo: ex, FS: fs}, sys, "/bin/alias", []string{"prog", "-x", "an arg"}, []string{"A=1", "B=two"})
	if err != nil {
		t.Fatal(err)
	}
	w.th = <-ready
	t.Cleanup(func() {
		select {
		case <-w.release:
		default:
			close(w.release)
		}
		w.p.Wait()
	})
	return w
}

// as is the identity of a process looking, as the lead's Creds will carry it.
func as(caller any) *vfs.Creds { return &vfs.Creds{Caller: caller} }

func (w *procWorld) resolve(c *vfs.Creds, path string, flags vfs.Flags) (vfs.Path, error) {
	root := w.fs.mt.Root()
	return w.fs.mt.Resolve(c, root, root, path, flags)
}

// read is a /proc file's contents as c sees them.
func (w *procWorld) read(c *vfs.Creds, path string) string {
	w.t.Helper()
	q, err := w.resolve(c, path, 0)
	if err != nil {
		w.t.Fatalf("%s: %v", path, err)
	}
	f, ok, err := procfs.Open(c, q, abi.O_RDONLY)
	if !ok || err != nil {
		w.t.Fatalf("open %s: %v, %v", path, ok, err)
	}
	b, err := io.ReadAll(readerOf{f})
	if err != nil {
		w.t.Fatalf("read %s: %v", path, err)
	}
	return string(b)
}

type readerOf struct{ f fd.File }

func (r readerOf) Read(b []byte) (int, error) {
	n, err := r.f.Read(fd.Ctx{}, b)
	if n == 0 && err == nil {
		return 0, io.EOF
	}
	return n, err
}

func (w *procWorld) readlink(c *vfs.Creds, path string) string {
	w.t.Helper()
	q, err := w.resolve(c, path, vfs.NoFollow)
	if err != nil {
		w.t.Fatalf("%s: %v", path, err)
	}
	s, err := vfs.ReadlinkAs(c, q.Dentry.Inode())
	if err != nil {
		w.t.Fatalf("readlink %s: %v", path, err)
	}
	return s
}

// TestProcSelf: a process's own entries, from its real state: the
// start-up strings read back from its stack, its memory map, links and
// descriptors, and the comm a write sets. It was started through a
// symlink, so its name is the link's (bprm->filename's base) and its
// exe the file.
func TestProcSelf(t *testing.T) {
	w := newProcWorld(t)
	pid := w.p.Pid()
	me := as(w.p)
	if got := w.read(me, "/proc/self/cmdline"); got != "prog\x00-x\x00an arg\x00" {
		t.Errorf("cmdline = %q", got)
	}
	if got := w.read(me, "/proc/self/environ"); got != "A=1\x00B=two\x00" {
		t.Errorf("environ = %q", got)
	}
	auxv := w.read(me, "/proc/self/auxv")
	pairs := map[uint64]uint64{}
	for i := 0; i+16 <= len(auxv); i += 16 {
		pairs[binary.LittleEndian.Uint64([]byte(auxv[i:]))] = binary.LittleEndian.Uint64([]byte(auxv[i+8:]))
	}
	if len(auxv)%16 != 0 || pairs[6] != 4096 || pairs[17] != 100 || !strings.HasSuffix(auxv, strings.Repeat("\x00", 16)) {
		t.Errorf("auxv (%d bytes): %v", len(auxv), pairs)
	}
	stat := strings.Fields(w.read(as(w.th), "/proc/self/stat"))
	if len(stat) != 52 || stat[0] != strconv.Itoa(pid) || stat[1] != "(alias)" || stat[2] != "R" || stat[3] != "1" ||
		stat[4] != strconv.Itoa(pid) || stat[19] != "1" {
		t.Errorf("stat = %q", stat)
	}
	if other := strings.Fields(w.read(as(nil), fmt.Sprintf("/proc/%d/stat", pid))); other[2] != "S" {
		t.Errorf("state seen by another: %s", other[2])
	}
	if w.inCall != "R" { // running in a call is not sleeping: LTP waits for S to know a waiter is parked
		t.Errorf("state inside a call, before waiting: %s", w.inCall)
	}
	status := w.read(me, "/proc/self/status")
	for _, l := range []string{"Name:\talias\n", "Umask:\t0022\n", fmt.Sprintf("Pid:\t%d\n", pid), "PPid:\t1\n", "Threads:\t1\n",
		"Uid:\t0\t0\t0\t0\n", "VmExe:\t       4 kB\n", "VmStk:\t    8192 kB\n", "FDSize:\t64\n"} {
		if !strings.Contains(status, l) {
			t.Errorf("status lacks %q:\n%s", l, status)
		}
	}
	maps := w.read(me, "/proc/self/maps")
	text := strings.SplitN(maps, "\n", 2)[0]
	if !strings.HasPrefix(text, "00400000-00401000 r-xp 00000000 00:01 ") || !strings.HasSuffix(text, " /bin/prog") || len(text) != 73+len("/bin/prog") {
		t.Errorf("text line %q of\n%s", text, maps)
	}
	if !strings.Contains(maps, "7fffff7de000-7ffffffde000 rw-p 00000000 00:00 0") || !strings.HasSuffix(maps, "[stack]\n") {
		t.Errorf("no stack in\n%s", maps)
	}
	if smaps := w.read(me, "/proc/self/smaps"); !strings.Contains(smaps, "Rss:                   4 kB\n") {
		t.Errorf("smaps shows no resident text:\n%s", smaps)
	}
	for path, want := range map[string]string{"/proc/self": strconv.Itoa(pid), "/proc/self/exe": "/bin/prog",
		"/proc/self/cwd": "/", "/proc/self/root": "/", "/proc/self/fd/0": "/dev/console",
		"/proc/thread-self": fmt.Sprintf("%d/task/%d", pid, pid)} {
		if got := w.readlink(me, path); got != want {
			t.Errorf("readlink %s = %q, want %q", path, got, want)
		}
	}
	if got := w.readlink(as(w.th), "/proc/thread-self"); got != fmt.Sprintf("%d/task/%d", pid, w.th.TID()) {
		t.Errorf("thread-self of the thread = %q", got)
	}
	// A descriptor's link jumps to its file.
	of, err := w.p.Open(w.p.At(vfs.Path{}), "/tmp/f", abi.O_CREAT|abi.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	n, err := w.p.FDs.Install(of, 0, 64, true)
	if err != nil {
		t.Fatal(err)
	}
	file, _ := w.resolve(me, "/tmp/f", 0)
	if got, err := w.resolve(me, fmt.Sprintf("/proc/self/fd/%d", n), 0); err != nil || got != file {
		t.Errorf("fd/%d leads to %v, %v; want /tmp/f", n, got, err)
	}
	if got := w.readlink(me, fmt.Sprintf("/proc/self/fd/%d", n)); got != "/tmp/f" {
		t.Errorf("fd/%d names %q", n, got)
	}
	info := w.read(me, fmt.Sprintf("/proc/self/fdinfo/%d", n))
	if want := fmt.Sprintf("pos:\t0\nflags:\t02100002\nmnt_id:\t%d\nino:\t", file.Mount.ID); !strings.HasPrefix(info, want) {
		t.Errorf("fdinfo = %q, want %q...", info, want)
	}
	if fds := w.names(me, "/proc/self/fd"); !slices.Equal(fds, []string{"0", "1", "2", strconv.Itoa(n)}) {
		t.Errorf("fd/ lists %q", fds)
	}
	if err := w.p.FDs.Close(n); err != nil {
		t.Fatal(err)
	}
	if _, err := w.resolve(me, fmt.Sprintf("/proc/self/fd/%d", n), 0); err != abi.ENOENT {
		t.Errorf("closed fd/%d: %v", n, err)
	}
	// A pipe's link opens a new end on the pipe.
	r, wr := ipc.NewPipe()
	rfd, _ := w.p.FDs.Install(fd.New(r, abi.O_RDONLY), 0, 64, false)
	wfd, _ := w.p.FDs.Install(fd.New(wr, abi.O_WRONLY), 0, 64, false)
	if got := w.readlink(me, fmt.Sprintf("/proc/self/fd/%d", rfd)); !strings.HasPrefix(got, "pipe:[") {
		t.Errorf("a pipe's link names %q", got)
	}
	q, err := w.resolve(me, fmt.Sprintf("/proc/self/fd/%d", rfd), 0)
	if err != nil || q.Dentry.Inode().Type() != abi.S_IFIFO {
		t.Fatalf("following a pipe's link: %v, %v", q, err)
	}
	again, ok, err := procfs.Open(me, q, abi.O_RDONLY)
	if !ok || err != nil {
		t.Fatalf("reopening the pipe: %v %v", ok, err)
	}
	if _, err := wr.Write(fd.Ctx{}, []byte("through /proc")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 32)
	if n, err := again.Read(fd.Ctx{}, buf); string(buf[:n]) != "through /proc" || err != nil {
		t.Errorf("read from the reopened end: %q, %v", buf[:n], err)
	}
	again.(fd.Releaser).Release()
	_ = w.p.FDs.Close(rfd)
	_ = w.p.FDs.Close(wfd)
	// comm is writable, by the process itself.
	q, _ = w.resolve(me, "/proc/self/comm", 0)
	cf, _, _ := procfs.Open(me, q, abi.O_WRONLY)
	if _, err := cf.Write(fd.Ctx{}, []byte("renamed")); err != nil || w.th.Name() != "renamed" {
		t.Errorf("comm write: %v, name %q", err, w.th.Name())
	}
	other, _, _ := procfs.Open(as(nil), q, abi.O_WRONLY)
	if _, err := other.Write(fd.Ctx{}, []byte("x")); err != abi.EINVAL {
		t.Errorf("comm write by no one: %v", err)
	}
}

func (w *procWorld) names(c *vfs.Creds, path string) []string {
	w.t.Helper()
	q, err := w.resolve(c, path, vfs.Directory)
	if err != nil {
		w.t.Fatalf("%s: %v", path, err)
	}
	var out []string
	_ = q.Dentry.ReadDir(2, func(e vfs.DirEntry) bool { out = append(out, e.Name); return true })
	return out
}

// TestProcMachine: the top of /proc over the kernel: its processes,
// init among them, the mount table with /proc in it, memory and
// statfs's type; and a process gone once reaped.
func TestProcMachine(t *testing.T) {
	w := newProcWorld(t)
	pid := strconv.Itoa(w.p.Pid())
	names := w.names(as(nil), "/proc")
	if !slices.Contains(names, "1") || !slices.Contains(names, pid) || !slices.Contains(names, "self") {
		t.Errorf("/proc lists %q", names)
	}
	if tasks := w.names(as(nil), "/proc/"+pid+"/task"); !slices.Equal(tasks, []string{pid}) {
		t.Errorf("task/ lists %q", tasks)
	}
	if init := strings.Fields(w.read(as(nil), "/proc/1/stat")); init[1] != "(init)" || init[2] != "S" || init[3] != "0" {
		t.Errorf("init's stat: %q", init)
	}
	mounts := w.read(as(w.p), "/proc/mounts")
	for _, l := range []string{"rootfs / rootfs rw 0 0\n", "tmpfs /tmp tmpfs rw,relatime 0 0\n", "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"} {
		if !strings.Contains(mounts, l) {
			t.Errorf("mounts lacks %q:\n%s", l, mounts)
		}
	}
	if info := w.read(as(w.p), "/proc/self/mountinfo"); !strings.Contains(info, " / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n") {
		t.Errorf("mountinfo:\n%s", info)
	}
	total := fmt.Sprintf("MemTotal:       %8d kB\n", w.fs.ex.UserFrames()*4)
	if mem := w.read(as(nil), "/proc/meminfo"); !strings.HasPrefix(mem, total) {
		t.Errorf("meminfo starts %q, want %q", mem[:40], total)
	}
	if st, err := w.fs.Stat("/proc/self", true); err != nil || st.Mode != abi.S_IFLNK|0o777 {
		t.Errorf("lstat /proc/self: %+v, %v", st, err)
	}
	q, _ := w.resolve(as(nil), "/proc/meminfo", 0)
	if sf := w.p.Statfs(q); sf.Magic != procMagic {
		t.Errorf("statfs type %#x", sf.Magic)
	}
	if fstypes := w.read(as(nil), "/proc/filesystems"); !strings.Contains(fstypes, "nodev\tproc\n") {
		t.Errorf("filesystems:\n%s", fstypes)
	}
	close(w.release)
	w.p.Wait()
	if _, err := w.resolve(as(nil), "/proc/"+pid+"/stat", 0); err != abi.ENOENT {
		t.Errorf("a reaped process's entry: %v", err)
	}
}

// TestStartupStrings: argv, envp and auxv are found on a stack laid out
// by BuildStack even after the program rewrote argv's pointers (as
// busybox's getopt32 does) and shifted envp's (as unsetenv does); with
// the layout gone nothing is returned.
func TestStartupStrings(t *testing.T) {
	_, ex := newMachine()
	env, err := ex.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	m := mm.New(env, 0)
	defer m.Release()
	m.SetupStack(false)
	img := &binfmt.Image{Path: "/bin/x", Argv: []string{"x", "-n", "2"}, Envv: []string{"A=1", "BB=22", "C=3"}}
	sp, err := binfmt.BuildStack(m, img, 0, [4]uint64{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string) {
		t.Helper()
		c, e, a := startupStrings(m)
		if string(c) != "x\x00-n\x002\x00" || string(e) != "A=1\x00BB=22\x00C=3\x00" || len(a) < 32 || len(a)%16 != 0 ||
			binary.LittleEndian.Uint64(a[len(a)-16:]) != 0 {
			t.Errorf("%s: cmdline %q environ %q auxv %d bytes", what, c, e, len(a))
		}
	}
	check("as built")
	word := func(va uintptr, v uint64) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], v)
		if err := m.CopyOut(va, b[:]); err != nil {
			t.Fatal(err)
		}
	}
	word(sp+8*3, 0x5ed510) // argv[2] now points into the program
	var envp [3]uint64
	for i := range envp {
		b := make([]byte, 8)
		_ = m.CopyIn(sp+8*uintptr(5+i), b)
		envp[i] = binary.LittleEndian.Uint64(b)
	}
	word(sp+8*5, envp[1]) // unsetenv("A"): the rest shift down
	word(sp+8*6, envp[2])
	word(sp+8*7, 0)
	check("after getopt and unsetenv")
	word(sp, 99) // argc gone: no layout
	if c, e, a := startupStrings(m); c != nil || e != nil || a != nil {
		t.Errorf("without argc: %q %q %d", c, e, len(a))
	}
}
