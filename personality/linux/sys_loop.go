package linux

import (
	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The ioctls of loop devices and /dev/loop-control (drivers/block/loop.c)
// and the generic block-device ones a loop device answers (block/ioctl.c).

// Sizes of struct loop_info, loop_info64 and loop_config on x86-64.
const (
	loopInfoSize   = 168
	loopInfo64Size = 232
	loopConfigSize = 304
	loopChangeFD   = 0x4c06 // LOOP_CHANGE_FD, which x/sys/unix lacks
)

// blockIoctl serves the loop and block requests of the files that have
// them; handled is false for every other file or request.
func blockIoctl(t *libstarry.Thread, of *fdt.OpenFile, cmd uint32, arg uint64) (handled bool, r uint64, err error) {
	switch f := of.File.(type) {
	case *libstarry.LoopControl:
		switch cmd {
		case abi.LOOP_CTL_GET_FREE:
			n, err := f.GetFree()
			return true, uint64(n), err
		case abi.LOOP_CTL_ADD:
			n, err := f.Add(int(int32(arg)))
			return true, uint64(n), err
		case abi.LOOP_CTL_REMOVE:
			n, err := f.Remove(int(int32(arg)))
			return true, uint64(n), err
		}
		return true, 0, abi.ENOTTY
	case *libstarry.LoopDevice:
		if r, err, ok := loopIoctl(t, f, cmd, arg); ok {
			return true, r, err
		}
		return true, 0, blkIoctl(t, f, cmd, arg)
	}
	return false, 0, nil
}

// loopIoctl is lo_ioctl's own requests.
func loopIoctl(t *libstarry.Thread, d *libstarry.LoopDevice, cmd uint32, arg uint64) (uint64, error, bool) {
	switch cmd {
	case abi.LOOP_SET_FD:
		return 0, loopBind(t, d, int(int32(arg)), nil, 0), true
	case abi.LOOP_CONFIGURE:
		b, err := copyIn(t, arg, loopConfigSize)
		if err != nil {
			return 0, err, true
		}
		for _, x := range b[240:] {
			if x != 0 {
				return 0, abi.EINVAL, true
			}
		}
		info := decodeLoopInfo64(b[8:])
		return 0, loopBind(t, d, int(int32(le.Uint32(b))), &info, le.Uint32(b[4:])), true
	case abi.LOOP_CLR_FD:
		return 0, d.Clear(), true
	case abi.LOOP_SET_STATUS, abi.LOOP_SET_STATUS64:
		size, decode := loopInfo64Size, decodeLoopInfo64
		if cmd == abi.LOOP_SET_STATUS {
			size, decode = loopInfoSize, decodeLoopInfo
		}
		b, err := copyIn(t, arg, size)
		if err != nil {
			return 0, err, true
		}
		return 0, d.SetStatus(decode(b)), true
	case abi.LOOP_GET_STATUS, abi.LOOP_GET_STATUS64:
		if arg == 0 {
			return 0, abi.EINVAL, true
		}
		info, err := d.Status()
		if err != nil {
			return 0, err, true
		}
		b := encodeLoopInfo64(info)
		if cmd == abi.LOOP_GET_STATUS {
			b = encodeLoopInfo(info)
		}
		return 0, t.P.MM.CopyOut(uintptr(arg), b), true
	case abi.LOOP_SET_CAPACITY:
		if !d.Bound() {
			return 0, abi.ENXIO, true
		}
		return 0, nil, true
	case abi.LOOP_SET_DIRECT_IO:
		return 0, d.SetDirectIO(arg != 0), true
	case abi.LOOP_SET_BLOCK_SIZE:
		return 0, d.SetBlockSize(arg), true
	case loopChangeFD:
		return 0, abi.EINVAL, true // only for read-only devices on Linux; none are made here
	}
	return 0, nil, false
}

// loopBind is LOOP_SET_FD and LOOP_CONFIGURE: EBADF for a bad fd.
func loopBind(t *libstarry.Thread, d *libstarry.LoopDevice, fd int, info *libstarry.LoopInfo, block uint32) error {
	of, err := file(t, uint64(uint32(fd)))
	if err != nil {
		return err
	}
	defer of.DecRef()
	return d.Bind(of, info, block)
}

// blkIoctl is blkdev_ioctl's generic requests on a loop device.
func blkIoctl(t *libstarry.Thread, d *libstarry.LoopDevice, cmd uint32, arg uint64) error {
	switch cmd {
	case abi.BLKGETSIZE64:
		return putU64(t, arg, uint64(d.Size()))
	case abi.BLKGETSIZE:
		return putU64(t, arg, uint64(d.Size()/512))
	case abi.BLKSSZGET, abi.BLKPBSZGET, abi.BLKIOMIN:
		return putU32(t, arg, uint32(d.BlockSize()))
	case abi.BLKBSZGET:
		return putU64(t, arg, uint64(max(d.BlockSize(), 4096)))
	case abi.BLKIOOPT:
		return putU32(t, arg, 0)
	case abi.BLKROGET:
		ro := uint32(0)
		if d.ReadOnly() {
			ro = 1
		}
		return putU32(t, arg, ro)
	case abi.BLKFLSBUF, abi.BLKRRPART:
		return nil // no page cache in front of the file; no partitions
	}
	return abi.ENOTTY
}

func copyIn(t *libstarry.Thread, addr uint64, n int) ([]byte, error) {
	b := make([]byte, n)
	return b, t.P.MM.CopyIn(uintptr(addr), b)
}

// decodeLoopInfo64 reads struct loop_info64.
func decodeLoopInfo64(b []byte) libstarry.LoopInfo {
	var i libstarry.LoopInfo
	i.Offset, i.SizeLimit = le.Uint64(b[24:]), le.Uint64(b[32:])
	i.Flags = le.Uint32(b[52:])
	copy(i.FileName[:], b[56:120])
	copy(i.CryptName[:], b[120:184])
	return i
}

func encodeLoopInfo64(i libstarry.LoopInfo) []byte {
	b := make([]byte, loopInfo64Size)
	le.PutUint64(b[0:], i.Device)
	le.PutUint64(b[8:], i.Inode)
	le.PutUint64(b[16:], i.Rdevice)
	le.PutUint64(b[24:], i.Offset)
	le.PutUint64(b[32:], i.SizeLimit)
	le.PutUint32(b[40:], i.Number)
	le.PutUint32(b[52:], i.Flags)
	copy(b[56:120], i.FileName[:])
	copy(b[120:184], i.CryptName[:])
	return b
}

// decodeLoopInfo reads the old struct loop_info (an int offset, one name).
func decodeLoopInfo(b []byte) libstarry.LoopInfo {
	var i libstarry.LoopInfo
	i.Offset = uint64(int64(int32(le.Uint32(b[32:]))))
	i.Flags = le.Uint32(b[44:])
	copy(i.FileName[:], b[48:112])
	return i
}

func encodeLoopInfo(i libstarry.LoopInfo) []byte {
	b := make([]byte, loopInfoSize)
	le.PutUint32(b[0:], i.Number)
	le.PutUint64(b[8:], i.Device)
	le.PutUint64(b[16:], i.Inode)
	le.PutUint64(b[24:], i.Rdevice)
	le.PutUint32(b[32:], uint32(i.Offset))
	le.PutUint32(b[44:], i.Flags)
	copy(b[48:112], i.FileName[:])
	return b
}
