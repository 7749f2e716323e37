package linux

import (
	"bytes"
	"encoding/binary"

	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/unixsock"
	"github.com/starry-go/starry/personality/linux/abi"
)

// AF_INET's side of the socket calls: sockaddr_in in and out. The
// sockets are loopback only (see libstarry/unixsock/inet.go).

const (
	sockaddrInLen     = 16    // sizeof(struct sockaddr_in)
	sockaddrIn6Len    = 28    // sizeof(struct sockaddr_in6)
	sin6LenRFC2133    = 24    // SIN6_LEN_RFC2133: without the scope
	udpMaxPayload     = 65507 // the largest UDP datagram over IPv4
	udp6MaxPayload    = 65527
	capNetBindService = 10
	capNetRaw         = 13
	capNetAdmin       = 12
	optvalMax         = 256 // more than any option below SOL_SOCKET reads
)

// createSocket is __sock_create for a checked family and type.
func createSocket(t *libstarry.Thread, domain, typ, protocol int) (*unixsock.Socket, error) {
	if domain == abi.AF_INET || domain == abi.AF_INET6 {
		return unixsock.CreateInet(t.P.UnixNamespace(), domain, typ, protocol, owner(t), t.P.Cred().Capable(capNetRaw))
	}
	return unixsock.Create(t.P.UnixNamespace(), typ, protocol, owner(t))
}

// sockaddrOf is the address a socket name stands for, as
// move_addr_to_user writes it: sockaddr_un's family and path, or a
// whole sockaddr_in or sockaddr_in6 (the unspecified address, port 0,
// for an unbound socket).
func sockaddrOf(s *unixsock.Socket, name string) []byte {
	fam := s.Family()
	if fam == abi.AF_UNIX {
		b := binary.LittleEndian.AppendUint16(nil, abi.AF_UNIX)
		return append(b, name...)
	}
	b := make([]byte, sockaddrInLen)
	if fam == abi.AF_INET6 {
		b = make([]byte, sockaddrIn6Len)
	}
	binary.LittleEndian.PutUint16(b, uint16(fam))
	copy(b[2:], unixsock.NameAs(fam, name))
	return b
}

// parseSockaddrIn reads the socket's family's address: a sockaddr_in,
// or a sockaddr_in6 of at least SIN6_LEN_RFC2133 bytes. Shorter is
// EINVAL, another family EAFNOSUPPORT (AF_UNSPEC passes when unspec
// says it may). A scope (an interface) other than lo's is ENODEV.
func parseSockaddrIn(s *unixsock.Socket, b []byte, unspec bool) (addr unixsock.IP, port uint16, err error) {
	want, fam := sockaddrInLen, s.Family()
	if fam == abi.AF_INET6 {
		want = sin6LenRFC2133
	}
	if len(b) < want {
		return addr, 0, abi.EINVAL
	}
	port = binary.BigEndian.Uint16(b[2:])
	switch f := int(binary.LittleEndian.Uint16(b)); {
	case f == fam:
	case f == abi.AF_UNSPEC && unspec:
	default:
		return addr, 0, abi.EAFNOSUPPORT
	}
	if fam == abi.AF_INET {
		copy(addr[:], b[4:8])
		return addr, port, nil
	}
	copy(addr[:], b[8:24])
	if len(b) >= sockaddrIn6Len {
		if scope := binary.LittleEndian.Uint32(b[24:]); scope != 0 && scope != 1 {
			return addr, 0, abi.ENODEV
		}
	}
	return addr, port, nil
}

// bindInet is inet_bind: a sockaddr_in (AF_UNSPEC only with
// INADDR_ANY, as Linux allows for old programs), then the socket's rules.
func bindInet(t *libstarry.Thread, s *unixsock.Socket, b []byte) error {
	addr, port, err := parseSockaddrIn(s, b, s.Family() == abi.AF_INET)
	if err != nil {
		return err
	}
	if binary.LittleEndian.Uint16(b) == abi.AF_UNSPEC && addr != (unixsock.IP{}) {
		return abi.EAFNOSUPPORT
	}
	return s.BindInet(addr, port, t.P.Cred().Capable(capNetBindService))
}

// connectInet is inet_stream_connect and inet_dgram_connect: the family
// alone is EINVAL short of itself, AF_UNSPEC disconnects, then a
// sockaddr_in.
func connectInet(t *libstarry.Thread, s *unixsock.Socket, of *fdt.OpenFile, b []byte) error {
	if len(b) < 2 {
		return abi.EINVAL
	}
	if binary.LittleEndian.Uint16(b) == abi.AF_UNSPEC {
		s.Disconnect()
		return nil
	}
	addr, port, err := parseSockaddrIn(s, b, false)
	if err != nil {
		return err
	}
	return s.ConnectInet(of.Ctx(t), addr, port, t.UnixPeerCred())
}

// inetDest is udp_sendmsg's reading of sendto's address: a sockaddr_in
// (AF_UNSPEC taken as AF_INET), port 0 is EINVAL, INADDR_ANY is this
// machine, anything off it ENETUNREACH.
func inetDest(s *unixsock.Socket, b []byte) (string, error) {
	addr, port, err := parseSockaddrIn(s, b, true)
	if err != nil {
		return "", err
	}
	return s.Dest(addr, port)
}

