// Package deadline is the handler of the scheduled deadline check. Its "now" is the schedule's
// scheduled time, carried in the event; it never reads the wall clock.
//
// One run checks the open steps of every case (the attestation service) and then each further
// watch: the executions of cases that wait on the workflow (executions.go), the register's obligations after the certificate (§40-§48), complaints (standard §11),
// the daily open-data export of the register. Every checker runs even when one before it failed;
// the run fails, so the scheduler retries it, if any did. Each checker is idempotent for a moment.
package deadline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"attestation/internal/attestation"
)

// Event is the input EventBridge Scheduler sends (template.yaml: Input with
// <aws.scheduler.scheduled-time>), and what the local stack's timer sends.
type Event struct {
	ScheduledTime time.Time `json:"scheduledTime"`
}

// Checker is one more watch the daily run performs at the scheduled moment.
type Checker interface {
	// Check acts on everything due at or before now and reports what it did (JSON-encodable).
	Check(ctx context.Context, now time.Time) (any, error)
}

// Report is what one run did: the cases' steps at the top, and each further checker's report
// under its name.
type Report struct {
	attestation.DeadlineReport
	Checks map[string]any `json:"checks,omitempty"`
}

// Handler runs the deadline check.
type Handler struct {
	svc    *attestation.Service
	names  []string
	checks map[string]Checker
}

// Named is a further watch and the name its report goes under.
type Named struct {
	Name    string
	Checker Checker
}

// Deps are what one run checks: the cases' steps (required), then each further watch, in order.
type Deps struct {
	Cases  *attestation.Service
	Checks []Named
}

// New returns the deadline-check handler on d, or an error naming what d lacks.
func New(d Deps) (*Handler, error) {
	if d.Cases == nil {
		return nil, errors.New("deadline check: Cases is required")
	}
	h := &Handler{svc: d.Cases, checks: map[string]Checker{}}
	for i, c := range d.Checks {
		switch {
		case c.Name == "":
			return nil, fmt.Errorf("deadline check: check %d has no name", i)
		case c.Checker == nil:
			return nil, fmt.Errorf("deadline check: check %s: Checker is required", c.Name)
		case h.checks[c.Name] != nil:
			return nil, fmt.Errorf("deadline check: two checks are named %s", c.Name)
		}
		h.names = append(h.names, c.Name)
		h.checks[c.Name] = c.Checker
	}
	return h, nil
}

// Handle checks every open step, then every further watch, against the scheduled time.
func (h *Handler) Handle(ctx context.Context, ev Event) (Report, error) {
	if ev.ScheduledTime.IsZero() {
		return Report{}, errors.New("deadline check: the event carries no scheduledTime")
	}
	var failed []error
	steps, err := h.svc.CheckDeadlines(ctx, ev.ScheduledTime)
	if err != nil {
		failed = append(failed, err)
	}
	rep := Report{DeadlineReport: steps}
	for _, name := range h.names {
		out, err := h.checks[name].Check(ctx, ev.ScheduledTime)
		if err != nil {
			failed = append(failed, fmt.Errorf("%s: %w", name, err))
		}
		if out != nil {
			if rep.Checks == nil {
				rep.Checks = map[string]any{}
			}
			rep.Checks[name] = out
		}
	}
	return rep, errors.Join(failed...)
}
