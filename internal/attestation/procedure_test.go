package attestation

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"attestation/internal/identity"
)

// The rules of the procedure (§14-§39), each tested through the service on the real calendar and
// the real policy edition.

// stages returns the step stages of the procedure in a stable order.
func stages() []Stage {
	var out []Stage
	for s := range Procedure {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func TestPar7ProcedureNext(t *testing.T) {
	for _, stage := range stages() {
		rule := Procedure[stage]
		if rule.Step != string(stage) {
			t.Errorf("the step of stage %s is %q: the stage while a step is open is the step's key", stage, rule.Step)
		}
		for _, o := range rule.OutcomeNames() {
			or := rule.Outcomes[o]
			if or.Next == stageFollowsDecision {
				continue
			}
			t.Run(fmt.Sprintf("%s %s at %s leads to %s", or.Paragraph, o, stage, or.Next), func(t *testing.T) {
				got, err := Next(Case{Stage: stage}, o)
				if err != nil || got != or.Next {
					t.Fatalf("Next = %s, %v; want %s", got, err, or.Next)
				}
			})
		}
	}
	for _, tc := range []struct {
		name     string
		stage    Stage
		decision Outcome
		want     Stage
	}{
		{"§28 the act and certificate sent after a decision to issue: issued", StageSendDocuments, OutcomeIssue, StageIssued},
		{"§30 the act sent after a refusal: refused", StageSendDocuments, OutcomeRefuse, StageRefused},
		{"§31 the act sent after a rectification order: the applicant's notice", StageSendDocuments, OutcomeRectify, StageRectificationNotice},
		{"§38 the additional act and certificate sent after issue: issued", StageSecondSendDocuments, OutcomeIssue, StageIssued},
		{"§37 the additional act sent after a refusal: refused", StageSecondSendDocuments, OutcomeRefuse, StageRefused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Next(Case{Stage: tc.stage, Decision: tc.decision}, OutcomeSent)
			if err != nil || got != tc.want {
				t.Fatalf("Next = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
	t.Run("a sending step with no decision to send is a conflict", func(t *testing.T) {
		_, err := Next(Case{Stage: StageSendDocuments}, OutcomeSent)
		mustErr(t, err, ErrConflict)
	})
	t.Run("an outcome not allowed at the step is invalid", func(t *testing.T) {
		_, err := Next(Case{Stage: StageSurvey}, OutcomeIssue)
		mustErr(t, err, ErrInvalid)
	})
	t.Run("a stage with no human step is a conflict", func(t *testing.T) {
		_, err := Next(Case{Stage: StageIssued}, OutcomeSent)
		mustErr(t, err, ErrConflict)
	})
}

func TestPar14To16CompletenessCheck(t *testing.T) {
	t.Run("§14 the authority has 3 working days from receipt", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageCompletenessCheck, caseSpec{}, route{})
		st := c.OpenStep
		if st == nil || st.Role != identity.Authority || st.Paragraph != "§14" {
			t.Fatalf("open step %+v, want the authority's §14 check", st)
		}
		if want := addWD(t, c.ReceivedAt, 3); !st.DueAt.Equal(want) {
			t.Errorf("due %s, want %s", st.DueAt, want)
		}
	})
	t.Run("§16 forward sends the package to the STS", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageCompletenessCheck, caseSpec{}, route{})
		dec := h.complete(c.ID, OutcomeForward)
		if got := h.get(c.ID); got.Stage != StageSendContract || dec.Next == nil || dec.Next.Stage != StageSendContract {
			t.Fatalf("stage %s, next %+v; want send_contract", got.Stage, dec.Next)
		}
		if n := h.wf.count("Succeed", c.OpenStep.Token); n != 1 {
			t.Fatalf("SendTaskSuccess on the token %d times, want 1", n)
		}
		if out := h.wf.output(t, c.OpenStep.Token); out.Outcome != OutcomeForward || out.Next.Stage != StageSendContract {
			t.Errorf("output %+v", out)
		}
	})
	t.Run("§15 a return needs its reasons (standard §10)", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageCompletenessCheck, caseSpec{}, route{})
		for _, reasons := range [][]string{nil, {}, {"   "}} {
			_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, Completion{Step: "completeness_check", Outcome: OutcomeReturn, Reasons: reasons}, h.tick())
			mustErr(t, err, ErrInvalid)
			h.unchanged(c)
		}
		reasons := []string{"standard §10: the package lacks the terms of reference"}
		dec, err := h.svc.CompleteStep(h.ctx, authority, c.ID, Completion{Step: "completeness_check", Outcome: OutcomeReturn, Reasons: reasons, Grounds: sampleGrounds(OutcomeReturn)}, h.tick())
		if err != nil {
			t.Fatal(err)
		}
		got := h.get(c.ID)
		if got.Stage != StageReturned || !got.Stage.Ended() || got.OpenStep != nil || dec.Next.Stage != StageReturned {
			t.Fatalf("stage %s, open %v, next %+v; want returned", got.Stage, got.OpenStep, dec.Next)
		}
		ev := h.history(c.ID)
		if last := ev[len(ev)-1]; last.Outcome != OutcomeReturn || !slices.Equal(last.Reasons, reasons) {
			t.Errorf("last event %+v, want the return with its reasons", last)
		}
		if out := h.wf.output(t, c.OpenStep.Token); out.Outcome != OutcomeReturn || out.Next.Stage != StageReturned {
			t.Errorf("output %+v", out)
		}
	})
}

