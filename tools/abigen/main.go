// Command abigen writes personality/linux/abi/zconsts.go: every abi.NAME
// constant that libstarry and personality/linux use, with the value and
// type golang.org/x/sys/unix gives it for linux/amd64. The library OS may
// not import x/sys/unix (it uses unsafe), but its values should come from
// there rather than be typed by hand.
package main

import (
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	root, err := repoRoot()
	if err == nil {
		var src []byte
		if src, err = Generate(root); err == nil {
			err = os.WriteFile(filepath.Join(root, OutFile), src, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "abigen:", err)
		os.Exit(1)
	}
}

// repoRoot walks up from the working directory to go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	for err == nil {
		if _, serr := os.Stat(filepath.Join(dir, "go.mod")); serr == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
	return "", err
}
