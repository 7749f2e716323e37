package libstarry

import (
	"github.com/starry-go/starry/libstarry/procfs"
	"github.com/starry-go/starry/libstarry/vfs"
)

// procMagic is PROC_SUPER_MAGIC, statfs's f_type for /proc.
const procMagic = 0x9fa0

// MountProc makes the procfs instance over k's processes and this file
// layer and mounts it on /proc (made if missing), as init mounts it at
// boot: one instance per PID namespace, so a later mount(2) of "proc"
// mounts the same one again (MountProcAt), as proc_get_tree finds the
// namespace's super block.
func (fs *Files) MountProc(k *Kernel, cfg ProcConfig) (*procfs.FS, error) {
	at, err := fs.ensureDir("/proc")
	if err != nil {
		return nil, err
	}
	pfs := procfs.New(NewProcSource(k, fs, cfg))
	info := &fsInfo{magic: procMagic, source: "proc"}
	fs.register(pfs.VFS(), info)
	pfs.SetDev(info.dev)
	fs.mu.Lock()
	fs.proc = pfs
	fs.mu.Unlock()
	return pfs, fs.MountProcAt(pfs, at)
}

// MountProcAt mounts the instance on at (mount -t proc proc at).
func (fs *Files) MountProcAt(pfs *procfs.FS, at vfs.Path) error {
	m, err := mountIn(pfs.VFS(), at)
	if err != nil {
		return err
	}
	fs.recordMount(m, mountRec{fstype: "proc", source: "proc", options: "nosuid,nodev,noexec,relatime"})
	return nil
}
