package libstarry

import "time"

// SysInfo is what sysinfo(2) reports (do_sysinfo): in bytes, with
// mem_unit 1; there is no swap and no high memory, and the load averages
// are not kept (0).
type SysInfo struct {
	Uptime               time.Duration
	TotalRAM, FreeRAM    uint64
	SharedRAM, BufferRAM uint64
	Procs                int // threads, as Linux's nr_threads
}

// SysInfo gathers the machine's figures now.
func (p *Process) SysInfo() SysInfo {
	threads, _, _ := p.k.taskCounts()
	s := SysInfo{Uptime: time.Since(p.Boot()), Procs: threads}
	if ex := p.cfg.Exo; ex != nil {
		s.TotalRAM, s.FreeRAM = uint64(ex.UserFrames())*4096, uint64(ex.FreeFrames())*4096
	}
	if p.cfg.FS != nil {
		s.SharedRAM = uint64(p.cfg.FS.FramesHeld()) * 4096 // tmpfs pages are shmem
	}
	return s
}
