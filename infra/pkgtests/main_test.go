package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGroupByNameKeepsBinariesOfOneNameApart(t *testing.T) {
	jobs, groups := groupByName("/out/race", [][2]string{
		{"/m/internal/notify", "m/internal/notify"},
		{"/m/internal/calendar", "m/internal/calendar"},
		{"/m/internal/wiring/notify", "m/internal/wiring/notify"},
		{"/m/functions/notify", "m/functions/notify"},
	})
	want := []string{"/out/race/0/notify.test", "/out/race/0/calendar.test", "/out/race/1/notify.test", "/out/race/2/notify.test"}
	for i, j := range jobs {
		if j.bin != want[i] {
			t.Errorf("job %d (%s): binary %s, want %s", i, j.pkg, j.bin, want[i])
		}
	}
	if len(groups) != 3 || strings.Join(groups[0], " ") != "m/internal/notify m/internal/calendar" ||
		strings.Join(groups[1], " ") != "m/internal/wiring/notify" || strings.Join(groups[2], " ") != "m/functions/notify" {
		t.Errorf("groups %q", groups)
	}
}

func TestOrderRunsTheSlowestFirstAndTheUntimedBeforeThem(t *testing.T) {
	jobs := []job{{pkg: "fast"}, {pkg: "new"}, {pkg: "slow"}, {pkg: "middle"}}
	order(jobs, map[string]float64{"fast": 0.1, "slow": 20, "middle": 3})
	var got []string
	for _, j := range jobs {
		got = append(got, j.pkg)
	}
	if strings.Join(got, " ") != "new slow middle fast" {
		t.Errorf("order %v, want new slow middle fast", got)
	}
}

// script writes an executable shell script standing in for a test binary.
func script(t *testing.T, body string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "x.test")
	if err := os.WriteFile(f, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRunOneReportsAsGoTestDoes(t *testing.T) {
	t.Run("a pass prints what is not PASS or a benchmark header, then ok", func(t *testing.T) {
		bin := script(t, "echo goos: linux\necho 'BenchmarkX-2 1 5 ns/op'\necho 'openapi: 3 responses'\necho PASS\n")
		report, _, ok := runOne(job{dir: t.TempDir(), bin: bin, pkg: "m/p"}, time.Minute)
		if !ok {
			t.Fatal("a binary that exits 0 failed")
		}
		got := string(report)
		if !strings.Contains(got, "BenchmarkX-2") || !strings.Contains(got, "openapi: 3 responses") || strings.Contains(got, "goos:") ||
			strings.Contains(got, "PASS") || !strings.HasPrefix(strings.Split(got, "\n")[2], "ok  \tm/p\t") {
			t.Errorf("report:\n%s", got)
		}
	})
	t.Run("a failure prints the whole output, then FAIL", func(t *testing.T) {
		bin := script(t, "echo '--- FAIL: TestX'\necho '    x_test.go:3: boom'\nprintf FAIL\nexit 1\n")
		report, _, ok := runOne(job{dir: t.TempDir(), bin: bin, pkg: "m/p"}, time.Minute)
		if ok {
			t.Fatal("a binary that exits 1 passed")
		}
		if got := string(report); !strings.Contains(got, "x_test.go:3: boom") || !strings.Contains(got, "FAIL\nFAIL\tm/p\t") {
			t.Errorf("report:\n%s", got)
		}
	})
	t.Run("it runs in the package's directory with go test's flags", func(t *testing.T) {
		dir := t.TempDir()
		bin := script(t, `pwd; echo "$@"`)
		report, _, _ := runOne(job{dir: dir, bin: bin, pkg: "m/p"}, 7*time.Minute)
		got := string(report)
		real, _ := filepath.EvalSymlinks(dir)
		if !strings.Contains(got, real) || !strings.Contains(got, "-test.paniconexit0 -test.count=1 -test.timeout=7m0s -test.bench=. -test.benchtime=1x") {
			t.Errorf("report:\n%s", got)
		}
	})
}

func TestDurationsRoundTrip(t *testing.T) {
	f := filepath.Join(t.TempDir(), "d", "durations")
	if err := writeDurations(f, map[string]float64{"m/a": 1.5, "m/b": 0.25}); err != nil {
		t.Fatal(err)
	}
	got := readDurations(f)
	if len(got) != 2 || got["m/a"] != 1.5 || got["m/b"] != 0.25 {
		t.Errorf("read %v", got)
	}
	if len(readDurations(filepath.Join(t.TempDir(), "none"))) != 0 {
		t.Error("a missing file is not an empty run")
	}
}
