package main

import (
	"bytes"
	"io"
	"os"
	"sync"
	"time"
)

// "bench boot --shell" times the boot of the default image (what "run"
// boots with no command) to its shell prompt: init mounts, busybox's
// shell starts and prints its prompt on the serial console. The host
// then types "exit 0" so each boot ends at once.

// markPrompt is the shell prompt appearing on the console.
const markPrompt = "shell prompt"

// shellPrompt is the prompt init gives busybox's shell (PS1) in /.
const shellPrompt = "starry:/# "

// shellMarks are the events "bench boot --shell" reports.
var shellMarks = []string{markFirstByte, markBoot, markGoMain, markPrompt, markExit}

// shellImage is the default image's initramfs for the benchmark, made
// once for all its boots.
type shellImage struct {
	dir, initrd string
}

func newShellImage(progress io.Writer) (*shellImage, error) {
	dir, err := os.MkdirTemp("", "starry-bench-shell-")
	if err != nil {
		return nil, err
	}
	adds, err := userlandAdds(dir, progress)
	if err == nil {
		var initrd string
		if initrd, err = makeInitramfs(dir, "", adds, nil); err == nil {
			return &shellImage{dir: dir, initrd: initrd}, nil
		}
	}
	os.RemoveAll(dir)
	return nil, err
}

func (s *shellImage) close() { os.RemoveAll(s.dir) }

// promptWatch is the console's writer and QEMU's stdin for one boot:
// it notes when the prompt first appears and then answers it with
// "exit 0".
type promptWatch struct {
	out   io.Writer
	start time.Time
	mu    sync.Mutex
	tail  []byte
	at    time.Duration
	seen  chan struct{}
	sent  bool
}

func newPromptWatch(out io.Writer) *promptWatch {
	return &promptWatch{out: out, start: time.Now(), seen: make(chan struct{})}
}

func (w *promptWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.at == 0 {
		w.tail = append(w.tail, p...)
		if bytes.Contains(w.tail, []byte(shellPrompt)) {
			w.at = time.Since(w.start)
			close(w.seen)
		} else if n := len(w.tail); n > len(shellPrompt) {
			w.tail = w.tail[n-len(shellPrompt):]
		}
	}
	return w.out.Write(p)
}

// Read waits for the prompt, gives the shell its exit, then ends the
// input.
func (w *promptWatch) Read(p []byte) (int, error) {
	if w.sent {
		return 0, io.EOF
	}
	<-w.seen
	w.sent = true
	return copy(p, "exit 0\n"), nil
}

// record puts the prompt's time among the boot's marks.
func (w *promptWatch) record(res *bootResult) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.at != 0 {
		res.marks[markPrompt] = w.at
	}
}
