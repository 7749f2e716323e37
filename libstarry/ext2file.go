package libstarry

import (
	"github.com/starry-go/starry/libstarry/ext2"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/libstarry/tmpfs"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// openExt2 makes the open file for a regular ext2 inode.
func (fs *Files) openExt2(q vfs.Path) (fd.File, bool) {
	n, ok := ext2.NodeOf(q.Dentry.Inode())
	if !ok || q.Dentry.Inode().Type() != abi.S_IFREG {
		return nil, false
	}
	return newNodeFile(n, q, fs), true
}

// umount is Umount's work: the vfs's, then the file system's own.
func (fs *Files) umount(target vfs.Path) error {
	if err := umountIn(target); err != nil {
		return err
	}
	fs.ext2Unmounted(target.Dentry.FS())
	return nil
}

// fileObject is what exec maps of a regular file: a tmpfs or ext2 node
// (nil for others).
func fileObject(in *vfs.Inode) mm.Object {
	if n, ok := tmpfs.NodeOf(in); ok {
		return n
	}
	if n, ok := ext2.NodeOf(in); ok {
		return n
	}
	return nil
}
