package attestation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/calendar"
	"attestation/internal/identity"
)

// §17 and §32: the legal effect of an applicant's missed period (the contract not signed
// cancels the application; a missed rectification is grounds for refusal), and the deadline
// check that applies it and marks other overdue steps.

// Lapse applies the legal effect of an applicant's missed period: the contract not signed in 5
// working days cancels the application by itself (§17); a missed rectification period is grounds
// for refusal that the authority then decides (§32). The named error goes to the waiting step.
// A second run for the same lapse changes nothing.
func (s *Service) Lapse(ctx context.Context, caseID string, now time.Time) (Decision, error) {
	for attempt := 0; ; attempt++ {
		c, err := s.store.Get(ctx, caseID)
		if err != nil {
			return Decision{}, fmt.Errorf("lapse of %s: %w", caseID, err)
		}
		st := c.OpenStep
		if st == nil {
			if d := c.LastDecision; d != nil && d.Role == identity.Scheduler && d.Error != "" {
				// Lapsed already; send it again if the first sender failed after writing.
				if d.Callback == CallbackPending && now.Sub(d.At) >= redeliverAfter {
					return *d, s.deliver(ctx, c.ID, *d)
				}
				return *d, nil
			}
			return Decision{}, apperr.Errorf(apperr.Conflict, "", "lapse of %s: no step is open", caseID)
		}
		rule := Procedure[c.Stage]
		if rule.Lapse == nil {
			return Decision{}, apperr.Errorf(apperr.Rule, "", "lapse of %s: a lapse of %s has no legal effect", caseID, st.Name)
		}
		if !st.Runs() {
			// §17, §31: a paper case's period has not started before the hand-over at the office.
			return Decision{}, apperr.Errorf(apperr.Rule, "", "lapse of %s: %s waits for the hand-over at the office; its period has not started", caseID, st.Name)
		}
		if !now.After(st.DueAt) {
			return Decision{}, apperr.Errorf(apperr.Rule, "", "lapse of %s: %s is due %s", caseID, st.Name, st.DueAt.Format(time.RFC3339))
		}
		nc := c
		nc.Stage = rule.Lapse.Next
		nc.OpenStep = nil
		// What follows the lapse counts from the end of the missed period, whenever the check ran.
		plan, err := s.rules.plan(nc, nc.Stage, st.DueAt)
		if err != nil {
			return Decision{}, fmt.Errorf("lapse of %s: %w", caseID, err)
		}
		dec := Decision{Step: st.Name, Token: st.Token, Outcome: "lapsed", Actor: "deadline-check", Role: identity.Scheduler,
			At: now.UTC(), Next: plan, Callback: CallbackPending, Error: rule.Lapse.Error}
		nc.LastDecision = &dec
		nc.Version++
		nc.Events++
		ev := Event{Seq: nc.Events, At: dec.At, Actor: dec.Actor, Role: dec.Role, Step: st.Name, Outcome: dec.Outcome,
			What: fmt.Sprintf("%s: %s lapsed, due %s (%s)", rule.Lapse.Error, st.Name, st.DueAt.Format(time.RFC3339), rule.Lapse.Paragraph)}
		err = s.store.Update(ctx, nc, ev)
		if errors.Is(err, ErrConflict) && attempt < maxRetries {
			continue
		}
		if err != nil {
			return Decision{}, fmt.Errorf("lapse of %s: %w", caseID, err)
		}
		return dec, s.deliver(ctx, c.ID, dec)
	}
}

// DeadlineReport is what one run of the deadline check did.
type DeadlineReport struct {
	At      time.Time `json:"at"`
	Lapsed  []string  `json:"lapsed"`
	Overdue []string  `json:"overdue"`
	// Uncountable are the lapses the run could not apply because the period that follows runs
	// past the years the working-day calendar covers; each is named, and tried again every run.
	Uncountable []UncountableLapse `json:"uncountable,omitempty"`
}

// UncountableLapse is a lapse whose next period the calendar cannot count: the case, the step
// that lapsed, and why (the period and the years the calendar covers).
type UncountableLapse struct {
	CaseID string `json:"caseId"`
	Step   string `json:"step"`
	Reason string `json:"reason"`
}

// CheckDeadlines acts on every open step due before now: an applicant's lapse with a legal
// effect goes through Lapse; any other step is marked overdue with a breach event in the case's
// history (a staff step past its period has no legal effect). Running it again for the same
// moment changes nothing.
func (s *Service) CheckDeadlines(ctx context.Context, now time.Time) (DeadlineReport, error) {
	rep := DeadlineReport{At: now.UTC(), Lapsed: []string{}, Overdue: []string{}}
	var failed []error
	for {
		due, err := s.store.DueSteps(ctx, now, 100)
		if err != nil {
			return rep, fmt.Errorf("deadline check at %s: %w", now.UTC().Format(time.RFC3339), err)
		}
		acted := 0
		for _, c := range due {
			if c.OpenStep == nil || c.OpenStep.Overdue || !c.OpenStep.PastDue(now) {
				continue
			}
			if Procedure[c.Stage].Lapse != nil {
				if _, err := s.Lapse(ctx, c.ID, now); err != nil {
					if errors.Is(err, calendar.ErrOutOfRange) {
						// Not a fault a retry mends: named in the report, the run goes on.
						s.log.WarnContext(ctx, "deadline check: lapse not applied: the calendar cannot count the next period", "caseId", c.ID, "error", err)
						rep.Uncountable = append(rep.Uncountable, UncountableLapse{CaseID: c.ID, Step: c.OpenStep.Name, Reason: apperr.PublicOf(err).Detail})
						continue
					}
					if errors.Is(err, ErrConflict) || errors.Is(err, ErrRule) {
						continue // the case moved meanwhile; the next run sees its new state
					}
					// One case's failure does not stop the others; the run reports it at the end
					// and the scheduler's retry (or the next run) sends the pending lapse again.
					s.log.ErrorContext(ctx, "deadline check: lapse failed", "caseId", c.ID, "error", err)
					failed = append(failed, fmt.Errorf("lapse of %s: %w", c.ID, err))
					continue
				}
				rep.Lapsed = append(rep.Lapsed, c.ID)
				acted++
				continue
			}
			c.OpenStep.Overdue = true
			c.Version++
			c.Events++
			ev := Event{Seq: c.Events, At: now.UTC(), Actor: "deadline-check", Role: identity.Scheduler, Step: c.OpenStep.Name,
				What: fmt.Sprintf(whatStepOverdue+"%s was due %s (%s)", c.OpenStep.Name, c.OpenStep.DueAt.Format(time.RFC3339), c.OpenStep.Paragraph)}
			if err := s.store.Update(ctx, c, ev); err != nil {
				if errors.Is(err, ErrConflict) {
					continue
				}
				return rep, fmt.Errorf("deadline check: mark %s overdue: %w", c.ID, err)
			}
			rep.Overdue = append(rep.Overdue, c.ID)
			acted++
		}
		if len(due) < 100 || acted == 0 {
			if len(failed) > 0 {
				return rep, fmt.Errorf("deadline check at %s: %w", now.UTC().Format(time.RFC3339), errors.Join(failed...))
			}
			return rep, nil
		}
	}
}
