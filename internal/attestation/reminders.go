package attestation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"attestation/internal/identity"
	"attestation/internal/policy"
)

// Reminders before a lapse that hurts the applicant (issue 13): the deadline check reminds the
// applicant, at each of the policy's points (the edition's reminders, in working days before the
// due moment; policy.Edition.ReminderPoints) of a step whose lapse has a legal effect (§17: the
// contract not signed cancels the application; §31-§32: a missed rectification is grounds for
// refusal), once each. The case's own edition decides.

// whatReminder starts a reminder's history event.
const whatReminder = "reminder: "

// ReminderReport is what one run of the reminders did.
type ReminderReport struct {
	Reminded []string `json:"reminded"` // case IDs
}

// ReminderCheck is the deadline check's watch of the applicant's periods.
type ReminderCheck struct{ svc *Service }

// NewReminderCheck returns the reminders' watch on svc's cases.
func NewReminderCheck(svc *Service) *ReminderCheck { return &ReminderCheck{svc: svc} }

// reminderHorizon is how far ahead the check looks for due steps: more calendar days than the
// largest reminder point can span in working days (holidays included); a test holds every
// edition's points of these steps to at most maxStepReminderPoint.
const reminderHorizon = 21 * 24 * time.Hour

// maxStepReminderPoint is the largest point reminderHorizon reaches with room for holidays.
const maxStepReminderPoint = 10

// Check reminds the applicant of every open step with a legal lapse whose due moment is at most
// the largest reminder point away, once per point.
func (r *ReminderCheck) Check(ctx context.Context, now time.Time) (any, error) {
	rep := ReminderReport{Reminded: []string{}}
	due, err := r.svc.store.DueSteps(ctx, now.Add(reminderHorizon), 500)
	if err != nil {
		return rep, fmt.Errorf("reminders at %s: %w", now.UTC().Format(time.RFC3339), err)
	}
	var failed []error
	for _, c := range due {
		ok, err := r.svc.remind(ctx, c, now)
		if err != nil && !errors.Is(err, ErrConflict) {
			failed = append(failed, err)
		}
		if ok {
			rep.Reminded = append(rep.Reminded, c.ID)
		}
	}
	return rep, errors.Join(failed...)
}

// remind writes the reminder c's open step is due at now, if any: the smallest point not yet
// reminded that the working days left have reached.
func (s *Service) remind(ctx context.Context, c Case, now time.Time) (bool, error) {
	st := c.OpenStep
	if st == nil || st.Role != identity.Applicant || Procedure[c.Stage].Lapse == nil || !st.Runs() || !now.Before(st.DueAt) {
		return false, nil
	}
	ed, err := s.rules.edition(c.Edition)
	if err != nil {
		return false, fmt.Errorf("remind %s: %w", c.ID, err)
	}
	left, err := policy.WorkingDaysLeft(s.rules.cal, now, st.DueAt)
	if err != nil {
		return false, nil // the calendar cannot count it: no reminder, the lapse itself is watched
	}
	point := policy.ReminderPoint(ed.ReminderPoints(Procedure[c.Stage].Step), left, st.Reminded)
	if point == 0 {
		return false, nil
	}
	next := *st
	next.Reminded = point
	c.OpenStep = &next
	c.Version++
	c.Events++
	ev := Event{Seq: c.Events, At: now.UTC(), Actor: "deadline-check", Role: identity.Scheduler, Step: st.Name,
		What: fmt.Sprintf(whatReminder+"%d working day(s) left of %s, due %s (%s)", point, st.Name, st.DueAt.Format(time.RFC3339), st.Paragraph)}
	if err := s.store.Update(ctx, c, ev); err != nil {
		return false, fmt.Errorf("remind %s: %w", c.ID, err)
	}
	return true, nil
}
