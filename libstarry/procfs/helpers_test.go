package procfs

import (
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// fakeSource is a Source over plain data the tests set.
type fakeSource struct {
	mu      sync.Mutex
	procs   map[int]ProcInfo
	regions map[int][]Region
	args    map[int]Args
	fds     map[int][]FDInfo
	links   map[int]map[string]Link
	pos     map[[2]int]int64
	mounts  []MountInfo
	sys     System
}

// looker is what the tests put in vfs.Creds.Caller: a process's thread.
type looker struct{ pid, tid int }

func as(pid, tid int) *vfs.Creds { return &vfs.Creds{Caller: looker{pid, tid}} }

func (s *fakeSource) Self(caller any) (int, int, bool) {
	l, ok := caller.(looker)
	return l.pid, l.tid, ok
}

func (s *fakeSource) PIDs() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for pid := range s.procs {
		out = append(out, pid)
	}
	sort.Ints(out)
	return out
}

func (s *fakeSource) Alive(pid, tid int) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.procs[pid]
	if !ok || tid == 0 {
		return p.Start, ok
	}
	for _, t := range p.Threads {
		if t.TID == tid {
			return p.Start, true
		}
	}
	return 0, false
}

func (s *fakeSource) Process(pid int, _ any) (ProcInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.procs[pid]
	p.Threads = append([]ThreadInfo(nil), p.Threads...)
	return p, ok
}

func (s *fakeSource) Link(pid int, name string, _ any) (Link, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.links[pid][name], nil
}

func (s *fakeSource) Regions(pid int) []Region {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.regions[pid]
}

func (s *fakeSource) Args(pid int) Args {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.args[pid]
}

func (s *fakeSource) FDs(pid int) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for _, f := range s.fds[pid] {
		out = append(out, f.FD)
	}
	return out
}

func (s *fakeSource) FD(pid, n int, _ any) (FDInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.fds[pid] {
		if f.FD == n {
			return f, true
		}
	}
	return FDInfo{}, false
}

func (s *fakeSource) Pos(pid, n int) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pos[[2]int{pid, n}]
}

func (s *fakeSource) SetComm(caller any, pid, tid int, name string) error {
	if l, ok := caller.(looker); !ok || l.pid != pid {
		return abi.EINVAL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.procs[pid]
	for i := range p.Threads {
		if p.Threads[i].TID == tid {
			p.Threads[i].Comm = name
		}
	}
	s.procs[pid] = p
	return nil
}

func (s *fakeSource) Mounts(int) []MountInfo { return s.mounts }

func (s *fakeSource) System() System {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sys
}

func (s *fakeSource) exit(pid int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.procs, pid)
}

func (s *fakeSource) setFDs(pid int, fds ...FDInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fds[pid] = fds
}

const inf = ^uint64(0)

