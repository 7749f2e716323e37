package x86_64

import "unsafe"

// Threads. Each Linux thread the Go runtime clones (an M) is a kernel
// thread with its own saved Regs; they share the one address space. The
// timer preempts them round-robin; futex, nanosleep and epoll waits block
// only the calling thread. Slot 0 is the idle thread.
const (
	maxThreads = 256 // every user thread in ring 3 holds one (its M is in a system call)
	idleIdx    = 0

	stFree     = 0
	stRunnable = 1
	stBlocked  = 2

	waitFutex   = 1
	waitSleep   = 2
	waitRestart = 3 // re-run the syscall when woken or at the deadline
	waitEpoll   = 4 // re-run epoll_pwait when an fd becomes ready; 0 at the deadline
	waitIRQ     = 5 // the kernel's idle waiter: woken by a device interrupt
)

type thread struct {
	regs      Regs // first: cpuLocal.cur points here
	state     int
	tid       int
	waitKind  int
	waitAddr  uintptr
	deadline  int64 // ns since boot; 0 means none
	sigmask   uint64
	pending   uint64 // signals queued for delivery
	altSP     uint64 // sigaltstack
	altSize   uint64
	altFlags  int32
	sigDepth  int // signal frames delivered and not yet returned from
	clearTID  uintptr
	name      [16]byte
	syscallNr uint64 // for restarting a blocked call

	// User mode (exo.Context.Run): while inUser, cpuLocal.cur points at
	// user and the thread resumes in ring 3 on userCR3.
	user    Regs
	inUser  bool
	uctx    uintptr // the *exo.Regs being run (kept after the run)
	trapRec uintptr // the *trapRecord to fill in (kept after the run)
	// accessGen is accessCache.gen+1 when uctx and trapRec were last found
	// writable (0: never), so a run on the same two skips the check.
	accessGen uint64
	fpImage   uint64 // the exo.Regs.FPStamp of the image in user.fx (0: none)
	userCR3   uint64
	sliceEnd  int64
	userNs    int64 // ring-3 time of the current run so far
	entered   int64 // when it last entered ring 3
}

var (
	threads  [maxThreads]thread
	nextTID  = 1
	liveThrs int
	// slotsUsed bounds every scan of threads: one past the highest slot
	// ever taken, so the per-tick scans cost what is in use, not 256.
	slotsUsed = 1
)

func cur() *thread { return &threads[cpu0.curIdx] }

// switchTo makes thread i the one resume returns to.
func switchTo(i int) {
	cpu0.curIdx = i
	t := &threads[i]
	if t.inUser {
		cpu0.cur = addrOf(unsafe.Pointer(&t.user))
		if curCR3 != t.userCR3 {
			writeCR3(t.userCR3)
			curCR3 = t.userCR3
		}
		if cpu0.kernGS != t.user.GSBase {
			wrmsr(msrKernelGSBase, t.user.GSBase) // resume's SWAPGS makes it GS
			cpu0.kernGS = t.user.GSBase
		}
		t.entered = nanotime()
		return
	}
	cpu0.cur = addrOf(unsafe.Pointer(&t.regs))
	if t.pending&^t.sigmask != 0 && i != idleIdx {
		deliverPending(t)
	}
}

// newThread takes a free slot.
func newThread() (int, bool) {
	for i := 1; i < maxThreads; i++ {
		if threads[i].state == stFree {
			t := &threads[i]
			*t = thread{}
			t.tid = nextTID
			nextTID++
			liveThrs++
			slotsUsed = max(slotsUsed, i+1)
			return i, true
		}
	}
	return 0, false
}

// initFX gives a fresh thread the FPU state Linux starts with.
func initFX(r *Regs) {
	r.fpuValid = 1
	fx := fxArea(r)
	fx[0], fx[1] = 0x7F, 0x03   // FCW: all x87 exceptions masked
	fx[24], fx[25] = 0x80, 0x1F // MXCSR: all SSE exceptions masked
}

// fxArea is the legacy FXSAVE image: the first 512 bytes of the area.
func fxArea(r *Regs) []byte { return xArea(r)[:512] }

// xArea is the whole 64-byte aligned FXSAVE/XSAVE area.
func xArea(r *Regs) []byte {
	off := (64 - int(addrOf(unsafe.Pointer(&r.fx[0]))&63)) & 63
	return r.fx[off : off+xsaveMax]
}

// schedule wakes expired sleepers and picks the next runnable thread
// after the current one, falling back to the current one, then idle.
func schedule() {
	now := nanotime()
	expireTimerfds(now)
	wakeExpired(now)
	armTimer(now)
	n := cpu0.curIdx
	for i := 1; i <= slotsUsed; i++ {
		j := (n + i) % slotsUsed
		if j != idleIdx && threads[j].state == stRunnable {
			switchTo(j)
			return
		}
	}
	switchTo(idleIdx)
}

func wakeExpired(now int64) {
	for i := 1; i < slotsUsed; i++ {
		t := &threads[i]
		if t.state == stBlocked && t.deadline != 0 && t.deadline <= now {
			switch t.waitKind {
			case waitFutex:
				wake(t, -errETIMEDOUT)
			case waitRestart:
				restart(t)
			default:
				wake(t, 0)
			}
		}
	}
}

// block parks the current thread; its syscall result is set by whoever
// wakes it. deadline 0 means no timeout.
func block(kind int, addr uintptr, deadline int64) {
	t := cur()
	t.state = stBlocked
	t.waitKind = kind
	t.waitAddr = addr
	t.deadline = deadline
}

func wake(t *thread, ret int64) {
	t.state = stRunnable
	t.regs.RAX = uint64(ret)
	t.deadline = 0
}

// restart makes a woken thread issue its system call again (the SYSCALL
// instruction is two bytes long), as Linux's ERESTARTSYS does.
func restart(t *thread) {
	t.state = stRunnable
	t.deadline = 0
	t.regs.RIP -= 2
	t.regs.RAX = t.syscallNr
}

// wakeRestarters re-runs every thread parked with kind on addr.
func wakeRestarters(kind int, addr uintptr) {
	for i := 1; i < slotsUsed; i++ {
		t := &threads[i]
		if t.state == stBlocked && t.waitKind == kind && t.waitAddr == addr {
			restart(t)
		}
	}
}

// deviceInterrupt acknowledges a device interrupt and wakes the threads
// waiting for one.
func deviceInterrupt() {
	lapicAck()
	for i := 1; i < slotsUsed; i++ {
		if t := &threads[i]; t.state == stBlocked && t.waitKind == waitIRQ {
			wake(t, 0)
		}
	}
}

// deadlineAfter converts a relative timespec at ts (0: none) into an
// absolute deadline.
func deadlineAfter(ts uintptr) (int64, int64) {
	if ts == 0 {
		return 0, 0
	}
	if !accessible(ts, 16, false) {
		return 0, -errEFAULT
	}
	sec, nsec := *(*int64)(ptrAt(ts)), *(*int64)(ptrAt(ts + 8))
	if sec < 0 || nsec < 0 || nsec >= 1e9 {
		return 0, -errEINVAL
	}
	if sec > 1<<31 {
		sec = 1 << 31
	}
	return nanotime() + sec*1e9 + nsec + 1, 0
}
