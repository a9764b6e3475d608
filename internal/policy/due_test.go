package policy_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"attestation/internal/policy"
)

func rules(t *testing.T) *policy.Edition { return mustLoad(t, "rules-2016-amended-2018") }
func law(t *testing.T) *policy.Edition   { return mustLoad(t, "law-2015-art51") }

// checkDue computes step's due moment and checks its end, paragraph, unit and lapse.
func checkDue(t *testing.T, e *policy.Edition, step string, start, want time.Time, paragraph string, lapse policy.Lapse) policy.Due {
	t.Helper()
	d, err := e.Due(newFakeCalendar(), step, start)
	if err != nil {
		t.Fatalf("Due(%s, %s): %v", step, start, err)
	}
	if !d.At.Equal(want) {
		t.Errorf("Due(%s, %s).At = %s, want %s", step, start.Format(time.DateTime), d.At.Format(time.DateTime), want.Format(time.DateTime))
	}
	if d.Paragraph != paragraph || d.Period.Paragraph != paragraph {
		t.Errorf("Due(%s).Paragraph = %q, want %q", step, d.Paragraph, paragraph)
	}
	if d.Period.Lapse != lapse {
		t.Errorf("Due(%s).Period.Lapse = %q, want %q", step, d.Period.Lapse, lapse)
	}
	if d.Step != step {
		t.Errorf("Due(%s).Step = %q", step, d.Step)
	}
	if loc := d.At.Location().String(); loc != "Asia/Almaty" {
		t.Errorf("Due(%s).At is in %s, want Asia/Almaty", step, loc)
	}
	return d
}

func checkPeriod(t *testing.T, e *policy.Edition, step string, amount int, unit policy.Unit, actor policy.Actor) policy.Period {
	t.Helper()
	p, err := e.Period(step)
	if err != nil {
		t.Fatal(err)
	}
	if p.Amount != amount || p.Unit != unit || p.Actor != actor {
		t.Errorf("%s: %d %s by %s, want %d %s by %s", step, p.Amount, p.Unit, p.Actor, amount, unit, actor)
	}
	return p
}

func TestPar14CompletenessCheckThreeWorkingDays(t *testing.T) {
	checkPeriod(t, rules(t), policy.StepCompletenessCheck, 3, policy.WorkingDays, policy.ActorAuthority)
	// DOMAIN worked example: 3 working days from Friday 2025-03-07 end on Thursday 2025-03-13 (Mon Mar 10 off).
	checkDue(t, rules(t), policy.StepCompletenessCheck, at(2025, 3, 7, 10, 0), endOf(2025, 3, 13), "§14", policy.LapseOverdue)
}

func TestPar17SendContractThreeWorkingDays(t *testing.T) {
	checkPeriod(t, rules(t), policy.StepSendContract, 3, policy.WorkingDays, policy.ActorSTS)
	checkDue(t, rules(t), policy.StepSendContract, at(2025, 3, 5, 16, 0), endOf(2025, 3, 11), "§17", policy.LapseOverdue)
}

func TestPar17SignContractFiveWorkingDays(t *testing.T) {
	checkPeriod(t, rules(t), policy.StepSignContract, 5, policy.WorkingDays, policy.ActorApplicant)
	// Tue 4, Wed 5, Thu 6, Fri 7, (Mon 10 off) Tue 11; a lapse cancels the application (§17).
	checkDue(t, rules(t), policy.StepSignContract, at(2025, 3, 3, 11, 0), endOf(2025, 3, 11), "§17", policy.LapseCancel)
}

func TestPar19SurveyThirtyWorkingDays(t *testing.T) {
	checkPeriod(t, rules(t), policy.StepSurvey, 30, policy.WorkingDays, policy.ActorSTS)
	checkDue(t, rules(t), policy.StepSurvey, at(2025, 6, 2, 12, 0), endOf(2025, 7, 14), "§19", policy.LapseOverdue)
}

