package fd

// Owner is who hears of I/O on an open file by signal (F_SETOWN,
// F_SETOWN_EX, F_SETSIG: Linux's fown_struct). Kind is F_OWNER_TID,
// F_OWNER_PID or F_OWNER_PGRP; ID 0 is no owner. Signal 0 means SIGIO.
// Delivery itself waits for O_ASYNC support: today only the record is
// kept, so that programs that set an owner and read it back work.
type Owner struct {
	Kind, ID, Signal int
}

// Owner reads the file's owner record.
func (o *OpenFile) Owner() Owner {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.owner
}

// SetOwner names the process, thread or group that owns the file.
func (o *OpenFile) SetOwner(kind, id int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.owner.Kind, o.owner.ID = kind, id
}

// SetOwnerSignal sets the signal sent instead of SIGIO (F_SETSIG).
func (o *OpenFile) SetOwnerSignal(sig int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.owner.Signal = sig
}
