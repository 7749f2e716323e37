package sysv

import (
	"sync"
	"time"
)

// Limits are an IPC namespace's tunables (/proc/sys/kernel/shmmax,
// shmall, shmmni, sem, msgmax, msgmnb, msgmni).
type Limits struct {
	ShmMax, ShmAll uint64 // bytes in one segment; pages in all
	ShmMNI         int    // segments
	SemMSL         int    // semaphores in one set
	SemMNS         int    // semaphores in all
	SemOPM         int    // operations in one semop
	SemMNI         int    // sets
	MsgMax         int    // bytes in one message
	MsgMNB         int    // bytes in one queue (its default msg_qbytes)
	MsgMNI         int    // queues
}

// DefaultLimits are Linux's (include/uapi/linux/shm.h, sem.h, msg.h).
var DefaultLimits = Limits{
	ShmMax: ^uint64(0) - 1<<24, ShmAll: ^uint64(0) - 1<<24, ShmMNI: 4096,
	SemMSL: 32000, SemMNS: 32000 * 32000, SemOPM: 500, SemMNI: 32000,
	MsgMax: 8192, MsgMNB: 16384, MsgMNI: 32000,
}

// Fixed limits Linux reports but does not tune.
const (
	ShmMin = 1     // SHMMIN
	SemVMX = 32767 // SEMVMX: the largest semaphore value
	semAEM = SemVMX
	semUSZ = 20
	msgSSZ = 16
	msgSeg = 0xffff
)

// NS is one IPC namespace (struct ipc_namespace).
type NS struct {
	lim Limits
	now func() int64 // seconds since the epoch

	shm shmIDs
	sem semIDs
	msg msgIDs
}

// New makes a namespace with Linux's default limits whose times come
// from now (seconds since the epoch; nil is the wall clock).
func New(now func() int64) *NS { return NewWithLimits(DefaultLimits, now) }

// NewWithLimits makes a namespace with other limits (for tests).
func NewWithLimits(lim Limits, now func() int64) *NS {
	if now == nil {
		now = func() int64 { return time.Now().Unix() }
	}
	return &NS{lim: lim, now: now,
		shm: shmIDs{ids: newIDSet[*Segment]()},
		sem: semIDs{ids: newIDSet[*SemSet]()},
		msg: msgIDs{ids: newIDSet[*MsgQueue]()}}
}

// Limits are the namespace's tunables.
func (ns *NS) Limits() Limits { return ns.lim }

// the locked parts of the namespace, one per kind.
type shmIDs struct {
	mu  sync.Mutex
	ids idSet[*Segment]
	tot uint64 // pages in all segments (shm_tot)
}

type semIDs struct {
	mu   sync.Mutex
	ids  idSet[*SemSet]
	used int // semaphores in all sets (used_sems)
}

type msgIDs struct {
	mu          sync.Mutex
	ids         idSet[*MsgQueue]
	hdrs, bytes int // messages and their bytes in all queues
}
