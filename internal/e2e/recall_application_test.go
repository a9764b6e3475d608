package e2e

import (
	"net/http"
	"slices"
	"testing"

	"attestation/internal/localstack"
)

// §45(2): the owner applies for the recall of its certificate through its own route; the
// application waits in the authority's obligations until the authority decides it.
func TestPar45OwnerAppliesForTheRecallThenTheAuthorityDecides(t *testing.T) {
	_, number := issuedTB(t, "Recalled on the owner's application")
	owner, authority := as(t, localstack.DemoApplicant), as(t, localstack.DemoAuthority)
	status, out := owner.do("POST", certPath(number, "/recall-application"), map[string]any{"reasons": []string{"The system is replaced by a new one"}})
	mustStatus(t, "the owner's application", status, http.StatusOK, out)
	if a, _ := certificateIn(out)["recallApplication"].(map[string]any); a == nil || a["receivedAt"] == nil {
		t.Fatalf("the application is not recorded: %v", certificateIn(out))
	}
	want := "recall/" + number + "/owner_application"
	if got := obligationsOf(t, false, number); !slices.Contains(got, want) {
		t.Fatalf("obligations %v, want %s", got, want)
	}
	status, out = authority.do("POST", certPath(number, "/recall-application"), map[string]any{"reasons": []string{"x"}})
	mustStatus(t, "the authority applying", status, http.StatusForbidden, out)
	status, out = authority.do("POST", certPath(number, "/recall"), recallBody("owner_application"))
	mustStatus(t, "the authority's decision", status, http.StatusOK, out)
	if got := obligationsOf(t, false, number); slices.Contains(got, want) {
		t.Fatalf("the decided application is still open: %v", got)
	}
}

// §16: the STS reads a case once the authority forwarded it, and not before.
func TestPar16TheSTSReadsOnlyCasesForwardedToIt(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Not yet forwarded", false))
	if status, out := p.sts.do("GET", "/cases/"+p.id, nil); status != http.StatusNotFound {
		t.Fatalf("the STS reads a case not forwarded to it: %d %v", status, out)
	}
	// Nor uploads to it: the answer is the one for a case that does not exist.
	if status, out := p.sts.do("POST", "/cases/"+p.id+"/uploads", declaration("contract")); status != http.StatusNotFound {
		t.Fatalf("the STS uploads to a case not forwarded to it: %d %v", status, out)
	}
	p.act(p.authority, day(10, 16, 10), "completeness_check", "forward", nil)
	p.open("send_contract")
	if status, out := p.sts.do("GET", "/cases/"+p.id, nil); status != http.StatusOK {
		t.Fatalf("the STS does not read the forwarded case: %d %v", status, out)
	}
	declare(t, p.sts, "/cases/"+p.id+"/uploads", "contract")
}
