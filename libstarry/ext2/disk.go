package ext2

import "encoding/binary"

var le = binary.LittleEndian

// Magic is the superblock's s_magic and statfs's f_type (EXT2_SUPER_MAGIC).
const Magic = 0xEF53

// Features this driver knows (EXT2_FEATURE_*_SUPP, less meta_bg).
const (
	incompatFiletype = 0x0002
	incompatSupp     = incompatFiletype

	roCompatSparseSuper = 0x0001
	roCompatLargeFile   = 0x0002
	roCompatBtreeDir    = 0x0004
	roCompatSupp        = roCompatSparseSuper | roCompatLargeFile | roCompatBtreeDir
)

// Superblock byte offsets (struct ext2_super_block).
const (
	sbOffset        = 1024
	sbSize          = 1024
	sbInodesCount   = 0
	sbBlocksCount   = 4
	sbRBlocksCount  = 8
	sbFreeBlocks    = 12
	sbFreeInodes    = 16
	sbFirstData     = 20
	sbLogBlockSize  = 24
	sbBlocksPerGrp  = 32
	sbInodesPerGrp  = 40
	sbMtime         = 44
	sbWtime         = 48
	sbMntCount      = 52
	sbMagic         = 56
	sbState         = 58
	sbRevLevel      = 76
	sbFirstIno      = 84
	sbInodeSize     = 88
	sbFeatureCompat = 92
	sbFeatureInc    = 96
	sbFeatureRO     = 100
	sbUUID          = 104
)

// Group descriptor fields (struct ext2_group_desc, 32 bytes).
const (
	gdSize        = 32
	gdBlockBitmap = 0
	gdInodeBitmap = 4
	gdInodeTable  = 8
	gdFreeBlocks  = 12
	gdFreeInodes  = 14
	gdUsedDirs    = 16
)

// group is one block group's descriptor.
type group struct {
	blockBitmap, inodeBitmap, inodeTable uint32
	freeBlocks, freeInodes, usedDirs     uint32
}

func decodeGroup(b []byte) group {
	return group{
		blockBitmap: le.Uint32(b[gdBlockBitmap:]),
		inodeBitmap: le.Uint32(b[gdInodeBitmap:]),
		inodeTable:  le.Uint32(b[gdInodeTable:]),
		freeBlocks:  uint32(le.Uint16(b[gdFreeBlocks:])),
		freeInodes:  uint32(le.Uint16(b[gdFreeInodes:])),
		usedDirs:    uint32(le.Uint16(b[gdUsedDirs:])),
	}
}

// encode writes the counts, the only fields that change.
func (g *group) encode(b []byte) {
	le.PutUint16(b[gdFreeBlocks:], uint16(g.freeBlocks))
	le.PutUint16(b[gdFreeInodes:], uint16(g.freeInodes))
	le.PutUint16(b[gdUsedDirs:], uint16(g.usedDirs))
}

// Inode fields (struct ext2_inode, the first 128 bytes of each).
const (
	inMode       = 0
	inUID        = 2
	inSize       = 4
	inAtime      = 8
	inCtime      = 12
	inMtime      = 16
	inDtime      = 20
	inGID        = 24
	inLinks      = 26
	inBlocks     = 28
	inFlags      = 32
	inBlock      = 40
	inGeneration = 100
	inFileACL    = 104
	inSizeHigh   = 108
	inUIDHigh    = 120
	inGIDHigh    = 122
	inodeCore    = 128
)

// Block pointers of an inode: 12 direct, then single, double and triple
// indirect.
const (
	nDirect  = 12
	indIdx   = 12
	dindIdx  = 13
	tindIdx  = 14
	nBlocks  = 15
	fastLink = nBlocks * 4 // a symlink this short lives in i_block
)

