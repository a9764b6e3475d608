// Command e2eshards runs the end-to-end tests (internal/e2e) in several processes at once, each
// with its own local stack: its own moto, tables, clock and fault switch, so no test sees another
// shard's moves of the clock. moto runs on one core (DynamoDB requests one at a time, patch 9 of
// the launcher), so one stack cannot use a second core however its tests are written; two stacks
// can. The tests need no change: each shard is the same test binary run on a subset of the
// top-level tests (-test.run '^(A|B)$').
//
//	go run ./infra/e2eshards -shards 2 -race
//
// It builds the test binary once, lists its tests, and deals them out so that the shards take
// about as long as each other: by each test's duration in the last run (build/e2e-durations.json,
// written after every run), a test not measured yet counting as the median. It prints the output of
// every failed test, each shard's summary and the slowest tests, and exits 1 if any test or shard
// failed.
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	shards := flag.Int("shards", 2, "how many processes (each with its own local stack) run the tests at once")
	race := flag.Bool("race", false, "build the test binary with the race detector")
	timeout := flag.Duration("timeout", 30*time.Minute, "each shard's -test.timeout")
	durations := flag.String("durations", "build/e2e-durations.json", "the tests' durations in the last run: read to deal the tests out, written after this run")
	pkg := flag.String("pkg", "./internal/e2e", "the end-to-end package")
	run := flag.String("run", "", "run only the top-level tests this regular expression matches")
	skip := flag.String("skip", "", "leave out the top-level tests this regular expression matches (make test: those it runs with the race detector on a stack of their own)")
	slowest := flag.Int("slowest", 10, "how many of the slowest tests to list")
	plan := flag.Bool("plan", false, "print each shard's tests and their expected time, and run nothing")
	bench := flag.String("bench", "", "also run the benchmarks this regular expression matches, once each (-test.benchtime=1x, a smoke test: their figures are not asserted), in the last shard after its tests")
	flag.Parse()
	if err := runShards(*pkg, *shards, *race, *timeout, *durations, *run, *skip, *slowest, *plan, *bench); err != nil {
		fmt.Fprintln(os.Stderr, "e2eshards:", err)
		os.Exit(1)
	}
}

func runShards(pkg string, n int, race bool, timeout time.Duration, durationsFile, only, skip string, slowest int, plan bool, benchRE string) error {
	if n < 1 {
		return errors.New("-shards must be at least 1")
	}
	name := "e2e.test"
	if race {
		name = "e2e-race.test" // a race-built binary beside a plain one, built and run at the same time
	}
	bin, err := filepath.Abs(filepath.Join("build", name))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return err
	}
	// Without a symbol table or DWARF (a debugger's): a failure's trace and a race report read the
	// binary's own tables, and the link takes a third less (infra/unit-packages.sh).
	args := []string{"test", "-c", "-o", bin, "-ldflags=-s -w"}
	if race {
		args = append(args, "-race")
	}
	build := exec.Command(goTool(), append(args, pkg)...)
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build the test binary: %w", err)
	}
	dir, err := packageDir(pkg)
	if err != nil {
		return err
	}
	tests, err := listTests(bin, dir, only, skip)
	if err != nil {
		return err
	}
	if len(tests) == 0 {
		return errors.New("no tests to run")
	}
	last := readDurations(durationsFile)
	if len(last) == 0 {
		// A fresh clone (CI) has no last run: deal by the durations committed beside this command.
		last = readDurations(committedDurations)
	}
	groups := deal(tests, last, n)
	if plan {
		for i, g := range groups {
			sum := 0.0
			for _, t := range g {
				sum += last[t]
			}
			fmt.Printf("shard %d: %d tests, %.1fs in the last run: %s\n", i+1, len(g), sum, strings.Join(g, " "))
		}
		return nil
	}

	start := time.Now()
	results := make([]shardResult, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		var extra []string
		if benchRE != "" && i == len(groups)-1 {
			extra = []string{"-test.bench", benchRE, "-test.benchtime", "1x"}
		}
		wg.Go(func() { results[i] = runShard(bin, dir, i+1, g, timeout, extra...) })
	}
	wg.Wait()

	failed := false
	measured := map[string]float64{}
	for _, r := range results {
		for name, secs := range r.elapsed {
			measured[name] = secs
		}
		for _, name := range r.failedTests {
			failed = true
			fmt.Printf("--- FAIL: %s (shard %d)\n%s", name, r.shard, r.output[name])
			if r.shard > 1 && len(r.tests) > 0 && r.tests[0] == name {
				fmt.Printf("    %s is the first test of its shard, on a fresh stack, as when it runs alone (go test -run '^%s$' ./internal/e2e/): it must set what it needs (the clock: stack.Clock.Freeze) itself, not lean on the test before it\n", name, name)
			}
		}
		if r.err != nil {
			failed = true
			fmt.Printf("shard %d: %v\n%s", r.shard, r.err, lastLines(r.raw.String(), 60))
		}
	}
	for _, r := range results {
		status := "ok"
		if r.err != nil || len(r.failedTests) > 0 {
			status = "FAIL"
		}
		fmt.Printf("%-4s shard %d: %d tests in %.1fs%s\n", status, r.shard, len(r.tests), r.wall.Seconds(), r.summary())
	}
	writeDurations(durationsFile, last, measured)
	printSlowest(measured, slowest)
	fmt.Printf("e2e: %d tests in %d shards, %.1fs\n", len(tests), len(groups), time.Since(start).Seconds())
	if failed {
		return errors.New("end-to-end tests failed")
	}
	return nil
}

