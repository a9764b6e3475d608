package register

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"attestation/internal/notice"
	"attestation/internal/policy"
)

// Reminders after the certificate (issue 13), written by the deadline check, each once (a
// reminder's ID is fixed by the certificate, what it reminds of and its point, and it is put only
// if new): 2 and 1 working days before a recalled certificate is due back (§46), and, for a
// certificate with a fixed validity (§40-§41: the e-government platform's year), ahead of the
// November 1 filing deadline (§12) of the application that renews it before it expires.

// ReturnReminderDays are the points, in working days before a recalled certificate is due back,
// at which the owner is reminded.
var ReturnReminderDays = []int{2, 1}

// RenewalReminderWorkingDays is how many working days before the §12 filing deadline the owner of
// a certificate with a fixed validity is reminded to apply again.
const RenewalReminderWorkingDays = 20

// Outbox writes a notification that is its own change (a reminder), once.
type Outbox interface {
	// Put writes n unless a notification with its ID exists; it reports whether it wrote it.
	Put(ctx context.Context, n notice.Notification) (bool, error)
}

// DueReader reads the entries with something due (LifeStore.DueEntries).
type DueReader interface {
	DueEntries(ctx context.Context, before time.Time, limit int) ([]Entry, error)
}

// Reminders is the register's reminders' watch.
type Reminders struct {
	store  DueReader
	outbox Outbox
	cal    policy.Calendar
}

// NewReminders returns the reminders' watch.
func NewReminders(store DueReader, outbox Outbox, cal policy.Calendar) *Reminders {
	return &Reminders{store: store, outbox: outbox, cal: cal}
}

// reminderHorizon: how far ahead the watch reads the due index (a certificate's validity ends a
// year after issue; its renewal reminder falls weeks before the filing deadline that precedes it).
const reminderHorizon = 400 * 24 * time.Hour

// RemindersReport lists the reminders one run wrote.
type RemindersReport struct {
	Reminded []string `json:"reminded"` // notification IDs
}

// Check writes every reminder due at now that is not written yet.
func (r *Reminders) Check(ctx context.Context, now time.Time) (any, error) {
	rep := RemindersReport{Reminded: []string{}}
	entries, err := r.store.DueEntries(ctx, now.Add(reminderHorizon), 1000)
	if err != nil {
		return rep, fmt.Errorf("register reminders: %w", err)
	}
	var failed []error
	for _, e := range entries {
		for _, n := range r.due(e, now) {
			ok, err := r.outbox.Put(ctx, n)
			if err != nil {
				failed = append(failed, err)
				continue
			}
			if ok {
				rep.Reminded = append(rep.Reminded, n.ID)
			}
		}
	}
	return rep, errors.Join(failed...)
}

// due are the reminders of e due at now.
func (r *Reminders) due(e Entry, now time.Time) []notice.Notification {
	var out []notice.Notification
	base := "R-" + strings.NewReplacer("/", "-", " ", "-").Replace(e.Number)
	mk := func(suffix string, n notice.Notification) notice.Notification {
		n.ID, n.Kind, n.To = base+"."+suffix, notice.Reminder, notice.Audience{BIN: e.OwnerBIN}
		n.Certificate, n.CaseID, n.Object, n.At = e.Number, e.CaseID, e.ObjectName, now.UTC()
		return n
	}
	if rc := e.Recall; rc != nil && rc.ReturnedAt == nil && now.Before(rc.ReturnDueAt) {
		if left, err := workingDaysLeft(r.cal, now, rc.ReturnDueAt); err == nil {
			if p := smallestReached(ReturnReminderDays, left); p > 0 {
				due := rc.ReturnDueAt
				out = append(out, mk(fmt.Sprintf("return.%d", p), notice.Notification{Reminds: notice.RecallDecided, Paragraph: "§46",
					DueAt: &due, DaysLeft: p}))
			}
		}
	}
	if e.Status == Valid && e.ValidUntil != nil && e.Recall == nil {
		if deadline, ok := r.renewalDeadline(e, *e.ValidUntil); ok && now.Before(deadline) {
			if left, err := workingDaysLeft(r.cal, now, deadline); err == nil && left <= RenewalReminderWorkingDays {
				out = append(out, mk(fmt.Sprintf("renewal.%d", deadline.Year()), notice.Notification{Reminds: notice.CertificateIssued,
					Paragraph: "§12, §40-§41", DueAt: &deadline, DaysLeft: left}))
			}
		}
	}
	return out
}

// renewalDeadline is the last §12 filing deadline before the certificate expires.
func (r *Reminders) renewalDeadline(e Entry, until time.Time) (time.Time, bool) {
	ed, err := policy.Load(e.Edition)
	if err != nil {
		return time.Time{}, false
	}
	for _, back := range []int{0, 1} {
		d, err := ed.Due(r.cal, policy.StepApplicationWindow, until.AddDate(-back, 0, 0))
		if err == nil && d.At.Before(until) {
			return d.At, true
		}
	}
	return time.Time{}, false
}

// smallestReached is the smallest point that left has reached (0 for none).
func smallestReached(points []int, left int) int {
	best := 0
	for _, p := range points {
		if left <= p && (best == 0 || p < best) {
			best = p
		}
	}
	return best
}

// workingDaysLeft counts the working days after now's civil date up to due's (the due day counted).
func workingDaysLeft(cal policy.Calendar, now, due time.Time) (int, error) {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		return 0, err
	}
	y, m, d := now.In(loc).Date()
	day := time.Date(y, m, d, 12, 0, 0, 0, loc)
	dy, dm, dd := due.In(loc).Date()
	last := time.Date(dy, dm, dd, 12, 0, 0, 0, loc)
	n := 0
	for day.Before(last) && n < 400 {
		day = day.AddDate(0, 0, 1)
		ok, err := cal.IsWorkingDay(day)
		if err != nil {
			return 0, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