func TestPar8Par9WhoActsAtEachStep(t *testing.T) {
	for _, stage := range stages() {
		rule := Procedure[stage]
		name := fmt.Sprintf("%s %s: only the %s completes it", rule.Paragraph, stage, rule.Role)
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			c := h.caseAt(stage, caseSpec{}, route{})
			outcome := rule.OutcomeNames()[0]
			in := h.completion(c, outcome)
			for _, a := range []identity.Actor{otherApplicant, applicant, authority, sts, scheduler} {
				if a == actorFor(rule.Role) {
					continue
				}
				_, err := h.svc.CompleteStep(h.ctx, a, c.ID, in, h.tick())
				want := ErrForbidden
				if a.Role == identity.Applicant && a.BIN != c.OrganizationBIN {
					want = ErrNotFound // another organisation's case is as if it did not exist
				}
				if a.Role == identity.STS && !c.ForwardedToSTS() {
					want = ErrNotFound // §16: so is a case not (yet) forwarded to the STS
				}
				if !errors.Is(err, want) {
					t.Errorf("%s (%s): %v, want %v", a.Role, a.Subject, err, want)
				}
				h.unchanged(c)
			}
			if _, err := h.svc.CompleteStep(h.ctx, actorFor(rule.Role), c.ID, in, h.tick()); err != nil {
				t.Fatalf("the %s at %s: %v", rule.Role, stage, err)
			}
			want, _ := Next(c, outcome)
			if got := h.get(c.ID); got.Stage != want || got.Version != c.Version+1 {
				t.Fatalf("stage %s version %d, want %s version %d", got.Stage, got.Version, want, c.Version+1)
			}
		})
	}
	t.Run("an applicant of another organisation gets ErrNotFound from Get, Withdraw and CompleteStep, not ErrForbidden", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSignContract, caseSpec{}, route{})
		_, _, err := h.svc.Get(h.ctx, otherApplicant, c.ID)
		mustErr(t, err, ErrNotFound)
		_, err = h.svc.Withdraw(h.ctx, otherApplicant, c.ID, h.tick())
		mustErr(t, err, ErrNotFound)
		_, err = h.svc.CompleteStep(h.ctx, otherApplicant, c.ID, h.completion(c, OutcomeSigned), h.tick())
		mustErr(t, err, ErrNotFound)
		if errors.Is(err, ErrForbidden) {
			t.Fatal("another organisation learns the case exists")
		}
		h.unchanged(c)
		if _, _, err := h.svc.Get(h.ctx, applicant, c.ID); err != nil {
			t.Fatalf("the applicant's own case: %v", err)
		}
		if _, _, err := h.svc.Get(h.ctx, authority, c.ID); err != nil {
			t.Fatalf("the authority: %v", err)
		}
	})
}

