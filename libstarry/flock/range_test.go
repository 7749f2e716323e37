package flock

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

func TestRange(t *testing.T) {
	const max = MaxOffset
	tests := []struct {
		name                     string
		whence                   int16
		start, length, pos, size int64
		s, e                     int64
		err                      error
	}{
		{"set", abi.SEEK_SET, 10, 5, 99, 99, 10, 14, nil},
		{"set to eof", abi.SEEK_SET, 10, 0, 0, 0, 10, max, nil},
		{"whole", abi.SEEK_SET, 0, 0, 0, 0, 0, max, nil},
		{"one byte", abi.SEEK_SET, 7, 1, 0, 0, 7, 7, nil},
		{"cur", abi.SEEK_CUR, 5, 10, 100, 0, 105, 114, nil},
		{"cur back", abi.SEEK_CUR, -100, 1, 100, 0, 0, 0, nil},
		{"end", abi.SEEK_END, -10, 10, 0, 50, 40, 49, nil},
		{"end to eof", abi.SEEK_END, 0, 0, 0, 50, 50, max, nil},
		{"negative len", abi.SEEK_SET, 10, -4, 0, 0, 6, 9, nil},
		{"negative len to 0", abi.SEEK_SET, 10, -10, 0, 0, 0, 9, nil},
		{"negative len past 0", abi.SEEK_SET, 10, -11, 0, 0, 0, 0, abi.EINVAL},
		{"min len", abi.SEEK_SET, 10, -1 << 63, 0, 0, 0, 0, abi.EINVAL},
		{"negative start", abi.SEEK_SET, -1, 1, 0, 0, 0, 0, abi.EINVAL},
		{"cur negative", abi.SEEK_CUR, -101, 1, 100, 0, 0, 0, abi.EINVAL},
		{"end negative", abi.SEEK_END, -51, 0, 0, 50, 0, 0, abi.EINVAL},
		{"bad whence", 3, 0, 0, 0, 0, 0, 0, abi.EINVAL},
		{"bad whence -1", -1, 0, 0, 0, 0, 0, 0, abi.EINVAL},
		{"max end", abi.SEEK_SET, max, 1, 0, 0, max, max, nil},
		{"last byte overflow", abi.SEEK_SET, max, 2, 0, 0, 0, 0, abi.EOVERFLOW},
		{"len to max", abi.SEEK_SET, 1, max, 0, 0, 1, max, nil},
		{"len overflow", abi.SEEK_SET, 2, max, 0, 0, 0, 0, abi.EOVERFLOW},
		{"len fits", abi.SEEK_SET, 0, max, 0, 0, 0, max - 1, nil},
		{"start wraps", abi.SEEK_END, max, 1, 0, 10, 0, 0, abi.EINVAL},
	}
	for _, tt := range tests {
		s, e, err := Range(tt.whence, tt.start, tt.length, tt.pos, tt.size)
		if err != tt.err || err == nil && (s != tt.s || e != tt.e) {
			t.Errorf("%s: got [%d, %d] %v, want [%d, %d] %v", tt.name, s, e, err, tt.s, tt.e, tt.err)
		}
	}
}

func TestLen(t *testing.T) {
	if n := (Lock{Start: 5, End: MaxOffset}).Len(); n != 0 {
		t.Errorf("to EOF: %d", n)
	}
	if n := (Lock{Start: 5, End: 9}).Len(); n != 5 {
		t.Errorf("5-9: %d", n)
	}
	if n := (Lock{Start: 0, End: MaxOffset - 1}).Len(); n != MaxOffset {
		t.Errorf("0-max-1: %d", n)
	}
}
