package attestation

import (
	"fmt"
	"strings"

	"attestation/internal/identity"
	"attestation/internal/notice"
)

// The outbox of a case (issue 13): what a write of a case tells whom. The store writes these
// notifications in the same transaction as the case and its events (CaseStore.Update, Create,
// IssueCertificate), so a change is never without its message nor a message without its change.

// What the history says of the changes the notices recognise (the events' What).
const (
	whatReceipt     = "receipt recorded"
	whatWithdrawn   = "application withdrawn"
	whatStepOverdue = "step overdue: "
	whatCertificate = "certificate "
	whatHandedOver  = "handed over at the office: "
)

// Notices returns the notifications a write of c (the case as written) with events reports. A
// write without events that leaves a fresh step open is the step's opening (OpenStep): the
// applicant learns the period that starts against it (§17, §31), a staff role the step in its
// queue. Each notification's ID is the case's, its version and its place, so the same change
// written again (a repeated delivery) cannot add it twice: the case's version condition refuses it.
func Notices(c Case, events []Event) []notice.Notification {
	var out []notice.Notification
	add := func(n notice.Notification) {
		n.ID = fmt.Sprintf("%s.%d.%d", c.ID, c.Version, len(out)+1)
		n.CaseID, n.Object = c.ID, c.ObjectName
		n.At = n.At.UTC()
		out = append(out, n)
	}
	org := notice.Audience{BIN: c.OrganizationBIN}
	if len(events) == 0 {
		if st := c.OpenStep; st != nil && st.Reopened == 0 && !st.Overdue {
			add(stepOpened(org, *st))
		}
		return out
	}
	for _, e := range events {
		switch {
		case e.What == whatReceipt:
			add(notice.Notification{Kind: notice.FilingReceived, To: org, Paragraph: "§14", At: e.At})
		case e.What == whatWithdrawn:
			add(notice.Notification{Kind: notice.Withdrawn, To: org, At: e.At})
		case strings.HasPrefix(e.What, whatHandedOver) && c.OpenStep != nil && c.OpenStep.HandedOverAt != nil && c.OpenStep.HandedOverAt.Equal(e.At):
			// §17, §31: the hand-over at the office started the applicant's period (RecordHandOver):
			// the message of the period's start, with its due moment.
			n := stepOpened(org, *c.OpenStep)
			n.At = e.At
			add(n)
		case strings.HasPrefix(e.What, whatReminder) && c.OpenStep != nil:
			// A period about to lapse (§17, §31): the applicant is reminded, once per point.
			st := c.OpenStep
			due := st.DueAt
			n := stepOpened(org, *st)
			add(notice.Notification{Kind: notice.Reminder, To: org, Step: st.Name, Paragraph: st.Paragraph, DueAt: &due,
				Reminds: n.Kind, DaysLeft: st.Reminded, At: e.At})
		case strings.HasPrefix(e.What, whatStepOverdue) && c.OpenStep != nil:
			st := c.OpenStep
			due := st.DueAt
			add(notice.Notification{Kind: notice.StepOverdue, To: notice.Audience{Role: st.Role}, Step: st.Name,
				Paragraph: st.Paragraph, DueAt: &due, At: e.At})
		case strings.HasPrefix(e.What, whatTermOverdue):
			// Standard §4: the authority answers for the whole service term.
			n := notice.Notification{Kind: notice.ServiceTermOverdue, To: notice.Audience{Role: identity.Authority},
				Paragraph: "standard §4", At: e.At}
			if t := c.Term; t != nil {
				due := t.DueAt
				n.DueAt, n.Paragraph = &due, t.Paragraph
			}
			add(n)
		case strings.HasPrefix(e.What, whatCertificate) && c.Certificate != "":
			add(notice.Notification{Kind: notice.CertificateIssued, To: org, Certificate: c.Certificate, Paragraph: "§28, §29", At: e.At})
		case e.Outcome == "lapsed":
			switch Stage(e.Step) {
			case StageSignContract:
				add(notice.Notification{Kind: notice.ContractLapsed, To: org, Step: e.Step, Paragraph: "§17", At: e.At})
			case StageRectificationNotice:
				add(notice.Notification{Kind: notice.RectificationLapsed, To: org, Step: e.Step, Paragraph: "§32", At: e.At})
			}
		case e.Outcome == OutcomeReturn:
			add(notice.Notification{Kind: notice.Returned, To: org, Step: e.Step, Paragraph: "§15, standard §10",
				Outcome: string(e.Outcome), Reasons: e.Reasons, At: e.At})
		case e.Outcome == OutcomeForward:
			add(notice.Notification{Kind: notice.Forwarded, To: org, Step: e.Step, Paragraph: "§16", At: e.At})
		case e.Outcome == OutcomeSent && Stage(e.Step) == StageSendDocuments:
			add(notice.Notification{Kind: notice.DocumentsSent, To: org, Step: e.Step, Paragraph: sentParagraph(c.Decision),
				Outcome: string(c.Decision), At: e.At})
		case e.Outcome == OutcomeSent && Stage(e.Step) == StageSecondSendDocuments:
			add(notice.Notification{Kind: notice.AdditionalSurveyResult, To: org, Step: e.Step, Paragraph: "§38",
				Outcome: string(c.Decision), At: e.At})
		}
	}
	return out
}

// stepOpened is the notification of a step's opening: to the applicant, the period that starts
// against it; to a staff role, the step in its queue.
func stepOpened(org notice.Audience, st Step) notice.Notification {
	due := st.DueAt
	n := notice.Notification{Step: st.Name, Paragraph: st.Paragraph, DueAt: &due, At: st.OpenedAt, HandedOverAt: st.HandedOverAt}
	if !st.Runs() {
		// A paper case: the period starts at the hand-over at the office, which tells its due moment.
		n.DueAt, n.StartsAtHandOver = nil, true
	}
	if st.Role != identity.Applicant {
		n.Kind, n.To = notice.StepOpened, notice.Audience{Role: st.Role}
		return n
	}
	n.To = org
	switch Stage(st.Name) {
	case StageSignContract:
		n.Kind = notice.ContractSent // §17: sign within the period or the application is cancelled
	case StageRectificationNotice:
		n.Kind = notice.RectificationDue // §31: rectify and notify within the period
	default:
		n.Kind = notice.StepOpened
	}
	return n
}

// sentParagraph is the paragraph under which the act and the decision are sent.
func sentParagraph(d Outcome) string {
	switch d {
	case OutcomeIssue:
		return "§28"
	case OutcomeRefuse:
		return "§30"
	case OutcomeRectify:
		return "§31"
	}
	return "§28, §30, §31"
}
