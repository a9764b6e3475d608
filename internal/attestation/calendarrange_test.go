package attestation

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/calendar"
)

// A period the working-day calendar cannot count (past its last year, 2027) is the Rules'
// limit, not a fault: a 422 naming the years the calendar covers, never a 500 that says "safe to
// retry"; the deadline check names such a lapse in its report and goes on.

// mustUncountable checks that err is a 422 of kind Rule naming the calendar's years.
func mustUncountable(t *testing.T, err error) {
	t.Helper()
	p := apperr.PublicOf(err)
	if !errors.Is(err, calendar.ErrOutOfRange) || apperr.KindOf(err) != apperr.Rule || p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Detail, "(2016-2027)") || strings.Contains(p.Detail, "retry") {
		t.Fatalf("error %v: %d %q", err, p.Status, p.Detail)
	}
}

func TestStepWhoseNextPeriodRunsPastTheCalendarIs422(t *testing.T) {
	h := newHarness(t)
	h.now = time.Date(2027, time.October, 4, 9, 30, 0, 0, testAlmaty) // Monday
	c := h.caseAt(StageSurvey, caseSpec{}, route{})
	// §19-§24: the STS delivers the act on 29 December 2027; the next period would end in 2028.
	_, err := h.svc.CompleteStep(h.ctx, sts, c.ID, h.completion(c, OutcomeAct), time.Date(2027, time.December, 29, 10, 0, 0, 0, testAlmaty))
	mustUncountable(t, err)
	h.unchanged(c)
}

func TestFilingTheCalendarCannotCountIs422(t *testing.T) {
	// Standard §8: the office receives a filing on a working day the calendar knows.
	h := newHarness(t)
	h.now = time.Date(2028, time.March, 1, 10, 0, 0, 0, testAlmaty)
	ed, err := h.svc.rules.edition(h.edition)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ed.ReceivedAt(h.deps.Calendar, h.now)
	mustUncountable(t, err)
	if pr, refused := windowProblem(ed, h.deps.Calendar, h.now); !refused || !strings.Contains(pr.Message, "(2016-2027)") || strings.Contains(pr.Message, "not allowed by the rules") {
		t.Fatalf("§12 filing: %+v", pr)
	}
}

func TestDeadlineCheckNamesALapseItCannotCountPar32(t *testing.T) {
	h := newHarness(t)
	h.now = time.Date(2027, time.October, 4, 9, 30, 0, 0, testAlmaty)
	c := h.caseAt(StageRectificationNotice, caseSpec{}, route{})
	// The rectification period (§32) ended on 30 December 2027; the authority's decision on the
	// lapse would be due in 2028, which the calendar does not cover.
	h.store.mu.Lock()
	stored := h.store.cases[c.ID]
	stored.OpenStep.DueAt = time.Date(2027, time.December, 30, 23, 59, 59, 0, testAlmaty)
	h.store.cases[c.ID] = stored
	h.store.mu.Unlock()
	before := h.get(c.ID)
	rep, err := h.svc.CheckDeadlines(h.ctx, time.Date(2027, time.December, 31, 10, 0, 0, 0, testAlmaty))
	if err != nil {
		t.Fatalf("the run failed: %v", err)
	}
	if len(rep.Uncountable) != 1 || rep.Uncountable[0].CaseID != c.ID || rep.Uncountable[0].Step != before.OpenStep.Name ||
		!strings.Contains(rep.Uncountable[0].Reason, "(2016-2027)") || len(rep.Lapsed) != 0 {
		t.Fatalf("report %+v", rep)
	}
	h.unchanged(before)
	if h.wf.sends(before.OpenStep.Token) != 0 {
		t.Fatal("the engine was told of a lapse not applied")
	}
}
