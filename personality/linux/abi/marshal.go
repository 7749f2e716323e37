package abi

import "syscall"

// The structs stat(2) and statx(2) write on every call, encoded without
// encoding/binary's reflection, which took a third of a stat(2)'s
// instructions. TestMarshal checks both against binary.Append.

// AppendStat appends s as struct stat.
func AppendStat(b []byte, s *Stat_t) []byte {
	b = le.AppendUint64(b, s.Dev)
	b = le.AppendUint64(b, s.Ino)
	b = le.AppendUint64(b, s.Nlink)
	b = le.AppendUint32(b, s.Mode)
	b = le.AppendUint32(b, s.Uid)
	b = le.AppendUint32(b, s.Gid)
	b = le.AppendUint32(b, uint32(s.X__pad0))
	b = le.AppendUint64(b, s.Rdev)
	b = le.AppendUint64(b, uint64(s.Size))
	b = le.AppendUint64(b, uint64(s.Blksize))
	b = le.AppendUint64(b, uint64(s.Blocks))
	for _, ts := range [...]syscall.Timespec{s.Atim, s.Mtim, s.Ctim} {
		b = le.AppendUint64(b, uint64(ts.Sec))
		b = le.AppendUint64(b, uint64(ts.Nsec))
	}
	for _, u := range s.X__unused {
		b = le.AppendUint64(b, uint64(u))
	}
	return b
}

// Append appends s as struct statx.
func (s *Statx_t) Append(b []byte) []byte {
	b = le.AppendUint32(b, s.Mask)
	b = le.AppendUint32(b, s.Blksize)
	b = le.AppendUint64(b, s.Attributes)
	b = le.AppendUint32(b, s.Nlink)
	b = le.AppendUint32(b, s.Uid)
	b = le.AppendUint32(b, s.Gid)
	b = le.AppendUint16(b, s.Mode)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint64(b, s.Ino)
	b = le.AppendUint64(b, s.Size)
	b = le.AppendUint64(b, s.Blocks)
	b = le.AppendUint64(b, s.AttributesMask)
	for _, ts := range [...]StatxTimestamp{s.Atime, s.Btime, s.Ctime, s.Mtime} {
		b = le.AppendUint64(b, uint64(ts.Sec))
		b = le.AppendUint32(b, ts.Nsec)
		b = le.AppendUint32(b, 0)
	}
	for _, v := range [...]uint32{s.RdevMajor, s.RdevMinor, s.DevMajor, s.DevMinor} {
		b = le.AppendUint32(b, v)
	}
	b = le.AppendUint64(b, s.MntID)
	b = le.AppendUint32(b, s.DioMemAlign)
	b = le.AppendUint32(b, s.DioOffset)
	return append(b, make([]byte, 12*8)...)
}
