package linux

import (
	"time"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

// select and pselect6 are poll over bitmaps (fs/select.c): each set bit
// becomes a poll entry, and what poll finds becomes bits again.

// The poll bits each set stands for (POLLIN_SET, POLLOUT_SET, POLLEX_SET).
const (
	pollInSet  = abi.POLLIN | abi.EPOLLRDNORM | abi.EPOLLRDBAND | abi.POLLHUP | abi.POLLERR
	pollOutSet = abi.POLLOUT | abi.EPOLLWRNORM | abi.EPOLLWRBAND | abi.POLLERR
	pollExSet  = abi.POLLPRI
)

func sysSelect(t *libstarry.Thread, a Args) (uint64, error) {
	timeout := time.Duration(-1)
	if a[4] != 0 {
		var b [16]byte
		if err := t.P.MM.CopyIn(uintptr(a[4]), b[:]); err != nil {
			return 0, err
		}
		sec, usec := int64(le.Uint64(b[0:])), int64(le.Uint64(b[8:]))
		if sec < 0 || usec < 0 || usec >= 1e6 {
			return 0, abi.EINVAL
		}
		timeout = time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond
	}
	return doSelect(t, a, timeout)
}

// sysPselect6's sixth argument points at {const sigset_t *ss; size_t
// ss_len}: the mask for the call, as ppoll's.
func sysPselect6(t *libstarry.Thread, a Args) (uint64, error) {
	timeout := time.Duration(-1)
	if a[4] != 0 {
		d, err := getTimespec(t, a[4])
		if err != nil {
			return 0, err
		}
		timeout = d
	}
	var mask, size uint64
	if a[5] != 0 {
		var b [16]byte
		if err := t.P.MM.CopyIn(uintptr(a[5]), b[:]); err != nil {
			return 0, err
		}
		mask, size = le.Uint64(b[0:]), le.Uint64(b[8:])
	}
	set, err := callMask(t, mask, size)
	if err != nil {
		return 0, err
	}
	n, err := doSelect(t, a, timeout)
	if set {
		t.EndCallMask(err != nil)
	}
	return n, err
}

// doSelect is core_sys_select: nfds past the descriptor table is cut to
// it; a set bit for a closed descriptor is EBADF.
func doSelect(t *libstarry.Thread, a Args, timeout time.Duration) (uint64, error) {
	nfds := int(int32(a[0]))
	if nfds < 0 {
		return 0, abi.EINVAL
	}
	nfds = min(nfds, t.P.FDs.Size())
	words := (nfds + 63) / 64
	sets := [3][]uint64{}
	for i := range sets {
		if a[1+i] == 0 {
			continue
		}
		b := make([]byte, 8*words)
		if err := t.P.MM.CopyIn(uintptr(a[1+i]), b); err != nil {
			return 0, err
		}
		sets[i] = make([]uint64, words)
		for w := range sets[i] {
			sets[i][w] = le.Uint64(b[8*w:])
		}
	}
	masks := [3]uint32{pollInSet, pollOutSet, pollExSet}
	var fds []pollFD
	for fd := 0; fd < nfds; fd++ {
		var ev uint32
		for i, s := range sets {
			if s != nil && s[fd/64]&(1<<(fd%64)) != 0 {
				ev |= masks[i]
			}
		}
		if ev != 0 {
			fds = append(fds, pollFD{fd: int32(fd), events: ev})
		}
	}
	if _, err := pollFiles(t, fds, timeout); err != nil {
		return 0, err
	}
	out := [3][]uint64{}
	n := 0
	for _, p := range fds {
		if p.revents&abi.POLLNVAL != 0 {
			return 0, abi.EBADF
		}
		for i, s := range sets {
			if s != nil && uint32(p.revents)&masks[i] != 0 && p.events&masks[i] != 0 {
				if out[i] == nil {
					out[i] = make([]uint64, words)
				}
				out[i][p.fd/64] |= 1 << (p.fd % 64)
				n++
			}
		}
	}
	for i := range sets {
		if sets[i] == nil {
			continue
		}
		b := make([]byte, 8*words)
		for w := 0; w < words && out[i] != nil; w++ {
			le.PutUint64(b[8*w:], out[i][w])
		}
		if err := t.P.MM.CopyOut(uintptr(a[1+i]), b); err != nil {
			return 0, err
		}
	}
	return uint64(n), nil
}
