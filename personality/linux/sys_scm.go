package linux

import (
	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/unixsock"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Ancillary data (net/core/scm.c): what sendmsg's msg_control carries
// in, and what recvmsg writes to it.

func cmsgAlign(n uint64) uint64 { return (n + 7) &^ 7 }

// checkCreds is scm_check_creds and __scm_send's pid lookup: a sender
// may claim only its own pid and its real, effective or saved IDs,
// unless privileged; -1 is EINVAL, a pid nothing has ESRCH.
func checkCreds(t *libstarry.Thread, c unixsock.Ucred) error {
	if c.UID == ^uint32(0) || c.GID == ^uint32(0) {
		return abi.EINVAL
	}
	cr := t.P.Cred()
	root := cr.EUID == 0
	pidOK := int(c.Pid) == t.P.Pid() || root
	uidOK := c.UID == cr.UID || c.UID == cr.EUID || c.UID == cr.SUID || root
	gidOK := c.GID == cr.GID || c.GID == cr.EGID || c.GID == cr.SGID || root
	if !pidOK || !uidOK || !gidOK {
		return abi.EPERM
	}
	if !t.P.Kernel().IDInUse(int(c.Pid)) {
		return abi.ESRCH
	}
	return nil
}

// parseCmsgs is __scm_send: every header must fit (EINVAL); SOL_SOCKET
// ones must be SCM_RIGHTS (at most SCM_MAX_FD open descriptors in all,
// EBADF for others) or SCM_CREDENTIALS (checked); other levels are
// skipped. SCM_RIGHTS is EINVAL on a socket not AF_UNIX (unix says
// so). The files come with a reference each.
func parseCmsgs(t *libstarry.Thread, ctl []byte, unix bool) (files []*fdt.OpenFile, cred *unixsock.Ucred, err error) {
	defer func() {
		if err != nil {
			putFiles(files)
			files = nil
		}
	}()
	n := uint64(len(ctl))
	for off := uint64(0); off+cmsghdrSize <= n; {
		clen := le.Uint64(ctl[off:])
		level, typ := int32(le.Uint32(ctl[off+8:])), int32(le.Uint32(ctl[off+12:]))
		if clen < cmsghdrSize || clen > n-off {
			return files, nil, abi.EINVAL
		}
		data := ctl[off+cmsghdrSize : off+clen]
		off += cmsgAlign(clen)
		if level != abi.SOL_SOCKET {
			continue
		}
		switch typ {
		case abi.SCM_RIGHTS:
			if !unix {
				return files, nil, abi.EINVAL
			}
			num := len(data) / 4
			if num == 0 {
				continue
			}
			if num > scmMaxFD || len(files)+num > scmMaxFD {
				return files, nil, abi.EINVAL
			}
			for i := 0; i < num; i++ {
				fd := int32(le.Uint32(data[4*i:]))
				of, err := t.P.FDs.Get(int(fd))
				if fd < 0 || err != nil {
					return files, nil, abi.EBADF
				}
				files = append(files, of)
			}
		case abi.SCM_CREDENTIALS:
			if len(data) != ucredSize {
				return files, nil, abi.EINVAL
			}
			c := unixsock.Ucred{Pid: int32(le.Uint32(data)), UID: le.Uint32(data[4:]), GID: le.Uint32(data[8:])}
			if err := checkCreds(t, c); err != nil {
				return files, nil, err
			}
			cred = &c
		default:
			return files, nil, abi.EINVAL
		}
	}
	return files, cred, nil
}

// putCmsgs is scm_recv: SCM_CREDENTIALS if the socket passes them, then
// SCM_RIGHTS as descriptors installed for as many files as msg_control
// has room for (MSG_CMSG_CLOEXEC marks them close-on-exec); the rest are
// closed, and MSG_CTRUNC tells. It returns the control bytes used.
func putCmsgs(t *libstarry.Thread, h msghdr, r unixsock.RecvMsg, cloexec bool) (uint64, int) {
	flags := 0
	if h.control == 0 {
		if r.Cred != nil || len(r.Files) > 0 {
			flags |= abi.MSG_CTRUNC
		}
		putFiles(r.Files)
		return 0, flags
	}
	at, room := h.control, h.controllen
	if c := r.Cred; c != nil {
		b := le.AppendUint32(le.AppendUint32(le.AppendUint32(nil, uint32(c.Pid)), c.UID), c.GID)
		at, room, flags = putCmsg(t, at, room, abi.SCM_CREDENTIALS, b, flags)
	}
	if len(r.Files) == 0 {
		return h.controllen - room, flags
	}
	fdmax := 0
	if room > cmsghdrSize {
		fdmax = int(min((room-cmsghdrSize)/4, uint64(len(r.Files))))
	}
	var fds []int
	failed := false
	for i, f := range r.Files {
		if i >= fdmax || failed { // no room, or a descriptor table full (EMFILE)
			f.DecRef()
			continue
		}
		fd, err := t.P.FDs.Install(f, 0, t.P.NoFile(), cloexec) // a failure drops f
		failed = err != nil
		if !failed {
			fds = append(fds, fd)
		}
	}
	if len(fds) < len(r.Files) {
		flags |= abi.MSG_CTRUNC
	}
	if len(fds) == 0 {
		return h.controllen - room, flags
	}
	b := make([]byte, 0, 4*len(fds))
	for _, fd := range fds {
		b = le.AppendUint32(b, uint32(fd))
	}
	room, ok := putRights(t, at, room, b)
	if !ok {
		for _, fd := range fds {
			_ = t.P.FDs.Close(fd)
		}
		flags |= abi.MSG_CTRUNC
	}
	return h.controllen - room, flags
}

// putCmsg is put_cmsg: a header and data, cut (MSG_CTRUNC) to the room
// left; nothing when not even a header fits.
func putCmsg(t *libstarry.Thread, at, room uint64, typ int, data []byte, flags int) (uint64, uint64, int) {
	if room < cmsghdrSize {
		return at, room, flags | abi.MSG_CTRUNC
	}
	cmlen := uint64(cmsghdrSize + len(data))
	if room < cmlen {
		flags |= abi.MSG_CTRUNC
		cmlen = room
	}
	b := cmsgHeader(cmlen, typ)
	b = append(b, data...)
	_ = t.P.MM.CopyOut(uintptr(at), b[:cmlen]) // as put_cmsg, a fault is not the call's error
	space := min(cmsgAlign(uint64(cmsghdrSize+len(data))), room)
	return at + space, room - space, flags
}

// putRights writes the SCM_RIGHTS header and descriptors
// (scm_detach_fds), which fit: the caller counted them to.
func putRights(t *libstarry.Thread, at, room uint64, fds []byte) (uint64, bool) {
	cmlen := uint64(cmsghdrSize + len(fds))
	b := append(cmsgHeader(cmlen, abi.SCM_RIGHTS), fds...)
	if err := t.P.MM.CopyOut(uintptr(at), b); err != nil {
		return room, false
	}
	return room - min(cmsgAlign(cmlen), room), true
}

func cmsgHeader(cmlen uint64, typ int) []byte {
	b := le.AppendUint64(nil, cmlen)
	b = le.AppendUint32(b, abi.SOL_SOCKET)
	return le.AppendUint32(b, uint32(typ))
}
