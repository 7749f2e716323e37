package libstarry

// SyscallTrace asks for a line per system call (the kernel's trace=
// word, starry run --trace): the personality writes each to Out.
type SyscallTrace struct {
	Names map[string]bool // the calls to show; nil shows every call
	Out   func(string)
}

// Wants reports whether call name is to be shown.
func (tr *SyscallTrace) Wants(name string) bool { return tr.Names == nil || tr.Names[name] }

// Trace is the process's system call trace, nil when none is asked.
func (p *Process) Trace() *SyscallTrace { return p.cfg.Trace }