func TestPar17UnsignedContractCancelsByItself(t *testing.T) {
	h := newHarness(t)
	c := h.caseAt(StageSignContract, caseSpec{}, route{})
	st := c.OpenStep
	if st.Role != identity.Applicant || !st.DueAt.Equal(addWD(t, st.OpenedAt, 5)) {
		t.Fatalf("sign_contract %+v: want the applicant's 5 working days from receipt of the copies", st)
	}
	t.Run("§17 a lapse before or at the due moment is ErrRule", func(t *testing.T) {
		for _, now := range []time.Time{st.OpenedAt.Add(time.Hour), st.DueAt.Add(-time.Second), st.DueAt} {
			_, err := h.svc.Lapse(h.ctx, c.ID, now)
			mustErr(t, err, ErrRule)
			h.unchanged(c)
		}
		if h.wf.sends(st.Token) != 0 {
			t.Fatal("the engine was told of a lapse that did not happen")
		}
	})
	t.Run("§17 after the due moment the application is cancelled by itself", func(t *testing.T) {
		dec, err := h.svc.Lapse(h.ctx, c.ID, st.DueAt.Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		got := h.get(c.ID)
		if got.Stage != StageCancelled || got.OpenStep != nil || dec.Next.Stage != StageCancelled {
			t.Fatalf("stage %s, next %+v: want cancelled with no step for the authority", got.Stage, dec.Next)
		}
		calls := h.wf.callsFor(st.Token)
		if len(calls) != 1 || calls[0].Method != "Fail" || calls[0].ErrorName != ErrorContractNotSigned {
			t.Fatalf("engine calls on the token %+v, want one Fail with %s", calls, ErrorContractNotSigned)
		}
		ev := h.history(c.ID)
		if last := ev[len(ev)-1]; !strings.Contains(last.What, ErrorContractNotSigned) || !strings.Contains(last.What, "§17") {
			t.Errorf("last event %q", last.What)
		}
		_, err = h.svc.CompleteStep(h.ctx, applicant, c.ID, h.completion(c, OutcomeSigned), h.tick())
		if err == nil {
			t.Fatal("the applicant signed a cancelled application")
		}
	})
	t.Run("§17 a staff step's lapse has no legal effect: ErrRule", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSendContract, caseSpec{}, route{})
		_, err := h.svc.Lapse(h.ctx, c.ID, c.OpenStep.DueAt.Add(time.Hour))
		mustErr(t, err, ErrRule)
		h.unchanged(c)
	})
}

// Bug: the lapse of an applicant's period has its legal effect by itself (§17: "otherwise the
// application shall be considered canceled"; §32), yet CompleteStep takes the applicant's
// completion after the due moment as long as the daily deadline check has not run yet.
func TestPar17Par32LateApplicantCompletionIsNotTaken(t *testing.T) {
	for _, stage := range []Stage{StageSignContract, StageRectificationNotice} {
		t.Run(Procedure[stage].Lapse.Paragraph+" "+string(stage), func(t *testing.T) {
			h := newHarness(t)
			c := h.caseAt(stage, caseSpec{}, route{})
			in := h.completion(c, Procedure[stage].OutcomeNames()[0])
			_, err := h.svc.CompleteStep(h.ctx, applicant, c.ID, in, c.OpenStep.DueAt.Add(2*time.Hour))
			mustErr(t, err, ErrRule)
			h.unchanged(c)
		})
	}
}

