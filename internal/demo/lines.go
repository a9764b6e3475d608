package demo

import (
	"fmt"
	"time"

	"attestation/internal/calendar"
)

// StepLine is one step of the procedure as the demo walked it: who completed it, how, when, and
// the statutory due moment it had.
type StepLine struct {
	Step      string    // the step's name, e.g. completeness_check
	Paragraph string    // the paragraph that sets its period, e.g. §14
	Role      string    // who acts: applicant, authority or sts
	Who       string    // the role and the person, e.g. "authority (Daniyar Authority)"
	What      string    // what they did, in words
	Outcome   string    // the outcome sent
	At        time.Time // the clock's moment of the act
	DueAt     time.Time // the step's due moment
	DaysLeft  int       // working days after the act's date up to the due date (0: due the same day)
}

// String is the line the demo prints: the moment, who, what, the due moment in Almaty time and
// the working days left, e.g.
//
//	Fri 16 Oct 10:00  authority (Daniyar Authority)  completeness check §14: forwarded to the STS; due Tue 20 Oct 2026 23:59 Almaty, 2 working days left
func (l StepLine) String() string {
	return fmt.Sprintf("%s  %-30s %s %s: %s; due %s Almaty, %s left",
		stamp(l.At), l.Who, words(l.Step), l.Paragraph, l.What, l.DueAt.In(almaty).Format("Mon 02 Jan 2006 15:04"), days(l.DaysLeft))
}

// almaty is the zone every period is counted in (the calendar's).
var almaty = func() *time.Location {
	c, err := calendar.Kazakhstan()
	if err != nil {
		return time.FixedZone("Asia/Almaty", 5*3600)
	}
	return c.Location()
}()

// stamp is a moment as a line's first column: its weekday, day and time in Almaty.
func stamp(t time.Time) string { return t.In(almaty).Format("Mon 02 Jan 15:04") }

func days(n int) string {
	if n == 1 {
		return "1 working day"
	}
	return fmt.Sprintf("%d working days", n)
}

// words names a step for a person.
func words(step string) string {
	if w, ok := stepWords[step]; ok {
		return w
	}
	return step
}

var stepWords = map[string]string{
	"completeness_check": "completeness check",
	"send_contract":      "contract sent",
	"sign_contract":      "contract signed",
	"survey":             "survey",
	"decision":           "decision",
	"send_documents":     "documents sent",
}

// workingDaysLeft counts the working days after now's date up to due's date in Almaty, as the
// regulation counts a period; a calendar that cannot count them (a date past its last year)
// answers the error.
func workingDaysLeft(now, due time.Time) (int, error) {
	c, err := calendar.Kazakhstan()
	if err != nil {
		return 0, fmt.Errorf("the working-day calendar: %w", err)
	}
	n, err := c.WorkingDaysBetween(now, due)
	if err != nil {
		return 0, fmt.Errorf("working days from %s to %s: %w", now.Format(time.DateOnly), due.Format(time.DateOnly), err)
	}
	return n, nil
}
