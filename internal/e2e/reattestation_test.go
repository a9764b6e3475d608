package e2e

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"attestation/internal/localstack"
)

// §44: the authority's decision that re-attestation is required obliges the owner to apply again
// and lists the certificate for the authority's decision on recall for changed conditions
// (§45(4)), both in the obligations list, until the recall is decided.
func TestPar44ReattestationRequiredShowsInTheObligations(t *testing.T) {
	org := newOrganisation(t)
	number := lifeEntry(t, "state_is", org.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))
	clockAt(t, time.Date(2026, 11, 2, 10, 0, 0, 0, almaty))
	status, out := as(t, org).do("POST", certPath(number, "/changes"), map[string]any{"description": "A second data centre"})
	mustStatus(t, "notice", status, http.StatusCreated, out)
	authority := as(t, localstack.DemoAuthority)
	status, out = authority.do("POST", certPath(number, "/changes/c1/decision"), map[string]any{"decision": "reattestation_required", "reasons": []string{"§44: the network changed"}})
	mustStatus(t, "decision", status, http.StatusOK, out)
	got := obligationsOf(t, false, number)
	for _, want := range []string{"reattestation/" + number + "/c1", "recall/" + number + "/c1/changed_conditions"} {
		if !slices.Contains(got, want) {
			t.Fatalf("obligations %v lack %s", got, want)
		}
	}
	if got := obligationsAs(t, as(t, org), false, number); !slices.Contains(got, "reattestation/"+number+"/c1") {
		t.Fatalf("the owner's obligations %v lack its new application", got)
	}
	status, out = authority.do("POST", certPath(number, "/recall"), map[string]any{"ground": "changed_conditions", "changeId": "c1", "reasons": []string{"§45(4)"}})
	mustStatus(t, "recall", status, http.StatusOK, out)
	for _, o := range obligationsOf(t, false, number) {
		if o == "reattestation/"+number+"/c1" || o == "recall/"+number+"/c1/changed_conditions" {
			t.Fatalf("still open after the recall: %v", o)
		}
	}
}
