package unixsock

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Namespace is where bound sockets are found (the unix socket hash
// tables of a network namespace, and bsd_socket_buckets): by the inode
// bind made for a path, or by abstract name. Abstract names are per
// type, as Linux hashes the type in: a stream and a datagram socket may
// both hold "\0name". One Namespace serves the whole kernel.
type Namespace struct {
	mu       sync.Mutex
	inodes   map[*vfs.Inode]*Socket
	abstract map[absKey]*Socket
	ports    map[portKey][]*Socket // AF_INET: bound ports, per type (TCP and UDP have their own)
}

type absKey struct {
	name string
	typ  int
}

// NewNamespace makes an empty namespace.
func NewNamespace() *Namespace {
	return &Namespace{inodes: map[*vfs.Inode]*Socket{}, abstract: map[absKey]*Socket{}, ports: map[portKey][]*Socket{}}
}

// Find is unix_find_socket_byinode with unix_find_bsd's type check: the
// socket bound to in, ECONNREFUSED when none is, EPROTOTYPE when it is
// of another type. The caller has resolved the path, checked write
// permission on in and that in is a socket.
func (ns *Namespace) Find(in *vfs.Inode, typ int) (*Socket, error) {
	ns.mu.Lock()
	s := ns.inodes[in]
	ns.mu.Unlock()
	switch {
	case s == nil:
		return nil, abi.ECONNREFUSED
	case s.typ != typ:
		return nil, abi.EPROTOTYPE
	}
	return s, nil
}

// FindAbstract is unix_find_abstract: the socket of type typ bound to
// the abstract name (sun_path's bytes, the leading NUL included).
func (ns *Namespace) FindAbstract(name string, typ int) (*Socket, error) {
	ns.mu.Lock()
	s := ns.abstract[absKey{name, typ}]
	ns.mu.Unlock()
	if s == nil {
		return nil, abi.ECONNREFUSED
	}
	return s, nil
}

// unregister drops s's name, if it holds one, as it is released.
func (ns *Namespace) unregister(s *Socket) {
	if s.in != nil {
		ns.unregisterInet(s)
		return
	}
	s.mu.Lock()
	name, in := s.name, s.inode
	s.mu.Unlock()
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if in != nil && ns.inodes[in] == s {
		delete(ns.inodes, in)
	}
	if k := (absKey{name, s.typ}); ns.abstract[k] == s {
		delete(ns.abstract, k)
	}
}

// BindPath is the end of unix_bind_bsd: the caller has made the S_IFSOCK
// node in (EADDRINUSE if the path existed) for name, the path's bytes
// and their NUL. An already bound socket is EINVAL; the caller then
// unlinks the node again, as Linux does.
func (s *Socket) BindPath(in *vfs.Inode, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.name != "" {
		return abi.EINVAL
	}
	s.ns.mu.Lock()
	s.ns.inodes[in] = s
	s.ns.mu.Unlock()
	s.name, s.inode = name, in
	return nil
}

// BindAbstract is unix_bind_abstract: EINVAL if bound, EADDRINUSE if a
// socket of this type holds the name.
func (s *Socket) BindAbstract(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.name != "" {
		return abi.EINVAL
	}
	ns := s.ns
	ns.mu.Lock()
	defer ns.mu.Unlock()
	k := absKey{name, s.typ}
	if ns.abstract[k] != nil {
		return abi.EADDRINUSE
	}
	ns.abstract[k] = s
	s.name = name
	return nil
}

// Autobind is unix_autobind: an unbound socket gets a free abstract name
// of five hex digits, starting from a random one; a bound one keeps its.
func (s *Socket) Autobind() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.name != "" {
		return nil
	}
	ns := s.ns
	ns.mu.Lock()
	defer ns.mu.Unlock()
	start := rand.Uint32()
	for i := uint32(1); i <= 1<<20; i++ {
		k := absKey{fmt.Sprintf("\x00%05x", (start+i)&0xfffff), s.typ}
		if ns.abstract[k] == nil {
			ns.abstract[k] = s
			s.name = k.name
			return nil
		}
	}
	return abi.ENOSPC
}

// Name is the socket's address (getsockname): sun_path's bytes as bound,
// "" for an unnamed socket. An accepted socket has its listener's.
func (s *Socket) Name() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.name
}

// PeerName is the peer's address (getpeername): ENOTCONN without one.
func (s *Socket) PeerName() (string, error) {
	s.mu.Lock()
	p, dest := s.peer, ""
	if s.in != nil {
		dest = s.in.dest
	}
	s.mu.Unlock()
	if dest != "" {
		return dest, nil
	}
	if p == nil {
		return "", abi.ENOTCONN
	}
	return p.Name(), nil
}
