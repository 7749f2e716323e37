package procfs

import (
	"fmt"
	"strings"
	"time"

	"github.com/starry-go/starry/personality/linux/abi"
)

// ctx is one making of a file's contents (a seq_file's show): whose
// entry it is and who looks.
type ctx struct {
	fs           *FS
	src          Source
	pid, tid, fd int // tid is 0 for a thread group's own files
	start        time.Duration
	caller       any
}

func (n *node) ctx(caller any) *ctx {
	return &ctx{fs: n.fs, src: n.fs.src, pid: n.pid, tid: n.tid, fd: n.fd, start: n.start, caller: caller}
}

// proc is the process the entry is of: ESRCH once it is gone, or when
// its PID now names another (get_proc_task failing).
func (c *ctx) proc() (ProcInfo, error) {
	p, ok := c.src.Process(c.pid, c.caller)
	if !ok || c.start != 0 && p.Start != c.start {
		return ProcInfo{}, abi.ESRCH
	}
	return p, nil
}

// thread is the task the entry is of: the thread for task/TID's files,
// the leader (or the first thread, once the leader has gone) for the
// group's.
func (c *ctx) thread(p *ProcInfo) (ThreadInfo, error) {
	for _, t := range p.Threads {
		if t.TID == c.tid || c.tid == 0 && t.TID == p.PID {
			return t, nil
		}
	}
	if c.tid == 0 && len(p.Threads) > 0 {
		return p.Threads[0], nil
	}
	return ThreadInfo{}, abi.ESRCH
}

// Units as the files show them.
const (
	pageSize = 4096
	hz       = 100 // USER_HZ: clock ticks a second
)

// ticks is nsec_to_clock_t.
func ticks(d time.Duration) uint64 { return uint64(d / (time.Second / hz)) }

// kB is seq_put_decimal_ull_width(..., 8) of a page count in kB.
func kB(pages uint64) string { return fmt.Sprintf("%8d", pages*(pageSize/1024)) }

// sigset is render_sigset_t: 64 signals as 16 hex digits.
func sigset(s uint64) string { return fmt.Sprintf("%016x", s) }

// cpuMask is %*pb of the first n CPUs: 32-bit groups, most significant
// first, the first only as wide as it needs.
func cpuMask(n int) string {
	n = max(n, 1)
	var groups []string
	for lo := 0; lo < n; lo += 32 {
		bits := min(n-lo, 32)
		w := 8
		if lo+32 >= n && n%32 != 0 {
			w = (bits + 3) / 4
		}
		groups = append([]string{fmt.Sprintf("%0*x", w, uint64(1)<<bits-1)}, groups...)
	}
	return strings.Join(groups, ",")
}

// cpuList is %*pbl of the first n CPUs.
func cpuList(n int) string {
	if n <= 1 {
		return "0"
	}
	return fmt.Sprintf("0-%d", n-1)
}

// stateName is get_task_state's string.
func stateName(s byte) string {
	switch s {
	case 'R':
		return "R (running)"
	case 'S':
		return "S (sleeping)"
	case 'D':
		return "D (disk sleep)"
	case 'T':
		return "T (stopped)"
	case 't':
		return "t (tracing stop)"
	case 'Z':
		return "Z (zombie)"
	case 'X':
		return "X (dead)"
	}
	return "S (sleeping)"
}

// escapeComm is task_name's escaping of a name in status: newline and
// backslash.
func escapeComm(s string) string {
	return strings.NewReplacer("\\", "\\\\", "\n", "\\n").Replace(s)
}
