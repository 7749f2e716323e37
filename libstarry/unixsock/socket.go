// Package unixsock is AF_UNIX sockets (Linux's net/unix/af_unix.c):
// stream, datagram and sequenced-packet sockets, bound to a path (an
// S_IFSOCK inode the caller made) or to a name in the abstract
// namespace, joined in pairs or through listen, accept and connect, and
// carrying bytes, open files (SCM_RIGHTS) and credentials
// (SCM_CREDENTIALS). It knows nothing of user memory or path lookup: the
// personality copies buffers and resolves names, and a Socket is the
// fd.File of a socket descriptor.
package unixsock

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Ucred is struct ucred: who sent a message, or who is at the other end.
type Ucred struct {
	Pid      int32
	UID, GID uint32
}

// Owner is who made the socket: its inode's owner, as fstat shows it.
type Owner struct{ UID, GID uint32 }

// Caller is what a socket asks of the thread behind a call, when the
// fd.Ctx's Waiter can tell (libstarry's Thread can): its process ID and
// real IDs, which messages carry as SCM_CREDENTIALS. Without it they
// carry nobody's (pid 0, the overflow IDs).
type Caller interface {
	UnixCred() Ucred
}

type state int

const (
	unconnected state = iota // TCP_CLOSE
	listening                // TCP_LISTEN
	connected                // TCP_ESTABLISHED
)

// sk_shutdown's bits.
const (
	rcvShutdown  = 1
	sendShutdown = 2
	shutdownMask = 3
)

// Socket is one AF_UNIX socket (struct unix_sock). What only it touches
// is guarded by mu; a call that involves two sockets locks them one at a
// time, or both in the order of their IDs (lock2).
type Socket struct {
	ns      *Namespace
	typ     int
	id      uint64 // its inode number, and the order two are locked in
	owner   Owner
	created int64
	q       ipc.Queue
	wmem    atomic.Int64 // truesize of what it sent that is still queued (sk_wmem_alloc)

	mu       sync.Mutex
	state    state
	peer     *Socket
	shut     int
	dead     bool
	err      abi.Errno  // sk_err, reported once (sock_error)
	name     string     // the bound address: sun_path's bytes, "" when unnamed
	inode    *vfs.Inode // the node a path bind made
	recvq    []*message
	backlog  int  // sk_max_ack_backlog: connections, or datagrams from strangers
	embryo   bool // made by connect and not accepted yet: it has no file
	waiters  map[*Socket]struct{}
	peercred Ucred
	opts     options
	in       *inetState // AF_INET's: nil for an AF_UNIX socket
}

var lastID atomic.Uint64

func newSocket(ns *Namespace, typ int, owner Owner) *Socket {
	return &Socket{ns: ns, typ: typ, id: lastID.Add(1), owner: owner, created: time.Now().UnixNano(),
		backlog: maxDgramQlen, peercred: nobody, opts: defaultOptions()}
}

// nobody is SO_PEERCRED of a socket with no peer (cred_to_ucred of none).
var nobody = Ucred{UID: ^uint32(0), GID: ^uint32(0)}

// Create is unix_create: protocol 0 or PF_UNIX, and a stream,
// datagram or sequenced-packet type (SOCK_RAW is taken as SOCK_DGRAM).
// The caller has checked the type is below SOCK_MAX.
func Create(ns *Namespace, typ, protocol int, owner Owner) (*Socket, error) {
	if protocol != 0 && protocol != abi.AF_UNIX {
		return nil, abi.EPROTONOSUPPORT
	}
	switch typ {
	case abi.SOCK_RAW:
		typ = abi.SOCK_DGRAM
	case abi.SOCK_STREAM, abi.SOCK_DGRAM, abi.SOCK_SEQPACKET:
	default:
		return nil, abi.ESOCKTNOSUPPORT
	}
	return newSocket(ns, typ, owner), nil
}

