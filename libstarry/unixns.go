package libstarry

import (
	"runtime"
	"sync"
	"weak"

	"github.com/starry-go/starry/libstarry/unixsock"
)

// unixNamespaces holds the AF_UNIX namespace of each file layer (one
// kernel's), until Files can hold it itself. The keys are weak, so a
// machine's namespace goes with its Files.
var unixNamespaces = struct {
	mu sync.Mutex
	m  map[weak.Pointer[Files]]*unixsock.Namespace
}{m: map[weak.Pointer[Files]]*unixsock.Namespace{}}

// UnixNamespace is where the process's AF_UNIX sockets bind and find
// each other: kernel-wide, as Linux's is per network namespace.
func (p *Process) UnixNamespace() *unixsock.Namespace {
	fs := p.cfg.FS
	key := weak.Make(fs)
	unixNamespaces.mu.Lock()
	defer unixNamespaces.mu.Unlock()
	if ns := unixNamespaces.m[key]; ns != nil {
		return ns
	}
	ns := unixsock.NewNamespace()
	unixNamespaces.m[key] = ns
	if fs != nil {
		runtime.AddCleanup(fs, func(k weak.Pointer[Files]) {
			unixNamespaces.mu.Lock()
			delete(unixNamespaces.m, k)
			unixNamespaces.mu.Unlock()
		}, key)
	}
	return ns
}

// UnixCred is what a message this thread sends carries as
// SCM_CREDENTIALS (its process ID, real user and group IDs): it makes a
// Thread a unixsock.Caller.
func (t *Thread) UnixCred() unixsock.Ucred {
	c := t.P.Cred()
	return unixsock.Ucred{Pid: int32(t.P.Pid()), UID: c.UID, GID: c.GID}
}

// UnixPeerCred is what SO_PEERCRED reports of a socket this thread
// connects, pairs or listens with: its process ID and effective IDs.
func (t *Thread) UnixPeerCred() unixsock.Ucred {
	c := t.P.Cred()
	return unixsock.Ucred{Pid: int32(t.P.Pid()), UID: c.EUID, GID: c.EGID}
}