func TestPar19DistributedSystemFortyDays(t *testing.T) {
	e := rules(t)
	checkPeriod(t, e, policy.StepSurveyDistributed, 40, policy.WorkingDays, policy.ActorSTS)
	step, err := e.StepFor(policy.StepSurvey, policy.PackageFlags{GeographicallyDistributed: true})
	if err != nil || step != policy.StepSurveyDistributed {
		t.Fatalf("StepFor(survey, distributed) = %q, %v; want survey_distributed", step, err)
	}
	if step, _ := e.StepFor(policy.StepSurvey, policy.PackageFlags{UsesCryptography: true}); step != policy.StepSurvey {
		t.Errorf("StepFor(survey, not distributed) = %q, want survey", step)
	}
	if step, _ := e.StepFor(policy.StepDecision, policy.PackageFlags{GeographicallyDistributed: true}); step != policy.StepDecision {
		t.Errorf("StepFor(decision, distributed) = %q, want decision", step)
	}
	checkDue(t, e, step, at(2025, 6, 2, 12, 0), endOf(2025, 7, 28), "§19", policy.LapseOverdue)
}

func TestPar27DecisionThreeWorkingDays(t *testing.T) {
	p := checkPeriod(t, rules(t), policy.StepDecision, 3, policy.WorkingDays, policy.ActorAuthority)
	if strings.Join(p.Requires, ",") != "survey_act" {
		t.Errorf("decision requires %v, want [survey_act]", p.Requires)
	}
	// Wed Apr 30; Thu May 1 off; Fri 2, Mon 5, Tue 6.
	checkDue(t, rules(t), policy.StepDecision, at(2025, 4, 30, 15, 0), endOf(2025, 5, 6), "§27", policy.LapseOverdue)
}

func TestPar28Par30Par31SendDocumentsThreeWorkingDays(t *testing.T) {
	checkPeriod(t, rules(t), policy.StepSendDocuments, 3, policy.WorkingDays, policy.ActorAuthority)
	// Tue May 6; Wed 7 and Fri 9 off: Thu 8, Mon 12, Tue 13.
	checkDue(t, rules(t), policy.StepSendDocuments, at(2025, 5, 6, 15, 0), endOf(2025, 5, 13), "§28, §30, §31", policy.LapseOverdue)
}

func TestPar31RectificationTwentyWorkingDaysPar32RefusalGrounds(t *testing.T) {
	checkPeriod(t, rules(t), policy.StepRectificationNotice, 20, policy.WorkingDays, policy.ActorApplicant)
	checkDue(t, rules(t), policy.StepRectificationNotice, at(2025, 9, 1, 10, 0), endOf(2025, 9, 29), "§31, §32", policy.LapseRefusalGrounds)
}

func TestPar32LapseDecisionThreeWorkingDaysByAnalogyWithPar27(t *testing.T) {
	e := rules(t)
	p := checkPeriod(t, e, policy.StepLapseDecision, 3, policy.WorkingDays, policy.ActorAuthority)
	if !strings.Contains(p.Note, "analogy") {
		t.Errorf("lapse_decision note %q should say the period is applied by analogy", p.Note)
	}
	rect, err := e.Due(newFakeCalendar(), policy.StepRectificationNotice, at(2025, 9, 1, 10, 0))
	if err != nil {
		t.Fatal(err)
	}
	checkDue(t, e, policy.StepLapseDecision, rect.At, endOf(2025, 10, 2), "§32", policy.LapseOverdue)
}

func TestPar33InformSTSThreeWorkingDays(t *testing.T) {
	checkPeriod(t, rules(t), policy.StepInformSTS, 3, policy.WorkingDays, policy.ActorAuthority)
	checkDue(t, rules(t), policy.StepInformSTS, at(2025, 9, 29, 11, 0), endOf(2025, 10, 2), "§33", policy.LapseOverdue)
}

func TestPar34AdditionalSurveyFifteenWorkingDays(t *testing.T) {
	checkPeriod(t, rules(t), policy.StepAdditionalSurvey, 15, policy.WorkingDays, policy.ActorSTS)
	checkDue(t, rules(t), policy.StepAdditionalSurvey, at(2025, 10, 6, 9, 0), endOf(2025, 10, 27), "§34", policy.LapseOverdue)
}

