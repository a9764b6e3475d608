package attestation

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/identity"
)

// Completing steps: documents, stale views, re-opened steps and undelivered callbacks, the
// deadline check, and the certificate.

func TestCompletionDocuments(t *testing.T) {
	sum := stepDoc("x", "y").SHA256
	for _, tc := range []struct {
		name  string
		stage Stage
		edit  func(c Case, in *Completion)
	}{
		{"§17 the contract sent without the contract", StageSendContract, func(c Case, in *Completion) { in.Documents = nil }},
		{"§17 the contract signed without the signed copy", StageSignContract, func(c Case, in *Completion) { in.Documents = nil }},
		{"§17 the signed copy given as the contract", StageSignContract, func(c Case, in *Completion) { in.Documents[0].Kind = DocContract }},
		{"§24 the survey completed without its act", StageSurvey, func(c Case, in *Completion) { in.Documents = nil }},
		{"§31 rectification notified without its documents", StageRectificationNotice, func(c Case, in *Completion) { in.Documents = nil }},
		{"§35 the additional survey completed without its act", StageAdditionalSurvey, func(c Case, in *Completion) { in.Documents = nil }},
		{"§24 an act of a kind the step does not take (the additional act at the survey)", StageSurvey, func(c Case, in *Completion) {
			in.Documents = append(in.Documents, stepDoc(c.ID, DocAdditionalSurveyAct))
		}},
		{"§17 a document of a kind not taken at the step (an act with the contract)", StageSendContract, func(c Case, in *Completion) {
			in.Documents = append(in.Documents, stepDoc(c.ID, DocSurveyAct))
		}},
		{"§16 a document at a step that takes none", StageCompletenessCheck, func(c Case, in *Completion) {
			in.Documents = []Document{stepDoc(c.ID, DocContract)}
		}},
		{"§27 the commission's protocol is not a document of the Rules' decision", StageDecision, func(c Case, in *Completion) {
			in.Documents = append(in.Documents, stepDoc(c.ID, "commission_protocol"))
		}},
		{"sha256 in upper case", StageSendContract, func(c Case, in *Completion) { in.Documents[0].SHA256 = strings.ToUpper(sum) }},
		{"sha256 of 63 digits", StageSendContract, func(c Case, in *Completion) { in.Documents[0].SHA256 = sum[:63] }},
		{"sha256 of 65 digits", StageSendContract, func(c Case, in *Completion) { in.Documents[0].SHA256 = sum + "0" }},
		{"sha256 not hex", StageSendContract, func(c Case, in *Completion) { in.Documents[0].SHA256 = "g" + sum[1:] }},
		{"sha256 missing", StageSendContract, func(c Case, in *Completion) { in.Documents[0].SHA256 = "" }},
		{"a document without its key", StageSendContract, func(c Case, in *Completion) { in.Documents[0].Key = "  " }},
	} {
		t.Run(tc.name+" is invalid", func(t *testing.T) {
			h := newHarness(t)
			c := h.caseAt(tc.stage, caseSpec{}, route{})
			rule := Procedure[tc.stage]
			in := h.completion(c, rule.OutcomeNames()[0])
			tc.edit(c, &in)
			_, err := h.svc.CompleteStep(h.ctx, actorFor(rule.Role), c.ID, in, h.tick())
			mustErr(t, err, ErrInvalid)
			h.unchanged(c)
			if n := h.wf.sends(c.OpenStep.Token); n != 0 {
				t.Fatalf("the engine was told %d times", n)
			}
		})
	}
	t.Run("documents are kept with the step that took them; a sentAt given by the STS is ignored", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSurvey, caseSpec{}, route{})
		in := h.completion(c, OutcomeAct)
		claimed := h.now
		in.Documents[0].SentAt = &claimed
		if _, err := h.svc.CompleteStep(h.ctx, sts, c.ID, in, h.tick()); err != nil {
			t.Fatal(err)
		}
		got := h.get(c.ID)
		i := slices.IndexFunc(got.Documents, func(d Document) bool { return d.Kind == DocSurveyAct })
		if i < 0 || got.Documents[i].Step != "survey" || got.Documents[i].SentAt != nil || got.Documents[i].SHA256 != in.Documents[0].SHA256 {
			t.Fatalf("documents %+v", got.Documents)
		}
	})
	t.Run("Law Art. 51(6): the decision needs the attestation commission's protocol, and has 5 working days", func(t *testing.T) {
		h := newHarnessEdition(t, editionLaw)
		c := h.caseAt(StageDecision, caseSpec{}, route{})
		if want := addWD(t, c.OpenStep.OpenedAt, 5); !c.OpenStep.DueAt.Equal(want) {
			t.Errorf("decision due %s, want %s", c.OpenStep.DueAt, want)
		}
		_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, Completion{Step: "decision", Outcome: OutcomeIssue}, h.tick())
		mustErr(t, err, ErrInvalid)
		if !strings.Contains(err.Error(), "commission_protocol") {
			t.Errorf("error %q does not name the protocol", err)
		}
		h.unchanged(c)
		in := Completion{Step: "decision", Outcome: OutcomeIssue, Documents: []Document{stepDoc(c.ID, "commission_protocol")}, Certificate: sampleTerms(),
			Commission: sampleCommission(c)}
		if _, err := h.svc.CompleteStep(h.ctx, authority, c.ID, in, h.tick()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Law Art. 51(7): the refusal after a missed rectification period needs the protocol too", func(t *testing.T) {
		h := newHarnessEdition(t, editionLaw)
		c := h.newCase(caseSpec{})
		h.walk(c, StageDecision, route{})
		// The first decision, to rectify, on its own protocol.
		h.advance(c, OutcomeRectify)
		h.advance(c, OutcomeSent)
		h.lapse(c)
		got := h.get(c)
		_, err := h.svc.CompleteStep(h.ctx, authority, c, Completion{Step: "lapse_decision", Outcome: OutcomeRefuse,
			Reasons: []string{"not rectified in 20 working days"}, Grounds: sampleGrounds(OutcomeRefuse), Documents: []Document{stepDoc(c, "commission_protocol")}, Commission: sampleCommission(got)}, h.tick())
		if err != nil {
			t.Fatalf("refusal with the protocol: %v", err)
		}
		if h.get(c).Stage != StageRefused || got.Stage != StageLapseDecision {
			t.Fatal("not refused")
		}
	})
	t.Run("Rules §27: the decision is taken on the act alone, in 3 working days", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageDecision, caseSpec{}, route{})
		if want := addWD(t, c.OpenStep.OpenedAt, 3); !c.OpenStep.DueAt.Equal(want) {
			t.Errorf("decision due %s, want %s", c.OpenStep.DueAt, want)
		}
		if _, err := h.svc.CompleteStep(h.ctx, authority, c.ID, Completion{Step: "decision", Outcome: OutcomeIssue, Certificate: sampleTerms()}, h.tick()); err != nil {
			t.Fatal(err)
		}
	})
}

