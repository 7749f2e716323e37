package libstarry

import (
	"io"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// consoleFile is the console: a character device over Config.Console.
type consoleFile struct{ rw io.ReadWriter }

func (c consoleFile) Read(_ fd.Ctx, b []byte) (int, error) {
	if c.rw == nil {
		return 0, nil
	}
	n, err := c.rw.Read(b)
	if err == io.EOF {
		err = nil
	}
	return n, err
}

func (c consoleFile) Write(_ fd.Ctx, b []byte) (int, error) {
	if c.rw == nil {
		return len(b), nil
	}
	n, err := c.rw.Write(b)
	if err != nil && n == 0 {
		return 0, abi.EIO
	}
	return n, nil
}

// Stat reports /dev/console: character device 5:1.
func (c consoleFile) Stat() fd.Stat {
	return fd.Stat{Ino: 1, Mode: abi.S_IFCHR | 0o620, Nlink: 1, Rdev: abi.Mkdev(5, 1)}
}

func (c consoleFile) IsTerminal() bool { return true }

// Async: a terminal has fasync (tty_fasync), so O_ASYNC stays set.
func (c consoleFile) Async() {}

// consoleFDs makes a descriptor table with 0, 1 and 2 on the console,
// one open file description shared by all three.
func consoleFDs(c consoleFile) *fd.Table {
	t := fd.NewTable()
	of := fd.New(c, abi.O_RDWR)
	for i := 0; i < 3; i++ {
		of.IncRef()
		_, _ = t.Install(of, i, 3, false)
	}
	of.DecRef()
	return t
}
