// Package tty is the terminal line discipline (Linux's n_tty): input
// processing with canonical line editing, echo, the signal characters,
// VMIN/VTIME reads, and output processing, between a device (the serial
// console, a pseudo-terminal's master) and the programs reading and
// writing the terminal. Job control and sessions are the caller's: the
// discipline reports signal characters through Hooks.
package tty

// Termios is the kernel's struct termios (TCGETS, TCSETS): 36 bytes.
type Termios struct {
	Iflag, Oflag, Cflag, Lflag uint32
	Line                       uint8
	CC                         [NCCS]uint8
}

// NCCS is the kernel termios's number of control characters.
const NCCS = 19

// Indices into CC (include/uapi/asm-generic/termbits.h).
const (
	VINTR    = 0
	VQUIT    = 1
	VERASE   = 2
	VKILL    = 3
	VEOF     = 4
	VTIME    = 5
	VMIN     = 6
	VSWTC    = 7
	VSTART   = 8
	VSTOP    = 9
	VSUSP    = 10
	VEOL     = 11
	VREPRINT = 12
	VDISCARD = 13
	VWERASE  = 14
	VLNEXT   = 15
	VEOL2    = 16
)

// Input flags.
const (
	IGNBRK  = 0o1
	BRKINT  = 0o2
	ISTRIP  = 0o40
	INLCR   = 0o100
	IGNCR   = 0o200
	ICRNL   = 0o400
	IUCLC   = 0o1000
	IXON    = 0o2000
	IXANY   = 0o4000
	IXOFF   = 0o10000
	IMAXBEL = 0o20000
	IUTF8   = 0o40000
)

// Output flags.
const (
	OPOST  = 0o1
	OLCUC  = 0o2
	ONLCR  = 0o4
	OCRNL  = 0o10
	ONOCR  = 0o20
	ONLRET = 0o40
)

// Control flags.
const (
	B38400 = 0o17
	CS8    = 0o60
	CREAD  = 0o200
	HUPCL  = 0o2000
	CLOCAL = 0o4000
)

// Local flags.
const (
	ISIG    = 0o1
	ICANON  = 0o2
	XCASE   = 0o4
	ECHO    = 0o10
	ECHOE   = 0o20
	ECHOK   = 0o40
	ECHONL  = 0o100
	NOFLSH  = 0o200
	TOSTOP  = 0o400
	ECHOCTL = 0o1000
	ECHOPRT = 0o2000
	ECHOKE  = 0o4000
	FLUSHO  = 0o10000
	PENDIN  = 0o40000
	IEXTEN  = 0o100000
	EXTPROC = 0o200000
)

// ctrl is the control character of a letter (^C is ctrl('C')).
func ctrl(c byte) uint8 { return c & 0x1f }

// StdTermios is tty_std_termios: what a new terminal starts with.
func StdTermios() Termios {
	t := Termios{
		Iflag: ICRNL | IXON,
		Oflag: OPOST | ONLCR,
		Cflag: B38400 | CS8 | CREAD | HUPCL,
		Lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	}
	t.CC[VINTR], t.CC[VQUIT], t.CC[VERASE], t.CC[VKILL] = ctrl('C'), ctrl('\\'), 0x7f, ctrl('U')
	t.CC[VEOF], t.CC[VTIME], t.CC[VMIN] = ctrl('D'), 0, 1
	t.CC[VSTART], t.CC[VSTOP], t.CC[VSUSP] = ctrl('Q'), ctrl('S'), ctrl('Z')
	t.CC[VREPRINT], t.CC[VDISCARD], t.CC[VWERASE], t.CC[VLNEXT] = ctrl('R'), ctrl('O'), ctrl('W'), ctrl('V')
	return t
}

// Bytes is t in the ABI's layout.
func (t Termios) Bytes() []byte {
	b := make([]byte, 36)
	put32(b[0:], t.Iflag)
	put32(b[4:], t.Oflag)
	put32(b[8:], t.Cflag)
	put32(b[12:], t.Lflag)
	b[16] = t.Line
	copy(b[17:], t.CC[:])
	return b
}

// ParseTermios reads the ABI's layout (36 bytes).
func ParseTermios(b []byte) Termios {
	t := Termios{Iflag: get32(b[0:]), Oflag: get32(b[4:]), Cflag: get32(b[8:]), Lflag: get32(b[12:]), Line: b[16]}
	copy(t.CC[:], b[17:36])
	return t
}

func put32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
func get32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// Winsize is struct winsize (TIOCGWINSZ, TIOCSWINSZ).
type Winsize struct{ Row, Col, XPixel, YPixel uint16 }