// setProtoOption is setsockopt below SOL_SOCKET on an AF_INET socket:
// tcp_setsockopt or udp_setsockopt, falling to ip_setsockopt, which
// refuses a level it is not (ENOPROTOOPT) before it looks at the value;
// the option says what it wants (an int: EINVAL if shorter).
func setProtoOption(t *libstarry.Thread, s *unixsock.Socket, level, name int, va uint64, n int) error {
	if !s.HasProtoLevel(level) {
		return abi.ENOPROTOOPT
	}
	val := make([]byte, min(n, optvalMax))
	if err := t.P.MM.CopyIn(uintptr(va), val); err != nil {
		return err
	}
	return s.SetProtoOption(level, name, val)
}

// recvNamed says whether a receive reports the sender's address: not
// for TCP, whose recvmsg leaves msg_namelen 0, nor when no message
// named one.
func recvNamed(s *unixsock.Socket, r unixsock.RecvMsg) bool {
	return r.From != "" && !(s.IsInet() && s.Type() == abi.SOCK_STREAM)
}

// Interface requests (include/uapi/linux/if.h): the one interface is lo.
const (
	ifreqSize  = 40 // struct ifreq: the name, a 24-byte union
	ifconfSize = 16 // struct ifconf: the length, padding, the buffer
	ifNameSize = 16 // IFNAMSIZ
	loFlags    = abi.IFF_UP | abi.IFF_LOOPBACK | abi.IFF_RUNNING
	loMTU      = 65536
)

// socketIoctl is sock_ioctl's requests for a socket: SIOCATMARK (TCP
// only: there is never urgent data, so never at the mark), SIOCOUTQ,
// and the interface requests dev_ioctl answers, about lo alone. handled
// is false for other files and requests.
func socketIoctl(t *libstarry.Thread, of *fdt.OpenFile, cmd uint32, arg uint64) (handled bool, r uint64, err error) {
	s, ok := of.File.(*unixsock.Socket)
	if !ok {
		return false, 0, nil
	}
	switch cmd {
	case abi.SIOCATMARK:
		if !s.IsInet() || s.Type() != abi.SOCK_STREAM {
			return true, 0, abi.ENOTTY
		}
		return true, 0, putU32(t, arg, 0)
	case abi.SIOCGIFCONF:
		return true, 0, ifconf(t, arg)
	case abi.SIOCGIFFLAGS, abi.SIOCSIFFLAGS, abi.SIOCGIFINDEX, abi.SIOCGIFADDR, abi.SIOCGIFMTU, abi.SIOCGIFNAME:
		return true, 0, ifreq(t, cmd, arg)
	}
	return false, 0, nil
}

// ifconf is SIOCGIFCONF: lo and its address, or with no buffer the
// length the list needs.
func ifconf(t *libstarry.Thread, arg uint64) error {
	var h [ifconfSize]byte
	if err := t.P.MM.CopyIn(uintptr(arg), h[:]); err != nil {
		return err
	}
	n, buf := int(int32(le.Uint32(h[:]))), le.Uint64(h[8:])
	used := 0
	if buf == 0 {
		used = ifreqSize
	} else if n >= ifreqSize {
		var req [ifreqSize]byte
		copy(req[:], "lo")
		binary.LittleEndian.PutUint16(req[ifNameSize:], abi.AF_INET)
		copy(req[ifNameSize+4:], unixsock.Loopback[:])
		if err := t.P.MM.CopyOut(uintptr(buf), req[:]); err != nil {
			return err
		}
		used = ifreqSize
	}
	return putU32(t, arg, uint32(used))
}

// ifreq is the requests on one named interface: ENODEV for any but lo.
// lo's flags cannot be changed (EPERM without CAP_NET_ADMIN, else
// EOPNOTSUPP unless they stay as they are).
func ifreq(t *libstarry.Thread, cmd uint32, arg uint64) error {
	var req [ifreqSize]byte
	if err := t.P.MM.CopyIn(uintptr(arg), req[:]); err != nil {
		return err
	}
	if cmd == abi.SIOCGIFNAME {
		if int32(le.Uint32(req[ifNameSize:])) != 1 {
			return abi.ENODEV
		}
		copy(req[:ifNameSize], "lo\x00")
		return t.P.MM.CopyOut(uintptr(arg), req[:])
	}
	name := req[:ifNameSize]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	if string(name) != "lo" {
		return abi.ENODEV
	}
	u := req[ifNameSize:]
	switch cmd {
	case abi.SIOCGIFFLAGS:
		le.PutUint16(u, loFlags)
	case abi.SIOCSIFFLAGS:
		switch {
		case !t.P.Cred().Capable(capNetAdmin):
			return abi.EPERM
		case le.Uint16(u) != loFlags:
			return abi.EOPNOTSUPP
		}
		return nil
	case abi.SIOCGIFINDEX:
		le.PutUint32(u, 1)
	case abi.SIOCGIFMTU:
		le.PutUint32(u, loMTU)
	case abi.SIOCGIFADDR:
		clear(u)
		le.PutUint16(u, abi.AF_INET)
		copy(u[4:], unixsock.Loopback[:])
	}
	return t.P.MM.CopyOut(uintptr(arg), req[:])
}
