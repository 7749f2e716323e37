package tmpfs

import (
	"sort"
	"strings"

	"github.com/starry-go/starry/personality/linux/abi"
)

// Extended attributes as tmpfs keeps them in memory (simple_xattr):
// the user, trusted and security namespaces. Who may touch which
// namespace is the caller's check (xattr_permission).

// Flags of setxattr.
const (
	XattrCreate  = 1
	XattrReplace = 2
)

// XattrSizeMax is XATTR_SIZE_MAX: the largest value.
const XattrSizeMax = 65536

// knownNamespace reports whether tmpfs has a handler for name's prefix.
func knownNamespace(name string) bool {
	for _, ns := range []string{"user.", "trusted.", "security."} {
		if strings.HasPrefix(name, ns) && len(name) > len(ns) {
			return true
		}
	}
	return false
}

// GetXattr is a value: ENODATA for an absent name, EOPNOTSUPP for a
// namespace tmpfs has no handler for.
func (n *Node) GetXattr(name string) ([]byte, error) {
	if !knownNamespace(name) {
		return nil, abi.EOPNOTSUPP
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	v, ok := n.xattrs[name]
	if !ok {
		return nil, abi.ENODATA
	}
	return append([]byte(nil), v...), nil
}

// SetXattr sets (value non-nil) or removes (nil) one attribute:
// XattrCreate of an existing name is EEXIST, XattrReplace (or removal)
// of an absent one ENODATA.
func (n *Node) SetXattr(name string, value []byte, flags int) error {
	if !knownNamespace(name) {
		return abi.EOPNOTSUPP
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	_, ok := n.xattrs[name]
	switch {
	case ok && flags&XattrCreate != 0:
		return abi.EEXIST
	case !ok && (flags&XattrReplace != 0 || value == nil):
		return abi.ENODATA
	}
	if value == nil {
		delete(n.xattrs, name)
	} else {
		if n.xattrs == nil {
			n.xattrs = map[string][]byte{}
		}
		n.xattrs[name] = append([]byte(nil), value...)
	}
	n.touch(false, true)
	return nil
}

// ListXattr is the attribute names, sorted.
func (n *Node) ListXattr() []string {
	n.mu.RLock()
	defer n.mu.RUnlock()
	names := make([]string, 0, len(n.xattrs))
	for k := range n.xattrs {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
