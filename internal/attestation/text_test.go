package attestation

import (
	"strings"
	"testing"
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
