package e2e

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"attestation/internal/localstack"
)

// instant is an RFC 3339 date-time anywhere in a JSON body; utcInstant is one in the API's one
// convention, UTC with "Z" (openapi.yaml's info description).
var (
	instant    = regexp.MustCompile(`"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})"`)
	utcInstant = regexp.MustCompile(`Z"$`)
)

// TestAnswersAreReadable walks a few typical answers of a case carried to its certificate, the
// register and the work queue: every JSON body ends with a newline, and every instant in it is
// UTC with "Z" (the moments are computed in Asia/Almaty, +05:00, and turned to UTC at the
// boundary); the local gateway's own answers end with a newline too.
func TestAnswersAreReadable(t *testing.T) {
	p, n := issued(t, "Readable answers register")
	tok := func(u *localstack.User) string {
		s, err := stack.Issuer.Token(*u, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	open := file(t, day(10, 16, 10), application(t, "Readable answers open step", false)) // its step due in Almaty
	applicant, authority := tok(p.applicant.user), tok(p.authority.user)                  // minted on the clock as it is now
	owner := as(t, newOrganisation(t))
	objectID := registerObject(t, owner, "Readable answers object")
	ownerToken := tok(owner.user)
	seen := 0
	for _, tc := range []struct {
		method, path, token string
		body                any
	}{
		{"PUT", "/plans/2026", ownerToken, planOf(planRow(objectID, "creation", "2026-12-01", nil))}, // dueAt: March 1, Almaty
		{"GET", "/plans/2026", ownerToken, nil},
		{"GET", "/objects/" + objectID, ownerToken, nil},
		{"POST", "/complaints", applicant, complaintBody("service_provider", "The answers run together")}, // dueAt: 5 working days
		{"GET", "/complaints", authority, nil},
		{"GET", "/cases/" + p.id, applicant, nil},
		{"GET", "/cases/" + p.id, authority, nil},
		{"GET", "/cases", applicant, nil},
		{"GET", "/queue", authority, nil},
		{"GET", "/cases/" + open.id, authority, nil},
		{"GET", "/_local/clock", "", nil}, // the local stack's own routes too
		{"POST", "/_local/deadline-check", "", nil},
		{"GET", "/certificates/" + n, "", nil},
		{"GET", "/certificates/" + n + "/history", "", nil},
		{"GET", "/register?status=valid", "", nil},
		{"GET", "/register/obligations", authority, nil},
		{"GET", "/audit/cases/" + p.id, authority, nil},
		{"GET", "/cases", "not-a-token", nil}, // the gateway's own 401
	} {
		var body []byte
		if tc.body != nil {
			body = mustJSON(t, tc.body)
		}
		r := send(t, tc.method, tc.path, tc.token, body, nil)
		if !strings.Contains(r.contentType, "json") {
			t.Fatalf("%s %s: %d %s", tc.method, tc.path, r.status, r.contentType)
		}
		if !strings.HasSuffix(string(r.raw), "}\n") {
			t.Errorf("%s %s: %d, the JSON body does not end with a newline: %.200q", tc.method, tc.path, r.status, r.raw)
		}
		for _, m := range instant.FindAllString(string(r.raw), -1) {
			seen++
			if !utcInstant.MatchString(m) {
				t.Errorf("%s %s: instant %s is not UTC with Z", tc.method, tc.path, m)
			}
		}
		if tc.token != "not-a-token" && r.status >= 300 {
			t.Fatalf("%s %s: %d %s", tc.method, tc.path, r.status, r.raw)
		}
	}
	// The gateway's own 404 (no route: outside openapi.yaml, so read without validation).
	resp, err := http.Get(stack.APIURL + "/nothing-here")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusNotFound || string(b) != "{\"message\":\"Not Found\"}\n" {
		t.Errorf("GET /nothing-here: %d %q, want 404 with a newline after the JSON", resp.StatusCode, b)
	}
	if seen < 10 {
		t.Fatalf("only %d instants seen: the walk reads too little", seen)
	}
}
