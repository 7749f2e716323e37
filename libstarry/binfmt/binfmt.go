package binfmt

import (
	"bytes"
	"debug/elf"
	"strings"

	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

// A binfmt recognises one executable format and builds its Image, or
// answers ENOEXEC so the next format is tried: the list of handlers that
// search_binary_handler in Linux's fs/exec.c walks.
type binfmt func(b *binprm) (*Image, error)

// Files is where exec finds a program and its interpreter: the calling
// process's view of the file system (its root and working directory).
type Files interface {
	// Open resolves path, following symlinks, to a file's st_mode and
	// contents; path lookup errors (ENOENT, ENOTDIR, ELOOP...) as is.
	Open(path string) (mode uint32, file mm.Object, err error)
}

// binprm is the exec request being resolved (Linux's struct linux_binprm):
// script handlers rewrite path and argv and recurse.
type binprm struct {
	files      Files
	path       string
	file       mm.Object // the file at path, once search opened it
	head       []byte    // its first bytes (bprm->buf), for the formats to recognise
	argv, envv []string
	depth      int
}

// maxScriptDepth bounds interpreter chains as exec_binprm does: five
// nested "#!" scripts run, a sixth is ELOOP.
const maxScriptDepth = 5

// maxScriptLine is Linux's BINPRM_BUF_SIZE: how much of a "#!" line counts.
const maxScriptLine = 256

// formats lists the handlers in the order they are tried. (A function,
// not a variable: scriptFormat recurses into search.)
func formats() []binfmt { return []binfmt{elfFormat, scriptFormat} }

// LoadImage resolves path and builds the Image of the program it names
// without touching any process: all of exec's fallible work. argv and
// envv are copied; an empty argv gets argv[0] = "" as in Linux.
func LoadImage(files Files, path string, argv, envv []string) (*Image, error) {
	b := &binprm{files: files, path: path,
		argv: append([]string(nil), argv...), envv: append([]string(nil), envv...)}
	if len(b.argv) == 0 {
		b.argv = []string{""}
	}
	if err := checkArgs(b.argv, b.envv); err != nil {
		return nil, err
	}
	return b.search()
}

// maxArgStrlen is MAX_ARG_STRLEN: one argument or environment string,
// with its NUL, may be at most 32 pages.
const maxArgStrlen = 32 * 4096

// checkArgs is copy_strings' E2BIG before anything is loaded: each string
// within MAX_ARG_STRLEN, all of them and their pointers within a quarter
// of the 8 MiB stack limit (bprm_stack_limits).
func checkArgs(argv, envv []string) error {
	total := (len(argv) + len(envv)) * 8
	for _, s := range append(argv[:len(argv):len(argv)], envv...) {
		if len(s)+1 > maxArgStrlen {
			return abi.E2BIG
		}
		total += len(s) + 1
	}
	if total > maxArgBytes {
		return abi.E2BIG
	}
	return nil
}

// search runs each format over the file (search_binary_handler), once
// open_exec has checked it is a regular executable file.
func (b *binprm) search() (*Image, error) {
	file, err := openExec(b.files, b.path)
	if err != nil {
		return nil, err
	}
	b.file, b.head = file, mm.ReadFull(file, 0, maxScriptLine+1)
	for _, f := range formats() {
		img, err := f(b)
		if err == abi.ENOEXEC {
			continue
		}
		return img, err
	}
	return nil, abi.ENOEXEC
}

// openExec is open_exec: EACCES unless a regular file with execute
// permission.
func openExec(files Files, path string) (mm.Object, error) {
	if files == nil {
		return nil, abi.ENOENT
	}
	mode, file, err := files.Open(path)
	switch {
	case err != nil:
		return nil, err
	case mode&abi.S_IFMT != abi.S_IFREG || mode&0o111 == 0:
		return nil, abi.EACCES
	}
	return file, nil
}

// elfFormat is load_elf_binary up to the point of no return: the
// program's headers, then, when it names one, its interpreter (the
// dynamic linker) opened as open_exec would, relative to the working
// directory, and its headers checked.
func elfFormat(b *binprm) (*Image, error) {
	img, err := parseELF(b.file)
	if err != nil {
		return nil, err
	}
	if hasInterp(img) {
		if img.Interp == "" { // open_exec("")
			return nil, abi.ENOENT
		}
		file, err := openExec(b.files, img.Interp)
		if err != nil {
			return nil, err
		}
		if img.Interpreter, err = parseInterp(file); err != nil {
			return nil, err
		}
	}
	img.Path, img.Exe, img.Argv, img.Envv = b.path, b.path, b.argv, b.envv
	return img, nil
}

// hasInterp reports whether the program names an interpreter.
func hasInterp(img *Image) bool {
	for _, p := range img.Progs {
		if p.Type == elf.PT_INTERP {
			return true
		}
	}
	return false
}

// scriptFormat is load_script (fs/binfmt_script.c): "#!interp [arg]"
// runs interp with argv = interp, [arg], path, argv[1:]...
func scriptFormat(b *binprm) (*Image, error) {
	data := b.head
	if !bytes.HasPrefix(data, []byte("#!")) {
		return nil, abi.ENOEXEC
	}
	if b.depth >= maxScriptDepth {
		return nil, abi.ELOOP
	}
	line := data[2:min(len(data), maxScriptLine)]
	nl := bytes.IndexByte(line, '\n')
	if nl < 0 && len(data) > maxScriptLine {
		return nil, abi.ENOEXEC // the line was cut: Linux refuses too
	}
	if nl >= 0 {
		line = line[:nl]
	}
	s := strings.TrimSpace(string(line))
	interp, arg, _ := strings.Cut(s, " ")
	interp, arg = strings.TrimSpace(interp), strings.TrimSpace(arg)
	if interp == "" {
		return nil, abi.ENOEXEC
	}
	argv := []string{interp}
	if arg != "" {
		argv = append(argv, arg)
	}
	argv = append(argv, b.path)
	argv = append(argv, b.argv[1:]...)
	next := &binprm{files: b.files, path: interp, argv: argv, envv: b.envv, depth: b.depth + 1}
	img, err := next.search()
	if err != nil {
		return nil, err
	}
	img.Path = b.path // AT_EXECFN names the script; Exe stays the interpreter, as in Linux
	return img, nil
}
