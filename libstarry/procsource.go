package libstarry

import (
	"path"
	"sync"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/procfs"
	"github.com/starry-go/starry/libstarry/tmpfs"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// ProcConfig is what /proc shows that the library OS does not keep:
// when the machine booted, its CPUs, its boot command line (the names
// uname reports are the kernel's UTS names). Zero fields get plain
// defaults.
type ProcConfig struct {
	Boot    time.Time
	CPUs    int
	CPU     procfs.CPUInfo
	HWCap   uint64 // AT_HWCAP, for cpuinfo's flags
	Cmdline string
}

// procSource is procfs.Source over a kernel's processes and the file
// layer: each method copies what it needs under the owners' locks.
// vfs.Creds.Caller, when set, is the *Process (or *Thread) looking.
type procSource struct {
	k   *Kernel
	fs  *Files
	cfg ProcConfig

	mu   sync.Mutex
	seen map[*Process]*procRec
}

// procRec is what the source keeps of a process: when it first saw it
// (processes keep no start time, so that stands in for it, and tells a
// reused PID from the process an entry was made for), and the program's
// file, resolved from its exec path.
type procRec struct {
	start     time.Duration
	exe       string
	exePath   vfs.Path
	resolving bool // exePath is resolving exe
}

// NewProcSource is /proc's view of k's processes and fs's files.
func NewProcSource(k *Kernel, fs *Files, cfg ProcConfig) procfs.Source {
	if cfg.Boot.IsZero() {
		cfg.Boot = time.Now()
	}
	cfg.CPUs = max(cfg.CPUs, 1)
	return &procSource{k: k, fs: fs, cfg: cfg, seen: map[*Process]*procRec{}}
}

// callerProcess is the process a vfs.Creds.Caller names.
func callerProcess(caller any) *Process {
	switch c := caller.(type) {
	case *Process:
		return c
	case *Thread:
		return c.P
	}
	return nil
}

func (s *procSource) Self(caller any) (int, int, bool) {
	switch c := caller.(type) {
	case *Thread:
		return c.P.pid, c.tid, true
	case *Process:
		return c.pid, c.pid, true // the thread is not known: the leader
	}
	return 0, 0, false
}

func (s *procSource) PIDs() []int {
	ps := s.k.pids()
	out := make([]int, len(ps))
	for i, p := range ps {
		out[i] = p.pid
	}
	return out
}

// rec is p's record, made at first sight; records of processes gone
// are dropped as the table outgrows the kernel's.
func (s *procSource) rec(p *Process) *procRec {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.seen[p]; r != nil {
		return r
	}
	if len(s.seen) > 64 {
		live := map[*Process]bool{}
		for _, q := range s.k.pids() {
			live[q] = true
		}
		for q := range s.seen {
			if !live[q] {
				delete(s.seen, q)
			}
		}
	}
	r := &procRec{start: time.Since(s.cfg.Boot)}
	s.seen[p] = r
	return r
}

func (s *procSource) Alive(pid, tid int) (time.Duration, bool) {
	p := s.k.Process(pid)
	if p == nil || tid != 0 && tid != pid && p.ThreadByTID(tid) == nil {
		return 0, false
	}
	return s.rec(p).start, true
}

// Process copies pid's state. A thread's state is 'R' for the one
// looking and for one running user code, 'S' for one in a system call
// (most of them are waits; a short computing one is shown asleep too),
// 'T' when the process is stopped and
// 'Z' once it is a zombie; a leader that has exited before its threads
// stays listed, a zombie, as Linux keeps it.
func (s *procSource) Process(pid int, caller any) (procfs.ProcInfo, bool) {
	p := s.k.Process(pid)
	if p == nil {
		return procfs.ProcInfo{}, false
	}
	snap := p.snapshot()
	if p == s.k.init {
		snap.rlim = s.k.initRlimits()
	}
	c := snap.cred
	info := procfs.ProcInfo{PID: pid, PPID: snap.ppid, PGID: snap.pgid, SID: snap.sid, Start: s.rec(p).start,
		UID: c.UID, EUID: c.EUID, SUID: c.SUID, FSUID: c.FSUID, GID: c.GID, EGID: c.EGID, SGID: c.SGID, FSGID: c.FSGID,
		Groups: append([]uint32(nil), c.Groups...), ShdPnd: snap.shared, ExitSignal: snap.exitSignal,
		Comm: path.Base(snap.exe), CapInh: c.Caps.Inheritable, CapPrm: c.Caps.Permitted, CapEff: c.Caps.Effective,
		CapBnd: c.Caps.Bounding, CapAmb: c.Caps.Ambient}
	info.SigIgn, info.SigCgt = p.signalSets()
	if _, _, umask, ok := p.fsPaths(); ok {
		info.Umask = umask
	}
	for i := range info.Limits {
		info.Limits[i] = procfs.Rlimit{Cur: snap.rlim[i].Cur, Max: snap.rlim[i].Max}
	}
	if env := p.Env(); env != nil {
		info.UTime = env.CPUTime()
	}
	if snap.zombie {
		info.ExitCode = snap.status.waitStatus()
	} else if p.FDs != nil {
		info.FDSize = p.FDs.Size()
	}
	looker, _ := caller.(*Thread)
	var leader *procfs.ThreadInfo
	for _, t := range snap.threads {
		ti := procfs.ThreadInfo{TID: t.tid, Comm: t.comm, SigPnd: t.pending, SigBlk: t.mask, State: 'R', TracerPid: t.tracer}
		switch {
		case snap.zombie:
			ti.State = 'Z'
		case t.traceStop:
			ti.State = 't'
		case snap.stopped:
			ti.State = 'T'
		case looker != nil && looker == t.t, looker == nil && callerProcess(caller) == p && t.tid == pid:
			ti.State = 'R'
		case t.sleeping:
			ti.State = 'S'
		}
		if t.tid == pid {
			info.Comm, leader = t.comm, &ti
			continue
		}
		info.Threads = append(info.Threads, ti)
	}
	if leader == nil {
		leader = &procfs.ThreadInfo{TID: pid, Comm: info.Comm, State: 'Z'}
		if p == s.k.init {
			leader.State = 'S'
		}
	}
	info.Threads = append([]procfs.ThreadInfo{*leader}, info.Threads...) // the leader first, as Linux lists it
	info.State = leader.State
	return info, true
}

// Regions is the memory map: each region's resident pages, and for a
// file's its inode, device, and whether it is the program's own.
func (s *procSource) Regions(pid int) []procfs.Region {
	p := s.k.Process(pid)
	if p == nil {
		return nil
	}
	m := p.snapshot().mm
	if m == nil {
		return nil
	}
	var exe *tmpfs.Node
	if q := s.exePath(p); q.Dentry != nil {
		exe, _ = tmpfs.NodeOf(q.Dentry.Inode())
	}
	var out []procfs.Region
	for _, v := range m.Regions() {
		r := procfs.Region{Start: uint64(v.Start), End: uint64(v.End), Read: v.Prot&exo.PermRead != 0,
			Write: v.Prot&exo.PermWrite != 0, Exec: v.Prot&exo.PermExec != 0, Shared: v.Shared, Name: v.Name, Locked: v.Locked}
		if v.Obj != nil {
			r.File, r.Offset = true, v.FileOff
			if n, ok := v.Obj.(*tmpfs.Node); ok {
				r.Ino, r.Dev = n.Inode().Ino, s.devOf(n)
				if r.Program = n == exe; r.Program && r.Name == "" {
					r.Name = s.pathName(nil, s.exePath(p))
				}
			}
		}
		r.Resident, r.ResidentShare = m.Resident(v.Start, v.End, v.Obj != nil)
		out = append(out, r)
	}
	return out
}

// devOf is the device of the tmpfs instance n belongs to.
func (s *procSource) devOf(n *tmpfs.Node) uint64 {
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	for _, info := range s.fs.info {
		if info.tmp != nil && info.tmp == n.FS() {
			return info.dev
		}
	}
	return 0
}

func (s *procSource) Args(pid int) procfs.Args {
	p := s.k.Process(pid)
	if p == nil {
		return procfs.Args{}
	}
	m := p.snapshot().mm
	if m == nil {
		return procfs.Args{}
	}
	c, e, a := startupStrings(m)
	return procfs.Args{Cmdline: c, Environ: e, Auxv: a}
}

// SetComm names a thread of the caller's own process (EINVAL for
// another's, as comm_write).
func (s *procSource) SetComm(caller any, pid, tid int, name string) error {
	p := s.k.Process(pid)
	if p == nil {
		return abi.ESRCH
	}
	if callerProcess(caller) != p {
		return abi.EINVAL
	}
	t := p.ThreadByTID(tid)
	if t == nil {
		return abi.ESRCH
	}
	t.SetName(name)
	return nil
}

func (s *procSource) Mounts(pid int) []procfs.MountInfo {
	p := s.k.Process(pid)
	if p == nil || p.cfg.FS == nil || p.fs == nil {
		return nil
	}
	var out []procfs.MountInfo
	for _, e := range p.Mounts() {
		parent := e.ParentID
		if parent == 0 {
			parent = e.ID // the namespace's root is its own parent
		}
		out = append(out, procfs.MountInfo{ID: e.ID, ParentID: parent, Dev: e.Dev, Root: "/", Point: e.Point,
			FSType: e.FSType, Source: e.Source, Options: e.Options, Propagation: e.Propagation})
	}
	return out
}

// System is the machine's figures: the exokernel's frames (tmpfs pages
// as shared memory), user time summed over the live processes' Envs,
// and the kernel's task counts.
func (s *procSource) System() procfs.System {
	threads, last, tmax := s.k.taskCounts()
	var user time.Duration
	for _, p := range s.k.pids() {
		if env := p.Env(); env != nil {
			user += env.CPUTime()
		}
	}
	ex := s.fs.ex
	total, free := uint64(ex.UserFrames()), uint64(ex.FreeFrames())
	uts := s.k.uts.get() // what sethostname changed, as uname shows it
	return procfs.System{Boot: s.cfg.Boot, CPUs: s.cfg.CPUs, CPU: s.cfg.CPU, UserTime: user,
		Mem:     procfs.MemInfo{Total: total, Free: free, Shmem: uint64(s.fs.FramesHeld()), Committed: total - min(free, total)},
		Threads: threads, Running: 1, LastPID: last, Forks: uint64(max(last-InitPID, 0)),
		ThreadsMax: tmax, PIDMax: pidMax, NrOpen: nrOpen, Hostname: uts.Nodename, OSRelease: uts.Release,
		Version: uts.Version, FSTypes: append(append([]string(nil), FileSystemTypes...), "proc"), MaxMapCount: 65530,
		HWCap: s.cfg.HWCap, KernelCmdline: s.cfg.Cmdline, Config: KernelConfig}
}
