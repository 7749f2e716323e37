package unixsock

import (
	"encoding/binary"
	"math/rand/v2"
	"sync/atomic"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// AF_INET sockets over loopback only (net/ipv4/af_inet.c, tcp.c, udp.c
// as a user sees them when both ends are on this machine). They share
// the AF_UNIX engine's queues, waits, readiness and options; what
// differs is here: names are a port and an address in 127.0.0.0/8 (or
// INADDR_ANY for bind), found in a port table rather than by path, a
// TCP peer that closes sends a FIN (and a reset when written to), and a
// UDP socket's peer is an address, not a socket. There is no IP layer:
// nothing leaves the machine (ENETUNREACH), and SOCK_RAW is refused.

// inetState is what an AF_INET socket has beyond an AF_UNIX one. addr
// and port change under both the socket's and the namespace's locks.
type inetState struct {
	family     int    // AF_INET or AF_INET6
	proto      int    // IPPROTO_TCP or IPPROTO_UDP
	addr       IP     // local address; zero: INADDR_ANY (in6addr_any)
	port       uint16 // local port; zero: not bound
	bindAddr   bool   // the address came from bind (SOCK_BINDADDR_LOCK)
	bindPort   bool   // the port came from bind (SOCK_BINDPORT_LOCK)
	registered bool   // in the port table
	dest       string // the connected peer's name (UDP: where sends go), "" none
	inprogress bool   // TCP: a non-blocking connect said EINPROGRESS
	everConn   bool   // TCP: was connected once (SOCK_DONE)
	listening  atomic.Bool
	v6only     atomic.Bool // IPV6_V6ONLY
	reuse      atomic.Bool // SO_REUSEADDR, read under the namespace's lock
	reuseport  atomic.Bool
	tcpOpts    map[int]int32    // IPPROTO_TCP options, set or defaulted
	ipOpts     map[int]int32    // IPPROTO_IP options
	ip6Opts    map[int]int32    // IPPROTO_IPV6 options
	groups     map[[4]byte]bool // multicast groups joined (an accepted socket has none)
	cork       []byte           // MSG_MORE: TCP bytes held back, or a UDP datagram being built
	corkDest   string           // UDP: where the datagram being built goes
}

// portKey is a port of TCP's or UDP's: IPv4 and IPv6 share them, as an
// IPv6 socket bound to the unspecified address takes IPv4 too.
type portKey struct {
	typ  int
	port uint16
}

// IP is an address: IPv4's in its first four bytes, the rest zero.
type IP [16]byte

// V4 is an IPv4 address as an IP.
func V4(a [4]byte) IP {
	var ip IP
	copy(ip[:], a[:])
	return ip
}

// Loopback is 127.0.0.1, the source of everything sent over IPv4 here;
// Loopback6 is ::1.
var (
	Loopback  = [4]byte{127, 0, 0, 1}
	Loopback6 = IP{15: 1}
)

func (in *inetState) loopback() IP {
	if in.family == abi.AF_INET6 {
		return Loopback6
	}
	return V4(Loopback)
}

// local says whether an address is on this machine: 127.0.0.0/8, ::1,
// and on an IPv6 socket that is not IPV6_V6ONLY ::ffff:127.0.0.0/104.
func (in *inetState) local(a IP) bool {
	if in.family == abi.AF_INET6 {
		v4, mapped := unmap(a)
		return a == Loopback6 || mapped && v4[0] == 127 && !in.v6only.Load()
	}
	return a[0] == 127
}

// unmap is the IPv4 address an IPv4-mapped IPv6 one (::ffff:a.b.c.d)
// stands for.
func unmap(a IP) ([4]byte, bool) {
	return [4]byte(a[12:]), [12]byte(a[:12]) == [12]byte{10: 0xff, 11: 0xff}
}

// mapped is ::ffff:a.b.c.d.
func mapped(a [4]byte) IP {
	ip := IP{10: 0xff, 11: 0xff}
	copy(ip[12:], a[:])
	return ip
}

// cover is what addresses a bound socket takes: IPv4 ones (one, or all
// when any4), IPv6 ones (likewise).
type cover struct {
	has4, any4 bool
	v4         [4]byte
	has6, any6 bool
	v6         IP
}

func (in *inetState) covers(a IP) cover {
	if in.family == abi.AF_INET {
		return cover{has4: true, any4: a == IP{}, v4: [4]byte(a[:4])}
	}
	if v4, ok := unmap(a); ok {
		return cover{has4: true, any4: v4 == [4]byte{}, v4: v4}
	}
	if a == (IP{}) {
		return cover{has6: true, any6: true, has4: !in.v6only.Load(), any4: true}
	}
	return cover{has6: true, v6: a}
}

func (c cover) overlaps(d cover) bool {
	return c.has4 && d.has4 && (c.any4 || d.any4 || c.v4 == d.v4) ||
		c.has6 && d.has6 && (c.any6 || d.any6 || c.v6 == d.v6)
}

// target is where a packet goes: an IPv4 address, or an IPv6 one.
type target struct {
	v6   bool
	v4   [4]byte
	addr IP
}

// targetOf is the destination a socket of this family names: an
// IPv4-mapped address on an IPv6 socket is IPv4.
func (in *inetState) targetOf(a IP) target {
	if in.family == abi.AF_INET {
		return target{v4: [4]byte(a[:4])}
	}
	if v4, ok := unmap(a); ok {
		return target{v4: v4}
	}
	return target{v6: true, addr: a}
}

// match says whether a bound socket takes packets for t, and exactly
// (bound to that address) rather than as a wildcard.
func (c cover) match(t target) (ok, exact bool) {
	if t.v6 {
		return c.has6 && (c.any6 || c.v6 == t.addr), c.has6 && !c.any6
	}
	return c.has4 && (c.any4 || c.v4 == t.v4), c.has4 && !c.any4
}

// canon is a name as the same for IPv4 and IPv6 sockets: an
// IPv4-mapped IPv6 name becomes the IPv4 one.
func canon(name string) string {
	if len(name) == 26 {
		a, port := ParseInetName(name)
		if v4, ok := unmap(a); ok {
			return InetName(v4, port)
		}
	}
	return name
}

// NameAs is a name written for a socket of family: an IPv4 name is
// IPv4-mapped for IPv6, an IPv4-mapped IPv6 name IPv4 for IPv4.
func NameAs(family int, name string) string {
	switch {
	case family == abi.AF_INET6 && len(name) == 14:
		a, port := ParseInetName(name)
		return Inet6Name(mapped([4]byte(a[:4])), port)
	case family == abi.AF_INET && len(name) == 26:
		return canon(name)
	}
	return name
}

func (in *inetState) nameOf(a IP, port uint16) string {
	if in.family == abi.AF_INET6 {
		return Inet6Name(a, port)
	}
	return InetName([4]byte(a[:4]), port)
}

// Ephemeral ports: net.ipv4.ip_local_port_range's default.
const (
	ephemeralLow   = 32768
	ephemeralHigh  = 60999
	udpMaxPayload  = 65507 // 65535 less the IP and UDP headers
	udp6MaxPayload = 65527
	ipprotoMax     = 263   // IPPROTO_MAX
	tcpMinMSS      = 536   // TCP_MSS_DEFAULT: what an unconnected socket reports
	loopbackMSS    = 32741 // what a connected one reports over lo (Linux 6.18, natively)
	tcpDefSndbuf   = 16384 // net.ipv4.tcp_wmem's default
	tcpDefRcvbuf   = 131072
	tcpInflight    = 4 << 20 // tcp_wmem's maximum: Linux grows the buffer up to it
)

// InetName is a socket name as getsockname shows it for AF_INET:
// sockaddr_in after its family (the port in network order, the address,
// eight zero bytes).
func InetName(addr [4]byte, port uint16) string {
	b := make([]byte, 14)
	binary.BigEndian.PutUint16(b, port)
	copy(b[2:], addr[:])
	return string(b)
}

// Inet6Name is the same for AF_INET6: sockaddr_in6 after its family
// (the port, a zero flow label, the address, a zero scope).
func Inet6Name(addr IP, port uint16) string {
	b := make([]byte, 26)
	binary.BigEndian.PutUint16(b, port)
	copy(b[6:], addr[:])
	return string(b)
}

// ParseInetName is InetName's and Inet6Name's inverse.
func ParseInetName(name string) (addr IP, port uint16) {
	switch len(name) {
	case 14:
		copy(addr[:], name[2:6])
	case 26:
		copy(addr[:], name[6:22])
	default:
		return addr, 0
	}
	return addr, binary.BigEndian.Uint16([]byte(name[:2]))
}

// IsLoopback says whether an IPv4 address is on this machine: 127.0.0.0/8.
func IsLoopback(a [4]byte) bool { return a[0] == 127 }

// Family is the socket's: AF_UNIX, AF_INET or AF_INET6 (which
// IPV6_ADDRFORM may turn into AF_INET).
func (s *Socket) Family() int {
	if s.in == nil {
		return abi.AF_UNIX
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.in.family
}

// IsInet says whether the socket is AF_INET.
func (s *Socket) IsInet() bool { return s.in != nil }

// CreateInet is inet_create for what loopback can carry: TCP streams
// and UDP datagrams. A protocol past IPPROTO_MAX is EINVAL; one the type
// has not is EPROTONOSUPPORT (MPTCP and SCTP are not kept); a ping socket
// is EACCES, as net.ipv4.ping_group_range's default makes it; SOCK_RAW
// needs a protocol, then CAP_NET_RAW (EPERM), and is then refused
// (EPROTONOSUPPORT): there is no IP layer to read raw packets from.
func CreateInet(ns *Namespace, family, typ, protocol int, owner Owner, privileged bool) (*Socket, error) {
	if protocol < 0 || protocol >= ipprotoMax {
		return nil, abi.EINVAL
	}
	var proto int
	switch typ {
	case abi.SOCK_STREAM:
		if protocol != 0 && protocol != abi.IPPROTO_TCP {
			return nil, abi.EPROTONOSUPPORT
		}
		proto = abi.IPPROTO_TCP
	case abi.SOCK_DGRAM:
		switch protocol {
		case 0, abi.IPPROTO_UDP:
		case abi.IPPROTO_ICMP:
			return nil, abi.EACCES
		default:
			return nil, abi.EPROTONOSUPPORT
		}
		proto = abi.IPPROTO_UDP
	case abi.SOCK_RAW:
		if protocol != 0 && !privileged {
			return nil, abi.EPERM
		}
		return nil, abi.EPROTONOSUPPORT
	default:
		return nil, abi.ESOCKTNOSUPPORT
	}
	s := newSocket(ns, typ, owner)
	s.in = newInet(family, proto)
	if proto == abi.IPPROTO_TCP {
		s.opts.sndbuf, s.opts.rcvbuf = tcpDefSndbuf, tcpDefRcvbuf
	}
	return s, nil
}

func newInet(family, proto int) *inetState {
	return &inetState{family: family, proto: proto, tcpOpts: map[int]int32{}, ipOpts: map[int]int32{}, ip6Opts: map[int]int32{}}
}

// wlimit is how much a socket may have in flight: SO_SNDBUF, or for TCP
// what Linux's send buffer autotuning lets it grow to.
func (s *Socket) wlimit() int64 {
	if s.in != nil && s.typ == abi.SOCK_STREAM {
		return max(int64(s.opts.sndbuf), tcpInflight)
	}
	return int64(s.opts.sndbuf)
}

// conflicts is inet_csk_bind_conflict (and UDP's): two sockets on one
// port clash when their addresses overlap, unless both set SO_REUSEADDR
// and the holder is not listening (for UDP: both set it), or both set
// SO_REUSEPORT. The namespace is locked.
func (in *inetState) conflicts(e *inetState, typ int, addr IP) bool {
	if !in.covers(addr).overlaps(e.covers(e.addr)) {
		return false
	}
	if in.reuseport.Load() && e.reuseport.Load() {
		return false
	}
	if in.reuse.Load() && e.reuse.Load() && (typ == abi.SOCK_DGRAM || !e.listening.Load()) {
		return false
	}
	return true
}

// registerLocked puts s in the port table; both locks are held.
func (ns *Namespace) registerLocked(s *Socket) {
	if s.in.registered {
		return
	}
	k := portKey{s.typ, s.in.port}
	ns.ports[k] = append(ns.ports[k], s)
	s.in.registered = true
}

func (ns *Namespace) unregisterInet(s *Socket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ns.mu.Lock()
	defer ns.mu.Unlock()
	ns.dropLocked(s)
}

func (ns *Namespace) dropLocked(s *Socket) {
	if !s.in.registered {
		return
	}
	k := portKey{s.typ, s.in.port}
	l := ns.ports[k]
	for i, e := range l {
		if e == s {
			l = append(l[:i:i], l[i+1:]...)
			break
		}
	}
	if len(l) == 0 {
		delete(ns.ports, k)
	} else {
		ns.ports[k] = l
	}
	s.in.registered = false
}

// bindLocked takes port (0: a free ephemeral one) at addr; s is locked.
func (s *Socket) bindLocked(addr IP, port uint16) error {
	ns := s.ns
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if port == 0 {
		start := rand.IntN(ephemeralHigh - ephemeralLow + 1)
		for i := 0; i <= ephemeralHigh-ephemeralLow; i++ {
			p := uint16(ephemeralLow + (start+i)%(ephemeralHigh-ephemeralLow+1))
			if len(ns.ports[portKey{s.typ, p}]) == 0 {
				port = p
				break
			}
		}
		if port == 0 {
			return abi.EADDRINUSE
		}
	} else {
		for _, e := range ns.ports[portKey{s.typ, port}] {
			if e != s && s.in.conflicts(e.in, s.typ, addr) {
				return abi.EADDRINUSE
			}
		}
	}
	ns.dropLocked(s)
	s.in.addr, s.in.port = addr, port
	s.name = s.in.nameOf(addr, port)
	ns.registerLocked(s)
	return nil
}

// setAddrLocked changes the local address of a bound socket (to the
// source connect chose); s is locked.
func (s *Socket) setAddrLocked(addr IP) {
	s.ns.mu.Lock()
	s.in.addr = addr
	s.name = s.in.nameOf(addr, s.in.port)
	s.ns.mu.Unlock()
}

// BindInet is inet_bind after the address was parsed: an address not on
// this machine is EADDRNOTAVAIL, a port below 1024 needs
// CAP_NET_BIND_SERVICE (EACCES), a bound socket is EINVAL, a port taken
// EADDRINUSE; port 0 picks an ephemeral one.
func (s *Socket) BindInet(addr IP, port uint16, privileged bool) error {
	if addr != (IP{}) && !s.in.local(addr) {
		return abi.EADDRNOTAVAIL
	}
	if port != 0 && port < 1024 && !privileged {
		return abi.EACCES
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.in.port != 0 || s.state != unconnected {
		return abi.EINVAL
	}
	if err := s.bindLocked(addr, port); err != nil {
		return err
	}
	s.in.bindAddr = addr != IP{}
	if _, ok := unmap(addr); s.in.family == abi.AF_INET6 && s.in.bindAddr && !ok {
		s.in.v6only.Store(true) // __inet6_bind: an IPv6 address takes no IPv4
		s.in.ip6Opts[abi.IPV6_V6ONLY] = 1
	}
	s.in.bindPort = port != 0
	return nil
}

// autobindLocked gives an unbound socket an ephemeral port (inet_autobind).
func (s *Socket) autobindLocked() error {
	if s.in.port != 0 {
		return nil
	}
	return s.bindLocked(s.in.addr, 0)
}

// findListener is __inet_lookup_listener: a listening TCP socket on
// port bound to addr, else one bound to INADDR_ANY; ECONNREFUSED (the
// RST a SYN to a closed port draws) when there is none.
func (ns *Namespace) findListener(t target, port uint16) (*Socket, error) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	var wild *Socket
	for _, e := range ns.ports[portKey{abi.SOCK_STREAM, port}] {
		if !e.in.listening.Load() {
			continue
		}
		ok, exact := e.in.covers(e.in.addr).match(t)
		switch {
		case ok && exact:
			return e, nil
		case ok && wild == nil:
			wild = e
		}
	}
	if wild == nil {
		return nil, abi.ECONNREFUSED
	}
	return wild, nil
}

// findUDP is __udp4_lib_lookup: the socket on port bound to addr (or to
// INADDR_ANY) that is not connected to someone other than from.
func (ns *Namespace) findUDP(t target, port uint16, from string) *Socket {
	ns.mu.Lock()
	l := append([]*Socket(nil), ns.ports[portKey{abi.SOCK_DGRAM, port}]...)
	ns.mu.Unlock()
	var best *Socket
	bestScore := -1
	from = canon(from)
	for _, e := range l {
		e.mu.Lock()
		ns.mu.Lock()
		c := e.in.covers(e.in.addr)
		ns.mu.Unlock()
		dest, dead := e.in.dest, e.dead
		e.mu.Unlock()
		ok, exact := c.match(t)
		score := 0
		switch {
		case dead || !ok:
			continue
		case exact:
			score = 2
		}
		if dest != "" {
			if canon(dest) != from {
				continue
			}
			score++
		}
		if score > bestScore {
			best, bestScore = e, score
		}
	}
	return best
}

// ConnectInet is inet_stream_connect (tcp_v4_connect) or
// inet_dgram_connect (ip4_datagram_connect) to addr:port. Only loopback
// addresses are reached (ENETUNREACH otherwise); INADDR_ANY means this
// machine. cred is the caller's, for the accepted socket's SO_PEERCRED.
func (s *Socket) ConnectInet(c fd.Ctx, addr IP, port uint16, cred Ucred) error {
	if addr == (IP{}) {
		addr = s.in.loopback()
	}
	if s.typ == abi.SOCK_DGRAM {
		return s.connectUDP(addr, port)
	}
	return s.connectTCP(c, addr, port, cred)
}

// source is the local address connect gives an unbound one.
func (s *Socket) sourceLocked() error {
	if s.in.addr == (IP{}) {
		if s.in.port == 0 {
			s.in.addr = s.in.loopback()
		} else {
			s.setAddrLocked(s.in.loopback())
		}
	}
	return s.autobindLocked()
}

func (s *Socket) connectUDP(addr IP, port uint16) error {
	if !s.in.local(addr) {
		return abi.ENETUNREACH
	}
	s.mu.Lock()
	if err := s.sourceLocked(); err != nil {
		s.mu.Unlock()
		return err
	}
	s.in.dest = s.in.nameOf(addr, port)
	s.state = connected
	s.mu.Unlock()
	s.q.Notify()
	return nil
}

// disconnectInet is connect with AF_UNSPEC (udp_disconnect,
// tcp_disconnect): no peer, and the address and port go back unless
// bind chose them. A TCP connection is reset.
func (s *Socket) disconnectInet() {
	s.mu.Lock()
	peer := s.peer
	s.peer, s.in.dest, s.in.inprogress = nil, "", false
	if s.state != listening {
		s.state = unconnected
	}
	if !s.in.bindAddr && s.in.port != 0 {
		s.setAddrLocked(IP{})
	}
	if !s.in.bindPort && s.in.port != 0 {
		s.ns.mu.Lock()
		s.ns.dropLocked(s)
		s.in.port = 0
		s.name = ""
		if s.in.addr != (IP{}) {
			s.name = s.in.nameOf(s.in.addr, 0) // a bound address stays
		}
		s.ns.mu.Unlock()
	}
	s.mu.Unlock()
	s.q.Notify()
	if peer != nil && s.typ == abi.SOCK_STREAM {
		peer.reset(abi.ECONNRESET)
	}
}

// reset is a TCP reset arriving: the error, and both directions shut.
func (s *Socket) reset(e abi.Errno) {
	s.mu.Lock()
	s.err = e
	s.shut = shutdownMask
	w := s.takeWaitersLocked()
	s.mu.Unlock()
	wake(w)
	s.q.Notify()
}

func (s *Socket) connectTCP(c fd.Ctx, addr IP, port uint16, cred Ucred) error {
	s.mu.Lock()
	switch {
	case s.in.inprogress: // SS_CONNECTING, and loopback connected it at once
		s.in.inprogress = false
		s.mu.Unlock()
		return nil
	case s.state != unconnected:
		s.mu.Unlock()
		return abi.EISCONN
	case s.err != 0: // a non-blocking connect that was refused
		e := s.takeErrLocked()
		s.mu.Unlock()
		return e
	case !s.in.local(addr):
		s.mu.Unlock()
		return abi.ENETUNREACH
	}
	if err := s.sourceLocked(); err != nil {
		s.mu.Unlock()
		return err
	}
	timeo := s.opts.sndtimeo
	s.mu.Unlock()
	o := newWait(c, false, timeo)
	n := newSocket(s.ns, s.typ, s.owner)
	n.peercred = cred
	for {
		other, err := s.ns.findListener(s.in.targetOf(addr), port)
		if err != nil {
			if o.nonblock {
				s.mu.Lock()
				s.err = abi.ECONNREFUSED
				s.mu.Unlock()
				s.q.Notify()
				return abi.EINPROGRESS
			}
			return err
		}
		ch := s.q.Wait()
		unlock := lock2(s, other)
		switch {
		case other.dead || !other.in.listening.Load():
			unlock()
			continue
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
		case s.state != unconnected:
			unlock()
			return abi.EISCONN
		}
		n.in = newInet(other.in.family, abi.IPPROTO_TCP)
		n.peer, n.state, n.embryo = s, connected, true
		n.opts = other.opts // sk_clone_lock: the listener's settings
		n.in.reuse.Store(other.in.reuse.Load())
		n.in.addr, n.in.port, n.in.everConn = addr, port, true
		if t := s.in.targetOf(addr); !t.v6 && n.in.family == abi.AF_INET6 {
			n.in.addr = mapped(t.v4) // an IPv4 connection to an IPv6 listener
		} else if !t.v6 {
			n.in.addr = V4(t.v4)
		}
		n.name = n.in.nameOf(n.in.addr, port)
		n.in.dest, s.in.dest = s.name, n.name // what getpeername shows, each as written
		s.ns.mu.Lock()
		s.ns.registerLocked(n) // the accepted socket holds the port too
		s.ns.mu.Unlock()
		s.peer, s.state, s.peercred = n, connected, other.peercred
		s.in.everConn = true
		s.in.inprogress = o.nonblock
		other.recvq = append(other.recvq, &message{conn: n})
		unlock()
		other.q.Notify()
		s.q.Notify()
		if o.nonblock {
			return abi.EINPROGRESS
		}
		return nil
	}
}

// listenInet is inet_listen's start: a connected socket is EINVAL, an
// unbound one gets an ephemeral port.
func (s *Socket) listenInet() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == connected {
		return abi.EINVAL
	}
	return s.autobindLocked()
}

// shutdownInet is inet_shutdown: an unconnected socket is marked shut
// but ENOTCONN; a listener shut for reading stops listening; a TCP
// connection shut for writing sends a FIN, the peer reading end of file.
func (s *Socket) shutdownInet(mode int) error {
	s.mu.Lock()
	switch s.state {
	case listening:
		var q []*message
		if mode&rcvShutdown != 0 {
			s.state = unconnected
			s.in.listening.Store(false)
			q, s.recvq = s.recvq, nil
		}
		s.mu.Unlock()
		s.q.Notify()
		for _, m := range q {
			if m.conn != nil {
				m.conn.release(true)
			}
		}
		return nil
	case unconnected:
		s.shut |= mode
		s.mu.Unlock()
		s.q.Notify()
		return abi.ENOTCONN
	}
	s.shut |= mode
	peer := s.peer
	w := s.takeWaitersLocked()
	s.mu.Unlock()
	wake(w)
	s.q.Notify()
	if peer != nil && mode&sendShutdown != 0 {
		s.flushCork()
		peer.mu.Lock()
		peer.shut |= rcvShutdown
		peer.mu.Unlock()
		peer.q.Notify()
	}
	return nil
}

// sendUDP is udp_sendmsg over loopback: to sendto's address or the
// connected one (EDESTADDRREQ with neither). The datagram is queued on
// the socket bound there, or dropped if its receive buffer is full;
// with no socket there a connected sender hears ECONNREFUSED (the ICMP
// port unreachable) at its next call.
func (s *Socket) sendUDP(m *SendMsg) (int, error) {
	if m.Flags&abi.MSG_OOB != 0 {
		return 0, abi.EOPNOTSUPP
	}
	if len(m.Data) > s.in.maxDgram() {
		return 0, abi.EMSGSIZE
	}
	s.mu.Lock()
	dest := m.Dest
	if dest == "" {
		dest = s.in.dest
	}
	if dest == "" {
		s.mu.Unlock()
		return 0, abi.EDESTADDRREQ
	}
	if err := s.autobindLocked(); err != nil {
		s.mu.Unlock()
		return 0, err
	}
	if e := s.takeErrLocked(); e != 0 {
		s.mu.Unlock()
		return 0, e
	}
	if s.shut&sendShutdown != 0 {
		s.mu.Unlock()
		return 0, errPipe
	}
	src := s.in.addr
	if src == (IP{}) {
		src = s.in.loopback()
	}
	from := s.in.nameOf(src, s.in.port)
	conn := s.state == connected
	s.mu.Unlock()
	n := len(m.Data)
	data, dest, held, err := s.corkUDP(m, dest)
	if err != nil || held {
		return n, err
	}
	daddr, dport := ParseInetName(dest)
	other := s.ns.findUDP(s.in.targetOf(daddr), dport, from)
	if other == nil {
		if conn {
			s.mu.Lock()
			s.err = abi.ECONNREFUSED
			s.mu.Unlock()
			s.q.Notify()
		}
		return n, nil
	}
	msg := &message{data: append([]byte(nil), data...), fromName: from}
	other.mu.Lock()
	var queued int64
	for _, q := range other.recvq {
		queued += truesize(len(q.data), dgramHead)
	}
	if other.dead || queued+truesize(len(msg.data), dgramHead) > int64(other.opts.rcvbuf) {
		other.mu.Unlock()
		return n, nil // dropped, as a full socket drops it
	}
	other.recvq = append(other.recvq, msg)
	other.mu.Unlock()
	other.q.Notify()
	return n, nil
}

// maxDgram is the largest UDP payload: 65535 less the headers (IPv6's
// is not counted in its payload length).
func (in *inetState) maxDgram() int {
	if in.family == abi.AF_INET6 {
		return udp6MaxPayload
	}
	return udpMaxPayload
}

// Dest is udp_sendmsg's (udpv6_sendmsg's) reading of sendto's address,
// parsed by the caller: port 0 is EINVAL, the unspecified address is
// this machine, anything off it ENETUNREACH. It gives SendMsg.Dest.
func (s *Socket) Dest(addr IP, port uint16) (string, error) {
	if s.in == nil {
		return "", abi.EINVAL
	}
	if port == 0 {
		return "", abi.EINVAL
	}
	if addr == (IP{}) {
		addr = s.in.loopback()
	}
	if !s.in.local(addr) {
		return "", abi.ENETUNREACH
	}
	return s.in.nameOf(addr, port), nil
}

// corkTCP is tcp_sendmsg's MSG_MORE: bytes that do not fill a segment
// wait for the next send without it (or shutdown, or close), which
// flushCork pushes first. It says whether m was held.
func (s *Socket) corkTCP(m *SendMsg) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.Flags&abi.MSG_MORE == 0 || len(s.in.cork)+len(m.Data) >= loopbackMSS || s.peer == nil {
		return false
	}
	s.in.cork = append(s.in.cork, m.Data...)
	return true
}

