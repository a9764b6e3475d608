package attestation

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHasIDShape(t *testing.T) {
	for id, want := range map[string]bool{
		"O-0123456789abcdef": true, "O-0123456789ABCDEF": false, "O-0123456789abcde": false,
		"C-0123456789abcdef": false, "O-0123456789abcdeg": false, "": false,
	} {
		if got := HasIDShape(id, "O-", 16); got != want {
			t.Errorf("%q: %v, want %v", id, got, want)
		}
	}
}

func TestTextProblem(t *testing.T) {
	for _, tc := range []struct {
		s      string
		breaks bool
		want   string
	}{
		{" ok ", false, ""},
		{"   ", false, "required"},
		{"\xff", false, "UTF-8"},
		{strings.Repeat("ж", 11), false, "at most 10 characters, got 11"},
		{"a\nb", false, "must not hold control characters"},
		{"a\nb\tc", true, ""},
		{"bell\a", true, "other than line breaks and tabs"},
	} {
		got := TextProblem(tc.s, 10, tc.breaks)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%q (breaks %v): %q, want %q", tc.s, tc.breaks, got, tc.want)
		}
	}
}

// TestUnsafeTextProblem is a table per rule of UnsafeTextProblem: what each refuses, and what it
// lets through beside it.
func TestUnsafeTextProblem(t *testing.T) {
	rules := []struct {
		rule string
		want string // in the problem; "" for a text that passes
		in   []string
	}{
		{"valid UTF-8", "UTF-8", []string{"\xff", "ab\xc3", "\xed\xa0\x80"}},
		{"no replacement character", "U+FFFD", []string{"Serv\uFFFDr", "\uFFFD"}},
		{"no bidirectional override or isolate", "bidirectional", []string{
			"a\u202Ab", "a\u202Bb", "a\u202Cb", "a\u202Db", "invoice\u202Efdp.exe", "a\u2066b", "a\u2067b", "a\u2068b", "a\u2069b"}},
		{"no directional mark without right-to-left text", "directional mark", []string{"abc\u200E", "\u200Fabc", "Алматы\u061C"}},
		{"not invisible only", "invisible", []string{
			"\u200B", "\u200B\u200C\u200D", "\u2060", "\uFEFF", " \u00A0\u2003 ", "\u3164", "\u115F\u1160", "\uFFA0",
			"\u2800", "\uFE0F", "\u0301\u0301", "\u180E", "\t", "\u200E"}},
		{"passes", "", []string{"", "Server", "E-licensing информационная система", "Ақпараттық жүйе", "Zoë", "Zoe\u0308",
			"שלום\u200F", "مرحبا\u061C", "a\u200Db", "👩\u200D💻", "line\nbreak"}},
	}
	for _, r := range rules {
		t.Run(r.rule, func(t *testing.T) {
			for _, s := range r.in {
				got := UnsafeTextProblem(s)
				if (r.want == "") != (got == "") || !strings.Contains(got, r.want) {
					t.Errorf("%+q: %q, want %q", s, got, r.want)
				}
			}
		})
	}
}

// TestTextProblemIncludesUnsafeText: a required text field refuses what UnsafeTextProblem does.
func TestTextProblemIncludesUnsafeText(t *testing.T) {
	for s, want := range map[string]string{
		"\u200B\u200B":    "invisible",
		"name\u202Etxt":   "bidirectional",
		"Lat\u200Ein":     "directional mark",
		"ok name":         "",
		" \u00A0 \u3164 ": "invisible",
	} {
		got := TextProblem(s, 100, true)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%+q: %q, want %q", s, got, want)
		}
	}
}

// TestUnsafeTextProblemLowRunes: the runes below lowRunes, which UnsafeTextProblem reads from a
// table, are none of the runes it looks at otherwise; and it answers as it did without the table
// for every rune alone, and for texts of those runes mixed with the others.
func TestUnsafeTextProblemLowRunes(t *testing.T) {
	for r := range rune(lowRunes) {
		if r == utf8.RuneError || bidiControl(r) || r == 0x200E || r == 0x200F || r == 0x061C || rightToLeft(r) {
			t.Fatalf("U+%04X is below lowRunes, yet UnsafeTextProblem must see it", r)
		}
	}
	// before is UnsafeTextProblem without the table.
	before := func(s string) string {
		lowTable = false
		defer func() { lowTable = true }()
		return UnsafeTextProblem(s)
	}
	for r := range rune(0x11000) {
		if s := string(r); UnsafeTextProblem(s) != before(s) {
			t.Fatalf("U+%04X: %q, before %q", r, UnsafeTextProblem(s), before(s))
		}
	}
	pool := []rune{' ', '\t', 'a', 0x00AD, 0x0301, 0x034F, 'Ә', 0x0483, 0x0590, 0x05D0, 0x0627, 0x200B, 0x200E, 0x200F, 0x061C, 0x202E, 0xFEFF, 0x3164}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 20_000 {
		rs := make([]rune, rng.IntN(6))
		for i := range rs {
			rs[i] = pool[rng.IntN(len(pool))]
		}
		if s := string(rs); UnsafeTextProblem(s) != before(s) {
			t.Fatalf("%q: %q, before %q", s, UnsafeTextProblem(s), before(s))
		}
	}
}
