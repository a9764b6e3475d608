package policy_test

import (
	"testing"
	"time"

	"attestation/internal/calendar"
	"attestation/internal/policy"
)

// The real Kazakhstan calendar satisfies the policy's Calendar.
var _ policy.Calendar = (*calendar.Calendar)(nil)

func kazakhstan(t *testing.T) *calendar.Calendar {
	t.Helper()
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatalf("calendar.Kazakhstan: %v", err)
	}
	return cal
}

func TestRealCalendarPar12WindowClosesNov3_2025OnWeekend(t *testing.T) {
	got, err := rules(t).ApplicationWindowCloses(kazakhstan(t), 2025)
	if err != nil {
		t.Fatal(err)
	}
	if want := endOf(2025, 11, 3); !got.Equal(want) {
		t.Errorf("2025 window closes %s, want %s", got, want)
	}
}

func TestRealCalendarPar12WindowClosesNov2_2026OnWeekend(t *testing.T) {
	got, err := rules(t).ApplicationWindowCloses(kazakhstan(t), 2026)
	if err != nil {
		t.Fatal(err)
	}
	if want := endOf(2026, 11, 2); !got.Equal(want) {
		t.Errorf("2026 window closes %s, want %s", got, want)
	}
}

func TestRealCalendarPar11AnnualPlanDue(t *testing.T) {
	for year, want := range map[int]time.Time{2025: endOf(2025, 3, 3), 2026: endOf(2026, 3, 2)} {
		got, err := rules(t).AnnualPlanDue(kazakhstan(t), year)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(want) {
			t.Errorf("annual plan %d due %s, want %s", year, got, want)
		}
	}
}

func TestRealCalendarPar14WorkedExampleMarch2025(t *testing.T) {
	// DOMAIN: 3 working days from Friday 2025-03-07 end on Thursday 2025-03-13 (Mar 8 fell on a Saturday).
	d, err := rules(t).Due(kazakhstan(t), policy.StepCompletenessCheck, at(2025, 3, 7, 11, 0))
	if err != nil {
		t.Fatal(err)
	}
	if want := endOf(2025, 3, 13); !d.At.Equal(want) || d.Provisional {
		t.Errorf("completeness check due %s (provisional %v), want %s", d.At, d.Provisional, want)
	}
}

func TestRealCalendarStd8FilingAfter1730BeforeAHolidayWeekend(t *testing.T) {
	// Filed Friday 2025-03-07 at 18:00: Mon Mar 10 is the day off for Women's Day, so Tue 09:00.
	got, err := rules(t).ReceivedAt(kazakhstan(t), at(2025, 3, 7, 18, 0))
	if err != nil {
		t.Fatal(err)
	}
	if want := at(2025, 3, 11, 9, 0); !got.Equal(want) {
		t.Errorf("ReceivedAt = %s, want %s", got, want)
	}
}

func TestRealCalendarPar17SignContractAcrossNauryz2025(t *testing.T) {
	// Copies received Thu 2025-03-20; Mar 21 and the carried Mar 24-25 are off: 26, 27, 28, 31, Apr 1.
	d, err := rules(t).Due(kazakhstan(t), policy.StepSignContract, at(2025, 3, 20, 15, 0))
	if err != nil {
		t.Fatal(err)
	}
	if want := endOf(2025, 4, 1); !d.At.Equal(want) {
		t.Errorf("sign_contract due %s, want %s", d.At, want)
	}
}

func TestRealCalendarEveryStepOfEveryEdition(t *testing.T) {
	cal := kazakhstan(t)
	for _, id := range policy.Editions() {
		e := mustLoad(t, id)
		for _, step := range policy.StepKeys() {
			if _, err := e.Due(cal, step, at(2025, 6, 2, 10, 0)); err != nil {
				t.Errorf("%s: Due(%s): %v", id, step, err)
			}
			if _, err := e.CallbackTimeout(cal, step, at(2025, 6, 2, 10, 0)); err != nil {
				t.Errorf("%s: CallbackTimeout(%s): %v", id, step, err)
			}
		}
	}
}

func TestRealCalendarProvisionalAndOutOfRange(t *testing.T) {
	cal := kazakhstan(t)
	first, last := cal.Years()
	provisional, _, err := cal.YearStatus(last)
	if err != nil {
		t.Fatal(err)
	}
	d, err := rules(t).Due(cal, policy.StepSurvey, at(last-1, 12, 1, 10, 0))
	if err != nil {
		t.Fatal(err)
	}
	if d.Provisional != provisional {
		t.Errorf("a survey running into %d: Provisional = %v, want %v", last, d.Provisional, provisional)
	}
	if _, err := rules(t).Due(cal, policy.StepSurvey, at(last, 12, 1, 10, 0)); err == nil {
		t.Errorf("a survey running past %d computed a due date", last)
	}
	if _, err := rules(t).Due(cal, policy.StepSurvey, at(first-1, 6, 1, 10, 0)); err == nil {
		t.Errorf("a survey starting before %d computed a due date", first)
	}
}
