package procfs

import (
	"bytes"
	"fmt"
	"strconv"
)

// The files of fs/proc/array.c: stat (do_task_stat), status
// (proc_pid_status) and statm (proc_pid_statm).

// Fixed values of fields nothing here varies: PF_RANDOMIZE as task
// flags, the priority of nice 0 (task_prio), RLIMIT_RSS's infinity.
const (
	taskFlags = 0x400000
	priority  = 20
	rlimInf   = ^uint64(0)
)

// showPIDStat is do_task_stat: whole for the group's file (times of
// every thread, the group's state), one thread's for task/TID/stat. The
// 52 fields are Linux 6.x's; the tty is none (tty_nr 0, tpgid -1), esp
// and eip are 0 as in 6.x, and arg/env addresses are not known (0).
func showPIDStat(c *ctx) ([]byte, error) {
	p, err := c.proc()
	if err != nil {
		return nil, err
	}
	t, err := c.thread(&p)
	if err != nil {
		return nil, err
	}
	_, m := c.regionsOf()
	id, comm, state := t.TID, t.Comm, t.State
	if c.tid == 0 {
		id, state = p.PID, p.State
	}
	if comm == "" {
		comm = p.Comm
	}
	wchan := 0
	if state != 'R' && state != 'Z' {
		wchan = 1
	}
	var startCode, endCode uint64
	if m.has {
		startCode, endCode = max(m.startCode, 1), max(m.endCode, 1)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d (%s) %c %d %d %d 0 -1 %d", id, comm, state, p.PPID, p.PGID, p.SID, taskFlags)
	fmt.Fprintf(&b, " %d 0 %d 0 %d %d 0 0 %d 0 %d 0 %d", p.MinFlt, p.MajFlt, ticks(p.UTime), ticks(p.STime),
		priority, len(p.Threads), ticks(p.Start))
	fmt.Fprintf(&b, " %d %d %d %d %d 0 0 0", m.total*pageSize, m.rss(), p.Limits[5].Cur, startCode, endCode)
	fmt.Fprintf(&b, " %d %d %d %d %d 0 0 %d 0 0 0 0 0 0", t.SigPnd&0x7fffffff, t.SigBlk&0x7fffffff,
		p.SigIgn&0x7fffffff, p.SigCgt&0x7fffffff, wchan, p.ExitSignal)
	if m.has {
		fmt.Fprintf(&b, " 0 0 %d 0 0 0 0", m.startBrk)
	} else {
		b.WriteString(" 0 0 0 0 0 0 0")
	}
	fmt.Fprintf(&b, " %d\n", p.ExitCode)
	return b.Bytes(), nil
}

// showStatm is proc_pid_statm: size resident shared text lib data dt,
// in pages.
func showStatm(c *ctx) ([]byte, error) {
	if _, err := c.proc(); err != nil {
		return nil, err
	}
	_, m := c.regionsOf()
	return fmt.Appendf(nil, "%d %d %d %d 0 %d 0\n", m.total, m.rss(), m.file+m.shmem, m.text, m.data+m.stack), nil
}

// showStatus is proc_pid_status as a Linux 6.x of today prints it on
// x86-64 (Kthread and untag_mask included): task_name, task_state,
// task_mem (when there is an address space), task_sig,
// task_cap, task_seccomp, task_cpus_allowed, the cpuset lines and
// task_context_switch_counts.
func showStatus(c *ctx) ([]byte, error) {
	p, err := c.proc()
	if err != nil {
		return nil, err
	}
	t, err := c.thread(&p)
	if err != nil {
		return nil, err
	}
	_, m := c.regionsOf()
	id, state, comm := t.TID, t.State, t.Comm
	if c.tid == 0 {
		id, state = p.PID, p.State
	}
	if comm == "" {
		comm = p.Comm
	}
	sys := c.src.System()
	var b bytes.Buffer
	fmt.Fprintf(&b, "Name:\t%s\n", escapeComm(comm))
	if state != 'Z' {
		fmt.Fprintf(&b, "Umask:\t%#04o\n", p.Umask)
	}
	fmt.Fprintf(&b, "State:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t%d\n", stateName(state), p.PID, id, p.PPID, t.TracerPid)
	fmt.Fprintf(&b, "Uid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\nFDSize:\t%d\nGroups:\t", p.UID, p.EUID, p.SUID, p.FSUID,
		p.GID, p.EGID, p.SGID, p.FSGID, p.FDSize)
	for i, g := range p.Groups {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatUint(uint64(g), 10))
	}
	fmt.Fprintf(&b, " \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n", p.PID, id, p.PGID, p.SID)
	if m.has {
		fmt.Fprintf(&b, "VmPeak:\t%s kB\nVmSize:\t%s kB\nVmLck:\t%s kB\nVmPin:\t%s kB\n", kB(m.total), kB(m.total), kB(m.locked), kB(0))
		fmt.Fprintf(&b, "VmHWM:\t%s kB\nVmRSS:\t%s kB\nRssAnon:\t%s kB\nRssFile:\t%s kB\nRssShmem:\t%s kB\n",
			kB(m.rss()), kB(m.rss()), kB(m.anon), kB(m.file), kB(m.shmem))
		fmt.Fprintf(&b, "VmData:\t%s kB\nVmStk:\t%s kB\nVmExe:\t%s kB\nVmLib:\t%s kB\nVmPTE:\t%s kB\nVmSwap:\t%s kB\n",
			kB(m.data), kB(m.stack), kB(m.text), kB(m.exec-m.text), kB(m.pte), kB(0))
		b.WriteString("HugetlbPages:\t       0 kB\nCoreDumping:\t0\nTHP_enabled:\t1\nuntag_mask:\t0xffffffffffffffff\n")
	}
	fmt.Fprintf(&b, "Threads:\t%d\nSigQ:\t0/%d\n", len(p.Threads), p.Limits[11].Cur)
	fmt.Fprintf(&b, "SigPnd:\t%s\nShdPnd:\t%s\nSigBlk:\t%s\nSigIgn:\t%s\nSigCgt:\t%s\n",
		sigset(t.SigPnd), sigset(p.ShdPnd), sigset(t.SigBlk), sigset(p.SigIgn), sigset(p.SigCgt))
	fmt.Fprintf(&b, "CapInh:\t%016x\nCapPrm:\t%016x\nCapEff:\t%016x\nCapBnd:\t%016x\nCapAmb:\t%016x\n",
		p.CapInh, p.CapPrm, p.CapEff, p.CapBnd, p.CapAmb)
	b.WriteString("NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n")
	b.WriteString("Speculation_Store_Bypass:\tnot vulnerable\nSpeculationIndirectBranch:\tnot affected\n")
	fmt.Fprintf(&b, "Cpus_allowed:\t%s\nCpus_allowed_list:\t%s\n", cpuMask(sys.CPUs), cpuList(sys.CPUs))
	b.WriteString("Mems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\n")
	fmt.Fprintf(&b, "voluntary_ctxt_switches:\t%d\nnonvoluntary_ctxt_switches:\t%d\n", p.VolCtx, p.InvCtx)
	return b.Bytes(), nil
}
