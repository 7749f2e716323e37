package ext2

import (
	"sync"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Device is the block device an instance lives on: a loop device, or a
// file in tests. Errors are abi errnos.
type Device interface {
	ReadAt(b []byte, off int64) (int, error)
	WriteAt(b []byte, off int64) (int, error)
	Size() int64
}

// Options are how an instance is mounted.
type Options struct {
	ReadOnly bool
	Now      func() int64 // nanoseconds since the epoch
	// Pager holds the frames of mapped pages; nil: no mmap.
	Pager *exo.Env
}

// FS is one mounted ext2 file system (a super_block with ext2_sb_info).
type FS struct {
	mu  sync.Mutex
	dev Device
	opt Options
	vfs *vfs.FileSystem

	sb          []byte // the primary superblock, as on disk
	bs          int    // block size
	groups      []group
	gdtBlock    uint32 // first block of the descriptor table
	nBlocks     uint32
	firstData   uint32
	bpg, ipg    uint32
	inodeSize   int
	firstIno    uint32
	freeBlocks  uint32
	freeInodes  uint32
	filetype    bool // entries carry a file type
	maxFileSize int64

	cache      map[uint32][]byte // metadata blocks, clean or dirty
	dirty      map[uint32]bool
	gdDirty    map[uint32]bool // groups whose descriptors changed
	sbDirty    bool
	nodes      map[uint32]*Node // inodes in use, by number
	generation uint32           // i_generation of the last inode made
	ioErr      error            // the first write that failed, for Sync
	released   bool
	// mounts counts Attach less Detach; users the open files and
	// mappings of every node. An instance unmounted while some were open
	// is released, and onIdle called, when the last goes (a lazy
	// unmount's deferred end).
	mounts int
	users  int
	onIdle func()
}

// Mount reads the file system on dev (ext2_fill_super): EINVAL for what
// is not ext2 or has features it cannot handle; a read-write mount of
// one with unknown ro_compat features is EINVAL too.
func Mount(dev Device, opt Options) (*FS, error) {
	if opt.Now == nil {
		panic("ext2: Options.Now is required")
	}
	fs := &FS{dev: dev, opt: opt, cache: map[uint32][]byte{}, dirty: map[uint32]bool{},
		gdDirty: map[uint32]bool{}, nodes: map[uint32]*Node{}}
	if err := fs.readSuper(); err != nil {
		return nil, err
	}
	if err := fs.readGroups(); err != nil {
		return nil, err
	}
	root, err := fs.node(2)
	if err != nil || !root.inode.IsDir() {
		return nil, abi.EINVAL
	}
	v, err := vfs.NewFileSystem("ext2", root.inode)
	if err != nil {
		return nil, abi.EINVAL
	}
	fs.vfs = v
	if !opt.ReadOnly {
		fs.mountStamp()
	}
	return fs, nil
}

// readSuper checks and decodes the primary superblock.
func (fs *FS) readSuper() error {
	sb := make([]byte, sbSize)
	if n, err := fs.dev.ReadAt(sb, sbOffset); err != nil || n != sbSize {
		return abi.EINVAL
	}
	if le.Uint16(sb[sbMagic:]) != Magic {
		return abi.EINVAL
	}
	fs.sb = sb
	logBS := le.Uint32(sb[sbLogBlockSize:])
	if logBS > 2 {
		return abi.EINVAL // 1, 2 and 4 KiB blocks only (PAGE_SIZE at most)
	}
	fs.bs = 1024 << logBS
	fs.nBlocks = le.Uint32(sb[sbBlocksCount:])
	fs.firstData = le.Uint32(sb[sbFirstData:])
	fs.bpg = le.Uint32(sb[sbBlocksPerGrp:])
	fs.ipg = le.Uint32(sb[sbInodesPerGrp:])
	fs.freeBlocks = le.Uint32(sb[sbFreeBlocks:])
	fs.freeInodes = le.Uint32(sb[sbFreeInodes:])
	fs.inodeSize, fs.firstIno = 128, 11
	var incompat, roCompat uint32
	if le.Uint32(sb[sbRevLevel:]) >= 1 {
		fs.inodeSize = int(le.Uint16(sb[sbInodeSize:]))
		fs.firstIno = le.Uint32(sb[sbFirstIno:])
		incompat = le.Uint32(sb[sbFeatureInc:])
		roCompat = le.Uint32(sb[sbFeatureRO:])
	}
	switch {
	case fs.inodeSize < inodeCore || fs.inodeSize > fs.bs || fs.inodeSize&(fs.inodeSize-1) != 0:
		return abi.EINVAL
	case fs.bpg == 0 || fs.ipg == 0 || fs.bpg > uint32(8*fs.bs) || fs.ipg > uint32(8*fs.bs):
		return abi.EINVAL
	case fs.firstData >= fs.nBlocks || fs.firstIno < 11:
		return abi.EINVAL
	case incompat&^incompatSupp != 0:
		return abi.EINVAL
	case !fs.opt.ReadOnly && roCompat&^roCompatSupp != 0:
		return abi.EINVAL
	case int64(fs.nBlocks)*int64(fs.bs) > fs.dev.Size():
		return abi.EINVAL // the device is too small for it
	}
	fs.filetype = incompat&incompatFiletype != 0
	fs.maxFileSize = maxFileSize(fs.bs)
	return nil
}

// readGroups loads the group descriptor table.
func (fs *FS) readGroups() error {
	n := (fs.nBlocks - fs.firstData + fs.bpg - 1) / fs.bpg
	if uint64(n)*uint64(fs.ipg) != uint64(le.Uint32(fs.sb[sbInodesCount:])) {
		return abi.EINVAL
	}
	fs.gdtBlock = fs.firstData + 1
	perBlock := uint32(fs.bs / gdSize)
	fs.groups = make([]group, n)
	for i := range n {
		b, err := fs.block(fs.gdtBlock + i/perBlock)
		if err != nil {
			return abi.EINVAL
		}
		g := decodeGroup(b[(i%perBlock)*gdSize:])
		if g.blockBitmap >= fs.nBlocks || g.inodeBitmap >= fs.nBlocks || g.inodeTable >= fs.nBlocks {
			return abi.EINVAL
		}
		fs.groups[i] = g
	}
	return nil
}

// maxFileSize is ext2_max_size: what the block tree can map, bounded by
// i_blocks's 32 bits of 512-byte units.
func maxFileSize(bs int) int64 {
	ppb := int64(bs / 4)
	tree := nDirect + ppb + ppb*ppb + ppb*ppb*ppb
	limit := (int64(1)<<32 - 1) / int64(bs/512) // blocks i_blocks can count
	meta := 1 + (1 + ppb) + (1 + ppb + ppb*ppb)
	if tree+meta > limit {
		tree = limit - meta
	}
	return min(tree*int64(bs), 1<<63-1)
}

// mountStamp marks the file system in use (state not clean) and counts
// the mount, as ext2_setup_super does.
func (fs *FS) mountStamp() {
	fs.mu.Lock()
	defer fs.unlock()
	le.PutUint16(fs.sb[sbState:], le.Uint16(fs.sb[sbState:])&^1)
	le.PutUint16(fs.sb[sbMntCount:], le.Uint16(fs.sb[sbMntCount:])+1)
	le.PutUint32(fs.sb[sbMtime:], uint32(fs.opt.Now()/1e9))
	fs.sbDirty = true
}

// VFS is the instance as the vfs sees it, to mount.
func (fs *FS) VFS() *vfs.FileSystem { return fs.vfs }

// BlockSize is the file system's block size.
func (fs *FS) BlockSize() int { return fs.bs }

// ReadOnly reports whether the instance was mounted read-only.
func (fs *FS) ReadOnly() bool { return fs.opt.ReadOnly }

// unlock ends an operation: what it changed goes to the device.
func (fs *FS) unlock() {
	fs.flush()
	fs.mu.Unlock()
}

// flush writes the dirty metadata blocks, descriptors and superblock.
func (fs *FS) flush() {
	if fs.released {
		return
	}
	perBlock := uint32(fs.bs / gdSize)
	for g := range fs.gdDirty {
		b, err := fs.block(fs.gdtBlock + g/perBlock)
		if err != nil {
			continue
		}
		fs.groups[g].encode(b[(g%perBlock)*gdSize:])
		fs.dirty[fs.gdtBlock+g/perBlock] = true
		delete(fs.gdDirty, g)
	}
	for blk := range fs.dirty {
		fs.writeDev(fs.cache[blk], int64(blk)*int64(fs.bs))
		delete(fs.dirty, blk)
	}
	if fs.sbDirty {
		le.PutUint32(fs.sb[sbFreeBlocks:], fs.freeBlocks)
		le.PutUint32(fs.sb[sbFreeInodes:], fs.freeInodes)
		fs.writeDev(fs.sb, sbOffset)
		fs.sbDirty = false
	}
	if len(fs.cache) > 8192 {
		clear(fs.cache) // all clean now: drop, to bound memory
	}
}

// writeDev writes to the device, keeping the first error for Sync.
func (fs *FS) writeDev(b []byte, off int64) {
	if _, err := fs.dev.WriteAt(b, off); err != nil && fs.ioErr == nil {
		fs.ioErr = err
	}
}

// block is metadata block blk, cached; callers that change it call
// markDirty. The slice is valid while fs.mu is held.
func (fs *FS) block(blk uint32) ([]byte, error) {
	if b, ok := fs.cache[blk]; ok {
		return b, nil
	}
	if blk >= fs.nBlocks {
		return nil, abi.EIO
	}
	b := make([]byte, fs.bs)
	if n, err := fs.dev.ReadAt(b, int64(blk)*int64(fs.bs)); err != nil || n != fs.bs {
		return nil, abi.EIO
	}
	fs.cache[blk] = b
	return b, nil
}

// zeroBlock is a new metadata block, all zeros, already dirty.
func (fs *FS) zeroBlock(blk uint32) []byte {
	b := make([]byte, fs.bs)
	fs.cache[blk] = b
	fs.dirty[blk] = true
	return b
}

func (fs *FS) markDirty(blk uint32) { fs.dirty[blk] = true }

// forget drops a freed block from the cache, so that a later data write
// to it is not overwritten by a stale metadata copy.
func (fs *FS) forget(blk uint32) {
	delete(fs.cache, blk)
	delete(fs.dirty, blk)
}

// Sync writes everything back and stamps the superblock's write time
// (ext2_sync_fs); it returns the first write error since the last Sync.
func (fs *FS) Sync() error {
	fs.mu.Lock()
	defer fs.unlock()
	if fs.released {
		return nil
	}
	fs.writebackAll()
	if !fs.opt.ReadOnly {
		le.PutUint32(fs.sb[sbWtime:], uint32(fs.opt.Now()/1e9))
		fs.sbDirty = true
	}
	err := fs.ioErr
	fs.ioErr = nil
	return err
}

// Release ends the instance now: everything is written, the superblock
// marked clean, and the device is not used again.
func (fs *FS) Release() error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.releaseLocked()
}

