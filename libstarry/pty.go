package libstarry

import (
	"strconv"
	"sync"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Pseudo-terminals (drivers/tty/pty.c, Unix 98 style): opening
// /dev/ptmx makes a pair; what the master writes is the slave's input,
// what the slave writes (after its output processing) the master reads.
// The slave appears as /dev/pts/N, locked until unlockpt (TIOCSPTLCK).

// Device numbers of the pair: /dev/ptmx is 5:2, slaves are 136:N.
const (
	ptmxMinor     = 2
	ptsMajor      = 136
	maxPtys       = 4096 // /proc/sys/kernel/pty/max's default
	ptyBufferSize = 64 << 10
)

// pty is one pair.
type pty struct {
	index int
	slave *Tty
	q     ipc.Queue // the master's readers and writers

	mu         sync.Mutex
	out        []byte // the slave's output, for the master to read
	locked     bool   // TIOCSPTLCK: the slave cannot be opened
	slaveOpens int    // open slave files
	slaveShut  bool   // the slave was open and is closed again: the master reads EIO
	masterGone bool
}

// ptyTable is the kernel's pairs by index.
type ptyTable struct {
	mu sync.Mutex
	by map[int]*pty
}

// OpenPtmx makes a pair (ptmx_open): the master's file, its slave
// locked, and the slave's node made under /dev/pts owned by the caller.
func (p *Process) OpenPtmx() (fd.File, error) {
	k := p.k
	tab := &k.ptys
	tab.mu.Lock()
	n := 0
	for tab.by[n] != nil {
		n++
	}
	if n >= maxPtys {
		tab.mu.Unlock()
		return nil, abi.ENOSPC
	}
	pt := &pty{index: n, locked: true}
	pt.slave = newTty(k, abi.Mkdev(ptsMajor, uint32(n)), "/dev/pts/"+strconv.Itoa(n), pt.fromSlave)
	ts := pt.slave.LD.Termios()
	ts.Cflag &^= 0o2000 // a pty slave has no HUPCL (pty_init's init_termios)
	pt.slave.LD.SetTermios(ts, false)
	if tab.by == nil {
		tab.by = map[int]*pty{}
	}
	tab.by[n] = pt
	tab.mu.Unlock()
	cred := p.Cred()
	if err := p.cfg.FS.makePtsNode(n, cred.FSUID); err != nil {
		k.freePty(pt)
		return nil, err
	}
	return &PtyMaster{pt: pt, k: k, fs: p.cfg.FS}, nil
}

// fromSlave takes the slave's output for the master to read. A master
// that does not read keeps at most ptyBufferSize bytes; the rest goes,
// as a full tty buffer drops it.
func (pt *pty) fromSlave(b []byte) {
	pt.mu.Lock()
	room := ptyBufferSize - len(pt.out)
	if len(b) > room {
		b = b[:max(room, 0)]
	}
	pt.out = append(pt.out, b...)
	pt.mu.Unlock()
	pt.q.Notify()
}

// freePty forgets a pair whose master closed, and its node.
func (k *Kernel) freePty(pt *pty) {
	k.ptys.mu.Lock()
	delete(k.ptys.by, pt.index)
	k.ptys.mu.Unlock()
}

// openSlave opens /dev/pts/N (pts_unix98_lookup and tty_open): ENXIO
// for no such pair, EIO while it is locked or its master is gone.
func (p *Process) openSlave(n int, flags int, stat func() fd.Stat) (fd.File, error) {
	k := p.k
	k.ptys.mu.Lock()
	pt := k.ptys.by[n]
	k.ptys.mu.Unlock()
	if pt == nil {
		return nil, abi.ENXIO
	}
	pt.mu.Lock()
	if pt.locked || pt.masterGone {
		pt.mu.Unlock()
		return nil, abi.EIO
	}
	pt.slaveOpens++
	pt.slaveShut = false
	pt.mu.Unlock()
	p.acquireCtty(pt.slave, flags)
	return &TtyFile{tt: pt.slave, stat: stat, release: pt.slaveClosed}, nil
}

// slaveClosed counts a slave file going; with the last, the master's
// reads see EIO once they have drained what is left.
func (pt *pty) slaveClosed() {
	pt.mu.Lock()
	pt.slaveOpens--
	if pt.slaveOpens == 0 {
		pt.slaveShut = true
	}
	pt.mu.Unlock()
	pt.q.Notify()
}

// PtyMaster is the master side of a pair.
type PtyMaster struct {
	pt *pty
	k  *Kernel
	fs *Files
}

// Slave is the pair's slave terminal (its termios and window size are
// what the master's requests read and set).
func (m *PtyMaster) Slave() *Tty { return m.pt.slave }

// Index is N of /dev/pts/N (TIOCGPTN).
func (m *PtyMaster) Index() int { return m.pt.index }

// SetLocked locks or unlocks the slave (TIOCSPTLCK).
func (m *PtyMaster) SetLocked(lock bool) {
	m.pt.mu.Lock()
	m.pt.locked = lock
	m.pt.mu.Unlock()
}

// Locked reports the lock (TIOCGPTLCK).
func (m *PtyMaster) Locked() bool {
	m.pt.mu.Lock()
	defer m.pt.mu.Unlock()
	return m.pt.locked
}

// OpenPeer opens the slave through the master (TIOCGPTPEER), even
// without a path to it.
func (m *PtyMaster) OpenPeer(p *Process, flags int) (fd.File, error) {
	return p.openSlave(m.pt.index, flags, m.slaveStat(p))
}

func (m *PtyMaster) slaveStat(p *Process) func() fd.Stat {
	name := "/dev/pts/" + strconv.Itoa(m.pt.index)
	return func() fd.Stat {
		st, err := p.cfg.FS.Stat(name, true)
		if err != nil {
			return fd.Stat{Mode: abi.S_IFCHR | 0o620, Nlink: 1, Rdev: abi.Mkdev(ptsMajor, uint32(m.pt.index))}
		}
		return st
	}
}

// Read takes the slave's output; EIO once the slave was opened and all
// its files are closed and nothing is left; EAGAIN when non-blocking;
// EINTR on a signal.
func (m *PtyMaster) Read(c fd.Ctx, b []byte) (int, error) {
	pt := m.pt
	for {
		wait := pt.q.Wait()
		pt.mu.Lock()
		if len(pt.out) > 0 {
			n := copy(b, pt.out)
			pt.out = pt.out[n:]
			pt.mu.Unlock()
			return n, nil
		}
		shut := pt.slaveShut
		pt.mu.Unlock()
		switch {
		case shut:
			return 0, abi.EIO
		case c.Nonblock:
			return 0, abi.EAGAIN
		}
		if err := ipc.Sleep(c.W, wait, -1); err != nil {
			return 0, err
		}
	}
}

// Write is the slave's input.
func (m *PtyMaster) Write(_ fd.Ctx, b []byte) (int, error) {
	m.pt.slave.LD.Receive(b)
	return len(b), nil
}

// Stat is /dev/ptmx's.
func (m *PtyMaster) Stat() fd.Stat {
	return fd.Stat{Ino: uint64(2000 + m.pt.index), Mode: abi.S_IFCHR | 0o666, Nlink: 1, Rdev: abi.Mkdev(ttyMajor, ptmxMinor)}
}

// IsTerminal: the master is a terminal too (isatty is true for it).
func (m *PtyMaster) IsTerminal() bool { return true }

// Pending is what a read could take (FIONREAD).
func (m *PtyMaster) Pending() int {
	m.pt.mu.Lock()
	defer m.pt.mu.Unlock()
	return len(m.pt.out)
}

func (m *PtyMaster) Queue() *ipc.Queue { return &m.pt.q }

// Readiness: readable with output waiting or the slave shut (EIO), and
// always writable.
func (m *PtyMaster) Readiness() uint32 {
	pt := m.pt
	pt.mu.Lock()
	defer pt.mu.Unlock()
	r := uint32(abi.EPOLLOUT | abi.EPOLLWRNORM)
	if len(pt.out) > 0 || pt.slaveShut {
		r |= abi.EPOLLIN | abi.EPOLLRDNORM
	}
	if pt.slaveShut {
		r |= abi.EPOLLHUP
	}
	return r
}

// Release is the master's last close (pty_close): the slave is hung up
// for its session, and the pair and its node go.
func (m *PtyMaster) Release() {
	pt := m.pt
	pt.mu.Lock()
	pt.masterGone = true
	pt.mu.Unlock()
	pt.slave.LD.Hangup()
	pt.slave.hangupSession()
	m.k.freePty(pt)
	_ = m.fs.remove("dev/pts/"+strconv.Itoa(pt.index), false)
}

// makePtsNode makes /dev/pts/N, owned by uid and group tty (5), 0620.
func (fs *Files) makePtsNode(n int, uid uint32) error {
	if err := fs.mkdirAll("dev/pts"); err != nil {
		return err
	}
	name := "dev/pts/" + strconv.Itoa(n)
	_ = fs.remove(name, false) // a node a freed pair left
	root := fs.mt.Root()
	if err := fs.mt.Mknod(rootCreds, root, root, name, abi.S_IFCHR|0o620, abi.Mkdev(ptsMajor, uint32(n))); err != nil {
		return err
	}
	q, err := fs.mt.Resolve(rootCreds, root, root, name, vfs.NoFollow)
	if err != nil {
		return err
	}
	return vfs.SetAttr(rootCreds, q.Dentry.Inode(), vfs.AttrChange{Valid: vfs.SetMode | vfs.SetUID | vfs.SetGID, Mode: 0o620, UID: uid, GID: 5})
}
