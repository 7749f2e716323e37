package tmpfs

// FS is the instance the node belongs to, so that the file layer can
// tell the device of a file it knows only by its node (a mapping's
// object, for /proc/PID/maps).
func (n *Node) FS() *FS { return n.fs }
