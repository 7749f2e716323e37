package main

import (
	"bytes"
	"fmt"

	hw "github.com/starry-go/starry/hw/x86_64"
)

// consoleTest ("consoletest" on the command line) echoes one line of
// console input back unchanged, for tests/console_test.go: hw.ConsoleRead
// must deliver the bytes as sent and hw.ConsoleWriteRaw must not turn
// "\n" into "\r\n" as fds 1 and 2 do.
func consoleTest() int {
	fmt.Println("consoletest: ready")
	var line []byte
	buf := make([]byte, 64)
	for !bytes.Contains(line, []byte("\n")) {
		n, err := hw.ConsoleRead(buf)
		if err != nil {
			fmt.Println("consoletest:", err)
			return 1
		}
		line = append(line, buf[:n]...)
	}
	hw.ConsoleWriteRaw(append([]byte("consoletest: raw "), line...))
	return 0
}
