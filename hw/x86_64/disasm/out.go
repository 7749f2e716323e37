package disasm

// out appends text to a caller-supplied buffer, dropping whatever does not
// fit: the crash path has a fixed buffer and nowhere to grow it.
type out struct {
	buf []byte
	n   int
}

func (w *out) byte(c byte) {
	if w.n < len(w.buf) {
		w.buf[w.n] = c
		w.n++
	}
}

func (w *out) str(s string) {
	for i := 0; i < len(s); i++ {
		w.byte(s[i])
	}
}

// lower writes s in lower case (x86asm names are upper case).
func (w *out) lower(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		w.byte(c)
	}
}

const hexDigits = "0123456789abcdef"

// hex writes v as 0x followed by lower-case hex digits without leading zeros.
func (w *out) hex(v uint64) {
	w.str("0x")
	w.digits(v, 16)
}

// signedHex writes v as hex with a leading minus sign when negative.
func (w *out) signedHex(v int64) {
	if v < 0 {
		w.byte('-')
		w.hex(uint64(-v))
		return
	}
	w.hex(uint64(v))
}

func (w *out) dec(v uint64) { w.digits(v, 10) }

// digits writes v in the given base without a prefix.
func (w *out) digits(v, base uint64) {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = hexDigits[v%base]
		v /= base
		if v == 0 {
			break
		}
	}
	for ; i < len(tmp); i++ {
		w.byte(tmp[i])
	}
}

// rawBytes writes code as space-separated hex bytes, padded to the width
// of rawColumn bytes so mnemonics line up, then a three-space gap.
func (w *out) rawBytes(code []byte) {
	for i, b := range code {
		if i > 0 {
			w.byte(' ')
		}
		w.byte(hexDigits[b>>4])
		w.byte(hexDigits[b&15])
	}
	for i := len(code); i < rawColumn; i++ {
		w.str("   ")
	}
	w.str("   ")
}

// rawColumn is how many bytes the raw column is padded for; longer
// instructions just push the mnemonic right.
const rawColumn = 8