// Bug: under law-2015-art51 every decision is taken "on the basis of the protocol of the attestation
// commission", but checkDocuments counts any commission_protocol already on the case, so the
// protocol of the first decision satisfies the second decision (and the §32 refusal) as well.
func TestArt51Item6EachDecisionNeedsItsOwnProtocol(t *testing.T) {
	h := newHarnessEdition(t, editionLaw)
	c := h.caseAt(StageSecondDecision, caseSpec{}, route{})
	_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, Completion{Step: "second_decision", Outcome: OutcomeIssue}, h.tick())
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("the decision after the additional survey was taken without a protocol of the commission: %v", err)
	}
}

func TestCompletionStaleOrUnknown(t *testing.T) {
	t.Run("a stale completion (its step is no longer open) is ErrConflict", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageCompletenessCheck, caseSpec{}, route{})
		h.advance(c.ID, OutcomeForward) // one officer forwards the package
		before := h.get(c.ID)
		// Another officer, looking at the page as it was, returns it.
		_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, Completion{Step: "completeness_check", Outcome: OutcomeReturn, Reasons: []string{"incomplete"}}, h.tick())
		mustErr(t, err, ErrConflict)
		h.unchanged(before)
	})
	t.Run("a completion of a step not open yet is ErrConflict", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSurvey, caseSpec{}, route{})
		_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, Completion{Step: "decision", Outcome: OutcomeIssue}, h.tick())
		mustErr(t, err, ErrConflict)
		// A name that is no step of the procedure is not a stale view but a bad request.
		for _, step := range []string{"", "no_such_step"} {
			_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, Completion{Step: step, Outcome: OutcomeIssue}, h.tick())
			mustErr(t, err, ErrInvalid)
		}
		h.unchanged(c)
	})
	t.Run("a completion while the engine has not opened the next step is ErrConflict", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSurvey, caseSpec{}, route{})
		h.complete(c.ID, OutcomeAct) // decision not opened yet
		before := h.get(c.ID)
		_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, Completion{Step: "decision", Outcome: OutcomeIssue}, h.tick())
		mustErr(t, err, ErrConflict)
		h.unchanged(before)
	})
	t.Run("an unknown outcome is ErrInvalid", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSurvey, caseSpec{}, route{})
		for _, o := range []Outcome{"approve", OutcomeIssue, ""} {
			_, err := h.svc.CompleteStep(h.ctx, sts, c.ID, Completion{Step: "survey", Outcome: o, Documents: []Document{stepDoc(c.ID, DocSurveyAct)}}, h.tick())
			mustErr(t, err, ErrInvalid)
		}
		h.unchanged(c)
	})
	t.Run("a different completion of a step already completed is ErrConflict", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageDecision, caseSpec{}, route{})
		h.complete(c.ID, OutcomeIssue)
		before := h.get(c.ID)
		_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, Completion{Step: "decision", Outcome: OutcomeRefuse, Reasons: []string{"no"}}, h.tick())
		mustErr(t, err, ErrConflict)
		h.unchanged(before)
	})
	t.Run("reasons: blank ones and too many are invalid", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageDecision, caseSpec{}, route{})
		for _, reasons := range [][]string{{"ok", ""}, slices.Repeat([]string{"r"}, maxReasons+1), {strings.Repeat("x", maxReasonLength+1)}} {
			_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, Completion{Step: "decision", Outcome: OutcomeRefuse, Reasons: reasons}, h.tick())
			mustErr(t, err, ErrInvalid)
		}
		h.unchanged(c)
	})
}

