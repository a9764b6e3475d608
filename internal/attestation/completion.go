package attestation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"attestation/internal/calendar"
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

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Completion is an actor's decision on a case's open step.
type Completion struct {
	Step           string     `json:"step"` // the step the actor means to complete: a stale view is a conflict
	Outcome        Outcome    `json:"outcome"`
	Reasons        []string   `json:"reasons,omitempty"`
	Documents      []Document `json:"documents,omitempty"`
	EntryIntoForce *time.Time `json:"entryIntoForce,omitempty"` // sign_contract only: a date the contract states (§19)
	// Act: survey and additional_survey with the act: its number and date (§24, §35; Annex 7).
	Act *ActDetails `json:"act,omitempty"`
	// Certificate: a decision to issue (§27(1), §37): the certificate's terms (Annex 7).
	Certificate *CertificateTerms `json:"certificate,omitempty"`
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
		if actor.Role == identity.Applicant && c.OrganizationBIN != actor.BIN {
			return Decision{}, fmt.Errorf("complete step of %s: %w", caseID, ErrNotFound)
		}
		if in.Documents, err = s.resolveUploads(ctx, caseID, in.Documents); err != nil {
			return Decision{}, fmt.Errorf("complete step %s of %s: %w", in.Step, caseID, err)
		}
		// A repeat of a completion (not of a lapse or a withdrawal, which no actor posts).
		if d := c.LastDecision; d != nil && d.Error == "" && d.Step == in.Step && (c.OpenStep == nil || c.OpenStep.Name != in.Step) {
			if !sameCompletion(*d, actor, in) {
				return Decision{}, fmt.Errorf("step %s of %s was already completed with %s: %w", in.Step, caseID, d.Outcome, ErrConflict)
			}
			if d.Callback == CallbackPending && now.Sub(d.At) >= redeliverAfter {
				return *d, s.deliver(ctx, c.ID, *d)
			}
			return *d, nil
		}
		dec, nc, ev, err := s.decide(c, actor, in, now)
		if err != nil {
			return Decision{}, err
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

// decide applies the procedure's rules to a completion and returns the decision, the changed
// case and its history event.
func (s *Service) decide(c Case, actor identity.Actor, in Completion, now time.Time) (Decision, Case, Event, error) {
	fail := func(format string, kind error, args ...any) (Decision, Case, Event, error) {
		return Decision{}, Case{}, Event{}, fmt.Errorf("complete step %s of %s: "+format+": %w", append(append([]any{in.Step, c.ID}, args...), kind)...)
	}
	if _, ok := Procedure[Stage(in.Step)]; !ok {
		return fail("step %q is not a step of the procedure", ErrInvalid, in.Step)
	}
	if c.Stage.Ended() {
		return fail("the case is %s", ErrClosed, c.Stage)
	}
	st := c.OpenStep
	if st == nil || st.Name != in.Step {
		return fail("the case is at %s and this step is not open", ErrConflict, c.Stage)
	}
	rule := Procedure[c.Stage]
	if actor.Role != rule.Role {
		return fail("the %s acts here, not the %s", ErrForbidden, rule.Role, actor.Role)
	}
	// §27: rectification may be ordered at most once per application.
	if in.Outcome == OutcomeRectify && c.RectificationOrdered && (c.Stage == StageDecision || c.Stage == StageSecondDecision) {
		return fail("§27: rectification may be ordered at most once per application", ErrRule)
	}
	or, ok := rule.Outcomes[in.Outcome]
	if !ok {
		return fail("outcome %q: allowed are %v", ErrInvalid, in.Outcome, rule.OutcomeNames())
	}
	// §17, §31: once an applicant's period with a legal effect has ended, the step is no longer
	// taken; the deadline check applies the lapse.
	if rule.Lapse != nil && now.After(st.DueAt) {
		return fail("%s: the period ended at %s", ErrRule, rule.Lapse.Paragraph, st.DueAt.Format(time.RFC3339))
	}
	reasons, err := cleanReasons(in.Reasons)
	if err != nil {
		return fail("%v", ErrInvalid, err)
	}
	if or.NeedsReasons && len(reasons) == 0 {
		return fail("%s requires its reasons (%s)", ErrInvalid, in.Outcome, or.Paragraph)
	}
	docs, err := s.checkDocuments(c, rule, or, in.Documents)
	if err != nil {
		return fail("%v", ErrInvalid, err)
	}
	if in.EntryIntoForce != nil && c.Stage != StageSignContract {
		return fail("entryIntoForce is given only when the contract is signed", ErrInvalid)
	}
	// §24, §35: the act is handed over with its number and date, which the certificate and the
	// register print (Annex 7, §29).
	actStep := in.Outcome == OutcomeAct && (c.Stage == StageSurvey || c.Stage == StageAdditionalSurvey)
	if actStep {
		if err := checkAct(in.Act, c.SubmittedAt, now); err != nil {
			return fail("%v", ErrInvalid, err)
		}
	} else if in.Act != nil {
		return fail("act is given only with the act of a survey or of the additional survey", ErrInvalid)
	}
	// §27(1), §37: a decision to issue states the certificate's terms (Annex 7).
	issueStep := in.Outcome == OutcomeIssue && (c.Stage == StageDecision || c.Stage == StageSecondDecision)
	if issueStep {
		if err := checkTerms(in.Certificate); err != nil {
			return fail("%v", ErrInvalid, err)
		}
	} else if in.Certificate != nil {
		return fail("certificate is given only with a decision to issue the certificate", ErrInvalid)
	}
	next, err := Next(c, in.Outcome)
	if err != nil {
		return Decision{}, Case{}, Event{}, fmt.Errorf("complete step %s of %s: %w", in.Step, c.ID, err)
	}

	nc := c
	nc.Documents = append(slices.Clone(c.Documents), docs...)
	switch c.Stage {
	case StageSurvey:
		nc.SurveyAct = in.Act
	case StageAdditionalSurvey:
		nc.AdditionalSurveyAct = in.Act
	}
	if issueStep {
		nc.Terms = in.Certificate
	}
	switch c.Stage {
	case StageDecision, StageSecondDecision:
		nc.Decision = in.Outcome
		if in.Outcome == OutcomeRectify {
			nc.RectificationOrdered = true
		}
	case StageSendDocuments, StageSecondSendDocuments:
		// §25, §28, §30, §31: the act reaches the applicant with the decision; the rectification
		// period runs from this moment.
		for i, d := range nc.Documents {
			if (d.Kind == DocSurveyAct || d.Kind == DocAdditionalSurveyAct) && d.SentAt == nil {
				at := now.UTC()
				nc.Documents[i].SentAt = &at
			}
		}
	case StageSignContract:
		// §19: the contract enters into force when the STS receives the signed copy, unless
		// the contract states another date.
		inForce := now.UTC()
		if in.EntryIntoForce != nil {
			if in.EntryIntoForce.Before(st.OpenedAt) {
				return fail("entryIntoForce %s is before the contract was sent", ErrInvalid, in.EntryIntoForce.Format(time.DateOnly))
			}
			inForce = in.EntryIntoForce.UTC()
		}
		nc.ContractInForce = &inForce
	}
	nc.Stage = next
	nc.OpenStep = nil
	plan, err := s.rules.plan(nc, next, now)
	if errors.Is(err, calendar.ErrOutOfRange) && in.EntryIntoForce != nil {
		return fail("entryIntoForce: %v", ErrInvalid, err)
	}
	if err != nil {
		return Decision{}, Case{}, Event{}, fmt.Errorf("complete step %s of %s: %w", in.Step, c.ID, err)
	}
	dec := Decision{Step: in.Step, Token: st.Token, Outcome: in.Outcome, Reasons: reasons, Documents: docs,
		EntryIntoForce: in.EntryIntoForce, Act: in.Act, Certificate: in.Certificate, Actor: actor.Subject, Role: actor.Role, At: now.UTC(), Next: plan, Callback: CallbackPending}
	nc.LastDecision = &dec
	nc.Version++
	nc.Events++
	ev := Event{Seq: nc.Events, At: dec.At, Actor: actor.Subject, Role: actor.Role,
		What: fmt.Sprintf("step completed: %s (%s opened %s, due %s)", in.Outcome, in.Step, st.OpenedAt.Format(time.RFC3339), st.DueAt.Format(time.RFC3339)),
		Step: in.Step, Outcome: in.Outcome, Reasons: reasons, Documents: docs}
	return dec, nc, ev, nil
}

func cleanReasons(in []string) ([]string, error) {
	if len(in) > maxReasons {
		return nil, fmt.Errorf("reasons: at most %d", maxReasons)
	}
	var out []string
	for i, r := range in {
		r = strings.TrimSpace(r)
		if r == "" {
			return nil, fmt.Errorf("reasons[%d]: empty", i)
		}
		if len(r) > maxReasonLength {
			return nil, fmt.Errorf("reasons[%d]: longer than %d bytes", i, maxReasonLength)
		}
		out = append(out, r)
	}
	return out, nil
}

// checkDocuments checks the documents attached with an outcome: the kinds the outcome takes and
// no others, each pinned by key and SHA-256; and that every document the policy says the step is
// taken on (e.g. the act, or the attestation commission's protocol under Art. 51) is on the case
// or attached now.
func (s *Service) checkDocuments(c Case, rule StepRule, or OutcomeRule, attached []Document) ([]Document, error) {
	if len(attached) > maxDocuments {
		return nil, fmt.Errorf("documents: at most %d", maxDocuments)
	}
	allowed := map[string]bool{}
	for _, k := range or.Documents {
		allowed[k] = true
	}
	ed, err := s.rules.edition(c.Edition)
	if err != nil {
		return nil, err
	}
	// The documents the policy says the step is taken on: one that an earlier step of the
	// procedure produced (the act) is on the case; any other (the attestation commission's
	// protocol under Art. 51) belongs to this decision and is attached with it, each time.
	var requires []string
	have := map[string]bool{}
	if p, err := ed.Period(rule.Step); err == nil {
		requires = p.Requires
		for _, k := range p.Requires {
			if !producedByProcedure(k) {
				allowed[k] = true
				continue
			}
			for _, d := range c.Documents {
				if d.Kind == k {
					have[k] = true
				}
			}
		}
	}
	var out []Document
	for i, d := range attached {
		switch {
		case !allowed[d.Kind]:
			return nil, fmt.Errorf("documents[%d]: kind %q is not taken at %s", i, d.Kind, rule.Step)
		case strings.TrimSpace(d.Key) == "":
			return nil, fmt.Errorf("documents[%d]: key is required", i)
		case !sha256Hex.MatchString(d.SHA256):
			return nil, fmt.Errorf("documents[%d]: sha256 must be 64 lowercase hex digits", i)
		}
		d.Step, d.SentAt = rule.Step, nil
		out = append(out, d)
		have[d.Kind] = true
	}
	var missing []string
	for _, k := range append(slices.Clone(or.Documents), requires...) {
		if !have[k] && !slices.Contains(missing, k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("documents: %s requires %v", rule.Step, missing)
	}
	return out, nil
}

// producedByProcedure reports whether a step of the procedure produces documents of kind k.
func producedByProcedure(k string) bool {
	for _, r := range Procedure {
		for _, or := range r.Outcomes {
			if slices.Contains(or.Documents, k) {
				return true
			}
		}
	}
	return false
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
	if err != nil || !slices.Equal(reasons, d.Reasons) || len(in.Documents) != len(d.Documents) {
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
			return Decision{}, fmt.Errorf("lapse of %s: no step is open: %w", caseID, ErrConflict)
		}
		rule := Procedure[c.Stage]
		if rule.Lapse == nil {
			return Decision{}, fmt.Errorf("lapse of %s: a lapse of %s has no legal effect: %w", caseID, st.Name, ErrRule)
		}
		if !now.After(st.DueAt) {
			return Decision{}, fmt.Errorf("lapse of %s: %s is due %s: %w", caseID, st.Name, st.DueAt.Format(time.RFC3339), ErrRule)
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

// Withdraw ends an open case at the applicant's request. The open step's token is failed with
// Withdrawn (the engine cannot stop an execution waiting on a callback; this also keeps its
// history readable). If no step is open, the next one the engine opens finds the case closed.
func (s *Service) Withdraw(ctx context.Context, actor identity.Actor, caseID string, now time.Time) (Case, error) {
	for attempt := 0; ; attempt++ {
		c, err := s.store.Get(ctx, caseID)
		if err != nil {
			return Case{}, fmt.Errorf("withdraw %s: %w", caseID, err)
		}
		if actor.Role != identity.Applicant || c.OrganizationBIN != actor.BIN {
			if actor.Role == identity.Applicant {
				return Case{}, fmt.Errorf("withdraw %s: %w", caseID, ErrNotFound)
			}
			return Case{}, fmt.Errorf("withdraw %s: only the applicant withdraws: %w", caseID, ErrForbidden)
		}
		if c.Stage == StageWithdrawn {
			if d := c.LastDecision; d != nil && d.Error == ErrorWithdrawn && d.Callback == CallbackPending && now.Sub(d.At) >= redeliverAfter {
				return c, s.deliver(ctx, c.ID, *d)
			}
			return c, nil
		}
		if c.Stage.Ended() {
			return Case{}, fmt.Errorf("withdraw %s: the case is %s: %w", caseID, c.Stage, ErrClosed)
		}
		nc := c
		nc.Stage = StageWithdrawn
		nc.OpenStep = nil
		var dec *Decision
		if st := c.OpenStep; st != nil {
			dec = &Decision{Step: st.Name, Token: st.Token, Outcome: "withdrawn", Actor: actor.Subject, Role: actor.Role,
				At: now.UTC(), Next: &NextStep{Stage: StageWithdrawn, OpensAt: now.UTC()}, Callback: CallbackPending, Error: ErrorWithdrawn}
			nc.LastDecision = dec
		}
		nc.Version++
		nc.Events++
		ev := Event{Seq: nc.Events, At: now.UTC(), Actor: actor.Subject, Role: actor.Role, What: "application withdrawn"}
		err = s.store.Update(ctx, nc, ev)
		if errors.Is(err, ErrConflict) && attempt < maxRetries {
			continue
		}
		if err != nil {
			return Case{}, fmt.Errorf("withdraw %s: %w", caseID, err)
		}
		if dec != nil {
			if err := s.deliver(ctx, c.ID, *dec); err != nil {
				return nc, err
			}
		}
		return nc, nil
	}
}

// DeadlineReport is what one run of the deadline check did.
type DeadlineReport struct {
	At      time.Time `json:"at"`
	Lapsed  []string  `json:"lapsed"`
	Overdue []string  `json:"overdue"`
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
			if c.OpenStep == nil || c.OpenStep.Overdue || !now.After(c.OpenStep.DueAt) {
				continue
			}
			if Procedure[c.Stage].Lapse != nil {
				if _, err := s.Lapse(ctx, c.ID, now); err != nil {
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
				What: fmt.Sprintf("step overdue: %s was due %s (%s)", c.OpenStep.Name, c.OpenStep.DueAt.Format(time.RFC3339), c.OpenStep.Paragraph)}
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

// resolveUploads pins each attached document to the confirmed upload its key names: the upload
// must have been made for this case and confirmed (its bytes checked), be of the kind it is
// attached as, and match the SHA-256 the caller states, if it states one. The stored version and
// SHA-256 come from the upload. A service without an upload store takes the documents as given.
func (s *Service) resolveUploads(ctx context.Context, caseID string, docs []Document) ([]Document, error) {
	if s.uploads == nil || len(docs) == 0 {
		return docs, nil
	}
	if len(docs) > maxDocuments {
		return nil, &UploadRefused{Problems: []Problem{{Field: "documents", Rule: ruleUpload, Message: fmt.Sprintf("at most %d documents", maxDocuments)}}}
	}
	ids := make([]string, 0, len(docs))
	for _, d := range docs {
		if id := UploadIDOfKey(d.Key); id != "" {
			ids = append(ids, id)
		}
	}
	found, err := s.uploads.Uploads(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read uploads: %w", err)
	}
	var ps []Problem
	out := make([]Document, len(docs))
	for i, d := range docs {
		field := fmt.Sprintf("documents[%d]", i)
		u, ok := found[UploadIDOfKey(d.Key)]
		switch {
		case !ok || u.Scope != ScopeCase || u.ScopeID != caseID:
			ps = append(ps, Problem{Field: field + ".key", Rule: ruleUpload,
				Message: fmt.Sprintf("%q is not a document uploaded to this case: upload it (POST /cases/%s/uploads), confirm it, and attach the key the confirm returns", d.Key, caseID)})
		case u.State != UploadConfirmed:
			ps = append(ps, Problem{Field: field + ".key", Rule: ruleUpload, Message: "the upload is not confirmed yet: confirm it first"})
		case d.Kind != u.Document:
			ps = append(ps, Problem{Field: field + ".kind", Rule: ruleUpload, Message: fmt.Sprintf("the upload was declared as %q, not %q", u.Document, d.Kind)})
		case d.SHA256 != "" && !strings.EqualFold(d.SHA256, u.SHA256):
			ps = append(ps, Problem{Field: field + ".sha256", Rule: ruleUpload, Message: fmt.Sprintf("the upload's SHA-256 is %s", u.SHA256)})
		default:
			d.SHA256, d.VersionID = u.SHA256, u.VersionID
		}
		out[i] = d
	}
	if len(ps) > 0 {
		return nil, &UploadRefused{Problems: ps}
	}
	return out, nil
}
