package register

import (
	"fmt"
	"strings"

	"attestation/internal/notice"
)

// Notices returns the notifications a revision of an entry reports to the certificate's owner
// (issue 13's outbox; the store writes them in the revision's transaction): the monitoring
// connection due (§42) with the revision of the owner's receipt, a change decided (§44), a recall with the
// return's due moment (§46), the return recorded (§46), a duplicate issued (§48). The IDs are the
// number's, the revision's and the message's place, so a revision written again adds none.
func Notices(e Entry, rev Revision) []notice.Notification {
	var out []notice.Notification
	owner := notice.Audience{BIN: e.OwnerBIN}
	add := func(n notice.Notification) {
		n.ID = fmt.Sprintf("R-%s.%d.%d", strings.NewReplacer("/", "-", " ", "-").Replace(e.Number), rev.Number, len(out)+1)
		n.To, n.Certificate, n.CaseID, n.Object, n.At = owner, e.Number, e.CaseID, e.ObjectName, rev.At.UTC()
		out = append(out, n)
	}
	// §42: with the revision that sets the monitoring's due moment: the owner's receipt of the
	// certificate (§28; a paper case's hand-over at the office, receipt.go), or the first revision
	// of an entry issued before receipt was recorded.
	if m := e.Monitoring; m != nil && m.Runs() && (rev.Number == 1 || e.ReceivedAt != nil && e.ReceivedAt.Equal(rev.At)) {
		due := m.DueAt
		n := notice.Notification{Kind: notice.MonitoringDue, Paragraph: "§42", DueAt: &due}
		if e.AtOffice {
			n.HandedOverAt = utcPtr(e.ReceivedAt)
		}
		add(n)
	}
	for _, c := range e.Changes {
		if c.DecidedAt != nil && c.DecidedAt.Equal(rev.At) {
			add(notice.Notification{Kind: notice.ChangeDecided, Paragraph: "§44", Outcome: c.Decision, Reasons: c.Reasons})
		}
	}
	if r := e.Recall; r != nil {
		if r.DecidedAt.Equal(rev.At) {
			n := notice.Notification{Kind: notice.RecallDecided, Paragraph: "§46", Reasons: r.Reasons, StartsAtHandOver: r.ReturnAwaitsHandOver}
			if !r.ReturnAwaitsHandOver {
				due := r.ReturnDueAt
				n.DueAt = &due
			}
			add(n)
		}
		if r.HandedOverAt != nil && r.HandedOverAt.Equal(rev.At) {
			// §46: the copy handed over at the office starts the return (receipt.go).
			due := r.ReturnDueAt
			add(notice.Notification{Kind: notice.RecallDecided, Paragraph: "§46", DueAt: &due, HandedOverAt: utcPtr(r.HandedOverAt)})
		}
		if r.ReturnedAt != nil && r.ReturnedAt.Equal(rev.At) {
			add(notice.Notification{Kind: notice.ReturnRecorded, Paragraph: "§46"})
		}
	}
	for _, d := range e.Duplicates {
		if d.IssuedAt != nil && d.IssuedAt.Equal(rev.At) {
			add(notice.Notification{Kind: notice.DuplicateIssued, Paragraph: "§48"})
		}
	}
	return out
}
