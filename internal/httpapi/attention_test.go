package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestHandbackRoutes: only the authority hands a case back; the answer says what was done; a case
// that does not need attention is a 409 problem; both calls are recorded with the case.
func TestHandbackRoutes(t *testing.T) {
	json200 := map[string]string{"content-type": "application/json"}
	for _, tc := range []struct {
		name, route, id, body string
		claims                map[string]string
		status                int
		stage, outcome        string
	}{
		{"resume", "resume", "A-20261015-0123456789abcdef", `{"reasons":["the table is back"]}`, authorityClaims, 200, "submitted", "resume"},
		{"resume without a body", "resume", "A-20261015-0123456789abcdef", "", authorityClaims, 200, "submitted", "resume"},
		{"close", "close", "A-20261015-0123456789abcdef", `{"reasons":["the object is gone"]}`, authorityClaims, 200, "discontinued", "close"},
		{"the STS", "resume", "A-20261015-0123456789abcdef", "", stsClaims, 403, "", ""},
		{"the applicant", "close", "A-20261015-0123456789abcdef", `{"reasons":["x"]}`, applicantClaims, 403, "", ""},
		{"a case that does not need attention", "resume", "A-20261015-fedcba9876543210", "", authorityClaims, 409, "", ""},
		{"an unknown field", "close", "A-20261015-0123456789abcdef", `{"reason":"x"}`, authorityClaims, 400, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv()
			key := "POST /cases/{caseId}/attention/" + tc.route
			r := req{routeKey: key, path: "/cases/" + tc.id + "/attention/" + tc.route, params: map[string]string{"caseId": tc.id},
				claims: tc.claims, body: tc.body}
			if tc.body != "" {
				r.headers = json200
			}
			resp, _ := e.do(t, r)
			if resp.StatusCode != tc.status {
				t.Fatalf("%d %s", resp.StatusCode, resp.Body)
			}
			if tc.status != http.StatusOK {
				if resp.Headers["Content-Type"] != "application/problem+json" {
					t.Fatalf("a refusal as %s", resp.Headers["Content-Type"])
				}
			} else {
				var v HandbackView
				if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
					t.Fatal(err)
				}
				if string(v.Stage) != tc.stage || v.Outcome != tc.outcome || !v.Delivered || v.CaseID != tc.id {
					t.Fatalf("answer: %+v", v)
				}
			}
			if calls := e.calls.all(); len(calls) != 1 || calls[0].CaseID != tc.id || calls[0].Status != tc.status {
				t.Fatalf("call records: %+v", calls)
			}
		})
	}
}
