package attestation

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// Step Functions, Lambda and API clients deliver at least once. Every transition, delivered twice
// in a row or ten times at once, must change the case once: one version, one history event, and
// at most one call to the engine.

// transitionCase is one transition invoked again and again with the same input.
type transitionCase struct {
	name string
	// setup brings the cases the transition changes to where it applies and returns them, and the
	// task token whose SendTask calls are counted ("" when the transition tells the engine nothing).
	setup func(h *harness) (ids []string, token string)
	// call invokes the transition once and summarises its result; every delivery must return the same.
	call func(h *harness, ids []string) (string, error)
	// sends is the number of SendTaskSuccess/SendTaskFailure calls expected on the token.
	sends int
	// events is the number of history events one delivery writes per case: 0 means 1 (the
	// default); -1 means 0 or 1.
	events int
	// anyResult: the results may differ (the deadline check reports what this run did).
	anyResult bool
	// check verifies more after all deliveries.
	check func(t *testing.T, h *harness, ids []string)
}

func transitions() []transitionCase {
	fixed := kzTime(time.October, 5, 12, 0)
	return []transitionCase{
		{
			name: "Register (§13)",
			setup: func(h *harness) ([]string, string) {
				return []string{h.newCase(caseSpec{})}, ""
			},
			call: func(h *harness, ids []string) (string, error) {
				c, err := h.store.Get(h.ctx, ids[0])
				if err != nil {
					return "", err
				}
				r, err := h.svc.Register(h.ctx, ExecutionInput{CaseID: ids[0], ReceivedAt: c.ReceivedAt})
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("%s %s %s %s %s", r.CaseID, r.Receipt.Key, r.Receipt.VersionID, r.Receipt.SHA256, r.Next.Stage), nil
			},
			check: func(t *testing.T, h *harness, ids []string) {
				if c := h.get(ids[0]); c.Stage != StageCompletenessCheck || c.Receipt == nil {
					t.Fatalf("case %+v", c)
				}
			},
		},
		{
			name:   "OpenStep with the same token (§14)",
			events: -1,
			setup: func(h *harness) ([]string, string) {
				id := h.newCase(caseSpec{})
				if _, err := h.svc.Register(h.ctx, ExecutionInput{CaseID: id, ReceivedAt: h.get(id).ReceivedAt}); err != nil {
					h.t.Fatal(err)
				}
				return []string{id}, "token-completeness"
			},
			call: func(h *harness, ids []string) (string, error) {
				st, err := h.svc.OpenStep(h.ctx, OpenStepInput{TaskToken: "token-completeness", CaseID: ids[0], Step: "completeness_check", OpenedAt: fixed})
				return fmt.Sprintf("%s %s %s %v", st.Name, st.Token, ts(st.DueAt), st.Overdue), err
			},
			check: func(t *testing.T, h *harness, ids []string) {
				if st := h.get(ids[0]).OpenStep; st == nil || st.Token != "token-completeness" {
					t.Fatalf("open step %+v", st)
				}
			},
		},
		{
			name: "OpenStep re-opening a timed-out staff step with the same new token (§19)",
			setup: func(h *harness) ([]string, string) {
				return []string{h.caseAt(StageSurvey, caseSpec{}, route{}).ID}, "token-survey-again"
			},
			call: func(h *harness, ids []string) (string, error) {
				st, err := h.svc.OpenStep(h.ctx, OpenStepInput{TaskToken: "token-survey-again", CaseID: ids[0], Step: "survey", OpenedAt: fixed})
				return fmt.Sprintf("%s %s %s %v %d", st.Name, st.Token, ts(st.DueAt), st.Overdue, st.Reopened), err
			},
			check: func(t *testing.T, h *harness, ids []string) {
				if st := h.get(ids[0]).OpenStep; st.Reopened != 1 || !st.Overdue {
					t.Fatalf("open step %+v", st)
				}
			},
		},
		{
			name: "CompleteStep: the STS's act (§24)",
			setup: func(h *harness) ([]string, string) {
				c := h.caseAt(StageSurvey, caseSpec{}, route{})
				return []string{c.ID}, c.OpenStep.Token
			},
			call: func(h *harness, ids []string) (string, error) {
				in := Completion{Step: "survey", Outcome: OutcomeAct, Documents: []Document{stepDoc(ids[0], DocSurveyAct)}, Act: sampleAct(h.get(ids[0]))}
				d, err := h.svc.CompleteStep(h.ctx, sts, ids[0], in, fixed)
				return fmt.Sprintf("%s %s %s %s %s", d.Step, d.Outcome, d.Token, ts(d.At), d.Next.Stage), err
			},
			sends: 1,
			check: func(t *testing.T, h *harness, ids []string) {
				if c := h.get(ids[0]); c.Stage != StageDecision || len(c.Documents) != 3 {
					t.Fatalf("stage %s, documents %+v", c.Stage, c.Documents)
				}
			},
		},
		{
			name: "CompleteStep: the applicant's signature with a stated entry into force (§17, §19)",
			setup: func(h *harness) ([]string, string) {
				c := h.caseAt(StageSignContract, caseSpec{}, route{})
				return []string{c.ID}, c.OpenStep.Token
			},
			call: func(h *harness, ids []string) (string, error) {
				stated := kzTime(time.October, 20, 0, 0)
				in := Completion{Step: "sign_contract", Outcome: OutcomeSigned, Documents: []Document{stepDoc(ids[0], DocSignedContract)}, EntryIntoForce: &stated}
				d, err := h.svc.CompleteStep(h.ctx, applicant, ids[0], in, fixed)
				return fmt.Sprintf("%s %s %s %s %d", d.Step, d.Outcome, d.Token, ts(d.At), d.Next.TimeoutSeconds), err
			},
			sends: 1,
		},
		{
			name: "CompleteStep: the authority's decision to rectify (§27)",
			setup: func(h *harness) ([]string, string) {
				c := h.caseAt(StageDecision, caseSpec{}, route{})
				return []string{c.ID}, c.OpenStep.Token
			},
			call: func(h *harness, ids []string) (string, error) {
				in := Completion{Step: "decision", Outcome: OutcomeRectify, Reasons: []string{"the audit log is not kept"}}
				d, err := h.svc.CompleteStep(h.ctx, authority, ids[0], in, fixed)
				return fmt.Sprintf("%s %s %s %s %v", d.Step, d.Outcome, d.Token, ts(d.At), d.Reasons), err
			},
			sends: 1,
		},
		{
			name: "IssueCertificate (§28, §29)",
			setup: func(h *harness) ([]string, string) {
				return []string{h.caseAt(StageSendDocuments, caseSpec{}, route{NoCertificate: true}).ID}, ""
			},
			call: func(h *harness, ids []string) (string, error) {
				r, err := h.svc.IssueCertificate(h.ctx, ids[0], fixed)
				return r.Number, err
			},
			check: func(t *testing.T, h *harness, ids []string) {
				certs := h.store.certificates()
				if len(certs) != 1 || certs[0].Number != "2026/00001" || h.get(ids[0]).Certificate != "2026/00001" {
					t.Fatalf("register %+v", certs)
				}
				if seq, _ := h.store.CertificateSeq(h.ctx, 2026); seq != 1 {
					t.Fatalf("sequence %d, want 1", seq)
				}
			},
		},
		{
			name: "Lapse of the unsigned contract (§17)",
			setup: func(h *harness) ([]string, string) {
				c := h.caseAt(StageSignContract, caseSpec{}, route{})
				return []string{c.ID}, c.OpenStep.Token
			},
			call: func(h *harness, ids []string) (string, error) {
				d, err := h.svc.Lapse(h.ctx, ids[0], kzTime(time.November, 20, 12, 0))
				return fmt.Sprintf("%s %s %s %s", d.Step, d.Error, d.Token, ts(d.At)), err
			},
			sends: 1,
			check: func(t *testing.T, h *harness, ids []string) {
				if c := h.get(ids[0]); c.Stage != StageCancelled {
					t.Fatalf("stage %s", c.Stage)
				}
			},
		},
		{
			name: "Lapse of the rectification period (§32)",
			setup: func(h *harness) ([]string, string) {
				c := h.caseAt(StageRectificationNotice, caseSpec{}, route{})
				return []string{c.ID}, c.OpenStep.Token
			},
			call: func(h *harness, ids []string) (string, error) {
				d, err := h.svc.Lapse(h.ctx, ids[0], kzTime(time.December, 20, 12, 0))
				return fmt.Sprintf("%s %s %s %s", d.Step, d.Error, d.Token, d.Next.Stage), err
			},
			sends: 1,
			check: func(t *testing.T, h *harness, ids []string) {
				if c := h.get(ids[0]); c.Stage != StageLapseDecision {
					t.Fatalf("stage %s", c.Stage)
				}
			},
		},
		{
			name: "CheckDeadlines (a lapse and a breach)",
			setup: func(h *harness) ([]string, string) {
				unsigned := h.caseAt(StageSignContract, caseSpec{}, route{})
				surveying := h.caseAt(StageSurvey, caseSpec{}, route{})
				return []string{unsigned.ID, surveying.ID}, unsigned.OpenStep.Token
			},
			call: func(h *harness, ids []string) (string, error) {
				_, err := h.svc.CheckDeadlines(h.ctx, kzTime(time.December, 20, 12, 0))
				return "", err
			},
			sends:     1,
			anyResult: true,
			check: func(t *testing.T, h *harness, ids []string) {
				if a, b := h.get(ids[0]), h.get(ids[1]); a.Stage != StageCancelled || !b.OpenStep.Overdue {
					t.Fatalf("stages %s and %s (overdue %v)", a.Stage, b.Stage, b.OpenStep.Overdue)
				}
			},
		},
		{
			name: "Withdraw while a step is open",
			setup: func(h *harness) ([]string, string) {
				c := h.caseAt(StageSurvey, caseSpec{}, route{})
				return []string{c.ID}, c.OpenStep.Token
			},
			call: func(h *harness, ids []string) (string, error) {
				c, err := h.svc.Withdraw(h.ctx, applicant, ids[0], fixed)
				return fmt.Sprintf("%s %d", c.Stage, c.Version), err
			},
			sends: 1,
		},
	}
}

