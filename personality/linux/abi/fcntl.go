package abi

// F_OWNER_* are struct f_owner_ex's kinds (include/uapi/asm-generic/fcntl.h),
// which x/sys/unix does not carry.
const (
	F_OWNER_TID  = 0 // one thread
	F_OWNER_PID  = 1 // a process (its thread group)
	F_OWNER_PGRP = 2 // a process group
)
