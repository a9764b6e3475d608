package attestation

import (
	"context"
	"strings"
	"testing"
	"time"

	"attestation/internal/identity"
	"attestation/internal/notice"
	"attestation/internal/policy"
)

// countWD is the end (23:59:59 Almaty) of the n-th working day after from's civil date, counted
// day by day with IsWorkingDay: an independent count of the calendar, not AddWorkingDays.
func countWD(t *testing.T, from time.Time, n int) time.Time {
	t.Helper()
	cal := kazakhstan(t)
	y, m, d := from.In(testAlmaty).Date()
	day := time.Date(y, m, d, 12, 0, 0, 0, testAlmaty)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		ok, err := cal.IsWorkingDay(day)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			n--
		}
	}
	y, m, d = day.Date()
	return time.Date(y, m, d, 23, 59, 59, 0, testAlmaty)
}

// TestStd4ServiceTermCountsTheCalendar: a case filed the day before Independence Day (Wednesday
// 2026-12-16, a holiday) gets a service term of the policy's 51 working days that skips it and
// the New Year's holidays; the §31 notice extends it by the policy's 48 (counted from the
// submission, 99 in all); the case view's term and the queue show it.
func TestStd4ServiceTermCountsTheCalendar(t *testing.T) {
	h := newHarness(t)
	h.now = kzTime(time.December, 15, 10, 0)
	id := h.newCase(caseSpec{})
	h.register(id)
	c := h.get(id)
	ed, err := policy.Load(c.Edition)
	if err != nil {
		t.Fatal(err)
	}
	base, err := ed.Period(policy.StepServiceTerm)
	if err != nil {
		t.Fatal(err)
	}
	extra, err := ed.Period(policy.StepServiceTermAdditional)
	if err != nil {
		t.Fatal(err)
	}
	want := countWD(t, c.ReceivedAt, base.Amount)
	if c.Term == nil || !c.Term.DueAt.Equal(want) || c.Term.Paragraph != "standard §4" || c.Term.Extended || c.Term.Uncountable != "" {
		t.Fatalf("term %+v, want due %s", c.Term, want)
	}
	// The naive count of weekdays would end a day earlier: the holiday is skipped.
	if naive := weekdays(c.ReceivedAt, base.Amount); !naive.Before(want) {
		t.Fatalf("the term %s does not skip the holidays (weekdays alone give %s)", want, naive)
	}
	if put, drop := TermWatch(c, []Event{{What: whatReceipt}}); !put || drop {
		t.Fatalf("the receipt's write does not watch the term: %v %v", put, drop)
	}
	items, _, err := h.svc.Queue(h.ctx, actorFor(identity.Authority), "", false, 10, "", h.now)
	if err != nil || len(items) != 1 || items[0].ServiceTerm == nil || !items[0].ServiceTerm.DueAt.Equal(want) {
		t.Fatalf("queue %+v %v", items, err)
	}
	// Standard §4: with the applicant's §31 notice the term is 51 + 48 working days from the submission.
	c.Stage = StageRectificationNotice
	ext, err := h.svc.rules.serviceTerm(c, true)
	if err != nil {
		t.Fatal(err)
	}
	if w := countWD(t, c.ReceivedAt, base.Amount+extra.Amount); !ext.Extended || !ext.DueAt.Equal(w) {
		t.Fatalf("extended %+v, want %s", ext, w)
	}
}

func weekdays(from time.Time, n int) time.Time {
	y, m, d := from.In(testAlmaty).Date()
	day := time.Date(y, m, d, 12, 0, 0, 0, testAlmaty)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	y, m, d = day.Date()
	return time.Date(y, m, d, 23, 59, 59, 0, testAlmaty)
}

// memTerms is the terms' watch on the harness's store: every case it holds.
type memTerms struct {
	h       *harness
	dropped []string
}

func (m *memTerms) TermsDue(ctx context.Context, at time.Time, limit int) ([]string, error) {
	m.h.store.mu.Lock()
	defer m.h.store.mu.Unlock()
	var ids []string
	for id := range m.h.store.cases {
		ids = append(ids, id)
	}
	return ids, nil
}

func (m *memTerms) DropTermWatch(ctx context.Context, id string) error {
	m.dropped = append(m.dropped, id)
	return nil
}

// TestStd4CasePastTheServiceTermIsFlaggedOnce: a case driven past its service term with its open
// step still on time is flagged overdue by the deadline check, once, with a notification to the
// authority written with the flag; the case view explains the breach as the service term's, not
// a stage's.
func TestStd4CasePastTheServiceTermIsFlaggedOnce(t *testing.T) {
	h := newHarness(t)
	id := h.newCase(caseSpec{})
	h.register(id)
	c := h.get(id)
	due := c.Term.DueAt
	check := NewTermCheck(h.svc, &memTerms{h: h})
	if rep, err := check.Check(h.ctx, due); err != nil || len(rep.(TermReport).Overdue) != 0 {
		t.Fatalf("at its due moment: %+v %v", rep, err)
	}
	// The open step is moved to be still on time: every stage kept its period.
	c = h.get(id)
	c.OpenStep.DueAt = due.Add(72 * time.Hour)
	c.Version++
	if err := h.store.Update(h.ctx, c); err != nil {
		t.Fatal(err)
	}
	after := due.Add(time.Second)
	if got := TermBreach(h.get(id), after); !strings.Contains(got, "the breach is the service term's, not a stage's") {
		t.Fatalf("breach %q", got)
	}
	rep, err := check.Check(h.ctx, after)
	if err != nil || len(rep.(TermReport).Overdue) != 1 {
		t.Fatalf("past the term: %+v %v", rep, err)
	}
	if rep, _ := check.Check(h.ctx, after.Add(time.Hour)); len(rep.(TermReport).Overdue) != 0 {
		t.Fatalf("flagged twice: %+v", rep)
	}
	c = h.get(id)
	hist := h.history(id)
	last := hist[len(hist)-1]
	if !c.Term.Overdue || !strings.HasPrefix(last.What, whatTermOverdue) {
		t.Fatalf("term %+v, last event %q", c.Term, last.What)
	}
	ns := Notices(c, []Event{last})
	if len(ns) != 1 || ns[0].Kind != notice.ServiceTermOverdue || ns[0].To.Role != identity.Authority || ns[0].DueAt == nil || !ns[0].DueAt.Equal(due) {
		t.Fatalf("the authority's notification %+v", ns)
	}
	if _, drop := TermWatch(c, []Event{last}); !drop {
		t.Fatal("the flag's write keeps the watch")
	}
}

// TestStd4UncountableTermIsNamedNotRefused: a case whose service term runs past the calendar's
// last year is registered all the same; its term names the year, and the deadline check lists it.
func TestStd4UncountableTermIsNamedNotRefused(t *testing.T) {
	h := newHarness(t)
	_, last := kazakhstan(t).Years()
	h.now = time.Date(last, time.December, 1, 10, 0, 0, 0, testAlmaty)
	id := h.newCase(caseSpec{})
	h.register(id)
	c := h.get(id)
	if c.Term == nil || c.Term.Uncountable == "" || c.Term.Year != last+1 || !strings.Contains(c.Term.Uncountable, "calendar") {
		t.Fatalf("term %+v", c.Term)
	}
	rep, err := NewTermCheck(h.svc, &memTerms{h: h}).Check(h.ctx, h.now)
	if err != nil || len(rep.(TermReport).Uncountable) != 1 || rep.(TermReport).Uncountable[0].Year != last+1 {
		t.Fatalf("%+v %v", rep, err)
	}
}
