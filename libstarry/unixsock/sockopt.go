package unixsock

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/starry-go/starry/personality/linux/abi"
)

// options are the SOL_SOCKET settings an AF_UNIX socket keeps.
type options struct {
	passcred, reuseaddr, keepalive bool
	sndbuf, rcvbuf, rcvlowat       int
	rcvtimeo, sndtimeo             time.Duration // 0: for ever; <0: not at all
	linger                         bool
	lingerSecs                     int32
	flags                          map[int]bool // SO_OOBINLINE, SO_BROADCAST and other plain flags
	priority                       int32
}

func (o *options) setFlag(name int, v bool) {
	m := make(map[int]bool, len(o.flags)+1) // copied: an accepted socket shares its listener's options
	for k, x := range o.flags {
		m[k] = x
	}
	m[name] = v
	o.flags = m
}

func defaultOptions() options {
	return options{sndbuf: defaultBuf, rcvbuf: defaultBuf, rcvlowat: 1}
}

var le = binary.LittleEndian

// SetOption is sk_setsockopt at SOL_SOCKET for the options an AF_UNIX
// socket has: val is the user's optval (optlen bytes of it, at most 16
// needed); privileged is CAP_NET_ADMIN, for SO_*BUFFORCE. Buffer sizes
// are doubled, as Linux does for the sk_buff overhead, within its
// bounds; other options are ENOPROTOOPT.
func (s *Socket) SetOption(name int, val []byte, privileged bool) error {
	if len(val) < 4 {
		return abi.EINVAL
	}
	v := int32(le.Uint32(val))
	s.mu.Lock()
	defer s.q.Notify() // a bigger SO_SNDBUF may make it writable
	defer s.mu.Unlock()
	o := &s.opts
	switch name {
	case abi.SO_REUSEADDR:
		o.reuseaddr = v != 0
		if s.in != nil {
			s.in.reuse.Store(v != 0)
		}
	case abi.SO_KEEPALIVE:
		o.keepalive = v != 0
	case abi.SO_PASSCRED:
		o.passcred = v != 0
	case abi.SO_REUSEPORT:
		if s.in != nil {
			s.in.reuseport.Store(v != 0)
		} else if v != 0 {
			return abi.EOPNOTSUPP // only inet sockets share ports
		}
	case abi.SO_OOBINLINE, abi.SO_BROADCAST, abi.SO_DONTROUTE, abi.SO_TIMESTAMP, abi.SO_NO_CHECK:
		o.setFlag(name, v != 0)
	case abi.SO_PRIORITY:
		if (v < 0 || v > 6) && !privileged {
			return abi.EPERM
		}
		o.priority = v
	case abi.SO_SNDBUF, abi.SO_RCVBUF, abi.SO_SNDBUFFORCE, abi.SO_RCVBUFFORCE:
		return o.setBuf(name, v, privileged)
	case abi.SO_RCVLOWAT:
		if v < 0 {
			v = math.MaxInt32
		}
		o.rcvlowat = max(int(v), 1)
	case abi.SO_RCVTIMEO, abi.SO_RCVTIMEO_NEW:
		return setTimeout(&o.rcvtimeo, val)
	case abi.SO_SNDTIMEO, abi.SO_SNDTIMEO_NEW:
		return setTimeout(&o.sndtimeo, val)
	case abi.SO_LINGER:
		if len(val) < 8 {
			return abi.EINVAL
		}
		o.linger, o.lingerSecs = v != 0, int32(le.Uint32(val[4:]))
	default:
		return abi.ENOPROTOOPT // SO_TYPE, SO_ERROR, SO_PEERCRED... are read-only
	}
	return nil
}

// setBuf is SO_SNDBUF and SO_RCVBUF: the value, as unsigned, capped at
// the sysctl maximum (the *FORCE variants need privilege and skip the
// cap), then doubled, and at least SOCK_MIN_SNDBUF or SOCK_MIN_RCVBUF.
func (o *options) setBuf(name int, v int32, privileged bool) error {
	force := name == abi.SO_SNDBUFFORCE || name == abi.SO_RCVBUFFORCE
	var n int64
	switch {
	case force && !privileged:
		return abi.EPERM
	case force:
		n = int64(max(v, 0))
	default:
		n = min(int64(uint32(v)), maxBuf)
	}
	n = min(n, math.MaxInt32/2) * 2
	if name == abi.SO_SNDBUF || name == abi.SO_SNDBUFFORCE {
		o.sndbuf = int(max(n, minSndbuf))
	} else {
		o.rcvbuf = int(max(n, minRcvbuf))
	}
	return nil
}

