package unixsock

import "github.com/starry-go/starry/personality/linux/abi"

// Readiness is unix_poll for streams, unix_dgram_poll for the others:
// EPOLLERR with an error pending, EPOLLHUP shut both ways (or a
// connection-based socket not connected), EPOLLIN|EPOLLRDHUP shut for
// reading, EPOLLIN with anything queued (a connection, for a listener),
// EPOLLOUT while what it has in flight is within a quarter of SO_SNDBUF
// and, for a datagram socket, its peer's queue has room for it.
func (s *Socket) Readiness() uint32 {
	s.mu.Lock()
	var r uint32
	if s.err != 0 {
		r |= abi.EPOLLERR
	}
	if s.shut == shutdownMask {
		r |= abi.EPOLLHUP
	}
	if s.shut&rcvShutdown != 0 {
		r |= abi.EPOLLRDHUP | abi.EPOLLIN | abi.EPOLLRDNORM
	}
	if len(s.recvq) > 0 {
		r |= abi.EPOLLIN | abi.EPOLLRDNORM
	}
	if s.connectionBased() && s.state == unconnected {
		r |= abi.EPOLLHUP
	}
	writable := s.state != listening && s.wmem.Load()*4 <= s.wlimit()
	peer := s.peer
	s.mu.Unlock()
	if writable && s.typ != abi.SOCK_STREAM && peer != nil && peer != s {
		peer.mu.Lock()
		if !peer.dead && peer.peer != s && len(peer.recvq) > peer.backlog {
			writable = false
			peer.addWaiterLocked(s) // unix_dgram_peer_wake_me
		}
		peer.mu.Unlock()
	}
	if writable {
		r |= abi.EPOLLOUT | abi.EPOLLWRNORM | abi.EPOLLWRBAND
	}
	return r
}

// Pending is FIONREAD (unix_inq_len): the unread bytes of a stream or
// sequenced-packet socket, the first datagram's length otherwise.
func (s *Socket) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.recvq {
		if m.conn != nil {
			return 0
		}
		n += m.left()
		if s.typ == abi.SOCK_DGRAM {
			break
		}
	}
	return n
}
