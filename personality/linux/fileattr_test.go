package linux

import (
	"encoding/binary"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// TestInodeFlagIoctls checks chattr's ioctls on a tmpfs file as Linux
// 6.18 answers them (measured natively on a tmpfs): FS_IOC_GETFLAGS
// writes an int whatever its request's size says, FS_IOC_SETFLAGS takes
// IMMUTABLE and NODUMP, statx then reports both with tmpfs's mask (and
// the VFS's automount, DAX and mount-root bits), an immutable file does
// not open for writing, FS_IOC_FSGETXATTR gives the same flags as
// xflags, and the 32-bit request numbers are ENOTTY for a 64-bit caller.
func TestInodeFlagIoctls(t *testing.T) {
	const path, buf, sx = scratch, scratch + 0x40, scratch + 0x100
	le := binary.LittleEndian
	u32 := func(v uint32) []byte { return le.AppendUint32(nil, v) }
	wantU32 := func(what string, off int, want uint32) func([]byte, uint64) {
		return func(b []byte, _ uint64) {
			if got := le.Uint32(b[off:]); got != want {
				t.Errorf("%s = %#x, want %#x", what, got, want)
			}
		}
	}
	_, st := run(t, script(
		cstr(path, "/tmp/f"),
		sys(abi.SYS_OPENAT, uint64(0xffffffffffffff9c), path, abi.O_CREAT|abi.O_RDWR, 0o644),
		expect(t, "open", 3),
		poke(buf, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),
		sys(abi.SYS_IOCTL, 3, abi.FS_IOC_GETFLAGS, buf),
		expect(t, "FS_IOC_GETFLAGS", 0),
		check(buf, 8, wantU32("new file's flags", 0, 0)),
		check(buf, 8, wantU32("the bytes past the int", 4, 0xffffffff)),
		poke(buf, u32(abi.FS_COMPR_FL)),
		sys(abi.SYS_IOCTL, 3, abi.FS_IOC_SETFLAGS, buf),
		expect(t, "FS_IOC_SETFLAGS with COMPR", errno(abi.EOPNOTSUPP)),
		poke(buf, u32(abi.FS_IMMUTABLE_FL|abi.FS_NODUMP_FL)),
		sys(abi.SYS_IOCTL, 3, abi.FS_IOC_SETFLAGS, buf),
		expect(t, "FS_IOC_SETFLAGS", 0),
		sys(abi.SYS_STATX, uint64(0xffffffffffffff9c), path, 0, abi.STATX_BASIC_STATS, sx),
		expect(t, "statx", 0),
		check(sx, 64, wantU32("stx_attributes", 8, abi.STATX_ATTR_IMMUTABLE|abi.STATX_ATTR_NODUMP)),
		check(sx, 64, wantU32("stx_attributes_mask", 56, 0x203070)),
		sys(abi.SYS_OPENAT, uint64(0xffffffffffffff9c), path, abi.O_WRONLY, 0),
		expect(t, "open an immutable file for writing", errno(abi.EPERM)),
		sys(abi.SYS_IOCTL, 3, abi.FS_IOC_FSGETXATTR, buf),
		expect(t, "FS_IOC_FSGETXATTR", 0),
		check(buf, 8, wantU32("fsx_xflags", 0, abi.FS_XFLAG_IMMUTABLE|abi.FS_XFLAG_NODUMP)),
		sys(abi.SYS_IOCTL, 3, abi.FS_IOC32_GETFLAGS, buf),
		expect(t, "FS_IOC32_GETFLAGS", errno(abi.ENOTTY)),
		sys(abi.SYS_UNLINK, path),
		expect(t, "unlink an immutable file", errno(abi.EPERM)),
		poke(buf, u32(0)),
		sys(abi.SYS_IOCTL, 3, abi.FS_IOC_SETFLAGS, buf),
		expect(t, "FS_IOC_SETFLAGS clearing", 0),
		sys(abi.SYS_UNLINK, path),
		expect(t, "unlink", 0),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.Code != 0 {
		t.Errorf("exit %+v", st)
	}
}
