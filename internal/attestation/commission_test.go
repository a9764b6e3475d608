package attestation

import (
	"strings"
	"testing"
)

func TestArt51CommissionOfTheDecision(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		edit       func(cm *Commission)
	}{
		{"Law Art. 51(6) the decision records the commission that met", "give its meeting", nil},
		{"Law Art. 51(6) the commission has one chair", "one chair", func(cm *Commission) { cm.Members[0].Role = MemberMember }},
		{"Law Art. 51(6) a chair and at least two members (project rule)", "3 to 30", func(cm *Commission) { cm.Members = cm.Members[:2] }},
		{"Law Art. 51(6) each member has a role", "want chair, secretary or member", func(cm *Commission) { cm.Members[2].Role = "guest" }},
		{"Law Art. 51(6) each member is named with a position", "position", func(cm *Commission) { cm.Members[1].Position = "" }},
		{"Law Art. 51(6) the protocol has its number", "protocolNumber", func(cm *Commission) { cm.ProtocolNumber = " " }},
		{"Law Art. 51(6) the meeting is not after today", "after today", func(cm *Commission) { cm.Meeting = "2099-01-01" }},
		{"Law Art. 51(6) the meeting is not before the act reached the authority", "before the step opened", func(cm *Commission) { cm.Meeting = "2020-01-01" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarnessEdition(t, editionLaw)
			c := h.caseAt(StageDecision, caseSpec{}, route{})
			in := h.completion(c, OutcomeIssue)
			if tc.edit == nil {
				in.Commission = nil
			} else {
				tc.edit(in.Commission)
			}
			_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, in, h.tick())
			mustErr(t, err, ErrInvalid)
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v, want %q", err, tc.want)
			}
			h.unchanged(c)
		})
	}
	t.Run("Law Art. 51(6) the commission is kept on the case with the decision it met for", func(t *testing.T) {
		h := newHarnessEdition(t, editionLaw)
		c := h.caseAt(StageDecision, caseSpec{}, route{})
		if _, err := h.svc.CompleteStep(h.ctx, authority, c.ID, h.completion(c, OutcomeIssue), h.tick()); err != nil {
			t.Fatal(err)
		}
		cm := h.get(c.ID).Commissions
		if len(cm) != 1 || cm[0].Step != "decision" || len(cm[0].Members) != 3 || cm[0].ProtocolNumber != "P-1" {
			t.Fatalf("%+v", cm)
		}
	})
	t.Run("§27 the Rules' decision takes no commission", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageDecision, caseSpec{}, route{})
		in := h.completion(c, OutcomeIssue)
		in.Commission = sampleCommission(c)
		_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, in, h.tick())
		mustErr(t, err, ErrInvalid)
		h.unchanged(c)
	})
}
