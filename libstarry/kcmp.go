package libstarry

import "github.com/starry-go/starry/personality/linux/abi"

// kcmp(2)'s types (include/uapi/linux/kcmp.h).
const (
	KcmpFile    = 0
	KcmpVM      = 1
	KcmpFiles   = 2
	KcmpFS      = 3
	KcmpSighand = 4
)

// Kcmp is kcmp(2) once both processes are found: the caller must be
// allowed to look into both (EPERM), then the two resources compared.
// Equal is 0; unequal is 3, "not equal, ordering unavailable", since
// this kernel has no addresses to order them by (Linux answers 1 or 2
// from obfuscated pointers). KCMP_IO, KCMP_SYSVSEM and KCMP_EPOLL_TFD
// are EINVAL.
func (p *Process) Kcmp(a, b *Process, typ int, idx1, idx2 uint64) (int, error) {
	if !p.MayAttach(a) || !p.MayAttach(b) {
		return 0, abi.EPERM
	}
	res := func(same bool) (int, error) {
		if same {
			return 0, nil
		}
		return 3, nil
	}
	a.mu.Lock()
	as, afds, afs, asigh := a.as, a.FDs, a.fs, a.sigh
	a.mu.Unlock()
	b.mu.Lock()
	bs, bfds, bfs, bsigh := b.as, b.FDs, b.fs, b.sigh
	b.mu.Unlock()
	switch typ {
	case KcmpFile:
		if afds == nil || bfds == nil || idx1 > 1<<31 || idx2 > 1<<31 {
			return 0, abi.EBADF
		}
		f1, err1 := afds.Get(int(idx1))
		f2, err2 := bfds.Get(int(idx2))
		if f1 != nil {
			defer f1.DecRef()
		}
		if f2 != nil {
			defer f2.DecRef()
		}
		if err1 != nil || err2 != nil {
			return 0, abi.EBADF
		}
		return res(f1 == f2)
	case KcmpVM:
		return res(as == bs)
	case KcmpFiles:
		return res(afds == bfds)
	case KcmpFS:
		return res(afs == bfs)
	case KcmpSighand:
		return res(asigh == bsigh)
	}
	return 0, abi.EINVAL
}
