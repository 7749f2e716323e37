package linux

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The system call trace (starry run --trace, the kernel's trace= word):
// a line per call as strace prints it, decoded from the call's row and
// prototype (prototypes.go's letters say how to show each argument).

// traced serves one call while tracing: the handler runs as Dispatch
// would run it, then the line is written.
func traced(t *libstarry.Thread, s Syscall, a Args, tr *libstarry.SyscallTrace, run func()) {
	start := time.Now()
	args := traceArgs(t, s.Proto, a)      // before the call: it may unmap or rewrite them
	tid := t.TID()                        // before the call: exec may give the thread its leader's ID
	if strings.HasSuffix(s.Proto, ":n") { // it does not return: show it first
		tr.Out(fmt.Sprintf("[pid %d] %s(%s) = ?", tid, s.Name, args))
		run()
		return
	}
	run()
	ret := t.Regs().RAX
	tr.Out(fmt.Sprintf("[pid %d] %s(%s) = %s <%.6f>", tid, s.Name, args, traceResult(s.Proto, ret), time.Since(start).Seconds()))
}

// traceArgs shows each argument by its prototype letter.
func traceArgs(t *libstarry.Thread, proto string, a Args) string {
	kinds, _, _ := strings.Cut(proto, ":")
	parts := make([]string, len(kinds))
	for i := range kinds {
		parts[i] = traceArg(t, kinds[i], a[i])
	}
	return strings.Join(parts, ", ")
}

func traceArg(t *libstarry.Thread, kind byte, v uint64) string {
	switch kind {
	case 'i', 'd', 'g':
		if kind == 'g' {
			if n, ok := signalNames[int(int32(v))]; ok {
				return n
			}
		}
		return strconv.FormatInt(int64(int32(v)), 10)
	case 'c':
		if n, ok := clockNames[int32(v)]; ok {
			return n
		}
		return strconv.FormatInt(int64(int32(v)), 10)
	case 'a':
		if int32(v) == abi.AT_FDCWD {
			return "AT_FDCWD"
		}
		return strconv.FormatInt(int64(int32(v)), 10)
	case 'u', 'f':
		return strconv.FormatUint(uint64(uint32(v)), 10)
	case 'm':
		return fmt.Sprintf("%#o", uint32(v))
	case 'x':
		return fmt.Sprintf("%#x", uint32(v))
	case 'o':
		return flagNames(uint64(uint32(v)), openFlags, "O_RDONLY", abi.O_ACCMODE, accModes)
	case 'r':
		return flagNames(v, protFlags, "PROT_NONE", 0, nil)
	case 'M':
		return flagNames(v, mapFlags, "0", 0, nil)
	case 's':
		return traceString(t, v)
	case 'p':
		if v == 0 {
			return "NULL"
		}
		return fmt.Sprintf("%#x", v)
	}
	if v > 0xffff && v < 1<<63 || v >= 1<<63 && int64(v) < -0xffff {
		return fmt.Sprintf("%#x", v)
	}
	return strconv.FormatInt(int64(v), 10)
}

// traceString reads a string argument: 32 bytes at most, quoted, with
// "..." when it goes on; an unreadable one shows as its address.
func traceString(t *libstarry.Thread, va uint64) string {
	if va == 0 {
		return "NULL"
	}
	const show = 32
	s, err := t.P.MM.CopyInString(uintptr(va), show+1)
	if err != nil && err != abi.ENAMETOOLONG {
		return fmt.Sprintf("%#x", va)
	}
	more := ""
	if len(s) > show || err == abi.ENAMETOOLONG {
		if len(s) > show {
			s = s[:show]
		}
		more = "..."
	}
	return strconv.Quote(s) + more
}

// traceResult is the result: -1 and the errno's name and message for
// an error, an address for calls whose prototype ends in ":p".
func traceResult(proto string, ret uint64) string {
	if int64(ret) < 0 && int64(ret) >= -4095 {
		e := abi.Errno(-int64(ret))
		if n, ok := abi.ErrnoNames[e]; ok {
			return fmt.Sprintf("-1 %s (%s)", n[0], n[1])
		}
		return fmt.Sprintf("-1 E%d", e)
	}
	if strings.HasSuffix(proto, ":p") {
		return fmt.Sprintf("%#x", ret)
	}
	return strconv.FormatInt(int64(ret), 10)
}

type flagName struct {
	v    uint64
	name string
}

// flagNames shows a flags word by name: the access mode first (for open
// flags), then each known bit, then what is left in hex.
func flagNames(v uint64, names []flagName, zero string, modeMask uint64, modes []flagName) string {
	var parts []string
	if modes != nil {
		m := v & modeMask
		for _, f := range modes {
			if f.v == m {
				parts = append(parts, f.name)
			}
		}
		v &^= modeMask
	}
	for _, f := range names {
		if v&f.v == f.v && f.v != 0 {
			parts = append(parts, f.name)
			v &^= f.v
		}
	}
	if v != 0 {
		parts = append(parts, fmt.Sprintf("%#x", v))
	}
	if len(parts) == 0 {
		return zero
	}
	return strings.Join(parts, "|")
}

var accModes = []flagName{{abi.O_RDONLY, "O_RDONLY"}, {abi.O_WRONLY, "O_WRONLY"}, {abi.O_RDWR, "O_RDWR"}}

var openFlags = []flagName{{abi.O_TMPFILE, "O_TMPFILE"}, {abi.O_CREAT, "O_CREAT"}, {abi.O_EXCL, "O_EXCL"}, {abi.O_NOCTTY, "O_NOCTTY"},
	{abi.O_TRUNC, "O_TRUNC"}, {abi.O_APPEND, "O_APPEND"}, {abi.O_NONBLOCK, "O_NONBLOCK"}, {abi.O_DSYNC, "O_DSYNC"},
	{abi.O_DIRECT, "O_DIRECT"}, {oLargefile, "O_LARGEFILE"}, {abi.O_DIRECTORY, "O_DIRECTORY"},
	{abi.O_NOFOLLOW, "O_NOFOLLOW"}, {abi.O_NOATIME, "O_NOATIME"}, {abi.O_CLOEXEC, "O_CLOEXEC"}, {abi.O_SYNC, "O_SYNC"},
	{abi.O_PATH, "O_PATH"}}

var protFlags = []flagName{{abi.PROT_READ, "PROT_READ"}, {abi.PROT_WRITE, "PROT_WRITE"}, {abi.PROT_EXEC, "PROT_EXEC"}}

var mapFlags = []flagName{{abi.MAP_SHARED_VALIDATE, "MAP_SHARED_VALIDATE"}, {abi.MAP_SHARED, "MAP_SHARED"}, {abi.MAP_PRIVATE, "MAP_PRIVATE"},
	{abi.MAP_FIXED, "MAP_FIXED"}, {abi.MAP_ANONYMOUS, "MAP_ANONYMOUS"}, {abi.MAP_GROWSDOWN, "MAP_GROWSDOWN"},
	{abi.MAP_DENYWRITE, "MAP_DENYWRITE"}, {abi.MAP_NORESERVE, "MAP_NORESERVE"}, {abi.MAP_POPULATE, "MAP_POPULATE"},
	{abi.MAP_STACK, "MAP_STACK"}, {abi.MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"}}

// signalNames name the signals (strace shows kill's by name).
var signalNames = func() map[int]string {
	m := map[int]string{}
	for i, n := range []string{"SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
		"SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP",
		"SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",
		"SIGPWR", "SIGSYS"} {
		m[i+1] = n
	}
	return m
}()

// clockNames are the clock ids by name (include/uapi/linux/time.h).
var clockNames = map[int32]string{
	abi.CLOCK_REALTIME: "CLOCK_REALTIME", abi.CLOCK_MONOTONIC: "CLOCK_MONOTONIC",
	abi.CLOCK_PROCESS_CPUTIME_ID: "CLOCK_PROCESS_CPUTIME_ID", abi.CLOCK_THREAD_CPUTIME_ID: "CLOCK_THREAD_CPUTIME_ID",
	abi.CLOCK_MONOTONIC_RAW: "CLOCK_MONOTONIC_RAW", abi.CLOCK_REALTIME_COARSE: "CLOCK_REALTIME_COARSE",
	abi.CLOCK_MONOTONIC_COARSE: "CLOCK_MONOTONIC_COARSE", abi.CLOCK_BOOTTIME: "CLOCK_BOOTTIME",
	abi.CLOCK_REALTIME_ALARM: "CLOCK_REALTIME_ALARM", abi.CLOCK_BOOTTIME_ALARM: "CLOCK_BOOTTIME_ALARM",
	abi.CLOCK_TAI: "CLOCK_TAI",
}
