package libstarry

import (
	"fmt"
	"sync"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Loop devices (drivers/block/loop.c): block devices /dev/loopN (major 7)
// whose bytes are a file's, and /dev/loop-control (10:237) that finds a
// free one or adds and removes them. There is no disk file system here,
// so a loop device is only ever read and written as a raw device (LTP's
// library makes its test devices this way, then mounts tmpfs).

const (
	loopMajor     = 7
	miscMajor     = 10
	loopCtlMinor  = 237
	loopCount     = 8 // loop0..7 exist from boot (CONFIG_BLK_DEV_LOOP_MIN_COUNT)
	sectorSize    = 512
	maxLoopMinors = 1 << 20
)

// Loop flags (lo_flags) and the ones LOOP_SET_STATUS may change.
const (
	LoopReadOnly  = 1
	LoopAutoclear = 4
	LoopPartscan  = 8
	LoopDirectIO  = 16
	loopSettable  = LoopAutoclear | LoopPartscan
)

// LoopInfo is struct loop_info64 less the fields the kernel fills.
type LoopInfo struct {
	Device, Inode, Rdevice uint64 // of the backing file (filled by Status)
	Offset, SizeLimit      uint64
	Number                 uint32
	Flags                  uint32
	FileName, CryptName    [64]byte
}

// loopTable is the kernel's loop devices by number.
type loopTable struct {
	mu   sync.Mutex
	devs map[int]*loopDev
	// statNodes are the sysfs stat files, by the device they show.
	statNodes map[*vfs.Inode]int
}

// loopDev is one device: its backing file while bound.
type loopDev struct {
	n       int
	backing *fd.OpenFile // nil while unbound
	info    LoopInfo
	block   uint32 // logical block size
	opens   int
	ext2    *ext2Inst // the file system mounted from it
	io      loopIO    // what /sys/block/loopN/stat counts
}

// loops returns the table, made with loop0..7 on first use.
func (fs *Files) loops() *loopTable {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.loopTab == nil {
		fs.loopTab = &loopTable{devs: map[int]*loopDev{}}
		for i := range loopCount {
			fs.loopTab.devs[i] = &loopDev{n: i, block: sectorSize}
		}
	}
	return fs.loopTab
}

// loopNodes are the /dev entries of the boot-time devices.
func loopNodes() []InitEntry {
	out := []InitEntry{InitCharDev("dev/loop-control", 0o660, miscMajor, loopCtlMinor)}
	for i := range loopCount {
		out = append(out, InitBlockDev(fmt.Sprintf("dev/loop%d", i), 0o660, loopMajor, uint32(i)))
	}
	return out
}

// InitBlockDev makes a block device node.
func InitBlockDev(name string, perm, major, minor uint32) InitEntry {
	return InitEntry{Name: name, Mode: abi.S_IFBLK | perm, Rdev: abi.Mkdev(major, minor)}
}

// LoopControl is an open /dev/loop-control.
type LoopControl struct {
	fs   *Files
	stat func() fd.Stat
}

func (c *LoopControl) Read(fd.Ctx, []byte) (int, error)  { return 0, abi.EINVAL }
func (c *LoopControl) Write(fd.Ctx, []byte) (int, error) { return 0, abi.EINVAL }
func (c *LoopControl) Stat() fd.Stat                     { return c.stat() }

// GetFree is LOOP_CTL_GET_FREE: the lowest unbound device, a new one if
// every device is bound.
func (c *LoopControl) GetFree() (int, error) {
	t := c.fs.loops()
	t.mu.Lock()
	n := 0
	for ; n < maxLoopMinors; n++ {
		d, ok := t.devs[n]
		if !ok || d.backing == nil {
			break
		}
	}
	_, exists := t.devs[n]
	t.mu.Unlock()
	if exists {
		return n, nil
	}
	return c.Add(n)
}

// Add is LOOP_CTL_ADD: device n (the lowest free number if n < 0), with
// its /dev node.
func (c *LoopControl) Add(n int) (int, error) {
	t := c.fs.loops()
	t.mu.Lock()
	if n < 0 {
		for n = 0; t.devs[n] != nil; n++ {
		}
	}
	if n >= maxLoopMinors {
		t.mu.Unlock()
		return 0, abi.EINVAL
	}
	if t.devs[n] != nil {
		t.mu.Unlock()
		return 0, abi.EEXIST
	}
	t.devs[n] = &loopDev{n: n, block: sectorSize}
	t.mu.Unlock()
	if err := c.fs.unpack(InitBlockDev(fmt.Sprintf("dev/loop%d", n), 0o660, loopMajor, uint32(n))); err != nil {
		return 0, err
	}
	return n, nil
}

// Remove is LOOP_CTL_REMOVE: EBUSY while bound or open.
func (c *LoopControl) Remove(n int) (int, error) {
	t := c.fs.loops()
	t.mu.Lock()
	defer t.mu.Unlock()
	d := t.devs[n]
	switch {
	case d == nil:
		return 0, abi.ENODEV
	case d.backing != nil || d.opens > 0:
		return 0, abi.EBUSY
	}
	delete(t.devs, n)
	return n, nil
}

// LoopDevice is an open /dev/loopN: reads and writes go to the backing
// file at the device's offset, with a position of its own.
type LoopDevice struct {
	fs   *Files
	dev  *loopDev
	stat func() fd.Stat
	mu   sync.Mutex
	pos  int64
}

// openLoop opens device n (ENXIO when it was removed).
func (fs *Files) openLoop(n int, stat func() fd.Stat) (fd.File, error) {
	t := fs.loops()
	t.mu.Lock()
	defer t.mu.Unlock()
	d := t.devs[n]
	if d == nil {
		return nil, abi.ENXIO
	}
	d.opens++
	return &LoopDevice{fs: fs, dev: d, stat: stat}, nil
}

// Release is the last close: an autoclear device lets go of its file.
func (l *LoopDevice) Release() {
	t := l.fs.loops()
	t.mu.Lock()
	d := l.dev
	d.opens--
	var drop *fd.OpenFile
	if d.opens == 0 && d.backing != nil && d.info.Flags&LoopAutoclear != 0 {
		drop = d.unbindLocked()
	}
	t.mu.Unlock()
	if drop != nil {
		drop.DecRef()
	}
}

func (d *loopDev) unbindLocked() *fd.OpenFile {
	b := d.backing
	d.backing, d.info, d.block = nil, LoopInfo{}, sectorSize
	return b
}

// Stat is the node's: block devices report no size (BLKGETSIZE64 does).
func (l *LoopDevice) Stat() fd.Stat { return l.stat() }

// size is the device's size in bytes: the backing file past the
// offset, capped at the size limit (0 when unbound).
func (d *loopDev) size() int64 {
	if d.backing == nil {
		return 0
	}
	s := d.backing.Stat().Size - int64(d.info.Offset)
	if lim := int64(d.info.SizeLimit); lim > 0 && lim < s {
		s = lim
	}
	return max(s, 0) &^ (sectorSize - 1)
}

// Size is BLKGETSIZE64.
func (l *LoopDevice) Size() int64 {
	t := l.fs.loops()
	t.mu.Lock()
	defer t.mu.Unlock()
	return l.dev.size()
}

// BlockSize is BLKSSZGET: the logical block size.
func (l *LoopDevice) BlockSize() int {
	t := l.fs.loops()
	t.mu.Lock()
	defer t.mu.Unlock()
	return int(l.dev.block)
}

// ReadOnly is BLKROGET.
func (l *LoopDevice) ReadOnly() bool {
	t := l.fs.loops()
	t.mu.Lock()
	defer t.mu.Unlock()
	return l.dev.info.Flags&LoopReadOnly != 0
}

// backingAt returns the backing file with a reference, its offset and
// the device size, or ok false while unbound.
func (l *LoopDevice) backingAt() (*fd.OpenFile, int64, int64, bool) {
	t := l.fs.loops()
	t.mu.Lock()
	defer t.mu.Unlock()
	d := l.dev
	if d.backing == nil {
		return nil, 0, 0, false
	}
	d.backing.IncRef()
	return d.backing, int64(d.info.Offset), d.size(), true
}

// ReadAt reads the device at off: nothing past its end.
func (l *LoopDevice) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, abi.EINVAL
	}
	f, base, size, ok := l.backingAt()
	if !ok {
		return 0, nil
	}
	defer f.DecRef()
	if off >= size {
		return 0, nil
	}
	b = b[:min(int64(len(b)), size-off)]
	r, ok := f.File.(fd.ReaderAt)
	if !ok {
		return 0, abi.EIO
	}
	n, err := r.ReadAt(b, base+off)
	if n < len(b) && err == nil {
		clear(b[n:]) // a hole at the file's end reads as zeros
		n = len(b)
	}
	l.dev.io.add(false, n)
	return n, err
}

