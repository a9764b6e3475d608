// Command pkgtests runs the packages' own tests for make test (infra/unit-packages.sh chooses which
// run with the race detector), as go test would, with two differences that save minutes:
//
//   - The test binaries are built with go test -c into -out (build/test) and kept. go test -c writes
//     a binary only when its build ID (a hash of everything it is built from) differs from the one
//     already there, so a warm run links only what changed; go test itself links every test binary
//     again on every run (it keeps a passing package's result, never its binary, and -count=1 asks
//     for a new result). The 50-odd links were about 54 CPU-s of each make test.
//   - The benchmarks go to the binaries (-test.bench=. -test.benchtime=1x, a smoke test whose
//     figures are not asserted), not to go test: given -bench, go test runs its packages one at a
//     time, each after the last one's output, for timing's sake. The race-built packages took 116 s
//     on one core that way, 70 s two at a time.
//
// The binaries run in their package's directory with -test.paniconexit0 and a timeout, -jobs at a
// time, the slowest of the last run first (-out/durations). A failing package's output is printed
// whole; a passing one's without its PASS line (its benchmarks, a suite's summary), then its "ok"
// line. It exits 1 if a build or a package failed.
//
//	go run ./infra/pkgtests -race 'attestation/internal/a attestation/internal/b' -plain 'attestation/internal/c'
package main

import (
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	race := flag.String("race", "", "import paths (space-separated) whose tests run with the race detector")
	plain := flag.String("plain", "", "import paths (space-separated) whose tests run without it")
	out := flag.String("out", "build/test", "where the test binaries are kept, with the last run's durations")
	jobs := flag.Int("jobs", runtime.NumCPU(), "how many test binaries run at once")
	timeout := flag.Duration("timeout", 30*time.Minute, "each binary's -test.timeout")
	flag.Parse()
	if err := run(*out, strings.Fields(*race), strings.Fields(*plain), *jobs, *timeout, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pkgtests:", err)
		os.Exit(1)
	}
}

// job is one package's test binary.
type job struct {
	dir, bin, pkg string
}

func run(out string, race, plain []string, jobs int, timeout time.Duration, w io.Writer) error {
	out, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	var all []job
	failed := false
	for _, list := range []struct {
		name string
		race bool
		pkgs []string
	}{{"race", true, race}, {"plain", false, plain}} {
		js, err := build(out, list.name, list.race, list.pkgs)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			failed = true
		}
		all = append(all, js...)
	}
	if failed {
		return fmt.Errorf("a test binary did not build")
	}
	durationsFile := filepath.Join(out, "durations")
	last := readDurations(durationsFile)
	order(all, last)

	var (
		mu   sync.Mutex
		took = map[string]float64{}
		wg   sync.WaitGroup
		next = make(chan job)
	)
	for range max(jobs, 1) {
		wg.Go(func() {
			for j := range next {
				report, secs, ok := runOne(j, timeout)
				mu.Lock()
				w.Write(report)
				took[j.pkg] = secs
				failed = failed || !ok
				mu.Unlock()
			}
		})
	}
	for _, j := range all {
		next <- j
	}
	close(next)
	wg.Wait()
	if err := writeDurations(durationsFile, took); err != nil {
		return err
	}
	if failed {
		return fmt.Errorf("a package's tests failed")
	}
	return nil
}

