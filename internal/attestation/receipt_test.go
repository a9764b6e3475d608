package attestation

import (
	"strings"
	"testing"
	"time"
)

// Receipt defined once (receipt.go): every period the Rules count "from receipt" (§17, §31, §42,
// §46) counts from ReceivedAt. §42 is tested with the register entry (internal/issuing) and §46
// with the recall (internal/register).

func TestPar17Par31Par42Par46ReceiptDefinedOnce(t *testing.T) {
	sent := time.Date(2026, time.November, 13, 6, 0, 0, 0, time.UTC)
	t.Run("online: the applicant has it the moment the sending is recorded", func(t *testing.T) {
		for _, ch := range []string{"", ChannelOnline} {
			at, ok := ReceivedAt(Sending{Channel: ch, SentAt: sent})
			if !ok || !at.Equal(sent) {
				t.Fatalf("channel %q: %s %v", ch, at, ok)
			}
		}
	})
	t.Run("office: the recorded hand-over, and nothing before it", func(t *testing.T) {
		if _, ok := ReceivedAt(Sending{Channel: ChannelOffice, SentAt: sent}); ok {
			t.Fatal("received at the office before the hand-over")
		}
		handed := sent.Add(26 * time.Hour)
		if at, ok := ReceivedAt(Sending{Channel: ChannelOffice, SentAt: sent, HandedOverAt: &handed}); !ok || !at.Equal(handed) {
			t.Fatalf("%s %v, want the hand-over %s", at, ok, handed)
		}
	})
	t.Run("nothing sent is nothing received", func(t *testing.T) {
		if _, ok := ReceivedAt(Sending{}); ok {
			t.Fatal("received without a sending")
		}
	})
	t.Run("§17 the signature's 5 working days run from the receipt of the copies of the contract", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSignContract, caseSpec{}, route{})
		received, ok := ReceivedAt(SentOnline(c.LastDecision.At))
		if !ok || !c.OpenStep.DueAt.Equal(addWD(t, received, 5)) {
			t.Fatalf("sign_contract due %s, want 5 working days from the receipt %s", c.OpenStep.DueAt, received)
		}
	})
	t.Run("§31 the rectification's 20 working days run from the receipt of the act", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageDecision, caseSpec{}, route{})
		h.advance(c.ID, OutcomeRectify)
		h.advance(c.ID, OutcomeSent)
		got := h.get(c.ID)
		received, ok := got.DecisionReceivedAt()
		if !ok || got.OpenStep == nil || !got.OpenStep.DueAt.Equal(addWD(t, received, 20)) {
			t.Fatalf("rectification %+v, want 20 working days from the receipt %s", got.OpenStep, received)
		}
	})
}

func TestPar25Par28CertificateNumberReachesTheApplicantWithTheSending(t *testing.T) {
	for _, stage := range []Stage{StageDecision, StageSecondDecision} {
		t.Run(string(stage), func(t *testing.T) {
			h := newHarness(t)
			c := h.caseAt(stage, caseSpec{}, route{})
			h.advance(c.ID, OutcomeIssue) // the state machine issues the certificate before the sending
			staff := h.get(c.ID)
			if staff.Certificate == "" || staff.CertificateSent() {
				t.Fatalf("number %q, received %v: want a number not yet received", staff.Certificate, staff.CertificateSent())
			}
			if _, ok := staff.DecisionReceivedAt(); ok {
				t.Fatal("the decision counts as received before the sending")
			}
			v, events, err := h.svc.Get(h.ctx, applicant, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v.Certificate != "" {
				t.Fatalf("§28: the applicant sees certificate %s before it was sent", v.Certificate)
			}
			for _, e := range events {
				if strings.Contains(e.What, staff.Certificate) {
					t.Fatalf("§28: the applicant's history names the certificate before the sending: %q", e.What)
				}
			}
			sent := h.advance(c.ID, OutcomeSent)
			v, events, err = h.svc.Get(h.ctx, applicant, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v.Certificate != staff.Certificate || !v.CertificateSent() {
				t.Fatalf("after the sending the applicant sees %q, want %s", v.Certificate, staff.Certificate)
			}
			if at, ok := v.DecisionReceivedAt(); !ok || !at.Equal(sent.At) {
				t.Fatalf("received %s %v, want the sending %s", at, ok, sent.At)
			}
			named := false
			for _, e := range events {
				named = named || strings.Contains(e.What, staff.Certificate)
			}
			if !named {
				t.Fatal("the applicant's history does not name the certificate once sent")
			}
		})
	}
}