// ts renders a moment for comparison, whatever its location.
func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// deliver runs call n times, in a row or from n goroutines released together.
func deliver(n int, concurrent bool, call func() (string, error)) ([]string, []error) {
	results, errs := make([]string, n), make([]error, n)
	if !concurrent {
		for i := range n {
			results[i], errs[i] = call()
		}
		return results, errs
	}
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-gate
			results[i], errs[i] = call()
		}()
	}
	ready.Wait()
	close(gate)
	done.Wait()
	return results, errs
}

// effect is what deliveries of a transition did to its cases and the engine.
type effect struct {
	versions, events map[string]int // per case: how much the version and the history grew
	sends            int            // SendTask calls on the token
	calls            int            // engine calls of any kind
}

func measure(h *harness, ids []string, token string, run func()) effect {
	h.t.Helper()
	before := map[string]Case{}
	for _, id := range ids {
		before[id] = h.get(id)
	}
	calls, sends := h.wf.total(), 0
	if token != "" {
		sends = h.wf.sends(token)
	}
	run()
	e := effect{versions: map[string]int{}, events: map[string]int{}, calls: h.wf.total() - calls}
	for _, id := range ids {
		after := h.get(id)
		e.versions[id] = after.Version - before[id].Version
		e.events[id] = len(h.history(id)) - before[id].Events
		if after.Events != len(h.history(id)) {
			h.t.Errorf("case %s counts %d events and has %d", id, after.Events, len(h.history(id)))
		}
	}
	if token != "" {
		e.sends = h.wf.sends(token) - sends
	}
	return e
}

