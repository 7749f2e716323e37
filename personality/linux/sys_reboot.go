package linux

import (
	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

// rebootPrototypes are the prototypes (see prototypes.go) of this
// file's calls.
var rebootPrototypes = map[string]string{"reboot": "iiul"}

// capSysBoot is CAP_SYS_BOOT.
const capSysBoot = 22

var rebootRows = []Syscall{
	{Nr: abi.SYS_REBOOT, Name: "reboot", Fn: sysReboot, Support: Partial, Note: "POWER_OFF, HALT, RESTART and RESTART2 end the machine (halt and restart power off too: QEMU runs with -no-reboot); for init (PID 1) the otherwise ignored arg is the machine's exit status (0-255); CAD_ON/CAD_OFF are kept but no key sends SIGINT; KEXEC and SW_SUSPEND are EINVAL and ENOSYS (no kexec image, no hibernation)"},
}

// sysReboot is kernel/reboot.c's reboot: CAP_SYS_BOOT first (EPERM),
// then the magic numbers (EINVAL), then the command.
func sysReboot(t *libstarry.Thread, a Args) (uint64, error) {
	if !t.P.Cred().Capable(capSysBoot) {
		return 0, abi.EPERM
	}
	magic1, magic2, cmd := uint32(a[0]), uint32(a[1]), uint32(a[2])
	if magic1 != abi.LINUX_REBOOT_MAGIC1 {
		return 0, abi.EINVAL
	}
	switch magic2 {
	case abi.LINUX_REBOOT_MAGIC2, abi.LINUX_REBOOT_MAGIC2A, abi.LINUX_REBOOT_MAGIC2B, abi.LINUX_REBOOT_MAGIC2C:
	default:
		return 0, abi.EINVAL
	}
	status := 0
	if a[3] <= 255 {
		status = int(a[3])
	}
	switch cmd {
	case abi.LINUX_REBOOT_CMD_CAD_ON, abi.LINUX_REBOOT_CMD_CAD_OFF:
		return 0, nil
	case abi.LINUX_REBOOT_CMD_POWER_OFF:
		return 0, t.Reboot(libstarry.RebootPowerOff, status)
	case abi.LINUX_REBOOT_CMD_HALT:
		return 0, t.Reboot(libstarry.RebootHalt, status)
	case abi.LINUX_REBOOT_CMD_RESTART:
		return 0, t.Reboot(libstarry.RebootRestart, status)
	case abi.LINUX_REBOOT_CMD_RESTART2:
		// The argument is a command for the firmware, read as Linux
		// does (EFAULT), then unused.
		if _, err := t.P.MM.CopyInString(uintptr(a[3]), 255); err != nil && err != abi.ENAMETOOLONG {
			return 0, abi.EFAULT
		}
		return 0, t.Reboot(libstarry.RebootRestart, 0)
	case abi.LINUX_REBOOT_CMD_SW_SUSPEND:
		return 0, abi.ENOSYS
	}
	return 0, abi.EINVAL
}
