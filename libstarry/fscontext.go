package libstarry

import (
	"slices"
	"strings"
	"sync"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The new mount API (fs/fsopen.c, fs/fs_context.c): fsopen makes a file
// system context, fsconfig gives it parameters one at a time and then
// creates the instance (CMD_CREATE), fsmount makes a detached mount of
// it; fspick makes a context for an existing mount, whose parameters
// CMD_RECONFIGURE applies. The context's descriptor reads its error log.

// fcPhase is an fs_context's phase (enum fs_context_phase).
type fcPhase int

const (
	fcCreateParams  fcPhase = iota // taking parameters for a new instance
	fcAwaitingMount                // created; fsmount may mount it
	fcReconfParams                 // taking parameters to reconfigure
	fcFailed                       // a create or reconfigure failed
)

// Super block flags the common keys set and clear (vfs_parse_sb_flag).
const (
	sbRdonly      = 0x1
	sbSynchronous = 0x10
	sbMandlock    = 0x40
	sbDirsync     = 0x80
	sbLazytime    = 1 << 25
)

var (
	sbSetKeys   = map[string]uint32{"dirsync": sbDirsync, "lazytime": sbLazytime, "mand": sbMandlock, "ro": sbRdonly, "sync": sbSynchronous}
	sbClearKeys = map[string]uint32{"async": sbSynchronous, "nolazytime": sbLazytime, "nomand": sbMandlock, "rw": sbRdonly}
	// sbWords are the super block flags /proc/mounts shows (show_sb_opts).
	sbWords = []struct {
		flag uint32
		word string
	}{{sbSynchronous, "sync"}, {sbDirsync, "dirsync"}, {sbMandlock, "mand"}, {sbLazytime, "lazytime"}}
)

// ParamKind is how fsconfig gave a parameter's value (fs_value_type).
type ParamKind int

// The kinds, as FSCONFIG_SET_FLAG, _STRING, _BINARY, _PATH(_EMPTY), _FD.
const (
	ParamFlag ParamKind = iota
	ParamString
	ParamBlob
	ParamPath
	ParamFD
)

// FSParam is one parameter (struct fs_parameter): a path is only its
// name, as getname leaves it; no parameter here resolves one.
type FSParam struct {
	Key   string
	Kind  ParamKind
	Value string
}

// fsParamSpecs are the parameters each type's parse_param knows, true
// for those taking a string, false for flags. The values are checked as
// mount(2)'s data would be; proc's and ext2's change nothing, as mount(2)
// ignores them too.
var fsParamSpecs = map[string]map[string]bool{
	"tmpfs": {"size": true, "nr_blocks": true, "nr_inodes": true, "mode": true, "uid": true, "gid": true,
		"huge": true, "mpol": true, "inode32": false, "inode64": false, "noswap": false},
	"proc":  {"gid": true, "hidepid": true, "subset": true},
	"sysfs": {},
	"ext2": {"errors": true, "resuid": true, "resgid": true, "sb": true, "acl": false, "noacl": false,
		"user_xattr": false, "nouser_xattr": false, "bsddf": false, "minixdf": false, "grpid": false,
		"bsdgroups": false, "nogrpid": false, "sysvgroups": false, "nouid32": false, "debug": false},
}

// fsInstance is a file system instance made to be mounted (a super
// block and its root, fc->root): what /proc/mounts shows of its mounts,
// whether they must all be read-only, and how to let go of it should it
// never be mounted.
type fsInstance struct {
	v       *vfs.FileSystem
	rec     mountRec
	ro      bool
	shared  bool // an instance that was there before (sget found it)
	release func()
}

// FSContext is an fs_context and its descriptor's file.
type FSContext struct {
	mu       sync.Mutex // fc->uapi_mutex
	fs       *Files
	fstype   string
	phase    fcPhase
	source   string
	hasSrc   bool
	params   []string // the type's own, "key" or "key=value", as mount(2)'s data
	sbFlags  uint32   // the super block flags asked for
	sbMask   uint32   // which of them were named
	inst     *fsInstance
	target   vfs.Path // fspick's mount root
	log      []string // messages not yet read, oldest first
	released bool
}

// fcLogSize is how many messages the log keeps (the ring of fc_log).
const fcLogSize = 8

// knownFSType reports whether fsopen knows the type (get_fs_type).
func knownFSType(name string) bool {
	return name == "ext2" || slices.Contains(FileSystemTypes, name)
}

// FSOpen is fsopen(2) once the name is copied in: CAP_SYS_ADMIN
// (may_mount, EPERM), then a known type (ENODEV).
func (p *Process) FSOpen(fstype string) (*FSContext, error) {
	if !p.Cred().Capable(CapSysAdmin) {
		return nil, abi.EPERM
	}
	if !knownFSType(fstype) {
		return nil, abi.ENODEV
	}
	return &FSContext{fs: p.cfg.FS, fstype: fstype}, nil
}

// FSPick is fspick(2) once the path is resolved: CAP_SYS_ADMIN, then
// the root of a mount (EINVAL); the context reconfigures that mount.
func (p *Process) FSPick(target vfs.Path) (*FSContext, error) {
	if !p.Cred().Capable(CapSysAdmin) {
		return nil, abi.EPERM
	}
	if target.Dentry != target.Mount.Root().Dentry {
		return nil, abi.EINVAL
	}
	rec := p.cfg.FS.recOf(target.Mount)
	if rec.fstype == "" {
		rec.fstype = "rootfs"
	}
	return &FSContext{fs: p.cfg.FS, fstype: rec.fstype, phase: fcReconfParams, target: target}, nil
}

// logf adds an error message as errorf logs it ("e ", the text and a
// newline), dropping the oldest when the log is full; it returns EINVAL,
// what invalf returns.
func (c *FSContext) logf(msg string) error {
	if len(c.log) == fcLogSize {
		c.log = c.log[1:]
	}
	c.log = append(c.log, "e "+msg+"\n")
	return abi.EINVAL
}

// SetParam is vfs_parse_fs_param for one fsconfig parameter: EBUSY
// unless the context takes parameters; a common super block flag (any
// kind of value); the type's own; "source", a string, once; else EINVAL
// with "Unknown parameter" in the log.
func (c *FSContext) SetParam(prm FSParam) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.phase != fcCreateParams && c.phase != fcReconfParams {
		return abi.EBUSY
	}
	if f, ok := sbSetKeys[prm.Key]; ok {
		c.sbFlags |= f
		c.sbMask |= f
		return nil
	}
	if f, ok := sbClearKeys[prm.Key]; ok {
		c.sbFlags &^= f
		c.sbMask |= f
		return nil
	}
	if takesString, ok := c.spec()[prm.Key]; ok {
		return c.setOwn(prm, takesString)
	}
	if prm.Key == "source" {
		switch {
		case prm.Kind != ParamString:
			return c.logf("Non-string source")
		case c.hasSrc:
			return c.logf("Multiple sources")
		}
		c.source, c.hasSrc = prm.Value, true
		return nil
	}
	return c.logf(c.fstype + ": Unknown parameter '" + prm.Key + "'")
}

