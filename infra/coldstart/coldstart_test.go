package main

import (
	"os"
	"slices"
	"testing"
)

// TestEveryFunctionIsMeasured: every function under functions/ has its cold start measured (the
// table of docs/benchmarks.md lists each), and nothing else is.
func TestEveryFunctionIsMeasured(t *testing.T) {
	entries, err := os.ReadDir("../../functions")
	if err != nil {
		t.Fatal(err)
	}
	var dirs, measured []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	for _, f := range functions {
		measured = append(measured, f.dir)
	}
	slices.Sort(dirs)
	slices.Sort(measured)
	if !slices.Equal(dirs, measured) {
		t.Fatalf("functions/ holds %v, the cold start measures %v", dirs, measured)
	}
}
