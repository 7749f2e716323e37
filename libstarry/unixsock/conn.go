package unixsock

import (
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Finder finds the socket an address names, at each attempt: connect
// and sendto look again when the one they found died meanwhile.
type Finder func() (*Socket, error)

func (s *Socket) connectionBased() bool { return s.typ != abi.SOCK_DGRAM }

// Listen is unix_listen: stream and sequenced-packet sockets only
// (EOPNOTSUPP), bound ones (EINVAL), not connected. The backlog is
// capped at somaxconn, as __sys_listen does; cred (the caller's pid and
// effective IDs) is what connecting sockets will read as SO_PEERCRED.
func (s *Socket) Listen(backlog int, cred Ucred) error {
	if !s.connectionBased() {
		return abi.EOPNOTSUPP
	}
	if backlog < 0 || backlog > somaxconn {
		backlog = somaxconn
	}
	if s.in != nil {
		if err := s.listenInet(); err != nil {
			return err
		}
		s.in.listening.Store(true)
	}
	s.mu.Lock()
	if s.name == "" || s.state == connected {
		s.mu.Unlock()
		return abi.EINVAL
	}
	s.backlog = backlog
	s.state = listening
	s.peercred = cred
	w := s.takeWaitersLocked()
	s.mu.Unlock()
	wake(w)
	s.q.Notify()
	return nil
}

// Accept is unix_accept: the oldest connection waiting on a listening
// socket (EINVAL if it is not listening), waiting for one unless c or
// SO_RCVTIMEO says not to. A listener shut for reading gives EINVAL to
// a blocking accept. owner is the new socket file's.
func (s *Socket) Accept(c fd.Ctx, owner Owner) (*Socket, error) {
	if !s.connectionBased() {
		return nil, abi.EOPNOTSUPP
	}
	s.mu.Lock()
	st, timeo := s.state, s.opts.rcvtimeo
	s.mu.Unlock()
	if st != listening {
		return nil, abi.EINVAL
	}
	o := newWait(c, false, timeo)
	for {
		ch := s.q.Wait()
		s.mu.Lock()
		if e := s.takeErrLocked(); e != 0 {
			s.mu.Unlock()
			return nil, e
		}
		if len(s.recvq) > 0 {
			m := s.recvq[0]
			s.recvq[0] = nil
			s.recvq = s.recvq[1:]
			w := s.takeWaitersLocked()
			s.mu.Unlock()
			wake(w)
			n := m.conn
			n.mu.Lock()
			n.embryo = false
			n.owner = owner
			n.mu.Unlock()
			return n, nil
		}
		shut := s.shut
		s.mu.Unlock()
		switch {
		case o.nonblock:
			return nil, abi.EAGAIN
		case shut&rcvShutdown != 0:
			return nil, abi.EINVAL
		}
		if err := o.sleep(ch); err != nil {
			return nil, err
		}
	}
}

// Connect is unix_stream_connect for stream and sequenced-packet
// sockets, unix_dgram_connect for datagram ones. A stream connection is
// made at once, before accept: this socket is joined to a new one that
// waits on the listener's queue. A full queue (more than the backlog)
// is EAGAIN, or a wait for room; find's errors (ENOENT, EACCES,
// ECONNREFUSED, EPROTOTYPE) come before EISCONN. cred is the caller's,
// for the accepted socket's SO_PEERCRED.
func (s *Socket) Connect(c fd.Ctx, find Finder, cred Ucred) error {
	if s.PassCred() {
		if err := s.Autobind(); err != nil {
			return err
		}
	}
	if !s.connectionBased() {
		return s.connectDgram(find)
	}
	s.mu.Lock()
	timeo := s.opts.sndtimeo
	s.mu.Unlock()
	o := newWait(c, false, timeo)
	n := newSocket(s.ns, s.typ, s.owner)
	n.peercred = cred
	for {
		other, err := find()
		if err != nil {
			return err
		}
		ch := s.q.Wait()
		unlock := lock2(s, other)
		switch {
		case other.dead:
			unlock()
			continue
		case other.state != listening || other.shut&rcvShutdown != 0:
			unlock()
			return abi.ECONNREFUSED
		case len(other.recvq) > other.backlog:
			other.addWaiterLocked(s)
			unlock()
			if o.nonblock {
				return abi.EAGAIN
			}
			if err := o.sleep(ch); err != nil {
				return err
			}
			continue
		case s.state == connected:
			unlock()
			return abi.EISCONN
		case s.state != unconnected:
			unlock()
			return abi.EINVAL
		}
		n.peer, n.state, n.embryo = s, connected, true
		n.name, n.opts.passcred = other.name, other.opts.passcred
		s.peer, s.state, s.peercred = n, connected, other.peercred
		other.recvq = append(other.recvq, &message{conn: n})
		unlock()
		other.q.Notify()
		s.q.Notify()
		return nil
	}
}

// connectDgram sets the peer datagrams go to and the only socket they
// may come from. A socket connected elsewhere is EPERM (unix_may_send).
// Leaving a peer drops what came from it (unix_dgram_disconnected).
func (s *Socket) connectDgram(find Finder) error {
	for {
		other, err := find()
		if err != nil {
			return err
		}
		unlock := lock2(s, other)
		if other.dead {
			unlock()
			continue
		}
		if other.peer != nil && other.peer != s {
			unlock()
			return abi.EPERM
		}
		old := s.peer
		s.peer, s.state = other, connected
		unlock()
		if old != nil && old != other {
			s.disconnected(old)
		}
		s.q.Notify()
		return nil
	}
}

// Disconnect is connect with AF_UNSPEC on a datagram socket: no peer.
func (s *Socket) Disconnect() {
	if s.in != nil {
		s.disconnectInet()
		return
	}
	s.mu.Lock()
	old := s.peer
	s.peer = nil
	if old != nil {
		s.state = unconnected
	}
	s.mu.Unlock()
	if old != nil {
		s.disconnected(old)
	}
	s.q.Notify()
}

// disconnected is unix_dgram_disconnected: the queue is purged, and an
// old peer still connected here hears ECONNRESET, its messages lost.
func (s *Socket) disconnected(old *Socket) {
	s.mu.Lock()
	q := s.recvq
	s.recvq = nil
	w := s.takeWaitersLocked()
	s.mu.Unlock()
	wake(w)
	if len(q) == 0 {
		return
	}
	dropAll(q)
	old.mu.Lock()
	if !old.dead && old.peer == s {
		old.err = abi.ECONNRESET
	}
	old.mu.Unlock()
	old.q.Notify()
}

// Shutdown is unix_shutdown (how is SHUT_RD, SHUT_WR or SHUT_RDWR): a
// stream or sequenced-packet peer sees the other half shut too. An
// unconnected socket takes it without complaint, as Linux's does.
func (s *Socket) Shutdown(how int) error {
	if how < abi.SHUT_RD || how > abi.SHUT_RDWR {
		return abi.EINVAL
	}
	mode := how + 1
	if s.in != nil {
		return s.shutdownInet(mode)
	}
	s.mu.Lock()
	s.shut |= mode
	peer := s.peer
	w := s.takeWaitersLocked()
	s.mu.Unlock()
	wake(w)
	s.q.Notify()
	if peer == nil || !s.connectionBased() {
		return nil
	}
	pm := 0
	if mode&rcvShutdown != 0 {
		pm |= sendShutdown
	}
	if mode&sendShutdown != 0 {
		pm |= rcvShutdown
	}
	peer.mu.Lock()
	peer.shut |= pm
	pw := peer.takeWaitersLocked()
	peer.mu.Unlock()
	wake(pw)
	peer.q.Notify()
	return nil
}

// PeerCred is SO_PEERCRED as a value.
func (s *Socket) PeerCred() Ucred {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peercred
}

// Listening reports whether listen was called (SO_ACCEPTCONN).
func (s *Socket) Listening() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == listening
}
