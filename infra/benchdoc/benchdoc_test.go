package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sample is `go test -bench . -benchmem ./...` output with one benchmark of each kind benchdoc
// writes.
const sample = `goos: linux
goarch: amd64
pkg: attestation/internal/certificate
cpu: Oxide Virtual Turin-like Processor
BenchmarkRenderRecallDecision-2   	     100	   5500000 ns/op	     68772 pdf-bytes	 2314067 B/op	    6294 allocs/op
BenchmarkRender-2                 	      40	  14000000 ns/op	    204833 pdf-bytes	 8797158 B/op	  130276 allocs/op
pkg: attestation/internal/calendar
BenchmarkAddWorkingDays-2       	 5443682	       212.4 ns/op	       0 B/op	       0 allocs/op
PASS
ok  	attestation/internal/certificate	3.844s
pkg: attestation/internal/e2e
BenchmarkFiling-2   	       1	3540000000 ns/op	        65.00 aws-requests/filing	      1616 case-item-bytes	         6.000 delivery-requests/filing	        26.00 http-calls/filing	        35.00 table-items/filing
BenchmarkPath/issued-2   	       1	9000000000 ns/op	        68.00 invocations/case	       296.0 aws-requests/case	         5.460 reads/transition	        13.00 transitions/case	         4.620 txwrites/transition
BenchmarkRoutes/GET__cases_caseId-2   	      10	  100000000 ns/op	         1.000 claims/call	       103.4 fn-ms/call	         2.000 reads/call	         1.000 records/call	       101.7 roundtrip-ms/call	         0 txwrites/call	         0 writes/call	         1.020 x-roundtrips
`

// TestEveryPartIsWritten: one run's output gives every table of docs/benchmarks.md (routes, paths,
// a filing, cold starts, the other benchmarks with their package), and nothing else is in the file
// but what render writes.
func TestEveryPartIsWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench.txt")
	if err := os.WriteFile(path, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	results, err := parse(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := render(results, "| function | ready |\n|---|---:|\n| api | 16.1 ms |\n")
	for _, want := range []string{
		"| GET /cases/caseId | 2 | 0 | 0 | 1 | 1 | 103.4 | 101.7 | 1.02 |",
		"| issued | 13 | 68 | 296 | 5.46 | 4.62 | $0.000325 | $0.325 |",
		"| 26 | 65 | 6 | 35 | 1616 |",
		"| api | 16.1 ms |",
		"| Render | internal/certificate | 14.00 ms | 8.80 | 130276 |",
		"| RenderRecallDecision | internal/certificate | 5.50 ms | 2.31 | 6294 |",
		"| AddWorkingDays | internal/calendar | 212 ns | 0.00 | 0 |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("no line %q in:\n%s", want, doc)
		}
	}
	for _, unwanted := range []string{"did not run", "| Filing |", "| Path/", "| Routes/"} {
		if strings.Contains(doc, unwanted) {
			t.Errorf("%q in:\n%s", unwanted, doc)
		}
	}
	if empty := render(nil, ""); !strings.Contains(empty, "BenchmarkRoutes did not run") || !strings.Contains(empty, "BenchmarkPath did not run") ||
		!strings.Contains(empty, "BenchmarkFiling did not run") {
		t.Errorf("a run without the end-to-end benchmarks does not say so:\n%s", empty)
	}
}
