package attestation

import (
	"fmt"
	"time"

	"attestation/internal/policy"
)

// PolicyDeadlines computes due moments from the policy edition a case was filed under and the
// working-day calendar; it is the Deadlines every function uses.
type PolicyDeadlines struct {
	cal policy.Calendar
}

var _ Deadlines = (*PolicyDeadlines)(nil)

// NewPolicyDeadlines returns Deadlines counted on cal.
func NewPolicyDeadlines(cal policy.Calendar) *PolicyDeadlines { return &PolicyDeadlines{cal: cal} }

// Due is the statutory due moment of step for an event at start, and its callback timeout.
func (d *PolicyDeadlines) Due(edition, step string, start time.Time) (Due, error) {
	e, err := policy.Load(edition)
	if err != nil {
		return Due{}, fmt.Errorf("due %s: %w", step, err)
	}
	due, err := e.Due(d.cal, step, start)
	if err != nil {
		return Due{}, fmt.Errorf("due %s under %s: %w", step, edition, err)
	}
	secs, err := e.CallbackTimeout(d.cal, step, start)
	if err != nil {
		return Due{}, fmt.Errorf("timeout of %s under %s: %w", step, edition, err)
	}
	return Due{At: due.At, TimeoutSeconds: secs, Paragraph: due.Paragraph, Provisional: due.Provisional}, nil
}
