package linux

import (
	"encoding/binary"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// TestUnixSockets drives the socket calls as a program does: a pair, a
// listener on a path with a connection, a descriptor passed with
// SCM_RIGHTS, options and the errors of wrong arguments.
func TestUnixSockets(t *testing.T) {
	le := binary.LittleEndian
	const (
		sv   = scratch
		addr = scratch + 0x10
		buf  = scratch + 0x100
		msg  = scratch + 0x200
		iov  = scratch + 0x240
		ctl  = scratch + 0x260
		opt  = scratch + 0x2a0
		olen = scratch + 0x2b0
		st   = scratch + 0x300
	)
	sun := append(le.AppendUint16(nil, abi.AF_UNIX), "/tmp/s\x00"...)
	u64 := func(vs ...uint64) []byte {
		var b []byte
		for _, v := range vs {
			b = le.AppendUint64(b, v)
		}
		return b
	}
	// struct msghdr: no name, one iovec, msg_control of 32 bytes.
	hdr := u64(0, 0, iov, 1, ctl, 32, 0)
	rights := append(u64(20), le.AppendUint32(le.AppendUint32(le.AppendUint32(nil, abi.SOL_SOCKET), abi.SCM_RIGHTS), 3)...)
	_, status := run(t, script(
		sys(abi.SYS_SOCKETPAIR, abi.AF_UNIX, abi.SOCK_STREAM, 0, sv),
		check(sv, 8, func(b []byte, rax uint64) {
			if rax != 0 || le.Uint32(b) != 3 || le.Uint32(b[4:]) != 4 {
				t.Errorf("socketpair = %d, fds % x", rax, b)
			}
		}),
		cstr(buf, "hi"),
		sys(abi.SYS_WRITE, 3, buf, 2),
		expect(t, "write to the pair", 2),
		sys(abi.SYS_READ, 4, buf+8, 8),
		check(buf+8, 2, func(b []byte, rax uint64) {
			if rax != 2 || string(b) != "hi" {
				t.Errorf("read = %d %q", rax, b)
			}
		}),
		sys(abi.SYS_SOCKET, abi.AF_UNIX, abi.SOCK_STREAM|abi.SOCK_CLOEXEC, 0),
		expect(t, "socket", 5),
		poke(addr, sun),
		sys(abi.SYS_BIND, 5, addr, uint64(len(sun))),
		expect(t, "bind /tmp/s", 0),
		sys(abi.SYS_BIND, 5, addr, uint64(len(sun))),
		expect(t, "bind again: the node is made first, and exists", errno(abi.EADDRINUSE)),
		cstr(buf, "/tmp/s"),
		sys(abi.SYS_STAT, buf, st),
		check(st, 144, func(b []byte, rax uint64) {
			if mode := le.Uint32(b[24:]); rax != 0 || mode != abi.S_IFSOCK|0o755 {
				t.Errorf("stat of the socket's node = %d, mode %#o", rax, mode)
			}
		}),
		sys(abi.SYS_LISTEN, 5, 1),
		expect(t, "listen", 0),
		sys(abi.SYS_SOCKET, abi.AF_UNIX, abi.SOCK_STREAM, 0),
		expect(t, "another socket", 6),
		sys(abi.SYS_CONNECT, 6, addr, uint64(len(sun))),
		expect(t, "connect", 0),
		sys(abi.SYS_ACCEPT4, 5, 0, 0, abi.SOCK_NONBLOCK),
		expect(t, "accept4", 7),
		sys(abi.SYS_READ, 7, buf, 8),
		expect(t, "a non-blocking read of the accepted socket", errno(abi.EAGAIN)),
		// sendmsg "x" with fd 3 over the connection; recvmsg installs it.
		cstr(buf, "x"),
		poke(iov, u64(buf, 1)),
		poke(msg, hdr),
		poke(ctl, rights),
		sys(abi.SYS_SENDMSG, 6, msg, 0),
		expect(t, "sendmsg with SCM_RIGHTS", 1),
		poke(ctl, make([]byte, 32)),
		sys(abi.SYS_RECVMSG, 7, msg, abi.MSG_CMSG_CLOEXEC),
		check(ctl, 24, func(b []byte, rax uint64) {
			if rax != 1 || le.Uint64(b) != 20 || le.Uint32(b[12:]) != abi.SCM_RIGHTS || le.Uint32(b[16:]) != 8 {
				t.Errorf("recvmsg = %d, control % x", rax, b)
			}
		}),
		sys(abi.SYS_FCNTL, 8, abi.F_GETFD),
		expect(t, "the received descriptor is close-on-exec", abi.FD_CLOEXEC),
		sys(abi.SYS_WRITE, 8, buf, 1),
		expect(t, "writing to the received pair end", 1),
		sys(abi.SYS_READ, 4, buf+8, 8),
		expect(t, "the pair's other end reads it", 1),
		poke(olen, le.AppendUint32(nil, 4)),
		sys(abi.SYS_GETSOCKOPT, 7, abi.SOL_SOCKET, abi.SO_TYPE, opt, olen),
		check(opt, 4, func(b []byte, rax uint64) {
			if rax != 0 || le.Uint32(b) != abi.SOCK_STREAM {
				t.Errorf("SO_TYPE = %d % x", rax, b)
			}
		}),
		sys(abi.SYS_GETSOCKNAME, 7, buf, olen),
		check(olen, 4, func(b []byte, rax uint64) {
			if rax != 0 || le.Uint32(b) != uint32(len(sun)) {
				t.Errorf("getsockname = %d, length %d", rax, le.Uint32(b))
			}
		}),
		sys(abi.SYS_SOCKET, 5, abi.SOCK_STREAM, 0),
		expect(t, "socket(AF_APPLETALK)", errno(abi.EAFNOSUPPORT)),
		sys(abi.SYS_LISTEN, 1, 1),
		expect(t, "listen on the console", errno(abi.ENOTSOCK)),
		sys(abi.SYS_SHUTDOWN, 6, abi.SHUT_WR),
		expect(t, "shutdown", 0),
		sys(abi.SYS_READ, 7, buf, 8),
		expect(t, "end of file after the peer's SHUT_WR", 0),
		sys(abi.SYS_SENDTO, 6, buf, 1, abi.MSG_NOSIGNAL, 0, 0),
		expect(t, "send after SHUT_WR, MSG_NOSIGNAL", errno(abi.EPIPE)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if status.ShellStatus() != 0 {
		t.Errorf("status %d", status.ShellStatus())
	}
}