// dinode is the on-disk inode as this driver uses it.
type dinode struct {
	mode                uint16
	uid, gid            uint32
	size                uint64
	atime, ctime, mtime uint32
	dtime               uint32
	links               uint16
	blocks              uint32 // 512-byte units
	flags               uint32
	block               [nBlocks]uint32
	generation          uint32
	fileACL             uint32
}

// decodeInode reads an inode; the high size word is a regular file's
// only (i_dir_acl on other types).
func decodeInode(b []byte) dinode {
	d := dinode{
		mode:       le.Uint16(b[inMode:]),
		uid:        uint32(le.Uint16(b[inUID:])) | uint32(le.Uint16(b[inUIDHigh:]))<<16,
		gid:        uint32(le.Uint16(b[inGID:])) | uint32(le.Uint16(b[inGIDHigh:]))<<16,
		size:       uint64(le.Uint32(b[inSize:])),
		atime:      le.Uint32(b[inAtime:]),
		ctime:      le.Uint32(b[inCtime:]),
		mtime:      le.Uint32(b[inMtime:]),
		dtime:      le.Uint32(b[inDtime:]),
		links:      le.Uint16(b[inLinks:]),
		blocks:     le.Uint32(b[inBlocks:]),
		flags:      le.Uint32(b[inFlags:]),
		generation: le.Uint32(b[inGeneration:]),
		fileACL:    le.Uint32(b[inFileACL:]),
	}
	if d.mode&0xF000 == 0x8000 {
		d.size |= uint64(le.Uint32(b[inSizeHigh:])) << 32
	}
	for i := range d.block {
		d.block[i] = le.Uint32(b[inBlock+4*i:])
	}
	return d
}

// encode writes the inode's fields into b (the rest of b is kept).
func (d *dinode) encode(b []byte) {
	le.PutUint16(b[inMode:], d.mode)
	le.PutUint16(b[inUID:], uint16(d.uid))
	le.PutUint16(b[inUIDHigh:], uint16(d.uid>>16))
	le.PutUint16(b[inGID:], uint16(d.gid))
	le.PutUint16(b[inGIDHigh:], uint16(d.gid>>16))
	le.PutUint32(b[inSize:], uint32(d.size))
	if d.mode&0xF000 == 0x8000 {
		le.PutUint32(b[inSizeHigh:], uint32(d.size>>32))
	}
	le.PutUint32(b[inAtime:], d.atime)
	le.PutUint32(b[inCtime:], d.ctime)
	le.PutUint32(b[inMtime:], d.mtime)
	le.PutUint32(b[inDtime:], d.dtime)
	le.PutUint16(b[inLinks:], d.links)
	le.PutUint32(b[inBlocks:], d.blocks)
	le.PutUint32(b[inFlags:], d.flags)
	for i, v := range d.block {
		le.PutUint32(b[inBlock+4*i:], v)
	}
	le.PutUint32(b[inGeneration:], d.generation)
	le.PutUint32(b[inFileACL:], d.fileACL)
}

// Directory entry header (struct ext2_dir_entry_2).
const (
	deHeader = 8
	deInode  = 0
	deRecLen = 4
	deName   = 6 // name_len (one byte with filetype, else two)
	deType   = 7
)

// recLenFor is the smallest rec_len of an entry with a name this long
// (EXT2_DIR_REC_LEN).
func recLenFor(nameLen int) int { return (deHeader + nameLen + 3) &^ 3 }

// Directory entry file types (EXT2_FT_*), by S_IFMT>>12.
var ftOfMode = [16]uint8{1: 5, 2: 3, 4: 2, 6: 4, 8: 1, 10: 7, 12: 6}

// isSparseGroup reports whether group g holds a superblock backup under
// sparse_super: groups 0, 1 and powers of 3, 5 and 7.
func isSparseGroup(g uint32) bool {
	if g <= 1 {
		return true
	}
	for _, base := range []uint32{3, 5, 7} {
		n := base
		for n < g {
			n *= base
		}
		if n == g {
			return true
		}
	}
	return false
}
