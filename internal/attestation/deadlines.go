package attestation

import (
	"fmt"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/policy"
)

// Due is a step's statutory due moment.
type Due struct {
	At             time.Time
	TimeoutSeconds int64  // the callback state's timeout: the legal period plus the policy's margin
	Paragraph      string // the paragraph that sets the period
	Provisional    bool   // rests on provisional calendar data
	PolicyStep     string // the policy's step (survey_distributed replaces survey, §19)
}

// rules counts the periods of the edition a case was filed under on the working-day calendar.
type rules struct {
	cal policy.Calendar
}

func (r rules) edition(id string) (*policy.Edition, error) {
	e, err := policy.Load(id)
	if err != nil {
		return nil, fmt.Errorf("policy edition: %w", err)
	}
	return e, nil
}

// due computes when the step of stage must be done for a case, counted from start.
func (r rules) due(c Case, stage Stage, start time.Time) (Due, error) {
	rule, ok := Procedure[stage]
	if !ok {
		return Due{}, apperr.Errorf(apperr.Unprocessable, "", "stage %s has no period", stage)
	}
	e, err := r.edition(c.Edition)
	if err != nil {
		return Due{}, err
	}
	// §19: a geographically distributed system gets the longer survey.
	step, err := e.StepFor(rule.Step, policy.PackageFlags{GeographicallyDistributed: c.Distributed})
	if err != nil {
		return Due{}, fmt.Errorf("step %s: %w", rule.Step, err)
	}
	d, err := e.Due(r.cal, step, start)
	if err != nil {
		return Due{}, fmt.Errorf("due %s under %s: %w", step, c.Edition, err)
	}
	secs, err := e.CallbackTimeout(r.cal, step, start)
	if err != nil {
		return Due{}, fmt.Errorf("timeout of %s under %s: %w", step, c.Edition, err)
	}
	return Due{At: d.At, TimeoutSeconds: secs, Paragraph: d.Paragraph, Provisional: d.Provisional, PolicyStep: step}, nil
}

// stepStart is the moment a step's period counts from: the survey from the contract's entry
// into force (§19); the applicant's signature (§17) and rectification notice (§31) from the
// applicant's receipt of what opened them (receipt.go: online, the moment the sending is
// recorded, which is when the step opens); every other step from the moment it opens.
func stepStart(c Case, stage Stage, opensAt time.Time) time.Time {
	switch stage {
	case StageSurvey:
		if c.ContractInForce != nil {
			return *c.ContractInForce
		}
	case StageSignContract, StageRectificationNotice:
		if at, ok := ReceivedAt(SentOnline(opensAt)); ok {
			return at
		}
	}
	return opensAt
}

// checkEntryIntoForce bounds the contract's stated entry into force (§19): not before the
// contract was sent nor before the day it is signed (signedAt, Kazakhstan time), and at most the
// policy's start_within_days calendar days after the signature.
func (r rules) checkEntryIntoForce(c Case, stated, sentAt, signedAt time.Time) error {
	day := func(t time.Time) string { return t.In(almatyLoc()).Format(time.DateOnly) }
	if stated.Before(sentAt) {
		return fmt.Errorf("entryIntoForce %s is before the contract was sent (§19)", day(stated))
	}
	if day(stated) < day(signedAt) {
		return fmt.Errorf("entryIntoForce %s is before the contract is signed on %s (§19)", day(stated), day(signedAt))
	}
	e, err := r.edition(c.Edition)
	if err != nil {
		return err
	}
	step, err := e.StepFor(Procedure[StageSurvey].Step, policy.PackageFlags{GeographicallyDistributed: c.Distributed})
	if err != nil {
		return err
	}
	p, err := e.Period(step)
	if err != nil {
		return err
	}
	if p.StartWithinDays > 0 {
		latest := signedAt.In(almatyLoc()).AddDate(0, 0, p.StartWithinDays).Format(time.DateOnly)
		if day(stated) > latest {
			return fmt.Errorf("entryIntoForce %s is more than %d calendar days after the signature on %s: at the latest %s (§19, policy %s)",
				day(stated), p.StartWithinDays, day(signedAt), latest, c.Edition)
		}
	}
	return nil
}

// plan is what the state machine needs to open the step of stage.
func (r rules) plan(c Case, stage Stage, opensAt time.Time) (*NextStep, error) {
	if stage.Ended() {
		return &NextStep{Stage: stage, OpensAt: opensAt.UTC()}, nil
	}
	start := stepStart(c, stage, opensAt)
	d, err := r.due(c, stage, start)
	if err != nil {
		return nil, err
	}
	// The engine counts the timeout from the moment the step opens, the period from start.
	secs := d.TimeoutSeconds
	if start.After(opensAt) {
		secs += int64(start.Sub(opensAt).Seconds())
	}
	return &NextStep{Stage: stage, OpensAt: opensAt.UTC(), TimeoutSeconds: secs}, nil
}
