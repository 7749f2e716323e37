package tty

import "time"

// Receive takes bytes from the device (n_tty_receive_buf): input
// mapping, flow control, the signal characters, canonical editing and
// echo. Echoes and signals go out after the lock is dropped.
func (l *LineDisc) Receive(b []byte) {
	var echo []byte
	var sigs []int
	l.mu.Lock()
	for _, c := range b {
		echo, sigs = l.receive(c, echo, sigs)
	}
	l.last = time.Now()
	l.mu.Unlock()
	if len(echo) > 0 && l.hooks.Output != nil {
		l.hooks.Output(echo)
	}
	for _, s := range sigs {
		if l.hooks.Signal != nil {
			l.hooks.Signal(s)
		}
	}
	l.q.Notify()
}

// receive handles one byte; l.mu is held.
func (l *LineDisc) receive(c byte, echo []byte, sigs []int) ([]byte, []int) {
	t := &l.t
	if t.Iflag&ISTRIP != 0 {
		c &= 0x7f
	}
	if l.lnext {
		l.lnext = false
		return l.literal(c, echo), sigs
	}
	if t.Iflag&IXON != 0 {
		switch {
		case c == t.CC[VSTOP] && c != 0:
			l.stopped = true
			return echo, sigs
		case c == t.CC[VSTART] && c != 0:
			l.stopped = l.tcoStop
			return echo, sigs
		case l.stopped && t.Iflag&IXANY != 0:
			l.stopped = l.tcoStop
		}
	}
	switch {
	case c == '\r' && t.Iflag&IGNCR != 0:
		return echo, sigs
	case c == '\r' && t.Iflag&ICRNL != 0:
		c = '\n'
	case c == '\n' && t.Iflag&INLCR != 0:
		c = '\r'
	}
	if t.Iflag&IUCLC != 0 && t.Lflag&IEXTEN != 0 && c >= 'A' && c <= 'Z' {
		c += 'a' - 'A'
	}
	if t.Lflag&ISIG != 0 && c != 0 {
		sig := 0
		switch c {
		case t.CC[VINTR]:
			sig = SIGINT
		case t.CC[VQUIT]:
			sig = SIGQUIT
		case t.CC[VSUSP]:
			sig = SIGTSTP
		}
		if sig != 0 {
			if t.Lflag&NOFLSH == 0 {
				l.flushInput()
			}
			if t.Lflag&ECHO != 0 {
				echo = l.echoChar(c, echo)
			}
			return echo, append(sigs, sig)
		}
	}
	if t.Lflag&ICANON == 0 {
		l.raw = append(l.raw, c)
		if t.Lflag&ECHO != 0 {
			echo = l.echoChar(c, echo)
		}
		return echo, sigs
	}
	return l.canonical(c, echo), sigs
}

// canonical is line editing: erase, word erase, kill, reprint, the
// literal-next character, and the characters that end a line.
func (l *LineDisc) canonical(c byte, echo []byte) []byte {
	t := &l.t
	ext := t.Lflag&IEXTEN != 0
	switch {
	case c == 0:
	case c == t.CC[VERASE]:
		return l.erase(1, echo)
	case c == t.CC[VWERASE] && ext:
		return l.erase(2, echo)
	case c == t.CC[VKILL]:
		return l.kill(c, echo)
	case c == t.CC[VREPRINT] && ext:
		if t.Lflag&ECHO != 0 {
			echo = append(l.echoChar(c, echo), '\r', '\n')
			for _, e := range l.edit {
				echo = l.echoChar(e, echo)
			}
		}
		return echo
	case c == t.CC[VLNEXT] && ext:
		l.lnext = true
		if t.Lflag&ECHO != 0 && t.Lflag&ECHOCTL != 0 {
			echo = append(echo, '^', '\b')
		}
		return echo
	case c == t.CC[VEOF]:
		l.endLine()
		return echo
	}
	if c == '\n' || c != 0 && (c == t.CC[VEOL] || c == t.CC[VEOL2]) {
		if t.Lflag&ECHO != 0 || c == '\n' && t.Lflag&ECHONL != 0 {
			echo = l.echoChar(c, echo)
		}
		l.edit = append(l.edit, c)
		l.endLine()
		return echo
	}
	return l.literal(c, echo)
}

