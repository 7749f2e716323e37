package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/u-root/u-root/pkg/cpio"
)

// addSpec is one validated --add HOST:GUEST pair.
type addSpec struct {
	host, guest string
}

// parseAdd splits and checks one --add value.
func parseAdd(spec string) (addSpec, error) {
	host, guest, ok := strings.Cut(spec, ":")
	if !ok || host == "" || guest == "" {
		return addSpec{}, fail(exitUsage, "--add %q: want HOST:GUEST, e.g. --add ./hello:/bin/hello", spec)
	}
	if !strings.HasPrefix(guest, "/") {
		return addSpec{}, fail(exitUsage, "--add %q: the guest path %q must be absolute", spec, guest)
	}
	if path.Clean(guest) == "/" {
		return addSpec{}, fail(exitUsage, "--add %q: the guest path must name a file or directory below /", spec)
	}
	if _, err := os.Stat(host); err != nil {
		return addSpec{}, fail(exitFailure, "--add %q: host path: %v", spec, err)
	}
	return addSpec{host: host, guest: guest}, nil
}

// archiveWriter writes a newc archive the way the kernel reads it: names
// relative to / ("bin/hello"), every parent directory before its entries,
// no hard links (each file carries its own data, NLink 1), owner root.
// u-root's writer drops repeated names silently; the set of names here
// turns a repeated file into an error and lets directories merge.
type archiveWriter struct {
	w     cpio.RecordWriter
	names map[string]bool // name -> is a directory
	ino   uint64
}

func newArchiveWriter(w io.Writer) *archiveWriter {
	return &archiveWriter{w: cpio.Newc.Writer(w), names: map[string]bool{}, ino: 1}
}

// write adds one record after its missing parent directories.
func (a *archiveWriter) write(rec cpio.Record) error {
	name := cpio.Normalize(rec.Name)
	if err := a.parents(name); err != nil {
		return err
	}
	isDir := rec.Mode&cpio.S_IFMT == cpio.S_IFDIR
	if wasDir, seen := a.names[name]; seen {
		if isDir && wasDir {
			return nil
		}
		return fmt.Errorf("/%s is in the archive twice (two --add paths or the commands file collide)", name)
	}
	a.names[name] = isDir
	rec.Name = name
	rec.Ino = a.ino
	a.ino++
	rec.NLink = 1
	if isDir {
		rec.NLink = 2
	}
	rec.UID, rec.GID, rec.Dev, rec.Major, rec.Minor = 0, 0, 0, 0, 0
	return a.w.WriteRecord(rec)
}

// parents writes directory records for the ancestors of name not yet seen.
func (a *archiveWriter) parents(name string) error {
	dir := path.Dir(name)
	if dir == "." {
		return nil
	}
	if isDir, seen := a.names[dir]; seen {
		if !isDir {
			return fmt.Errorf("/%s is a file in the archive but /%s needs it to be a directory", dir, name)
		}
		return nil
	}
	return a.write(cpio.Directory(dir, 0o755))
}

// addTree adds a host file, symlink or directory (recursively, in sorted
// order) at guest. Modes are kept; symlinks inside stay symlinks, with
// their target unchanged. HOST itself is followed when it is a symlink
// (like cp -H), so --add "$(which prog)":/bin/prog adds the program even
// where the host installs it as a link.
func (a *archiveWriter) addTree(host, guest string) error {
	root, err := filepath.EvalSymlinks(host)
	if err != nil {
		return err
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		return a.addPath(p, path.Join(guest, filepath.ToSlash(rel)))
	})
}

// addPath adds one host path without descending into it.
func (a *archiveWriter) addPath(host, guest string) error {
	st, err := os.Lstat(host)
	if err != nil {
		return err
	}
	info := cpio.Info{Name: guest, Mode: uint64(st.Mode().Perm()), MTime: uint64(st.ModTime().Unix())}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		info.Mode = uint64(sys.Mode) & 0o7777 // keep setuid, setgid, sticky
	}
	switch t := st.Mode().Type(); {
	case t == 0:
		data, err := os.ReadFile(host)
		if err != nil {
			return err
		}
		if uint64(len(data)) > 0xffffffff {
			return fmt.Errorf("%s is larger than newc's 4 GiB limit", host)
		}
		info.Mode |= cpio.S_IFREG
		return a.write(cpio.StaticRecord(data, info))
	case t == fs.ModeDir:
		info.Mode |= cpio.S_IFDIR
		return a.write(cpio.Record{Info: info})
	case t == fs.ModeSymlink:
		target, err := os.Readlink(host)
		if err != nil {
			return err
		}
		info.Mode = cpio.S_IFLNK | 0o777
		return a.write(cpio.StaticRecord([]byte(target), info))
	default:
		return fmt.Errorf("%s is a %v, not a file, directory or symlink; only those can be added", host, t)
	}
}

// finish writes the trailer.
func (a *archiveWriter) finish() error { return cpio.WriteTrailer(a.w) }

// commandsPath is where the kernel looks for what to run (see commands.go).
const commandsPath = "/.starry/commands"

// writeInitramfs writes the archive for a run: an optional base archive
// copied verbatim, padded with zeros to 4 bytes, then a newc archive with
// the --add trees in flag order and, when there are commands, the
// commands file. The kernel, like Linux, reads concatenated newc archives
// one after another, so later entries come after the base file's.
func writeInitramfs(w io.Writer, base string, adds []addSpec, commands []byte) error {
	if base != "" {
		f, err := os.Open(base)
		if err != nil {
			return err
		}
		n, err := io.Copy(w, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("copying --initramfs %s: %v", base, err)
		}
		if pad := (4 - n%4) % 4; pad != 0 {
			if _, err := w.Write(make([]byte, pad)); err != nil {
				return err
			}
		}
	}
	a := newArchiveWriter(w)
	for _, add := range adds {
		if err := a.addTree(add.host, add.guest); err != nil {
			return fmt.Errorf("--add %s:%s: %v", add.host, add.guest, err)
		}
	}
	if commands != nil {
		info := cpio.Info{Name: commandsPath, Mode: cpio.S_IFREG | 0o644}
		if err := a.write(cpio.StaticRecord(commands, info)); err != nil {
			return err
		}
	}
	return a.finish()
}

// makeInitramfs writes the run's archive into dir and returns its path.
func makeInitramfs(dir, base string, adds []addSpec, commands []byte) (string, error) {
	p := filepath.Join(dir, "initramfs.cpio")
	f, err := os.Create(p)
	if err != nil {
		return "", err
	}
	werr := writeInitramfs(f, base, adds, commands)
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr != nil {
		return "", fail(exitFailure, "making the initramfs: %v", werr)
	}
	return p, nil
}

// listArchive returns "name mode size" lines for an archive in order, for
// tests and for "run -v"; it stops at the first trailer.
func listArchive(r io.ReaderAt) ([]string, error) {
	recs, err := cpio.ReadAllRecords(cpio.EOFReader{RecordReader: cpio.Newc.Reader(r)})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rec := range recs {
		out = append(out, fmt.Sprintf("%s %#o %d", rec.Name, rec.Mode, rec.FileSize))
	}
	return out, nil
}
