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
// applicant's receipt of what opened them (receiptStart); every other step from the moment it
// opens. ok is false while that receipt is a paper case's hand-over not yet recorded: the period
// has not started.
func stepStart(c Case, stage Stage, opensAt time.Time) (start time.Time, ok bool) {
	switch stage {
	case StageSurvey:
		if c.ContractInForce != nil {
			return *c.ContractInForce, true
		}
	case StageSignContract, StageRectificationNotice:
		return receiptStart(c, stage, opensAt)
	}
	return opensAt, true
}

// receiptStart is the applicant's receipt of the document that opened stage, by the one rule of
// receipt (ReceiptOf, receipt.go): online, the moment the sending is recorded, which is when the
// step opens; in a paper case, the office's recorded hand-over of that document (§17: the
// contract; §31: the act sent with the decision). ok is false until a paper case's document is
// handed over. A paper case must be read with its documents: without them no document is found
// and the period waits.
func receiptStart(c Case, stage Stage, opensAt time.Time) (time.Time, bool) {
	if c.Paper == nil {
		return ReceivedAt(SentOnline(opensAt))
	}
	d, ok := openingDocument(c, stage)
	if !ok {
		return time.Time{}, false
	}
	return ReceiptOf(c, d, opensAt)
}

// openingDocument is the document whose receipt starts the period of stage: the contract the STS
// sent (§17), or the act the authority sent with its decision to order rectification (§31).
func openingDocument(c Case, stage Stage) (Document, bool) {
	var kind string
	switch stage {
	case StageSignContract:
		kind = DocContract
	case StageRectificationNotice:
		kind = DocSurveyAct
	default:
		return Document{}, false
	}
	for i := len(c.Documents) - 1; i >= 0; i-- {
		if d := c.Documents[i]; d.Kind == kind {
			return d, true
		}
	}
	return Document{}, false
}

// HandOverTimeout is the callback timeout of a paper case's step whose period waits for the
// hand-over at the office (§17, §31), in seconds: a year, the longest a Standard execution of
// Step Functions lives. The hand-over has no period of its own, so no timeout counted from the
// step's opening can know when hand-over plus period ends; one the execution cannot outlive never
// fires before it. The lapse itself is the deadline check's, on the due moment the hand-over sets.
// Not a figure of the regulation.
const HandOverTimeout = 365 * 24 * 60 * 60

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
	start, ok := stepStart(c, stage, opensAt)
	if !ok {
		// A paper case's period waits for the hand-over (receiptStart).
		return &NextStep{Stage: stage, OpensAt: opensAt.UTC(), TimeoutSeconds: HandOverTimeout}, nil
	}
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
