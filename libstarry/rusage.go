package libstarry

import (
	"time"

	"github.com/starry-go/starry/personality/linux/abi"
)

// Resource usage (kernel/sys.c getrusage, kernel/exit.c's
// wait_task_zombie): the user time is the CPU time of the process's
// Envs (the exokernel measures it); system time is not measured (0),
// nor are page faults or context switches. The maximum resident set is
// sampled when it is asked for, at exec (the old image's) and at exit,
// so a peak freed before any of those is missed. A child's totals are
// added to its parent's children's when the parent reaps it with wait,
// not when it is reaped automatically.

// Rusage is struct rusage's part this kernel fills in.
type Rusage struct {
	UTime, STime time.Duration
	MaxRSS       int64 // KiB
}

// Which usage getrusage asks for.
const (
	RusageSelf     = 0
	RusageChildren = -1
	RusageThread   = 1
)

// rusageState is what a Process keeps (signal_struct's cutime, cmaxrss,
// maxrss and the times of the exited Envs), guarded by Process.mu.
type rusageState struct {
	doneCPU  time.Duration // user time of the Envs it left by exec
	baseCPU  time.Duration // its Env's time when it got the Env (CLONE_VM)
	exitCPU  time.Duration // its total at exit
	exited   bool
	maxRSS   int64 // KiB, of the images it left and as last sampled
	children Rusage
}

// rssKB is the address space's resident set in KiB.
func rssKB(as *addrSpace) int64 {
	if as == nil {
		return 0
	}
	return int64(as.mm.FramesHeld()) * 4
}

// leaveSpaceLocked records the usage of the address space the process
// is leaving (exec_mmap's setmax_mm_hiwater_rss, and its CPU time).
// p.mu is held.
func (p *Process) leaveSpaceLocked(as *addrSpace) {
	if as == nil {
		return
	}
	p.ru.doneCPU += as.env.CPUTime() - p.ru.baseCPU
	p.ru.baseCPU = 0
	p.ru.maxRSS = max(p.ru.maxRSS, rssKB(as))
}

// recordExit is the usage's last update, before the address space goes.
func (p *Process) recordExit() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.leaveSpaceLocked(p.as)
	p.ru.exitCPU, p.ru.exited = p.ru.doneCPU, true
}

// selfLocked is the process's own usage now; p.mu is held.
func (p *Process) selfLocked() Rusage {
	if p.ru.exited || p.as == nil {
		return Rusage{UTime: p.ru.exitCPU, MaxRSS: p.ru.maxRSS}
	}
	p.ru.maxRSS = max(p.ru.maxRSS, rssKB(p.as))
	return Rusage{UTime: p.ru.doneCPU + p.as.env.CPUTime() - p.ru.baseCPU, MaxRSS: p.ru.maxRSS}
}

// bothLocked is RUSAGE_BOTH: the process and its reaped children, as
// wait4 reports a child's usage. p.mu is held.
func (p *Process) bothLocked() Rusage {
	s, c := p.selfLocked(), p.ru.children
	return Rusage{UTime: s.UTime + c.UTime, STime: s.STime + c.STime, MaxRSS: max(s.MaxRSS, c.MaxRSS)}
}

// Getrusage is getrusage(2): RUSAGE_SELF, RUSAGE_CHILDREN (the reaped
// children and theirs), RUSAGE_THREAD (the process's figures: threads
// are not timed apart); EINVAL for anything else.
func (p *Process) Getrusage(who int) (Rusage, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch who {
	case RusageSelf, RusageThread:
		return p.selfLocked(), nil
	case RusageChildren:
		return p.ru.children, nil
	}
	return Rusage{}, abi.EINVAL
}

// usageOf is what wait reports for child c (getrusage(c, RUSAGE_BOTH)).
func usageOf(c *Process) Rusage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bothLocked()
}

// addChildUsage adds a reaped child's usage to p's children's
// (wait_task_zombie's cutime and cmaxrss).
func (p *Process) addChildUsage(u Rusage) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := &p.ru.children
	c.UTime += u.UTime
	c.STime += u.STime
	c.MaxRSS = max(c.MaxRSS, u.MaxRSS)
}
