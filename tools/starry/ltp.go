package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"syscall"
	"time"
)

// "starry ltp": build the Linux Test Project's syscall tests, run the
// chosen cases in the guest (and natively, as the reference), print a
// table, and optionally write JSON and update the case lists in
// tests/ltp/.

// ltpOptions are the flags of "starry ltp".
type ltpOptions struct {
	src, busybox, jsonPath, casesArg, mul, update string
	lists                                         addList
	batch                                         int
	caseTimeout                                   time.Duration
	native, refresh, verbose                      bool
}

const ltpUsage = `usage: starry ltp [--src DIR|TARBALL] [--list FILE]... [--cases a,b,c] [--json FILE] [flags]

Builds LTP's syscall tests as static binaries (cached under build/ltp/VERSION),
runs each case in the guest in batches, one boot per batch, and natively on
the host, and prints case, verdict in Starry-Go, verdict natively, and the
first failure line. The exit status is 1 when a case fails in the guest.
Without --list or --cases the cases are the peers' lists in ../shared/ltp.
`

// cmdLTP implements "starry ltp".
func cmdLTP(args []string, stdout, stderr io.Writer) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	var o ltpOptions
	target, err := newLTPTarget(args, stderr, &o, root)
	if err != nil {
		return err
	}
	names, err := o.caseNames(root)
	if err != nil {
		return err
	}
	build, err := prepareLTP(filepath.Join(root, "build"), o.src, stderr)
	if err != nil {
		return err
	}
	cases, err := resolveCases(build, names)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The host runs its cases while the guest runs its own: TCG keeps
	// one core busy, the native cases mostly sleep and wait.
	var native map[string]ltpResult
	nativeErr := make(chan error, 1)
	go func() {
		var err error
		if o.native {
			native, err = runNative(ctx, build, cases, o.caseTimeout, o.refresh, stderr)
		}
		nativeErr <- err
	}()
	guest, err := o.runGuest(ctx, target, build, cases, stderr)
	if nerr := <-nativeErr; err == nil {
		err = nerr
	}
	if err != nil {
		return err
	}
	rep := &ltpReport{Version: build.version, Date: time.Now().UTC().Format("2006-01-02")}
	for _, c := range cases {
		row := ltpRow{Name: c.name, Argv: c.argv, Starry: guest[c.name]}
		if r, ok := native[c.name]; ok {
			row.Native = &r
		}
		rep.Cases = append(rep.Cases, row)
	}
	rep.Summary = summarize(rep.Cases)
	rep.Peers = peerCounts(rep.Cases, peerLists(root))
	if err := printLTPTable(stdout, rep); err != nil {
		return err
	}
	if o.jsonPath != "" {
		if err := writeJSON(o.jsonPath, rep); err != nil {
			return err
		}
	}
	if o.update != "" {
		if err := updateLists(o.update, rep); err != nil {
			return err
		}
	}
	if n := len(rep.Cases) - rep.Summary[vPass]; n > 0 {
		return fail(exitFailure, "%d of %d LTP cases did not pass in the guest", n, len(rep.Cases))
	}
	return nil
}

// newLTPTarget parses the flags (the VM ones included) and resolves QEMU
// and the kernel.
func newLTPTarget(args []string, stderr io.Writer, o *ltpOptions, root string) (*benchTarget, error) {
	return newBenchTarget("ltp", args, stderr, time.Hour, func(fs *flag.FlagSet) {
		fs.Usage = func() { fmt.Fprint(fs.Output(), ltpUsage); fs.PrintDefaults() }
		fs.StringVar(&o.src, "src", filepath.Join(root, "..", "shared", "ltp", "ltp-20260529.tar.xz"), "LTP source: a release tarball or a checkout")
		fs.Var(&o.lists, "list", "file of case names, one per line (repeatable)")
		fs.StringVar(&o.casesArg, "cases", "", "comma-separated case names (runtest tags or binary names)")
		fs.StringVar(&o.jsonPath, "json", "", "write the results as JSON to FILE")
		fs.StringVar(&o.update, "update", "", "update must-pass.txt and known-failures.txt in DIR with this run's cases")
		fs.StringVar(&o.busybox, "busybox", "/bin/busybox", "static busybox for the guest's /bin")
		fs.IntVar(&o.batch, "batch", 60, "cases per boot")
		fs.DurationVar(&o.caseTimeout, "case-timeout", 180*time.Second, "kill a case after this long (in the guest: cmdtimeout=)")
		fs.StringVar(&o.mul, "timeout-mul", "3", "LTP_TIMEOUT_MUL in the guest (TCG is slow)")
		fs.BoolVar(&o.native, "native", true, "also run each case on the host (cached per build and host kernel)")
		fs.BoolVar(&o.refresh, "native-refresh", false, "rerun the native cases instead of using the cache")
		fs.BoolVar(&o.verbose, "v", false, "copy the guest console to stderr")
		// 3 GiB: a batch's binaries are in memory twice (initrd, tmpfs),
		// and mallinfo2_01 wants 2 GiB to malloc. QEMU's memory is only
		// touched as the guest uses it.
		mem := fs.Lookup("mem")
		mem.DefValue = "3072"
		if err := mem.Value.Set("3072"); err != nil {
			panic(err)
		}
	})
}

// caseNames is --cases and every --list, in order, or the peers' lists.
func (o *ltpOptions) caseNames(root string) ([]string, error) {
	var names []string
	lists := o.lists
	if len(lists) == 0 && o.casesArg == "" {
		lists = defaultCaseLists(root)
	}
	for _, l := range lists {
		n, err := readCaseList(l)
		if err != nil {
			return nil, err
		}
		names = append(names, n...)
	}
	c, err := splitCases(o.casesArg)
	if err != nil {
		return nil, fail(exitUsage, "%v", err)
	}
	names = append(names, c...)
	if len(names) == 0 {
		return nil, fail(exitUsage, "no LTP cases to run")
	}
	if o.batch < 1 {
		return nil, fail(exitUsage, "--batch must be at least 1")
	}
	return names, nil
}

// runGuest runs the built cases in the guest; missing ones are recorded.
func (o *ltpOptions) runGuest(ctx context.Context, t *benchTarget, b *ltpBuild, cases []ltpCase, stderr io.Writer) (map[string]ltpResult, error) {
	if err := checkStatic("--busybox", o.busybox, "install the Debian package busybox-static (tools/setup.sh does)"); err != nil {
		return nil, err
	}
	support, err := ltpSupport(b)
	if err != nil {
		return nil, err
	}
	g := &ltpGuest{target: t, build: b, support: support, busybox: o.busybox, batch: o.batch,
		limit: o.caseTimeout, mul: o.mul, verbose: o.verbose, progress: stderr}
	var built []ltpCase
	for _, c := range cases {
		if c.argv != nil {
			built = append(built, c)
		}
	}
	out, err := g.run(ctx, built)
	if err != nil {
		return nil, err
	}
	for _, c := range cases {
		if c.argv == nil {
			out[c.name] = ltpResult{Verdict: vMissing, First: "not built from this LTP source"}
		}
	}
	return out, nil
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return slices.Clip(keys)
}