// Bug: a repeat of a completion is recognised by outcome, role, reasons and document keys and
// hashes, but not by the contract's stated date of entry into force: a different date is taken as
// the same completion and silently dropped.
func TestPar19RepeatWithAnotherEntryIntoForceIsAConflict(t *testing.T) {
	h := newHarness(t)
	c := h.caseAt(StageSignContract, caseSpec{}, route{})
	first, second := kzTime(time.October, 20, 0, 0), kzTime(time.November, 2, 0, 0)
	in := h.completion(c, OutcomeSigned)
	in.EntryIntoForce = &first
	if _, err := h.svc.CompleteStep(h.ctx, applicant, c.ID, in, h.tick()); err != nil {
		t.Fatal(err)
	}
	in.EntryIntoForce = &second
	_, err := h.svc.CompleteStep(h.ctx, applicant, c.ID, in, h.tick())
	mustErr(t, err, ErrConflict)
}

// Bug: a date of entry into force the calendar cannot count from is the client's mistake, yet the
// error is not ErrInvalid (the HTTP boundary answers it as a server error).
func TestPar19StatedDateBeyondTheCalendarIsInvalid(t *testing.T) {
	h := newHarness(t)
	c := h.caseAt(StageSignContract, caseSpec{}, route{})
	far := time.Date(2029, time.January, 1, 0, 0, 0, 0, testAlmaty)
	in := h.completion(c, OutcomeSigned)
	in.EntryIntoForce = &far
	_, err := h.svc.CompleteStep(h.ctx, applicant, c.ID, in, h.tick())
	mustErr(t, err, ErrInvalid)
	h.unchanged(c)
}

// Bug: the §27 check on a second rectification order runs before the outcome is checked against
// the step, so "rectify" at a step that has no such outcome is reported as a breach of §27.
func TestRectifyAtAStepWithoutItIsInvalid(t *testing.T) {
	h := newHarness(t)
	c := h.caseAt(StageAdditionalSurvey, caseSpec{}, route{})
	_, err := h.svc.CompleteStep(h.ctx, sts, c.ID, Completion{Step: "additional_survey", Outcome: OutcomeRectify, Reasons: []string{"x"}}, h.tick())
	mustErr(t, err, ErrInvalid)
}

