package policy_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"attestation/internal/policy"
)

// TestRemindersArePolicyData: the reminder points of issue 13 are the edition's (§11: 10 working
// days before March 1; §12: 20 before the renewal's filing deadline; §17, §31, §46: 2 and 1),
// largest first; a step without reminders has none.
func TestRemindersArePolicyData(t *testing.T) {
	for _, id := range policy.Editions() {
		ed, err := policy.Load(id)
		if err != nil {
			t.Fatal(err)
		}
		for step, want := range map[string][]int{
			policy.StepAnnualPlan: {10}, policy.StepApplicationWindow: {20}, policy.StepSignContract: {2, 1},
			policy.StepRectificationNotice: {2, 1}, policy.StepCertificateReturn: {2, 1}, policy.StepSurvey: nil,
		} {
			if got := ed.ReminderPoints(step); !slices.Equal(got, want) {
				t.Errorf("%s: %s reminded at %v, want %v", id, step, got, want)
			}
		}
		for _, r := range ed.Reminders() {
			if r.Who == "" {
				t.Errorf("%s: %s says not whom it reminds", id, r.Step)
			}
		}
	}
}

func TestReminderPointIsTheSmallestReachedNotDone(t *testing.T) {
	for _, tc := range []struct{ left, done, want int }{
		{3, 0, 0}, {2, 0, 2}, {1, 0, 1}, {0, 0, 1}, {1, 2, 1}, {2, 2, 0}, {1, 1, 0},
	} {
		if got := policy.ReminderPoint([]int{2, 1}, tc.left, tc.done); got != tc.want {
			t.Errorf("left %d, done %d: point %d, want %d", tc.left, tc.done, got, tc.want)
		}
	}
}

// TestWorkingDaysLeftSkipsHolidays: from Monday 2026-12-14 to Thursday 12-17 two working days are
// left (Tuesday 15 and Thursday 17: Independence Day on Wednesday 16).
func TestWorkingDaysLeftSkipsHolidays(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Almaty")
	due := time.Date(2026, 12, 17, 23, 59, 59, 0, loc)
	cal := kazakhstan(t)
	for _, tc := range []struct {
		day, want int
	}{{14, 2}, {15, 1}, {17, 0}, {18, 0}} {
		got, err := policy.WorkingDaysLeft(cal, time.Date(2026, 12, tc.day, 18, 0, 0, 0, loc), due)
		if err != nil || got != tc.want {
			t.Errorf("12-%d: %d %v, want %d", tc.day, got, err, tc.want)
		}
	}
}

func TestBadRemindersFailNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(root *yaml.Node)
		want   string
	}{
		{"unknown step", func(r *yaml.Node) {
			node(r, "reminders").Content[0].Value = "sign_contrac"
		}, "reminders.sign_contrac: unknown step"},
		{"no points", func(r *yaml.Node) {
			deleteKey(node(r, "reminders", "sign_contract"), "points")
		}, "reminders.sign_contract.points: missing"},
		{"a point of zero", func(r *yaml.Node) {
			node(r, "reminders", "sign_contract", "points").Content[1].Value = "0"
		}, "reminders.sign_contract.points[1]: must be >= 1"},
		{"points out of order", func(r *yaml.Node) {
			node(r, "reminders", "sign_contract", "points").Content[1].Value = "3"
		}, "reminders.sign_contract.points[1]: points go from the largest to the smallest"},
		{"whom not said", func(r *yaml.Node) {
			deleteKey(node(r, "reminders", "certificate_return"), "who")
		}, "reminders.certificate_return.who: missing"},
		{"unknown key", func(r *yaml.Node) {
			setKey(node(r, "reminders", "annual_plan"), "days", scalar("10"))
		}, "reminders.annual_plan.days: unknown key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policy.Parse("rules-2016-amended-2018", mutated(t, tc.mutate))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one naming %q", err, tc.want)
			}
		})
	}
}
