package libstarry

import "github.com/starry-go/starry/personality/linux/abi"

// Queued signals with a siginfo the sender wrote (rt_sigqueueinfo,
// rt_tgsigqueueinfo): sigqueue(3) and its relatives.

// mayClaim is the check both calls make first: a sender other than the
// target itself may not pretend to be the kernel or kill(2) (a
// non-negative si_code) or tkill(2) (SI_TKILL): EPERM.
func mayClaim(info SigInfo, self, target int) error {
	if (info.Code >= 0 || info.Code == SI_TKILL) && self != target {
		return abi.EPERM
	}
	return nil
}

// SigQueue is rt_sigqueueinfo: info, as signal sig, to process pid, in
// kill_proc_info's order: ESRCH, then EINVAL for the signal number,
// then kill(2)'s permission (EPERM). Signal 0 only checks.
func (t *Thread) SigQueue(pid, sig int, info SigInfo) error {
	if err := mayClaim(info, t.tid, pid); err != nil {
		return err
	}
	q := t.P.k.processOrThread(pid)
	if q == nil || pid <= 0 {
		return abi.ESRCH
	}
	if sig < 0 || sig > NSIG {
		return abi.EINVAL
	}
	if !t.P.mayKill(q, sig) {
		return abi.EPERM
	}
	info.Signo = sig
	if sig != 0 && q.takesSignal(sig) && q.Alive() {
		q.Signal(info)
	}
	return nil
}

// SigQueueThread is rt_tgsigqueueinfo: as SigQueue, to thread tid of
// process tgid (do_send_specific); EINVAL for IDs that are not positive.
func (t *Thread) SigQueueThread(tgid, tid, sig int, info SigInfo) error {
	if tgid <= 0 || tid <= 0 {
		return abi.EINVAL
	}
	if err := mayClaim(info, t.tid, tid); err != nil {
		return err
	}
	target := t.P.k.Thread(tid)
	if target == nil || target.P.pid != tgid {
		return abi.ESRCH
	}
	if sig < 0 || sig > NSIG {
		return abi.EINVAL
	}
	if !t.P.mayKill(target.P, sig) {
		return abi.EPERM
	}
	info.Signo = sig
	if sig != 0 {
		target.Signal(info)
	}
	return nil
}

// processOrThread is find_vpid's process: pid may name a process or any
// of its threads.
func (k *Kernel) processOrThread(pid int) *Process {
	k.mu.Lock()
	defer k.mu.Unlock()
	if q := k.procs[pid]; q != nil {
		return q
	}
	if t := k.threads[pid]; t != nil {
		return t.P
	}
	return nil
}
