package procfs

import (
	"sort"

	"github.com/starry-go/starry/personality/linux/abi"
)

// kind is what an entry is, and for a directory how its entries come.
type kind int

const (
	kFile      kind = iota
	kLink           // a plain symlink: target
	kSelf           // a link whose body depends on the reader (self, thread-self)
	kMagic          // a magic link of a process (exe, cwd, root)
	kFDLink         // fd/N, a magic link
	kDir            // a directory of fixed entries
	kRoot           // /proc: fixed entries, then one directory per process
	kPID            // /proc/PID: tgidEntries
	kTask           // /proc/PID/task: one directory per thread
	kTID            // /proc/PID/task/TID: tidEntries
	kFDDir          // fd/: one magic link per descriptor
	kFDInfoDir      // fdinfo/: one file per descriptor
)

// entry describes a file of the tree (Linux's pid_entry and
// proc_dir_entry): its name, mode, and how its contents, target or
// entries come.
type entry struct {
	name string
	mode uint32
	kind kind
	id   uint64 // inode numbers: a fixed entry's own, a process entry's part
	kids []*entry
	// show makes a file's contents; write, if set, takes a write.
	show  func(c *ctx) ([]byte, error)
	write func(c *ctx, b []byte) (int, error)
	// sizeless files (cmdline, environ, auxv) seek as generic_file_llseek
	// over an i_size of 0; the others as seq_lseek.
	sizeless bool
	target   string                     // kLink's body
	link     func(c *ctx) (Link, error) // kSelf, kMagic, kFDLink
}

func file(name string, perm uint32, show func(c *ctx) ([]byte, error)) *entry {
	return &entry{name: name, mode: abi.S_IFREG | perm, kind: kFile, show: show}
}

func dir(name string, kids ...*entry) *entry {
	return &entry{name: name, mode: abi.S_IFDIR | 0o555, kind: kDir, kids: kids}
}

func link(name string, k kind, fn func(c *ctx) (Link, error)) *entry {
	return &entry{name: name, mode: abi.S_IFLNK | 0o777, kind: k, link: fn}
}

// rootEntry is /proc (proc_root and the entries proc_misc registers).
var rootEntry = &entry{name: "", mode: abi.S_IFDIR | 0o555, kind: kRoot, kids: []*entry{
	link("self", kSelf, selfTarget),
	link("thread-self", kSelf, threadSelfTarget),
	{name: "mounts", mode: abi.S_IFLNK | 0o777, kind: kLink, target: "self/mounts"},
	file("cpuinfo", 0o444, showCPUInfo),
	file("meminfo", 0o444, showMeminfo),
	file("stat", 0o444, showStat),
	file("uptime", 0o444, showUptime),
	file("loadavg", 0o444, showLoadavg),
	file("version", 0o444, showVersion),
	file("filesystems", 0o444, showFilesystems),
	file("cmdline", 0o444, showKernelCmdline),
	file("config.gz", 0o444, showConfig),
	sysEntry,
}}

// pidEntry, taskEntry, tidEntry, fdLinkEntry and fdInfoEntry are the
// entries made per process, thread and descriptor.
var (
	pidEntry    = &entry{mode: abi.S_IFDIR | 0o555, kind: kPID}
	tidEntry    = &entry{mode: abi.S_IFDIR | 0o555, kind: kTID}
	fdLinkEntry = &entry{mode: abi.S_IFLNK, kind: kFDLink, link: fdTarget}
	fdInfoEntry = &entry{mode: abi.S_IFREG | 0o444, kind: kFile, show: showFDInfo}
)

// processEntries are a thread group's and a thread's files, in the order
// of base.c's tgid_base_stuff and tid_base_stuff (task only in the
// former).
func processEntries(group bool) []*entry {
	es := []*entry{
		{name: "fd", mode: abi.S_IFDIR | 0o500, kind: kFDDir},
		{name: "fdinfo", mode: abi.S_IFDIR | 0o555, kind: kFDInfoDir},
		{name: "environ", mode: abi.S_IFREG | 0o400, kind: kFile, show: showEnviron, sizeless: true},
		{name: "auxv", mode: abi.S_IFREG | 0o400, kind: kFile, show: showAuxv, sizeless: true},
		file("status", 0o444, showStatus),
		file("limits", 0o444, showLimits),
		{name: "comm", mode: abi.S_IFREG | 0o644, kind: kFile, show: showComm, write: writeComm},
		{name: "cmdline", mode: abi.S_IFREG | 0o444, kind: kFile, show: showCmdline, sizeless: true},
		file("stat", 0o444, showPIDStat),
		file("statm", 0o444, showStatm),
		file("maps", 0o444, showMaps),
		link("cwd", kMagic, procLink("cwd")),
		link("root", kMagic, procLink("root")),
		link("exe", kMagic, procLink("exe")),
		file("mounts", 0o444, showMounts),
		file("mountinfo", 0o444, showMountinfo),
		file("smaps", 0o444, showSmaps),
	}
	if group {
		es = append([]*entry{{name: "task", mode: abi.S_IFDIR | 0o555, kind: kTask}}, es...)
	}
	return es
}

func init() {
	// The fixed tree is numbered from 2 (the root is 1), each directory's
	// entries in Linux's order for them: by length, then by bytes
	// (proc_match's order of the subdir rb-tree).
	next := uint64(1)
	var number func(e *entry)
	number = func(e *entry) {
		e.id, next = next, next+1
		sort.SliceStable(e.kids, func(i, j int) bool {
			a, b := e.kids[i].name, e.kids[j].name
			return len(a) < len(b) || len(a) == len(b) && a < b
		})
		for _, k := range e.kids {
			number(k)
		}
	}
	number(rootEntry)
	// A process's entries share numbers 1 on between the two tables
	// (an entry's number is one part of its inode's).
	pidEntry.kids, tidEntry.kids = processEntries(true), processEntries(false)
	id := uint64(1)
	byName := map[string]uint64{}
	for _, e := range append(append([]*entry{pidEntry, tidEntry, fdLinkEntry, fdInfoEntry}, pidEntry.kids...), tidEntry.kids...) {
		if n, ok := byName[e.name]; ok && e.name != "" {
			e.id = n
			continue
		}
		e.id, id = id, id+1
		byName[e.name] = e.id
	}
}