func goTool() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

// packageDir is the package's directory: a test binary runs there, as go test runs it.
func packageDir(pkg string) (string, error) {
	out, err := exec.Command(goTool(), "list", "-f", "{{.Dir}}", pkg).Output()
	if err != nil {
		return "", fmt.Errorf("go list %s: %w", pkg, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// listTests is the binary's top-level tests (no benchmarks, examples or fuzz targets) that only
// matches (all when empty) and skip does not (none when empty).
func listTests(bin, dir, only, skip string) ([]string, error) {
	pattern := "^Test"
	cmd := exec.Command(bin, "-test.list", pattern)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("list the tests: %w", err)
	}
	var re, skipRE *regexp.Regexp
	if only != "" {
		if re, err = regexp.Compile(only); err != nil {
			return nil, fmt.Errorf("-run: %w", err)
		}
	}
	if skip != "" {
		if skipRE, err = regexp.Compile(skip); err != nil {
			return nil, fmt.Errorf("-skip: %w", err)
		}
	}
	var tests []string
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "Test") && (re == nil || re.MatchString(line)) && (skipRE == nil || !skipRE.MatchString(line)) {
			tests = append(tests, line)
		}
	}
	return tests, nil
}

// deal cuts the tests, in their listed order, into at most n runs of consecutive tests whose
// longest takes as little as it can (by last, a test not in last counting as the median of last,
// or 1 s if last is empty). Consecutive, because a test may lean on the one before it (a clock it
// left, an item it wrote): each shard then runs a stretch of the order one process runs, on a
// fresh stack as one process starts, and only the first test of a stretch loses its predecessor,
// as it does when it is run alone.
func deal(tests []string, last map[string]float64, n int) [][]string {
	guess := 1.0
	if len(last) > 0 {
		vs := make([]float64, 0, len(last))
		for _, v := range last {
			vs = append(vs, v)
		}
		slices.Sort(vs)
		guess = max(vs[len(vs)/2], 0.01)
	}
	w := make([]float64, len(tests))
	total, heaviest := 0.0, 0.0
	for i, t := range tests {
		w[i] = guess
		if v, ok := last[t]; ok {
			w[i] = max(v, 0.01)
		}
		total += w[i]
		heaviest = max(heaviest, w[i])
	}
	// cut packs the tests greedily into stretches of at most limit.
	cut := func(limit float64) [][]string {
		var groups [][]string
		sum := 0.0
		for i, t := range tests {
			if len(groups) == 0 || sum+w[i] > limit {
				groups = append(groups, nil)
				sum = 0
			}
			groups[len(groups)-1] = append(groups[len(groups)-1], t)
			sum += w[i]
		}
		return groups
	}
	lo, hi := heaviest, total
	for range 60 {
		mid := (lo + hi) / 2
		if len(cut(mid)) <= n {
			hi = mid
		} else {
			lo = mid
		}
	}
	return cut(hi)
}