func TestPar19SurveyPeriod(t *testing.T) {
	t.Run("§19 a geographically distributed system gets 40 working days, another 30", func(t *testing.T) {
		normal, distributed := newHarness(t), newHarness(t)
		a := normal.caseAt(StageSurvey, caseSpec{}, route{})
		b := distributed.caseAt(StageSurvey, caseSpec{Distributed: true}, route{})
		if !a.ContractInForce.Equal(*b.ContractInForce) {
			t.Fatalf("the two contracts entered into force at %s and %s", a.ContractInForce, b.ContractInForce)
		}
		if want := addWD(t, *a.ContractInForce, 30); !a.OpenStep.DueAt.Equal(want) {
			t.Errorf("survey due %s, want %s (30 working days)", a.OpenStep.DueAt, want)
		}
		if want := addWD(t, *b.ContractInForce, 40); !b.OpenStep.DueAt.Equal(want) {
			t.Errorf("distributed survey due %s, want %s (40 working days)", b.OpenStep.DueAt, want)
		}
		if !b.OpenStep.DueAt.After(a.OpenStep.DueAt) || a.OpenStep.Paragraph != "§19" || b.OpenStep.Paragraph != "§19" {
			t.Errorf("due %s (%s) and distributed %s (%s)", a.OpenStep.DueAt, a.OpenStep.Paragraph, b.OpenStep.DueAt, b.OpenStep.Paragraph)
		}
	})
	t.Run("§19 the survey runs from the signing moment when the contract states no date", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSignContract, caseSpec{}, route{})
		dec := h.advance(c.ID, OutcomeSigned)
		got := h.get(c.ID)
		if got.ContractInForce == nil || !got.ContractInForce.Equal(dec.At) {
			t.Fatalf("contract in force %v, want the signing moment %s", got.ContractInForce, dec.At)
		}
		if want := addWD(t, dec.At, 30); !got.OpenStep.DueAt.Equal(want) {
			t.Errorf("survey due %s, want %s", got.OpenStep.DueAt, want)
		}
	})
	t.Run("§19 the survey runs from the date the contract states", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSignContract, caseSpec{}, route{})
		stated := kzTime(time.October, 20, 0, 0)
		in := h.completion(c, OutcomeSigned)
		in.EntryIntoForce = &stated
		dec, err := h.svc.CompleteStep(h.ctx, applicant, c.ID, in, h.tick())
		if err != nil {
			t.Fatal(err)
		}
		got := h.get(c.ID)
		if got.ContractInForce == nil || !got.ContractInForce.Equal(stated) {
			t.Fatalf("contract in force %v, want %s", got.ContractInForce, stated)
		}
		// The engine's timeout counts from the moment the step opens; the period from the date stated.
		want := addWD(t, stated, 30)
		if span := time.Duration(dec.Next.TimeoutSeconds) * time.Second; dec.Next.OpensAt.Add(span).Before(want) {
			t.Errorf("callback timeout %s from %s ends before the due moment %s", span, dec.Next.OpensAt, want)
		}
		st := h.open(c.ID, StageSurvey, dec.Next.OpensAt)
		if !st.DueAt.Equal(want) {
			t.Errorf("survey due %s, want %s (30 working days from %s)", st.DueAt, want, stated.Format(time.DateOnly))
		}
	})
	t.Run("§19 a stated date before the contract was sent is invalid", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSignContract, caseSpec{}, route{})
		early := c.OpenStep.OpenedAt.Add(-24 * time.Hour)
		in := h.completion(c, OutcomeSigned)
		in.EntryIntoForce = &early
		_, err := h.svc.CompleteStep(h.ctx, applicant, c.ID, in, h.tick())
		mustErr(t, err, ErrInvalid)
		h.unchanged(c)
	})
	t.Run("§19 an entry into force is given only when the contract is signed", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSurvey, caseSpec{}, route{})
		stated := h.now
		in := h.completion(c, OutcomeAct)
		in.EntryIntoForce = &stated
		_, err := h.svc.CompleteStep(h.ctx, sts, c.ID, in, h.tick())
		mustErr(t, err, ErrInvalid)
		h.unchanged(c)
	})
}

// applicantSeesAct reports whether the applicant's view of a case shows an act of kind, on the
// case or in its history, and checks VisibleToApplicant agrees with what is shown.
func applicantSeesAct(t *testing.T, h *harness, id, kind string) bool {
	t.Helper()
	c, events, err := h.svc.Get(h.ctx, applicant, id)
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, d := range c.Documents {
		if d.Kind == kind {
			seen = true
			if !VisibleToApplicant(d) {
				t.Errorf("the applicant is shown %s that VisibleToApplicant hides", d.Key)
			}
		}
	}
	inHistory := false
	for _, e := range events {
		for _, d := range e.Documents {
			if d.Kind == kind {
				inHistory = true
			}
		}
	}
	if inHistory != seen {
		t.Errorf("the act is on the case: %v, in the history: %v", seen, inHistory)
	}
	return seen || inHistory
}