// flushCork sends what MSG_MORE held back, as one chunk past flow
// control (it is less than a segment).
func (s *Socket) flushCork() {
	if s.in == nil || s.typ != abi.SOCK_STREAM {
		return
	}
	s.mu.Lock()
	data, peer, name := s.in.cork, s.peer, s.name
	s.in.cork = nil
	s.mu.Unlock()
	if len(data) == 0 || peer == nil {
		return
	}
	peer.mu.Lock()
	if !peer.dead {
		peer.recvq = append(peer.recvq, &message{data: data, from: s, fromName: name})
	}
	peer.mu.Unlock()
	peer.q.Notify()
}

// corkUDP is udp_sendmsg's MSG_MORE: the datagram grows until a send
// without it, and goes where its first part was sent. It gives the
// whole datagram and its address when it is to go now.
func (s *Socket) corkUDP(m *SendMsg, dest string) (data []byte, to string, held bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.in.cork) == 0 && m.Flags&abi.MSG_MORE == 0 {
		return m.Data, dest, false, nil
	}
	if len(s.in.cork)+len(m.Data) > s.in.maxDgram() {
		s.in.cork, s.in.corkDest = nil, ""
		return nil, "", false, abi.EMSGSIZE
	}
	if len(s.in.cork) == 0 {
		s.in.corkDest = dest
	}
	s.in.cork = append(s.in.cork, m.Data...)
	if m.Flags&abi.MSG_MORE != 0 {
		return nil, "", true, nil
	}
	data, to = s.in.cork, s.in.corkDest
	s.in.cork, s.in.corkDest = nil, ""
	return data, to, false, nil
}

