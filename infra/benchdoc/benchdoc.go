// Command benchdoc writes docs/benchmarks.md (make bench) from the output of
// `go test -bench . -benchmem ./...` and the cold-start table infra/coldstart writes: per route
// of the API its reads, writes, round trips and the ratio of its time to them; per path of a case
// its transitions, invocations, AWS requests and Step Functions cost; a filing's HTTP calls, AWS
// requests and table items (BenchmarkFiling); the cold start per function; and every other
// benchmark's time and memory. Every part of the file is written here: nothing in it is by hand.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// transitionPrice is Step Functions Standard's price per state transition: $0.025 per 1,000.
const transitionPrice = 0.025 / 1000

// result is one benchmark line: its name (without -GOMAXPROCS) and its metrics by unit.
type result struct {
	name    string
	pkg     string // the package it ran in (the "pkg:" line before it), without the module's name
	metrics map[string]float64
}

func parse(path string) ([]result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []result
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	pkg := ""
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "pkg: "); ok {
			pkg = strings.TrimPrefix(strings.TrimSpace(p), "attestation/")
			continue
		}
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := fields[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		r := result{name: name, pkg: pkg, metrics: map[string]float64{}}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err == nil {
				r.metrics[fields[i+1]] = v
			}
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

func main() {
	note := flag.String("note", "", "a sentence on how this run differs from make bench's (written under the introduction)")
	flag.Parse()
	if flag.NArg() < 3 {
		fmt.Fprintln(os.Stderr, "usage: benchdoc [-note TEXT] BENCH_OUTPUT... COLDSTART_MARKDOWN OUT.md")
		os.Exit(2)
	}
	args := flag.Args()
	var results []result
	for _, path := range args[:len(args)-2] {
		rs, err := parse(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchdoc:", err)
			os.Exit(1)
		}
		results = append(results, rs...)
	}
	cold, err := os.ReadFile(args[len(args)-2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchdoc:", err)
		os.Exit(1)
	}
	doc := render(results, string(cold))
	if *note != "" {
		intro, rest, _ := strings.Cut(doc, "\n\n## ")
		doc = intro + "\n\n" + *note + "\n\n## " + rest
	}
	if err := os.WriteFile(args[len(args)-1], []byte(doc), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "benchdoc:", err)
		os.Exit(1)
	}
}

func render(results []result, cold string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmarks\n\nWritten by `make bench` on %s (do not edit: run it again). The figures are measured, never "+
		"asserted; `make test` runs every benchmark once as a smoke test. Routes and paths run through the local stack "+
		"(moto), so their times are the local stack's, their request counts those of AWS.\n\n", time.Now().UTC().Format("2006-01-02"))

	b.WriteString("## Routes (BenchmarkRoutes, internal/e2e)\n\nPer call of the route: the API function's DynamoDB reads (GetItem, Query, BatchGetItem) and writes " +
		"(transactional and other) doing the work, the call record and Idempotency-Key requests apart; the function's time, the round trips " +
		"of its own AWS requests, and their ratio (target 1.2).\n\n")
	b.WriteString("| route | reads | tx writes | other writes | call records | claims | function ms | round trips ms | ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	routes := 0
	for _, r := range results {
		route, ok := strings.CutPrefix(r.name, "BenchmarkRoutes/")
		if !ok {
			continue
		}
		routes++
		m := r.metrics
		fmt.Fprintf(&b, "| %s | %g | %g | %g | %g | %g | %.1f | %.1f | %.2f |\n", routeName(route), m["reads/call"], m["txwrites/call"],
			m["writes/call"], m["records/call"], m["claims/call"], m["fn-ms/call"], m["roundtrip-ms/call"], m["x-roundtrips"])
	}

	if routes == 0 {
		b.WriteString("| BenchmarkRoutes did not run | | | | | | | | |\n")
	}

	b.WriteString("\n## Paths of a case (BenchmarkPath, internal/e2e)\n\nPer case: the state transitions of its execution, the functions' invocations, " +
		"their AWS requests, and the Step Functions cost at $0.025 per 1,000 transitions.\n\n")
	b.WriteString("| path | transitions | invocations | AWS requests | reads / transition | tx writes / transition | cost per case | cost per 1,000 cases |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	paths := 0
	for _, r := range results {
		path, ok := strings.CutPrefix(r.name, "BenchmarkPath/")
		if !ok {
			continue
		}
		paths++
		m := r.metrics
		t := m["transitions/case"]
		fmt.Fprintf(&b, "| %s | %g | %g | %g | %.2f | %.2f | $%.6f | $%.3f |\n", path, t, m["invocations/case"], m["aws-requests/case"],
			m["reads/transition"], m["txwrites/transition"], t*transitionPrice, t*transitionPrice*1000)
	}

	if paths == 0 {
		b.WriteString("| BenchmarkPath did not run | | | | | | | |\n")
	}

	b.WriteString("\n## A filing (BenchmarkFiling, internal/e2e)\n\nThe complete package of 22 documents filed as an applicant files it " +
		"(a draft, one call declaring the documents, their PUTs to S3, one call confirming them, the submit) until the authority's first " +
		"step is open: the applicant's HTTP calls, the system's AWS requests, the notify function's requests delivering the filing's " +
		"notifications (beside the filing, counted apart), the table items it leaves and the case item's size. Targets: at most 28 " +
		"HTTP calls and 70 AWS requests.\n\n")
	filing := false
	for _, r := range results {
		if r.name != "BenchmarkFiling" {
			continue
		}
		if !filing {
			b.WriteString("| HTTP calls | AWS requests | delivering its notifications | table items | case item bytes |\n|---:|---:|---:|---:|---:|\n")
		}
		filing = true
		m := r.metrics
		fmt.Fprintf(&b, "| %g | %g | %g | %g | %g |\n", m["http-calls/filing"], m["aws-requests/filing"], m["delivery-requests/filing"],
			m["table-items/filing"], m["case-item-bytes"])
	}
	if !filing {
		b.WriteString("BenchmarkFiling did not run.\n")
	}

	b.WriteString("\n## Cold start per function (infra/coldstart)\n\n")
	b.WriteString(cold)

	b.WriteString("\n## Other benchmarks\n\nEvery other benchmark of the module, in the order `go test` ran them (package by package); " +
		"the certificate (Render) and the recall decision (RenderRecallDecision) have targets of 15 ms and 10 MB each.\n\n" +
		"| benchmark | package | time/op | MB allocated/op | allocs/op |\n|---|---|---:|---:|---:|\n")
	for _, r := range results {
		if strings.HasPrefix(r.name, "BenchmarkRoutes/") || strings.HasPrefix(r.name, "BenchmarkPath/") || r.name == "BenchmarkFiling" {
			continue
		}
		m := r.metrics
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f | %g |\n", strings.TrimPrefix(r.name, "Benchmark"), r.pkg, duration(m["ns/op"]), m["B/op"]/1e6, m["allocs/op"])
	}
	return b.String()
}

// routeName turns a sub-benchmark's name (GET__cases_caseId) back into the route's key as far as
// the name keeps it (GET /cases/caseId).
func routeName(s string) string {
	method, rest, _ := strings.Cut(s, "__")
	return method + " /" + strings.ReplaceAll(rest, "_", "/")
}

// duration writes ns nanoseconds in the unit that keeps three figures: ns, µs or ms.
func duration(ns float64) string {
	switch {
	case ns < 1e3:
		return fmt.Sprintf("%.0f ns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.2f ms", ns/1e6)
}
