package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// FuzzHandle sends arbitrary bodies, identities and idempotency keys to every route that reads a
// request (the package, the completion, and the paged reads). Whatever comes in, the handler
// answers (no error, no panic), with a declared status, a problem+json body for every refusal, and
// exactly one call record. The seed corpus runs as an ordinary test.
func FuzzHandle(f *testing.F) {
	pkg, err := json.Marshal(json.RawMessage(validPackageBytes(f)))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []struct {
		route        uint8
		body, key, q string
		applicant    bool
	}{
		{0, string(pkg), "", "", true},
		{1, string(pkg), "k-1", "", true},
		{0, `{"applicant":{"identityNumber":12}}`, "", "", true},
		{0, `{"stateSecret":true}`, "", "", true},
		{0, `[]`, "", "", true},
		{0, `{"documents":{"annex3_07":{"key":"","sha256":"zz","size":-1}}}`, "", "", true},
		{2, `{"step":"completeness_check","outcome":"forward"}`, "", "", false},
		{2, `{"step":"decision","outcome":"rectify","reasons":["", "x"]}`, "", "", false},
		{2, `{"step":"sign_contract","outcome":"signed","entryIntoForce":"2099-13-40"}`, "key with spaces", "", true},
		{2, `{"outcome":"forward","extra":1}`, "", "", false},
		{3, ``, "", "", true},
		{4, ``, "", "limit=0", false},
		{4, ``, "", "limit=100000&cursor=%%%", false},
		{5, ``, "", "cursor=eyJ4IjoxfQ", false},
		{0, "\x00\xff{", "\x7f", "", true},
	} {
		f.Add(seed.route, seed.body, seed.key, seed.q, seed.applicant)
	}
	routes := []req{
		{routeKey: "POST /drafts", path: "/drafts"},
		{routeKey: "POST /cases/{caseId}/step", path: "/cases/A-1/step", params: caseParams("A-1")},
		{routeKey: "POST /cases/{caseId}/withdraw", path: "/cases/A-1/withdraw", params: caseParams("A-1")},
		{routeKey: "GET /audit/days/{day}", path: "/audit/days/2026-10-15", params: map[string]string{"day": "2026-10-15"}},
		{routeKey: "GET /audit/cases/{caseId}", path: "/audit/cases/A-1", params: caseParams("A-1")},
	}
	declared := map[int]bool{200: true, 201: true, 400: true, 401: true, 403: true, 404: true, 409: true, 413: true, 422: true, 503: true}
	f.Fuzz(func(t *testing.T, route uint8, body, key, query string, applicant bool) {
		e := newEnv()
		r := routes[int(route)%len(routes)]
		r.body = body
		if key != "" {
			r.headers = map[string]string{"Idempotency-Key": key}
		}
		if query != "" {
			// API Gateway hands the function the decoded parameters; any bytes may arrive.
			r.query = map[string]string{}
			for _, kv := range strings.Split(query, "&") {
				k, v, _ := strings.Cut(kv, "=")
				r.query[k] = v
			}
		}
		if applicant {
			r.claims = map[string]string{"sub": "u1", "cognito:groups": "[applicant]", "custom:bin": "120540001238"}
		} else {
			r.claims = map[string]string{"sub": "u2", "cognito:groups": "[authority]"}
		}
		resp, _ := e.do(t, r)
		if !declared[resp.StatusCode] {
			t.Fatalf("%s: status %d is not one the API declares; body %s", r.routeKey, resp.StatusCode, resp.Body)
		}
		if resp.StatusCode >= 400 {
			var p Problem
			if ct := resp.Headers["Content-Type"]; ct != "application/problem+json" {
				t.Fatalf("%s: refusal %d with content type %q", r.routeKey, resp.StatusCode, ct)
			}
			if err := json.Unmarshal([]byte(resp.Body), &p); err != nil || p.Status != resp.StatusCode || p.Title == "" {
				t.Fatalf("%s: refusal body %q is not a problem of status %d", r.routeKey, resp.Body, resp.StatusCode)
			}
		}
		if n := len(e.calls.all()); n != 1 {
			t.Fatalf("%s: %d call records, want 1", r.routeKey, n)
		}
		if resp.StatusCode == http.StatusInternalServerError {
			t.Fatalf("%s: 500 for body %q", r.routeKey, body)
		}
	})
}

func validPackageBytes(tb testing.TB) []byte { return []byte(validPackage(tb)) }
