package x86_64

import (
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// The machine's precise alarm for exo's timers (exo.Alarm): one of the
// shim's timerfds, which the APIC timer meets to within its interrupt
// latency (armTimer), where the Go runtime's own timers wait in whole
// milliseconds. Wait reads it through an os.File, so the goroutine parks
// in the runtime's poller (timerfd.go says why that matters).

var alarm struct {
	once sync.Once
	fd   int
	f    *os.File
}

func alarmFile() *os.File {
	alarm.once.Do(func() {
		fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
		if err != nil {
			panic("hw: timerfd_create: " + err.Error())
		}
		alarm.fd, alarm.f = fd, os.NewFile(uintptr(fd), "exo-alarm")
	})
	return alarm.f
}

func (machine) Set(d time.Duration) {
	alarmFile()
	flags, v := 0, unix.NsecToTimespec(d.Nanoseconds())
	if d <= 0 {
		// At once: an absolute time already past (a zero value disarms).
		flags, v = unix.TFD_TIMER_ABSTIME, unix.Timespec{Nsec: 1}
	}
	if err := unix.TimerfdSettime(alarm.fd, flags, &unix.ItimerSpec{Value: v}, nil); err != nil {
		panic("hw: timerfd_settime: " + err.Error())
	}
}

func (machine) Wait() {
	var b [8]byte
	if _, err := alarmFile().Read(b[:]); err != nil {
		panic("hw: reading the alarm timerfd: " + err.Error())
	}
}
