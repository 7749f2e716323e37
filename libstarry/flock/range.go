package flock

import "github.com/starry-go/starry/personality/linux/abi"

// Range turns struct flock's l_whence, l_start and l_len into an
// inclusive [s, e], as flock_to_posix_lock_common does: whence SEEK_SET,
// SEEK_CUR (from pos, the file position) or SEEK_END (from size, the
// file's size); l_len 0 runs to MaxOffset, a negative l_len covers the
// bytes before the start (POSIX-2001). A negative start or a bad whence
// is EINVAL, an end past MaxOffset EOVERFLOW.
func Range(whence int16, start, length, pos, size int64) (s, e int64, err error) {
	switch whence {
	case abi.SEEK_SET:
		s = start
	case abi.SEEK_CUR:
		s = pos + start // wraps negative, as the kernel's (-fno-strict-overflow) does
	case abi.SEEK_END:
		s = size + start
	default:
		return 0, 0, abi.EINVAL
	}
	if s < 0 {
		return 0, 0, abi.EINVAL
	}
	switch {
	case length > 0:
		if length-1 > MaxOffset-s {
			return 0, 0, abi.EOVERFLOW
		}
		return s, s + length - 1, nil
	case length < 0:
		if s+length < 0 {
			return 0, 0, abi.EINVAL
		}
		return s + length, s - 1, nil
	}
	return s, MaxOffset, nil
}
