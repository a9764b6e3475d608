package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadyTextSaysToFetchFreshTokensAfterAClockMove: the printed tokens live 24 hours of the
// local clock; the ready text says how to fetch fresh ones for every role after moving it.
func TestReadyTextSaysToFetchFreshTokensAfterAClockMove(t *testing.T) {
	text := freshTokens("http://127.0.0.1:3000")
	if !strings.Contains(text, "After every clock move") {
		t.Errorf("the ready text does not say when to fetch fresh tokens:\n%s", text)
	}
	for _, want := range []string{
		"export APPLICANT_TOKEN=$(curl -s 'http://127.0.0.1:3000/_local/token?role=applicant&format=text')",
		"export AUTHORITY_TOKEN=", "export STS_TOKEN=", "export QUALITY_AUTHORITY_TOKEN=",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("ready text lacks %q:\n%s", want, text)
		}
	}
}

// TestDefaultPortsAreNoCommonServicesPorts: make run's default ports are free on a usual
// developer machine: not macOS's AirPlay receiver (5000, 7000), not LocalStack's edge port
// (4566), nor a usual database's or web server's.
func TestDefaultPortsAreNoCommonServicesPorts(t *testing.T) {
	taken := map[int]string{5000: "macOS AirPlay receiver", 7000: "macOS AirPlay receiver", 4566: "LocalStack",
		5432: "PostgreSQL", 3306: "MySQL", 6379: "Redis", 27017: "MongoDB", 8000: "web servers", 8080: "web servers",
		80: "HTTP", 443: "HTTPS", 22: "SSH", 53: "DNS", 631: "CUPS", 5353: "mDNS"}
	for name, port := range map[string]int{"moto": defaultMotoPort} {
		if who, ok := taken[port]; ok {
			t.Errorf("the default %s port %d is %s's", name, port, who)
		}
	}
}

// TestMakeHelpListsEveryTargetWithItsCost: every target of the Makefile carries a "## " comment,
// which make help prints, and the comment says what the target costs.
func TestMakeHelpListsEveryTargetWithItsCost(t *testing.T) {
	b, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	rule := regexp.MustCompile(`^([a-z][a-z-]*):`)
	cost := regexp.MustCompile(`instant|seconds?|minutes?`)
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		m := rule.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n++
		_, help, ok := strings.Cut(line, "## ")
		if !ok {
			t.Errorf("make %s has no ## comment: make help does not list it", m[1])
			continue
		}
		if !cost.MatchString(help) {
			t.Errorf("make %s: %q does not say what it costs", m[1], help)
		}
	}
	for _, want := range []string{"test", "quick", "run", "prereq"} {
		if !regexp.MustCompile(`(?m)^` + want + `:`).Match(b) {
			t.Errorf("no make %s", want)
		}
	}
	if n < 10 {
		t.Fatalf("found %d targets", n)
	}
}
