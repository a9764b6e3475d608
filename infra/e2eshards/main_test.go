package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDealCutsTheOrderIntoBalancedStretches(t *testing.T) {
	tests := []string{"TestA", "TestB", "TestC", "TestD", "TestE", "TestF"}
	last := map[string]float64{"TestA": 10, "TestB": 1, "TestC": 1, "TestD": 6, "TestE": 2, "TestF": 2}
	groups := deal(tests, last, 2)
	if want := [][]string{{"TestA", "TestB"}, {"TestC", "TestD", "TestE", "TestF"}}; !slices.EqualFunc(groups, want, slices.Equal) {
		t.Fatalf("groups %v, want %v (consecutive, the longest stretch 11 s)", groups, want)
	}
	// Every test exactly once, in its order, whatever the count of shards.
	for n := 1; n <= 8; n++ {
		groups := deal(tests, last, n)
		if len(groups) > n {
			t.Fatalf("%d shards asked, %d made", n, len(groups))
		}
		if got := slices.Concat(groups...); !slices.Equal(got, tests) {
			t.Fatalf("%d shards: %v, want every test once in order", n, got)
		}
	}
}

func TestDealCountsAnUnmeasuredTestAsTheMedian(t *testing.T) {
	// No durations yet: every test weighs the same, so the shards get as many tests each.
	if groups := deal([]string{"TestA", "TestB", "TestC", "TestD"}, nil, 2); len(groups[0]) != 2 || len(groups[1]) != 2 {
		t.Fatalf("groups %v, want two of two", groups)
	}
	// TestNew counts as the median (4 s): 4+4 | 4+4.
	last := map[string]float64{"TestA": 4, "TestB": 4, "TestC": 4}
	if groups := deal([]string{"TestA", "TestNew", "TestB", "TestC"}, last, 2); len(groups[0]) != 2 || len(groups[1]) != 2 {
		t.Fatalf("groups %v, want two of two", groups)
	}
}

// TestTheCommittedDurationsAreReadable: a fresh clone deals the tests by the durations committed
// beside the command (the Makefile runs it from the repository's root).
func TestTheCommittedDurationsAreReadable(t *testing.T) {
	last := readDurations("durations.json")
	if len(last) < 50 {
		t.Fatalf("durations.json holds %d tests' durations", len(last))
	}
	for name, v := range last {
		if !strings.HasPrefix(name, "Test") || v <= 0 {
			t.Fatalf("durations.json: %s = %v", name, v)
		}
	}
}

// TestATestReportedAsNoTimeIsWrittenWithSome: go test reports a fast test as 0.00s; its duration
// is written as 0.01 s, so that the file stays one the committed-durations test accepts.
func TestATestReportedAsNoTimeIsWrittenWithSome(t *testing.T) {
	file := filepath.Join(t.TempDir(), "d.json")
	writeDurations(file, map[string]float64{"TestOld": 2}, map[string]float64{"TestFast": 0, "TestSlow": 3.5})
	got := readDurations(file)
	if got["TestFast"] != 0.01 || got["TestSlow"] != 3.5 || got["TestOld"] != 2 {
		t.Fatalf("written %v", got)
	}
}
