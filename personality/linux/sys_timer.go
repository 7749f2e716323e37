package linux

// Interval timers, POSIX timers, timerfd, signalfd and the other
// time-driven signal calls.

func timerCalls() []Syscall {
	return []Syscall{}
}

// timerPrototypes are the prototypes (see prototypes.go) of this file's calls.
var timerPrototypes = map[string]string{}