// WriteAt writes the device at off: ENOSPC at its end, EPERM on a
// read-only device.
func (l *LoopDevice) WriteAt(c fd.Ctx, b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, abi.EINVAL
	}
	if l.ReadOnly() {
		return 0, abi.EPERM
	}
	f, base, size, ok := l.backingAt()
	if ok {
		defer f.DecRef()
	}
	if !ok || off >= size {
		if len(b) == 0 {
			return 0, nil
		}
		return 0, abi.ENOSPC
	}
	b = b[:min(int64(len(b)), size-off)]
	w, ok := f.File.(fd.WriterAt)
	if !ok {
		return 0, abi.EIO
	}
	n, err := w.WriteAt(fd.Ctx{W: c.W}, b, base+off)
	l.dev.io.add(true, n)
	return n, err
}

func (l *LoopDevice) Read(_ fd.Ctx, b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.ReadAt(b, l.pos)
	l.pos += int64(n)
	return n, err
}

func (l *LoopDevice) Write(c fd.Ctx, b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.WriteAt(c, b, l.pos)
	l.pos += int64(n)
	return n, err
}

// Seek: a block device's end is its size (SEEK_END works).
func (l *LoopDevice) Seek(off int64, whence int) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var base int64
	switch whence {
	case 0:
	case 1:
		base = l.pos
	case 2:
		base = l.Size()
	default:
		return 0, abi.EINVAL
	}
	if base+off < 0 {
		return 0, abi.EINVAL
	}
	l.pos = base + off
	return l.pos, nil
}