// setTimeout is sock_set_timeout: a struct timeval; a bad tv_usec is
// EDOM, a negative time means never wait, zero for ever.
func setTimeout(d *time.Duration, val []byte) error {
	if len(val) < 16 {
		return abi.EINVAL
	}
	sec, usec := int64(le.Uint64(val)), int64(le.Uint64(val[8:]))
	switch {
	case usec < 0 || usec >= 1e6:
		return abi.EDOM
	case sec < 0:
		*d = -1
	case sec > math.MaxInt64/int64(time.Second)-1:
		*d = 0
	default:
		*d = time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond
	}
	return nil
}

// Option is sk_getsockopt at SOL_SOCKET: the value as Linux lays it out,
// which the caller cuts to the user's optlen. Reading SO_ERROR clears it.
func (s *Socket) Option(name int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &s.opts
	var v int
	if s.in != nil {
		if v, ok := s.inetOption(name); ok {
			b := make([]byte, 4)
			le.PutUint32(b, uint32(int32(v)))
			return b, nil
		}
	}
	switch name {
	case abi.SO_OOBINLINE, abi.SO_BROADCAST, abi.SO_DONTROUTE, abi.SO_TIMESTAMP, abi.SO_NO_CHECK:
		v = b2i(o.flags[name])
	case abi.SO_PRIORITY:
		v = int(o.priority)
	case abi.SO_TYPE:
		v = s.typ
	case abi.SO_PROTOCOL:
		v = 0 // sk_protocol is never set for AF_UNIX
	case abi.SO_DOMAIN:
		v = abi.AF_UNIX
	case abi.SO_ERROR:
		v = int(s.takeErrLocked())
	case abi.SO_SNDBUF:
		v = o.sndbuf
	case abi.SO_RCVBUF:
		v = o.rcvbuf
	case abi.SO_REUSEADDR:
		v = b2i(o.reuseaddr)
	case abi.SO_KEEPALIVE:
		v = b2i(o.keepalive)
	case abi.SO_PASSCRED:
		v = b2i(o.passcred)
	case abi.SO_ACCEPTCONN:
		v = b2i(s.state == listening)
	case abi.SO_REUSEPORT:
	case abi.SO_RCVLOWAT:
		v = o.rcvlowat
	case abi.SO_SNDLOWAT:
		v = 1
	case abi.SO_PEERCRED:
		b := make([]byte, 12)
		le.PutUint32(b, uint32(s.peercred.Pid))
		le.PutUint32(b[4:], s.peercred.UID)
		le.PutUint32(b[8:], s.peercred.GID)
		return b, nil
	case abi.SO_RCVTIMEO, abi.SO_RCVTIMEO_NEW:
		return timeval(o.rcvtimeo), nil
	case abi.SO_SNDTIMEO, abi.SO_SNDTIMEO_NEW:
		return timeval(o.sndtimeo), nil
	case abi.SO_LINGER:
		b := make([]byte, 8)
		le.PutUint32(b, uint32(b2i(o.linger)))
		le.PutUint32(b[4:], uint32(o.lingerSecs))
		return b, nil
	default:
		return nil, abi.ENOPROTOOPT
	}
	b := make([]byte, 4)
	le.PutUint32(b, uint32(int32(v)))
	return b, nil
}

// timeval is sock_get_timeout: for ever and never both read as zero.
func timeval(d time.Duration) []byte {
	b := make([]byte, 16)
	if d > 0 {
		le.PutUint64(b, uint64(d/time.Second))
		le.PutUint64(b[8:], uint64(d%time.Second/time.Microsecond))
	}
	return b
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// PassCred reports SO_PASSCRED.
func (s *Socket) PassCred() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.passcred
}