func TestPar37SecondDecisionAndPar38SecondSendDocumentsThreeWorkingDays(t *testing.T) {
	checkPeriod(t, rules(t), policy.StepSecondDecision, 3, policy.WorkingDays, policy.ActorAuthority)
	checkPeriod(t, rules(t), policy.StepSecondSendDocuments, 3, policy.WorkingDays, policy.ActorAuthority)
	checkDue(t, rules(t), policy.StepSecondDecision, at(2025, 10, 27, 17, 0), endOf(2025, 10, 30), "§37", policy.LapseOverdue)
	checkDue(t, rules(t), policy.StepSecondSendDocuments, at(2025, 10, 30, 17, 0), endOf(2025, 11, 4), "§38", policy.LapseOverdue)
}

func TestPar44ChangeDecisionPar46ReturnPar48DuplicateWorkingDays(t *testing.T) {
	e := rules(t)
	checkPeriod(t, e, policy.StepChangeDecision, 3, policy.WorkingDays, policy.ActorAuthority)
	checkPeriod(t, e, policy.StepCertificateReturn, 3, policy.WorkingDays, policy.ActorApplicant)
	checkPeriod(t, e, policy.StepDuplicate, 5, policy.WorkingDays, policy.ActorAuthority)
	checkDue(t, e, policy.StepChangeDecision, at(2025, 11, 3, 10, 0), endOf(2025, 11, 6), "§43, §44", policy.LapseOverdue)
	checkDue(t, e, policy.StepCertificateReturn, at(2025, 11, 3, 10, 0), endOf(2025, 11, 6), "§46", policy.LapseOverdue)
	// Notice on Mon Dec 15; Tue Dec 16 off: 17, 18, 19, 22, 23.
	checkDue(t, e, policy.StepDuplicate, at(2025, 12, 15, 10, 0), endOf(2025, 12, 23), "§48", policy.LapseOverdue)
}

func TestStd11ComplaintsFiveAndFifteenWorkingDays(t *testing.T) {
	e := rules(t)
	checkPeriod(t, e, policy.StepComplaintProvider, 5, policy.WorkingDays, policy.ActorAuthority)
	checkPeriod(t, e, policy.StepComplaintQualityAuthority, 15, policy.WorkingDays, policy.ActorQualityAuthority)
	checkDue(t, e, policy.StepComplaintProvider, at(2025, 6, 2, 10, 0), endOf(2025, 6, 9), "standard §11", policy.LapseOverdue)
	checkDue(t, e, policy.StepComplaintQualityAuthority, at(2025, 6, 2, 10, 0), endOf(2025, 6, 23), "standard §11", policy.LapseOverdue)
}

func TestStd4ServiceTerm51PlusAdditional48WorkingDays(t *testing.T) {
	e := rules(t)
	cal := newFakeCalendar()
	checkPeriod(t, e, policy.StepServiceTerm, 51, policy.WorkingDays, policy.ActorAuthority)
	p := checkPeriod(t, e, policy.StepServiceTermAdditional, 48, policy.WorkingDays, policy.ActorAuthority)
	if p.Extends != policy.StepServiceTerm {
		t.Fatalf("service_term_additional extends %q, want service_term", p.Extends)
	}
	filed := at(2025, 4, 1, 11, 0)
	want51, _ := cal.AddWorkingDays(filed, 51)
	want99, _ := cal.AddWorkingDays(filed, 99)
	base := checkDue(t, e, policy.StepServiceTerm, filed, want51, "standard §4", policy.LapseServiceBreach)
	checkDue(t, e, policy.StepServiceTermAdditional, filed, want99, "standard §4", policy.LapseServiceBreach)
	if after48, _ := cal.AddWorkingDays(base.At, 48); !after48.Equal(want99) {
		t.Errorf("51 + 48 working days = %s, but 48 after the 51st = %s", want99, after48)
	}
}

