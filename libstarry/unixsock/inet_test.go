package unixsock

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

func inetSock(t *testing.T, ns *Namespace, typ int) *Socket {
	t.Helper()
	s, err := CreateInet(ns, abi.AF_INET, typ, 0, Owner{}, false)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestInetCreate(t *testing.T) {
	ns := NewNamespace()
	for _, c := range []struct {
		typ, proto int
		priv       bool
		want       abi.Errno
	}{
		{abi.SOCK_STREAM, abi.IPPROTO_UDP, false, abi.EPROTONOSUPPORT},
		{abi.SOCK_DGRAM, abi.IPPROTO_TCP, false, abi.EPROTONOSUPPORT},
		{abi.SOCK_DGRAM, abi.IPPROTO_ICMP, false, abi.EACCES},
		{abi.SOCK_RAW, 0, true, abi.EPROTONOSUPPORT},
		{abi.SOCK_RAW, abi.IPPROTO_ICMP, false, abi.EPERM},
		{abi.SOCK_SEQPACKET, 0, false, abi.ESOCKTNOSUPPORT},
		{abi.SOCK_STREAM, -1, false, abi.EINVAL},
	} {
		_, err := CreateInet(ns, abi.AF_INET, c.typ, c.proto, Owner{}, c.priv)
		wantErr(t, "create", err, c.want)
	}
}

func TestInetBind(t *testing.T) {
	ns := NewNamespace()
	a, b := inetSock(t, ns, abi.SOCK_STREAM), inetSock(t, ns, abi.SOCK_STREAM)
	if err := a.BindInet(V4(Loopback), 0, false); err != nil {
		t.Fatal(err)
	}
	_, port := ParseInetName(a.Name())
	if port < ephemeralLow || port > ephemeralHigh {
		t.Errorf("ephemeral port %d", port)
	}
	wantErr(t, "the same port on INADDR_ANY", b.BindInet(IP{}, port, false), abi.EADDRINUSE)
	if err := b.BindInet(V4([4]byte{127, 0, 0, 2}), port, false); err != nil {
		t.Errorf("127.0.0.2 does not overlap 127.0.0.1: %v", err)
	}
	wantErr(t, "a low port unprivileged", inetSock(t, ns, abi.SOCK_STREAM).BindInet(V4(Loopback), 80, false), abi.EACCES)
	wantErr(t, "off the machine", inetSock(t, ns, abi.SOCK_STREAM).BindInet(V4([4]byte{10, 0, 0, 1}), 0, false), abi.EADDRNOTAVAIL)
	// SO_REUSEADDR on both shares a port that is not listened on.
	on := []byte{1, 0, 0, 0}
	c, d := inetSock(t, ns, abi.SOCK_STREAM), inetSock(t, ns, abi.SOCK_STREAM)
	_ = c.SetOption(abi.SO_REUSEADDR, on, false)
	_ = d.SetOption(abi.SO_REUSEADDR, on, false)
	if err := c.BindInet(V4(Loopback), 40000, false); err != nil {
		t.Fatal(err)
	}
	if err := d.BindInet(V4(Loopback), 40000, false); err != nil {
		t.Errorf("SO_REUSEADDR: %v", err)
	}
	d.Release()
	if err := c.Listen(1, Ucred{}); err != nil {
		t.Fatal(err)
	}
	e := inetSock(t, ns, abi.SOCK_STREAM)
	_ = e.SetOption(abi.SO_REUSEADDR, on, false)
	wantErr(t, "SO_REUSEADDR against a listener", e.BindInet(V4(Loopback), 40000, false), abi.EADDRINUSE)
	c.Release()
	if err := e.BindInet(V4(Loopback), 40000, false); err != nil {
		t.Errorf("after the listener closed: %v", err)
	}
	// UDP has its own ports.
	if err := inetSock(t, ns, abi.SOCK_DGRAM).BindInet(V4(Loopback), 40000, false); err != nil {
		t.Errorf("UDP on a TCP port: %v", err)
	}
}

// tcpPair is a listener on INADDR_ANY, a connection to it, and the
// accepted end.
func tcpPair(t *testing.T, ns *Namespace) (l, c, a *Socket) {
	t.Helper()
	l, c = inetSock(t, ns, abi.SOCK_STREAM), inetSock(t, ns, abi.SOCK_STREAM)
	if err := l.Listen(4, Ucred{}); err != nil { // autobinds
		t.Fatal(err)
	}
	_, port := ParseInetName(l.Name())
	if err := c.ConnectInet(block(), V4([4]byte{127, 0, 0, 9}), port, Ucred{}); err != nil {
		t.Fatal(err)
	}
	a, err := l.Accept(nonblock(), Owner{})
	if err != nil {
		t.Fatal(err)
	}
	return l, c, a
}

func TestInetStream(t *testing.T) {
	ns := NewNamespace()
	l, c, a := tcpPair(t, ns)
	if addr, _ := ParseInetName(a.Name()); addr != V4([4]byte{127, 0, 0, 9}) {
		t.Errorf("accepted socket's name %v, want the address dialled", addr)
	}
	if addr, _ := ParseInetName(c.Name()); addr != V4(Loopback) {
		t.Errorf("client's name %v", addr)
	}
	if p, _ := a.PeerName(); p != c.Name() {
		t.Errorf("accepted peer %q, client %q", p, c.Name())
	}
	send(t, c, "hello")
	if got, _ := recv(t, a, 3, abi.MSG_PEEK); got != "hel" {
		t.Errorf("peek %q", got)
	}
	if got, _ := recv(t, a, 10, 0); got != "hello" {
		t.Errorf("recv %q", got)
	}
	_, err := c.Recv(nonblock(), 1, abi.MSG_OOB)
	wantErr(t, "MSG_OOB with no urgent data", err, abi.EINVAL)
	_, err = c.Recv(nonblock(), 1, abi.MSG_ERRQUEUE)
	wantErr(t, "MSG_ERRQUEUE", err, abi.EAGAIN)
	// A FIN: end of file, but writing still goes until the reset.
	if err := a.Shutdown(abi.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	if r, err := c.Recv(block(), 4, 0); err != nil || r.N != 0 {
		t.Errorf("after the FIN: %d %v", r.N, err)
	}
	send(t, c, "x")
	if got, _ := recv(t, a, 1, 0); got != "x" {
		t.Errorf("half-closed recv %q", got)
	}
	a.Release() // nothing unread: a FIN, not a reset
	if r := c.Readiness(); r&abi.EPOLLRDHUP == 0 || r&abi.EPOLLHUP != 0 {
		t.Errorf("readiness after the peer closed %#x", r)
	}
	send(t, c, "y") // answered by a reset
	if r := c.Readiness(); r&(abi.EPOLLERR|abi.EPOLLHUP) != abi.EPOLLERR|abi.EPOLLHUP {
		t.Errorf("readiness after the reset %#x", r)
	}
	_, err = c.Send(nonblock(), SendMsg{Data: []byte("z")})
	if err != abi.EPIPE {
		t.Errorf("send after the reset: %v, want a bare EPIPE (SIGPIPE due)", err)
	}
	l.Release()
	// Nothing listening: refused, at once or (non-blocking) at the next call.
	_, port := ParseInetName(l.Name())
	d := inetSock(t, ns, abi.SOCK_STREAM)
	wantErr(t, "connect to a closed port", d.ConnectInet(block(), V4(Loopback), port, Ucred{}), abi.ECONNREFUSED)
	wantErr(t, "non-blocking", d.ConnectInet(nonblock(), V4(Loopback), port, Ucred{}), abi.EINPROGRESS)
	if b, _ := d.Option(abi.SO_ERROR); le.Uint32(b) != uint32(abi.ECONNREFUSED) {
		t.Errorf("SO_ERROR %d", le.Uint32(b))
	}
	_, err = d.Send(nonblock(), SendMsg{Data: []byte("z"), Flags: abi.MSG_NOSIGNAL})
	wantErr(t, "send unconnected", err, abi.EPIPE)
	wantErr(t, "shutdown unconnected", d.Shutdown(abi.SHUT_RD), abi.ENOTCONN)
}

func TestInetListenerShutdown(t *testing.T) {
	ns := NewNamespace()
	l, c, _ := tcpPair(t, ns)
	_, port := ParseInetName(l.Name())
	c2 := inetSock(t, ns, abi.SOCK_STREAM)
	if err := c2.ConnectInet(block(), V4(Loopback), port, Ucred{}); err != nil {
		t.Fatal(err)
	}
	if err := l.Shutdown(abi.SHUT_RD); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "connect after the listener shut", inetSock(t, ns, abi.SOCK_STREAM).ConnectInet(block(), V4(Loopback), port, Ucred{}), abi.ECONNREFUSED)
	_, err := c2.Recv(nonblock(), 1, 0)
	wantErr(t, "the connection waiting was reset", err, abi.ECONNRESET)
	send(t, c, "still up") // the accepted one stays
}

func TestInetDgram(t *testing.T) {
	ns := NewNamespace()
	a, b, x := inetSock(t, ns, abi.SOCK_DGRAM), inetSock(t, ns, abi.SOCK_DGRAM), inetSock(t, ns, abi.SOCK_DGRAM)
	if err := a.BindInet(IP{}, 0, false); err != nil {
		t.Fatal(err)
	}
	_, ap := ParseInetName(a.Name())
	if n, err := b.Send(nonblock(), SendMsg{Data: []byte("one"), Dest: InetName(Loopback, ap)}); n != 3 || err != nil {
		t.Fatalf("sendto: %d %v", n, err)
	}
	r, err := a.Recv(nonblock(), 2, 0)
	if err != nil || string(r.Data) != "on" || r.Flags&abi.MSG_TRUNC == 0 {
		t.Errorf("recv %q %#x %v", r.Data, r.Flags, err)
	}
	if addr, port := ParseInetName(r.From); addr != V4(Loopback) || port == 0 {
		t.Errorf("from %v:%d", addr, port)
	}
	// Connected to b, a hears no one else.
	_, bp := ParseInetName(b.Name())
	if err := a.ConnectInet(nonblock(), IP{}, bp, Ucred{}); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Send(nonblock(), SendMsg{Data: []byte("stranger"), Dest: InetName(Loopback, ap)}); err != nil {
		t.Fatal(err)
	}
	_, err = b.Send(nonblock(), SendMsg{Data: []byte("x")})
	wantErr(t, "send unconnected", err, abi.EDESTADDRREQ)
	send(t, a, "to b")
	if got, _ := recv(t, b, 10, 0); got != "to b" {
		t.Errorf("b got %q", got)
	}
	if n, err := b.Send(nonblock(), SendMsg{Data: []byte("two"), Dest: a.Name()}); n != 3 || err != nil {
		t.Fatalf("sendto: %d %v", n, err)
	}
	if got, _ := recv(t, a, 10, 0); got != "two" {
		t.Errorf("a got %q, not the peer's datagram (the stranger's was dropped?)", got)
	}
	_, err = a.Recv(nonblock(), 10, 0)
	wantErr(t, "the stranger's datagram", err, abi.EAGAIN)
	// The peer goes: the next call hears the port unreachable.
	b.Release()
	send(t, a, "lost")
	_, err = a.Send(nonblock(), SendMsg{Data: []byte("x")})
	wantErr(t, "after the ICMP", err, abi.ECONNREFUSED)
	if p, err := a.PeerName(); err != nil || p == "" {
		t.Errorf("peer name %q %v", p, err)
	}
	a.Disconnect()
	if _, err := a.PeerName(); err == nil {
		t.Error("disconnected, and still a peer")
	}
}

func TestInet6(t *testing.T) {
	ns := NewNamespace()
	mk := func(typ int) *Socket {
		s, err := CreateInet(ns, abi.AF_INET6, typ, 0, Owner{}, false)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	r, w := mk(abi.SOCK_DGRAM), mk(abi.SOCK_DGRAM)
	wantErr(t, "bind 127.0.0.1's bytes on IPv6", r.BindInet(V4(Loopback), 0, false), abi.EADDRNOTAVAIL)
	if err := r.BindInet(Loopback6, 0, false); err != nil {
		t.Fatal(err)
	}
	if len(r.Name()) != 26 {
		t.Fatalf("IPv6 name of %d bytes", len(r.Name()))
	}
	if err := w.BindInet(Loopback6, 0, false); err != nil {
		t.Fatal(err)
	}
	addr, port := ParseInetName(r.Name())
	dest, err := w.Dest(addr, port)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Send(nonblock(), SendMsg{Data: []byte("over ::1"), Dest: dest}); err != nil {
		t.Fatal(err)
	}
	got, m := recv(t, r, 4, abi.MSG_PEEK)
	if got != "over" || m.From != w.Name() {
		t.Errorf("peek %q from %q", got, m.From)
	}
	if _, err := w.Dest(V4(Loopback), port); err == nil {
		t.Error("an IPv4 address is not on this machine for IPv6")
	}
	// IPv4 and IPv6 ports are apart here: the same port binds on both.
	v4 := inetSock(t, ns, abi.SOCK_DGRAM)
	if err := v4.BindInet(IP{}, port, false); err != nil {
		t.Errorf("IPv4 on an IPv6 socket's port: %v", err)
	}
	// TCP over ::1.
	l, c := mk(abi.SOCK_STREAM), mk(abi.SOCK_STREAM)
	if err := l.Listen(1, Ucred{}); err != nil {
		t.Fatal(err)
	}
	_, lp := ParseInetName(l.Name())
	if err := c.ConnectInet(block(), IP{}, lp, Ucred{}); err != nil {
		t.Fatal(err)
	}
	a, err := l.Accept(nonblock(), Owner{})
	if err != nil {
		t.Fatal(err)
	}
	if addr, _ := ParseInetName(a.Name()); addr != Loopback6 {
		t.Errorf("accepted name %v", addr)
	}
	if b, _ := a.Option(abi.SO_DOMAIN); le.Uint32(b) != abi.AF_INET6 {
		t.Errorf("SO_DOMAIN %d", le.Uint32(b))
	}
}

// TestDualStack is an IPv6 listener on :: taking an IPv4 connection,
// which IPV6_ADDRFORM then makes an AF_INET socket (connect02's steps).
func TestDualStack(t *testing.T) {
	ns := NewNamespace()
	l, err := CreateInet(ns, abi.AF_INET6, abi.SOCK_STREAM, 0, Owner{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.BindInet(IP{}, 0, false); err != nil {
		t.Fatal(err)
	}
	_, port := ParseInetName(l.Name())
	wantErr(t, "IPv4 on the port :: holds", inetSock(t, ns, abi.SOCK_STREAM).BindInet(V4(Loopback), port, false), abi.EADDRINUSE)
	if err := l.Listen(5, Ucred{}); err != nil {
		t.Fatal(err)
	}
	c := inetSock(t, ns, abi.SOCK_STREAM)
	if err := c.ConnectInet(block(), V4(Loopback), port, Ucred{}); err != nil {
		t.Fatalf("IPv4 connect to an IPv6 listener: %v", err)
	}
	a, err := l.Accept(nonblock(), Owner{})
	if err != nil {
		t.Fatal(err)
	}
	if addr, _ := ParseInetName(a.Name()); addr != mapped(Loopback) {
		t.Errorf("accepted name %v, want ::ffff:127.0.0.1", addr)
	}
	p, _ := a.PeerName()
	if got := NameAs(abi.AF_INET6, p); got != Inet6Name(mapped(Loopback), binary16(c.Name())) {
		t.Errorf("peer as IPv6 % x", got)
	}
	on := []byte{abi.AF_INET, 0, 0, 0}
	wantErr(t, "IPV6_ADDRFORM to AF_INET6", a.SetProtoOption(abi.IPPROTO_IPV6, abi.IPV6_ADDRFORM, []byte{abi.AF_INET6, 0, 0, 0}), abi.EINVAL)
	if err := a.SetProtoOption(abi.IPPROTO_IPV6, abi.IPV6_ADDRFORM, on); err != nil {
		t.Fatal(err)
	}
	if a.Family() != abi.AF_INET || len(a.Name()) != 14 {
		t.Errorf("after IPV6_ADDRFORM: family %d, name of %d bytes", a.Family(), len(a.Name()))
	}
	send(t, c, "still")
	if got, _ := recv(t, a, 8, 0); got != "still" {
		t.Errorf("recv %q", got)
	}
	// IPV6_V6ONLY keeps IPv4 out.
	v6, _ := CreateInet(ns, abi.AF_INET6, abi.SOCK_DGRAM, 0, Owner{}, false)
	if err := v6.SetProtoOption(abi.IPPROTO_IPV6, abi.IPV6_V6ONLY, []byte{1, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	if err := v6.BindInet(IP{}, 40001, false); err != nil {
		t.Fatal(err)
	}
	if err := inetSock(t, ns, abi.SOCK_DGRAM).BindInet(IP{}, 40001, false); err != nil {
		t.Errorf("IPv4 beside an IPV6_V6ONLY socket: %v", err)
	}
}

func binary16(name string) uint16 {
	_, p := ParseInetName(name)
	return p
}

func TestInetMsgMore(t *testing.T) {
	ns := NewNamespace()
	_, c, a := tcpPair(t, ns)
	if n, err := c.Send(nonblock(), SendMsg{Data: []byte("held"), Flags: abi.MSG_MORE}); n != 4 || err != nil {
		t.Fatalf("send MSG_MORE: %d %v", n, err)
	}
	_, err := a.Recv(nonblock(), 16, 0)
	wantErr(t, "nothing before the cork is released", err, abi.EAGAIN)
	send(t, c, "!")
	if got, _ := recv(t, a, 16, 0); got != "held!" {
		t.Errorf("after the send without MSG_MORE: %q", got)
	}
	_, _ = c.Send(nonblock(), SendMsg{Data: []byte("bye"), Flags: abi.MSG_MORE})
	c.Release()
	if got, _ := recv(t, a, 16, 0); got != "bye" {
		t.Errorf("close flushes the cork: %q", got)
	}
	// UDP builds one datagram.
	u, v := inetSock(t, ns, abi.SOCK_DGRAM), inetSock(t, ns, abi.SOCK_DGRAM)
	if err := u.BindInet(V4(Loopback), 0, false); err != nil {
		t.Fatal(err)
	}
	to := u.Name()
	_, _ = v.Send(nonblock(), SendMsg{Data: []byte("one "), Dest: to, Flags: abi.MSG_MORE})
	_, err = u.Recv(nonblock(), 16, 0)
	wantErr(t, "a datagram being built", err, abi.EAGAIN)
	_, _ = v.Send(nonblock(), SendMsg{Data: []byte("datagram"), Dest: to})
	if got, _ := recv(t, u, 64, 0); got != "one datagram" {
		t.Errorf("corked datagram %q", got)
	}
}