// build writes the test binaries of pkgs (those that have tests) into out/list/<n>/, n counting the
// packages of the same last element before it (internal/notify and internal/wiring/notify would
// both write notify.test), with one go test -c per n.
func build(out, list string, race bool, pkgs []string) ([]job, error) {
	if len(pkgs) == 0 {
		return nil, nil
	}
	listArgs := append([]string{"list", "-f", "{{if or .TestGoFiles .XTestGoFiles}}{{.Dir}}\t{{.ImportPath}}{{end}}"}, pkgs...)
	cmd := exec.Command(goTool(), listArgs...)
	cmd.Stderr = os.Stderr
	listed, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	var entries [][2]string
	for line := range strings.Lines(string(listed)) {
		if dir, pkg, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t"); ok {
			entries = append(entries, [2]string{dir, pkg})
		}
	}
	jobs, groups := groupByName(filepath.Join(out, list), entries)
	failed := false
	for n, group := range groups {
		args := []string{"test", "-c", "-ldflags=-s -w", "-o", filepath.Join(out, list, strconv.Itoa(n)) + string(filepath.Separator)}
		if race {
			args = append(args, "-race")
		}
		cmd := exec.Command(goTool(), append(args, group...)...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			failed = true
		}
	}
	if failed {
		return jobs, fmt.Errorf("go test -c of the %s list failed (the messages above name the package)", list)
	}
	return jobs, nil
}

// groupByName answers each package's job, its binary in dir/<n>/<name>.test, and the packages of
// each n.
func groupByName(dir string, entries [][2]string) ([]job, [][]string) {
	var (
		jobs   []job
		groups [][]string
		count  = map[string]int{}
	)
	for _, e := range entries {
		name := path.Base(e[1])
		n := count[name]
		count[name]++
		if n == len(groups) {
			groups = append(groups, nil)
		}
		groups[n] = append(groups[n], e[1])
		jobs = append(jobs, job{dir: e[0], bin: filepath.Join(dir, strconv.Itoa(n), name+".test"), pkg: e[1]})
	}
	return jobs, groups
}

// order sorts the jobs by their duration in the last run, the longest first; a package the last
// run did not time comes first of all.
func order(jobs []job, last map[string]float64) {
	took := func(j job) float64 {
		if s, ok := last[j.pkg]; ok {
			return s
		}
		return 1e9
	}
	slices.SortStableFunc(jobs, func(a, b job) int { return cmp.Compare(took(b), took(a)) })
}

// runOne runs a package's test binary and answers what to print and how long it took.
func runOne(j job, timeout time.Duration) (report []byte, secs float64, ok bool) {
	cmd := exec.Command(j.bin, "-test.paniconexit0", "-test.count=1", "-test.timeout="+timeout.String(),
		"-test.bench=.", "-test.benchtime=1x")
	cmd.Dir = j.dir
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	start := time.Now()
	err := cmd.Run()
	secs = time.Since(start).Seconds()
	var b bytes.Buffer
	if err != nil {
		b.Write(output.Bytes())
		if output.Len() > 0 && !bytes.HasSuffix(output.Bytes(), []byte("\n")) {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "FAIL\t%s\t%.3fs\n", j.pkg, secs)
		return b.Bytes(), secs, false
	}
	for line := range strings.Lines(output.String()) {
		if strings.TrimRight(line, "\n") == "PASS" || strings.HasPrefix(line, "goos: ") || strings.HasPrefix(line, "goarch: ") ||
			strings.HasPrefix(line, "cpu: ") || strings.HasPrefix(line, "pkg: ") {
			continue
		}
		b.WriteString(line)
	}
	fmt.Fprintf(&b, "ok  \t%s\t%.3fs\n", j.pkg, secs)
	return b.Bytes(), secs, true
}

// readDurations reads "seconds<TAB>import path" lines; a missing or unreadable file is an empty run.
func readDurations(file string) map[string]float64 {
	last := map[string]float64{}
	raw, err := os.ReadFile(file)
	if err != nil {
		return last
	}
	for line := range strings.Lines(string(raw)) {
		secs, pkg, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if s, err := strconv.ParseFloat(secs, 64); ok && err == nil {
			last[pkg] = s
		}
	}
	return last
}

func writeDurations(file string, took map[string]float64) error {
	var b strings.Builder
	for _, pkg := range slices.Sorted(maps.Keys(took)) {
		fmt.Fprintf(&b, "%.3f\t%s\n", took[pkg], pkg)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return os.WriteFile(file, []byte(b.String()), 0o644)
}

// goTool is $GO, or go.
func goTool() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}
