package attestation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/calendar"
	"attestation/internal/identity"
)

// The rules a completion of a human step is decided by: rectification at most once (§27), an
// applicant's period with a legal effect (§17, §31), the act's number and date (§24, §35), the
// certificate's terms with a decision to issue (§27(1), §37), the delivery of the act with the
// decision (§25, §28, §30, §31) and the contract's entry into force (§19).

// decide applies the procedure's rules to a completion and returns the decision, the changed
// case and its history event.
func (s *Service) decide(ctx context.Context, c Case, actor identity.Actor, in Completion, now time.Time) (Decision, Case, Event, error) {
	fail := func(format string, kind apperr.Kind, args ...any) (Decision, Case, Event, error) {
		return Decision{}, Case{}, Event{}, apperr.Errorf(kind, "case", "complete step %s of %s: "+format, append([]any{in.Step, c.ID}, args...)...)
	}
	if _, ok := Procedure[Stage(in.Step)]; !ok {
		return fail("step %q is not a step of the procedure", apperr.Unprocessable, in.Step)
	}
	if c.Stage.Ended() {
		return fail("the case is %s", apperr.Closed, c.Stage)
	}
	st := c.OpenStep
	if st == nil || st.Name != in.Step {
		return fail("the case is at %s and this step is not open", apperr.Conflict, c.Stage)
	}
	rule := Procedure[c.Stage]
	if actor.Role != rule.Role && !officeActs(actor, c, rule.Role) {
		return fail("the %s acts here, not the %s", apperr.Forbidden, rule.Role, actor.Role)
	}
	// §27: rectification may be ordered at most once per application.
	if in.Outcome == OutcomeRectify && c.RectificationOrdered && (c.Stage == StageDecision || c.Stage == StageSecondDecision) {
		return fail("§27: rectification may be ordered at most once per application", apperr.Rule)
	}
	or, ok := rule.Outcomes[in.Outcome]
	if !ok {
		return fail("outcome %q: allowed are %v", apperr.Unprocessable, in.Outcome, rule.OutcomeNames())
	}
	// §17, §31: once an applicant's period with a legal effect has ended, the step is no longer
	// taken; the deadline check applies the lapse.
	if rule.Lapse != nil && st.PastDue(now) {
		return fail("%s: the period ended at %s", apperr.Rule, rule.Lapse.Paragraph, st.DueAt.Format(time.RFC3339))
	}
	reasons, err := cleanReasons(in.Reasons)
	if err != nil {
		return fail("%v", apperr.Unprocessable, err)
	}
	if or.NeedsReasons && len(reasons) == 0 {
		return fail("%s requires its reasons (%s)", apperr.Unprocessable, in.Outcome, or.Paragraph)
	}
	// Standard §6, §10: a return or a refusal names its grounds, of the effect it has.
	ed, err := s.rules.edition(c.Edition)
	if err != nil {
		return Decision{}, Case{}, Event{}, fmt.Errorf("complete step %s of %s: %w", in.Step, c.ID, err)
	}
	if err := checkGrounds(ed, in.Outcome, or.Paragraph, in.Grounds); err != nil {
		return fail("%v", apperr.Unprocessable, err)
	}
	docs, err := s.checkDocuments(c, rule, or, in.Documents)
	if err != nil {
		return fail("%v", apperr.Unprocessable, err)
	}
	if in.EntryIntoForce != nil && c.Stage != StageSignContract {
		return fail("entryIntoForce is given only when the contract is signed", apperr.Unprocessable)
	}
	// §24, §35: the act is handed over with its number and date, which the certificate and the
	// register print (Annex 7, §29).
	actStep := in.Outcome == OutcomeAct && (c.Stage == StageSurvey || c.Stage == StageAdditionalSurvey)
	if actStep {
		if err := checkAct(in.Act, c.SubmittedAt, now); err != nil {
			return fail("%v", apperr.Unprocessable, err)
		}
		if err := s.checkActContent(ctx, in.Act); err != nil {
			return fail("%v", apperr.Unprocessable, err)
		}
	} else if in.Act != nil {
		return fail("act is given only with the act of a survey or of the additional survey", apperr.Unprocessable)
	}
	// Law Art. 51(6): a decision taken on the commission's protocol records the commission.
	onProtocol := s.takenOnProtocol(c, rule.Step)
	if onProtocol {
		if err := checkCommission(in.Commission, st.OpenedAt, now); err != nil {
			return fail("%v", apperr.Unprocessable, err)
		}
	} else if in.Commission != nil {
		return fail("commission is given only with a decision taken on the attestation commission's protocol (Law Art. 51(6))", apperr.Unprocessable)
	}
	// §27(1), §37: a decision to issue states the certificate's terms (Annex 7).
	issueStep := in.Outcome == OutcomeIssue && (c.Stage == StageDecision || c.Stage == StageSecondDecision)
	if issueStep {
		if err := checkTerms(in.Certificate); err != nil {
			return fail("%v", apperr.Unprocessable, err)
		}
	} else if in.Certificate != nil {
		return fail("certificate is given only with a decision to issue the certificate", apperr.Unprocessable)
	}
	next, err := Next(c, in.Outcome)
	if err != nil {
		return Decision{}, Case{}, Event{}, fmt.Errorf("complete step %s of %s: %w", in.Step, c.ID, err)
	}

	nc := c
	nc.Documents = append(slices.Clone(c.Documents), docs...)
	switch c.Stage {
	case StageSurvey:
		nc.SurveyAct = withAct(in.Act, actor, now)
	case StageAdditionalSurvey:
		nc.AdditionalSurveyAct = withAct(in.Act, actor, now)
	}
	if issueStep {
		nc.Terms = in.Certificate
	}
	if onProtocol {
		recordCommission(&nc, in.Commission, rule.Step)
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
			if sentWithTheDecision(d.Kind) && d.SentAt == nil {
				at := now.UTC()
				nc.Documents[i].SentAt = &at
			}
		}
		// §25, §35: the applicant's copy of each act reaches it now.
		nc.SurveyAct, nc.AdditionalSurveyAct = applicantReceives(nc.SurveyAct, c, now), applicantReceives(nc.AdditionalSurveyAct, c, now)
	case StageSignContract:
		// §19: the contract enters into force when the STS receives the signed copy, unless
		// the contract states another date.
		inForce := now.UTC()
		if in.EntryIntoForce != nil {
			if err := s.rules.checkEntryIntoForce(c, *in.EntryIntoForce, st.OpenedAt, now); err != nil {
				return fail("%v", apperr.Unprocessable, err)
			}
			inForce = in.EntryIntoForce.UTC()
		}
		nc.ContractInForce = &inForce
	}
	nc.Stage = next
	nc.OpenStep = nil
	plan, err := s.rules.plan(nc, next, now)
	if errors.Is(err, calendar.ErrOutOfRange) && in.EntryIntoForce != nil {
		return fail("entryIntoForce: %s", apperr.Unprocessable, apperr.PublicOf(err).Detail)
	}
	if err != nil {
		return Decision{}, Case{}, Event{}, fmt.Errorf("complete step %s of %s: %w", in.Step, c.ID, err)
	}
	dec := Decision{Step: in.Step, Token: st.Token, Outcome: in.Outcome, Reasons: reasons, Grounds: slices.Clone(in.Grounds), Documents: docs,
		EntryIntoForce: in.EntryIntoForce, Act: in.Act, Certificate: in.Certificate, Actor: actor.Subject, Role: actor.Role, At: now.UTC(), Next: plan, Callback: CallbackPending}
	nc.LastDecision = &dec
	nc.Version++
	nc.Events++
	ev := Event{Seq: nc.Events, At: dec.At, Actor: actor.Subject, Role: actor.Role,
		What: fmt.Sprintf("step completed: %s (%s opened %s, due %s)", in.Outcome, in.Step, st.OpenedAt.Format(time.RFC3339), st.dueWords()),
		Step: in.Step, Outcome: in.Outcome, Reasons: reasons, Grounds: dec.Grounds, Documents: docs}
	return dec, nc, ev, nil
}

// sentWithTheDecision: documents the authority sends to the applicant with its decision (§25,
// §28, §30, §31, §38): the acts and the reasoned response to a refusal (standard §6).
func sentWithTheDecision(kind string) bool {
	switch kind {
	case DocSurveyAct, DocAdditionalSurveyAct, DocReasonedResponse, DocReasonedResponseData:
		return true
	}
	return false
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
		if m := UnsafeTextProblem(r); m != "" {
			return nil, fmt.Errorf("reasons[%d]: %s", i, m)
		}
		out = append(out, r)
	}
	return out, nil
}
