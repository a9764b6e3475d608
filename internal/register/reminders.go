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
// if new), at the points of the entry's policy edition (its reminders, in working days before the
// due moment): before a recalled certificate is due back (§46: certificate_return, 2 and 1), and,
// for a certificate with a fixed validity (§40-§41: the e-government platform's year), ahead of
// the November 1 filing deadline (§12: application_window, 20) of the application that renews it
// before it expires.

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
	ed, err := policy.Load(e.Edition)
	if err != nil {
		return nil // an entry of no known edition: its watch reports it
	}
	if rc := e.Recall; rc != nil && rc.ReturnedAt == nil && !rc.ReturnAwaitsHandOver && now.Before(rc.ReturnDueAt) {
		if left, err := policy.WorkingDaysLeft(r.cal, now, rc.ReturnDueAt); err == nil {
			if p := policy.ReminderPoint(ed.ReminderPoints(policy.StepCertificateReturn), left, 0); p > 0 {
				due := rc.ReturnDueAt
				out = append(out, mk(fmt.Sprintf("return.%d", p), notice.Notification{Reminds: notice.RecallDecided, Paragraph: "§46",
					DueAt: &due, DaysLeft: p}))
			}
		}
	}
	if e.Status == Valid && e.ValidUntil != nil && e.Recall == nil {
		if deadline, ok := r.renewalDeadline(ed, *e.ValidUntil); ok && now.Before(deadline) {
			points := ed.ReminderPoints(policy.StepApplicationWindow)
			if left, err := policy.WorkingDaysLeft(r.cal, now, deadline); err == nil {
				if p := policy.ReminderPoint(points, left, 0); p > 0 {
					// The first point's ID is renewal.<year> (as before points were policy); a later one's adds the point.
					suffix := fmt.Sprintf("renewal.%d", deadline.Year())
					if p != points[0] {
						suffix += fmt.Sprintf(".%d", p)
					}
					out = append(out, mk(suffix, notice.Notification{Reminds: notice.CertificateIssued,
						Paragraph: "§12, §40-§41", DueAt: &deadline, DaysLeft: left}))
				}
			}
		}
	}
	return out
}

// renewalDeadline is the last §12 filing deadline before the certificate expires.
func (r *Reminders) renewalDeadline(ed *policy.Edition, until time.Time) (time.Time, bool) {
	for _, back := range []int{0, 1} {
		d, err := ed.Due(r.cal, policy.StepApplicationWindow, until.AddDate(-back, 0, 0))
		if err == nil && d.At.Before(until) {
			return d.At, true
		}
	}
	return time.Time{}, false
}
