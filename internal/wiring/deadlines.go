package wiring

import (
	"fmt"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
)

// newDeadlines counts periods on Kazakhstan's embedded working-day calendar.
func newDeadlines() (attestation.Deadlines, error) {
	cal, err := calendar.Kazakhstan()
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	return attestation.NewPolicyDeadlines(cal), nil
}