type shardResult struct {
	shard       int
	tests       []string
	wall        time.Duration
	elapsed     map[string]float64 // top-level test → seconds
	failedTests []string
	output      map[string]string // top-level test → its output (with its subtests')
	pkgOutput   []string          // output outside any test (TestMain's)
	raw         *lockedBuffer     // everything, for a shard that died
	err         error
}

func (r *shardResult) summary() string {
	var s string
	for _, line := range r.pkgOutput {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "PASS") && !strings.HasPrefix(line, "FAIL") && !strings.HasPrefix(line, "ok ") {
			s += "; " + line
		}
	}
	return s
}

// event is one line of test2json's output.
type event struct {
	Action  string
	Test    string
	Output  string
	Elapsed float64
}

// runShard runs the tests of one shard through test2json and collects each test's outcome,
// duration and output.
func runShard(bin, dir string, shard int, tests []string, timeout time.Duration, extra ...string) (r shardResult) {
	r = shardResult{shard: shard, tests: tests, elapsed: map[string]float64{}, output: map[string]string{}, raw: &lockedBuffer{}}
	start := time.Now()
	defer func() { r.wall = time.Since(start) }()
	cmd := exec.Command(goTool(), append([]string{"tool", "test2json", "-t", "-p", "e2e-shard-" + fmt.Sprint(shard),
		bin, "-test.v=test2json", "-test.count=1", "-test.paniconexit0", "-test.timeout=" + timeout.String(),
		"-test.run", "^(" + strings.Join(tests, "|") + ")$"}, extra...)...)
	cmd.Dir = dir
	cmd.Stderr = r.raw
	out, err := cmd.StdoutPipe()
	if err != nil {
		r.err = err
		return r
	}
	if err := cmd.Start(); err != nil {
		r.err = err
		return r
	}
	sc := bufio.NewScanner(io.TeeReader(out, r.raw))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	outputs := map[string]*strings.Builder{}
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		top, _, _ := strings.Cut(e.Test, "/")
		switch {
		case e.Action == "output" && top == "":
			r.pkgOutput = append(r.pkgOutput, e.Output)
		case e.Action == "output":
			if outputs[top] == nil {
				outputs[top] = &strings.Builder{}
			}
			outputs[top].WriteString(e.Output)
		case (e.Action == "pass" || e.Action == "fail" || e.Action == "skip") && e.Test != "" && !strings.Contains(e.Test, "/"):
			r.elapsed[e.Test] = e.Elapsed
			if e.Action == "fail" {
				r.failedTests = append(r.failedTests, e.Test)
			}
		}
	}
	if err := cmd.Wait(); err != nil && len(r.failedTests) == 0 {
		r.err = fmt.Errorf("the test binary: %w", err)
	}
	for name, b := range outputs {
		r.output[name] = b.String()
	}
	return r
}

// lockedBuffer is a buffer two goroutines write to (the binary's stdout and stderr).
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// committedDurations are the tests' durations in a run of CI, kept in the repository so that a
// fresh clone's shards take about as long as each other (without them every test weighs the same,
// and one shard took 930 s while the other took 565). Refresh it from build/e2e-durations.json
// after a run when tests are added or change much.
const committedDurations = "infra/e2eshards/durations.json"

func readDurations(file string) map[string]float64 {
	m := map[string]float64{}
	if b, err := os.ReadFile(file); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

// writeDurations keeps last's entries and replaces those measured now.
func writeDurations(file string, last, now map[string]float64) {
	merged := map[string]float64{}
	for k, v := range last {
		merged[k] = v
	}
	for k, v := range now {
		merged[k] = max(v, 0.01) // go test's resolution: a test it reports as 0.00s took some time
	}
	b, err := json.MarshalIndent(merged, "", "  ")
	if err != nil {
		return
	}
	_ = os.MkdirAll(filepath.Dir(file), 0o755)
	_ = os.WriteFile(file, append(b, '\n'), 0o644)
}

func printSlowest(measured map[string]float64, n int) {
	if n <= 0 {
		return
	}
	names := make([]string, 0, len(measured))
	for k := range measured {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(measured[b], measured[a]) })
	if len(names) > n {
		names = names[:n]
	}
	fmt.Println("slowest end-to-end tests:")
	for _, k := range names {
		fmt.Printf("  %7.1fs %s\n", measured[k], k)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}
