package complaints

import (
	"fmt"

	"attestation/internal/notice"
)

// Notices returns the notifications a write of complaint c with events reports (issue 13's
// outbox; the store writes them in the same transaction): its registration (standard §11) to the
// organisation, with the due moment of its consideration, and to the addressee's role; its
// decision to the organisation.
func Notices(c Complaint, events []Event) []notice.Notification {
	var out []notice.Notification
	add := func(n notice.Notification) {
		n.ID = fmt.Sprintf("%s.%d.%d", c.ID, c.Version, len(out)+1)
		n.Complaint, n.CaseID, n.Certificate, n.Paragraph = c.Number, c.CaseID, c.CertificateNumber, c.Paragraph
		n.At = n.At.UTC()
		out = append(out, n)
	}
	org := notice.Audience{BIN: c.OrganizationBIN}
	for _, e := range events {
		switch {
		case c.Version == 1 && e.Seq == 1:
			due := c.DueAt
			add(notice.Notification{Kind: notice.ComplaintRegistered, To: org, DueAt: &due, At: e.At})
			add(notice.Notification{Kind: notice.ComplaintRegistered, To: notice.Audience{Role: c.Addressee.Role()}, DueAt: &due, At: e.At})
		case e.Outcome != "" && c.Decision != nil:
			add(notice.Notification{Kind: notice.ComplaintDecided, To: org, Outcome: string(e.Outcome), At: e.At})
		}
	}
	return out
}