// tcpSendCheck is tcp_sendmsg's checks before it copies: a pending error
// first, then a socket not connected or shut for writing is EPIPE (with
// SIGPIPE unless MSG_NOSIGNAL).
func (s *Socket) tcpSendCheck(flags int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.peer != nil && s.err == 0 && s.shut&sendShutdown == 0 {
		return nil
	}
	if e := s.takeErrLocked(); e != 0 && e != abi.EPIPE {
		return e
	}
	return pipeErr(flags)
}

// inetOption is SO_DOMAIN and SO_PROTOCOL of an AF_INET socket.
func (s *Socket) inetOption(name int) (int, bool) {
	switch name {
	case abi.SO_DOMAIN:
		return s.in.family, true
	case abi.SO_PROTOCOL:
		return s.in.proto, true
	case abi.SO_REUSEPORT:
		return b2i(s.in.reuseport.Load()), true
	}
	return 0, false
}

// TCP and IP options: their defaults, and the range a set must be in.
var tcpDefaults = map[int]int32{
	abi.TCP_NODELAY: 0, abi.TCP_CORK: 0, abi.TCP_KEEPIDLE: 7200, abi.TCP_KEEPINTVL: 75,
	abi.TCP_KEEPCNT: 9, abi.TCP_SYNCNT: 6, abi.TCP_LINGER2: 60, abi.TCP_DEFER_ACCEPT: 0,
	abi.TCP_QUICKACK: 1, abi.TCP_USER_TIMEOUT: 0, abi.TCP_WINDOW_CLAMP: 0, abi.TCP_NOTSENT_LOWAT: 0,
}

