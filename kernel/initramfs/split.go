package initramfs

import (
	"errors"
	"strconv"
)

// Linux accepts an initramfs made of several newc archives back to back,
// each padded with NUL bytes (init/initramfs.c). u-root's reader stops at
// the first trailer, so splitArchives finds where each archive ends by
// walking the newc headers: 110 bytes, the name and the data, each padded
// to 4 bytes.
const (
	newcHeaderLen = 110
	newcTrailer   = "TRAILER!!!"
)

var errBadArchive = errors.New("initramfs: malformed newc archive")

func splitArchives(b []byte) ([][]byte, error) {
	var parts [][]byte
	for {
		for len(b) > 0 && b[0] == 0 { // padding between archives
			b = b[1:]
		}
		if len(b) == 0 {
			return parts, nil
		}
		n, err := archiveLen(b)
		if err != nil {
			return nil, err
		}
		parts = append(parts, b[:n])
		b = b[n:]
	}
}

// archiveLen returns the length of the archive at the start of b, up to
// and including its trailer record.
func archiveLen(b []byte) (int, error) {
	off := 0
	for {
		if off+newcHeaderLen > len(b) || string(b[off:off+6]) != "070701" {
			return 0, errBadArchive
		}
		field := func(i int) (int, error) {
			v, err := strconv.ParseUint(string(b[off+6+8*i:off+14+8*i]), 16, 32)
			return int(v), err
		}
		size, err1 := field(6)
		nameLen, err2 := field(11)
		if err1 != nil || err2 != nil || nameLen < 1 {
			return 0, errBadArchive
		}
		nameEnd := off + newcHeaderLen + nameLen
		dataEnd := pad4(nameEnd) + size
		if dataEnd > len(b) || dataEnd < 0 {
			return 0, errBadArchive
		}
		if string(b[off+newcHeaderLen:nameEnd-1]) == newcTrailer {
			return min(pad4(dataEnd), len(b)), nil
		}
		off = pad4(dataEnd)
	}
}

func pad4(n int) int { return (n + 3) &^ 3 }
