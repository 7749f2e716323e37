package libstarry

import (
	"fmt"
	"sync"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// /sys/block/loopN for the boot-time loop devices: queue/ attributes and
// stat, the I/O counts (Documentation/block/stat.rst) that LTP reads to
// see what reached a device. stat is generated when it is opened.

// loopIO counts a device's transfers, as part_stat does.
type loopIO struct {
	mu                   sync.Mutex
	reads, readSectors   uint64
	writes, writeSectors uint64
}

func (c *loopIO) add(write bool, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if write {
		c.writes++
		c.writeSectors += uint64(n+sectorSize-1) / sectorSize
	} else {
		c.reads++
		c.readSectors += uint64(n+sectorSize-1) / sectorSize
	}
}

// text is the stat file: 17 fields. Times are not kept; io_ticks, which
// readers take as "the device did something", counts the transfers.
func (c *loopIO) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("%8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d\n",
		c.reads, 0, c.readSectors, 0, c.writes, 0, c.writeSectors, 0, 0, c.reads+c.writes, 0, 0, 0, 0, 0, 0, 0)
}

// addSysBlock makes block/loopN in a new sysfs tree.
func (fs *Files) addSysBlock(mt *vfs.MountTable) error {
	root := mt.Root()
	t := fs.loops()
	for i := range loopCount {
		dir := fmt.Sprintf("block/loop%d", i)
		for _, d := range []string{dir, dir + "/queue"} {
			if err := mt.Mkdir(rootCreds, root, root, d, 0o755); err != nil && err != abi.EEXIST {
				return err
			}
		}
		for name, text := range map[string]string{"queue/logical_block_size": "512\n",
			"queue/dma_alignment": "511\n", "queue/hw_sector_size": "512\n", "stat": ""} {
			q, err := mt.Create(rootCreds, root, root, dir+"/"+name, 0o444)
			if err != nil {
				return err
			}
			if err := writeAll(q, []byte(text)); err != nil {
				return err
			}
			if name == "stat" {
				t.mu.Lock()
				if t.statNodes == nil {
					t.statNodes = map[*vfs.Inode]int{}
				}
				t.statNodes[q.Dentry.Inode()] = i
				t.mu.Unlock()
			}
		}
	}
	return nil
}

// openSysBlockStat opens a loop device's stat file: its counts now.
func (fs *Files) openSysBlockStat(q vfs.Path) (fd.File, bool) {
	t := fs.loops()
	t.mu.Lock()
	n, ok := t.statNodes[q.Dentry.Inode()]
	var d *loopDev
	if ok {
		d = t.devs[n]
	}
	t.mu.Unlock()
	if !ok {
		return nil, false
	}
	text := ""
	if d != nil {
		text = d.io.text()
	}
	return &snapshotFile{data: []byte(text), stat: func() fd.Stat {
		st := fs.statOf(q)
		st.Size = 4096
		return st
	}}, true
}

// snapshotFile is a read-only file whose bytes were made at open.
type snapshotFile struct {
	mu   sync.Mutex
	data []byte
	pos  int64
	stat func() fd.Stat
}

func (f *snapshotFile) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, abi.EINVAL
	}
	if off >= int64(len(f.data)) {
		return 0, nil
	}
	return copy(b, f.data[off:]), nil
}

func (f *snapshotFile) Read(_ fd.Ctx, b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.ReadAt(b, f.pos)
	f.pos += int64(n)
	return n, err
}

func (f *snapshotFile) Write(fd.Ctx, []byte) (int, error) { return 0, abi.EACCES }
func (f *snapshotFile) Stat() fd.Stat                     { return f.stat() }

func (f *snapshotFile) Seek(off int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch whence {
	case 1:
		off += f.pos
	case 2:
		off += int64(len(f.data))
	case 0:
	default:
		return 0, abi.EINVAL
	}
	if off < 0 {
		return 0, abi.EINVAL
	}
	f.pos = off
	return off, nil
}

// BlockDIOAlign is statx's STATX_DIOALIGN for a block device
// (bdev_statx): the DMA alignment plus one and the logical block size;
// ok is false when no device has that number.
func (fs *Files) BlockDIOAlign(rdev uint64) (mem, off uint32, ok bool) {
	major, minor := uint32((rdev>>8)&0xfff), uint32(rdev&0xff|(rdev>>12)&0xfff00)
	if major != loopMajor {
		return 0, 0, false
	}
	t := fs.loops()
	t.mu.Lock()
	defer t.mu.Unlock()
	d := t.devs[int(minor)]
	if d == nil {
		return 0, 0, false
	}
	return 512, d.block, true
}
