package linux

import (
	"time"

	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/unixsock"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Message ABI (include/linux/socket.h, net/core/scm.c).
const (
	msghdrSize    = 56 // struct user_msghdr
	mmsghdrSize   = 64 // struct mmsghdr: the header, msg_len, padding
	cmsghdrSize   = 16 // struct cmsghdr: cmsg_len (size_t), level, type
	ucredSize     = 12
	scmMaxFD      = 253        // SCM_MAX_FD
	optmemMax     = 131072     // net.core.optmem_max: the most control data sendmsg takes
	maxDgram      = 1 << 26    // the largest datagram copied in; a bigger one is EMSGSIZE
	msgCmsgCompat = 0x80000000 // MSG_CMSG_COMPAT, never valid from 64-bit code
)

// msghdr is struct user_msghdr as copy_msghdr_from_user reads it: no
// name means no name length; a length past sockaddr_storage is cut to
// it; more than UIO_MAXIOV iovecs is EMSGSIZE.
type msghdr struct {
	name, control, controllen uint64
	namelen                   int
	iov                       [][2]uint64
}

func getMsghdr(t *libstarry.Thread, va uint64) (msghdr, error) {
	var b [msghdrSize]byte
	if err := t.P.MM.CopyIn(uintptr(va), b[:]); err != nil {
		return msghdr{}, err
	}
	h := msghdr{name: le.Uint64(b[0:]), namelen: int(int32(le.Uint32(b[8:]))), control: le.Uint64(b[32:]), controllen: le.Uint64(b[40:])}
	if h.name == 0 {
		h.namelen = 0
	}
	if h.namelen < 0 {
		return msghdr{}, abi.EINVAL
	}
	h.namelen = min(h.namelen, sockaddrMax)
	if n := le.Uint64(b[24:]); n > iovMax {
		return msghdr{}, abi.EMSGSIZE
	}
	iov, err := iovecs(t, le.Uint64(b[16:]), le.Uint64(b[24:]))
	h.iov = iov
	return h, err
}

func iovTotal(iov [][2]uint64) int {
	var n uint64
	for _, v := range iov {
		n += v[1]
	}
	return int(min(n, maxRWCount))
}

// gather copies in up to limit bytes an iovec array names.
func gather(t *libstarry.Thread, iov [][2]uint64, limit int) ([]byte, error) {
	b := make([]byte, 0, min(iovTotal(iov), limit))
	for _, v := range iov {
		n := min(int(v[1]), cap(b)-len(b))
		if n == 0 {
			continue
		}
		p := b[len(b) : len(b)+n]
		if err := t.P.MM.CopyIn(uintptr(v[0]), p); err != nil {
			return nil, err
		}
		b = b[:len(b)+n]
	}
	return b, nil
}

// scatter copies data out over an iovec array.
func scatter(t *libstarry.Thread, iov [][2]uint64, data []byte) error {
	for _, v := range iov {
		n := min(int(v[1]), len(data))
		if n == 0 {
			continue
		}
		if err := t.P.MM.CopyOut(uintptr(v[0]), data[:n]); err != nil {
			return abi.EFAULT
		}
		data = data[n:]
	}
	return nil
}

// sendLimit is how much of a send is copied in: a stream takes a short
// count; a record too big for the send buffer is EMSGSIZE uncopied.
func sendLimit(s *unixsock.Socket, n int) (int, error) {
	if s.IsInet() && s.Type() == abi.SOCK_DGRAM {
		if n > udpMaxPayload && (s.Family() == abi.AF_INET || n > udp6MaxPayload) {
			return 0, abi.EMSGSIZE
		}
		return n, nil
	}
	if s.Type() == abi.SOCK_STREAM {
		return min(n, maxIO), nil
	}
	b, _ := s.Option(abi.SO_SNDBUF)
	if n > int(le.Uint32(b))-32 || n > maxDgram {
		return 0, abi.EMSGSIZE
	}
	return n, nil
}

// sendTo finishes a send: the address (validated for a datagram socket,
// which alone uses it: a sequenced-packet socket ignores it, a stream
// refuses it), then the socket, then SIGPIPE when it is due.
func sendTo(t *libstarry.Thread, s *unixsock.Socket, of *fdt.OpenFile, m unixsock.SendMsg, addr []byte) (uint64, error) {
	if s.IsInet() {
		if len(addr) > 0 && s.Type() == abi.SOCK_DGRAM && m.Flags&abi.MSG_OOB == 0 {
			dest, err := inetDest(s, addr)
			if err != nil {
				return 0, err
			}
			m.Dest = dest
		}
	} else if len(addr) > 0 {
		switch s.Type() {
		case abi.SOCK_DGRAM:
			if err := validAddr(addr); err == nil {
				m.To = finder(t, addr, s.Type())
			} else if m.Flags&abi.MSG_OOB == 0 { // else the socket says EOPNOTSUPP first
				putFiles(m.Files)
				return 0, err
			}
		case abi.SOCK_STREAM:
			m.To = func() (*unixsock.Socket, error) { return nil, abi.EISCONN } // refused before use
		}
	}
	n, err := s.Send(of.Ctx(t), m)
	if err == abi.EPIPE {
		t.P.Kill(int(abi.SIGPIPE))
	}
	if err != nil {
		return 0, restartable(err)
	}
	return uint64(n), nil
}

func putFiles(fs []*fdt.OpenFile) {
	for _, f := range fs {
		f.DecRef()
	}
}

// sysSendto is __sys_sendto: access_ok on the buffer, the socket, the
// address (none when its length is 0), MSG_DONTWAIT from O_NONBLOCK.
func sysSendto(t *libstarry.Thread, a Args) (uint64, error) {
	n := min(a[2], maxRWCount)
	if !accessOK(a[1], n) {
		return 0, abi.EFAULT
	}
	s, of, err := socketOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	var addr []byte
	if a[4] != 0 {
		if addr, err = sockaddrIn(t, a[4], int(int32(a[5]))); err != nil {
			return 0, err
		}
	}
	size, err := sendLimit(s, int(n))
	if err != nil {
		return 0, err
	}
	buf := make([]byte, size)
	if err := t.P.MM.CopyIn(uintptr(a[1]), buf); err != nil {
		return 0, err
	}
	return sendTo(t, s, of, unixsock.SendMsg{Data: buf, Flags: int(uint32(a[3]))}, addr)
}

// sendMsg is ___sys_sendmsg for one header at va.
func sendMsg(t *libstarry.Thread, s *unixsock.Socket, of *fdt.OpenFile, va uint64, flags int) (uint64, int, error) {
	h, err := getMsghdr(t, va)
	if err != nil {
		return 0, 0, err
	}
	var addr []byte
	if h.namelen > 0 {
		if addr, err = sockaddrIn(t, h.name, h.namelen); err != nil {
			return 0, 0, err
		}
	}
	size, err := sendLimit(s, iovTotal(h.iov))
	if err != nil {
		return 0, 0, err
	}
	data, err := gather(t, h.iov, size)
	if err != nil {
		return 0, 0, err
	}
	m := unixsock.SendMsg{Data: data, Flags: flags}
	if h.controllen > 0 {
		if h.controllen > optmemMax {
			return 0, 0, abi.ENOBUFS
		}
		ctl := make([]byte, h.controllen)
		if err := t.P.MM.CopyIn(uintptr(h.control), ctl); err != nil {
			return 0, 0, err
		}
		if m.Files, m.Cred, err = parseCmsgs(t, ctl, !s.IsInet()); err != nil {
			return 0, 0, err
		}
	}
	n, err := sendTo(t, s, of, m, addr)
	return n, iovTotal(h.iov), err
}

func sysSendmsg(t *libstarry.Thread, a Args) (uint64, error) {
	if a[2]&msgCmsgCompat != 0 {
		return 0, abi.EINVAL
	}
	s, of, err := socketOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	n, _, err := sendMsg(t, s, of, a[1], int(uint32(a[2])))
	return n, err
}

// sysSendmmsg is __sys_sendmmsg: up to UIO_MAXIOV messages, each one's
// count in its msg_len; it stops at an error or a short send, and
// reports the error only if nothing was sent.
func sysSendmmsg(t *libstarry.Thread, a Args) (uint64, error) {
	if a[3]&msgCmsgCompat != 0 {
		return 0, abi.EINVAL
	}
	s, of, err := socketOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	vlen := min(a[2], iovMax)
	var sent uint64
	for sent < vlen {
		entry := a[1] + sent*mmsghdrSize
		n, want, e := sendMsg(t, s, of, entry, int(uint32(a[3])))
		if e == nil {
			e = putU32(t, entry+msghdrSize, uint32(n))
		}
		if e != nil {
			err = e
			break
		}
		sent++
		if int(n) < want {
			break
		}
	}
	if sent > 0 {
		return sent, nil
	}
	return 0, err
}

// sysRecvfrom is __sys_recvfrom: access_ok on the buffer, the socket,
// the receive; the sender's address (length 0 if it has none).
func sysRecvfrom(t *libstarry.Thread, a Args) (uint64, error) {
	size := min(a[2], maxRWCount)
	if !accessOK(a[1], size) {
		return 0, abi.EFAULT
	}
	s, of, err := socketOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	r, err := s.Recv(of.Ctx(t), int(min(size, maxIO)), int(uint32(a[3])))
	if err != nil {
		return 0, restartable(err)
	}
	putFiles(r.Files)
	if err := t.P.MM.CopyOut(uintptr(a[1]), r.Data); err != nil {
		return 0, err
	}
	if a[4] != 0 {
		if err := putSockaddr(t, sockaddrOf(s, r.From), recvNamed(s, r), a[4], a[5]); err != nil {
			return 0, err
		}
	}
	return uint64(r.N), nil
}

// recvMsg is ___sys_recvmsg for one header at va: the data over the
// iovecs, the ancillary data, the name, msg_flags and msg_controllen.
func recvMsg(t *libstarry.Thread, s *unixsock.Socket, of *fdt.OpenFile, va uint64, flags int) (uint64, error) {
	h, err := getMsghdr(t, va)
	if err != nil {
		return 0, err
	}
	r, err := s.Recv(of.Ctx(t), min(iovTotal(h.iov), maxIO), flags)
	if err != nil {
		return 0, restartable(err)
	}
	if err := scatter(t, h.iov, r.Data); err != nil {
		putFiles(r.Files)
		return 0, err
	}
	mflags := flags&abi.MSG_CMSG_CLOEXEC | r.Flags
	used, cflags := putCmsgs(t, h, r, flags&abi.MSG_CMSG_CLOEXEC != 0)
	mflags |= cflags
	if h.name != 0 {
		if err := putSockaddr(t, sockaddrOf(s, r.From), recvNamed(s, r), h.name, va+8); err != nil {
			return 0, err
		}
	}
	if err := putU32(t, va+48, uint32(mflags)); err != nil {
		return 0, err
	}
	if err := putU64(t, va+40, used); err != nil {
		return 0, err
	}
	return uint64(r.N), nil
}

func sysRecvmsg(t *libstarry.Thread, a Args) (uint64, error) {
	if a[2]&msgCmsgCompat != 0 {
		return 0, abi.EINVAL
	}
	s, of, err := socketOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	return recvMsg(t, s, of, a[1], int(uint32(a[2])))
}

// sysRecvmmsg is do_recvmmsg: up to UIO_MAXIOV messages; MSG_WAITFORONE
// stops waiting after the first; the timeout is looked at after each
// message, and what is left of it written back.
func sysRecvmmsg(t *libstarry.Thread, a Args) (uint64, error) {
	var deadline time.Time
	if a[4] != 0 {
		d, err := getTimespec(t, a[4])
		if err != nil {
			return 0, err
		}
		deadline = time.Now().Add(d)
	}
	if a[3]&msgCmsgCompat != 0 {
		return 0, abi.EINVAL
	}
	s, of, err := socketOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	flags := int(uint32(a[3]))
	vlen := min(a[2], iovMax)
	var got uint64
	for got < vlen {
		entry := a[1] + got*mmsghdrSize
		n, e := recvMsg(t, s, of, entry, flags&^abi.MSG_WAITFORONE)
		if e == nil {
			e = putU32(t, entry+msghdrSize, uint32(n))
		}
		if e != nil {
			err = e
			break
		}
		got++
		if flags&abi.MSG_WAITFORONE != 0 {
			flags |= abi.MSG_DONTWAIT
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			break
		}
	}
	if got == 0 {
		return 0, err
	}
	if !deadline.IsZero() {
		if err := putTimespec(t, a[4], max(time.Until(deadline), 0)); err != nil {
			return 0, err
		}
	}
	return got, nil
}

// socketVectored is readv and writev (a[1], a[2]: the iovecs) on a
// socket, as sock_read_iter and sock_write_iter do them: one receive or
// send over all the iovecs, so that a datagram is one record. ok is
// false for other files; the caller keeps its reference either way.
func socketVectored(t *libstarry.Thread, of *fdt.OpenFile, a Args, write bool) (n uint64, ok bool, err error) {
	s, ok := of.File.(*unixsock.Socket)
	if !ok {
		return 0, false, nil
	}
	n, err = socketRW(t, s, of, a[1], a[2], write)
	return n, true, err
}

func socketRW(t *libstarry.Thread, s *unixsock.Socket, of *fdt.OpenFile, iovVA, n uint64, write bool) (uint64, error) {
	iov, err := iovecs(t, iovVA, n)
	if err != nil {
		return 0, err
	}
	total := iovTotal(iov)
	if total == 0 {
		return 0, nil // vfs_readv and vfs_writev stop here, the socket unasked
	}
	if !write {
		r, err := s.Recv(of.Ctx(t), min(total, maxIO), 0)
		if err != nil {
			return 0, restartable(err)
		}
		putFiles(r.Files)
		return uint64(r.N), scatter(t, iov, r.Data)
	}
	size, err := sendLimit(s, total)
	if err != nil {
		return 0, err
	}
	data, err := gather(t, iov, size)
	if err != nil {
		return 0, err
	}
	return sendTo(t, s, of, unixsock.SendMsg{Data: data}, nil)
}
