package policy_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/calendar"
	"attestation/internal/policy"
)

// A period the calendar cannot count (it covers 2016-2027) is an apperr.Rule naming the period
// and the years, the calendar's error kept as its cause; never an Internal error ("safe to retry").

func mustUncountable(t *testing.T, err error, names ...string) {
	t.Helper()
	p := apperr.PublicOf(err)
	if err == nil || !errors.Is(err, calendar.ErrOutOfRange) || apperr.KindOf(err) != apperr.Rule || p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Detail, "(2016-2027)") || strings.Contains(p.Detail, "retry") {
		t.Fatalf("error %v: %d %q", err, p.Status, p.Detail)
	}
	for _, n := range names {
		if !strings.Contains(p.Detail, n) {
			t.Fatalf("%q does not name %q", p.Detail, n)
		}
	}
}

func TestPeriodTheCalendarCannotCountIsARule(t *testing.T) {
	ed, cal := rules(t), kazakhstan(t)
	almaty := cal.Location()
	late := time.Date(2027, time.December, 29, 10, 0, 0, 0, almaty) // Wednesday
	for _, tc := range []struct {
		name, step string
		names      []string
	}{
		{"§44 the decision on a change notice, 3 working days", policy.StepChangeDecision, []string{"§44", "3 working days", "2027-12-29", "calendar of 2028"}},
		{"§46 the return of a recalled certificate", policy.StepCertificateReturn, []string{"§46"}},
		{"§48 a duplicate, 5 working days", policy.StepDuplicate, []string{"§48", "5 working days"}},
		{"§17 the contract signed in 5 working days", policy.StepSignContract, []string{"§17"}},
		{"standard §11 a complaint to the provider", policy.StepComplaintProvider, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ed.Due(cal, tc.step, late)
			mustUncountable(t, err, tc.names...)
			_, err = ed.CallbackTimeout(cal, tc.step, late)
			mustUncountable(t, err)
		})
	}
	t.Run("standard §8 a filing received in a year the calendar lacks", func(t *testing.T) {
		_, err := ed.ReceivedAt(cal, time.Date(2028, time.January, 10, 10, 0, 0, 0, almaty))
		mustUncountable(t, err, "standard §8", "2028-01-10")
	})
	t.Run("§11 §12 the dates of a year the calendar lacks", func(t *testing.T) {
		_, err := ed.AnnualPlanDue(cal, 2028)
		mustUncountable(t, err)
		_, err = ed.ApplicationWindowCloses(cal, 2030)
		mustUncountable(t, err, "calendar of 2030")
	})
	t.Run("a period inside the calendar is counted as before", func(t *testing.T) {
		if _, err := ed.Due(cal, policy.StepChangeDecision, time.Date(2027, time.December, 20, 10, 0, 0, 0, almaty)); err != nil {
			t.Fatal(err)
		}
	})
}
