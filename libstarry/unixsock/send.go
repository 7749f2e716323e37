package unixsock

import (
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// SendMsg is what sendmsg hands a socket.
type SendMsg struct {
	Data  []byte
	To    Finder         // sendto's address; nil for the peer
	Files []*fd.OpenFile // SCM_RIGHTS: Send takes over these references
	Cred  *Ucred         // SCM_CREDENTIALS, already checked by the caller
	Flags int            // MSG_DONTWAIT, MSG_NOSIGNAL, MSG_OOB
	Dest  string         // AF_INET datagrams: sendto's address as an InetName, "" for the peer
}

// Send is sendmsg (unix_stream_sendmsg, unix_dgram_sendmsg,
// unix_seqpacket_sendmsg). It returns the bytes sent; a stream send cut
// short reports what went. A bare abi.EPIPE means SIGPIPE is due.
func (s *Socket) Send(c fd.Ctx, m SendMsg) (int, error) {
	files := m.Files
	m.Files = nil
	defer func() { putFiles(files) }() // whatever no message took
	if s.in != nil && s.typ == abi.SOCK_DGRAM {
		return s.sendUDP(&m)
	}
	if s.typ == abi.SOCK_STREAM {
		return s.sendStream(c, &m, &files)
	}
	return s.sendDgram(c, &m, &files)
}

// Write is write(2): a send with no address or ancillary data.
func (s *Socket) Write(c fd.Ctx, b []byte) (int, error) {
	return s.Send(c, SendMsg{Data: b})
}

// CheckWrite is unix_stream_sendmsg's checks before it copies a byte:
// a stream socket with no peer is ENOTCONN, one shut for writing EPIPE
// (with SIGPIPE, even for an empty write).
func (s *Socket) CheckWrite(int) error {
	if s.typ != abi.SOCK_STREAM {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.peer == nil && s.in != nil:
		return abi.EPIPE
	case s.peer == nil:
		return abi.ENOTCONN
	case s.shut&sendShutdown != 0:
		return abi.EPIPE
	}
	return nil
}

// reserve is sock_alloc_send_pskb's wait: the send buffer must have
// room (what the socket has in flight below SO_SNDBUF) before charge
// more goes out. A pending error, or the socket shut for sending, ends it.
func (s *Socket) reserve(o *waitOpts, charge int64) error {
	for {
		ch := s.q.Wait()
		s.mu.Lock()
		if e := s.takeErrLocked(); e != 0 {
			s.mu.Unlock()
			return e
		}
		if s.shut&sendShutdown != 0 {
			s.mu.Unlock()
			return errPipe
		}
		if s.wmem.Load() < s.wlimit() {
			s.wmem.Add(charge)
			s.mu.Unlock()
			return nil
		}
		s.mu.Unlock()
		if o.nonblock {
			return abi.EAGAIN
		}
		if err := o.sleep(ch); err != nil {
			return err
		}
	}
}

func (s *Socket) unreserve(charge int64) {
	s.wmem.Add(-charge)
	s.q.Notify()
}

// credFor is unix_maybe_add_creds: explicit credentials always go; the
// sender's own when either end passes credentials, or the receiver has
// no file yet. other is locked.
func credFor(explicit *Ucred, passcred bool, other *Socket, self Ucred) *Ucred {
	switch {
	case explicit != nil:
		return explicit
	case passcred || other.opts.passcred || other.embryo:
		return &self
	}
	return nil
}

func (s *Socket) sendStream(c fd.Ctx, m *SendMsg, files *[]*fd.OpenFile) (int, error) {
	oob := m.Flags&abi.MSG_OOB != 0
	if s.in != nil {
		if err := s.tcpSendCheck(m.Flags); err != nil {
			return 0, err
		}
		oob = false // urgent data goes inline: there is no urgent pointer to read it by
		if s.corkTCP(m) {
			return len(m.Data), nil
		}
		s.flushCork()
	}
	if oob && len(m.Data) == 0 {
		return 0, abi.EOPNOTSUPP
	}
	s.mu.Lock()
	peer, st, shut, name := s.peer, s.state, s.shut, s.name
	sndbuf, passcred, timeo := s.opts.sndbuf, s.opts.passcred, s.opts.sndtimeo
	s.mu.Unlock()
	switch {
	case m.To != nil && st == connected:
		return 0, abi.EISCONN
	case m.To != nil:
		return 0, abi.EOPNOTSUPP
	case peer == nil:
		return 0, abi.ENOTCONN
	case shut&sendShutdown != 0:
		return 0, pipeErr(m.Flags)
	case oob:
		return 0, abi.EOPNOTSUPP // out-of-band data (CONFIG_AF_UNIX_OOB) is not kept
	}
	o := newWait(c, m.Flags&abi.MSG_DONTWAIT != 0, timeo)
	self := callerCred(c.W)
	sent := 0
	for sent < len(m.Data) {
		size := min(len(m.Data)-sent, sndbuf/2-64, streamChunk)
		charge := truesize(size, streamHead)
		if err := s.reserve(&o, charge); err != nil {
			return partial(sent, err)
		}
		msg := &message{data: append([]byte(nil), m.Data[sent:sent+size]...), from: s, fromName: name, charge: charge}
		peer.mu.Lock()
		if s.in != nil && peer.dead { // the reset the closed peer answers with
			peer.mu.Unlock()
			s.unreserve(charge)
			s.reset(abi.EPIPE)
			return len(m.Data), nil
		}
		if peer.dead || (s.in == nil && peer.shut&rcvShutdown != 0) {
			peer.mu.Unlock()
			s.unreserve(charge)
			return partial(sent, pipeErr(m.Flags))
		}
		msg.files, *files = *files, nil // only the first chunk carries them
		msg.cred = credFor(m.Cred, passcred, peer, self)
		peer.recvq = append(peer.recvq, msg)
		peer.mu.Unlock()
		peer.q.Notify()
		sent += size
	}
	return sent, nil
}

func (s *Socket) sendDgram(c fd.Ctx, m *SendMsg, files *[]*fd.OpenFile) (int, error) {
	if s.typ == abi.SOCK_SEQPACKET {
		s.mu.Lock()
		e, st := s.takeErrLocked(), s.state
		s.mu.Unlock()
		switch {
		case e != 0:
			return 0, e
		case st != connected:
			return 0, abi.ENOTCONN
		}
		m.To = nil
	}
	if m.Flags&abi.MSG_OOB != 0 {
		return 0, abi.EOPNOTSUPP
	}
	if s.PassCred() {
		if err := s.Autobind(); err != nil {
			return 0, err
		}
	}
	s.mu.Lock()
	sndbuf, passcred, timeo, name := s.opts.sndbuf, s.opts.passcred, s.opts.sndtimeo, s.name
	s.mu.Unlock()
	if len(m.Data) > sndbuf-32 {
		return 0, abi.EMSGSIZE
	}
	o := newWait(c, m.Flags&abi.MSG_DONTWAIT != 0, timeo)
	charge := truesize(len(m.Data), dgramHead)
	if err := s.reserve(&o, charge); err != nil {
		return 0, err
	}
	msg := &message{data: append([]byte(nil), m.Data...), from: s, fromName: name, charge: charge}
	n, err := s.deliver(&o, m, msg, passcred, callerCred(c.W), files)
	if err != nil {
		s.unreserve(charge)
	}
	return n, err
}

// deliver is the rest of unix_dgram_sendmsg: find the receiver, check
// it may hear from this socket, wait while its queue is full (when it
// is not connected back here), and queue the datagram.
func (s *Socket) deliver(o *waitOpts, m *SendMsg, msg *message, passcred bool, self Ucred, files *[]*fd.OpenFile) (int, error) {
lookup:
	for {
		other, err := s.receiver(m.To)
		if err != nil {
			return 0, err
		}
		for {
			ch := s.q.Wait()
			other.mu.Lock()
			switch {
			case other.peer != nil && other.peer != s:
				other.mu.Unlock()
				return 0, abi.EPERM
			case other.dead:
				other.mu.Unlock()
				if err := s.peerDied(other, m.To != nil); err != nil {
					return 0, err
				}
				continue lookup // sendto: find the address again
			case other.shut&rcvShutdown != 0:
				other.mu.Unlock()
				return 0, errPipe
			case other != s && other.peer != s && len(other.recvq) > other.backlog:
				other.addWaiterLocked(s)
				other.mu.Unlock()
				if o.nonblock {
					return 0, abi.EAGAIN
				}
				if err := o.sleep(ch); err != nil {
					return 0, err
				}
				continue
			default:
				msg.files, *files = *files, nil
				msg.cred = credFor(m.Cred, passcred, other, self)
				other.recvq = append(other.recvq, msg)
				other.mu.Unlock()
				other.q.Notify()
				return len(msg.data), nil
			}
		}
	}
}

// receiver is the socket a datagram goes to: sendto's, or the peer.
func (s *Socket) receiver(to Finder) (*Socket, error) {
	if to != nil {
		return to()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.peer == nil {
		return nil, abi.ENOTCONN
	}
	return s.peer, nil
}

// peerDied is unix_dgram_sendmsg's answer to a dead receiver: a
// sequenced-packet send fails with EPIPE; a datagram socket connected to
// it is disconnected (ECONNREFUSED); a send to the peer is ECONNRESET;
// a sendto looks the address up again (nil).
func (s *Socket) peerDied(other *Socket, named bool) error {
	if s.typ == abi.SOCK_SEQPACKET {
		return errPipe
	}
	s.mu.Lock()
	if s.peer == other {
		s.peer, s.state = nil, unconnected
		s.mu.Unlock()
		s.disconnected(other)
		return abi.ECONNREFUSED
	}
	s.mu.Unlock()
	if !named {
		return abi.ECONNRESET
	}
	return nil
}