func TestPar25ActReachesTheApplicantWithTheDecision(t *testing.T) {
	for _, tc := range []struct {
		name     string
		decision Outcome
	}{
		{"§25 §28 issue", OutcomeIssue},
		{"§25 §30 refusal", OutcomeRefuse},
		{"§25 §31 rectification", OutcomeRectify},
	} {
		t.Run(tc.name+": the act is hidden from the applicant until the sending step completes", func(t *testing.T) {
			h := newHarness(t)
			c := h.caseAt(StageDecision, caseSpec{}, route{})
			if applicantSeesAct(t, h, c.ID, DocSurveyAct) {
				t.Fatal("the applicant sees the act before the authority decided")
			}
			staff, _, err := h.svc.Get(h.ctx, authority, c.ID)
			if err != nil || !slices.ContainsFunc(staff.Documents, func(d Document) bool { return d.Kind == DocSurveyAct }) {
				t.Fatalf("the authority does not see the act: %v", err)
			}
			act := staff.Documents[slices.IndexFunc(staff.Documents, func(d Document) bool { return d.Kind == DocSurveyAct })]
			if VisibleToApplicant(act) {
				t.Fatal("VisibleToApplicant: an unsent act is visible")
			}
			h.advance(c.ID, tc.decision)
			if applicantSeesAct(t, h, c.ID, DocSurveyAct) {
				t.Fatal("the applicant sees the act before it was sent")
			}
			sent := h.advance(c.ID, OutcomeSent)
			if !applicantSeesAct(t, h, c.ID, DocSurveyAct) {
				t.Fatal("the applicant does not see the act once sent")
			}
			got := h.get(c.ID)
			for _, d := range got.Documents {
				if d.Kind == DocSurveyAct && (d.SentAt == nil || !d.SentAt.Equal(sent.At) || !VisibleToApplicant(d)) {
					t.Errorf("act %+v, want sent at %s", d, sent.At)
				}
			}
			if tc.decision == OutcomeRectify {
				// §31: the 20 working days run from the applicant's receipt of the act sent.
				st := got.OpenStep
				if st == nil || st.Name != string(StageRectificationNotice) || !st.OpenedAt.Equal(sent.At) {
					t.Fatalf("open step %+v, want the rectification notice from %s", st, sent.At)
				}
				if want := addWD(t, sent.At, 20); !st.DueAt.Equal(want) {
					t.Errorf("rectification due %s, want %s (20 working days from the sending)", st.DueAt, want)
				}
			}
		})
	}
	t.Run("§35 §38 the additional act is hidden until sent with the second decision", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSecondDecision, caseSpec{}, route{})
		if applicantSeesAct(t, h, c.ID, DocAdditionalSurveyAct) {
			t.Fatal("the applicant sees the additional act before the decision")
		}
		h.advance(c.ID, OutcomeIssue)
		if applicantSeesAct(t, h, c.ID, DocAdditionalSurveyAct) {
			t.Fatal("the applicant sees the additional act before it was sent")
		}
		h.advance(c.ID, OutcomeSent)
		if !applicantSeesAct(t, h, c.ID, DocAdditionalSurveyAct) {
			t.Fatal("the applicant does not see the additional act once sent")
		}
	})
	t.Run("the applicant's view carries no task token", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSignContract, caseSpec{}, route{})
		v, _, err := h.svc.Get(h.ctx, applicant, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.OpenStep == nil || v.OpenStep.Token != "" || (v.LastDecision != nil && v.LastDecision.Token != "") {
			t.Fatalf("the applicant sees a task token: %+v %+v", v.OpenStep, v.LastDecision)
		}
	})
}