func TestReopenedStaffStep(t *testing.T) {
	h := newHarness(t)
	c := h.caseAt(StageSurvey, caseSpec{}, route{})
	first := *c.OpenStep
	// The engine's callback outlived the period and its margin; it opens the step again, passing
	// the moment the step first opened.
	t2 := h.token(StageSurvey)
	st, err := h.svc.OpenStep(h.ctx, OpenStepInput{TaskToken: t2, CaseID: c.ID, Step: "survey", OpenedAt: first.OpenedAt})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the re-opened step is marked overdue with a re-opened event, its due moment unchanged", func(t *testing.T) {
		got := h.get(c.ID)
		if !st.Overdue || st.Reopened != 1 || st.Token != t2 || !st.DueAt.Equal(first.DueAt) || !st.OpenedAt.Equal(first.OpenedAt) {
			t.Fatalf("re-opened step %+v, first %+v", st, first)
		}
		if got.OpenStep.Token != t2 || got.Version != c.Version+1 || got.Stage != StageSurvey {
			t.Fatalf("case %+v", got)
		}
		ev := h.history(c.ID)
		if last := ev[len(ev)-1]; !strings.Contains(last.What, "re-opened") || last.Step != "survey" {
			t.Fatalf("last event %q", last.What)
		}
	})
	t.Run("the deadline check leaves a re-opened staff step alone", func(t *testing.T) {
		before := h.get(c.ID)
		rep, err := h.svc.CheckDeadlines(h.ctx, first.DueAt.Add(30*24*time.Hour))
		if err != nil || len(rep.Overdue) != 0 || len(rep.Lapsed) != 0 {
			t.Fatalf("check: %+v %v", rep, err)
		}
		h.unchanged(before)
	})
	t.Run("the completion goes to the new token", func(t *testing.T) {
		h.complete(c.ID, OutcomeAct)
		if h.wf.sends(first.Token) != 0 || h.wf.count("Succeed", t2) != 1 {
			t.Fatalf("old token %d calls, new token %d", h.wf.sends(first.Token), h.wf.sends(t2))
		}
	})
}

// Bug: the engine re-opens an applicant's step too when its callback times out (the ASL's Catch
// says "an applicant's lapse is applied by the deadline check"), but OpenStep marks any re-opened
// step overdue, which takes it out of the due index: the deadline check never applies the lapse.
func TestReopenedApplicantStepStillLapses(t *testing.T) {
	h := newHarness(t)
	c := h.caseAt(StageSignContract, caseSpec{}, route{})
	late := c.OpenStep.DueAt.Add(15 * 24 * time.Hour) // the daily check was down; the engine's timeout fired
	if _, err := h.svc.OpenStep(h.ctx, OpenStepInput{TaskToken: h.token(StageSignContract), CaseID: c.ID, Step: "sign_contract", OpenedAt: c.OpenStep.OpenedAt}); err != nil {
		t.Fatal(err)
	}
	rep, err := h.svc.CheckDeadlines(h.ctx, late)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.get(c.ID); got.Stage != StageCancelled || !slices.Contains(rep.Lapsed, c.ID) {
		t.Fatalf("stage %s, report %+v: the unsigned contract was not cancelled", got.Stage, rep)
	}
}

