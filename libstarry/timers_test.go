package libstarry

import (
	"encoding/binary"
	"testing"
	"time"
)

func TestForward(t *testing.T) {
	for _, c := range []struct {
		exp, iv, now, want time.Duration
		n                  int64
	}{
		{exp: 10, iv: 5, now: 9, want: 10, n: 0},  // not yet expired
		{exp: 10, iv: 5, now: 10, want: 15, n: 1}, // exactly at the expiry
		{exp: 10, iv: 5, now: 24, want: 25, n: 3},
		{exp: 10, iv: 5, now: 25, want: 30, n: 4}, // an exact multiple moves one more
		{exp: 10, iv: 0, now: 99, want: 10, n: 0}, // one-shot: left alone
	} {
		got, n := forward(c.exp, c.iv, c.now)
		if got != c.want || n != c.n {
			t.Errorf("forward(%d, %d, %d) = %d, %d; want %d, %d", c.exp, c.iv, c.now, got, n, c.want, c.n)
		}
	}
}

func TestTimerSiginfo(t *testing.T) {
	le := binary.LittleEndian
	info := SigInfo{Signo: 14, Code: SI_TIMER, TimerID: 3, Overrun: 5, Value: 0x1122334455667788}
	b := SigInfoBytes(info)
	if le.Uint32(b) != 14 || int32(le.Uint32(b[8:])) != SI_TIMER || le.Uint32(b[16:]) != 3 ||
		le.Uint32(b[20:]) != 5 || le.Uint64(b[24:]) != 0x1122334455667788 {
		t.Errorf("siginfo_t % x", b[:32])
	}
	sfd := make([]byte, SignalfdSiginfoSize)
	signalfdInfo(sfd, info)
	if le.Uint32(sfd) != 14 || le.Uint32(sfd[24:]) != 3 || le.Uint32(sfd[32:]) != 5 ||
		le.Uint32(sfd[44:]) != 0x55667788 || le.Uint64(sfd[48:]) != 0x1122334455667788 {
		t.Errorf("signalfd_siginfo % x", sfd[:56])
	}
	signalfdInfo(sfd, SigInfo{Signo: 17, Code: CLD_EXITED, Pid: 42, UID: 7, Status: 3})
	if le.Uint32(sfd[12:]) != 42 || le.Uint32(sfd[16:]) != 7 || le.Uint32(sfd[40:]) != 3 {
		t.Errorf("SIGCHLD's signalfd_siginfo % x", sfd[:48])
	}
}

// TestTimerQueuesPastCoalescing: a timer's SIGALRM queues beside one
// sent with kill, and a stale one (the timer was set again) is dropped
// when dequeued.
func TestTimerQueuesPastCoalescing(t *testing.T) {
	p := &Process{k: NewKernel(), sigh: &sigHandlers{}, threads: map[*Thread]bool{},
		dying: make(chan struct{}), done: make(chan struct{})}
	th := &Thread{P: p, sigmask: bit(14)}
	p.threads[th] = true
	p.Signal(SigInfo{Signo: 14, Code: SI_USER})
	tm := &posixTimer{owner: p, clk: timerClock{kind: clockMonotonic, boot: time.Now()}, notify: SIGEV_SIGNAL, signo: 14}
	p.timers.posix = map[int]*posixTimer{0: tm}
	tm.status = timerArmed
	tm.fire(tm.gen)
	if n := len(p.shared.infos[14]); n != 2 {
		t.Fatalf("%d SIGALRMs pending, want the kill's and the timer's", n)
	}
	if _, err := p.TimerSettime(0, false, TimerSpec{}); err != nil {
		t.Fatal(err)
	}
	first, ok := th.takeSignal(bit(14))
	if !ok || first.Code != SI_USER {
		t.Fatalf("first taken %+v %v, want the kill's", first, ok)
	}
	if info, ok := th.takeSignal(bit(14)); ok {
		t.Errorf("the stale timer signal was taken: %+v", info)
	}
}
