package vfs

import (
	"sync"
	"sync/atomic"

	"github.com/starry-go/starry/personality/linux/abi"
)

// FileSystem is one instance of a file system (Linux's super_block): the
// root of its dentry tree, shared by every mount of it, and what
// serializes the renames that could otherwise race into a loop.
type FileSystem struct {
	Name string // the type, as /proc/mounts names it ("tmpfs")

	root *Dentry
	// renameMu is held by every rename between two different
	// directories, so that ancestry cannot change under its check.
	renameMu sync.Mutex
	// renameSeq is odd while a rename is changing the tree, and counts
	// renames, so PathOf can tell it read a consistent tree.
	renameSeq atomic.Uint64
	dentryIDs atomic.Uint64
}

// NewFileSystem makes a file system instance whose root directory is root.
func NewFileSystem(name string, root *Inode) (*FileSystem, error) {
	if !root.IsDir() {
		return nil, abi.ENOTDIR
	}
	fs := &FileSystem{Name: name}
	fs.root = fs.newDentry(root)
	return fs, nil
}

func (fs *FileSystem) newDentry(n *Inode) *Dentry {
	return &Dentry{inode: n, fs: fs, id: fs.dentryIDs.Add(1)}
}

// Root is the dentry of the file system's root directory.
func (fs *FileSystem) Root() *Dentry { return fs.root }

// beginRename and endRename bracket a change to the dentry tree's shape.
func (fs *FileSystem) beginRename() { fs.renameSeq.Add(1) }
func (fs *FileSystem) endRename()   { fs.renameSeq.Add(1) }
