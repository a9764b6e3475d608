package deadline

import (
	"context"
	"errors"
	"testing"
	"time"

	"attestation/internal/attestation"
)

type fakeWaiting struct {
	cases  []attestation.Case
	before time.Time
}

func (f *fakeWaiting) WaitingOnEngine(ctx context.Context, before time.Time, limit int) ([]attestation.Case, error) {
	f.before = before
	var out []attestation.Case
	for _, c := range f.cases {
		if !c.LastMoment().After(before) && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

type fakeEngine map[string]Execution

func (f fakeEngine) Execution(ctx context.Context, caseID string) (Execution, error) {
	ex, ok := f[caseID]
	if !ok {
		return Execution{}, errors.New("throttled")
	}
	return ex, nil
}

type fakeMarker struct{ marked []attestation.AttentionInput }

func (f *fakeMarker) NeedsAttention(ctx context.Context, in attestation.AttentionInput, source string) (attestation.Case, error) {
	if source != attestation.AttentionFromDeadlineCheck {
		return attestation.Case{}, errors.New("wrong source " + source)
	}
	f.marked = append(f.marked, in)
	return attestation.Case{ID: in.CaseID}, nil
}

// TestExecutionsMarksCasesWhoseExecutionEnded: only cases idle past the grace period are
// described; a running execution is left alone; one that failed, timed out, was aborted or is
// missing while the case has not ended is marked as needing attention and reported; a describe
// that fails is reported and fails the run (the scheduler retries it).
func TestExecutionsMarksCasesWhoseExecutionEnded(t *testing.T) {
	now := time.Date(2026, 10, 16, 0, 5, 0, 0, time.UTC)
	idle := func(id string, since time.Duration) attestation.Case {
		return attestation.Case{ID: id, Stage: attestation.StageSendContract, SubmittedAt: now.Add(-since)}
	}
	waiting := &fakeWaiting{cases: []attestation.Case{
		idle("running", 3*time.Hour), idle("failed", 3*time.Hour), idle("timed-out", 2*time.Hour), idle("aborted", 2*time.Hour),
		idle("missing", 5*time.Hour), idle("recent", 10*time.Minute), idle("unknown", 4*time.Hour),
	}}
	engine := fakeEngine{
		"running":   {Status: "RUNNING"},
		"failed":    {Status: "FAILED", Error: "TransientError", Cause: "kms unavailable"},
		"timed-out": {Status: "TIMED_OUT"},
		"aborted":   {Status: "ABORTED"},
		"missing":   {Status: "MISSING"},
		"recent":    {Status: "FAILED"},
	}
	marker := &fakeMarker{}
	ex, err := NewExecutions(ExecutionsDeps{Waiting: waiting, Engine: engine, Marker: marker})
	if err != nil {
		t.Fatal(err)
	}
	out, err := ex.Check(context.Background(), now)
	if err == nil {
		t.Error("a describe that failed does not fail the run")
	}
	rep := out.(ExecutionsReport)
	if !waiting.before.Equal(now.Add(-DefaultGrace)) {
		t.Errorf("asked for cases idle since %s, want %s", waiting.before, now.Add(-DefaultGrace))
	}
	if rep.Described != 6 || rep.Running != 1 || len(rep.Failed) != 1 || rep.Failed[0] != "unknown" {
		t.Errorf("report %+v", rep)
	}
	got := map[string]string{}
	for _, s := range rep.NeedsAttention {
		got[s.CaseID] = s.Execution
	}
	for id, status := range map[string]string{"failed": "FAILED", "timed-out": "TIMED_OUT", "aborted": "ABORTED", "missing": "MISSING"} {
		if got[id] != status {
			t.Errorf("%s: reported %q, want %s", id, got[id], status)
		}
	}
	if len(marker.marked) != 4 {
		t.Fatalf("marked %+v", marker.marked)
	}
	for _, m := range marker.marked {
		if m.CaseID == "failed" && (m.Error != "execution FAILED" || m.Cause != "TransientError: kms unavailable" || !m.At.Equal(now)) {
			t.Errorf("the failed execution is recorded as %+v", m)
		}
	}
}
