package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// The commands file (/.starry/commands in the initramfs) tells the kernel
// what to run in one boot. It is UTF-8 text with one command per line
// ("\n"-terminated); a line's arguments are separated by single NUL
// bytes, so arguments keep their spaces and need no quoting. A line whose
// first argument is "&" starts the rest in the background: the kernel
// does not wait for it and kills it once the foreground commands are
// done. Commands run in order, each as a new process in its own
// protection domain; the kernel prints "starry: exit CMD status=N" after
// each foreground command and powers off with the last one's status.

// bgMarker is the first argument of a background command.
const bgMarker = "&"

// command is one line of the commands file.
type command struct {
	background bool
	argv       []string
}

// checkCommand rejects what the line format cannot carry.
func checkCommand(c command) error {
	if len(c.argv) == 0 || c.argv[0] == "" {
		return fmt.Errorf("a command needs a program")
	}
	if c.argv[0] == bgMarker {
		return fmt.Errorf("a program cannot be named %q (that word marks a background command)", bgMarker)
	}
	for _, a := range c.argv {
		if strings.ContainsAny(a, "\x00\n") {
			return fmt.Errorf("argument %q: a NUL or newline cannot be passed in the commands file", a)
		}
	}
	return nil
}

// encodeCommands renders the commands file. At least one command must
// run in the foreground, since its status is the run's.
func encodeCommands(cmds []command) ([]byte, error) {
	var b strings.Builder
	fg := false
	for _, c := range cmds {
		if err := checkCommand(c); err != nil {
			return nil, err
		}
		args := c.argv
		if c.background {
			args = append([]string{bgMarker}, args...)
		} else {
			fg = true
		}
		b.WriteString(strings.Join(args, "\x00"))
		b.WriteByte('\n')
	}
	if !fg {
		return nil, fmt.Errorf("no foreground command: the run's status is the last foreground command's")
	}
	return []byte(b.String()), nil
}

// commandFromArgs turns "run -- [&] prog args" into a command.
func commandFromArgs(args []string) command {
	if len(args) > 0 && args[0] == bgMarker {
		return command{background: true, argv: args[1:]}
	}
	return command{argv: args}
}

// parseScript reads a --script file: one command per line, words split
// on blanks; "double quotes" keep blanks (and \" or \\ inside them); a
// leading unquoted & runs the command in the background; blank lines and
// lines starting with # are skipped. There is no other shell syntax.
func parseScript(r io.Reader) ([]command, error) {
	var cmds []command
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		// Lines have no length limit here: the kernel answers one that
		// is too long for exec with E2BIG, as Linux would.
		text, err := br.ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, err
		}
		if text == "" && err == io.EOF {
			break
		}
		line := strings.TrimSpace(text)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		words, quotedFirst, err := splitWords(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		c := command{argv: words}
		if words[0] == bgMarker && !quotedFirst {
			c = command{background: true, argv: words[1:]}
		}
		if err := checkCommand(c); err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		cmds = append(cmds, c)
	}
	if len(cmds) == 0 {
		return nil, fmt.Errorf("no commands in the script")
	}
	return cmds, nil
}

// splitWords splits a script line; quotedFirst says whether the first
// word had quotes, so a quoted "&" is not taken as the background mark.
func splitWords(line string) (words []string, quotedFirst bool, err error) {
	var cur strings.Builder
	inWord, inQuote, quoted := false, false, false
	end := func() {
		if inWord {
			if len(words) == 0 {
				quotedFirst = quoted
			}
			words = append(words, cur.String())
		}
		cur.Reset()
		inWord, quoted = false, false
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(line) && (line[i+1] == '"' || line[i+1] == '\\'):
			i++
			cur.WriteByte(line[i])
		case c == '"':
			inQuote, inWord, quoted = !inQuote, true, true
		case !inQuote && (c == ' ' || c == '\t'):
			end()
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	if inQuote {
		return nil, false, fmt.Errorf("unterminated double quote")
	}
	end()
	return words, quotedFirst, nil
}
