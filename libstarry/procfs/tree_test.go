package procfs

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestReaddir: the root lists its fixed entries then the processes; a
// process its table; task its threads; fd and fdinfo the descriptors.
func TestReaddir(t *testing.T) {
	f := newFixture(t)
	for path, want := range map[string][]string{
		"/": {"sys", "self", "stat", "mounts", "uptime", "cmdline", "cpuinfo", "loadavg", "meminfo", "version",
			"config.gz", "filesystems", "thread-self", "1", "42"},
		"/42": {"task", "fd", "fdinfo", "environ", "auxv", "status", "limits", "comm", "cmdline", "stat", "statm",
			"maps", "cwd", "root", "exe", "mounts", "mountinfo", "smaps"},
		"/42/task":           {"42", "43"},
		"/42/task/43":        {"fd", "fdinfo", "environ", "auxv", "status", "limits", "comm", "cmdline", "stat", "statm", "maps", "cwd", "root", "exe", "mounts", "mountinfo", "smaps"},
		"/42/fd":             {"0", "3", "10"},
		"/self/fdinfo":       {"0", "3", "10"},
		"/1/fd":              nil,
		"/sys":               {"fs", "vm", "kernel"},
		"/sys/kernel/random": {"uuid", "boot_id", "poolsize", "entropy_avail"},
	} {
		if got := f.names(path); !slices.Equal(got, want) {
			t.Errorf("readdir %s = %q, want %q", path, got, want)
		}
	}
	// Positions: resuming after each entry gives the rest.
	p, _ := f.resolve(nil, "/", 0)
	var all []vfs.DirEntry
	_ = p.Dentry.ReadDir(0, func(e vfs.DirEntry) bool { all = append(all, e); return true })
	for i, e := range all[:len(all)-1] {
		var next []string
		_ = p.Dentry.ReadDir(e.Next, func(e vfs.DirEntry) bool { next = append(next, e.Name); return true })
		if len(next) != len(all)-i-1 || next[0] != all[i+1].Name {
			t.Errorf("after %s (next %d): %q", e.Name, e.Next, next)
		}
	}
}

// TestStat: modes, owners and inode numbers as Linux gives them.
func TestStat(t *testing.T) {
	f := newFixture(t)
	f.src.procs[42] = func(p ProcInfo) ProcInfo { p.UID, p.EUID, p.EGID = 1000, 1000, 100; return p }(f.src.procs[42])
	for path, want := range map[string]uint32{
		"/": abi.S_IFDIR | 0o555, "/self": abi.S_IFLNK | 0o777, "/meminfo": abi.S_IFREG | 0o444, "/42": abi.S_IFDIR | 0o555,
		"/42/fd": abi.S_IFDIR | 0o500, "/42/fdinfo": abi.S_IFDIR | 0o555, "/42/comm": abi.S_IFREG | 0o644,
		"/42/environ": abi.S_IFREG | 0o400, "/42/exe": abi.S_IFLNK | 0o777, "/42/fd/0": abi.S_IFLNK | 0o700,
		"/42/fd/3": abi.S_IFLNK | 0o500, "/42/fd/10": abi.S_IFLNK | 0o300, "/42/fdinfo/3": abi.S_IFREG | 0o444,
		"/sys/kernel/hostname": abi.S_IFREG | 0o644,
	} {
		p, err := f.resolve(nil, path, vfs.NoFollow)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		a := p.Dentry.Inode().Attr()
		if a.Mode != want {
			t.Errorf("%s mode %#o, want %#o", path, a.Mode, want)
		}
		owner := uint32(0)
		if strings.HasPrefix(path, "/42") {
			owner = 1000
		}
		if a.UID != owner || a.Size != 0 && !strings.HasPrefix(path, "/42/fd/") {
			t.Errorf("%s: uid %d size %d", path, a.UID, a.Size)
		}
	}
	ino := func(c *vfs.Creds, path string) uint64 {
		p, err := f.resolve(c, path, vfs.NoFollow)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return p.Dentry.Inode().Ino
	}
	seen := map[uint64]string{}
	for _, path := range []string{"/", "/meminfo", "/self", "/42", "/1", "/42/stat", "/1/stat", "/42/task/42/stat",
		"/42/task/43/stat", "/42/fd/3", "/42/fdinfo/3", "/42/fd/10", "/42/task/43/fd/3", "/sys/kernel/ostype"} {
		n := ino(nil, path)
		if other, dup := seen[n]; dup {
			t.Errorf("%s and %s share inode %d", path, other, n)
		}
		seen[n] = path
	}
	if ino(as(42, 42), "/self/stat") != ino(nil, "/42/stat") {
		t.Error("/proc/self/stat is not /proc/42/stat")
	}
	st := f.openOK(as(42, 42), "/42/stat").Stat()
	if st.Dev != abi.Mkdev(0, 9) || st.Ino != ino(nil, "/42/stat") || st.Mode != abi.S_IFREG|0o444 || st.UID != 1000 || st.GID != 100 {
		t.Errorf("fstat: %+v", st)
	}
}

