package linux

import (
	"encoding/binary"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Small helpers to move ABI values across the user boundary.

// accessOK is x86-64's access_ok: the n bytes at va lie below
// TASK_SIZE_MAX without wrapping. Linux checks it at a call's entry,
// before any other argument, for buffers it will copy to or from.
func accessOK(va, n uint64) bool { return va+n >= va && va+n <= mm.TaskSize }

func putU64(t *libstarry.Thread, va uint64, v uint64) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return t.P.MM.CopyOut(uintptr(va), b[:])
}

func putU32(t *libstarry.Thread, va uint64, v uint32) error {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return t.P.MM.CopyOut(uintptr(va), b[:])
}

func getU32(t *libstarry.Thread, va uint64) (uint32, error) {
	var b [4]byte
	if err := t.P.MM.CopyIn(uintptr(va), b[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b[:]), nil
}

func getU64(t *libstarry.Thread, va uint64) (uint64, error) {
	var b [8]byte
	err := t.P.MM.CopyIn(uintptr(va), b[:])
	return binary.LittleEndian.Uint64(b[:]), err
}

// getTimespec reads a struct timespec; EINVAL for a bad nanosecond field.
func getTimespec(t *libstarry.Thread, va uint64) (time.Duration, error) {
	var b [16]byte
	if err := t.P.MM.CopyIn(uintptr(va), b[:]); err != nil {
		return 0, err
	}
	sec, nsec := int64(binary.LittleEndian.Uint64(b[:])), int64(binary.LittleEndian.Uint64(b[8:]))
	if sec < 0 || nsec < 0 || nsec >= 1e9 {
		return 0, errInval
	}
	if sec > int64(1<<62)/1e9 {
		sec = int64(1<<62) / 1e9 // far future: as good as forever
	}
	return time.Duration(sec)*time.Second + time.Duration(nsec), nil
}

// putTimespec writes a duration as struct timespec.
func putTimespec(t *libstarry.Thread, va uint64, d time.Duration) error {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], uint64(d/time.Second))
	binary.LittleEndian.PutUint64(b[8:], uint64(d%time.Second))
	return t.P.MM.CopyOut(uintptr(va), b[:])
}

// putStruct writes a fixed-layout abi struct; the ones written on every
// stat and statx have encoders of their own (abi/marshal.go).
func putStruct(t *libstarry.Thread, va uint64, v any) error {
	var buf [256]byte
	var b []byte
	switch s := v.(type) {
	case abi.Stat_t:
		b = abi.AppendStat(buf[:0], &s)
	case abi.Statx_t:
		b = s.Append(buf[:0])
	default:
		var err error
		if b, err = binary.Append(buf[:0], binary.LittleEndian, v); err != nil {
			return err
		}
	}
	return t.P.MM.CopyOut(uintptr(va), b)
}

// copyOutPartial copies b to va a page at a time and stops at the first
// fault, as copy_to_user's callers that report progress do (read,
// getrandom): the count copied, or EFAULT when not even one byte was.
func copyOutPartial(t *libstarry.Thread, va uint64, b []byte) (int, error) {
	done := 0
	for done < len(b) {
		n := min(len(b)-done, int(exo.PageSize-(va+uint64(done))%exo.PageSize))
		if t.P.MM.CopyOut(uintptr(va)+uintptr(done), b[done:done+n]) != nil {
			break
		}
		done += n
	}
	if done == 0 && len(b) > 0 {
		return 0, abi.EFAULT
	}
	return done, nil
}
