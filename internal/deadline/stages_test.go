package deadline

import (
	"context"
	"testing"
	"time"

	"attestation/internal/attestation"
)

type openCases struct {
	cases []attestation.Case
	limit int
}

func (o *openCases) OpenCases(ctx context.Context, limit int) ([]attestation.Case, bool, error) {
	o.limit = limit
	return o.cases, len(o.cases) >= limit, nil
}

// TestCensusCountsOpenCasesByStage: every stage is in the report (zero included); a case waiting
// on the authority counts as needing attention, one handed back at its stage; an open step past
// its due moment (or marked overdue) counts as overdue; a case read twice (moved between two
// pages) or ended counts once or not at all.
func TestCensusCountsOpenCasesByStage(t *testing.T) {
	now := time.Date(2026, 11, 20, 19, 5, 0, 0, time.UTC)
	step := func(name string, due time.Time, overdue bool) *attestation.Step {
		return &attestation.Step{Name: name, DueAt: due, Overdue: overdue}
	}
	src := &openCases{cases: []attestation.Case{
		{ID: "1", Stage: attestation.StageSurvey, OpenStep: step("survey", now.Add(time.Hour), false)},
		{ID: "2", Stage: attestation.StageSurvey, OpenStep: step("survey", now.Add(-time.Hour), false)},
		{ID: "2", Stage: attestation.StageSurvey, OpenStep: step("survey", now.Add(-time.Hour), false)},
		{ID: "3", Stage: attestation.StageDecision, OpenStep: step("decision", now.Add(time.Hour), true)},
		{ID: "4", Stage: attestation.StageSubmitted, Attention: &attestation.Attention{Error: "TransientError"}},
		{ID: "5", Stage: attestation.StageSubmitted, Attention: &attestation.Attention{Handback: &attestation.Handback{Outcome: attestation.HandbackResume}}},
		{ID: "6", Stage: attestation.StageWithdrawn},
	}}
	c, err := NewCensus(src, 0)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Check(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	rep := out.(CensusReport)
	if src.limit != DefaultCensusLimit || rep.Read != 7 || rep.More {
		t.Fatalf("limit %d, report %+v", src.limit, rep)
	}
	want := map[string]int{"survey": 2, "decision": 1, "submitted": 1, StageNeedsAttention: 1}
	for _, s := range CensusStages() {
		if rep.Open[s] != want[s] {
			t.Errorf("%s: %d, want %d", s, rep.Open[s], want[s])
		}
	}
	if len(rep.Open) != len(CensusStages()) || len(CensusStages()) != len(attestation.Procedure)+2 {
		t.Errorf("stages %v", rep.Open)
	}
	if rep.Overdue != 2 {
		t.Errorf("overdue %d, want 2", rep.Overdue)
	}
}