func TestAtLeastOnceDelivery(t *testing.T) {
	for _, tr := range transitions() {
		for _, mode := range []struct {
			name       string
			n          int
			concurrent bool
		}{{"twice in a row", 2, false}, {"10 times concurrently", 10, true}} {
			t.Run(tr.name+" delivered "+mode.name, func(t *testing.T) {
				// One delivery on a twin of the cases: what the transition does once.
				twin := newHarness(t)
				twinIDs, twinToken := tr.setup(twin)
				once := measure(twin, twinIDs, twinToken, func() {
					if _, err := tr.call(twin, twinIDs); err != nil {
						t.Fatalf("one delivery: %v", err)
					}
				})
				for _, id := range twinIDs {
					if once.versions[id] != 1 {
						t.Fatalf("one delivery changed case %s %d times, want once", id, once.versions[id])
					}
					// Every transition writes one history event, except that opening a step may
					// leave it to the step's completion (the open step is on the case).
					want := tr.events
					if want == 0 {
						want = 1
					}
					if once.events[id] != want && !(want == -1 && once.events[id] <= 1) {
						t.Fatalf("one delivery wrote %d events on case %s", once.events[id], id)
					}
				}
				if once.sends != tr.sends || once.calls != tr.sends {
					t.Fatalf("one delivery: %d SendTask calls on the token, %d engine calls; want %d", once.sends, once.calls, tr.sends)
				}

				h := newHarness(t)
				ids, token := tr.setup(h)
				var results []string
				var errs []error
				if mode.concurrent {
					h.store.readDelay = 5 * time.Millisecond // every delivery reads before any writes
				}
				many := measure(h, ids, token, func() {
					defer func() { h.store.readDelay = 0 }()
					results, errs = deliver(mode.n, mode.concurrent, func() (string, error) { return tr.call(h, ids) })
				})
				for i, err := range errs {
					if err != nil {
						t.Errorf("delivery %d: %v", i+1, err)
					}
				}
				if !tr.anyResult {
					for i, r := range results {
						if r != results[0] {
							t.Errorf("delivery %d returned %q, the first %q", i+1, r, results[0])
						}
					}
				}
				for i, id := range ids {
					if many.versions[id] != 1 {
						t.Errorf("case %s: %d changes, want one", id, many.versions[id])
					}
					if want := once.events[twinIDs[i]]; many.events[id] != want {
						t.Errorf("case %s: %d history events, want %d as one delivery writes", id, many.events[id], want)
					}
				}
				if many.sends != tr.sends || many.calls != tr.sends {
					t.Errorf("%d SendTask calls on the token, %d engine calls in all; want %d", many.sends, many.calls, tr.sends)
				}
				if tr.check != nil {
					tr.check(t, h, ids)
				}
				t.Logf("%d writes refused on their condition", h.store.conflictCount())
			})
		}
	}
}

