package identity

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestFromClaims(t *testing.T) {
	for _, tc := range []struct {
		name   string
		claims map[string]string
		want   Actor
		err    bool
	}{
		{"applicant as API Gateway renders groups", map[string]string{"sub": "u1", "name": "Aigerim", "cognito:groups": "[applicant]", "custom:bin": "123456789012"},
			Actor{Subject: "u1", Name: "Aigerim", Role: Applicant, BIN: "123456789012"}, false},
		{"authority with two known groups of which one a role", map[string]string{"sub": "u2", "cognito:groups": "[authority staff-2026]"}, Actor{Subject: "u2", Role: Authority}, false},
		// Not API Gateway's rendering: refused, never read leniently (issue 12).
		{"authority with JSON groups refused", map[string]string{"sub": "u2", "cognito:groups": `["authority"]`}, Actor{}, true},
		{"sts plain refused", map[string]string{"sub": "u3", "cognito:groups": "sts"}, Actor{}, true},
		{"quality authority (standard §11)", map[string]string{"sub": "u6", "cognito:groups": "[quality_authority]"}, Actor{Subject: "u6", Role: QualityAuthority}, false},
		{"Std9 office officer with the name the receipt mark carries", map[string]string{"sub": "u7", "name": "Aliya Serikovna Nurlanova", "cognito:groups": "[office]"},
			Actor{Subject: "u7", Name: "Aliya Serikovna Nurlanova", Role: Office}, false},
		{"Std9 office without the officer's name refused", map[string]string{"sub": "u7", "cognito:groups": "[office]"}, Actor{}, true},
		{"unknown groups ignored", map[string]string{"sub": "u3", "cognito:groups": "[sts admins]"}, Actor{Subject: "u3", Role: STS}, false},
		{"two roles refused", map[string]string{"sub": "u4", "cognito:groups": "[sts authority]"}, Actor{}, true},
		{"no role refused", map[string]string{"sub": "u4"}, Actor{}, true},
		{"scheduler is never a token role", map[string]string{"sub": "u4", "cognito:groups": "[scheduler]"}, Actor{}, true},
		{"no subject refused", map[string]string{"cognito:groups": "[sts]"}, Actor{}, true},
		{"applicant without BIN refused", map[string]string{"sub": "u5", "cognito:groups": "[applicant]"}, Actor{}, true},
		{"applicant with short BIN refused", map[string]string{"sub": "u5", "cognito:groups": "[applicant]", "custom:bin": "12345"}, Actor{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromClaims(tc.claims)
			if tc.err {
				if !errors.Is(err, ErrNoIdentity) {
					t.Fatalf("err = %v, want ErrNoIdentity", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// TestGroupsClaimIsReadExactly: the groups claim is read only in API Gateway's rendering of an
// array ("[a b]": brackets, names separated by single spaces); every other shape is refused
// whole, whatever role it seems to name.
func TestGroupsClaimIsReadExactly(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		want      []string // nil: refused
	}{
		{"one group", "[authority]", []string{"authority"}},
		{"two groups", "[sts admins]", []string{"sts", "admins"}},
		{"names with digits, dash, dot, underscore", "[quality_authority team-1.a]", []string{"quality_authority", "team-1.a"}},
		{"a comma joins two names", "[authority,x]", nil},
		{"a comma without brackets", "authority,x", nil},
		{"a comma and a space", "[authority, x]", nil},
		{"a quoted group", `["authority"]`, nil},
		{"a quoted group without brackets", `"authority"`, nil},
		{"a single-quoted group", "['authority']", nil},
		{"an object claim", `{"role":"authority"}`, nil},
		{"an object rendered in brackets", `[{"role":"authority"}]`, nil},
		{"braces in a name", "[{authority}]", nil},
		{"a nested array", "[[authority]]", nil},
		{"two spaces", "[sts  admins]", nil},
		{"a leading space", "[ authority]", nil},
		{"a trailing space", "[authority ]", nil},
		{"a tab", "[sts\tadmins]", nil},
		{"a newline", "[sts\nadmins]", nil},
		{"space around the brackets", " [authority] ", nil},
		{"no brackets", "authority", nil},
		{"no closing bracket", "[authority", nil},
		{"empty list", "[]", nil},
		{"empty claim", "", nil},
		{"a non-ASCII letter", "[authorіty]", nil}, // Cyrillic і
		{"too many groups", "[" + strings.TrimSpace(strings.Repeat("g ", MaxGroups+1)) + "]", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseGroups(tc.raw)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("%q read as %q, want it refused", tc.raw, got)
				}
				claims := map[string]string{"sub": "u", ClaimGroups: tc.raw, ClaimBIN: "123456789012"}
				if a, err := FromClaims(claims); !errors.Is(err, ErrNoIdentity) {
					t.Fatalf("FromClaims(%q) = %+v, %v; want ErrNoIdentity", tc.raw, a, err)
				}
				return
			}
			if err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("%q: %q, %v; want %q", tc.raw, got, err, tc.want)
			}
		})
	}
}

func TestIdentityNumbersAreMaskedInLogs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("call", "actor", Actor{Subject: "u1", Role: Applicant, BIN: "123456789012"})
	if strings.Contains(buf.String(), "123456789012") || !strings.Contains(buf.String(), "********9012") {
		t.Fatalf("log line does not mask the BIN: %s", buf.String())
	}
	if Mask("123") != "***" {
		t.Fatalf("short numbers are masked whole")
	}
}
