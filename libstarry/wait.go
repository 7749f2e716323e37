package libstarry

import (
	"github.com/starry-go/starry/personality/linux/abi"
)

// Waiting for children (kernel/exit.c's do_wait): wait4 and waitid.

// Which children a wait looks at (idtype_t).
const (
	WaitAll  = 0 // P_ALL
	WaitPID  = 1 // P_PID
	WaitPGID = 2 // P_PGID
)

// WaitOptions is a decoded wait4 or waitid request.
type WaitOptions struct {
	Which, ID                  int
	Exited, Stopped, Continued bool // WEXITED, WUNTRACED/WSTOPPED, WCONTINUED
	NoHang, NoWait             bool // WNOHANG, WNOWAIT
	Clone, All                 bool // __WCLONE, __WALL
}

// WaitResult is what a wait found: the child, its wait(2) status word,
// and the siginfo form of the same (si_code CLD_*, si_status).
type WaitResult struct {
	Pid, Status int
	Code, Value int
	Usage       Rusage // the child's and its reaped children's (rusage.go)
}

// Wait waits for a child matching o to change state (do_wait): a zombie
// is reaped (unless WNOWAIT), a stop or continue is reported once. With
// WNOHANG and nothing to report the result's Pid is 0; ECHILD when no
// child matches at all; a signal restarts the wait or ends it in EINTR.
func (t *Thread) Wait(o WaitOptions) (WaitResult, error) {
	p, k := t.P, t.P.k
	for {
		ch := p.childWait.Wait()
		k.mu.Lock()
		r, traced := k.waitTraceesLocked(p, o)
		any := traced
		if r.Pid == 0 {
			r, any = k.waitScanLocked(p, o)
			any = any || traced
		}
		k.mu.Unlock()
		switch {
		case r.Pid != 0:
			return r, nil
		case !any:
			return WaitResult{}, abi.ECHILD
		case o.NoHang:
			return WaitResult{}, nil
		}
		select {
		case <-ch:
		case <-t.Interrupted():
			return WaitResult{}, ErrRestartSys
		case <-p.dying:
			return WaitResult{}, abi.EINTR
		}
	}
}

// waitScanLocked looks through p's children once; any says whether some
// child matched o at all. k.mu is held.
func (k *Kernel) waitScanLocked(p *Process, o WaitOptions) (r WaitResult, any bool) {
	for c := range p.children {
		if !o.matches(c) {
			continue
		}
		any = true
		if c.zombie && o.Exited {
			c.mu.Lock()
			st := c.status
			c.mu.Unlock()
			r = WaitResult{Pid: c.pid, Status: st.waitStatus(), Code: CLD_EXITED, Value: st.Code}
			if st.Signal != 0 {
				r.Code, r.Value = st.killedCode(), st.Signal
			}
			r.Usage = usageOf(c)
			if !o.NoWait {
				p.addChildUsage(r.Usage)
				k.reapLocked(c)
			}
			return r, true
		}
		c.mu.Lock()
		st := c.stop
		switch {
		case st.stopped && st.reportStop && o.Stopped:
			r = WaitResult{Pid: c.pid, Status: 0x7f | st.sig<<8, Code: CLD_STOPPED, Value: st.sig}
			if !o.NoWait {
				c.stop.reportStop = false
			}
		case st.reportContinued && o.Continued:
			r = WaitResult{Pid: c.pid, Status: 0xffff, Code: CLD_CONTINUED, Value: SIGCONT}
			if !o.NoWait {
				c.stop.reportContinued = false
			}
		}
		c.mu.Unlock()
		if r.Pid != 0 {
			r.Usage = usageOf(c)
			return r, true
		}
	}
	return r, any
}

// matches applies the ID and the clone-child rule (eligible_child): a
// child whose exit signal is not SIGCHLD is waited for only with
// __WCLONE, the others only without it, both with __WALL.
func (o WaitOptions) matches(c *Process) bool {
	switch o.Which {
	case WaitPID:
		if c.pid != o.ID {
			return false
		}
	case WaitPGID:
		if c.pgid != o.ID {
			return false
		}
	}
	return o.All || (c.exitSignal != SIGCHLD) == o.Clone
}
