package linux

import (
	"encoding/binary"
	"time"

	"github.com/starry-go/starry/libstarry"
)

// Small helpers to move ABI values across the user boundary.

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

// putStruct writes a fixed-layout abi struct.
func putStruct(t *libstarry.Thread, va uint64, v any) error {
	b, err := binary.Append(nil, binary.LittleEndian, v)
	if err != nil {
		return err
	}
	return t.P.MM.CopyOut(uintptr(va), b)
}
