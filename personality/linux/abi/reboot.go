package abi

// reboot(2)'s other accepted second magic numbers
// (include/uapi/linux/reboot.h), which x/sys/unix does not name.
const (
	LINUX_REBOOT_MAGIC2A = 85072278
	LINUX_REBOOT_MAGIC2B = 369367448
	LINUX_REBOOT_MAGIC2C = 537993216
)