func TestUndeliveredDecisionGoesToTheReopenedStep(t *testing.T) {
	h := newHarness(t)
	c := h.caseAt(StageDecision, caseSpec{}, route{NoCertificate: true})
	t1 := c.OpenStep.Token
	h.wf.closeToken(t1) // the engine's callback timed out just before the decision
	dec := h.complete(c.ID, OutcomeIssue)
	t.Run("the decision stands, recorded undelivered", func(t *testing.T) {
		got := h.get(c.ID)
		if got.Stage != StageSendDocuments || got.Decision != OutcomeIssue || got.LastDecision.Callback != CallbackUndelivered {
			t.Fatalf("case at %s, decision %s, callback %s", got.Stage, got.Decision, got.LastDecision.Callback)
		}
		if calls := h.wf.callsFor(t1); len(calls) != 1 || !errors.Is(calls[0].Err, ErrStepClosed) {
			t.Fatalf("calls on the old token %+v", calls)
		}
	})
	t2 := h.token(StageDecision)
	before := h.get(c.ID)
	st, err := h.svc.OpenStep(h.ctx, OpenStepInput{TaskToken: t2, CaseID: c.ID, Step: "decision", OpenedAt: c.OpenStep.OpenedAt})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OpenStep hands the decision to the new token", func(t *testing.T) {
		if st.Token != t2 || st.Name != "decision" {
			t.Fatalf("step %+v", st)
		}
		if n := h.wf.count("Succeed", t2); n != 1 {
			t.Fatalf("SendTaskSuccess on the new token %d times, want 1", n)
		}
		if out := h.wf.output(t, t2); out.Outcome != OutcomeIssue || out.Step != "decision" || out.Next.Stage != StageSendDocuments || !out.At.Equal(dec.At) {
			t.Fatalf("output %+v", out)
		}
		got := h.get(c.ID)
		if got.LastDecision.Token != t2 || got.LastDecision.Callback != CallbackSent || got.Stage != StageSendDocuments || got.Version != before.Version+1 {
			t.Fatalf("last decision %+v, version %d", got.LastDecision, got.Version)
		}
		ev := h.history(c.ID)
		if last := ev[len(ev)-1]; !strings.Contains(last.What, "re-opened") {
			t.Fatalf("last event %q", last.What)
		}
	})
	t.Run("the case goes on from there", func(t *testing.T) {
		if _, err := h.svc.IssueCertificate(h.ctx, c.ID, dec.At); err != nil {
			t.Fatal(err)
		}
		h.open(c.ID, StageSendDocuments, dec.Next.OpensAt)
		h.advance(c.ID, OutcomeSent)
		if got := h.get(c.ID); got.Stage != StageIssued {
			t.Fatalf("stage %s", got.Stage)
		}
	})
}

// Bug: a second delivery of the same re-open (same new token) must return what the first did, but
// after the first handed the decision over, the case's stage is no longer the step's and the
// token matches the last decision's, so OpenStep falls through to ErrConflict (ErrClosed when the
// decision ended the case); the state machine fails the execution on StepConflict.
func TestOpenStepRepeatAfterHandingOverTheDecision(t *testing.T) {
	for _, mode := range []struct {
		name       string
		n          int
		concurrent bool
	}{{"twice in a row", 2, false}, {"10 times concurrently", 10, true}} {
		t.Run(mode.name, func(t *testing.T) {
			h := newHarness(t)
			c := h.caseAt(StageDecision, caseSpec{}, route{NoCertificate: true})
			h.wf.closeToken(c.OpenStep.Token)
			h.complete(c.ID, OutcomeIssue)
			before := h.get(c.ID)
			in := OpenStepInput{TaskToken: h.token(StageDecision), CaseID: c.ID, Step: "decision", OpenedAt: c.OpenStep.OpenedAt}
			if mode.concurrent {
				h.store.readDelay = 5 * time.Millisecond
			}
			results, errs := deliver(mode.n, mode.concurrent, func() (string, error) {
				st, err := h.svc.OpenStep(h.ctx, in)
				return st.Token, err
			})
			h.store.readDelay = 0
			for i, err := range errs {
				if err != nil || results[i] != in.TaskToken {
					t.Errorf("delivery %d: %q %v", i+1, results[i], err)
				}
			}
			if got := h.get(c.ID); got.Version != before.Version+1 {
				t.Errorf("version %d→%d, want one change", before.Version, got.Version)
			}
			if n := h.wf.sends(in.TaskToken); n != 1 {
				t.Errorf("the new token was told %d times", n)
			}
		})
	}
}

func TestCallbackRedelivery(t *testing.T) {
	t.Run("a repeat of a completion whose callback failed is sent again after 10 s, not before", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSurvey, caseSpec{}, route{})
		tok := c.OpenStep.Token
		h.wf.failTransiently(tok, 1)
		in := h.completion(c, OutcomeAct)
		now := h.tick()
		dec, err := h.svc.CompleteStep(h.ctx, sts, c.ID, in, now)
		if !errors.Is(err, errTransient) {
			t.Fatalf("first delivery: %v, want the engine's error", err)
		}
		if got := h.get(c.ID); got.Stage != StageDecision || got.LastDecision.Callback != CallbackPending {
			t.Fatalf("the decision was not kept: %+v", got.LastDecision)
		}
		if _, err := h.svc.CompleteStep(h.ctx, sts, c.ID, in, now.Add(5*time.Second)); err != nil || h.wf.sends(tok) != 1 {
			t.Fatalf("a repeat within 10 s: %v, %d sends", err, h.wf.sends(tok))
		}
		again, err := h.svc.CompleteStep(h.ctx, sts, c.ID, in, now.Add(11*time.Second))
		if err != nil || h.wf.sends(tok) != 2 || again.At != dec.At {
			t.Fatalf("a repeat after 10 s: %v, %d sends", err, h.wf.sends(tok))
		}
		if got := h.get(c.ID); got.LastDecision.Callback != CallbackSent {
			t.Fatalf("callback %s", got.LastDecision.Callback)
		}
	})
}

