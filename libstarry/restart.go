package libstarry

import "github.com/starry-go/starry/personality/linux/abi"

// Restarting interrupted system calls, as Linux's -ERESTART* codes do: a
// blocking call a signal interrupts says how it may be run again, and
// the signal delivery decides once it knows whether a handler runs.

type restartKind int

const (
	restartNone   restartKind = iota
	restartSys                // ERESTARTSYS: again if the handler has SA_RESTART, else EINTR
	restartNoIntr             // ERESTARTNOINTR: always again (FUTEX_LOCK_PI)
	restartNoHand             // ERESTARTNOHAND: again unless a handler runs (pause)
)

type restartError struct{ kind restartKind }

func (e restartError) Error() string { return "interrupted system call (to be restarted)" }

// The errors a blocking call returns when interrupted.
var (
	ErrRestartSys    error = restartError{restartSys}
	ErrRestartNoIntr error = restartError{restartNoIntr}
	ErrRestartNoHand error = restartError{restartNoHand}
)

// Interrupt records that the system call nr ended with err, one of the
// restart errors (it reports false otherwise): the call answers EINTR
// for now, and deliverPending runs it again if Linux would.
func (t *Thread) Interrupt(err error, nr uint64) bool {
	re, ok := err.(restartError)
	if !ok {
		return false
	}
	t.restart, t.restartNr = re.kind, nr
	eintr := -int64(abi.EINTR)
	t.ctx.Regs.RAX = uint64(eintr)
	return true
}

// finishRestart settles an interrupted call: handler says whether a
// handler is about to run, and flags are its SA_* flags.
func (t *Thread) finishRestart(handler bool, flags uint64) {
	kind := t.restart
	if kind == restartNone {
		return
	}
	t.restart = restartNone
	if !handler || kind == restartNoIntr || kind == restartSys && flags&SA_RESTART != 0 {
		r := &t.ctx.Regs
		r.RIP -= 2 // back onto the two-byte SYSCALL
		r.RAX = t.restartNr
	}
}

// intr turns an interrupted wait into the restart error wanted, leaving
// other errors alone.
func intr(err error, kind error) error {
	if err == abi.EINTR {
		return kind
	}
	return err
}