func (f *fixture) openOK(c *vfs.Creds, path string) fd.File {
	f.t.Helper()
	file, err := f.open(c, path, abi.O_RDONLY)
	if err != nil {
		f.t.Fatalf("open %s: %v", path, err)
	}
	return file
}

// TestReadlink: self and thread-self name the caller; the magic links
// show their names; with no caller "self" is ENOENT.
func TestReadlink(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		c          *vfs.Creds
		path, want string
	}{
		{as(42, 43), "/self", "42"},
		{as(42, 43), "/thread-self", "42/task/43"},
		{as(1, 1), "/self", "1"},
		{nil, "/self", "ENOENT"},
		{nil, "/mounts", "self/mounts"},
		{nil, "/42/exe", "/bin/busybox"},
		{nil, "/42/cwd", "/tmp"},
		{nil, "/42/root", "/"},
		{nil, "/42/fd/3", "pipe:[77]"},
		{nil, "/42/fd/10", "/tmp/x (deleted)"},
		{as(42, 42), "/self/fd/0", "/dev/console"},
		{&vfs.Creds{UID: 1000, Caller: looker{42, 42}}, "/42/exe", "EACCES"},
	} {
		p, err := f.resolve(tc.c, tc.path, vfs.NoFollow)
		if err != nil {
			t.Errorf("resolve %s: %v", tc.path, err)
			continue
		}
		got, err := vfs.ReadlinkAs(tc.c, p.Dentry.Inode())
		if err != nil {
			got = map[error]string{abi.ENOENT: "ENOENT", abi.EACCES: "EACCES"}[err]
		}
		if got != tc.want {
			t.Errorf("readlink %s = %q (%v), want %q", tc.path, got, err, tc.want)
		}
	}
	if _, err := f.resolve(nil, "/42/fd/3", 0); err != abi.ENXIO {
		t.Errorf("following a pipe's link: %v, want ENXIO", err)
	}
	if _, err := f.resolve(nil, "/42/exe", 0); err != abi.ENOENT {
		t.Errorf("following a link with no path: %v, want ENOENT", err)
	}
}

// TestReadSeek: reads from a snapshot, pread, seq_lseek's SEEK_SET and
// SEEK_CUR (SEEK_END refused), generic llseek for cmdline, and a read at
// 0 making the contents afresh.
func TestReadSeek(t *testing.T) {
	f := newFixture(t)
	file := f.openOK(nil, "/42/comm")
	buf := make([]byte, 2)
	if n, _ := file.Read(fd.Ctx{}, buf); n != 2 || string(buf) != "sh" {
		t.Fatalf("read %q", buf[:n])
	}
	f.src.procs[42].Threads[0].Comm = "ash" // the snapshot keeps "sh\n" until a read at 0
	if n, _ := file.Read(fd.Ctx{}, buf); n != 1 || buf[0] != '\n' {
		t.Errorf("second read %q", buf[:n])
	}
	s := file.(fd.Seeker)
	r := file.(fd.ReaderAt)
	if n, _ := r.ReadAt(buf, 1); string(buf[:n]) != "h\n" {
		t.Errorf("pread at 1: %q", buf[:n])
	}
	if pos, err := s.Seek(-1, abi.SEEK_CUR); pos != 2 || err != nil {
		t.Errorf("SEEK_CUR -1: %d, %v", pos, err)
	}
	for _, w := range []int{abi.SEEK_END, abi.SEEK_DATA, abi.SEEK_HOLE} {
		if _, err := s.Seek(0, w); err != abi.EINVAL {
			t.Errorf("seek whence %d: %v, want EINVAL", w, err)
		}
	}
	if _, err := s.Seek(-1, abi.SEEK_SET); err != abi.EINVAL {
		t.Errorf("seek to -1: %v", err)
	}
	if pos, _ := s.Seek(0, abi.SEEK_SET); pos != 0 {
		t.Errorf("SEEK_SET 0: %d", pos)
	}
	all := make([]byte, 10)
	if n, _ := file.Read(fd.Ctx{}, all); string(all[:n]) != "ash\n" {
		t.Errorf("read at 0 after the change: %q", all[:n])
	}
	cmd := f.openOK(nil, "/42/cmdline").(fd.Seeker)
	if pos, err := cmd.Seek(5, abi.SEEK_END); pos != 5 || err != nil {
		t.Errorf("cmdline SEEK_END 5: %d, %v", pos, err)
	}
	if _, err := cmd.Seek(0, abi.SEEK_DATA); err != abi.ENXIO {
		t.Errorf("cmdline SEEK_DATA: %v", err)
	}
	ro := f.openOK(nil, "/meminfo")
	if _, ok := ro.(fd.Unwritable); !ok {
		t.Error("meminfo is writable")
	}
	if _, err := ro.Write(fd.Ctx{}, []byte("x")); err != abi.EINVAL {
		t.Errorf("write meminfo: %v", err)
	}
}