// Bug: Lapse and Withdraw write their decision and then fail the waiting token; when that call
// fails transiently, a repeat returns the decision without sending it (CompleteStep re-sends a
// pending callback after 10 s), and the deadline check no longer sees the case: the engine waits
// until the callback's timeout (the period plus 10 working days).
func TestPendingLapseAndWithdrawalAreSentAgain(t *testing.T) {
	t.Run("§17 lapse", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSignContract, caseSpec{}, route{})
		tok := c.OpenStep.Token
		h.wf.failTransiently(tok, 1)
		now := c.OpenStep.DueAt.Add(time.Hour)
		if _, err := h.svc.Lapse(h.ctx, c.ID, now); !errors.Is(err, errTransient) {
			t.Fatalf("first: %v", err)
		}
		if _, err := h.svc.Lapse(h.ctx, c.ID, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if h.wf.count("Fail", tok) != 2 || h.get(c.ID).LastDecision.Callback != CallbackSent {
			t.Fatalf("ContractNotSigned was sent %d times; callback %s", h.wf.count("Fail", tok), h.get(c.ID).LastDecision.Callback)
		}
	})
	t.Run("withdrawal", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSurvey, caseSpec{}, route{})
		tok := c.OpenStep.Token
		h.wf.failTransiently(tok, 1)
		now := h.tick()
		if _, err := h.svc.Withdraw(h.ctx, applicant, c.ID, now); !errors.Is(err, errTransient) {
			t.Fatalf("first: %v", err)
		}
		if _, err := h.svc.Withdraw(h.ctx, applicant, c.ID, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if h.wf.count("Fail", tok) != 2 {
			t.Fatalf("Withdrawn was sent %d times", h.wf.count("Fail", tok))
		}
	})
}

