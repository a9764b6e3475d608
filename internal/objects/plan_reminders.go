package objects

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"attestation/internal/notice"
	"attestation/internal/policy"
)

// The reminder before the annual list's March 1 (§11, issue 13): the deadline check reminds the
// owner of a mandatory object (one not terminated) that has sent no list for the year yet, at the
// policy edition's points (reminders.annual_plan: 10 working days before the list is due), each
// once (the reminder's ID is fixed by the organisation, the year and the point, and it is put
// only if new). An owner with nothing to plan this year may let it pass: the reminder is a
// message, not a flag.

// PlanOwners reads who owes a list (the oversight index in DynamoDB: dynamostore.Oversight).
type PlanOwners interface {
	// ObjectsInStage returns every organisation's objects in a life-cycle stage.
	ObjectsInStage(ctx context.Context, stage Stage) ([]Object, error)
	// PlansOf returns every organisation's list of year.
	PlansOf(ctx context.Context, year int) ([]Plan, error)
}

// Outbox writes a notification that is its own change (a reminder), once.
type Outbox interface {
	// Put writes n unless a notification with its ID exists; it reports whether it wrote it.
	Put(ctx context.Context, n notice.Notification) (bool, error)
}

// PlanReminders is the deadline check's watch of the annual lists.
type PlanReminders struct {
	store   PlanOwners
	outbox  Outbox
	cal     Calendar
	edition *policy.Edition
}

// NewPlanReminders returns the watch, counting with cal the due moment of the edition (the one
// applied to new filings).
func NewPlanReminders(store PlanOwners, outbox Outbox, cal Calendar, edition string) (*PlanReminders, error) {
	ed, err := policy.Load(edition)
	if err != nil {
		return nil, fmt.Errorf("plan reminders: policy edition: %w", err)
	}
	if store == nil || outbox == nil || cal == nil {
		return nil, errors.New("plan reminders: store, outbox and calendar are required")
	}
	return &PlanReminders{store: store, outbox: outbox, cal: cal, edition: ed}, nil
}

// PlanRemindersReport lists the reminders one run wrote.
type PlanRemindersReport struct {
	Year     int      `json:"year,omitempty"`
	Reminded []string `json:"reminded"` // notification IDs
}

// Check writes the reminders due at now that are not written yet. Outside the reminder's days it
// reads nothing.
func (r *PlanReminders) Check(ctx context.Context, now time.Time) (any, error) {
	rep := PlanRemindersReport{Reminded: []string{}}
	year := now.In(r.cal.Location()).Year()
	if first, last := r.cal.Years(); year < first || year > last {
		return rep, nil // the calendar cannot count the due moment; the plans' report names the year
	}
	due, err := r.edition.AnnualPlanDue(r.cal, year)
	if err != nil {
		return rep, fmt.Errorf("plan reminders %d: %w", year, err)
	}
	if !now.Before(due) {
		return rep, nil
	}
	left, err := policy.WorkingDaysLeft(r.cal, now, due)
	if err != nil {
		return rep, fmt.Errorf("plan reminders %d: %w", year, err)
	}
	point := policy.ReminderPoint(r.edition.ReminderPoints(policy.StepAnnualPlan), left, 0)
	if point == 0 {
		return rep, nil
	}
	rep.Year = year
	owners, err := r.owing(ctx, year)
	if err != nil {
		return rep, fmt.Errorf("plan reminders %d: %w", year, err)
	}
	paragraph := ruleAnnualPlan
	if per, err := r.edition.Period(policy.StepAnnualPlan); err == nil && per.Paragraph != "" {
		paragraph = per.Paragraph + ", Annex 1"
	}
	var failed []error
	for _, bin := range owners {
		d := due.UTC()
		n := notice.Notification{ID: "P-" + bin + "-" + strconv.Itoa(year) + "." + strconv.Itoa(point),
			Kind: notice.Reminder, To: notice.Audience{BIN: bin}, Step: policy.StepAnnualPlan, Paragraph: paragraph,
			DueAt: &d, Reminds: notice.AnnualPlanDue, DaysLeft: left, At: now.UTC()}
		ok, err := r.outbox.Put(ctx, n)
		if err != nil {
			failed = append(failed, err)
			continue
		}
		if ok {
			rep.Reminded = append(rep.Reminded, n.ID)
		}
	}
	return rep, errors.Join(failed...)
}

// owing are the organisations with a mandatory object not terminated and no list of year, in order.
func (r *PlanReminders) owing(ctx context.Context, year int) ([]string, error) {
	owners := map[string]bool{}
	for _, st := range Stages {
		if st == StageTerminated {
			continue
		}
		objs, err := r.store.ObjectsInStage(ctx, st)
		if err != nil {
			return nil, fmt.Errorf("objects in %s: %w", st, err)
		}
		for _, o := range objs {
			if o.Mandatory {
				owners[o.OrganizationBIN] = true
			}
		}
	}
	if len(owners) == 0 {
		return nil, nil
	}
	plans, err := r.store.PlansOf(ctx, year)
	if err != nil {
		return nil, fmt.Errorf("lists of %d: %w", year, err)
	}
	for _, p := range plans {
		delete(owners, p.OrganizationBIN)
	}
	out := make([]string, 0, len(owners))
	for bin := range owners {
		out = append(out, bin)
	}
	slices.Sort(out)
	return out, nil
}