func TestPar42MonitoringWithinOneYearMovesToNextWorkingDay(t *testing.T) {
	e := rules(t)
	checkPeriod(t, e, policy.StepMonitoringConnection, 1, policy.Years, policy.ActorApplicant)
	// Received Fri 2025-03-07; 2026-03-07 is a Saturday and Mon 2026-03-09 a holiday: Tue 2026-03-10.
	checkDue(t, e, policy.StepMonitoringConnection, at(2025, 3, 7, 15, 0), endOf(2026, 3, 10), "§42", policy.LapseOverdue)
	// A working day stays: received Wed 2025-06-04, due Thu 2026-06-04.
	checkDue(t, e, policy.StepMonitoringConnection, at(2025, 6, 4, 15, 0), endOf(2026, 6, 4), "§42", policy.LapseOverdue)
}

func TestPar40PlatformCertificateValidOneYearNotMoved(t *testing.T) {
	e := rules(t)
	checkPeriod(t, e, policy.StepPlatformValidity, 1, policy.Years, policy.ActorApplicant)
	checkDue(t, e, policy.StepPlatformValidity, at(2025, 3, 7, 15, 0), endOf(2026, 3, 7), "§40", policy.LapseExpiry)
	// Civil Code: a period in years from February 29 ends on February 28 of a common year.
	checkDue(t, e, policy.StepPlatformValidity, at(2024, 2, 29, 15, 0), endOf(2025, 2, 28), "§40", policy.LapseExpiry)
}

func TestPar12WindowClosesNov3_2025OnWeekend(t *testing.T) {
	got, err := rules(t).ApplicationWindowCloses(newFakeCalendar(), 2025)
	if err != nil {
		t.Fatal(err)
	}
	if want := endOf(2025, 11, 3); !got.Equal(want) {
		t.Errorf("window 2025 closes %s, want %s (Nov 1 is a Saturday)", got, want)
	}
}

func TestPar12WindowClosesNov2_2026OnWeekend(t *testing.T) {
	got, err := rules(t).ApplicationWindowCloses(newFakeCalendar(), 2026)
	if err != nil {
		t.Fatal(err)
	}
	if want := endOf(2026, 11, 2); !got.Equal(want) {
		t.Errorf("window 2026 closes %s, want %s (Nov 1 is a Sunday)", got, want)
	}
}

func TestPar12WindowClosesNov1OnAWorkingDay(t *testing.T) {
	got, err := rules(t).ApplicationWindowCloses(newFakeCalendar(), 2024)
	if err != nil {
		t.Fatal(err)
	}
	if want := endOf(2024, 11, 1); !got.Equal(want) {
		t.Errorf("window 2024 closes %s, want %s (Nov 1 is a Friday)", got, want)
	}
	// The same through Due, for a filing in 2024: the date of the filing's year.
	checkDue(t, rules(t), policy.StepApplicationWindow, at(2024, 10, 31, 17, 0), endOf(2024, 11, 1), "§12", policy.LapseNotAccepted)
}

func TestPar11AnnualPlanDueMarch1MovesOffWeekend(t *testing.T) {
	e := rules(t)
	for _, tc := range []struct {
		year int
		want time.Time
	}{
		{2024, endOf(2024, 3, 1)}, // Friday
		{2025, endOf(2025, 3, 3)}, // Saturday -> Monday
		{2026, endOf(2026, 3, 2)}, // Sunday -> Monday
	} {
		got, err := e.AnnualPlanDue(newFakeCalendar(), tc.year)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(tc.want) {
			t.Errorf("annual plan %d due %s, want %s", tc.year, got, tc.want)
		}
	}
}