// Bug: the applicant's view filters the act out of the case's documents and history but not out
// of LastDecision, which after the survey step is the STS's completion carrying the act.
func TestPar25ActNotLeakedThroughTheLastDecision(t *testing.T) {
	h := newHarness(t)
	c := h.caseAt(StageDecision, caseSpec{}, route{})
	v, _, err := h.svc.Get(h.ctx, applicant, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.LastDecision != nil {
		for _, d := range v.LastDecision.Documents {
			if !VisibleToApplicant(d) {
				t.Fatalf("the applicant sees the unsent act %s through LastDecision", d.Key)
			}
		}
	}
}

func TestPar27Decision(t *testing.T) {
	t.Run("§27(1) issue: the certificate is sent and the case is issued (§28)", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageIssued, caseSpec{}, route{})
		if c.Certificate == "" || c.Decision != OutcomeIssue || c.OpenStep != nil {
			t.Fatalf("issued case %+v", c)
		}
	})
	t.Run("§27(2) a refusal needs its reasons and ends refused (§30)", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageDecision, caseSpec{}, route{})
		in := h.completion(c, OutcomeRefuse)
		in.Reasons = nil
		_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, in, h.tick())
		mustErr(t, err, ErrInvalid)
		h.unchanged(c)
		if got := h.walk(c.ID, StageRefused, route{Decision: OutcomeRefuse}); got.Certificate != "" || got.Decision != OutcomeRefuse {
			t.Fatalf("refused case %+v", got)
		}
	})
	t.Run("§27(3) a rectification order needs its reasons and leads to the applicant's notice (§31)", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageDecision, caseSpec{}, route{})
		in := h.completion(c, OutcomeRectify)
		in.Reasons = nil
		_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, in, h.tick())
		mustErr(t, err, ErrInvalid)
		h.unchanged(c)
		got := h.walk(c.ID, StageRectificationNotice, route{})
		if !got.RectificationOrdered || got.OpenStep.Role != identity.Applicant {
			t.Fatalf("case %+v", got)
		}
	})
	t.Run("§27 rectification ordered at most once per application", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSecondDecision, caseSpec{}, route{})
		_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, Completion{Step: "second_decision", Outcome: OutcomeRectify,
			Reasons: []string{"still not compliant"}}, h.tick())
		mustErr(t, err, ErrRule)
		if !strings.Contains(err.Error(), "§27") {
			t.Errorf("error %q does not name §27", err)
		}
		h.unchanged(c)
	})
	t.Run("§37 after the additional survey: issue → issued (§38)", func(t *testing.T) {
		h := newHarness(t)
		got := h.caseAt(StageIssued, caseSpec{}, route{Decision: OutcomeRectify, SecondDecision: OutcomeIssue})
		if got.Certificate == "" || !got.RectificationOrdered {
			t.Fatalf("case %+v", got)
		}
	})
	t.Run("§37 after the additional survey: refuse → refused", func(t *testing.T) {
		h := newHarness(t)
		got := h.caseAt(StageRefused, caseSpec{}, route{Decision: OutcomeRectify, SecondDecision: OutcomeRefuse})
		if got.Certificate != "" || got.Decision != OutcomeRefuse {
			t.Fatalf("case %+v", got)
		}
	})
	t.Run("§33 §34 the authority informs the STS in 3 working days; the additional survey takes 15", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageInformSTS, caseSpec{}, route{})
		if c.OpenStep.Role != identity.Authority || c.OpenStep.Paragraph != "§33" {
			t.Fatalf("inform_sts %+v", c.OpenStep)
		}
		dec := h.advance(c.ID, OutcomeInformed)
		got := h.get(c.ID)
		if want := addWD(t, dec.At, 15); got.OpenStep.Role != identity.STS || !got.OpenStep.DueAt.Equal(want) {
			t.Fatalf("additional survey %+v, want the STS's 15 working days to %s", got.OpenStep, want)
		}
	})
}

