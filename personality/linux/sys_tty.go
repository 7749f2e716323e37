package linux

import (
	"encoding/binary"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/libstarry/tty"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Terminal ioctls (tty_ioctl, tty_mode_ioctl, n_tty_ioctl), decoded for
// libstarry's terminals.

// The requests (include/uapi/asm-generic/ioctls.h).
const (
	tcgets      = 0x5401
	tcsets      = 0x5402
	tcsetsw     = 0x5403
	tcsetsf     = 0x5404
	tcgeta      = 0x5405
	tcseta      = 0x5406
	tcsetaw     = 0x5407
	tcsetaf     = 0x5408
	tcsbrk      = 0x5409
	tcxonc      = 0x540a
	tcflsh      = 0x540b
	tiocsctty   = 0x540e
	tiocgpgrp   = 0x540f
	tiocspgrp   = 0x5410
	tiocoutq    = 0x5411
	tiocsti     = 0x5412
	tiocgwinsz  = 0x5413
	tiocswinsz  = 0x5414
	tiocinq     = 0x541b
	tiocnotty   = 0x5422
	tiocsetd    = 0x5423
	tiocgetd    = 0x5424
	tcsbrkp     = 0x5425
	tiocgsid    = 0x5429
	tcgets2     = 0x802c542a
	tcsets2     = 0x402c542b
	tcsetsw2    = 0x402c542c
	tcsetsf2    = 0x402c542d
	tiocvhangup = 0x5437
)

// ttyIoctl serves a terminal request; ENOTTY for one it does not know.
func ttyIoctl(t *libstarry.Thread, tt *libstarry.Tty, cmd uint32, arg uint64) (uint64, error) {
	ld := tt.LD
	switch cmd {
	case tcgets:
		return 0, t.P.MM.CopyOut(uintptr(arg), ld.Termios().Bytes())
	case tcgeta:
		return 0, t.P.MM.CopyOut(uintptr(arg), termio(ld.Termios()))
	case tcseta, tcsetaw, tcsetaf:
		var b [17]byte
		if err := t.P.MM.CopyIn(uintptr(arg), b[:]); err != nil {
			return 0, err
		}
		return 0, t.SetTermios(tt, fromTermio(ld.Termios(), b[:]), cmd == tcsetaf)
	case tcgets2:
		return 0, t.P.MM.CopyOut(uintptr(arg), termios2(ld.Termios()))
	case tcsets, tcsetsw, tcsetsf, tcsets2, tcsetsw2, tcsetsf2:
		n := 36
		if cmd>>16 != 0 {
			n = 44
		}
		b := make([]byte, n)
		if err := t.P.MM.CopyIn(uintptr(arg), b); err != nil {
			return 0, err
		}
		return 0, t.SetTermios(tt, tty.ParseTermios(b), cmd == tcsetsf || cmd == tcsetsf2)
	case tiocgwinsz:
		ws := ld.Winsize()
		return 0, putStruct(t, arg, abi.Winsize{Row: ws.Row, Col: ws.Col, Xpixel: ws.XPixel, Ypixel: ws.YPixel})
	case tiocswinsz:
		var b [8]byte
		if err := t.P.MM.CopyIn(uintptr(arg), b[:]); err != nil {
			return 0, err
		}
		le := binary.LittleEndian
		ld.SetWinsize(tty.Winsize{Row: le.Uint16(b[0:]), Col: le.Uint16(b[2:]), XPixel: le.Uint16(b[4:]), YPixel: le.Uint16(b[6:])})
		return 0, nil
	case tiocgpgrp:
		pg, err := t.Pgrp(tt)
		if err != nil {
			return 0, err
		}
		return 0, putU32(t, arg, uint32(pg))
	case tiocspgrp:
		pg, err := getU32(t, arg)
		if err != nil {
			return 0, err
		}
		return 0, t.SetPgrp(tt, int(int32(pg)))
	case tiocgsid:
		sid, err := t.TtySid(tt)
		if err != nil {
			return 0, err
		}
		return 0, putU32(t, arg, uint32(sid))
	case tiocsctty:
		return 0, t.SetCtty(tt, arg == 1)
	case tiocnotty:
		return 0, t.NoCtty(tt)
	case tiocinq:
		return 0, putU32(t, arg, uint32(ld.Pending()))
	case tiocoutq:
		return 0, putU32(t, arg, 0) // output is never queued here
	case tcflsh:
		if arg > 2 {
			return 0, abi.EINVAL
		}
		if err := t.CheckTtyChange(tt); err != nil {
			return 0, err
		}
		ld.Flush(arg != 1)
		return 0, nil
	case tcxonc:
		if err := t.CheckTtyChange(tt); err != nil {
			return 0, err
		}
		if arg > tty.TCION || !ld.Flow(int(arg)) {
			return 0, abi.EINVAL
		}
		return 0, nil
	case tcsbrk, tcsbrkp:
		return 0, nil // no output waits to drain, and a break means nothing on these lines
	case tiocgetd:
		return 0, putU32(t, arg, 0) // N_TTY
	case tiocsetd:
		d, err := getU32(t, arg)
		if err == nil && d != 0 {
			err = abi.EINVAL // only N_TTY is here
		}
		return 0, err
	case tiocsti:
		if !t.P.Cred().Capable(libstarry.CapSysAdmin) {
			return 0, abi.EPERM // dev.tty.legacy_tiocsti is off
		}
		var c [1]byte
		if err := t.P.MM.CopyIn(uintptr(arg), c[:]); err != nil {
			return 0, err
		}
		ld.Receive(c[:])
		return 0, nil
	case tiocvhangup:
		if !t.P.Cred().Capable(libstarry.CapSysAdmin) {
			return 0, abi.EPERM
		}
		ld.Hangup()
		return 0, nil
	}
	return ptyIoctl(t, tt, cmd, arg)
}

// termios2 is struct termios2: termios, then the input and output
// speeds, 38400 as B38400 says.
func termios2(ts tty.Termios) []byte {
	b := append(ts.Bytes(), make([]byte, 8)...)
	binary.LittleEndian.PutUint32(b[36:], 38400)
	binary.LittleEndian.PutUint32(b[40:], 38400)
	return b
}

// termio is struct termio (TCGETA): 16-bit flags, the line and the
// first 8 control characters.
func termio(ts tty.Termios) []byte {
	b := make([]byte, 17)
	le := binary.LittleEndian
	le.PutUint16(b[0:], uint16(ts.Iflag))
	le.PutUint16(b[2:], uint16(ts.Oflag))
	le.PutUint16(b[4:], uint16(ts.Cflag))
	le.PutUint16(b[6:], uint16(ts.Lflag))
	b[8] = ts.Line
	copy(b[9:], ts.CC[:8])
	return b
}

// fromTermio is user_termio_to_kernel_termios: the low 16 bits of each
// flag word and the first 8 control characters change.
func fromTermio(ts tty.Termios, b []byte) tty.Termios {
	le := binary.LittleEndian
	low := func(old uint32, v uint16) uint32 { return old&^0xffff | uint32(v) }
	ts.Iflag = low(ts.Iflag, le.Uint16(b[0:]))
	ts.Oflag = low(ts.Oflag, le.Uint16(b[2:]))
	ts.Cflag = low(ts.Cflag, le.Uint16(b[4:]))
	ts.Lflag = low(ts.Lflag, le.Uint16(b[6:]))
	ts.Line = b[8]
	copy(ts.CC[:8], b[9:17])
	return ts
}