// literal adds c to the input as it is.
func (l *LineDisc) literal(c byte, echo []byte) []byte {
	if l.t.Lflag&ICANON == 0 {
		l.raw = append(l.raw, c)
	} else if len(l.edit) >= maxLine {
		if l.t.Iflag&IMAXBEL != 0 {
			echo = append(echo, 7)
		}
		return echo
	} else {
		l.edit = append(l.edit, c)
	}
	if l.t.Lflag&ECHO != 0 {
		echo = l.echoChar(c, echo)
	}
	return echo
}

func (l *LineDisc) endLine() {
	l.lines = append(l.lines, l.edit)
	l.edit = nil
}

// echoChar echoes c: a control character as ^X with ECHOCTL (not tab
// or newline), through output processing.
func (l *LineDisc) echoChar(c byte, echo []byte) []byte {
	if l.t.Lflag&ECHOCTL != 0 && isCtl(c) && c != '\t' && c != '\n' {
		return append(echo, '^', c^0x40)
	}
	return l.post(echo, []byte{c})
}

func isCtl(c byte) bool { return c < 0x20 || c == 0x7f }

// width is how many columns c took when it was echoed.
func (l *LineDisc) width(c byte) int {
	switch {
	case c == '\t':
		return 1 // Linux recomputes the tab's column; one space is erased here
	case isCtl(c):
		if l.t.Lflag&ECHOCTL != 0 {
			return 2
		}
		return 0
	case l.t.Iflag&IUTF8 != 0 && c&0xc0 == 0x80:
		return 0 // a UTF-8 continuation byte
	}
	return 1
}

// erase removes the last character (kind 1) or word (kind 2, BSD's
// ALTWERASE: non-alphanumerics, then alphanumerics) of the line being
// typed, echoing "\b \b" per column with ECHOE, else the erase char.
func (l *LineDisc) erase(kind int, echo []byte) []byte {
	seenAlnum := false
	for len(l.edit) > 0 {
		c := l.edit[len(l.edit)-1]
		if kind == 2 {
			alnum := c == '_' || c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
			if alnum {
				seenAlnum = true
			} else if seenAlnum {
				break
			}
		}
		n := 1
		if l.t.Iflag&IUTF8 != 0 { // a whole UTF-8 sequence goes
			for n < len(l.edit) && l.edit[len(l.edit)-n]&0xc0 == 0x80 {
				n++
			}
		}
		cols := 0
		for _, b := range l.edit[len(l.edit)-n:] {
			cols += l.width(b)
		}
		l.edit = l.edit[:len(l.edit)-n]
		if l.t.Lflag&ECHO != 0 {
			if l.t.Lflag&ECHOE != 0 {
				for i := 0; i < cols; i++ {
					echo = append(echo, '\b', ' ', '\b')
				}
			} else {
				echo = l.echoChar(l.t.CC[VERASE], echo)
			}
		}
		if kind == 1 {
			break
		}
	}
	return echo
}

// kill removes the whole line being typed (VKILL): erased column by
// column with ECHOKE and ECHOE, else the kill character is echoed, with
// a newline when ECHOK asks for one.
func (l *LineDisc) kill(c byte, echo []byte) []byte {
	lf := l.t.Lflag
	if lf&ECHO == 0 {
		l.edit = nil
		return echo
	}
	if lf&ECHOK == 0 || lf&ECHOKE == 0 || lf&ECHOE == 0 {
		l.edit = nil
		echo = l.echoChar(c, echo)
		if lf&ECHOK != 0 {
			echo = l.post(echo, []byte{'\n'})
		}
		return echo
	}
	for len(l.edit) > 0 {
		echo = l.erase(1, echo)
	}
	return echo
}