func TestCheckDeadlines(t *testing.T) {
	h := newHarness(t)
	unsigned := h.caseAt(StageSignContract, caseSpec{ObjectName: "unsigned"}, route{})
	unrectified := h.caseAt(StageRectificationNotice, caseSpec{ObjectName: "unrectified"}, route{})
	surveying := h.caseAt(StageSurvey, caseSpec{ObjectName: "survey late"}, route{})
	latest := unsigned.OpenStep.DueAt
	for _, c := range []Case{unrectified, surveying} {
		if c.OpenStep.DueAt.After(latest) {
			latest = c.OpenStep.DueAt
		}
	}
	h.now = latest.Add(time.Minute)
	fresh := h.caseAt(StageSendContract, caseSpec{ObjectName: "on time"}, route{})
	now := latest.Add(2 * time.Hour)
	if !fresh.OpenStep.DueAt.After(now) {
		t.Fatalf("the fresh case is due %s, before the check at %s", fresh.OpenStep.DueAt, now)
	}

	t.Run("a step is not late at its due moment", func(t *testing.T) {
		rep, err := h.svc.CheckDeadlines(h.ctx, unsigned.OpenStep.DueAt)
		if err != nil || slices.Contains(rep.Lapsed, unsigned.ID) {
			t.Fatalf("%+v %v", rep, err)
		}
		h.unchanged(unsigned)
	})
	rep, err := h.svc.CheckDeadlines(h.ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("§17 §32 applicant steps lapse with their legal effect", func(t *testing.T) {
		slices.Sort(rep.Lapsed)
		want := []string{unsigned.ID, unrectified.ID}
		slices.Sort(want)
		if !slices.Equal(rep.Lapsed, want) {
			t.Fatalf("lapsed %v, want %v", rep.Lapsed, want)
		}
		if got := h.get(unsigned.ID); got.Stage != StageCancelled {
			t.Errorf("unsigned contract: stage %s", got.Stage)
		}
		if got := h.get(unrectified.ID); got.Stage != StageLapseDecision {
			t.Errorf("missed rectification: stage %s", got.Stage)
		}
		for tok, name := range map[string]string{unsigned.OpenStep.Token: ErrorContractNotSigned, unrectified.OpenStep.Token: ErrorRectificationLapsed} {
			if calls := h.wf.callsFor(tok); len(calls) != 1 || calls[0].Method != "Fail" || calls[0].ErrorName != name {
				t.Errorf("calls on %s: %+v, want one Fail with %s", tok, calls, name)
			}
		}
	})
	t.Run("§19 a staff step is marked overdue with a breach event and keeps waiting", func(t *testing.T) {
		if !slices.Equal(rep.Overdue, []string{surveying.ID}) {
			t.Fatalf("overdue %v, want %v", rep.Overdue, []string{surveying.ID})
		}
		got := h.get(surveying.ID)
		if got.Stage != StageSurvey || !got.OpenStep.Overdue || got.OpenStep.Token != surveying.OpenStep.Token || got.Version != surveying.Version+1 {
			t.Fatalf("case %+v", got.OpenStep)
		}
		ev := h.history(surveying.ID)
		last := ev[len(ev)-1]
		if !strings.Contains(last.What, "overdue") || !strings.Contains(last.What, "§19") || last.Role != identity.Scheduler || !last.At.Equal(now) {
			t.Fatalf("breach event %+v", last)
		}
		if h.wf.sends(surveying.OpenStep.Token) != 0 {
			t.Fatal("the engine was told of a staff step's breach")
		}
		h.complete(surveying.ID, OutcomeAct) // the STS may still deliver the act
	})
	t.Run("a step not yet due is left alone", func(t *testing.T) {
		h.unchanged(fresh)
	})
	t.Run("a second run for the same moment changes nothing", func(t *testing.T) {
		before := map[string]Case{}
		for _, id := range []string{unsigned.ID, unrectified.ID, surveying.ID, fresh.ID} {
			before[id] = h.get(id)
		}
		calls := h.wf.total()
		rep, err := h.svc.CheckDeadlines(h.ctx, now)
		if err != nil || len(rep.Lapsed)+len(rep.Overdue) != 0 {
			t.Fatalf("second run: %+v %v", rep, err)
		}
		for _, c := range before {
			h.unchanged(c)
		}
		if h.wf.total() != calls {
			t.Fatal("the engine was called again")
		}
	})
}

func TestIssueCertificate(t *testing.T) {
	t.Run("§28 §29 numbered by the policy's rule, gapless; a repeat returns the same number", func(t *testing.T) {
		h := newHarness(t)
		var ids []string
		for range 3 {
			ids = append(ids, h.caseAt(StageSendDocuments, caseSpec{}, route{NoCertificate: true}).ID)
		}
		for i, id := range ids {
			c := h.get(id)
			got, err := h.svc.IssueCertificate(h.ctx, id, c.LastDecision.At)
			if want := fmt.Sprintf("2026/%05d", i+1); err != nil || got.Number != want {
				t.Fatalf("certificate %d: %q %v, want %s", i+1, got.Number, err, want)
			}
			again, err := h.svc.IssueCertificate(h.ctx, id, c.LastDecision.At.Add(time.Hour))
			if err != nil || again.Number != got.Number {
				t.Fatalf("repeat: %q %v, want %s", again.Number, err, got.Number)
			}
			if after := h.get(id); after.Certificate != got.Number || after.Version != c.Version+1 || len(h.history(id)) != c.Events+1 {
				t.Fatalf("case %s: certificate %q version %d→%d", id, after.Certificate, c.Version, after.Version)
			}
		}
		certs := h.store.certificates()
		if len(certs) != 3 {
			t.Fatalf("%d register entries, want 3", len(certs))
		}
		for i, c := range certs {
			if c.Seq != i+1 || c.Year != 2026 || c.CaseID != ids[i] || c.Status != CertificateValid || c.ValidUntil != nil {
				t.Errorf("entry %d: %+v", i, c)
			}
			if len(c.Acts) != 1 || c.Acts[0].Kind != DocSurveyAct {
				t.Errorf("entry %d acts %+v, want the act of the survey", i, c.Acts)
			}
		}
	})
	t.Run("§29 the numbering restarts every year (Almaty time)", func(t *testing.T) {
		h := newHarness(t)
		a := h.caseAt(StageSendDocuments, caseSpec{}, route{NoCertificate: true})
		b := h.caseAt(StageSendDocuments, caseSpec{}, route{NoCertificate: true})
		if got, err := h.svc.IssueCertificate(h.ctx, a.ID, kzTime(time.December, 31, 23, 30)); err != nil || got.Number != "2026/00001" {
			t.Fatalf("%+v %v", got, err)
		}
		// 00:30 on January 1 in Almaty is still December 31 in UTC.
		newYear := time.Date(2027, time.January, 1, 0, 30, 0, 0, testAlmaty)
		if got, err := h.svc.IssueCertificate(h.ctx, b.ID, newYear); err != nil || got.Number != "2027/00001" {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("§37 §38 the certificate after the additional survey rests on both acts", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSecondSendDocuments, caseSpec{}, route{SecondDecision: OutcomeIssue, NoCertificate: true})
		got, err := h.svc.IssueCertificate(h.ctx, c.ID, c.LastDecision.At)
		if err != nil || got.Number != "2026/00001" {
			t.Fatalf("%+v %v", got, err)
		}
		cert := h.store.certificates()[0]
		if len(cert.Acts) != 2 || cert.Acts[0].Kind != DocSurveyAct || cert.Acts[1].Kind != DocAdditionalSurveyAct {
			t.Fatalf("acts %+v", cert.Acts)
		}
	})
	t.Run("§40 the e-government platform's certificate is valid for one year", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSendDocuments, caseSpec{ObjectKind: "egov_platform", ObjectName: "E-government platform"}, route{NoCertificate: true})
		issuedAt := c.LastDecision.At
		if _, err := h.svc.IssueCertificate(h.ctx, c.ID, issuedAt); err != nil {
			t.Fatal(err)
		}
		cert := h.store.certificates()[0]
		y, m, d := issuedAt.In(testAlmaty).Date()
		want := time.Date(y+1, m, d, 23, 59, 59, 0, testAlmaty)
		if cert.ValidUntil == nil || !cert.ValidUntil.Equal(want) {
			t.Fatalf("valid until %v, want %s", cert.ValidUntil, want)
		}
		if cert.ObjectKind != "egov_platform" {
			t.Errorf("kind %q", cert.ObjectKind)
		}
	})
	t.Run("§27(1) only a decision to issue gets a certificate", func(t *testing.T) {
		h := newHarness(t)
		for _, stage := range []Stage{StageDecision, StageSurvey} {
			c := h.caseAt(stage, caseSpec{}, route{})
			_, err := h.svc.IssueCertificate(h.ctx, c.ID, h.tick())
			mustErr(t, err, ErrConflict)
			h.unchanged(c)
		}
		for _, d := range []Outcome{OutcomeRefuse, OutcomeRectify} {
			c := h.caseAt(StageSendDocuments, caseSpec{}, route{Decision: d})
			_, err := h.svc.IssueCertificate(h.ctx, c.ID, h.tick())
			mustErr(t, err, ErrConflict)
			h.unchanged(c)
		}
		if n := len(h.store.certificates()); n != 0 {
			t.Fatalf("%d certificates", n)
		}
		if seq, _ := h.store.CertificateSeq(h.ctx, 2026); seq != 0 {
			t.Fatalf("sequence %d taken", seq)
		}
	})
}

// Bug: IssueCertificate reads the year's sequence and takes the next one conditionally, retrying
// maxRetries (3) times when another certificate took it first; the fourth lost race returns
// ErrConflict, which the state machine treats as StepConflict and fails the execution
// (CaseCouldNotProceed) although the decision to issue stands. Five certificates issued at once
// are enough.
func TestIssueCertificateOutlastsOtherIssues(t *testing.T) {
	h := newHarness(t)
	c := h.caseAt(StageSendDocuments, caseSpec{}, route{NoCertificate: true})
	others := 4 // four other cases take the sequence first, one on each attempt
	h.store.beforeIssue = func(s *memStore, cert Certificate) {
		if others == 0 {
			return
		}
		others--
		seq := s.counter[cert.Year] + 1
		number := fmt.Sprintf("%d/%05d", cert.Year, seq)
		s.counter[cert.Year] = seq
		s.certs[number] = Certificate{Number: number, Year: cert.Year, Seq: seq, CaseID: "another case"}
	}
	got, err := h.svc.IssueCertificate(h.ctx, c.ID, c.LastDecision.At)
	if err != nil || got.Number != "2026/00005" {
		t.Fatalf("%+v %v, want 2026/00005", got, err)
	}
}
