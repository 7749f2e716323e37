package procfs

import (
	"time"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
)

// Source is what /proc shows, handed over as snapshots (copies, never
// live pointers into the kernel's state), so that procfs needs no lock of
// the library OS's and does all the formatting itself. caller is
// vfs.Creds.Caller of whoever looks (nil for the kernel itself): it
// decides what "self" is and how paths read.
type Source interface {
	// Self is the process and thread caller is; ok is false for none.
	Self(caller any) (pid, tid int, ok bool)
	// PIDs lists the thread groups, zombies included, ascending.
	PIDs() []int
	// Alive reports whether process pid (and its thread tid, unless tid
	// is 0) exists, and the process's start, which tells a reused PID
	// from the process an entry was made for.
	Alive(pid, tid int) (start time.Duration, ok bool)
	// Process is everything of pid's that is cheap to copy.
	Process(pid int, caller any) (ProcInfo, bool)
	// Link is one of pid's own links, "exe", "cwd" or "root", named as
	// caller's root sees it (ESRCH for a process gone).
	Link(pid int, name string, caller any) (Link, error)
	// Regions is pid's memory map, ascending (none for a zombie).
	Regions(pid int) []Region
	// Args is pid's argument and environment strings and auxiliary
	// vector, as its memory holds them now (nil when they cannot be read).
	Args(pid int) Args
	// FDs lists pid's open descriptors, ascending. FD is one of them:
	// what its link names and its flags. Neither may take an open
	// file's own lock (a getdents of /proc/self/fd holds its directory
	// file's), so the position, which does, comes apart from them: Pos.
	FDs(pid int) []int
	FD(pid, fd int, caller any) (FDInfo, bool)
	Pos(pid, fd int) int64
	// SetComm names thread tid of pid, as a write to its comm does
	// (EINVAL when caller is not of that thread group).
	SetComm(caller any, pid, tid int, name string) error
	// Mounts is the mount table as pid sees it (mount points relative to
	// its root; mounts outside it left out), in mount order.
	Mounts(pid int) []MountInfo
	// System is the machine-wide figures.
	System() System
}

// ProcInfo is one thread group.
type ProcInfo struct {
	PID, PPID, PGID, SID int
	Start                time.Duration // since boot
	// State is the group's (its leader's) state: 'R', 'S', 'T' or 'Z'.
	State                          byte
	Comm                           string // the leader's name
	UID, EUID, SUID, FSUID         uint32
	GID, EGID, SGID, FSGID         uint32
	Groups                         []uint32
	CapInh, CapPrm, CapEff         uint64 // the capability sets, one bit per capability
	CapBnd, CapAmb                 uint64
	Umask                          uint32
	Threads                        []ThreadInfo // ascending TIDs; never empty
	ShdPnd, SigIgn, SigCgt         uint64       // bit n-1 is signal n
	UTime, STime                   time.Duration
	Limits                         [16]Rlimit // RLIMIT_CPU ... RLIMIT_RTTIME
	FDSize                         int        // the descriptor table's room (max_fds)
	ExitSignal, ExitCode           int
	MinFlt, MajFlt, VolCtx, InvCtx uint64
}

// ThreadInfo is one thread of a group.
type ThreadInfo struct {
	TID            int
	Comm           string
	State          byte
	SigPnd, SigBlk uint64
	TracerPid      int // the process tracing it (ptrace), 0 for none
}

// Rlimit is one resource limit; ^uint64(0) is RLIM_INFINITY.
type Rlimit struct{ Cur, Max uint64 }

// Link is a magic link's two faces: what readlink shows, and where
// following it goes. With no Path (a nil Dentry) following reaches an
// unnamed inode of Mode and Ino that Reopen opens, when it is set (a
// pipe's end, opened anew as fifo_open does; flags are open's), and
// fails with Err (ENOENT if nil) when it is not.
type Link struct {
	Name   string
	Path   vfs.Path
	Err    error
	Reopen func(flags int) (fd.File, error)
	Mode   uint32
	Ino    uint64
}

// FDInfo is one open descriptor (/proc/PID/fd/N and fdinfo/N).
type FDInfo struct {
	FD    int
	Link  Link
	Flags int // the open file's status flags, O_CLOEXEC added for the descriptor's
	MntID uint64
	Ino   uint64
}

// Region is one VMA.
type Region struct {
	Start, End              uint64
	Read, Write, Exec       bool
	Shared                  bool // MAP_SHARED
	Offset                  uint64
	Dev, Ino                uint64 // of the mapped file
	Name                    string // the file's path, "[heap]", "[stack]", or ""
	File                    bool   // maps a file's pages (RssFile, VmExe, VmLib)
	Program                 bool   // maps the program's own file (VmExe, start_code)
	Locked                  bool   // VM_LOCKED (MAP_LOCKED): VmLck, smaps' Locked
	Resident, ResidentShare uint64 // pages present; of those, pages others hold too
}

// Args is a process's start-up strings.
type Args struct {
	Cmdline, Environ, Auxv []byte
}

// MountInfo is one mount.
type MountInfo struct {
	ID, ParentID uint64 // the namespace's root is its own parent
	Dev          uint64
	Root, Point  string // the mounted directory within its file system; where it is mounted
	FSType       string
	Source       string
	Options      string // "rw" or "ro", then the rest ("relatime", "size=...")
	Propagation  string // mountinfo's optional fields ("shared:1 master:2"), or ""
}

// System is the machine-wide part.
type System struct {
	Boot          time.Time
	CPUs          int
	CPU           CPUInfo
	Mem           MemInfo
	UserTime      time.Duration // CPU time user code has used, all CPUs
	Threads       int           // live threads
	Running       int           // of them, running
	LastPID       int           // the last ID handed out
	Forks         uint64        // processes and threads made since boot
	ThreadsMax    int
	PIDMax        int
	NrOpen        int
	Hostname      string
	OSRelease     string // "6.18.0-starry"
	Version       string // uname's version, "#1 SMP ..."
	FSTypes       []string
	Overcommit    int // vm.overcommit_memory
	MaxMapCount   int
	HWCap         uint64 // CPUID leaf 1 EDX (AT_HWCAP), for cpuinfo's flags
	KernelCmdline string
	Config        string // the kernel's .config, as /proc/config.gz gives it (gzipped)
}

// CPUInfo describes one (every) CPU; zero fields get plain defaults.
type CPUInfo struct {
	Vendor, ModelName       string
	Family, Model, Stepping int
	MHz                     float64
	CacheKB                 int
	Flags                   string // space-separated; empty: from HWCap
}

// MemInfo is the machine's memory, in pages.
type MemInfo struct {
	Total, Free uint64
	Shmem       uint64 // tmpfs file pages (Cached and Shmem)
	Committed   uint64
}
