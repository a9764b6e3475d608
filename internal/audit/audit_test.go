package audit

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestRecordLogValueMasksTheOrganisation(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	r := Record{Time: time.Date(2026, 10, 15, 5, 0, 0, 0, time.UTC), RequestID: "r-1", User: "u-1", Role: "applicant",
		Organization: "120540001238", RouteKey: "POST /cases", Path: "/cases", CaseID: "A-1", Operation: "POST /cases", Status: 201, Origin: OriginAPI}
	log.Info("call", "record", r)
	out := buf.String()
	if strings.Contains(out, "120540001238") || !strings.Contains(out, `"organization":"********1238"`) {
		t.Fatalf("log line %s: want the BIN masked", out)
	}
	for _, want := range []string{`"requestId":"r-1"`, `"caseId":"A-1"`, `"status":201`, `"user":"u-1"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log line %s lacks %s", out, want)
		}
	}
}

func TestDayIsTheUTCDay(t *testing.T) {
	almaty := time.FixedZone("UTC+5", 5*3600)
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 10, 15, 10, 0, 0, 0, almaty), "2026-10-15"},
		{time.Date(2026, 10, 16, 3, 0, 0, 0, almaty), "2026-10-15"}, // 22:00 UTC the day before
		{time.Date(2026, 10, 15, 23, 59, 59, 0, time.UTC), "2026-10-15"},
	} {
		if got := (Record{Time: tc.at}).Day(); got != tc.want {
			t.Errorf("%s: day %s, want %s", tc.at, got, tc.want)
		}
	}
}

func TestParseDay(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"2026-10-15", true}, {"2026-02-29", false}, {"2026-1-5", false}, {"15-10-2026", false},
		{"2026-10-15T00:00:00Z", false}, {"", false}, {"2026-13-01", false},
	} {
		if _, err := ParseDay(tc.in); (err == nil) != tc.ok {
			t.Errorf("ParseDay(%q): %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

func TestLimitsAreCapped(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"", DefaultLimit, true}, {"1", 1, true}, {"100", 100, true}, {"101", MaxLimit, true}, {"100000", MaxLimit, true},
		{"0", 0, false}, {"-3", 0, false}, {"ten", 0, false}, {"1.5", 0, false},
	} {
		got, err := ParseLimit(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseLimit(%q) = %d, %v; want %d ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if Limit(0) != DefaultLimit || Limit(500) != MaxLimit || Limit(7) != 7 {
		t.Error("Limit does not clamp")
	}
}

func TestShortReason(t *testing.T) {
	if got := ShortReason("short"); got != "short" {
		t.Fatalf("%q", got)
	}
	long := strings.Repeat("ж", MaxReason) // two bytes each: the cut falls inside a rune
	got := ShortReason(long)
	if !utf8.ValidString(got) || len(got) > MaxReason+len("…") || !strings.HasSuffix(got, "…") {
		t.Fatalf("ShortReason of %d bytes gave %d bytes, valid=%v", len(long), len(got), utf8.ValidString(got))
	}
}
