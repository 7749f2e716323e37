package linux

import (
	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// memfd_create flags (include/uapi/linux/memfd.h) and the longest name
// (MFD_NAME_MAX_LEN: NAME_MAX less "memfd:").
const (
	mfdCloexec      = 0x1
	mfdAllowSealing = 0x2
	mfdHugetlb      = 0x4
	mfdNoexecSeal   = 0x8
	mfdExec         = 0x10
	mfdNameMax      = 249
	fAddSeals       = 1033
	fGetSeals       = 1034
)

// sysMemfdCreate is memfd_create(name, flags): unknown flags, MFD_EXEC
// with MFD_NOEXEC_SEAL, and a name past 249 bytes are EINVAL; huge pages
// are not served (EINVAL).
func sysMemfdCreate(t *libstarry.Thread, a Args) (uint64, error) {
	flags := uint32(a[1])
	switch {
	case flags&mfdHugetlb != 0: // with the huge page size in the top bits
		return 0, abi.EINVAL
	case flags&^(mfdCloexec|mfdAllowSealing|mfdNoexecSeal|mfdExec) != 0:
		return 0, abi.EINVAL
	case flags&(mfdExec|mfdNoexecSeal) == mfdExec|mfdNoexecSeal:
		return 0, abi.EINVAL
	}
	name, err := t.P.MM.CopyInString(uintptr(a[0]), mfdNameMax+1)
	if err == abi.ENAMETOOLONG {
		return 0, abi.EINVAL
	}
	if err != nil {
		return 0, err
	}
	if !t.P.FDs.Room(t.P.NoFile()) {
		return 0, abi.EMFILE
	}
	of, err := t.P.MemfdCreate(name, flags&(mfdAllowSealing|mfdNoexecSeal) != 0)
	if err != nil {
		return 0, err
	}
	fd, err := t.P.FDs.Install(of, 0, t.P.NoFile(), flags&mfdCloexec != 0)
	return uint64(fd), err
}

// fcntlSeals is F_ADD_SEALS and F_GET_SEALS: only tmpfs files have
// seals (EINVAL otherwise), and adding needs the file open for writing.
func fcntlSeals(of *fdt.OpenFile, cmd int, arg uint64) (uint64, error) {
	s, ok := of.File.(libstarry.Sealer)
	if !ok {
		return 0, abi.EINVAL
	}
	if cmd == fGetSeals {
		return uint64(s.Seals()), nil
	}
	if of.Flags()&abi.O_ACCMODE == abi.O_RDONLY {
		return 0, abi.EPERM
	}
	return 0, s.AddSeals(uint32(arg))
}
