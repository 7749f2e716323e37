package linux

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// TestTraceDecoding: flags show by name with what is left in hex, errors
// as -1 with errno and message, addresses in hex for ":p" calls.
func TestTraceDecoding(t *testing.T) {
	cases := []struct{ got, want string }{
		{traceArg(nil, 'o', abi.O_WRONLY|abi.O_CREAT|abi.O_CLOEXEC|0x4000000), "O_WRONLY|O_CREAT|O_CLOEXEC|0x4000000"},
		{traceArg(nil, 'o', 0), "O_RDONLY"},
		{traceArg(nil, 'a', uint64(0xffffff9c)), "AT_FDCWD"},
		{traceArg(nil, 'r', abi.PROT_READ|abi.PROT_EXEC), "PROT_READ|PROT_EXEC"},
		{traceArg(nil, 'M', abi.MAP_PRIVATE|abi.MAP_ANONYMOUS), "MAP_PRIVATE|MAP_ANONYMOUS"},
		{traceArg(nil, 'g', 9), "SIGKILL"},
		{traceArg(nil, 'm', 0o644), "0644"},
		{traceArg(nil, 'p', 0), "NULL"},
		{traceResult("ll", negErrno(abi.ENOENT)), "-1 ENOENT (No such file or directory)"},
		{traceResult("ll", negErrno(abi.EAGAIN)), "-1 EAGAIN (Resource temporarily unavailable)"},
		{traceResult("plrMlu:p", 0x7f0000001000), "0x7f0000001000"},
		{traceResult("fpl", 5), "5"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
