package libstarry

import (
	"path"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// /sys is a small, fixed tree: the attributes programs read (the Go
// runtime reads transparent_hugepage's; libc and nproc the CPU lists),
// made once per instance on a read-only mount of its own. There is no
// kobject model behind it, and no fs/cgroup.

const sysfsMagic = 0x62656572

// sysfsFiles are the attributes and their contents.
var sysfsFiles = map[string]string{
	"devices/system/cpu/online":                        "0\n",
	"devices/system/cpu/possible":                      "0\n",
	"devices/system/cpu/present":                       "0\n",
	"devices/system/cpu/kernel_max":                    "63\n",
	"kernel/mm/transparent_hugepage/enabled":           "always madvise [never]\n",
	"kernel/mm/transparent_hugepage/defrag":            "always defer defer+madvise madvise [never]\n",
	"kernel/mm/transparent_hugepage/shmem_enabled":     "always within_size advise [never] deny force\n",
	"kernel/mm/transparent_hugepage/hpage_pmd_size":    "2097152\n",
	"kernel/mm/transparent_hugepage/use_zero_page":     "1\n",
	"kernel/mm/transparent_hugepage/khugepaged/defrag": "1\n",
}

// sysfsDirs are directories that exist with nothing in them here.
var sysfsDirs = []string{"block", "bus", "class", "dev", "firmware", "fs", "kernel", "module", "power"}

// newSysfs makes an instance with the tree in it, files 0444.
func (fs *Files) newSysfs() (*vfs.FileSystem, error) {
	v := fs.newTmpfsLimit("sysfs", 64)
	fs.mu.Lock()
	fs.info[v].magic = sysfsMagic
	fs.mu.Unlock()
	mt := vfs.NewMountTable(v)
	root := mt.Root()
	mkdirs := func(dir string) error {
		var walk func(d string) error
		walk = func(d string) error {
			if d == "." || d == "/" {
				return nil
			}
			if _, err := mt.Resolve(rootCreds, root, root, d, 0); err == nil {
				return nil
			}
			if err := walk(path.Dir(d)); err != nil {
				return err
			}
			return mt.Mkdir(rootCreds, root, root, d, 0o755)
		}
		return walk(dir)
	}
	for _, d := range sysfsDirs {
		if err := mkdirs(d); err != nil {
			return nil, err
		}
	}
	for name, text := range sysfsFiles {
		if err := mkdirs(path.Dir(name)); err != nil {
			return nil, err
		}
		q, err := mt.Create(rootCreds, root, root, name, 0o444)
		if err != nil {
			return nil, err
		}
		if err := writeAll(q, []byte(text)); err != nil {
			return nil, err
		}
	}
	if err := fs.addSysBlock(mt); err != nil {
		return nil, err
	}
	if err := vfs.SetAttr(rootCreds, v.Root().Inode(), vfs.AttrChange{Valid: vfs.SetMode, Mode: 0o555}); err != nil {
		return nil, err
	}
	return v, nil
}

// mountSysfs mounts a new sysfs instance read-only on dir.
func (fs *Files) mountSysfs(at vfs.Path) error {
	v, err := fs.newSysfs()
	if err != nil {
		return err
	}
	m, err := mountIn(v, at)
	if err != nil {
		return err
	}
	m.SetReadOnly(true)
	fs.recordMount(m, mountRec{fstype: "sysfs", source: "sysfs", options: "nosuid,nodev,noexec,relatime"})
	return nil
}

// ensureDir makes dir (0555, as an empty mount point) if missing and
// resolves it.
func (fs *Files) ensureDir(dir string) (vfs.Path, error) {
	if err := fs.mkdirAll(dir); err != nil {
		return vfs.Path{}, err
	}
	root := fs.mt.Root()
	q, err := fs.mt.Resolve(rootCreds, root, root, dir, 0)
	if err == nil && !q.Dentry.IsDir() {
		err = abi.ENOTDIR
	}
	return q, err
}
