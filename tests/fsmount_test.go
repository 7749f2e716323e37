package tests

import "testing"

// TestNewMountAPI runs fsmount.c natively and in the guest and compares
// every line: fsopen, fsconfig (argument rules, tmpfs's parameters,
// phases, the context's error log), fsmount's attributes and detached
// mount, move_mount, fspick's and the context's reconfiguring, and
// open_tree's clones, with Linux's answers as the reference.
func TestNewMountAPI(t *testing.T) { compareOnTmpfs(t, "fsmount") }
