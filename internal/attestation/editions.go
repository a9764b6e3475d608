package attestation

import (
	"errors"
	"fmt"
	"time"

	"attestation/internal/policy"
)

// Which edition a filing falls under is a matter of dates (policy.Selector): in the enforce mode
// the edition in force on the filing date, a date no edition covers refused; in the model mode
// the configured edition, a filing on a date it does not cover marked as filed under an edition
// out of force.

// ruleEdition is the rule a refusal for want of an edition in force names.
const ruleEdition = "editions in force"

// filingEdition is the edition of a filing at now, or the problem that no edition is in force
// on its date (policy.Enforce).
func (s *Service) filingEdition(now time.Time) (policy.Choice, *Problem, error) {
	choice, err := s.editions.For(now)
	if errors.Is(err, policy.ErrNoEditionInForce) {
		return policy.Choice{}, &Problem{Field: "", Rule: ruleEdition,
			Message: fmt.Sprintf("the application cannot be accepted: %v", err)}, nil
	}
	if err != nil {
		return policy.Choice{}, nil, fmt.Errorf("edition of the filing: %w", err)
	}
	return choice, nil, nil
}

// problemList is p as a list (empty for nil).
func problemList(p *Problem) []Problem {
	if p == nil {
		return nil
	}
	return []Problem{*p}
}

// outOfForceWords is what the first event adds for a filing under an edition out of force.
func outOfForceWords(c policy.Choice) string {
	if !c.OutOfForce {
		return ""
	}
	return " (" + c.Note + ")"
}