// spec is the type's parameter table (devtmpfs takes tmpfs's).
func (c *FSContext) spec() map[string]bool {
	if c.fstype == "devtmpfs" {
		return fsParamSpecs["tmpfs"]
	}
	return fsParamSpecs[c.fstype]
}

// setOwn is fs_parse for one of the type's parameters: a flag takes no
// value, the others a string (fs_param_is_string), which tmpfs checks
// now as shmem_parse_one does.
func (c *FSContext) setOwn(prm FSParam, takesString bool) error {
	switch {
	case !takesString && prm.Kind != ParamFlag:
		return c.logf(c.fstype + ": Unexpected value for '" + prm.Key + "'")
	case takesString && (prm.Kind != ParamString || prm.Value == ""):
		return c.logf(c.fstype + ": Bad value for '" + prm.Key + "'")
	}
	kv := prm.Key
	if takesString {
		kv += "=" + prm.Value
	}
	if c.fstype == "tmpfs" || c.fstype == "devtmpfs" {
		if _, err := parseTmpfsOptions(kv, int64(c.fs.ex.UserFrames())); err != nil {
			return c.logf(c.fstype + ": Bad value for '" + prm.Key + "'")
		}
	}
	c.params = append(c.params, kv)
	return nil
}

// Create is FSCONFIG_CMD_CREATE (vfs_cmd_create): EBUSY unless the
// context is taking parameters for a new instance, EPERM without
// CAP_SYS_ADMIN, then the type's get_tree; a failure leaves the context
// failed. With excl (CMD_CREATE_EXCL) an instance already in use (an
// ext2 device's) is EBUSY (sget_fc); proc's is shared here, but Linux
// gives each mount a super block of its own, so it is not refused.
func (c *FSContext) Create(p *Process, excl bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.phase != fcCreateParams {
		return abi.EBUSY
	}
	if !p.Cred().Capable(CapSysAdmin) {
		return abi.EPERM
	}
	inst, err := p.newInstance(c.fstype, c.source, c.sbFlags&sbRdonly != 0, strings.Join(c.params, ","))
	if err != nil {
		c.phase = fcFailed
		if err == abi.EINVAL && c.fstype == "ext2" && c.source == "" {
			c.logf("No source specified")
		}
		return err
	}
	if excl && inst.shared {
		if inst.release != nil {
			inst.release()
		}
		c.phase = fcFailed
		c.logf(c.fstype + ": reusing existing filesystem not allowed")
		return abi.EBUSY
	}
	inst.ro = inst.ro || c.sbFlags&sbRdonly != 0
	inst.rec.sb = c.sbFlags &^ sbRdonly
	c.inst, c.phase = inst, fcAwaitingMount
	return nil
}

// sbText is show_sb_opts for the flags.
func sbText(flags uint32) string {
	var out []string
	for _, w := range sbWords {
		if flags&w.flag != 0 {
			out = append(out, w.word)
		}
	}
	return strings.Join(out, ",")
}