// Attach counts a mount of the instance; false if it was released
// already (the device must be read afresh).
func (fs *FS) Attach() bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.released {
		return false
	}
	fs.mounts++
	fs.onIdle = nil
	return true
}

// Mounts is how many mounts hold the instance.
func (fs *FS) Mounts() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.mounts
}

// Detach ends a mount. The last one releases the instance at once if no
// file of it is open (true), else writes it back and leaves the release
// to the last Close, which then calls onIdle (with no lock held): a
// super_block outlives its mounts while files hold it.
func (fs *FS) Detach(onIdle func()) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.mounts--; fs.mounts > 0 {
		return false
	}
	if fs.users == 0 {
		_ = fs.releaseLocked()
		return true
	}
	fs.onIdle = onIdle
	fs.writebackAll()
	fs.flush()
	return false
}

// releaseLocked is Release with fs.mu held.
func (fs *FS) releaseLocked() error {
	if fs.released {
		return nil
	}
	fs.writebackAll()
	if !fs.opt.ReadOnly {
		le.PutUint16(fs.sb[sbState:], le.Uint16(fs.sb[sbState:])|1)
		le.PutUint32(fs.sb[sbWtime:], uint32(fs.opt.Now()/1e9))
		fs.sbDirty = true
	}
	fs.flush()
	fs.released = true
	err := fs.ioErr
	fs.ioErr = nil
	return err
}

