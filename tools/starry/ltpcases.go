package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// An LTP case is a runtest tag: a name and the command line it stands
// for (runtest/syscalls: "fcntl01_64 fcntl01_64", "pipeio_1 pipeio -T
// pipeio_1 ..."). A name that is no tag but a binary (the tgoskits lists
// name binaries) runs that binary with no arguments.

// ltpCase is one case to run.
type ltpCase struct {
	name string
	argv []string // argv[0] is a file in testcases/bin; nil when missing
}

// readCaseList reads a case list: the first word of each line is a case
// name; blank lines and lines starting with # are skipped, and the rest of
// a line is a comment (known-failures.txt gives the reason there).
func readCaseList(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fail(exitFailure, "--list: %v", err)
	}
	defer f.Close()
	return parseCaseList(f)
}

func parseCaseList(r io.Reader) ([]string, error) {
	var names []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		names = append(names, strings.Fields(line)[0])
	}
	return names, sc.Err()
}

// readRuntest parses a runtest file: tag, then the command line split at
// blanks (LTP's runtest files use no quoting in the syscalls file).
func readRuntest(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tags := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := strings.Fields(sc.Text())
		if len(w) < 2 || strings.HasPrefix(w[0], "#") {
			continue
		}
		tags[w[0]] = w[1:]
	}
	return tags, sc.Err()
}

// resolveCases turns names into cases, in order and without repeats. A
// case whose program the build lacks has a nil argv and is reported as
// missing rather than failing the run.
func resolveCases(b *ltpBuild, names []string) ([]ltpCase, error) {
	tags, err := readRuntest(filepath.Join(b.root, "runtest", "syscalls"))
	if err != nil {
		return nil, fail(exitFailure, "the LTP build has no runtest file: %v", err)
	}
	seen := map[string]bool{}
	var cases []ltpCase
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		argv, ok := tags[n]
		if !ok {
			argv = []string{n}
		}
		if fi, err := os.Stat(filepath.Join(b.bin(), argv[0])); err != nil || !fi.Mode().IsRegular() {
			argv = nil
		}
		cases = append(cases, ltpCase{name: n, argv: argv})
	}
	return cases, nil
}

// ltpSupport lists what every batch needs besides the cases' own
// binaries: the files in testcases/bin that no runtest tag runs (the
// helpers tests exec, such as execve_child, and their data files), and
// the data directory.
func ltpSupport(b *ltpBuild) ([]string, error) {
	tags, err := readRuntest(filepath.Join(b.root, "runtest", "syscalls"))
	if err != nil {
		return nil, err
	}
	progs := map[string]bool{}
	for _, argv := range tags {
		progs[argv[0]] = true
	}
	ents, err := os.ReadDir(b.bin())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !progs[e.Name()] {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// defaultCaseLists are the peers' lists next to the default tarball.
func defaultCaseLists(root string) []string {
	dir := filepath.Join(root, "..", "shared", "ltp")
	return []string{filepath.Join(dir, "cases-tgoskits.txt"), filepath.Join(dir, "cases-asterinas.txt")}
}

// peerLists reads the peers' case lists that exist, by peer name.
func peerLists(root string) map[string][]string {
	out := map[string][]string{}
	for _, p := range defaultCaseLists(root) {
		names, err := readCaseList(p)
		if err != nil {
			continue
		}
		peer := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "cases-"), ".txt")
		out[peer] = names
	}
	return out
}

// splitCases parses --cases a,b,c.
func splitCases(s string) ([]string, error) {
	var out []string
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if strings.ContainsAny(n, "/ \t") {
			return nil, fmt.Errorf("--cases: %q is not a case name", n)
		}
		out = append(out, n)
	}
	return out, nil
}
