package libstarry

import (
	"github.com/starry-go/starry/libstarry/ext2"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// ext2 on loop devices: mount(2) of type "ext2" reads the file system on
// its source, a block device; mounting the same device again shares the
// instance (a super_block per device, as sget does), and the last
// unmount writes it back and lets go of the device.

// ext2Inst is one ext2 instance and the device it is on.
type ext2Inst struct {
	fs  *ext2.FS
	dev *LoopDevice
}

// loopBlock is a loop device as ext2 reads and writes it.
type loopBlock struct{ l *LoopDevice }

func (b loopBlock) ReadAt(p []byte, off int64) (int, error) { return b.l.ReadAt(p, off) }
func (b loopBlock) WriteAt(p []byte, off int64) (int, error) {
	return b.l.WriteAt(fd.Ctx{}, p, off)
}
func (b loopBlock) Size() int64 { return b.l.Size() }

// mountExt2 is get_tree_bdev with ext2_fill_super: the source must be a
// block device (ENOTBLK) that exists (ENXIO); a read-only device needs
// a read-only mount (EACCES).
func (p *Process) mountExt2(source string, target vfs.Path, flags uint64) error {
	fs := p.cfg.FS
	inst, err := p.ext2Instance(source, flags&MountReadOnly != 0)
	if err != nil {
		return err
	}
	m, err := mountIn(inst.fs.VFS(), target)
	if err != nil {
		fs.ext2Unmounted(inst.fs.VFS())
		return err
	}
	m.SetReadOnly(flags&MountReadOnly != 0 || inst.fs.ReadOnly())
	fs.recordMount(m, mountRec{fstype: "ext2", source: source, options: "relatime"})
	return nil
}

// ext2Instance finds or makes the instance on source's device, counting
// the mount to come.
func (p *Process) ext2Instance(source string, ro bool) (*ext2Inst, error) {
	fs := p.cfg.FS
	if source == "" {
		return nil, abi.EINVAL
	}
	q, err := p.Resolve(p.At(vfs.Path{}), source, 0)
	if err != nil {
		return nil, err
	}
	in := q.Dentry.Inode()
	if in.Type() != abi.S_IFBLK {
		return nil, abi.ENOTBLK
	}
	rdev := in.Attr().Rdev
	major, minor := uint32((rdev>>8)&0xfff), uint32(rdev&0xff|(rdev>>12)&0xfff00)
	if major != loopMajor {
		return nil, abi.ENXIO
	}
	if inst := fs.ext2On(int(minor)); inst != nil {
		return inst, nil
	}
	f, err := fs.openLoop(int(minor), func() fd.Stat { return fs.statOf(q) })
	if err != nil {
		return nil, err
	}
	l := f.(*LoopDevice)
	if !ro && l.ReadOnly() {
		l.Release()
		return nil, abi.EACCES
	}
	e, err := ext2.Mount(loopBlock{l}, ext2.Options{ReadOnly: ro, Now: now, Pager: fs.pager})
	if err != nil {
		l.Release()
		return nil, err
	}
	e.Attach()
	inst := &ext2Inst{fs: e, dev: l}
	t := fs.loops()
	t.mu.Lock()
	if l.dev.ext2 != nil { // another mount of the device made one first
		t.mu.Unlock()
		e.Detach(nil)
		l.Release()
		return p.ext2Instance(source, ro)
	}
	l.dev.ext2 = inst
	t.mu.Unlock()
	fs.register(e.VFS(), &fsInfo{magic: ext2.Magic, source: source, ext2: inst})
	return inst, nil
}

// ext2On is the live instance on loop device n, with a mount counted,
// or nil. (The loop table's lock is not held across Attach: the
// instance's lock is taken before it by every device transfer.)
func (fs *Files) ext2On(n int) *ext2Inst {
	t := fs.loops()
	t.mu.Lock()
	d := t.devs[n]
	var inst *ext2Inst
	if d != nil {
		inst = d.ext2
	}
	t.mu.Unlock()
	if inst == nil || inst.fs.Attach() {
		return inst
	}
	fs.forgetExt2(inst) // released meanwhile: read the device afresh
	return nil
}

// forgetExt2 unlinks a released instance from its device.
func (fs *Files) forgetExt2(inst *ext2Inst) {
	t := fs.loops()
	t.mu.Lock()
	defer t.mu.Unlock()
	if inst.dev.dev.ext2 == inst {
		inst.dev.dev.ext2 = nil
	}
}

// ext2Unmounted is told that a mount of v went: the last one syncs the
// instance and closes its device.
func (fs *Files) ext2Unmounted(v *vfs.FileSystem) {
	fs.mu.Lock()
	info := fs.info[v]
	fs.mu.Unlock()
	if info == nil || info.ext2 == nil {
		return
	}
	inst := info.ext2
	if inst.fs.Detach(func() { fs.ext2Idle(inst) }) {
		fs.ext2Idle(inst)
	}
}

// ext2Idle is the end of a released instance: its device is let go.
func (fs *Files) ext2Idle(inst *ext2Inst) {
	fs.forgetExt2(inst)
	inst.dev.Release()
}

// ext2Of is the ext2 instance the file at q is on, if any.
func (fs *Files) ext2Of(q vfs.Path) *ext2.FS {
	if i := fs.infoOf(q).ext2; i != nil {
		return i.fs
	}
	return nil
}

// SyncFS writes back the file system q is on (syncfs, and fsync of any
// file on it: ext2's data is written through, so fsync of one file is a
// sync of its instance).
func (fs *Files) SyncFS(q vfs.Path) error {
	if e := fs.ext2Of(q); e != nil {
		return e.Sync()
	}
	return nil
}

// SyncAll is sync(2): every ext2 instance.
func (fs *Files) SyncAll() {
	fs.mu.Lock()
	var all []*ext2.FS
	for _, i := range fs.info {
		if i.ext2 != nil {
			all = append(all, i.ext2.fs)
		}
	}
	fs.mu.Unlock()
	for _, e := range all {
		_ = e.Sync()
	}
}

// ext2Statfs fills statfs for an ext2 instance.
func ext2Statfs(e *ext2.FS, s *Statfs) {
	st := e.Statfs()
	s.BlockSize = st.BlockSize
	s.Blocks, s.Free, s.Avail = st.Blocks, st.Free, st.Avail
	s.Files, s.FreeFiles = st.Files, st.FreeFiles
}

// ext2 is listed in /proc/filesystems (which is how LTP's all_filesystems
// tests choose the types they run on) from here, beside the mount hook.
func init() { FileSystemTypes = append(FileSystemTypes, "ext2") }