func TestStd8OfficeAcceptanceHours(t *testing.T) {
	e := rules(t)
	for _, tc := range []struct {
		name        string
		filed, want time.Time
	}{
		{"within the morning hours", at(2025, 3, 6, 10, 15), at(2025, 3, 6, 10, 15)},
		{"before opening counts at 09:00", at(2025, 3, 6, 7, 40), at(2025, 3, 6, 9, 0)},
		{"at lunch counts after lunch", at(2025, 3, 6, 13, 30), at(2025, 3, 6, 14, 30)},
		{"at 13:00 sharp counts after lunch", at(2025, 3, 6, 13, 0), at(2025, 3, 6, 14, 30)},
		{"at 14:30 sharp counts at once", at(2025, 3, 6, 14, 30), at(2025, 3, 6, 14, 30)},
		{"at 17:30 sharp counts next morning", at(2025, 3, 6, 17, 30), at(2025, 3, 7, 9, 0)},
		{"Friday evening before a Monday holiday counts Tuesday", at(2025, 3, 7, 18, 0), at(2025, 3, 11, 9, 0)},
		{"Saturday counts Monday", at(2025, 3, 15, 10, 0), at(2025, 3, 17, 9, 0)},
		{"on a holiday counts the next working day", at(2025, 3, 10, 11, 0), at(2025, 3, 11, 9, 0)},
		{"UTC input is read in Almaty", time.Date(2025, 3, 6, 12, 45, 0, 0, time.UTC), at(2025, 3, 7, 9, 0)}, // 17:45 Almaty
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.ReceivedAt(newFakeCalendar(), tc.filed)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tc.want) {
				t.Errorf("ReceivedAt(%s) = %s, want %s", tc.filed, got, tc.want)
			}
			// A moment the office accepts filings is its own receipt, so Due may apply ReceivedAt again.
			if again, err := e.ReceivedAt(newFakeCalendar(), got); err != nil || !again.Equal(got) {
				t.Errorf("ReceivedAt(%s) = %s, %v; want it unchanged", got, again, err)
			}
		})
	}
}

func TestStd8FilingAfter1730CountsNextMorning(t *testing.T) {
	e := rules(t)
	filed := at(2025, 3, 5, 17, 45) // Wednesday after hours
	got, err := e.ReceivedAt(newFakeCalendar(), filed)
	if err != nil {
		t.Fatal(err)
	}
	if want := at(2025, 3, 6, 9, 0); !got.Equal(want) {
		t.Fatalf("ReceivedAt(%s) = %s, want %s", filed, got, want)
	}
	// The completeness check therefore counts from Thursday: Fri 7, (Mon 10 off) Tue 11, Wed 12 --
	// one working day later than for a filing at 17:00, which counts from Wednesday.
	d := checkDue(t, e, policy.StepCompletenessCheck, filed, endOf(2025, 3, 12), "§14", policy.LapseOverdue)
	if !d.From.Equal(got) {
		t.Errorf("Due.From = %s, want the office's receipt %s", d.From, got)
	}
	checkDue(t, e, policy.StepCompletenessCheck, at(2025, 3, 5, 17, 0), endOf(2025, 3, 11), "§14", policy.LapseOverdue)
}

func TestPeriodsNotStartedByAFilingIgnoreOfficeHours(t *testing.T) {
	// §17: the applicant's 5 days count from its receipt of the copies, whenever that was.
	checkDue(t, rules(t), policy.StepSignContract, at(2025, 3, 1, 22, 0), endOf(2025, 3, 7), "§17", policy.LapseCancel)
}

func TestCallbackTimeoutIsDuePlusMargin(t *testing.T) {
	e := rules(t)
	if m := e.Margin(); m.Amount != 10 || m.Unit != policy.WorkingDays {
		t.Fatalf("margin = %+v, want 10 working days", m)
	}
	start := at(2025, 3, 3, 10, 0)
	got, err := e.CallbackTimeout(newFakeCalendar(), policy.StepSignContract, start)
	if err != nil {
		t.Fatal(err)
	}
	// Due Tue Mar 11; 10 working days later (Mar 21, 24, 25 off): Fri Mar 28.
	want := int64(endOf(2025, 3, 28).Sub(start) / time.Second)
	if got != want {
		t.Errorf("CallbackTimeout = %d s, want %d s", got, want)
	}
}

