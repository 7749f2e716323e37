package libstarry

// Timer slack (prctl PR_SET_TIMERSLACK, PR_GET_TIMERSLACK): how late the
// kernel may end a thread's timed waits to batch wakeups. Starry-Go does
// not batch, so the value is only kept and reported, as Linux reports it.
// A thread has a current value and a default that setting 0 restores;
// clone gives the child the creator's current value as both (copy_process).

// defaultTimerSlack is init's timer slack, 50 us (init_task).
const defaultTimerSlack = 50_000

// timerSlack holds the two values; zero stands for defaultTimerSlack.
type timerSlack struct{ cur, def uint64 }

func orDefault(v uint64) uint64 {
	if v == 0 {
		return defaultTimerSlack
	}
	return v
}

// TimerSlack is the thread's current timer slack in ns.
func (t *Thread) TimerSlack() uint64 { return orDefault(t.slack.cur) }

// SetTimerSlack sets it; 0 restores the thread's default. Real-time
// threads keep theirs (rt_or_dl_task_policy), and the call still succeeds.
func (t *Thread) SetTimerSlack(ns uint64) {
	if pol := t.P.Scheduler() &^ SchedResetOnFork; pol == SchedFIFO || pol == SchedRR || pol == SchedDeadline {
		return
	}
	if ns == 0 {
		ns = orDefault(t.slack.def)
	}
	t.slack.cur = ns
}

// inheritTimerSlack gives a new thread its creator's slack as both values.
func (nt *Thread) inheritTimerSlack(t *Thread) {
	v := t.TimerSlack()
	nt.slack = timerSlack{v, v}
}
