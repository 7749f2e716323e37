package abi

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestStatxLayout: Statx_t encodes byte for byte as x/sys's struct statx
// lies in memory, for the same values.
func TestStatxLayout(t *testing.T) {
	ts := func(s int64) StatxTimestamp { return StatxTimestamp{Sec: s, Nsec: uint32(s) * 3} }
	uts := func(s int64) unix.StatxTimestamp { return unix.StatxTimestamp{Sec: s, Nsec: uint32(s) * 3} }
	ours := Statx_t{Mask: 1, Blksize: 2, Attributes: 3, Nlink: 4, Uid: 5, Gid: 6, Mode: 7, Ino: 8, Size: 9,
		Blocks: 10, AttributesMask: 11, Atime: ts(12), Btime: ts(13), Ctime: ts(14), Mtime: ts(15),
		RdevMajor: 16, RdevMinor: 17, DevMajor: 18, DevMinor: 19, MntID: 20, DioMemAlign: 21, DioOffset: 22}
	theirs := unix.Statx_t{Mask: 1, Blksize: 2, Attributes: 3, Nlink: 4, Uid: 5, Gid: 6, Mode: 7, Ino: 8, Size: 9,
		Blocks: 10, Attributes_mask: 11, Atime: uts(12), Btime: uts(13), Ctime: uts(14), Mtime: uts(15),
		Rdev_major: 16, Rdev_minor: 17, Dev_major: 18, Dev_minor: 19, Mnt_id: 20, Dio_mem_align: 21, Dio_offset_align: 22}
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, ours); err != nil {
		t.Fatal(err)
	}
	want := unsafe.Slice((*byte)(unsafe.Pointer(&theirs)), unsafe.Sizeof(theirs))
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("struct statx differs from x/sys's:\n ours   %x\n theirs %x", buf.Bytes(), want)
	}
}
