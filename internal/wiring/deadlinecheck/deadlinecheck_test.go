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