var ipv6Defaults = map[int]int32{
	abi.IPV6_V6ONLY: 0, abi.IPV6_UNICAST_HOPS: 64, abi.IPV6_MULTICAST_HOPS: 1, abi.IPV6_MULTICAST_LOOP: 1,
	abi.IPV6_RECVERR: 0, abi.IPV6_RECVPKTINFO: 0, abi.IPV6_TCLASS: 0, abi.IPV6_ADDRFORM: abi.AF_INET6,
}

var ipDefaults = map[int]int32{
	abi.IP_TOS: 0, abi.IP_TTL: 64, abi.IP_RECVERR: 0, abi.IP_PKTINFO: 0, abi.IP_RECVTTL: 0,
	abi.IP_RECVTOS: 0, abi.IP_FREEBIND: 0, abi.IP_MULTICAST_TTL: 1, abi.IP_MULTICAST_LOOP: 1,
	abi.IP_MTU_DISCOVER: 1,
}

// HasProtoLevel says whether setsockopt at level reaches an option
// table: IPPROTO_IP, and the socket's own protocol.
func (s *Socket) HasProtoLevel(level int) bool {
	return s.in != nil && (level == abi.IPPROTO_IP || level == s.in.proto ||
		level == abi.IPPROTO_IPV6 && s.in.family == abi.AF_INET6)
}

