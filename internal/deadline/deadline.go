// Package deadline is the handler of the scheduled deadline check. Its "now" is the schedule's
// scheduled time, carried in the event; it never reads the wall clock.
package deadline

import (
	"context"
	"errors"
	"time"

	"attestation/internal/attestation"
)

// Event is the input EventBridge Scheduler sends (template.yaml: Input with
// <aws.scheduler.scheduled-time>), and what the local stack's timer sends.
type Event struct {
	ScheduledTime time.Time `json:"scheduledTime"`
}

// Handler runs the deadline check.
type Handler struct{ svc *attestation.Service }

// New returns the deadline-check handler.
func New(svc *attestation.Service) *Handler { return &Handler{svc: svc} }

// Handle checks every open step against the scheduled time.
func (h *Handler) Handle(ctx context.Context, ev Event) (attestation.DeadlineReport, error) {
	if ev.ScheduledTime.IsZero() {
		return attestation.DeadlineReport{}, errors.New("deadline check: the event carries no scheduledTime")
	}
	return h.svc.CheckDeadlines(ctx, ev.ScheduledTime)
}
