package e2e

import (
	"net/http"
	"testing"
	"time"

	"attestation/internal/localstack"
)

// §19 exactly: the 40 working days are for a geographically distributed information system; an
// Internet resource or the e-government platform filed as one is refused before any case starts.
func TestPar19OnlyAnInformationSystemIsGeographicallyDistributed(t *testing.T) {
	stack.Clock.Freeze(day(10, 15, 10))
	c := as(t, localstack.DemoApplicant)
	for _, kind := range []string{"state_web", "egov_platform"} {
		app := application(t, "Distributed "+kind, true)
		app["object"].(map[string]any)["kind"] = kind
		status, out := c.file(app)
		mustStatus(t, kind, status, http.StatusUnprocessableEntity, out, "flags.geographicallyDistributed", "§19", "only an information system")
	}
}

// §19: the contract's stated entry into force is not before the signature and at most the
// policy's 30 calendar days after it.
func TestPar19EntryIntoForceIsBounded(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Bounded contract", false))
	p.act(p.authority, day(10, 16, 10), "completeness_check", "forward", nil)
	p.act(p.sts, day(10, 16, 11), "send_contract", "contract_sent", p.docs("contract"))
	p.open("sign_contract")
	stack.Clock.Freeze(day(10, 19, 10))
	for stated, says := range map[time.Time]string{
		day(10, 16, 12): "before the contract is signed", // after the sending, before the signature
		day(11, 19, 0):  "more than 30 calendar days after the signature",
	} {
		body := map[string]any{"step": "sign_contract", "outcome": "signed", "entryIntoForce": stated.Format(time.RFC3339),
			"documents": p.attach(p.applicant, docKinds{"signed_contract"})}
		status, out := p.applicant.do("POST", "/cases/"+p.id+"/step", body)
		mustStatus(t, stated.String(), status, http.StatusUnprocessableEntity, out, says)
	}
	extra := p.docs("signed_contract")
	extra["entryIntoForce"] = day(11, 18, 0).Format(time.RFC3339) // the 30th day
	p.act(p.applicant, day(10, 19, 10), "sign_contract", "signed", extra)
}

// Standard §13: anyone with the receipt number reads the stage and the next due moment, without
// a token, and nothing else; an unknown number is 404.
func TestStd13StatusByReceiptNumberWithoutSigningIn(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Status by receipt", false))
	r := send(t, "GET", "/status/"+p.id, "", nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status: %d %s", r.status, r.raw)
	}
	if len(r.body) != 3 || r.body["receiptNumber"] != p.id || r.body["stage"] != "completeness_check" || r.body["nextDueAt"] != "2026-10-20T18:59:59Z" {
		t.Fatalf("status %v: want the stage and the next due moment only", r.body)
	}
	if r := send(t, "GET", "/status/A-20261015-0123456789abcdef", "", nil, nil); r.status != http.StatusNotFound {
		t.Fatalf("an unknown number: %d %s", r.status, r.raw)
	}
}
