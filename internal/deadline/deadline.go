// Package deadline is the handler of the scheduled deadline check. Its "now" is the schedule's
// scheduled time, carried in the event; it never reads the wall clock.
//
// One run checks the open steps of every case (the attestation service) and then each further
// watch: the register's obligations after the certificate (§40-§48), complaints (standard §11),
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

// New returns the deadline-check handler.
func New(svc *attestation.Service) *Handler { return &Handler{svc: svc, checks: map[string]Checker{}} }

// With adds a checker run after the cases' steps, reported under name.
func (h *Handler) With(name string, c Checker) *Handler {
	h.names = append(h.names, name)
	h.checks[name] = c
	return h
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