// Reconfigure is FSCONFIG_CMD_RECONFIGURE (vfs_cmd_reconfigure): EBUSY
// unless the context is fspick's or a mounted one's, EPERM without
// CAP_SYS_ADMIN. Of what reconfigure_super changes only "ro" and "rw"
// take effect, on the picked mount as MS_REMOUNT does here; the
// context then takes parameters afresh.
func (c *FSContext) Reconfigure(p *Process) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.phase != fcReconfParams {
		return abi.EBUSY
	}
	if !p.Cred().Capable(CapSysAdmin) {
		c.phase = fcFailed
		return abi.EPERM
	}
	m := c.target.Mount
	if c.sbMask&sbRdonly != 0 {
		m.SetReadOnly(c.sbFlags&sbRdonly != 0)
	}
	rec := c.fs.recOf(m)
	rec.sb = rec.sb&^c.sbMask | c.sbFlags&c.sbMask&^sbRdonly
	c.fs.recordMount(m, rec)
	c.clean()
	return nil
}

// clean is vfs_clean_context: the parameters go, the flags asked for
// too, but not the mask of those named, which the next reconfigure
// applies again (so a "sync" given before fsmount is cleared by it).
func (c *FSContext) clean() {
	c.params, c.sbFlags, c.source, c.hasSrc = nil, 0, "", false
}

// Mount is fsmount once its flags are checked: EINVAL with no instance
// made nor picked, EBUSY unless one awaits its mount. The mount is the
// root of an anonymous namespace, read-only for MOUNT_ATTR_RDONLY or a
// read-only instance, and the context goes on to reconfigure it
// (vfs_clean_context).
func (c *FSContext) Mount(ro bool, attrs MountAttrs) (*fd.OpenFile, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inst == nil && c.target.Mount == nil { // no fc->root
		return nil, abi.EINVAL
	}
	if c.phase != fcAwaitingMount {
		return nil, abi.EBUSY
	}
	m := vfs.NewDetached(c.inst.v)
	m.SetReadOnly(ro || c.inst.ro)
	rec := c.inst.rec
	rec.attrs = attrs
	c.fs.recordMount(m, rec)
	c.inst.release = nil // the mount holds it now
	c.phase, c.target = fcReconfParams, m.Root()
	c.clean()
	return fd.New(mountFile{pathFile{m.Root(), c.fs}}, abi.O_PATH), nil
}

// Read is fscontext_read: the oldest message, ENODATA with none, and
// EMSGSIZE (the message then lost) when it does not fit.
func (c *FSContext) Read(_ fd.Ctx, b []byte) (int, error) {
	c.mu.Lock()
	if len(c.log) == 0 {
		c.mu.Unlock()
		return 0, abi.ENODATA
	}
	msg := c.log[0]
	c.log = c.log[1:]
	c.mu.Unlock()
	if len(msg) > len(b) {
		return 0, abi.EMSGSIZE
	}
	return copy(b, msg), nil
}

// Write: the context has no write (EINVAL before the buffer is read).
func (c *FSContext) Write(fd.Ctx, []byte) (int, error) { return 0, abi.EINVAL }
func (c *FSContext) Unwritable()                       {}

// Stat is an anonymous inode's ("[fscontext]").
func (c *FSContext) Stat() fd.Stat { return fd.Stat{Mode: 0o600, Nlink: 1} }

// NoExec: an anonymous inode, on a noexec mount.
func (c *FSContext) NoExec() {}

// Release lets go of an instance that was never mounted (put_fs_context).
func (c *FSContext) Release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inst != nil && c.inst.release != nil && !c.released {
		c.inst.release()
	}
	c.released = true
}

// newInstance is get_tree for fstype: a new tmpfs, devtmpfs or sysfs,
// the one proc of the PID namespace, or the ext2 instance on source's
// device (ro: a read-only mount is wanted).
func (p *Process) newInstance(fstype, source string, ro bool, data string) (*fsInstance, error) {
	fs := p.cfg.FS
	switch fstype {
	case "tmpfs", "devtmpfs":
		return fs.newTmpfsInstance(fstype, source, data)
	case "sysfs":
		v, err := fs.newSysfs()
		if err != nil {
			return nil, err
		}
		return &fsInstance{v: v, ro: true, rec: mountRec{fstype: "sysfs", source: source, options: "nosuid,nodev,noexec,relatime"}}, nil
	case "proc":
		fs.mu.Lock()
		pfs := fs.proc
		fs.mu.Unlock()
		if pfs == nil {
			return nil, abi.ENODEV
		}
		return &fsInstance{v: pfs.VFS(), rec: mountRec{fstype: "proc", source: source, options: "nosuid,nodev,noexec,relatime"}}, nil
	case "ext2":
		inst, err := p.ext2Instance(source, ro)
		if err != nil {
			return nil, err
		}
		v := inst.fs.VFS()
		shared := inst.fs.Mounts() > 1
		return &fsInstance{v: v, ro: inst.fs.ReadOnly(), shared: shared, rec: mountRec{fstype: "ext2", source: source, options: "relatime"},
			release: func() { fs.ext2Unmounted(v) }}, nil
	}
	return nil, abi.ENODEV
}