// Pair is unix_socketpair: two sockets joined back to back, each
// reporting cred (the caller's pid and effective IDs) as its peer's.
func Pair(ns *Namespace, typ int, owner Owner, cred Ucred) (*Socket, *Socket, error) {
	a, err := Create(ns, typ, 0, owner)
	if err != nil {
		return nil, nil, err
	}
	b := newSocket(ns, a.typ, owner)
	a.peer, b.peer = b, a
	a.state, b.state = connected, connected
	a.peercred, b.peercred = cred, cred
	return a, b, nil
}

// Type is SO_TYPE.
func (s *Socket) Type() int { return s.typ }

// Stat is a sockfs inode's: S_IFSOCK, every permission, its maker's.
func (s *Socket) Stat() fd.Stat {
	return fd.Stat{Ino: s.id, Mode: abi.S_IFSOCK | 0o777, Nlink: 1, UID: s.owner.UID, GID: s.owner.GID,
		Atime: s.created, Mtime: s.created, Ctime: s.created}
}

// A socket lives on sockfs, a noexec mount, and has fasync (sock_fasync):
// O_ASYNC stays set (no SIGIO is sent yet).
func (s *Socket) NoExec() {}
func (s *Socket) Async()  {}

// Queue is notified whenever the socket's readiness may have changed.
func (s *Socket) Queue() *ipc.Queue { return &s.q }

// lock2 locks two sockets (perhaps one) in ID order, so that two calls
// that each lock the same pair cannot deadlock; it returns the unlock.
func lock2(a, b *Socket) func() {
	if a == b {
		a.mu.Lock()
		return a.mu.Unlock
	}
	if a.id > b.id {
		a, b = b, a
	}
	a.mu.Lock()
	b.mu.Lock()
	return func() { b.mu.Unlock(); a.mu.Unlock() }
}

// takeErrLocked is sock_error: the pending error, cleared as it is read.
func (s *Socket) takeErrLocked() abi.Errno {
	e := s.err
	s.err = 0
	return e
}

// takeWaitersLocked empties the set of sockets waiting for room in the
// queue (peer_wait); the caller wakes them once it has unlocked.
func (s *Socket) takeWaitersLocked() map[*Socket]struct{} {
	w := s.waiters
	s.waiters = nil
	return w
}

func (s *Socket) addWaiterLocked(w *Socket) {
	if s.waiters == nil {
		s.waiters = map[*Socket]struct{}{}
	}
	s.waiters[w] = struct{}{}
}

func wake(ws map[*Socket]struct{}) {
	for w := range ws {
		w.q.Notify()
	}
}

// Release is unix_release_sock for the socket's last descriptor: its
// name goes, a stream or sequenced-packet peer sees both directions shut
// (and ECONNRESET if this end had unread data), connections waiting on a
// listener are reset, and queued messages drop the files they carry.
func (s *Socket) Release() { s.release(false) }

func (s *Socket) release(embryo bool) {
	s.flushCork() // close sends what MSG_MORE held, then the FIN
	s.ns.unregister(s)
	s.mu.Lock()
	s.dead = true
	s.shut = shutdownMask
	was := s.state
	s.state = unconnected
	peer := s.peer
	s.peer = nil
	q := s.recvq
	s.recvq = nil
	waiters := s.takeWaitersLocked()
	s.mu.Unlock()
	wake(waiters)
	s.q.Notify()
	if peer != nil && s.typ != abi.SOCK_DGRAM {
		peer.mu.Lock()
		switch {
		case s.in != nil && len(q) == 0 && !embryo:
			peer.shut |= rcvShutdown // a FIN: the peer may still write, once (tcpSendDead)
		default:
			peer.shut = shutdownMask
			if len(q) > 0 || embryo {
				peer.err = abi.ECONNRESET
			}
		}
		pw := peer.takeWaitersLocked()
		peer.mu.Unlock()
		wake(pw)
		peer.q.Notify()
	}
	for _, m := range q {
		if was == listening && m.conn != nil {
			m.conn.release(true)
		}
	}
	dropAll(q)
}