// sample is a machine with init (1) and a shell (42) of two threads
// with a memory map, descriptors and limits.
func sample() *fakeSource {
	var lim [16]Rlimit
	for i := range lim {
		lim[i] = Rlimit{inf, inf}
	}
	lim[3] = Rlimit{8 << 20, inf}
	lim[4] = Rlimit{0, inf}
	lim[6] = Rlimit{1024, 1024}
	lim[7] = Rlimit{1024, 4096}
	lim[8] = Rlimit{8 << 20, 8 << 20}
	lim[11] = Rlimit{1024, 1024}
	lim[12] = Rlimit{819200, 819200}
	lim[13], lim[14] = Rlimit{}, Rlimit{}
	sh := ProcInfo{PID: 42, PPID: 1, PGID: 42, SID: 1, Start: 1500 * time.Millisecond, State: 'S', Comm: "sh",
		Groups: []uint32{0, 10}, Umask: 0o022, CapPrm: 1<<41 - 1, CapEff: 1<<41 - 1, CapBnd: 1<<41 - 1,
		Threads: []ThreadInfo{{TID: 42, Comm: "sh", State: 'S'}, {TID: 43, Comm: "worker", State: 'R', SigPnd: 1 << 9, SigBlk: 1 << 13}},
		SigIgn:  1 << 2, SigCgt: 1<<1 | 1<<16, UTime: 2500 * time.Millisecond, Limits: lim, FDSize: 64, ExitSignal: 17}
	init := ProcInfo{PID: 1, State: 'S', Comm: "init", Threads: []ThreadInfo{{TID: 1, Comm: "init", State: 'S'}}, Limits: lim}
	return &fakeSource{
		procs: map[int]ProcInfo{1: init, 42: sh},
		pos:   map[[2]int]int64{{42, 10}: 12},
		links: map[int]map[string]Link{42: {"exe": {Name: "/bin/busybox"}, "cwd": {Name: "/tmp"}, "root": {Name: "/"}}},
		regions: map[int][]Region{42: {
			{Start: 0x400000, End: 0x401000, Read: true, Exec: true, Dev: 1, Ino: 5, Name: "/bin/busybox", File: true, Program: true, Resident: 1},
			{Start: 0x401000, End: 0x403000, Read: true, Write: true, Offset: 0x1000, Dev: 1, Ino: 5, Name: "/bin/busybox", File: true, Resident: 2},
			{Start: 0x403000, End: 0x405000, Read: true, Write: true, Name: "[heap]", Resident: 1},
			{Start: 0x7ffff0000000, End: 0x7ffff0001000},
			{Start: 0x7ffff7ff0000, End: 0x7ffff7ff2000, Read: true, Write: true, Shared: true, Dev: 4, Ino: 7,
				Name: "/dev/zero (deleted)", File: true, Resident: 2, ResidentShare: 2},
			{Start: 0x7fffff7de000, End: 0x7ffffffde000, Read: true, Write: true, Name: "[stack]", Resident: 3},
		}},
		args: map[int]Args{42: {Cmdline: []byte("sh\x00-c\x00echo hi\x00"), Environ: []byte("HOME=/\x00"), Auxv: []byte{6, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}},
		fds: map[int][]FDInfo{42: {
			{FD: 0, Link: Link{Name: "/dev/console"}, Flags: abi.O_RDWR, Ino: 1, MntID: 1},
			{FD: 3, Link: Link{Name: "pipe:[77]", Err: abi.ENXIO}, Flags: abi.O_RDONLY, Ino: 77},
			{FD: 10, Link: Link{Name: "/tmp/x (deleted)"}, Flags: abi.O_WRONLY | abi.O_CLOEXEC | 0o100000, Ino: 9, MntID: 2},
		}},
		mounts: []MountInfo{
			{ID: 1, ParentID: 1, Dev: abi.Mkdev(0, 1), Root: "/", Point: "/", FSType: "rootfs", Source: "rootfs", Options: "rw"},
			{ID: 2, ParentID: 1, Dev: abi.Mkdev(0, 2), Root: "/", Point: "/tmp", FSType: "tmpfs", Source: "tmpfs", Options: "rw,relatime"},
			{ID: 3, ParentID: 1, Dev: abi.Mkdev(0, 3), Root: "/", Point: "/proc", FSType: "proc", Source: "proc", Options: "rw,nosuid,nodev,noexec,relatime"},
			{ID: 4, ParentID: 2, Dev: abi.Mkdev(0, 4), Root: "/", Point: "/tmp/my dir", FSType: "tmpfs", Source: "none", Options: "ro,relatime,size=1024k,mode=755"},
		},
		sys: System{Boot: time.Now().Add(-90 * time.Second), CPUs: 1, Config: "CONFIG_X86_64=y\n", Mem: MemInfo{Total: 16384, Free: 12288, Shmem: 1024, Committed: 2048},
			UserTime: 3 * time.Second, Threads: 3, Running: 1, LastPID: 43, Forks: 44, ThreadsMax: 512, PIDMax: 32768, NrOpen: 1 << 20,
			Hostname: "starry", OSRelease: "6.18.0-starry", Version: "#1 SMP Starry-Go", FSTypes: []string{"tmpfs", "devtmpfs", "proc"},
			MaxMapCount: 65530, HWCap: 1<<0 | 1<<4 | 1<<25},
	}
}

// fixture is a procfs over sample() as the root of a namespace.
type fixture struct {
	t   *testing.T
	src *fakeSource
	fs  *FS
	mt  *vfs.MountTable
}

func newFixture(t *testing.T) *fixture {
	src := sample()
	fs := New(src)
	fs.SetDev(abi.Mkdev(0, 9))
	return &fixture{t: t, src: src, fs: fs, mt: vfs.NewMountTable(fs.VFS())}
}

func (f *fixture) resolve(c *vfs.Creds, path string, flags vfs.Flags) (vfs.Path, error) {
	if c == nil {
		c = &vfs.Creds{}
	}
	root := f.mt.Root()
	return f.mt.Resolve(c, root, root, path, flags)
}

// open opens path as c sees it.
func (f *fixture) open(c *vfs.Creds, path string, flags int) (fd.File, error) {
	f.t.Helper()
	p, err := f.resolve(c, path, 0)
	if err != nil {
		return nil, err
	}
	file, ok, err := Open(c, p, flags)
	if !ok {
		f.t.Fatalf("Open(%s): not a procfs file", path)
	}
	return file, err
}

// read is path's contents, read a few bytes at a time.
func (f *fixture) read(c *vfs.Creds, path string) string {
	f.t.Helper()
	file, err := f.open(c, path, abi.O_RDONLY)
	if err != nil {
		f.t.Fatalf("open %s: %v", path, err)
	}
	var b []byte
	buf := make([]byte, 7)
	for {
		n, err := file.Read(fd.Ctx{}, buf)
		if err != nil {
			f.t.Fatalf("read %s: %v", path, err)
		}
		if n == 0 {
			return string(b)
		}
		b = append(b, buf[:n]...)
	}
}

// names lists a directory as getdents would, "." and ".." left out.
func (f *fixture) names(path string) []string {
	f.t.Helper()
	p, err := f.resolve(as(42, 42), path, vfs.Directory)
	if err != nil {
		f.t.Fatalf("resolve %s: %v", path, err)
	}
	var out []string
	if err := p.Dentry.ReadDir(0, func(e vfs.DirEntry) bool {
		if e.Name != "." && e.Name != ".." {
			out = append(out, e.Name)
		}
		return true
	}); err != nil {
		f.t.Fatalf("readdir %s: %v", path, err)
	}
	return out
}

func lines(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }
