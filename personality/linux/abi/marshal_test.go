package abi

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"testing"
)

// TestMarshal: the hand-written encoders give binary.Append's bytes for
// structs filled with random values.
func TestMarshal(t *testing.T) {
	for range 200 {
		var st Stat_t
		fill(t, &st)
		want, _ := binary.Append(nil, binary.LittleEndian, st)
		if got := AppendStat(nil, &st); !bytes.Equal(got, want) {
			t.Fatalf("AppendStat(%+v) =\n%x\nwant\n%x", st, got, want)
		}
		var sx Statx_t
		fill(t, &sx)
		want, _ = binary.Append(nil, binary.LittleEndian, sx)
		if got := sx.Append(nil); !bytes.Equal(got, want) {
			t.Fatalf("Statx_t.Append(%+v) =\n%x\nwant\n%x", sx, got, want)
		}
	}
}

// fill sets every field of *v from random bytes (blank fields read
// nothing: binary.Read skips them).
func fill(t *testing.T, v any) {
	t.Helper()
	b := make([]byte, binary.Size(v))
	rand.Read(b)
	if err := binary.Read(bytes.NewReader(b), binary.LittleEndian, v); err != nil {
		t.Fatal(err)
	}
}