// Bind is LOOP_SET_FD and LOOP_CONFIGURE: back the device with f (a
// regular file or a block device), read-only when f is not open for
// writing. The device keeps a reference to f until it is cleared.
func (l *LoopDevice) Bind(f *fd.OpenFile, info *LoopInfo, block uint32) error {
	mode := f.Stat().Mode & abi.S_IFMT
	if mode != abi.S_IFREG && mode != abi.S_IFBLK {
		return abi.EINVAL
	}
	if block != 0 && (block < sectorSize || block > 4096 || block&(block-1) != 0) {
		return abi.EINVAL
	}
	t := l.fs.loops()
	t.mu.Lock()
	defer t.mu.Unlock()
	d := l.dev
	if d.backing != nil {
		return abi.EBUSY
	}
	if info != nil {
		d.info = *info
		d.info.Flags &= loopSettable | LoopReadOnly | LoopDirectIO
	}
	if f.Flags()&abi.O_ACCMODE == abi.O_RDONLY {
		d.info.Flags |= LoopReadOnly
	}
	if block != 0 {
		d.block = block
	}
	f.IncRef()
	d.backing = f
	return nil
}

// Clear is LOOP_CLR_FD: ENXIO when unbound. While others have the
// device open it only marks it autoclear, so the last close detaches it
// (as Linux has done since 5.x).
func (l *LoopDevice) Clear() error {
	t := l.fs.loops()
	t.mu.Lock()
	d := l.dev
	if d.backing == nil {
		t.mu.Unlock()
		return abi.ENXIO
	}
	if d.opens > 1 {
		d.info.Flags |= LoopAutoclear
		t.mu.Unlock()
		return nil
	}
	drop := d.unbindLocked()
	t.mu.Unlock()
	drop.DecRef()
	return nil
}

// SetStatus is LOOP_SET_STATUS64: the offset, size limit, names and the
// settable flags; ENXIO when unbound.
func (l *LoopDevice) SetStatus(info LoopInfo) error {
	t := l.fs.loops()
	t.mu.Lock()
	defer t.mu.Unlock()
	d := l.dev
	if d.backing == nil {
		return abi.ENXIO
	}
	flags := d.info.Flags&^loopSettable | info.Flags&loopSettable
	d.info.Offset, d.info.SizeLimit = info.Offset, info.SizeLimit
	d.info.FileName, d.info.CryptName = info.FileName, info.CryptName
	d.info.Flags = flags
	return nil
}

// Status is LOOP_GET_STATUS64; ENXIO when unbound.
func (l *LoopDevice) Status() (LoopInfo, error) {
	t := l.fs.loops()
	t.mu.Lock()
	defer t.mu.Unlock()
	d := l.dev
	if d.backing == nil {
		return LoopInfo{}, abi.ENXIO
	}
	info := d.info
	st := d.backing.Stat()
	info.Device, info.Inode, info.Rdevice = st.Dev, st.Ino, st.Rdev
	info.Number = uint32(d.n)
	return info, nil
}

// SetBlockSize is LOOP_SET_BLOCK_SIZE.
func (l *LoopDevice) SetBlockSize(n uint64) error {
	if n < sectorSize || n > 4096 || n&(n-1) != 0 {
		return abi.EINVAL
	}
	t := l.fs.loops()
	t.mu.Lock()
	defer t.mu.Unlock()
	if l.dev.backing == nil {
		return abi.ENXIO
	}
	l.dev.block = uint32(n)
	return nil
}

// SetDirectIO is LOOP_SET_DIRECT_IO: kept as a flag (every read and
// write goes straight to the file's frames anyway).
func (l *LoopDevice) SetDirectIO(on bool) error {
	t := l.fs.loops()
	t.mu.Lock()
	defer t.mu.Unlock()
	if l.dev.backing == nil {
		return abi.ENXIO
	}
	if on {
		l.dev.info.Flags |= LoopDirectIO
	} else {
		l.dev.info.Flags &^= LoopDirectIO
	}
	return nil
}

// Bound reports whether the device has a backing file (LOOP_SET_CAPACITY
// needs one; the size is always computed afresh).
func (l *LoopDevice) Bound() bool {
	t := l.fs.loops()
	t.mu.Lock()
	defer t.mu.Unlock()
	return l.dev.backing != nil
}
