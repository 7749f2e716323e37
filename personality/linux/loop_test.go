package linux

import (
	"encoding/binary"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// TestLoopDevice: a free loop device is found through /dev/loop-control,
// bound to a file, read and written as a block device at the file's
// bytes, refused a second file, and cleared, as drivers/block/loop.c
// behaves (LTP's tst_device does exactly this).
func TestLoopDevice(t *testing.T) {
	const ctl, dev, img, buf, info = scratch, scratch + 0x40, scratch + 0x80, scratch + 0x100, scratch + 0x200
	u64 := func(want uint64, what string) func([]byte, uint64) {
		return func(b []byte, _ uint64) {
			if got := binary.LittleEndian.Uint64(b); got != want {
				t.Errorf("%s = %d, want %d", what, got, want)
			}
		}
	}
	_, st := run(t, script(
		cstr(ctl, "/dev/loop-control"), cstr(dev, "/dev/loop0"), cstr(img, "/tmp/img"),
		sys(abi.SYS_OPEN, ctl, abi.O_RDWR),
		expect(t, "open /dev/loop-control", 3),
		sys(abi.SYS_IOCTL, 3, abi.LOOP_CTL_GET_FREE),
		expect(t, "LOOP_CTL_GET_FREE", 0),
		sys(abi.SYS_OPEN, img, abi.O_RDWR|abi.O_CREAT, 0o600),
		expect(t, "open the image", 4),
		sys(abi.SYS_FTRUNCATE, 4, 1<<20),
		poke(buf, []byte("hello")),
		sys(abi.SYS_PWRITE64, 4, buf, 5, 4096),
		sys(abi.SYS_OPEN, dev, abi.O_RDWR),
		expect(t, "open /dev/loop0", 5),
		sys(abi.SYS_IOCTL, 5, abi.BLKGETSIZE64, buf),
		check(buf, 8, u64(0, "BLKGETSIZE64 unbound")),
		sys(abi.SYS_IOCTL, 5, abi.LOOP_GET_STATUS64, info),
		expect(t, "LOOP_GET_STATUS64 unbound", errno(abi.ENXIO)),
		sys(abi.SYS_IOCTL, 5, abi.LOOP_SET_FD, 4),
		expect(t, "LOOP_SET_FD", 0),
		sys(abi.SYS_IOCTL, 5, abi.LOOP_SET_FD, 4),
		expect(t, "LOOP_SET_FD again", errno(abi.EBUSY)),
		sys(abi.SYS_IOCTL, 5, abi.BLKGETSIZE64, buf),
		check(buf, 8, u64(1<<20, "BLKGETSIZE64")),
		sys(abi.SYS_PREAD64, 5, buf, 5, 4096),
		expect(t, "pread of the device", 5),
		check(buf, 5, func(b []byte, _ uint64) {
			if string(b) != "hello" {
				t.Errorf("device bytes at 4096 = %q, want the file's", b)
			}
		}),
		poke(buf, []byte("block")),
		sys(abi.SYS_PWRITE64, 5, buf, 5, 0),
		expect(t, "pwrite of the device", 5),
		sys(abi.SYS_PREAD64, 4, buf+16, 5, 0),
		check(buf+16, 5, func(b []byte, _ uint64) {
			if string(b) != "block" {
				t.Errorf("file bytes at 0 = %q after a device write", b)
			}
		}),
		sys(abi.SYS_PWRITE64, 5, buf, 5, 1<<20),
		expect(t, "pwrite at the device's end", errno(abi.ENOSPC)),
		sys(abi.SYS_LSEEK, 5, 0, 2),
		expect(t, "SEEK_END of the device", 1<<20),
		sys(abi.SYS_IOCTL, 3, abi.LOOP_CTL_GET_FREE),
		expect(t, "LOOP_CTL_GET_FREE with loop0 bound", 1),
		sys(abi.SYS_IOCTL, 5, abi.LOOP_GET_STATUS64, info),
		expect(t, "LOOP_GET_STATUS64", 0),
		sys(abi.SYS_IOCTL, 5, abi.LOOP_CLR_FD),
		expect(t, "LOOP_CLR_FD", 0),
		sys(abi.SYS_IOCTL, 5, abi.LOOP_CLR_FD),
		expect(t, "LOOP_CLR_FD unbound", errno(abi.ENXIO)),
		sys(abi.SYS_PREAD64, 5, buf, 5, 0),
		expect(t, "pread of a cleared device", 0),
		sys(abi.SYS_IOCTL, 4, abi.LOOP_CLR_FD),
		expect(t, "a loop request on a plain file", errno(abi.ENOTTY)),
		sys(abi.SYS_UNLINK, img),
		expect(t, "unlink the image", 0),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.Code != 0 || st.Signal != 0 {
		t.Fatalf("exit %+v", st)
	}
}
