// Command gofiles does file work the way Go programs do it, through os,
// io/fs and path/filepath: temporary directories, create, write, rename,
// readdir, chmod, symlinks, Chdir, a WalkDir, and a Unix socket server
// with net.Listen("unix"). Each check prints one line, the same on Linux
// and in the guest; "gofiles ok N" at the end. It takes a scratch
// directory (default /tmp).
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

var failures, checks int

func check(what string, ok bool) {
	checks++
	res := "ok"
	if !ok {
		res = "FAIL"
		failures++
	}
	fmt.Printf("%s: %s\n", what, res)
}

func main() {
	scratch := "/tmp"
	if len(os.Args) > 1 {
		scratch = os.Args[1]
	}
	dir, err := os.MkdirTemp(scratch, "gofiles")
	check("os.MkdirTemp", err == nil)
	st, err := os.Stat(dir)
	check("the temporary directory is 0700", err == nil && st.IsDir() && st.Mode().Perm() == 0o700)
	check("os.Chdir into it", os.Chdir(dir) == nil)
	files(dir)
	walk()
	unixSocket()
	check("os.Chdir back out", os.Chdir("/") == nil)
	check("os.RemoveAll", os.RemoveAll(dir) == nil)
	_, err = os.Stat(dir)
	check("and it is gone", errors.Is(err, fs.ErrNotExist))
	if failures > 0 {
		fmt.Printf("gofiles: %d of %d checks failed\n", failures, checks)
		os.Exit(1)
	}
	fmt.Printf("gofiles ok %d\n", checks)
}

func files(dir string) {
	check("os.WriteFile", os.WriteFile("a.txt", []byte("hello\n"), 0o644) == nil)
	b, err := os.ReadFile(filepath.Join(dir, "a.txt"))
	check("os.ReadFile by absolute path", err == nil && string(b) == "hello\n")
	f, err := os.OpenFile("a.txt", os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString("more\n")
		f.Close()
	}
	b, _ = os.ReadFile("a.txt")
	check("O_APPEND", err == nil && string(b) == "hello\nmore\n")
	_, err = os.OpenFile("a.txt", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	check("O_EXCL on an existing file is fs.ErrExist", errors.Is(err, fs.ErrExist))
	check("os.Rename", os.Rename("a.txt", "b.txt") == nil)
	_, err = os.Stat("a.txt")
	check("the old name is gone", errors.Is(err, fs.ErrNotExist))
	check("os.Chmod", os.Chmod("b.txt", 0o600) == nil)
	st, err := os.Stat("b.txt")
	check("the mode reads back", err == nil && st.Mode().Perm() == 0o600 && st.Size() == 11)
	check("os.Symlink", os.Symlink("b.txt", "link") == nil)
	target, err := os.Readlink("link")
	check("os.Readlink", err == nil && target == "b.txt")
	lst, err := os.Lstat("link")
	check("os.Lstat sees a symlink", err == nil && lst.Mode()&fs.ModeSymlink != 0)
	check("os.Link", os.Link("b.txt", "hard") == nil)
	st, _ = os.Stat("hard")
	check("two links", st != nil && st.Sys().(*syscall.Stat_t).Nlink == 2)
	check("os.MkdirAll", os.MkdirAll("d/e/f", 0o755) == nil)
	check("os.Truncate", os.Truncate("hard", 3) == nil)
	b, _ = os.ReadFile("b.txt")
	check("the link shares it", string(b) == "hel")
	entries, err := os.ReadDir(".")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name()+map[bool]string{true: "/", false: ""}[e.IsDir()])
	}
	check("os.ReadDir: "+strings.Join(names, " "), err == nil && len(names) == 4)
	wd, err := os.Getwd()
	check("os.Getwd is the temporary directory", err == nil && filepath.Base(wd) == filepath.Base(dir))
	check("os.Chdir to a subdirectory", os.Chdir("d/e") == nil)
	wd, _ = os.Getwd()
	check("os.Getwd follows", strings.HasSuffix(wd, "/d/e"))
	check("os.Chdir up", os.Chdir("../..") == nil)
	tmp, err := os.CreateTemp(".", "x*.tmp")
	check("os.CreateTemp", err == nil)
	if tmp != nil {
		tmp.Close()
		check("os.Remove", os.Remove(tmp.Name()) == nil)
	}
	err = os.Remove("d")
	check("os.Remove of a non-empty directory fails", err != nil)
}

func walk() {
	var seen []string
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		seen = append(seen, p)
		return nil
	})
	sort.Strings(seen)
	check("filepath.WalkDir: "+strings.Join(seen, " "), err == nil && len(seen) == 7)
	matches, err := fs.Glob(os.DirFS("."), "*.txt")
	check("fs.Glob over os.DirFS", err == nil && len(matches) == 1 && matches[0] == "b.txt")
}

func unixSocket() {
	l, err := net.Listen("unix", "sock")
	check("net.Listen unix", err == nil)
	if err != nil {
		return
	}
	st, err := os.Lstat("sock")
	check("the socket is in the file system", err == nil && st.Mode()&fs.ModeSocket != 0)
	done := make(chan string)
	go func() {
		c, err := l.Accept()
		if err != nil {
			done <- "accept: " + err.Error()
			return
		}
		line, _ := bufio.NewReader(c).ReadString('\n')
		c.Write([]byte("echo " + line))
		c.Close()
		done <- ""
	}()
	c, err := net.Dial("unix", "sock")
	check("net.Dial unix", err == nil)
	if err == nil {
		c.Write([]byte("ping\n"))
		reply, _ := bufio.NewReader(c).ReadString('\n')
		check("the server's reply", reply == "echo ping\n")
		c.Close()
	}
	check("the server finished", <-done == "")
	check("closing the listener", l.Close() == nil)
	_, err = os.Lstat("sock")
	check("Go unlinks its socket file on close", errors.Is(err, fs.ErrNotExist))
}
