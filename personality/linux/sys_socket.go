package linux

import (
	"encoding/binary"

	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/unixsock"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

var socketRows = []Syscall{
	{Nr: abi.SYS_SOCKET, Name: "socket", Fn: sysSocket, Support: Partial, Note: "AF_UNIX, and AF_INET/AF_INET6 (TCP, UDP) loopback only: 127.0.0.0/8, ::1 and INADDR_ANY bind; connect/sendto elsewhere is ENETUNREACH; IPv6 sockets are dual-stack (IPv4-mapped peers, IPV6_V6ONLY, IPV6_ADDRFORM); no TIME_WAIT; no multicast or broadcast delivery; SOCK_RAW is refused; other families are EAFNOSUPPORT"},
	{Nr: abi.SYS_SOCKETPAIR, Name: "socketpair", Fn: sysSocketpair, Support: Partial, Note: "AF_UNIX; AF_INET is EOPNOTSUPP, as on Linux"},
	{Nr: abi.SYS_BIND, Name: "bind", Fn: sysBind, Support: Partial, Note: "AF_INET, AF_INET6: loopback addresses only (EADDRNOTAVAIL)"},
	{Nr: abi.SYS_LISTEN, Name: "listen", Fn: sysListen, Support: Supported},
	{Nr: abi.SYS_ACCEPT, Name: "accept", Fn: sysAccept, Support: Supported},
	{Nr: abi.SYS_ACCEPT4, Name: "accept4", Fn: sysAccept4, Support: Supported},
	{Nr: abi.SYS_CONNECT, Name: "connect", Fn: sysConnect, Support: Supported},
	{Nr: abi.SYS_GETSOCKNAME, Name: "getsockname", Fn: sysGetsockname, Support: Supported},
	{Nr: abi.SYS_GETPEERNAME, Name: "getpeername", Fn: sysGetpeername, Support: Supported},
	{Nr: abi.SYS_SHUTDOWN, Name: "shutdown", Fn: sysShutdown, Support: Supported},
	{Nr: abi.SYS_SENDTO, Name: "sendto", Fn: sysSendto, Support: Partial, Note: "MSG_OOB is EOPNOTSUPP (TCP: sent inline, no urgent pointer); MSG_MORE holds bytes until the next send without it, shutdown or close"},
	{Nr: abi.SYS_RECVFROM, Name: "recvfrom", Fn: sysRecvfrom, Support: Partial, Note: "MSG_OOB is EOPNOTSUPP (TCP: EINVAL, never urgent data); MSG_ERRQUEUE on AF_INET is EAGAIN (no ICMP errors queued); bytes are lost if the buffer faults"},
	{Nr: abi.SYS_SENDMSG, Name: "sendmsg", Fn: sysSendmsg, Support: Partial, Note: "SCM_RIGHTS and SCM_CREDENTIALS; MSG_OOB is EOPNOTSUPP; files in flight in a cycle are not collected"},
	{Nr: abi.SYS_RECVMSG, Name: "recvmsg", Fn: sysRecvmsg, Support: Partial, Note: "as recvfrom"},
	{Nr: abi.SYS_SENDMMSG, Name: "sendmmsg", Fn: sysSendmmsg, Support: Partial, Note: "as sendmsg"},
	{Nr: abi.SYS_RECVMMSG, Name: "recvmmsg", Fn: sysRecvmmsg, Support: Partial, Note: "as recvmsg; the timeout is checked between messages, as Linux does"},
	{Nr: abi.SYS_SETSOCKOPT, Name: "setsockopt", Fn: sysSetsockopt, Support: Partial, Note: "SOL_SOCKET: SO_REUSEADDR, SO_REUSEPORT (AF_INET), SO_KEEPALIVE, SO_PASSCRED, SO_SNDBUF, SO_RCVBUF (and *FORCE), SO_RCVLOWAT, SO_RCVTIMEO, SO_SNDTIMEO, SO_LINGER, SO_OOBINLINE, SO_BROADCAST, SO_DONTROUTE, SO_PRIORITY (kept, no effect); IPPROTO_TCP/IP/IPV6: common int options kept, no effect (TCP_NODELAY, TCP_KEEP*, IP_TTL, IP_TOS, IPV6_V6ONLY...), IPV6_ADDRFORM, multicast memberships kept (nothing is delivered); others ENOPROTOOPT"},
	{Nr: abi.SYS_GETSOCKOPT, Name: "getsockopt", Fn: sysGetsockopt, Support: Partial, Note: "those, and SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR, SO_ACCEPTCONN, SO_PEERCRED, SO_SNDLOWAT, TCP_MAXSEG"},
}

// Socket ABI sizes and limits (include/linux/socket.h, net/socket.c).
const (
	sockTypeMask  = 0xf // SOCK_TYPE_MASK
	sockMax       = 11  // SOCK_MAX: SOCK_PACKET + 1
	nProto        = 46  // NPROTO (AF_MAX)
	sockaddrUnLen = 110 // sizeof(struct sockaddr_un)
	sockaddrMax   = 128 // sizeof(struct sockaddr_storage)
	sunPath       = 2   // offsetof(struct sockaddr_un, sun_path)
)

// socketOf is sockfd_lookup_light: the open file (a reference the
// caller drops) and its socket; EBADF, or ENOTSOCK for other files.
func socketOf(t *libstarry.Thread, fd uint64) (*unixsock.Socket, *fdt.OpenFile, error) {
	of, err := file(t, fd)
	if err != nil {
		return nil, nil, err
	}
	if of.Flags()&abi.O_PATH != 0 { // fdget does not see O_PATH descriptors
		of.DecRef()
		return nil, nil, abi.EBADF
	}
	s, ok := of.File.(*unixsock.Socket)
	if !ok {
		of.DecRef()
		return nil, nil, abi.ENOTSOCK
	}
	return s, of, nil
}

// socketType is __sys_socket_create's first checks: flags beyond
// SOCK_CLOEXEC and SOCK_NONBLOCK are EINVAL, then __sock_create's: a
// family past NPROTO, or one not served (all but AF_UNIX), is
// EAFNOSUPPORT, a type past SOCK_MAX EINVAL.
func socketType(domain, typ int) (int, int, error) {
	flags, err := socketFlags(typ)
	if err != nil {
		return 0, 0, err
	}
	typ &= sockTypeMask
	switch {
	case domain < 0 || domain >= nProto:
		return 0, 0, abi.EAFNOSUPPORT
	case typ >= sockMax:
		return 0, 0, abi.EINVAL
	case domain != abi.AF_UNIX && domain != abi.AF_INET && domain != abi.AF_INET6:
		return 0, 0, abi.EAFNOSUPPORT
	}
	return typ, flags, nil
}

// socketFlags is the part of a type argument above SOCK_TYPE_MASK:
// SOCK_CLOEXEC and SOCK_NONBLOCK, or EINVAL.
func socketFlags(typ int) (int, error) {
	flags := typ &^ sockTypeMask
	if flags&^(abi.SOCK_CLOEXEC|abi.SOCK_NONBLOCK) != 0 {
		return 0, abi.EINVAL
	}
	return flags, nil
}

func owner(t *libstarry.Thread) unixsock.Owner {
	c := t.P.Creds()
	return unixsock.Owner{UID: c.UID, GID: c.GID}
}

// installSocket gives a socket its open file (O_RDWR, with O_NONBLOCK
// from SOCK_NONBLOCK) and a descriptor.
func installSocket(t *libstarry.Thread, s *unixsock.Socket, flags int) (int, error) {
	of := fdt.New(s, abi.O_RDWR|flags&abi.SOCK_NONBLOCK)
	return t.P.FDs.Install(of, 0, t.P.NoFile(), flags&abi.SOCK_CLOEXEC != 0)
}

func sysSocket(t *libstarry.Thread, a Args) (uint64, error) {
	domain := int(int32(a[0]))
	typ, flags, err := socketType(domain, int(int32(a[1])))
	if err != nil {
		return 0, err
	}
	s, err := createSocket(t, domain, typ, int(int32(a[2])))
	if err != nil {
		return 0, err
	}
	fd, err := installSocket(t, s, flags)
	return uint64(fd), err
}

// sysSocketpair is __sys_socketpair: the flags, then the result array
// must be writable (Linux writes both descriptors there before it makes
// the sockets), then the family and type.
func sysSocketpair(t *libstarry.Thread, a Args) (uint64, error) {
	if _, err := socketFlags(int(int32(a[1]))); err != nil {
		return 0, err
	}
	var b [8]byte
	if err := t.P.MM.CopyOut(uintptr(a[3]), b[:]); err != nil {
		return 0, err
	}
	typ, flags, err := socketType(int(int32(a[0])), int(int32(a[1])))
	if err != nil {
		return 0, err
	}
	if d := int(int32(a[0])); d == abi.AF_INET || d == abi.AF_INET6 { // inet_create, then sock_no_socketpair
		s, err := createSocket(t, d, typ, int(int32(a[2])))
		if err != nil {
			return 0, err
		}
		s.Release()
		return 0, abi.EOPNOTSUPP
	}
	if p := int(int32(a[2])); p != 0 && p != abi.AF_UNIX {
		return 0, abi.EPROTONOSUPPORT
	}
	s1, s2, err := unixsock.Pair(t.P.UnixNamespace(), typ, owner(t), t.UnixPeerCred())
	if err != nil {
		return 0, err
	}
	fd1, err := installSocket(t, s1, flags)
	if err != nil {
		s2.Release()
		return 0, err
	}
	fd2, err := installSocket(t, s2, flags)
	if err != nil {
		_ = t.P.FDs.Close(fd1)
		return 0, err
	}
	binary.LittleEndian.PutUint32(b[0:], uint32(fd1))
	binary.LittleEndian.PutUint32(b[4:], uint32(fd2))
	if err := t.P.MM.CopyOut(uintptr(a[3]), b[:]); err != nil {
		_ = t.P.FDs.Close(fd1)
		_ = t.P.FDs.Close(fd2)
		return 0, err
	}
	return 0, nil
}

// sockaddrIn is move_addr_to_kernel: a length past sockaddr_storage (or
// negative) is EINVAL, zero reads nothing.
func sockaddrIn(t *libstarry.Thread, va uint64, n int) ([]byte, error) {
	if n < 0 || n > sockaddrMax {
		return nil, abi.EINVAL
	}
	b := make([]byte, n)
	if n > 0 {
		if err := t.P.MM.CopyIn(uintptr(va), b); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// validAddr is unix_validate_addr: more than the family, at most a
// sockaddr_un, and AF_UNIX.
func validAddr(b []byte) error {
	if len(b) <= sunPath || len(b) > sockaddrUnLen || binary.LittleEndian.Uint16(b) != abi.AF_UNIX {
		return abi.EINVAL
	}
	return nil
}

// bsdPath is unix_mkname_bsd: sun_path up to its first NUL.
func bsdPath(b []byte) string {
	p := b[sunPath:]
	for i, c := range p {
		if c == 0 {
			return string(p[:i])
		}
	}
	return string(p)
}

// finder is unix_find_other for a validated address: a path is looked
// up (following symlinks) from the working directory, must be writable
// (EACCES) and a socket (ECONNREFUSED); an abstract name is looked up
// among sockets of typ.
func finder(t *libstarry.Thread, b []byte, typ int) unixsock.Finder {
	ns := t.P.UnixNamespace()
	if b[sunPath] == 0 {
		name := string(b[sunPath:])
		return func() (*unixsock.Socket, error) { return ns.FindAbstract(name, typ) }
	}
	path := bsdPath(b)
	return func() (*unixsock.Socket, error) {
		q, err := t.P.Resolve(t.P.At(vfs.Path{}), path, 0)
		if err != nil {
			return nil, err
		}
		in := q.Dentry.Inode()
		if err := vfs.Permission(t.P.Creds(), in, vfs.MayWrite); err != nil {
			return nil, err
		}
		if in.Type() != abi.S_IFSOCK {
			return nil, abi.ECONNREFUSED
		}
		return ns.Find(in, typ)
	}
}

// sysBind is __sys_bind then unix_bind: the family alone autobinds; a
// path makes an S_IFSOCK node (mode 0777 less the umask; EADDRINUSE if
// the path exists), which is unlinked again if the socket was bound.
func sysBind(t *libstarry.Thread, a Args) (uint64, error) {
	s, of, err := socketOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	b, err := sockaddrIn(t, a[1], int(int32(a[2])))
	if err != nil {
		return 0, err
	}
	if s.IsInet() {
		return 0, bindInet(t, s, b)
	}
	if len(b) == sunPath && binary.LittleEndian.Uint16(b) == abi.AF_UNIX {
		return 0, s.Autobind()
	}
	if err := validAddr(b); err != nil {
		return 0, err
	}
	if b[sunPath] == 0 {
		return 0, s.BindAbstract(string(b[sunPath:]))
	}
	path := bsdPath(b)
	w := t.P.At(vfs.Path{})
	switch err := t.P.Mknod(w, path, abi.S_IFSOCK|0o777, 0); err {
	case nil:
	case abi.EEXIST:
		return 0, abi.EADDRINUSE
	default:
		return 0, err
	}
	q, err := t.P.Resolve(w, path, vfs.NoFollow)
	if err != nil {
		return 0, err
	}
	if err := s.BindPath(q.Dentry.Inode(), path+"\x00"); err != nil {
		_ = t.P.Unlink(w, path)
		return 0, err
	}
	return 0, nil
}

// sysConnect is __sys_connect: the address, then the socket's connect.
// A datagram socket takes AF_UNSPEC as "disconnect".
func sysConnect(t *libstarry.Thread, a Args) (uint64, error) {
	s, of, err := socketOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	b, err := sockaddrIn(t, a[1], int(int32(a[2])))
	if err != nil {
		return 0, err
	}
	if s.IsInet() {
		return 0, restartable(connectInet(t, s, of, b))
	}
	if s.Type() == abi.SOCK_DGRAM {
		if len(b) < sunPath {
			return 0, abi.EINVAL
		}
		if binary.LittleEndian.Uint16(b) == abi.AF_UNSPEC {
			s.Disconnect()
			return 0, nil
		}
	}
	if err := validAddr(b); err != nil {
		return 0, err
	}
	err = s.Connect(of.Ctx(t), finder(t, b, s.Type()), t.UnixPeerCred())
	return 0, restartable(err)
}

func sysListen(t *libstarry.Thread, a Args) (uint64, error) {
	s, of, err := socketOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	return 0, s.Listen(int(int32(a[1])), t.UnixPeerCred())
}

func sysAccept(t *libstarry.Thread, a Args) (uint64, error) {
	return sysAccept4(t, Args{a[0], a[1], a[2], 0})
}

// sysAccept4 is __sys_accept4: the descriptor, the flags, a free
// descriptor (EMFILE), then the accept; the peer's address is written
// last, and a fault there loses the connection, as on Linux.
func sysAccept4(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	if of.Flags()&abi.O_PATH != 0 {
		return 0, abi.EBADF
	}
	flags := int(int32(a[3]))
	if flags&^(abi.SOCK_CLOEXEC|abi.SOCK_NONBLOCK) != 0 {
		return 0, abi.EINVAL
	}
	if !t.P.FDs.Room(t.P.NoFile()) {
		return 0, abi.EMFILE
	}
	s, ok := of.File.(*unixsock.Socket)
	if !ok {
		return 0, abi.ENOTSOCK
	}
	n, err := s.Accept(of.Ctx(t), owner(t))
	if err != nil {
		return 0, restartable(err)
	}
	nof := fdt.New(n, abi.O_RDWR|flags&abi.SOCK_NONBLOCK)
	if a[1] != 0 {
		name, err := n.PeerName()
		if err != nil {
			nof.DecRef()
			return 0, abi.ECONNABORTED
		}
		if err := putSockaddr(t, sockaddrOf(n, name), true, a[1], a[2]); err != nil {
			nof.DecRef()
			return 0, err
		}
	}
	fd, err := t.P.FDs.Install(nof, 0, t.P.NoFile(), flags&abi.SOCK_CLOEXEC != 0)
	return uint64(fd), err
}

// putSockaddr is move_addr_to_user for an address sockaddrOf made: as
// much as the user's length allows, and the whole length (the family
// alone for an unnamed AF_UNIX socket; nothing when named is false, as
// for a receive that read no name) written back. A negative length is
// EINVAL.
func putSockaddr(t *libstarry.Thread, addr []byte, named bool, va, lenVA uint64) error {
	var b []byte
	if named {
		b = addr
	}
	l, err := getU32(t, lenVA)
	if err != nil {
		return err
	}
	n := min(int(int32(l)), len(b))
	if n < 0 {
		return abi.EINVAL
	}
	if n > 0 {
		if err := t.P.MM.CopyOut(uintptr(va), b[:n]); err != nil {
			return err
		}
	}
	return putU32(t, lenVA, uint32(len(b)))
}

func sysGetsockname(t *libstarry.Thread, a Args) (uint64, error) {
	s, of, err := socketOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	return 0, putSockaddr(t, sockaddrOf(s, s.Name()), true, a[1], a[2])
}

func sysGetpeername(t *libstarry.Thread, a Args) (uint64, error) {
	s, of, err := socketOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	name, err := s.PeerName()
	if err != nil {
		return 0, err
	}
	return 0, putSockaddr(t, sockaddrOf(s, name), true, a[1], a[2])
}

func sysShutdown(t *libstarry.Thread, a Args) (uint64, error) {
	s, of, err := socketOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	return 0, s.Shutdown(int(int32(a[1])))
}

// sysSetsockopt is __sys_setsockopt: a negative length is EINVAL; only
// SOL_SOCKET exists for AF_UNIX (EOPNOTSUPP, as unix_setsockopt says);
// every SOL_SOCKET option wants at least an int.
func sysSetsockopt(t *libstarry.Thread, a Args) (uint64, error) {
	s, of, err := socketOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	n := int(int32(a[4]))
	level := int(int32(a[1]))
	switch {
	case n < 0:
		return 0, abi.EINVAL
	case level != abi.SOL_SOCKET && s.IsInet():
		return 0, setProtoOption(t, s, level, int(int32(a[2])), a[3], n)
	case level != abi.SOL_SOCKET:
		return 0, abi.EOPNOTSUPP
	case n < 4:
		return 0, abi.EINVAL
	}
	val := make([]byte, min(n, 16))
	if err := t.P.MM.CopyIn(uintptr(a[3]), val); err != nil {
		return 0, err
	}
	return 0, s.SetOption(int(int32(a[2])), val, t.P.Cred().EUID == 0)
}

// sysGetsockopt is __sys_getsockopt and sk_getsockopt: the value cut to
// the user's length, which is set to what was written.
func sysGetsockopt(t *libstarry.Thread, a Args) (uint64, error) {
	s, of, err := socketOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	level := int(int32(a[1]))
	if level != abi.SOL_SOCKET && !s.IsInet() {
		return 0, abi.EOPNOTSUPP
	}
	l, err := getU32(t, a[4])
	if err != nil {
		return 0, err
	}
	if int32(l) < 0 {
		return 0, abi.EINVAL
	}
	var v []byte
	if level == abi.SOL_SOCKET {
		v, err = s.Option(int(int32(a[2])))
	} else {
		v, err = s.ProtoOption(level, int(int32(a[2])))
	}
	if err != nil {
		return 0, err
	}
	v = v[:min(int(l), len(v))]
	if err := t.P.MM.CopyOut(uintptr(a[3]), v); err != nil {
		return 0, err
	}
	return 0, putU32(t, a[4], uint32(len(v)))
}
