package deadlinecheck

import (
	"errors"
	"testing"

	"attestation/internal/attestation"
	"attestation/internal/deadline"
	"attestation/internal/wiring/metrics"
)

func TestFiguresOfARun(t *testing.T) {
	rep := deadline.Report{DeadlineReport: attestation.DeadlineReport{Overdue: []string{"a", "b"}, Lapsed: []string{"c"}},
		Checks: map[string]any{"executions": deadline.ExecutionsReport{NeedsAttention: []deadline.StoppedCase{{CaseID: "x"}, {CaseID: "y"}, {CaseID: "z"}}}}}
	tests := []struct {
		name string
		rep  deadline.Report
		err  error
		want map[string]float64
	}{
		{"a run that succeeded", rep, nil, map[string]float64{metrics.DeadlineCheckSucceeded: 1, metrics.StepsOverdue: 2, metrics.StepsLapsed: 1, metrics.CasesNeedingAttention: 3}},
		{"a run that failed counts no success", rep, errors.New("register: boom"), map[string]float64{metrics.DeadlineCheckSucceeded: 0, metrics.StepsOverdue: 2, metrics.StepsLapsed: 1, metrics.CasesNeedingAttention: 3}},
		{"an empty run", deadline.Report{}, nil, map[string]float64{metrics.DeadlineCheckSucceeded: 1, metrics.StepsOverdue: 0, metrics.StepsLapsed: 0, metrics.CasesNeedingAttention: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]float64{}
			for _, v := range Figures(tt.rep, tt.err) {
				got[v.Name] = v.Value
			}
			if len(got) != len(tt.want) {
				t.Fatalf("figures %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}

// TestGaugesOfTheCensus: a run with a census gives one CasesOpen per stage the census names (zero
// included) and StepsPastDue among its figures; a run without one gives neither.
func TestGaugesOfTheCensus(t *testing.T) {
	rep := deadline.Report{Checks: map[string]any{"census": deadline.CensusReport{Open: map[string]int{"survey": 4}, Overdue: 2}}}
	gs := Gauges(rep)
	if len(gs) != len(deadline.CensusStages()) {
		t.Fatalf("%d gauges, want %d", len(gs), len(deadline.CensusStages()))
	}
	for _, g := range gs {
		want := 0.0
		if g.Stage == "survey" {
			want = 4
		}
		if g.Value.Name != metrics.CasesOpen || g.Value.Value != want {
			t.Errorf("%s: %+v", g.Stage, g.Value)
		}
	}
	found := false
	for _, v := range Figures(rep, nil) {
		found = found || (v.Name == metrics.StepsPastDue && v.Value == 2)
	}
	if !found {
		t.Error("no StepsPastDue among the figures")
	}
	if len(Gauges(deadline.Report{})) != 0 {
		t.Error("gauges without a census")
	}
}

// TestFiguresCountTheExpiredUploadsSwept: a run with the sweep's report gives UploadsExpired, the
// declarations it ended; a run without one does not.
func TestFiguresCountTheExpiredUploadsSwept(t *testing.T) {
	rep := deadline.Report{Checks: map[string]any{"uploads": attestation.UploadSweepReport{Expired: 3, Versions: 4}}}
	found := 0
	for _, v := range Figures(rep, nil) {
		if v.Name == metrics.UploadsExpired {
			found++
			if v.Value != 3 || v.Unit != metrics.Count {
				t.Errorf("UploadsExpired %+v, want 3", v)
			}
		}
	}
	if found != 1 {
		t.Fatalf("%d UploadsExpired figures, want 1", found)
	}
	for _, v := range Figures(deadline.Report{}, nil) {
		if v.Name == metrics.UploadsExpired {
			t.Errorf("UploadsExpired without a sweep: %+v", v)
		}
	}
}
