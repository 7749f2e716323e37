package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/starry-go/starry/tools/image"
)

const (
	modulePath = "github.com/starry-go/starry"
	// kernelName is the bootable image inside the build directory.
	kernelName = "starry-kernel.elf"
	// rawName is the linker's output; kept so go build can see it is up
	// to date and skip relinking.
	rawName = "starry-kernel.raw.elf"
)

// cmdBuild implements "starry build [-o DIR]".
func cmdBuild(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output directory (default: build/ at the repository root)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fail(exitUsage, "build: unexpected argument %q", fs.Arg(0))
	}
	path, err := buildKernel(*out, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, path)
	return nil
}

// parseFlags parses with the flag package and turns its errors (already
// printed with the usage) into a usage exit status.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return &exitError{code: 0}
	}
	if err != nil {
		return &exitError{code: exitUsage}
	}
	return nil
}

// moduleRoot finds the repository root by walking up from the working
// directory, so the CLI works from tests/ as well as from the root.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(data, []byte("module "+modulePath+"\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fail(exitFailure, "not inside the %s repository (no go.mod found above the working directory)", modulePath)
		}
		dir = parent
	}
}

// buildKernel compiles ./kernel with the stock toolchain and rewrites the
// result into a bootable image; it returns the image's path. An empty dir
// means build/ at the repository root.
func buildKernel(dir string, stderr io.Writer) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	if dir == "" {
		dir = filepath.Join(root, "build")
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	raw := filepath.Join(dir, rawName)
	args := append([]string{"build", "-o", raw}, image.GoBuildFlags()...)
	args = append(args, "./kernel")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	cmd.Stdout = stderr
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return "", fail(exitFailure, "building the kernel failed: %v", err)
	}
	return writeImage(raw, filepath.Join(dir, kernelName))
}

// writeImage rewrites the linked ELF into the bootable image; it writes a
// temporary file and renames it so a running QEMU never sees half a file.
func writeImage(raw, dst string) (string, error) {
	data, err := os.ReadFile(raw)
	if err != nil {
		return "", err
	}
	img, err := image.Rewrite(data)
	if err != nil {
		return "", fail(exitFailure, "making the boot image from %s: %v", raw, err)
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, img, 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return "", err
	}
	return dst, nil
}
