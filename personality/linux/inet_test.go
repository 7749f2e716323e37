package linux

import (
	"encoding/binary"
	"testing"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestInetSockets drives AF_INET over loopback as a program does: a TCP
// listener on an ephemeral port, a non-blocking connect, accept4, the
// reset a write to a closed peer draws, UDP to itself, and the errors
// of what loopback cannot do.
func TestInetSockets(t *testing.T) {
	le := binary.LittleEndian
	const (
		addr  = scratch
		alen  = scratch + 0x20
		peer  = scratch + 0x40
		plen  = scratch + 0x60
		uaddr = scratch + 0x80
		ulen  = scratch + 0xa0
		from  = scratch + 0xc0
		flen  = scratch + 0xe0
		buf   = scratch + 0x100
		opt   = scratch + 0x200
		olen  = scratch + 0x210
	)
	sin := func(a [4]byte, port uint16) []byte {
		b := make([]byte, 16)
		le.PutUint16(b, abi.AF_INET)
		binary.BigEndian.PutUint16(b[2:], port)
		copy(b[4:], a[:])
		return b
	}
	lo := [4]byte{127, 0, 0, 1}
	u32 := func(v uint32) []byte { return le.AppendUint32(nil, v) }
	var port uint16
	_, status := run(t, script(
		sys(abi.SYS_SOCKET, abi.AF_INET, abi.SOCK_STREAM, 0),
		expect(t, "socket(AF_INET, SOCK_STREAM)", 3),
		poke(addr, sin(lo, 0)),
		sys(abi.SYS_BIND, 3, addr, 15),
		expect(t, "bind with a short address", errno(abi.EINVAL)),
		sys(abi.SYS_BIND, 3, addr, 16),
		expect(t, "bind 127.0.0.1:0", 0),
		sys(abi.SYS_BIND, 3, addr, 16),
		expect(t, "bind again", errno(abi.EINVAL)),
		poke(alen, u32(16)),
		sys(abi.SYS_GETSOCKNAME, 3, addr, alen),
		check(addr, 16, func(b []byte, rax uint64) {
			port = binary.BigEndian.Uint16(b[2:])
			if rax != 0 || le.Uint16(b) != abi.AF_INET || port < 32768 || port > 60999 || [4]byte(b[4:8]) != lo {
				t.Errorf("getsockname = %d, % x", rax, b)
			}
		}),
		sys(abi.SYS_LISTEN, 3, 5),
		expect(t, "listen", 0),
		sys(abi.SYS_SOCKET, abi.AF_INET, abi.SOCK_STREAM|abi.SOCK_NONBLOCK, abi.IPPROTO_TCP),
		expect(t, "a non-blocking client", 4),
		sys(abi.SYS_CONNECT, 4, addr, 16),
		expect(t, "non-blocking connect", errno(abi.EINPROGRESS)),
		sys(abi.SYS_CONNECT, 4, addr, 16),
		expect(t, "connect again: loopback connected it at once", 0),
		sys(abi.SYS_CONNECT, 4, addr, 16),
		expect(t, "connect a third time", errno(abi.EISCONN)),
		poke(plen, u32(16)),
		sys(abi.SYS_ACCEPT4, 3, peer, plen, abi.SOCK_CLOEXEC),
		expect(t, "accept4", 5),
		check(peer, 16, func(b []byte, rax uint64) {
			if le.Uint16(b) != abi.AF_INET || [4]byte(b[4:8]) != lo || binary.BigEndian.Uint16(b[2:]) < 32768 {
				t.Errorf("accepted peer % x", b)
			}
		}),
		cstr(buf, "hi"),
		sys(abi.SYS_WRITE, 4, buf, 2),
		expect(t, "write", 2),
		poke(flen, u32(16)),
		sys(abi.SYS_RECVFROM, 5, buf+8, 8, 0, from, flen),
		expect(t, "recvfrom", 2),
		check(flen, 4, func(b []byte, rax uint64) {
			if le.Uint32(b) != 0 {
				t.Errorf("TCP recvfrom's address length %d, want 0", le.Uint32(b))
			}
		}),
		poke(olen, u32(4)),
		sys(abi.SYS_GETSOCKOPT, 4, abi.SOL_SOCKET, abi.SO_DOMAIN, opt, olen),
		check(opt, 4, func(b []byte, rax uint64) {
			if rax != 0 || le.Uint32(b) != abi.AF_INET {
				t.Errorf("SO_DOMAIN = %d %d", rax, le.Uint32(b))
			}
		}),
		sys(abi.SYS_GETSOCKOPT, 4, abi.IPPROTO_TCP, abi.TCP_NODELAY, opt, olen),
		expect(t, "TCP_NODELAY", 0),
		sys(abi.SYS_GETSOCKOPT, 4, abi.IPPROTO_UDP, abi.TCP_NODELAY, opt, olen),
		expect(t, "getsockopt at IPPROTO_UDP on TCP", errno(abi.EOPNOTSUPP)),
		sys(abi.SYS_SETSOCKOPT, 4, 500, 1, opt, 4),
		expect(t, "setsockopt at a bad level", errno(abi.ENOPROTOOPT)),
		sys(abi.SYS_CLOSE, 5),
		expect(t, "close the accepted socket", 0),
		sys(abi.SYS_READ, 4, buf, 8),
		expect(t, "end of file after the peer's FIN", 0),
		sys(abi.SYS_WRITE, 4, buf, 1),
		expect(t, "the first write to a closed peer goes (and draws a reset)", 1),
		sys(abi.SYS_SENDTO, 4, buf, 1, abi.MSG_NOSIGNAL, 0, 0),
		expect(t, "then EPIPE", errno(abi.EPIPE)),
		poke(addr+2, []byte{0, 1}),
		sys(abi.SYS_SOCKET, abi.AF_INET, abi.SOCK_STREAM, 0),
		expect(t, "another socket", 5),
		sys(abi.SYS_CONNECT, 5, addr, 16),
		expect(t, "connect to a port nobody listens on", errno(abi.ECONNREFUSED)),
		sys(abi.SYS_RECVFROM, 5, buf, 8, 0, 0, 0),
		expect(t, "recv on an unconnected TCP socket", errno(abi.ENOTCONN)),
		sys(abi.SYS_SHUTDOWN, 5, abi.SHUT_RDWR),
		expect(t, "shutdown unconnected", errno(abi.ENOTCONN)),
		poke(addr, sin([4]byte{10, 1, 2, 3}, 80)),
		sys(abi.SYS_CONNECT, 5, addr, 16),
		expect(t, "connect off the machine", errno(abi.ENETUNREACH)),
		sys(abi.SYS_BIND, 5, addr, 16),
		expect(t, "bind to an address not here", errno(abi.EADDRNOTAVAIL)),
		sys(abi.SYS_SOCKET, abi.AF_INET, abi.SOCK_RAW, 0),
		expect(t, "SOCK_RAW, protocol 0", errno(abi.EPROTONOSUPPORT)),
		sys(abi.SYS_SOCKET, abi.AF_INET, abi.SOCK_STREAM, abi.IPPROTO_UDP),
		expect(t, "a UDP stream", errno(abi.EPROTONOSUPPORT)),
		sys(abi.SYS_SOCKETPAIR, abi.AF_INET, abi.SOCK_STREAM, 0, buf),
		expect(t, "socketpair(AF_INET)", errno(abi.EOPNOTSUPP)),
		// UDP to itself: the address it is sent from comes back.
		sys(abi.SYS_SOCKET, abi.AF_INET, abi.SOCK_DGRAM, 0),
		expect(t, "socket(AF_INET, SOCK_DGRAM)", 6),
		poke(uaddr, sin([4]byte{}, 0)),
		sys(abi.SYS_BIND, 6, uaddr, 16),
		expect(t, "bind INADDR_ANY:0", 0),
		poke(ulen, u32(16)),
		sys(abi.SYS_GETSOCKNAME, 6, uaddr, ulen),
		expect(t, "getsockname", 0),
		cstr(buf, "abcdef"),
		sys(abi.SYS_SENDTO, 6, buf, 0, 0, 0, 0),
		expect(t, "send with no address", errno(abi.EDESTADDRREQ)),
		sys(abi.SYS_SENDTO, 6, buf, 6, 0, uaddr, 16),
		expect(t, "sendto itself", 6),
		poke(flen, u32(16)),
		sys(abi.SYS_RECVFROM, 6, buf+16, 4, abi.MSG_TRUNC, from, flen),
		expect(t, "recvfrom with MSG_TRUNC: the whole length", 6),
		check(from, 16, func(b []byte, rax uint64) {
			if [4]byte(b[4:8]) != lo || binary.BigEndian.Uint16(b[2:]) == 0 {
				t.Errorf("sender % x", b)
			}
		}),
		sys(abi.SYS_RECVFROM, 6, buf, 8, abi.MSG_DONTWAIT, 0, 0),
		expect(t, "nothing more", errno(abi.EAGAIN)),
		// SCM_RIGHTS is AF_UNIX's alone.
		poke(opt, le.AppendUint64(le.AppendUint64(nil, buf), 1)),
		poke(buf+0x40, append(le.AppendUint32(le.AppendUint32(le.AppendUint64(nil, 20), abi.SOL_SOCKET), abi.SCM_RIGHTS), 0, 0, 0, 0, 0, 0, 0, 0)),
		poke(buf+0x80, func() []byte {
			var b []byte
			for _, v := range []uint64{uaddr, 16, opt, 1, buf + 0x40, 24, 0} {
				b = le.AppendUint64(b, v)
			}
			return b
		}()),
		sys(abi.SYS_SENDMSG, 6, buf+0x80, 0),
		expect(t, "sendmsg with SCM_RIGHTS on UDP", errno(abi.EINVAL)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if status.ShellStatus() != 0 {
		t.Errorf("status %d", status.ShellStatus())
	}
}

// TestInet6Sockets is AF_INET6 as a program sees it: sockaddr_in6 names
// over ::1, and an IPv4 client of a listener on :: seen IPv4-mapped.
func TestInet6Sockets(t *testing.T) {
	le := binary.LittleEndian
	const (
		addr = scratch
		alen = scratch + 0x40
		peer = scratch + 0x60
		plen = scratch + 0xa0
		a4   = scratch + 0xc0
		buf  = scratch + 0x100
	)
	sin6 := func(a [16]byte, port uint16) []byte {
		b := make([]byte, 28)
		le.PutUint16(b, abi.AF_INET6)
		binary.BigEndian.PutUint16(b[2:], port)
		copy(b[8:], a[:])
		return b
	}
	lo6 := [16]byte{15: 1}
	u32 := func(v uint32) []byte { return le.AppendUint32(nil, v) }
	var port uint16
	_, status := run(t, script(
		sys(abi.SYS_SOCKET, abi.AF_INET6, abi.SOCK_DGRAM|abi.SOCK_CLOEXEC, 0),
		expect(t, "socket(AF_INET6, SOCK_DGRAM)", 3),
		poke(addr, sin6(lo6, 0)),
		sys(abi.SYS_BIND, 3, addr, 23),
		expect(t, "bind shorter than SIN6_LEN_RFC2133", errno(abi.EINVAL)),
		sys(abi.SYS_BIND, 3, addr, 28),
		expect(t, "bind ::1", 0),
		poke(alen, u32(28)),
		sys(abi.SYS_GETSOCKNAME, 3, addr, alen),
		check(alen, 4, func(b []byte, rax uint64) {
			if rax != 0 || le.Uint32(b) != 28 {
				t.Errorf("getsockname = %d, length %d", rax, le.Uint32(b))
			}
		}),
		cstr(buf, "six"),
		sys(abi.SYS_SENDTO, 3, buf, 3, 0, addr, 28),
		expect(t, "sendto itself over ::1", 3),
		poke(plen, u32(28)),
		sys(abi.SYS_RECVFROM, 3, buf+8, 8, 0, peer, plen),
		expect(t, "recvfrom", 3),
		check(peer, 28, func(b []byte, rax uint64) {
			if le.Uint16(b) != abi.AF_INET6 || [16]byte(b[8:24]) != lo6 {
				t.Errorf("sender % x", b)
			}
		}),
		// A listener on :: takes an IPv4 connection.
		sys(abi.SYS_SOCKET, abi.AF_INET6, abi.SOCK_STREAM, 0),
		expect(t, "socket(AF_INET6, SOCK_STREAM)", 4),
		poke(addr, sin6([16]byte{}, 0)),
		sys(abi.SYS_BIND, 4, addr, 28),
		expect(t, "bind ::", 0),
		sys(abi.SYS_LISTEN, 4, 1),
		expect(t, "listen", 0),
		poke(alen, u32(28)),
		sys(abi.SYS_GETSOCKNAME, 4, addr, alen),
		check(addr, 28, func(b []byte, rax uint64) { port = binary.BigEndian.Uint16(b[2:]) }),
		sys(abi.SYS_SOCKET, abi.AF_INET, abi.SOCK_STREAM, 0),
		expect(t, "an IPv4 client", 5),
		do(func(u *sim.User, r *exo.Regs) *exo.Trap {
			b := make([]byte, 16)
			le.PutUint16(b, abi.AF_INET)
			binary.BigEndian.PutUint16(b[2:], port)
			copy(b[4:], []byte{127, 0, 0, 1})
			return u.Write(uintptr(a4), b)
		}),
		sys(abi.SYS_CONNECT, 5, a4, 16),
		expect(t, "connect 127.0.0.1 to the IPv6 listener", 0),
		poke(plen, u32(28)),
		sys(abi.SYS_ACCEPT, 4, peer, plen),
		expect(t, "accept", 6),
		check(peer, 28, func(b []byte, rax uint64) {
			want := [16]byte{10: 0xff, 11: 0xff, 12: 127, 15: 1}
			if le.Uint16(b) != abi.AF_INET6 || [16]byte(b[8:24]) != want {
				t.Errorf("IPv4 peer as IPv6 % x", b)
			}
		}),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if status.ShellStatus() != 0 {
		t.Errorf("status %d", status.ShellStatus())
	}
}
