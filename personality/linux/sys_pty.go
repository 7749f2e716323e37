package linux

import (
	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Pseudo-terminal masters' ioctls (pty_unix98_ioctl); the rest of a
// master's terminal requests act on its slave, whose settings and
// window size the pair shares here.

const (
	tiocgptn    = 0x80045430
	tiocsptlck  = 0x40045431
	tiocgptlck  = 0x80045439
	tiocgptpeer = 0x5441
	tiocpkt     = 0x5420
)

func ptyMasterIoctl(t *libstarry.Thread, m *libstarry.PtyMaster, cmd uint32, arg uint64) (uint64, error) {
	switch cmd {
	case tiocgptn:
		return 0, putU32(t, arg, uint32(m.Index()))
	case tiocsptlck:
		v, err := getU32(t, arg)
		if err != nil {
			return 0, err
		}
		m.SetLocked(v != 0)
		return 0, nil
	case tiocgptlck:
		v := uint32(0)
		if m.Locked() {
			v = 1
		}
		return 0, putU32(t, arg, v)
	case tiocgptpeer:
		flags := int(arg)
		if flags&^(abi.O_ACCMODE|abi.O_NOCTTY|abi.O_NONBLOCK|abi.O_CLOEXEC) != 0 {
			return 0, abi.EINVAL
		}
		f, err := m.OpenPeer(t.P, flags)
		if err != nil {
			return 0, err
		}
		of := fdt.New(f, flags&(abi.O_ACCMODE|abi.O_NONBLOCK))
		fd, err := t.P.FDs.Install(of, 0, t.P.NoFile(), flags&abi.O_CLOEXEC != 0)
		return uint64(fd), err
	case tiocinq:
		return 0, putU32(t, arg, uint32(m.Pending()))
	case tiocpkt:
		return 0, abi.ENOTTY // packet mode is not implemented
	case tiocsctty, tiocnotty, tiocgpgrp, tiocspgrp, tiocgsid:
		return 0, abi.ENOTTY // the master is no one's controlling terminal here
	}
	return ttyIoctl(t, m.Slave(), cmd, arg)
}

// ptyIoctl is what a slave does not know: ENOTTY.
func ptyIoctl(*libstarry.Thread, *libstarry.Tty, uint32, uint64) (uint64, error) {
	return 0, abi.ENOTTY
}
