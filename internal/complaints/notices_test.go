package complaints

import (
	"testing"
	"time"

	"attestation/internal/identity"
	"attestation/internal/notice"
)

// TestNoticesOfAComplaint (standard §11): its registration tells the organisation (with the due
// moment) and the addressee; its decision tells the organisation (issue 13).
func TestNoticesOfAComplaint(t *testing.T) {
	at := time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC)
	c := Complaint{ID: "C-1", Number: "C-2026/00001", OrganizationBIN: "120540001238", Addressee: ServiceProvider, DueAt: at.Add(120 * time.Hour),
		Paragraph: "standard §11", Version: 1}
	got := Notices(c, []Event{{Seq: 1, At: at}})
	if len(got) != 2 || got[0].Kind != notice.ComplaintRegistered || got[0].To.BIN != c.OrganizationBIN || got[0].DueAt == nil ||
		got[1].To.Role != identity.Authority || got[0].ID == got[1].ID {
		t.Fatalf("registered: %+v", got)
	}
	c.Version, c.Decision = 2, &Decision{Outcome: "upheld", At: at}
	got = Notices(c, []Event{{Seq: 2, At: at, Outcome: "upheld"}})
	if len(got) != 1 || got[0].Kind != notice.ComplaintDecided || got[0].ID != "C-1.2.1" {
		t.Fatalf("decided: %+v", got)
	}
}
