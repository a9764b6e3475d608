package attestation

import (
	"testing"
	"time"

	"attestation/internal/identity"
	"attestation/internal/notice"
)

// TestNoticesOfEachChange: each change of a case that starts, moves or ends a period for someone
// reports one notification to them (issue 13's outbox), named by its paragraph.
func TestNoticesOfEachChange(t *testing.T) {
	at := time.Date(2026, 10, 15, 5, 0, 0, 0, time.UTC)
	due := at.Add(96 * time.Hour)
	base := Case{ID: "A-1", OrganizationBIN: "120540001238", ObjectName: "Registry", Version: 7}
	org := notice.Audience{BIN: base.OrganizationBIN}
	with := func(edit func(*Case)) Case { c := base; edit(&c); return c }
	for _, tc := range []struct {
		name   string
		c      Case
		events []Event
		kind   notice.Kind
		to     notice.Audience
		para   string
		due    bool
	}{
		{"§14 filing received", with(func(c *Case) { c.Stage = StageCompletenessCheck }), []Event{{What: whatReceipt, At: at}}, notice.FilingReceived, org, "§14", false},
		{"§15 returned with reasons", base, []Event{{Outcome: OutcomeReturn, Step: "completeness_check", Reasons: []string{"r"}, At: at}}, notice.Returned, org, "§15, standard §10", false},
		{"§16 forwarded", base, []Event{{Outcome: OutcomeForward, Step: "completeness_check", At: at}}, notice.Forwarded, org, "§16", false},
		{"§17 contract sent, sign by the due moment", with(func(c *Case) {
			c.OpenStep = &Step{Name: "sign_contract", Role: identity.Applicant, OpenedAt: at, DueAt: due, Paragraph: "§17"}
		}), nil, notice.ContractSent, org, "§17", true},
		{"§17 contract lapsed", base, []Event{{Outcome: "lapsed", Step: "sign_contract", At: at}}, notice.ContractLapsed, org, "§17", false},
		{"§28 act and certificate decision sent", with(func(c *Case) { c.Decision = OutcomeIssue }), []Event{{Outcome: OutcomeSent, Step: "send_documents", At: at}}, notice.DocumentsSent, org, "§28", false},
		{"§30 act and refusal sent", with(func(c *Case) { c.Decision = OutcomeRefuse }), []Event{{Outcome: OutcomeSent, Step: "send_documents", At: at}}, notice.DocumentsSent, org, "§30", false},
		{"§31 rectification due", with(func(c *Case) {
			c.OpenStep = &Step{Name: "rectification_notice", Role: identity.Applicant, OpenedAt: at, DueAt: due, Paragraph: "§31"}
		}), nil, notice.RectificationDue, org, "§31", true},
		{"§32 rectification lapsed", base, []Event{{Outcome: "lapsed", Step: "rectification_notice", At: at}}, notice.RectificationLapsed, org, "§32", false},
		{"§38 additional survey result sent", with(func(c *Case) { c.Decision = OutcomeIssue }), []Event{{Outcome: OutcomeSent, Step: "second_send_documents", At: at}}, notice.AdditionalSurveyResult, org, "§38", false},
		{"withdrawn", base, []Event{{What: whatWithdrawn, At: at}}, notice.Withdrawn, org, "", false},
		{"§28 certificate issued", with(func(c *Case) { c.Certificate = "2026/00001" }), []Event{{What: whatCertificate + "2026/00001 issued", At: at}}, notice.CertificateIssued, org, "§28, §29", false},
		{"step opened in the STS's queue", with(func(c *Case) {
			c.OpenStep = &Step{Name: "send_contract", Role: identity.STS, OpenedAt: at, DueAt: due, Paragraph: "§17"}
		}), nil, notice.StepOpened, notice.Audience{Role: identity.STS}, "§17", true},
		{"staff step overdue", with(func(c *Case) {
			c.OpenStep = &Step{Name: "decision", Role: identity.Authority, OpenedAt: at, DueAt: due, Paragraph: "§27", Overdue: true}
		}), []Event{{What: whatStepOverdue + "decision", At: at}}, notice.StepOverdue, notice.Audience{Role: identity.Authority}, "§27", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Notices(tc.c, tc.events)
			if len(got) != 1 {
				t.Fatalf("%d notifications: %+v", len(got), got)
			}
			n := got[0]
			if n.Kind != tc.kind || n.To != tc.to || n.Paragraph != tc.para || (n.DueAt != nil) != tc.due || n.CaseID != "A-1" || n.ID != "A-1.7.1" {
				t.Fatalf("%+v", n)
			}
		})
	}
	t.Run("a re-opened step and a plain decision tell no one", func(t *testing.T) {
		c := with(func(c *Case) { c.OpenStep = &Step{Name: "decision", Role: identity.Authority, Reopened: 1} })
		if got := Notices(c, nil); len(got) != 0 {
			t.Fatalf("%+v", got)
		}
		if got := Notices(base, []Event{{Outcome: OutcomeSigned, Step: "sign_contract"}}); len(got) != 0 {
			t.Fatalf("%+v", got)
		}
	})
}
