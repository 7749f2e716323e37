package libstarry

import (
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Resource limits (getrlimit, setrlimit, prlimit64): kept per process,
// copied by fork and kept by exec, as signal_struct's rlim is. The
// descriptor limit is enforced (fd allocation, dup2, F_DUPFD, poll);
// the others are kept and reported.

// RlimNLimits is RLIM_NLIMITS: the resources, RLIMIT_CPU to RLIMIT_RTTIME.
const RlimNLimits = abi.RLIMIT_RTTIME + 1

// Resource numbers x/sys/unix lacks for this ABI, and Linux's defaults.
const (
	rlimitMemlock    = 8
	rlimitSigpending = 11
	rlimitMsgqueue   = 12
	rlimitNproc      = 6
	nrOpen           = 1 << 20 // fs.nr_open: the ceiling of RLIMIT_NOFILE
)

// defaultRlimits is INIT_RLIMITS (include/asm-generic/resource.h) with
// the limits Linux computes at boot for a machine with threadsMax
// threads (fork_init: RLIMIT_NPROC and RLIMIT_SIGPENDING are half of it).
func defaultRlimits(threadsMax int) [RlimNLimits]abi.Rlimit {
	const inf = abi.RLIM_INFINITY
	var r [RlimNLimits]abi.Rlimit
	for i := range r {
		r[i] = abi.Rlimit{Cur: inf, Max: inf}
	}
	half := uint64(threadsMax / 2)
	r[abi.RLIMIT_STACK] = abi.Rlimit{Cur: mm.StackSize, Max: inf}
	r[abi.RLIMIT_CORE] = abi.Rlimit{Cur: 0, Max: inf}
	r[abi.RLIMIT_NOFILE] = abi.Rlimit{Cur: 1024, Max: 4096} // INR_OPEN_CUR, INR_OPEN_MAX
	r[rlimitNproc] = abi.Rlimit{Cur: half, Max: half}
	r[rlimitMemlock] = abi.Rlimit{Cur: 8 << 20, Max: 8 << 20}
	r[rlimitSigpending] = abi.Rlimit{Cur: half, Max: half}
	r[rlimitMsgqueue] = abi.Rlimit{Cur: 819200, Max: 819200}
	r[13], r[14] = abi.Rlimit{}, abi.Rlimit{} // RLIMIT_NICE, RLIMIT_RTPRIO
	return r
}

// initRlimits is what init hands every command: the defaults for this
// machine's threads-max.
func (k *Kernel) initRlimits() [RlimNLimits]abi.Rlimit {
	k.mu.Lock()
	n := k.maxTasks
	k.mu.Unlock()
	return defaultRlimits(n)
}

// Rlimit reads one of the process's limits; res must be below RlimNLimits.
func (p *Process) Rlimit(res int) abi.Rlimit {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rlim[res]
}

// NoFile is the descriptor limit (RLIMIT_NOFILE's soft value) as an int.
func (p *Process) NoFile() int { return int(min(p.Rlimit(abi.RLIMIT_NOFILE).Cur, nrOpen)) }

// Prlimit is do_prlimit: it returns the old limit and, when new is not
// nil, sets it. A soft limit above the hard one is EINVAL, a descriptor
// limit past fs.nr_open EPERM; raising a hard limit needs
// CAP_SYS_RESOURCE (EPERM).
func (p *Process) Prlimit(res int, new *abi.Rlimit) (abi.Rlimit, error) {
	return p.PrlimitBy(p, res, new)
}

// PrlimitBy is Prlimit with caller's privilege (prlimit64 on another
// process).
func (p *Process) PrlimitBy(caller *Process, res int, new *abi.Rlimit) (abi.Rlimit, error) {
	if res < 0 || res >= RlimNLimits {
		return abi.Rlimit{}, abi.EINVAL
	}
	if new != nil {
		if new.Cur > new.Max {
			return abi.Rlimit{}, abi.EINVAL
		}
		if res == abi.RLIMIT_NOFILE && new.Max > nrOpen {
			return abi.Rlimit{}, abi.EPERM
		}
	}
	privileged := new == nil || caller.Cred().Capable(CapSysResrc)
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.rlim[res]
	if new != nil {
		if new.Max > old.Max && !privileged {
			return abi.Rlimit{}, abi.EPERM
		}
		p.rlim[res] = *new
	}
	return old, nil
}
