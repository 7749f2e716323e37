// Package initramfs reads the initramfs the loader hands the kernel:
// newc cpio archives, possibly several back to back, into the entries
// libstarry builds its RamFS from. It lives on the kernel side because
// u-root's reader depends on golang.org/x/sys/unix, which uses unsafe,
// and the library OS may not depend on that.
package initramfs

import (
	"bytes"
	"io"

	"github.com/u-root/u-root/pkg/cpio"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Read returns the entries of every archive in b, in order, so that a
// later archive's file replaces an earlier one's, as Linux unpacks them.
func Read(b []byte) ([]libstarry.InitEntry, error) {
	parts, err := splitArchives(b)
	if err != nil {
		return nil, err
	}
	var entries []libstarry.InitEntry
	for _, part := range parts {
		rr := cpio.Newc.Reader(bytes.NewReader(part))
		err := cpio.ForEachRecord(rr, func(r cpio.Record) error {
			data, err := recordData(part, r)
			if err != nil {
				return err
			}
			entries = append(entries, libstarry.InitEntry{Name: r.Name, Mode: uint32(r.Mode), Data: data,
				Rdev: abi.Mkdev(uint32(r.Rmajor), uint32(r.Rminor)), MTime: int64(r.MTime)})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return entries, nil
}

// recordData is a record's contents: a slice of the archive itself when
// the reader says where they lie (no copy: the files are copied once,
// into the file system's frames, and the initrd is freed after), else a
// copy.
func recordData(part []byte, r cpio.Record) ([]byte, error) {
	if sr, ok := r.ReaderAt.(*io.SectionReader); ok {
		if _, off, n := sr.Outer(); n == int64(r.FileSize) && off >= 0 && off+n <= int64(len(part)) {
			return part[off : off+n : off+n], nil
		}
	}
	data := make([]byte, r.FileSize)
	if r.FileSize > 0 {
		if _, err := r.ReadAt(data, 0); err != nil {
			return nil, err
		}
	}
	return data, nil
}
