package register

import (
	"testing"
	"time"

	"attestation/internal/notice"
)

// TestNoticesOfARevision: each revision that starts or ends a period for the owner reports it
// once, named by its paragraph (§42, §44, §46, §48; issue 13).
func TestNoticesOfARevision(t *testing.T) {
	at := time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC)
	later := at.Add(time.Hour)
	base := Entry{Number: "2026/00001", OwnerBIN: "120540001238", CaseID: "A-1", ObjectName: "Registry"}
	for _, tc := range []struct {
		name string
		e    Entry
		rev  Revision
		kind notice.Kind
		para string
		due  bool
	}{
		{"§42 monitoring due with the first revision", func() Entry { e := base; e.Monitoring = &Monitoring{DueAt: later}; return e }(), Revision{Number: 1, At: at}, notice.MonitoringDue, "§42", true},
		{"§44 change decided", func() Entry {
			e := base
			e.Changes = []ChangeNotice{{ID: "c1", Decision: "not_required", DecidedAt: &at}}
			return e
		}(), Revision{Number: 3, At: at}, notice.ChangeDecided, "§44", false},
		{"§46 recall decided, return due", func() Entry { e := base; e.Recall = &Recall{DecidedAt: at, ReturnDueAt: later}; return e }(), Revision{Number: 2, At: at}, notice.RecallDecided, "§46", true},
		{"§46 return recorded", func() Entry {
			e := base
			e.Recall = &Recall{DecidedAt: later.Add(-48 * time.Hour), ReturnedAt: &at}
			return e
		}(), Revision{Number: 3, At: at}, notice.ReturnRecorded, "§46", false},
		{"§48 duplicate issued", func() Entry { e := base; e.Duplicates = []DuplicateRequest{{ID: "d1", IssuedAt: &at}}; return e }(), Revision{Number: 4, At: at}, notice.DuplicateIssued, "§48", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Notices(tc.e, tc.rev)
			if len(got) != 1 {
				t.Fatalf("%+v", got)
			}
			n := got[0]
			if n.Kind != tc.kind || n.Paragraph != tc.para || (n.DueAt != nil) != tc.due || n.To.BIN != base.OwnerBIN || n.Certificate != base.Number {
				t.Fatalf("%+v", n)
			}
			if want := "R-2026-00001." + itoa(tc.rev.Number) + ".1"; n.ID != want {
				t.Fatalf("ID %s, want %s", n.ID, want)
			}
		})
	}
	if got := Notices(base, Revision{Number: 5, At: at}); len(got) != 0 {
		t.Fatalf("a revision that starts nothing: %+v", got)
	}
}

func itoa(n int) string { return string(rune('0' + n)) }