// TestCommWrite: a write names the thread (15 bytes at most, the count
// all taken), only from its own thread group.
func TestCommWrite(t *testing.T) {
	f := newFixture(t)
	w, err := f.open(as(42, 43), "/self/task/43/comm", abi.O_WRONLY)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := w.Write(fd.Ctx{}, []byte("a-very-long-thread-name")); n != 23 || err != nil {
		t.Errorf("write: %d, %v", n, err)
	}
	if got := f.read(nil, "/42/task/43/comm"); got != "a-very-long-thr\n" {
		t.Errorf("comm after the write: %q", got)
	}
	w, _ = f.open(as(42, 42), "/self/comm", abi.O_RDWR)
	if _, err := w.Write(fd.Ctx{}, []byte("shell\n")); err != nil {
		t.Error(err)
	}
	if got := f.read(nil, "/42/comm"); got != "shell\n\n" {
		t.Errorf("group comm: %q", got)
	}
	w, _ = f.open(as(1, 1), "/42/comm", abi.O_WRONLY)
	if _, err := w.Write(fd.Ctx{}, []byte("x")); err != abi.EINVAL {
		t.Errorf("another group's comm: %v, want EINVAL", err)
	}
}

// TestRevalidate: a process that exits, a descriptor that closes and a
// PID used again are seen at once, though their dentries were cached.
func TestRevalidate(t *testing.T) {
	f := newFixture(t)
	old, err := f.resolve(nil, "/42/fd/10", vfs.NoFollow)
	if err != nil {
		t.Fatal(err)
	}
	f.src.setFDs(42, f.src.fds[42][:2]...)
	if _, err := f.resolve(nil, "/42/fd/10", vfs.NoFollow); err != abi.ENOENT {
		t.Errorf("closed descriptor: %v", err)
	}
	if !old.Dentry.Dead() {
		t.Error("the closed descriptor's dentry lives on")
	}
	stat := f.openOK(nil, "/42/stat")
	if _, err := stat.(fd.ReaderAt).ReadAt(make([]byte, 8), 0); err != nil {
		t.Fatal(err)
	}
	p42, _ := f.resolve(nil, "/42", 0)
	sh := f.src.procs[42]
	f.src.exit(42)
	if _, err := f.resolve(nil, "/42/status", 0); err != abi.ENOENT {
		t.Errorf("after exit: %v", err)
	}
	if _, err := stat.(fd.ReaderAt).ReadAt(make([]byte, 8), 0); err != abi.ESRCH {
		t.Errorf("reading an exited process's file: %v, want ESRCH", err)
	}
	if slices.Contains(f.names("/"), "42") {
		t.Error("readdir still lists 42")
	}
	sh.Start += time.Second // another process with the same PID
	f.src.mu.Lock()
	f.src.procs[42] = sh
	f.src.mu.Unlock()
	p, err := f.resolve(nil, "/42", 0)
	if err != nil || p.Dentry == p42.Dentry {
		t.Errorf("the reused PID: %v, same dentry %v", err, p.Dentry == p42.Dentry)
	}
	if _, err := stat.(fd.ReaderAt).ReadAt(make([]byte, 8), 0); err != abi.ESRCH {
		t.Errorf("a file of the old process reads the new: %v", err)
	}
}

// TestRefused: procfs takes no new names and no mode changes.
func TestRefused(t *testing.T) {
	f := newFixture(t)
	root := f.mt.Root()
	c := &vfs.Creds{}
	if err := f.mt.Mkdir(c, root, root, "/x", 0o755); err != abi.EPERM {
		t.Errorf("mkdir: %v", err)
	}
	if _, err := f.mt.Create(c, root, root, "/42/x", 0o644); err != abi.EACCES {
		t.Errorf("create: %v", err)
	}
	if err := f.mt.Unlink(c, root, root, "/42/stat"); err != abi.EPERM {
		t.Errorf("unlink: %v", err)
	}
	p, _ := f.resolve(nil, "/42/stat", 0)
	if err := vfs.SetAttr(c, p.Dentry.Inode(), vfs.AttrChange{Valid: vfs.SetMode, Mode: 0o777}); err != abi.EPERM {
		t.Errorf("chmod: %v", err)
	}
	if err := vfs.SetAttr(c, p.Dentry.Inode(), vfs.AttrChange{Valid: vfs.SetSize}); err != nil {
		t.Errorf("O_TRUNC's truncate: %v", err)
	}
}
