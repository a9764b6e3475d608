package attestation

import (
	"slices"
	"testing"
	"time"

	"attestation/internal/notice"
	"attestation/internal/policy"
)

// TestPar17RemindersBeforeTheContractLapses: the deadline check reminds the applicant 2 and 1
// working days before the contract's due moment (§17), each once, skipping the weekend.
func TestPar17RemindersBeforeTheContractLapses(t *testing.T) {
	h := newHarness(t)
	id := h.newCase(caseSpec{})
	h.register(id)
	c := h.get(id)
	c.Stage = StageSignContract
	c.OpenStep = nil
	c.Version++
	if err := h.store.Update(h.ctx, c); err != nil {
		t.Fatal(err)
	}
	// Opened Friday 2026-10-16: due Friday 10-23 (5 working days).
	st := h.open(id, StageSignContract, kzTime(time.October, 16, 11, 0))
	check := NewReminderCheck(h.svc)
	run := func(at time.Time) []string {
		rep, err := check.Check(h.ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		return rep.(ReminderReport).Reminded
	}
	if got := run(kzTime(time.October, 20, 0, 5)); len(got) != 0 { // Tuesday: 3 working days left
		t.Fatalf("too early: %v", got)
	}
	if got := run(kzTime(time.October, 21, 0, 5)); len(got) != 1 || h.get(id).OpenStep.Reminded != 2 { // Wednesday: 2 left
		t.Fatalf("2 days before: %v", got)
	}
	if got := run(kzTime(time.October, 21, 12, 0)); len(got) != 0 {
		t.Fatalf("reminded twice: %v", got)
	}
	if got := run(kzTime(time.October, 22, 0, 5)); len(got) != 1 || h.get(id).OpenStep.Reminded != 1 { // Thursday: 1 left
		t.Fatalf("1 day before: %v", got)
	}
	hist := h.history(id)
	last := hist[len(hist)-1]
	ns := Notices(h.get(id), []Event{last})
	if len(ns) != 1 || ns[0].Kind != notice.Reminder || ns[0].Reminds != notice.ContractSent || ns[0].DaysLeft != 1 || !ns[0].DueAt.Equal(st.DueAt) {
		t.Fatalf("%+v", ns)
	}
}

// TestRemindersPointsArePolicyAndFitTheHorizon: the points of the steps whose lapse has a legal
// effect come from each edition (§17 and §31: 2 and 1 working days in both) and stay within what
// the check's horizon reaches.
func TestRemindersPointsArePolicyAndFitTheHorizon(t *testing.T) {
	for _, id := range policy.Editions() {
		ed, err := policy.Load(id)
		if err != nil {
			t.Fatal(err)
		}
		for stage, rule := range Procedure {
			if rule.Lapse == nil {
				continue
			}
			points := ed.ReminderPoints(rule.Step)
			if len(points) == 0 {
				t.Errorf("%s: %s (%s) has a lapse and no reminder", id, stage, rule.Step)
			}
			for _, p := range points {
				if p > maxStepReminderPoint {
					t.Errorf("%s: %s reminds %d working days ahead, past the check's horizon (%d)", id, rule.Step, p, maxStepReminderPoint)
				}
			}
		}
		for _, step := range []string{policy.StepSignContract, policy.StepRectificationNotice} {
			if got := ed.ReminderPoints(step); !slices.Equal(got, []int{2, 1}) {
				t.Errorf("%s: %s reminded at %v, want the issue's 2 and 1", id, step, got)
			}
		}
	}
}