// Certificates issued for many cases at once are numbered without gaps or duplicates. Each caller
// retries a lost race (ErrConflict), as the service itself does a few times (see
// TestIssueCertificateOutlastsOtherIssues for what happens when those few are not enough).
func TestIssueCertificateGaplessUnderConcurrency(t *testing.T) {
	h := newHarness(t)
	var ids []string
	for range 10 {
		ids = append(ids, h.caseAt(StageSendDocuments, caseSpec{}, route{NoCertificate: true}).ID)
	}
	h.store.readDelay = 2 * time.Millisecond
	next := make(chan string, len(ids))
	for _, id := range ids {
		next <- id
	}
	close(next)
	numbers, errs := deliver(len(ids), true, func() (string, error) {
		id := <-next
		for {
			r, err := h.svc.IssueCertificate(h.ctx, id, kzTime(time.October, 6, 10, 0))
			if errors.Is(err, ErrConflict) {
				continue
			}
			return r.Number, err
		}
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(numbers)
	for i, n := range numbers {
		if want := fmt.Sprintf("2026/%05d", i+1); n != want {
			t.Fatalf("numbers %v: want 2026/00001..2026/%05d without gaps", numbers, len(ids))
		}
	}
	byCase := map[string]string{}
	for _, c := range h.store.certificates() {
		byCase[c.CaseID] = c.Number
	}
	for _, id := range ids {
		if got := h.get(id); got.Certificate == "" || byCase[id] != got.Certificate || len(h.history(id)) != got.Events {
			t.Errorf("case %s: certificate %q, register %q", id, got.Certificate, byCase[id])
		}
	}
	if seq, _ := h.store.CertificateSeq(h.ctx, 2026); seq != len(ids) {
		t.Fatalf("sequence %d, want %d", seq, len(ids))
	}
}