// SetProtoOption is setsockopt at IPPROTO_TCP, IPPROTO_UDP or IPPROTO_IP
// (tcp_setsockopt, udp_setsockopt, ip_setsockopt): an int option kept as
// set, within Linux's ranges; a level the socket has not is ENOPROTOOPT,
// as ip_setsockopt says of it, and so is an option it does not know.
func (s *Socket) SetProtoOption(level, name int, val []byte) error {
	if s.in == nil {
		return abi.EOPNOTSUPP
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if level == abi.IPPROTO_IP {
		switch name {
		case abi.MCAST_JOIN_GROUP, abi.MCAST_LEAVE_GROUP, abi.IP_ADD_MEMBERSHIP, abi.IP_DROP_MEMBERSHIP:
			return s.in.membership(name, val)
		}
	}
	if len(val) < 4 {
		return abi.EINVAL
	}
	v := int32(le.Uint32(val))
	switch {
	case level == abi.IPPROTO_TCP && s.in.proto == abi.IPPROTO_TCP:
		if _, ok := tcpDefaults[name]; !ok && name != abi.TCP_MAXSEG {
			return abi.ENOPROTOOPT
		}
		switch name {
		case abi.TCP_MAXSEG:
			if v != 0 && (v < 88 || v > 65535) {
				return abi.EINVAL
			}
		case abi.TCP_KEEPIDLE, abi.TCP_KEEPINTVL:
			if v < 1 || v > 32767 {
				return abi.EINVAL
			}
		case abi.TCP_KEEPCNT:
			if v < 1 || v > 127 {
				return abi.EINVAL
			}
		case abi.TCP_SYNCNT:
			if v < 1 || v > 127 {
				return abi.EINVAL
			}
		case abi.TCP_USER_TIMEOUT:
			if v < 0 {
				return abi.EINVAL
			}
		case abi.TCP_NODELAY, abi.TCP_CORK, abi.TCP_QUICKACK:
			v = int32(b2i(v != 0))
		}
		s.in.tcpOpts[name] = v
		return nil
	case level == abi.IPPROTO_UDP && s.in.proto == abi.IPPROTO_UDP:
		if name != abi.UDP_CORK {
			return abi.ENOPROTOOPT
		}
		return nil
	case level == abi.IPPROTO_IPV6 && s.in.family == abi.AF_INET6:
		if _, ok := ipv6Defaults[name]; !ok {
			return abi.ENOPROTOOPT
		}
		switch name {
		case abi.IPV6_UNICAST_HOPS, abi.IPV6_MULTICAST_HOPS:
			if v < -1 || v > 255 {
				return abi.EINVAL
			}
			if v == -1 {
				v = ipv6Defaults[name]
			}
		case abi.IPV6_TCLASS:
			if v < -1 || v > 255 {
				return abi.EINVAL
			}
			v = max(v, 0)
		case abi.IPV6_V6ONLY:
			if s.in.port != 0 {
				return abi.EINVAL // fixed once bound
			}
			v = int32(b2i(v != 0))
			s.in.v6only.Store(v != 0)
		case abi.IPV6_ADDRFORM:
			return s.addrform(v)
		default:
			v = int32(b2i(v != 0))
		}
		s.in.ip6Opts[name] = v
		return nil
	case level == abi.IPPROTO_IP:
		if _, ok := ipDefaults[name]; !ok {
			return abi.ENOPROTOOPT
		}
		switch name {
		case abi.IP_TTL:
			if v == -1 {
				v = 64
			}
			if v < 1 || v > 255 {
				return abi.EINVAL
			}
		case abi.IP_MULTICAST_TTL:
			if v == -1 {
				v = 1
			}
			if v < 0 || v > 255 {
				return abi.EINVAL
			}
		case abi.IP_TOS:
			v &= 0xff
		case abi.IP_MTU_DISCOVER:
			if v < 0 || v > 5 {
				return abi.EINVAL
			}
		default:
			v = int32(b2i(v != 0))
		}
		s.in.ipOpts[name] = v
		return nil
	}
	return abi.ENOPROTOOPT
}

// addrform is IPV6_ADDRFORM: an IPv6 socket talking IPv4 (its peer
// IPv4-mapped) becomes an AF_INET one. Only AF_INET is asked for
// (EINVAL); a TCP socket must be connected (ENOTCONN), the peer mapped
// (EADDRNOTAVAIL). s is locked.
func (s *Socket) addrform(v int32) error {
	if v != abi.AF_INET {
		return abi.EINVAL
	}
	if s.typ == abi.SOCK_STREAM && (s.state != connected || s.peer == nil) {
		return abi.ENOTCONN
	}
	peer := NameAs(abi.AF_INET6, s.in.dest)
	if a, _ := ParseInetName(peer); len(peer) != 26 || func() bool { _, ok := unmap(a); return !ok }() {
		return abi.EADDRNOTAVAIL
	}
	s.ns.mu.Lock()
	defer s.ns.mu.Unlock()
	v4, _ := unmap(s.in.addr)
	s.in.family = abi.AF_INET
	s.in.addr = V4(v4)
	s.name = s.in.nameOf(s.in.addr, s.in.port)
	s.in.dest = canon(s.in.dest)
	return nil
}

// Sizes of the membership requests.
const (
	groupReqSize = 136 // struct group_req: the interface, padding, a sockaddr_storage
	ipMreqSize   = 8   // struct ip_mreq; ip_mreqn adds an ifindex
	ipMreqnSize  = 12
	loIfindex    = 1
)

// membership is ip_mc_join_group and ip_mc_leave_group as
// MCAST_JOIN_GROUP, MCAST_LEAVE_GROUP, IP_ADD_MEMBERSHIP and
// IP_DROP_MEMBERSHIP reach them: the group must be IPv4 multicast
// (EINVAL), the interface lo or any (ENODEV); joining twice is
// EADDRINUSE, leaving a group not joined EADDRNOTAVAIL. Only lo exists
// and no multicast is routed: membership is kept and nothing more.
func (in *inetState) membership(name int, val []byte) error {
	var group [4]byte
	var ifindex uint32
	switch name {
	case abi.MCAST_JOIN_GROUP, abi.MCAST_LEAVE_GROUP:
		if len(val) < groupReqSize {
			return abi.EINVAL
		}
		ifindex = le.Uint32(val)
		if le.Uint16(val[8:]) != abi.AF_INET {
			return abi.EINVAL
		}
		copy(group[:], val[12:16])
	default:
		if len(val) < ipMreqSize {
			return abi.EINVAL
		}
		copy(group[:], val[:4])
		if len(val) >= ipMreqnSize {
			ifindex = le.Uint32(val[8:])
		} else if a := [4]byte(val[4:8]); a != [4]byte{} && !IsLoopback(a) {
			return abi.ENODEV
		}
	}
	join := name == abi.MCAST_JOIN_GROUP || name == abi.IP_ADD_MEMBERSHIP
	switch {
	case group[0]&0xf0 != 0xe0:
		return abi.EINVAL
	case ifindex != 0 && ifindex != loIfindex:
		return abi.ENODEV
	case join && in.groups[group]:
		return abi.EADDRINUSE
	case !join && !in.groups[group]:
		return abi.EADDRNOTAVAIL
	}
	if in.groups == nil {
		in.groups = map[[4]byte]bool{}
	}
	if join {
		in.groups[group] = true
	} else {
		delete(in.groups, group)
	}
	return nil
}

// ProtoOption is getsockopt at those levels: as set, else the default
// (TCP_MAXSEG: 536 unconnected, loopback's MSS connected). A level the
// socket has not is EOPNOTSUPP, as ip_getsockopt says.
func (s *Socket) ProtoOption(level, name int) ([]byte, error) {
	if s.in == nil {
		return nil, abi.EOPNOTSUPP
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var v int32
	switch {
	case level == abi.IPPROTO_TCP && s.in.proto == abi.IPPROTO_TCP:
		d, ok := tcpDefaults[name]
		switch {
		case name == abi.TCP_MAXSEG:
			d = tcpMinMSS
			if s.state == connected {
				d = loopbackMSS
			}
			if set := s.in.tcpOpts[name]; set != 0 && set < d {
				d = set
			}
			v = d
		case !ok:
			return nil, abi.ENOPROTOOPT
		default:
			v = d
			if set, ok := s.in.tcpOpts[name]; ok {
				v = set
			}
		}
	case level == abi.IPPROTO_UDP && s.in.proto == abi.IPPROTO_UDP:
		if name != abi.UDP_CORK {
			return nil, abi.ENOPROTOOPT
		}
	case level == abi.IPPROTO_IPV6 && s.in.family == abi.AF_INET6:
		d, ok := ipv6Defaults[name]
		if !ok {
			return nil, abi.ENOPROTOOPT
		}
		v = d
		if set, ok := s.in.ip6Opts[name]; ok {
			v = set
		}
	case level == abi.IPPROTO_IP:
		d, ok := ipDefaults[name]
		if !ok {
			return nil, abi.ENOPROTOOPT
		}
		v = d
		if set, ok := s.in.ipOpts[name]; ok {
			v = set
		}
	default:
		return nil, abi.EOPNOTSUPP
	}
	b := make([]byte, 4)
	le.PutUint32(b, uint32(v))
	return b, nil
}
