package unixsock

import (
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// RecvMsg is what recvmsg takes from a socket.
type RecvMsg struct {
	Data  []byte
	N     int            // the call's result: len(Data), or with MSG_TRUNC a datagram's whole length
	From  string         // the sender's name, "" if unnamed
	Named bool           // From was filled in (a message was read)
	Files []*fd.OpenFile // SCM_RIGHTS: references the caller installs or drops
	Cred  *Ucred         // SCM_CREDENTIALS, when the socket has SO_PASSCRED
	Flags int            // MSG_TRUNC when a record was cut
}

// Recv is recvmsg (unix_stream_recvmsg, unix_dgram_recvmsg,
// unix_seqpacket_recvmsg): up to size bytes, with flags MSG_PEEK,
// MSG_DONTWAIT, MSG_WAITALL (streams), MSG_TRUNC (records). A peek
// gives new references to the files it shows.
func (s *Socket) Recv(c fd.Ctx, size, flags int) (RecvMsg, error) {
	s.mu.Lock()
	st, timeo, lowat := s.state, s.opts.rcvtimeo, s.opts.rcvlowat
	s.mu.Unlock()
	if flags&abi.MSG_ERRQUEUE != 0 && s.in != nil {
		return RecvMsg{}, abi.EAGAIN // ip_recv_error: no ICMP errors are queued
	}
	if flags&abi.MSG_OOB != 0 && s.in != nil && s.typ == abi.SOCK_STREAM {
		return RecvMsg{}, abi.EINVAL // no urgent data is ever pending
	}
	if flags&abi.MSG_OOB != 0 && (s.typ != abi.SOCK_STREAM || st == connected) {
		return RecvMsg{}, abi.EOPNOTSUPP
	}
	o := newWait(c, flags&abi.MSG_DONTWAIT != 0, timeo)
	switch {
	case s.typ == abi.SOCK_STREAM && st != connected && s.in != nil:
		return RecvMsg{}, abi.ENOTCONN
	case s.typ == abi.SOCK_STREAM && st != connected:
		return RecvMsg{}, abi.EINVAL
	case s.typ == abi.SOCK_STREAM:
		target := min(lowat, size)
		if flags&abi.MSG_WAITALL != 0 {
			target = size
		}
		return s.recvStream(&o, size, max(target, 1), flags)
	case s.typ == abi.SOCK_SEQPACKET && st != connected:
		return RecvMsg{}, abi.ENOTCONN
	}
	return s.recvRecord(&o, size, flags)
}

// Read is read(2): a receive whose ancillary data has nowhere to go (its
// files are closed). An empty read returns at once, as sock_read_iter's.
func (s *Socket) Read(c fd.Ctx, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	r, err := s.Recv(c, len(b), 0)
	putFiles(r.Files)
	return copy(b, r.Data), err
}

// recvRecord is __unix_dgram_recvmsg: one whole datagram or packet, cut
// to size (MSG_TRUNC in Flags). A pending error comes first; with the
// socket shut for reading and nothing queued a blocking receive is end
// of file, a non-blocking one EAGAIN (but end of file for a
// sequenced-packet socket).
func (s *Socket) recvRecord(o *waitOpts, size, flags int) (RecvMsg, error) {
	for {
		ch := s.q.Wait()
		s.mu.Lock()
		if e := s.takeErrLocked(); e != 0 {
			s.mu.Unlock()
			return RecvMsg{}, e
		}
		if len(s.recvq) > 0 {
			m := s.recvq[0]
			var w map[*Socket]struct{}
			if flags&abi.MSG_PEEK == 0 {
				s.recvq[0] = nil
				s.recvq = s.recvq[1:]
				w = s.takeWaitersLocked()
			}
			r := s.record(m, size, flags)
			s.mu.Unlock()
			wake(w)
			if flags&abi.MSG_PEEK == 0 {
				m.done()
			}
			return r, nil
		}
		shut, st := s.shut, s.state
		s.mu.Unlock()
		switch {
		case o.nonblock && s.typ == abi.SOCK_SEQPACKET && shut&rcvShutdown != 0:
			return RecvMsg{}, nil
		case o.nonblock:
			return RecvMsg{}, abi.EAGAIN
		case shut&rcvShutdown != 0:
			return RecvMsg{}, nil
		case s.typ == abi.SOCK_SEQPACKET && st != connected:
			return RecvMsg{}, abi.ENOTCONN
		}
		if err := o.sleep(ch); err != nil {
			return RecvMsg{}, err
		}
	}
}

// record makes the result of reading m; s is locked.
func (s *Socket) record(m *message, size, flags int) RecvMsg {
	r := RecvMsg{From: m.fromName, Named: true, N: min(size, len(m.data))}
	if size < len(m.data) {
		r.Flags |= abi.MSG_TRUNC
	}
	r.Data = append([]byte(nil), m.data[:r.N]...)
	if flags&abi.MSG_TRUNC != 0 {
		r.N = len(m.data)
	}
	if flags&abi.MSG_PEEK != 0 {
		r.Files = cloneFiles(m.files)
	} else {
		r.Files, m.files = m.files, nil
	}
	if s.opts.passcred && s.in == nil { // inet sockets carry no credentials
		r.Cred = reported(m.cred)
	}
	return r
}

// reported is the SCM_CREDENTIALS a reader sees of a message: those it
// carries, or none (pid 0, the overflow IDs) if it carries none.
func reported(c *Ucred) *Ucred {
	if c == nil {
		return &Ucred{UID: overflowID, GID: overflowID}
	}
	v := *c
	return &v
}

// recvStream is unix_stream_read_generic: bytes from as many queued
// chunks as fit, waiting until target bytes came (1, SO_RCVLOWAT, or
// all of them with MSG_WAITALL). Queued bytes come before a pending
// error, and end of file after both; a signal ends the wait with what
// was read, or EINTR.
func (s *Socket) recvStream(o *waitOpts, size, target, flags int) (RecvMsg, error) {
	rd := streamRead{size: size, peek: flags&abi.MSG_PEEK != 0}
	defer func() { // after any return: the senders get their room back
		for _, m := range rd.done {
			m.done()
		}
	}()
	for {
		ch := s.q.Wait()
		s.mu.Lock()
		rd.passcred = s.opts.passcred && s.in == nil
		if len(s.recvq) > 0 {
			stop := rd.takeLocked(s)
			s.mu.Unlock()
			if stop || len(rd.r.Data) >= target {
				return rd.result(nil)
			}
			continue
		}
		var err error
		switch {
		case len(rd.r.Data) >= target:
		case s.err != 0:
			err = s.takeErrLocked()
		case s.shut&rcvShutdown != 0:
		case o.nonblock:
			err = abi.EAGAIN
		default:
			s.mu.Unlock()
			if err := o.sleep(ch); err != nil {
				return rd.result(err)
			}
			continue
		}
		s.mu.Unlock()
		return rd.result(err)
	}
}

// streamRead is one stream read in progress.
type streamRead struct {
	r              RecvMsg
	size           int
	peek, passcred bool
	gotCred        bool
	done           []*message // taken whole: their senders get the room back
}

// takeLocked takes (or peeks at) queued chunks into the read, and says
// whether the read must stop here: after a chunk that carried files, at
// one from another sender when credentials are reported, when the size
// is reached, or, for a peek, at the end of the queue.
func (rd *streamRead) takeLocked(s *Socket) bool {
	r := &rd.r
	for i := 0; i < len(s.recvq); {
		m := s.recvq[i]
		if rd.passcred && rd.gotCred && !sameCred(m.cred, r.Cred) {
			return true
		}
		if rd.passcred && !rd.gotCred {
			r.Cred, rd.gotCred = m.cred, true
		}
		if !r.Named {
			r.From, r.Named = m.fromName, true
		}
		chunk := min(m.left(), rd.size-len(r.Data))
		r.Data = append(r.Data, m.data[m.off:m.off+chunk]...)
		if rd.peek {
			if m.files != nil {
				r.Files = cloneFiles(m.files)
				return true
			}
			if i++; i == len(s.recvq) {
				return true // a peek does not wait for more
			}
		} else {
			m.off += chunk
			if m.files != nil {
				r.Files, m.files = m.files, nil
			}
			if m.left() > 0 {
				return true
			}
			s.recvq[0] = nil
			s.recvq = s.recvq[1:]
			rd.done = append(rd.done, m)
			if r.Files != nil {
				return true
			}
		}
		if len(r.Data) == rd.size {
			return true
		}
	}
	return false
}

// result ends the read: what it read, else err.
func (rd *streamRead) result(err error) (RecvMsg, error) {
	r := rd.r
	if len(r.Data) == 0 && err != nil {
		return RecvMsg{}, err
	}
	switch {
	case !rd.passcred:
		r.Cred = nil
	case rd.gotCred:
		r.Cred = reported(r.Cred)
	default:
		r.Cred = &Ucred{} // nothing read: scm_recv's zeroed cookie
	}
	r.N = len(r.Data)
	return r, nil
}