func TestPar32MissedRectificationIsGroundsForRefusal(t *testing.T) {
	h := newHarness(t)
	c := h.caseAt(StageRectificationNotice, caseSpec{}, route{})
	st := c.OpenStep
	t.Run("§32 a lapse before the period ends is ErrRule", func(t *testing.T) {
		_, err := h.svc.Lapse(h.ctx, c.ID, st.DueAt)
		mustErr(t, err, ErrRule)
		h.unchanged(c)
	})
	now := st.DueAt.Add(time.Hour)
	dec, err := h.svc.Lapse(h.ctx, c.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("§32 the missed period is not a refusal by itself: the authority decides", func(t *testing.T) {
		got := h.get(c.ID)
		if got.Stage != StageLapseDecision || got.Stage.Ended() || dec.Next.Stage != StageLapseDecision {
			t.Fatalf("stage %s, next %+v; want lapse_decision", got.Stage, dec.Next)
		}
		calls := h.wf.callsFor(st.Token)
		if len(calls) != 1 || calls[0].Method != "Fail" || calls[0].ErrorName != ErrorRectificationLapsed {
			t.Fatalf("engine calls %+v, want one Fail with %s", calls, ErrorRectificationLapsed)
		}
	})
	t.Run("§32 the authority's decision has its own due moment", func(t *testing.T) {
		step := h.open(c.ID, StageLapseDecision, dec.Next.OpensAt)
		if step.Role != identity.Authority || step.Paragraph != "§32" || !step.DueAt.Equal(addWD(t, dec.Next.OpensAt, 3)) {
			t.Fatalf("lapse decision %+v, want the authority's 3 working days from %s", step, dec.Next.OpensAt)
		}
		if !step.DueAt.After(st.DueAt) {
			t.Fatal("the decision is due before the rectification period ended")
		}
	})
	t.Run("§32 the applicant can no longer notify", func(t *testing.T) {
		before := h.get(c.ID)
		_, err := h.svc.CompleteStep(h.ctx, applicant, c.ID, h.completion(c, OutcomeNotified), h.tick())
		if err == nil {
			t.Fatal("a notice after the lapse was taken")
		}
		h.unchanged(before)
	})
	t.Run("§32 the authority's refusal needs reasons and ends refused", func(t *testing.T) {
		before := h.get(c.ID)
		_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, Completion{Step: "lapse_decision", Outcome: OutcomeRefuse}, h.tick())
		mustErr(t, err, ErrInvalid)
		h.unchanged(before)
		h.advance(c.ID, OutcomeRefuse)
		if got := h.get(c.ID); got.Stage != StageRefused {
			t.Fatalf("stage %s, want refused", got.Stage)
		}
	})
	t.Run("§17 by contrast cancels by itself, with no decision of the authority", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSignContract, caseSpec{}, route{})
		dec := h.lapse(c.ID)
		if got := h.get(c.ID); got.Stage != StageCancelled || !dec.Next.Stage.Ended() || got.OpenStep != nil {
			t.Fatalf("stage %s, next %+v", got.Stage, dec.Next)
		}
	})
}