// Statfs is what statfs reports (ext2_statfs, with the "bsddf" overhead:
// the blocks that hold metadata are not counted in f_blocks).
type Statfs struct {
	BlockSize                 int
	Blocks, Free, Avail       uint64
	Files, FreeFiles, NameLen uint64
	FSID                      uint64
}

// Statfs reports the instance's counts.
func (fs *FS) Statfs() Statfs {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	overhead := uint64(fs.firstData)
	for g := range fs.groups {
		overhead += uint64(fs.groupMetaBlocks(uint32(g)))
	}
	res := uint64(le.Uint32(fs.sb[sbRBlocksCount:]))
	free := uint64(fs.freeBlocks)
	s := Statfs{BlockSize: fs.bs, Blocks: uint64(fs.nBlocks) - overhead, Free: free,
		Files: uint64(len(fs.groups)) * uint64(fs.ipg), FreeFiles: uint64(fs.freeInodes), NameLen: 255}
	if free > res {
		s.Avail = free - res
	}
	u := fs.sb[sbUUID:]
	s.FSID = uint64(le.Uint32(u)^le.Uint32(u[8:])) | uint64(le.Uint32(u[4:])^le.Uint32(u[12:]))<<32
	return s
}

// groupMetaBlocks counts group g's superblock copy, descriptor table
// (with its reserved growth) and bitmaps and inode table.
func (fs *FS) groupMetaBlocks(g uint32) uint32 {
	n := 2 + (fs.ipg*uint32(fs.inodeSize)+uint32(fs.bs)-1)/uint32(fs.bs)
	if fs.hasSuper(g) {
		perBlock := uint32(fs.bs / gdSize)
		n += 1 + (uint32(len(fs.groups))+perBlock-1)/perBlock + uint32(le.Uint16(fs.sb[206:]))
	}
	return n
}

// hasSuper reports whether group g holds a superblock copy.
func (fs *FS) hasSuper(g uint32) bool {
	if le.Uint32(fs.sb[sbFeatureRO:])&roCompatSparseSuper == 0 || le.Uint32(fs.sb[sbRevLevel:]) == 0 {
		return true
	}
	return isSparseGroup(g)
}
