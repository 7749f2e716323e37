package procfs

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/starry-go/starry/personality/linux/abi"
)

// The files of fs/proc/base.c and fs/proc/fd.c: limits
// (proc_pid_limits), comm (comm_show, comm_write), cmdline
// (get_mm_cmdline), environ (environ_read), auxv (proc_pid_auxv) and
// fdinfo/N (seq_show).

// limitNames is base.c's lnames: each resource's name and unit.
var limitNames = [16][2]string{
	{"Max cpu time", "seconds"}, {"Max file size", "bytes"}, {"Max data size", "bytes"},
	{"Max stack size", "bytes"}, {"Max core file size", "bytes"}, {"Max resident set", "bytes"},
	{"Max processes", "processes"}, {"Max open files", "files"}, {"Max locked memory", "bytes"},
	{"Max address space", "bytes"}, {"Max file locks", "locks"}, {"Max pending signals", "signals"},
	{"Max msgqueue size", "bytes"}, {"Max nice priority", ""}, {"Max realtime priority", ""},
	{"Max realtime timeout", "us"},
}

// showLimits is proc_pid_limits: the table with its column widths.
func showLimits(c *ctx) ([]byte, error) {
	p, err := c.proc()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units")
	value := func(v uint64) string {
		if v == rlimInf {
			return "unlimited"
		}
		return strconv.FormatUint(v, 10)
	}
	for i, l := range p.Limits {
		fmt.Fprintf(&b, "%-25s %-20s %-20s ", limitNames[i][0], value(l.Cur), value(l.Max))
		if unit := limitNames[i][1]; unit != "" {
			fmt.Fprintf(&b, "%-10s\n", unit)
		} else {
			b.WriteByte('\n')
		}
	}
	return b.Bytes(), nil
}

// showComm is comm_show: the task's name and a newline.
func showComm(c *ctx) ([]byte, error) {
	p, err := c.proc()
	if err != nil {
		return nil, err
	}
	t, err := c.thread(&p)
	if err != nil {
		return nil, err
	}
	if t.Comm == "" {
		t.Comm = p.Comm
	}
	return []byte(t.Comm + "\n"), nil
}

// writeComm is comm_write: the first 15 bytes name the task (a newline
// included, as Linux keeps it), for a task of the writer's own thread
// group only (EINVAL otherwise); the whole count is taken.
func writeComm(c *ctx, b []byte) (int, error) {
	name := b[:min(len(b), 15)]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	tid := c.tid
	if tid == 0 {
		tid = c.pid
	}
	if err := c.src.SetComm(c.caller, c.pid, tid, string(name)); err != nil {
		return 0, err
	}
	return len(b), nil
}

// showCmdline is get_mm_cmdline: the argument strings, NULs and all (a
// zombie's, like a kernel thread's, is empty).
func showCmdline(c *ctx) ([]byte, error) {
	if _, err := c.proc(); err != nil {
		return nil, err
	}
	return c.src.Args(c.pid).Cmdline, nil
}

func showEnviron(c *ctx) ([]byte, error) {
	if _, err := c.proc(); err != nil {
		return nil, err
	}
	return c.src.Args(c.pid).Environ, nil
}

// showAuxv is proc_pid_auxv: the saved vector, AT_NULL pair included.
func showAuxv(c *ctx) ([]byte, error) {
	if _, err := c.proc(); err != nil {
		return nil, err
	}
	return c.src.Args(c.pid).Auxv, nil
}

// showFDInfo is fd.c's seq_show: position, flags in octal (O_CLOEXEC
// for the descriptor's close-on-exec), mount ID and inode number.
func showFDInfo(c *ctx) ([]byte, error) {
	f, ok := c.src.FD(c.pid, c.fd, c.caller)
	if !ok {
		return nil, abi.ENOENT
	}
	pos := c.src.Pos(c.pid, c.fd)
	return fmt.Appendf(nil, "pos:\t%d\nflags:\t0%o\nmnt_id:\t%d\nino:\t%d\n", pos, f.Flags, f.MntID, f.Ino), nil
}