func TestCallbackTimeoutRoundsUpToWholeSeconds(t *testing.T) {
	e := rules(t)
	start := at(2025, 3, 3, 10, 0).Add(300 * time.Millisecond)
	got, err := e.CallbackTimeout(newFakeCalendar(), policy.StepSignContract, start)
	if err != nil {
		t.Fatal(err)
	}
	span := endOf(2025, 3, 28).Sub(start)
	if time.Duration(got)*time.Second < span || time.Duration(got-1)*time.Second >= span {
		t.Errorf("CallbackTimeout = %d s for a span of %s: not rounded up", got, span)
	}
}

func TestCallbackTimeoutAtLeastOneSecond(t *testing.T) {
	// A filing in December against the window of the same year: the due moment is long past.
	got, err := rules(t).CallbackTimeout(newFakeCalendar(), policy.StepApplicationWindow, at(2025, 12, 20, 10, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got != 1 {
		t.Errorf("CallbackTimeout = %d, want 1", got)
	}
}

func TestDueUnknownStepIsAClearError(t *testing.T) {
	e := rules(t)
	_, err := e.Due(newFakeCalendar(), "sign_contrat", at(2025, 3, 3, 10, 0))
	if err == nil || !strings.Contains(err.Error(), `unknown step "sign_contrat"`) || !strings.Contains(err.Error(), "sign_contract") {
		t.Fatalf("Due(unknown step) error = %v; want it to name the step and the known ones", err)
	}
	if _, err := e.CallbackTimeout(newFakeCalendar(), "nope", at(2025, 3, 3, 10, 0)); err == nil {
		t.Error("CallbackTimeout(unknown step) did not fail")
	}
	if _, err := e.StepFor("nope", policy.PackageFlags{}); err == nil {
		t.Error("StepFor(unknown step) did not fail")
	}
}

func TestDueReportsProvisionalCalendarData(t *testing.T) {
	e := rules(t)
	d, err := e.Due(newFakeCalendar(), policy.StepSurvey, at(2026, 12, 1, 10, 0)) // runs into 2027
	if err != nil {
		t.Fatal(err)
	}
	if !d.Provisional {
		t.Error("a survey running into provisional 2027 is not marked provisional")
	}
	d, err = e.Due(newFakeCalendar(), policy.StepSurvey, at(2025, 12, 1, 10, 0))
	if err != nil {
		t.Fatal(err)
	}
	if d.Provisional {
		t.Error("a survey within final years is marked provisional")
	}
}

func TestDuePastTheCalendarFails(t *testing.T) {
	_, err := rules(t).Due(newFakeCalendar(), policy.StepSurvey, at(2027, 12, 1, 10, 0))
	if !errors.Is(err, errOutOfRange) {
		t.Fatalf("Due past the calendar: %v, want the calendar's error wrapped", err)
	}
	if !strings.Contains(err.Error(), "survey") || !strings.Contains(err.Error(), "§19") {
		t.Errorf("error %q should name the step and its paragraph", err)
	}
}

func TestEveryStepHasADueInEveryEdition(t *testing.T) {
	start := at(2025, 6, 2, 10, 0)
	for _, id := range policy.Editions() {
		e := mustLoad(t, id)
		for _, step := range policy.StepKeys() {
			d, err := e.Due(newFakeCalendar(), step, start)
			if err != nil {
				t.Errorf("%s: Due(%s): %v", id, step, err)
				continue
			}
			if d.Period.Unit != policy.CalendarDate && !d.At.After(start) {
				t.Errorf("%s: Due(%s) = %s, not after the start", id, step, d.At)
			}
			if d.Paragraph == "" {
				t.Errorf("%s: Due(%s) has no paragraph", id, step)
			}
			secs, err := e.CallbackTimeout(newFakeCalendar(), step, start)
			if err != nil || secs < 1 {
				t.Errorf("%s: CallbackTimeout(%s) = %d, %v", id, step, secs, err)
			}
		}
	}
}

func TestEditionsAreSafeForConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := policy.Load(policy.Editions()[i%2])
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := e.Due(newFakeCalendar(), policy.StepSurvey, at(2025, 6, 2, 10, 0)); err != nil {
				t.Error(err)
			}
			_ = e.RequiredItems(policy.PackageFlags{UsesICTServices: true})
		}()
	}
	wg.Wait()
}
