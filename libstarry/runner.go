package libstarry

import "sync/atomic"

// Threads run on pooled goroutines. A fresh goroutine starts on a small
// stack and grows it by copying, a few times over, before a thread's
// first system call returns (each copy walks every frame's stack map):
// under QEMU's TCG that was a seventh of fork+execve+wait. A goroutine
// whose thread exited waits here for the next one, its stack grown.
var (
	runnerWork  = make(chan *Thread) // unbuffered: a send succeeds only if a runner waits
	runnersIdle atomic.Int32
)

// maxIdleRunners bounds the goroutines kept waiting (and their stacks).
const maxIdleRunners = 16

// start runs t on an idle runner, or a new one.
func (t *Thread) start() {
	select {
	case runnerWork <- t:
	default:
		go runner(t)
	}
}

func runner(t *Thread) {
	for {
		t.run()
		if runnersIdle.Add(1) > maxIdleRunners {
			runnersIdle.Add(-1)
			return
		}
		t = <-runnerWork
		runnersIdle.Add(-1)
	}
}
