package register

import (
	"context"
	"testing"
	"time"

	"attestation/internal/calendar"
	"attestation/internal/notice"
	"attestation/internal/policy"
)

type dueList []Entry

func (d dueList) DueEntries(ctx context.Context, before time.Time, limit int) ([]Entry, error) {
	return d, nil
}

type memOutbox map[string]notice.Notification

func (m memOutbox) Put(ctx context.Context, n notice.Notification) (bool, error) {
	if _, ok := m[n.ID]; ok {
		return false, nil
	}
	m[n.ID] = n
	return true, nil
}

// TestPar46ReturnRemindersAndPar12RenewalReminder: the owner of a recalled certificate is reminded
// 2 and 1 working days before it is due back (§46), each once; the owner of a certificate with a
// fixed validity is reminded ahead of the §12 filing deadline (November 1) before it expires.
func TestPar46ReturnRemindersAndPar12RenewalReminder(t *testing.T) {
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Almaty")
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 5, 0, 0, loc) }
	returnDue := time.Date(2026, time.October, 23, 23, 59, 59, 0, loc) // Friday
	recalled := Entry{Number: "2026/00007", OwnerBIN: "120540001238", Edition: "rules-2016-amended-2018", Status: Recalled,
		Recall: &Recall{DecidedAt: at(10, 20), ReturnDueAt: returnDue}}
	until := time.Date(2027, time.March, 10, 23, 59, 59, 0, loc)
	platform := Entry{Number: "2026/00008", OwnerBIN: "120540001238", Edition: "rules-2016-amended-2018", Status: Valid, ValidUntil: &until}
	box := memOutbox{}
	r := NewReminders(dueList{recalled, platform}, box, cal)
	run := func(now time.Time) []string {
		rep, err := r.Check(context.Background(), now)
		if err != nil {
			t.Fatal(err)
		}
		return rep.(RemindersReport).Reminded
	}
	if got := run(at(9, 1)); len(got) != 0 {
		t.Fatalf("too early: %v", got)
	}
	// §12: November 1, 2026 is a Sunday, so the deadline is Monday 11-02, 9 working days away.
	if got := run(at(10, 20)); len(got) != 1 || got[0] != "R-2026-00008.renewal.2026" {
		t.Fatalf("the renewal: %v", got)
	}
	if got := run(at(10, 21)); len(got) != 1 || got[0] != "R-2026-00007.return.2" {
		t.Fatalf("2 days before: %v", got)
	}
	if got := run(at(10, 21)); len(got) != 0 {
		t.Fatalf("twice: %v", got)
	}
	if got := run(at(10, 22)); len(got) != 1 || got[0] != "R-2026-00007.return.1" {
		t.Fatalf("1 day before: %v", got)
	}
	n := box["R-2026-00008.renewal.2026"]
	if n.Kind != notice.Reminder || n.DueAt == nil || n.DueAt.In(loc).Month() != time.November || n.DaysLeft > renewalPoint(t) {
		t.Fatalf("renewal reminder %+v", n)
	}
	if r := box["R-2026-00007.return.1"]; r.Paragraph != "§46" || !r.DueAt.Equal(returnDue) {
		t.Fatalf("return reminder %+v", r)
	}
}

// renewalPoint is the edition's point of the renewal reminder (policy: reminders.application_window).
func renewalPoint(t *testing.T) int {
	t.Helper()
	ed, err := policy.Load("rules-2016-amended-2018")
	if err != nil {
		t.Fatal(err)
	}
	points := ed.ReminderPoints(policy.StepApplicationWindow)
	if len(points) == 0 {
		t.Fatal("the edition reminds of no renewal")
	}
	return points[0]
}
