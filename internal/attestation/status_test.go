package attestation

import (
	"testing"
)

// Standard §13: the status by receipt number, without signing in: the stage and the next due
// moment only; an unknown or malformed number reads like no application.
func TestStd13StatusByReceiptNumber(t *testing.T) {
	h := newHarness(t)
	c := h.caseAt(StageSurvey, caseSpec{}, route{})
	st, err := h.svc.Status(h.ctx, c.ID, h.now)
	if err != nil || st.ReceiptNumber != c.ID || st.Stage != StageSurvey || st.NextDueAt == nil || !st.NextDueAt.Equal(c.OpenStep.DueAt) {
		t.Fatalf("status %+v, %v", st, err)
	}
	ended := h.caseAt(StageRefused, caseSpec{}, route{})
	if st, err := h.svc.Status(h.ctx, ended.ID, h.now); err != nil || st.Stage != StageRefused || st.NextDueAt != nil {
		t.Fatalf("ended: %+v, %v", st, err)
	}
	for _, id := range []string{"A-20261005-ffffffffffffffff", "A-2026", "B-20261005-0000000000000001", c.ID + "x", ""} {
		_, err := h.svc.Status(h.ctx, id, h.now)
		mustErr(t, err, ErrNotFound)
	}
}

// §16: the STS reads a case only once the authority forwarded it to the STS.
func TestPar16TheSTSReadsOnlyCasesForwardedToIt(t *testing.T) {
	h := newHarness(t)
	c := h.caseAt(StageCompletenessCheck, caseSpec{}, route{})
	_, _, err := h.svc.Get(h.ctx, sts, c.ID)
	mustErr(t, err, ErrNotFound)
	h.advance(c.ID, OutcomeForward)
	if _, _, err := h.svc.Get(h.ctx, sts, c.ID); err != nil {
		t.Fatalf("the STS does not read the forwarded case: %v", err)
	}
	returned := h.caseAt(StageCompletenessCheck, caseSpec{}, route{})
	t.Run("§16 nor uploads to it or completes a step of it before", func(t *testing.T) {
		h := withFiles(newHarness(t))
		c := h.caseAt(StageCompletenessCheck, caseSpec{}, route{})
		_, _, err := h.svc.RequestCaseUpload(h.ctx, sts, c.ID, declaration(DocContract, "application/pdf", pdf("early")), h.tick())
		mustErr(t, err, ErrNotFound)
		_, err = h.svc.CompleteStep(h.ctx, sts, c.ID, h.completion(c, OutcomeForward), h.tick())
		mustErr(t, err, ErrNotFound)
		h.unchanged(c)
		h.advance(c.ID, OutcomeForward)
		if _, _, err := h.svc.RequestCaseUpload(h.ctx, sts, c.ID, declaration(DocContract, "application/pdf", pdf("in time")), h.tick()); err != nil {
			t.Fatalf("the STS cannot upload the contract to the forwarded case: %v", err)
		}
	})
	h.advance(returned.ID, OutcomeReturn)
	_, _, err = h.svc.Get(h.ctx, sts, returned.ID)
	mustErr(t, err, ErrNotFound)
	if _, _, err := h.svc.Get(h.ctx, authority, returned.ID); err != nil {
		t.Fatalf("the authority reads it: %v", err)
	}
}