// Bug: the authority's §32 decision is counted from the moment the deadline check noticed the
// lapse, not from the lapse of the rectification period (the edition: "starts: the lapse of the
// rectification period").
func TestPar32LapseDecisionCountsFromTheLapse(t *testing.T) {
	h := newHarness(t)
	c := h.caseAt(StageRectificationNotice, caseSpec{}, route{})
	due := c.OpenStep.DueAt
	// The daily check runs at 01:00 on the next working day.
	next, err := kazakhstan(t).NextWorkingDay(due.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := h.svc.CheckDeadlines(h.ctx, next.Add(time.Hour))
	if err != nil || len(rep.Lapsed) != 1 {
		t.Fatalf("check: %+v %v", rep, err)
	}
	dec := h.get(c.ID).LastDecision
	st := h.open(c.ID, StageLapseDecision, dec.Next.OpensAt)
	if want := addWD(t, due, 3); !st.DueAt.Equal(want) {
		t.Fatalf("lapse decision due %s, want %s (3 working days from the lapse at %s)", st.DueAt, want, due)
	}
}

func TestPar30Par39RefusalLeavesTheApplicantFreeToApplyAgain(t *testing.T) {
	for _, tc := range []struct {
		name  string
		route route
		lapse bool
	}{
		{"§30 §39 after a refusal on the act (§27(2))", route{Decision: OutcomeRefuse}, false},
		{"§37 §39 after a refusal on the additional act", route{Decision: OutcomeRectify, SecondDecision: OutcomeRefuse}, false},
		{"§32 §39 after a refusal on a missed rectification period", route{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			spec := caseSpec{ObjectName: "Portal of permits", ObjectKind: "state_is"}
			old := h.newCase(spec)
			if tc.lapse {
				h.walk(old, StageLapseDecision, route{})
			}
			if got := h.walk(old, StageRefused, tc.route); got.Stage != StageRefused {
				t.Fatalf("stage %s", got.Stage)
			}
			again := h.newCase(spec)
			got := h.walk(again, StageIssued, route{})
			if got.OrganizationBIN != applicantBIN || got.ObjectName != spec.ObjectName || got.Certificate == "" {
				t.Fatalf("the new application %+v", got)
			}
			if h.get(old).Stage != StageRefused {
				t.Fatal("the refused case changed")
			}
		})
	}
}

func TestWithdrawal(t *testing.T) {
	t.Run("withdrawal with an open step fails its token with Withdrawn", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSurvey, caseSpec{}, route{})
		got, err := h.svc.Withdraw(h.ctx, applicant, c.ID, h.tick())
		if err != nil {
			t.Fatal(err)
		}
		if got.Stage != StageWithdrawn || got.OpenStep != nil || got.Version != c.Version+1 {
			t.Fatalf("case %+v", got)
		}
		calls := h.wf.callsFor(c.OpenStep.Token)
		if len(calls) != 1 || calls[0].Method != "Fail" || calls[0].ErrorName != ErrorWithdrawn {
			t.Fatalf("engine calls %+v, want one Fail with Withdrawn", calls)
		}
		t.Run("a repeat returns the same case and tells the engine nothing more", func(t *testing.T) {
			again, err := h.svc.Withdraw(h.ctx, applicant, c.ID, h.tick())
			if err != nil || again.ID != got.ID || again.Version != got.Version || again.Stage != StageWithdrawn {
				t.Fatalf("repeat: %+v %v", again, err)
			}
			if h.wf.sends(c.OpenStep.Token) != 1 {
				t.Fatal("the token was failed again")
			}
		})
		t.Run("OpenStep on a withdrawn case is ErrClosed", func(t *testing.T) {
			_, err := h.svc.OpenStep(h.ctx, OpenStepInput{TaskToken: h.token(StageDecision), CaseID: c.ID, Step: string(StageDecision), OpenedAt: h.tick()})
			mustErr(t, err, ErrClosed)
		})
	})
	t.Run("withdrawal with no step open: the next step the engine opens finds the case closed", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSendContract, caseSpec{}, route{})
		dec := h.complete(c.ID, OutcomeContractSent) // the engine has not opened sign_contract yet
		before := h.wf.total()
		got, err := h.svc.Withdraw(h.ctx, applicant, c.ID, h.tick())
		if err != nil || got.Stage != StageWithdrawn {
			t.Fatalf("withdraw: %+v %v", got, err)
		}
		if h.wf.total() != before {
			t.Fatal("the engine was called with no step open")
		}
		_, err = h.svc.OpenStep(h.ctx, OpenStepInput{TaskToken: h.token(StageSignContract), CaseID: c.ID, Step: string(StageSignContract), OpenedAt: dec.Next.OpensAt})
		mustErr(t, err, ErrClosed)
	})
	t.Run("withdrawal before the receipt: Register finds the case closed", func(t *testing.T) {
		h := newHarness(t)
		id := h.newCase(caseSpec{})
		if _, err := h.svc.Withdraw(h.ctx, applicant, id, h.tick()); err != nil {
			t.Fatal(err)
		}
		_, err := h.svc.Register(h.ctx, ExecutionInput{CaseID: id, ReceivedAt: h.get(id).ReceivedAt})
		mustErr(t, err, ErrClosed)
	})
	t.Run("withdrawing a closed case is ErrClosed", func(t *testing.T) {
		h := newHarness(t)
		for _, end := range []Stage{StageIssued, StageRefused} {
			c := h.caseAt(end, caseSpec{}, route{})
			_, err := h.svc.Withdraw(h.ctx, applicant, c.ID, h.tick())
			mustErr(t, err, ErrClosed)
			h.unchanged(c)
		}
		c := h.caseAt(StageCompletenessCheck, caseSpec{}, route{})
		h.svc.CompleteStep(h.ctx, authority, c.ID, Completion{Step: "completeness_check", Outcome: OutcomeReturn, Reasons: []string{"incomplete"}, Grounds: sampleGrounds(OutcomeReturn)}, h.tick())
		_, err := h.svc.Withdraw(h.ctx, applicant, c.ID, h.tick())
		mustErr(t, err, ErrClosed)
	})
	t.Run("only the applicant withdraws", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSurvey, caseSpec{}, route{})
		for _, a := range []identity.Actor{authority, sts} {
			_, err := h.svc.Withdraw(h.ctx, a, c.ID, h.tick())
			mustErr(t, err, ErrForbidden)
		}
		_, err := h.svc.Withdraw(h.ctx, otherApplicant, c.ID, h.tick())
		mustErr(t, err, ErrNotFound)
		h.unchanged(c)
	})
}
