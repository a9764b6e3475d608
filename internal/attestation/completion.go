package attestation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sync"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// redeliverAfter is how long a written decision may wait for its callback before a repeat of
// the same request sends it again (the first sender may have failed after writing).
const redeliverAfter = 10 * time.Second

// Limits on what a completion may carry.
const (
	maxReasons      = 50
	maxReasonLength = 4000
	maxDocuments    = 50
)

// (compiled on first use, not at every cold start)
var sha256Hex = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{64}$`) })

// Completion is an actor's decision on a case's open step.
type Completion struct {
	Step    string   `json:"step"` // the step the actor means to complete: a stale view is a conflict
	Outcome Outcome  `json:"outcome"`
	Reasons []string `json:"reasons,omitempty"`
	// Grounds: a return or a refusal names the policy's refusal grounds it rests on (standard §6,
	// §10; refusals.go).
	Grounds        []string   `json:"grounds,omitempty"`
	Documents      []Document `json:"documents,omitempty"`
	EntryIntoForce *time.Time `json:"entryIntoForce,omitempty"` // sign_contract only: a date the contract states (§19)
	// Act: survey and additional_survey with the act: its number and date (§24, §35; Annex 7).
	Act *ActDetails `json:"act,omitempty"`
	// Certificate: a decision to issue (§27(1), §37): the certificate's terms (Annex 7).
	Certificate *CertificateTerms `json:"certificate,omitempty"`
	// Commission: a decision taken on the attestation commission's protocol (Law Art. 51(6),
	// commission.go): its meeting, protocol number and members.
	Commission *Commission `json:"commission,omitempty"`
}

// StepOutput is what a completed step hands back to the state machine (SendTaskSuccess output,
// or the cause of a SendTaskFailure): the decision and the step that follows.
type StepOutput struct {
	Step    string    `json:"step"`
	Outcome Outcome   `json:"outcome"`
	At      time.Time `json:"at"`
	Next    *NextStep `json:"next,omitempty"`
}

// CompleteStep is the one way a human step is completed, by the API and the tests alike. It
// checks who acts and the case's stage, writes the decision conditional on the case's version
// (the project's own guard against duplicates: the engine is never relied on to reject a repeated
// token), and only then tells the engine. A repeat of the same completion returns the first
// result and changes nothing; a different one on a step already completed is ErrConflict.
func (s *Service) CompleteStep(ctx context.Context, actor identity.Actor, caseID string, in Completion, now time.Time) (Decision, error) {
	for attempt := 0; ; attempt++ {
		c, err := s.store.Get(ctx, caseID)
		if err != nil {
			return Decision{}, fmt.Errorf("complete step of %s: %w", caseID, err)
		}
		if !reaches(actor, c) { // §16: the STS only once the case is forwarded to it
			return Decision{}, apperr.Errorf(apperr.NotFound, "case", "complete step of %s", caseID)
		}
		if in.Documents, err = s.resolveUploads(ctx, caseID, in.Documents); err != nil {
			return Decision{}, fmt.Errorf("complete step %s of %s: %w", in.Step, caseID, err)
		}
		// Papers the applicant brings to the office carry no EDS (office.go).
		if actor.Role != identity.Office {
			if err := s.stepSignatures(c, in.Documents); err != nil {
				return Decision{}, fmt.Errorf("complete step %s of %s: %w", in.Step, caseID, err)
			}
		}
		// A repeat of a completion (not of a lapse or a withdrawal, which no actor posts).
		if d := c.LastDecision; d != nil && d.Error == "" && d.Step == in.Step && (c.OpenStep == nil || c.OpenStep.Name != in.Step) {
			if !sameCompletion(*d, actor, in) {
				return Decision{}, apperr.Errorf(apperr.Conflict, "", "step %s of %s was already completed with %s", in.Step, caseID, d.Outcome)
			}
			if d.Callback == CallbackPending && now.Sub(d.At) >= redeliverAfter {
				return *d, s.deliver(ctx, c.ID, *d)
			}
			return *d, nil
		}
		dec, nc, ev, err := s.decide(ctx, c, actor, in, now)
		if err != nil {
			return Decision{}, err
		}
		if dec.Outcome == OutcomeNotified && nc.Term != nil && !nc.Term.Extended {
			// Standard §4: with the §31 notice an additional survey takes place; the term is extended.
			if nc.Term, err = s.rules.serviceTerm(nc, true); err != nil {
				return Decision{}, fmt.Errorf("complete step %s of %s: %w", in.Step, caseID, err)
			}
		}
		if groundEffect(dec.Outcome) != "" {
			// Standard §6: the reasoned response, under Object Lock.
			docs, err := s.respond(ctx, c, dec, Procedure[c.Stage].Outcomes[dec.Outcome].Paragraph, actor.Name)
			if err != nil {
				return Decision{}, fmt.Errorf("complete step %s of %s: %w", in.Step, caseID, err)
			}
			nc.Documents = append(nc.Documents, docs...)
			ev.Documents = append(ev.Documents, docs...)
		}
		err = s.store.Update(ctx, nc, ev)
		if errors.Is(err, ErrConflict) && attempt < maxRetries {
			continue // another request changed the case: read it again
		}
		if err != nil {
			return Decision{}, fmt.Errorf("complete step %s of %s: %w", in.Step, caseID, err)
		}
		s.log.InfoContext(ctx, "step completed", "caseId", caseID, "step", dec.Step, "outcome", dec.Outcome, "actor", actor)
		return dec, s.deliver(ctx, c.ID, dec)
	}
}

// sameCompletion reports whether in repeats the decision d.
func sameCompletion(d Decision, actor identity.Actor, in Completion) bool {
	if d.Outcome != in.Outcome || d.Role != actor.Role {
		return false
	}
	if (d.EntryIntoForce == nil) != (in.EntryIntoForce == nil) || (d.EntryIntoForce != nil && !d.EntryIntoForce.Equal(*in.EntryIntoForce)) {
		return false
	}
	if !reflect.DeepEqual(d.Act, in.Act) || !reflect.DeepEqual(d.Certificate, in.Certificate) {
		return false
	}
	reasons, err := cleanReasons(in.Reasons)
	if err != nil || !slices.Equal(reasons, d.Reasons) || !slices.Equal(in.Grounds, d.Grounds) || len(in.Documents) != len(d.Documents) {
		return false
	}
	for i, doc := range in.Documents {
		if doc.Key != d.Documents[i].Key || doc.SHA256 != d.Documents[i].SHA256 {
			return false
		}
	}
	return true
}

// deliver tells the engine about a written decision and records that it did.
func (s *Service) deliver(ctx context.Context, caseID string, d Decision) error {
	out, err := json.Marshal(StepOutput{Step: d.Step, Outcome: d.Outcome, At: d.At, Next: d.Next})
	if err != nil {
		return fmt.Errorf("encode step output: %w", err)
	}
	if d.Error != "" {
		err = s.workflow.Fail(ctx, d.Token, d.Error, string(out))
	} else {
		err = s.workflow.Succeed(ctx, d.Token, out)
	}
	state := CallbackSent
	switch {
	case errors.Is(err, ErrStepClosed):
		// The engine no longer waits on this token (its callback timed out): the decision
		// stands on the case, and the step the engine re-opens takes it (OpenStep).
		state = CallbackUndelivered
		s.log.WarnContext(ctx, "callback not taken; the re-opened step will take it", "caseId", caseID, "step", d.Step)
	case err != nil:
		return fmt.Errorf("send the result of step %s of %s: %w", d.Step, caseID, err)
	}
	if err := s.store.MarkCallback(ctx, caseID, d.Token, state); err != nil && !errors.Is(err, ErrConflict) {
		return fmt.Errorf("record the callback of step %s of %s: %w", d.Step, caseID, err)
	}
	return nil
}

// redeliver hands a case's last decision to the re-opened step's new token.
func (s *Service) redeliver(ctx context.Context, c Case, token string) (Step, error) {
	d := *c.LastDecision
	if d.Callback != CallbackSent || d.Token != token {
		d.Token, d.Callback = token, CallbackPending
		c.LastDecision = &d
		c.Version++
		c.Events++
		ev := Event{Seq: c.Events, At: d.At, Actor: "system", Role: identity.Scheduler, Step: d.Step,
			What: "decision handed to the re-opened step: " + string(d.Outcome)}
		if err := s.store.Update(ctx, c, ev); err != nil {
			return Step{}, fmt.Errorf("redeliver step %s of %s: %w", d.Step, c.ID, err)
		}
	}
	if err := s.deliver(ctx, c.ID, d); err != nil {
		return Step{}, err
	}
	return Step{Name: d.Step, Role: d.Role, Token: token, OpenedAt: d.At}, nil
}
