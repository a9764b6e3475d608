package policy

import (
	"fmt"
	"sync"
	"time"
)

// Calendar is the working-day calendar the policy counts periods with (internal/calendar implements it).
type Calendar interface {
	// AddWorkingDays returns the expiry of n>=1 working days starting the day after from: 23:59:59 of
	// its last working day, Asia/Almaty.
	AddWorkingDays(from time.Time, n int) (time.Time, error)
	// IsWorkingDay reports whether t's civil date in Asia/Almaty is a working day.
	IsWorkingDay(t time.Time) (bool, error)
	// IsProvisional reports whether t's date falls in a year whose calendar data is provisional.
	IsProvisional(t time.Time) bool
	// NextWorkingDay returns t's civil date if a working day, else the next working day, 00:00 Almaty.
	NextWorkingDay(t time.Time) (time.Time, error)
}

var almaty = sync.OnceValues(func() (*time.Location, error) {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		return nil, fmt.Errorf("policy: load time zone Asia/Almaty: %w", err)
	}
	return loc, nil
})

// Due is a step's statutory due moment.
type Due struct {
	Step        string
	Paragraph   string    // the paragraph that sets the period
	At          time.Time // the period ends at this moment (Asia/Almaty)
	From        time.Time // the moment counted from: the start, or when the office received it
	Provisional bool      // the computation rests on provisional calendar data
	Period      Period
}

// Due computes when step's period ends for an event at start. It is the one place periods are
// counted, for every step and edition:
//   - working_days: Calendar.AddWorkingDays (from the day after the start; the period ends at
//     23:59:59 of its last working day, Asia/Almaty);
//   - calendar_days and years: the corresponding date (Civil Code: a period in years ends on the
//     same date of its last year; February 29 becomes February 28), moved to the next working day
//     when the period says next_working_day, ending 23:59:59;
//   - calendar_date: that date of the start's year, moved to the next working day when the period
//     says next_working_day (§11, §12), ending 23:59:59.
//
// When the period starts with a filing received by the authority's office (office_receipt), the
// count starts from ReceivedAt(start) (standard §8). A period that extends another (standard §4:
// 51 + 48 working days) counts both amounts from the start. An unknown step is an error.
func (e *Edition) Due(cal Calendar, step string, start time.Time) (Due, error) {
	p, err := e.Period(step)
	if err != nil {
		return Due{}, err
	}
	loc, err := almaty()
	if err != nil {
		return Due{}, err
	}
	from := start.In(loc)
	if p.OfficeReceipt {
		if from, err = e.ReceivedAt(cal, start); err != nil {
			return Due{}, fmt.Errorf("policy %s: due of %s: %w", e.id, step, err) // ReceivedAt names an uncountable date
		}
	}
	n := p.Amount
	if p.Extends != "" {
		base, err := e.Period(p.Extends)
		if err != nil {
			return Due{}, err
		}
		n += base.Amount
	}
	y, m, d := from.Date()
	var at time.Time
	switch p.Unit {
	case WorkingDays:
		at, err = cal.AddWorkingDays(from, n)
	case CalendarDays:
		at, err = endOfDate(cal, time.Date(y, m, d+n, 0, 0, 0, 0, loc), p.NextWorkingDay)
	case Years:
		at, err = endOfDate(cal, sameDate(y+n, m, d, loc), p.NextWorkingDay)
	case CalendarDate:
		at, err = endOfDate(cal, sameDate(y, p.Month, p.Day, loc), p.NextWorkingDay)
	default:
		err = fmt.Errorf("unit %q", p.Unit)
	}
	if err != nil {
		return Due{}, uncountable(fmt.Errorf("policy %s: due of %s (%s from %s): %w", e.id, step, p.Paragraph, from.Format(time.DateTime), err),
			fmt.Sprintf("the period of %s (%s, %s from %s)", p.Paragraph, step, limitOf(p, n), from.Format(time.DateOnly)))
	}
	first := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	if p.Unit == CalendarDate {
		first = at
	}
	return Due{
		Step:        step,
		Paragraph:   p.Paragraph,
		At:          at,
		From:        from,
		Provisional: provisional(cal, first, at),
		Period:      p,
	}, nil
}

// limitOf is the period's length as counted: n units (an extended period counts both amounts),
// or the date of the year.
func limitOf(p Period, n int) string {
	if p.Unit == CalendarDate || p.Unit == "" {
		return p.Limit()
	}
	q := p
	q.Amount = n
	return q.Limit()
}

// sameDate is year-month-day at 00:00 in loc; a day past the month's end (February 29 in a
// common year) becomes the month's last day, as the Civil Code counts periods in years.
func sameDate(year int, month time.Month, day int, loc *time.Location) time.Time {
	if last := time.Date(year, month+1, 0, 0, 0, 0, 0, loc).Day(); day > last {
		day = last
	}
	return time.Date(year, month, day, 0, 0, 0, 0, loc)
}

// endOfDate returns 23:59:59 of date d, or of the next working day when d is a day off and next is set.
func endOfDate(cal Calendar, d time.Time, next bool) (time.Time, error) {
	if next {
		var err error
		if d, err = cal.NextWorkingDay(d); err != nil {
			return time.Time{}, err
		}
	}
	y, m, day := d.Date()
	return time.Date(y, m, day, 23, 59, 59, 0, d.Location()), nil
}

// provisional reports whether any year from first to last has provisional calendar data.
func provisional(cal Calendar, first, last time.Time) bool {
	for y := first.Year(); y <= last.Year(); y++ {
		probe := time.Date(y, time.July, 1, 12, 0, 0, 0, first.Location())
		if y == first.Year() {
			probe = first
		}
		if cal.IsProvisional(probe) {
			return true
		}
	}
	return false
}

// CallbackTimeout returns the TimeoutSeconds of the Step Functions callback state that waits on
// step: from start to the due moment plus the edition's margin, rounded up to a whole second and at
// least 1. The daily deadline check acts on the legal due moment; the timeout is the safety net.
func (e *Edition) CallbackTimeout(cal Calendar, step string, start time.Time) (int64, error) {
	d, err := e.Due(cal, step, start)
	if err != nil {
		return 0, err
	}
	var end time.Time
	switch e.margin.Unit {
	case WorkingDays:
		end, err = cal.AddWorkingDays(d.At, e.margin.Amount)
	case CalendarDays:
		y, m, day := d.At.Date()
		end = time.Date(y, m, day+e.margin.Amount, 23, 59, 59, 0, d.At.Location())
	default:
		err = fmt.Errorf("margin unit %q", e.margin.Unit)
	}
	if err != nil {
		return 0, uncountable(fmt.Errorf("policy %s: callback timeout of %s: %w", e.id, step, err),
			fmt.Sprintf("the safety margin after the period of %s (%s, due %s)", d.Paragraph, step, d.At.Format(time.DateOnly)))
	}
	span := end.Sub(start)
	secs := int64(span / time.Second)
	if span%time.Second > 0 {
		secs++
	}
	return max(secs, 1), nil
}

// ReceivedAt returns when the authority's office counts a filing made at filed as received
// (standard §8): filed itself within the acceptance hours of a working day (09:00-13:00 and
// 14:30-17:30, each window [from, to)), else the next moment the office accepts filings: after
// lunch the same day, or 09:00 of the next working day.
func (e *Edition) ReceivedAt(cal Calendar, filed time.Time) (time.Time, error) {
	loc, err := almaty()
	if err != nil {
		return time.Time{}, err
	}
	t := filed.In(loc)
	for range 3 {
		y, m, d := t.Date()
		ok, err := cal.IsWorkingDay(t)
		if err != nil {
			return time.Time{}, uncountable(fmt.Errorf("policy %s: receipt of a filing at %s: %w", e.id, filed.Format(time.RFC3339), err),
				"the day the authority's office receives it (standard §8)")
		}
		if ok {
			for _, w := range e.office.AcceptanceHours {
				open := time.Date(y, m, d, 0, w.from, 0, 0, loc)
				closing := time.Date(y, m, d, 0, w.to, 0, 0, loc)
				if t.Before(open) {
					return open, nil
				}
				if t.Before(closing) {
					return t, nil
				}
			}
		}
		if t, err = cal.NextWorkingDay(time.Date(y, m, d+1, 0, 0, 0, 0, loc)); err != nil {
			return time.Time{}, uncountable(fmt.Errorf("policy %s: receipt of a filing at %s: %w", e.id, filed.Format(time.RFC3339), err),
				"the day the authority's office receives it (standard §8)")
		}
		t = t.In(loc)
	}
	return time.Time{}, fmt.Errorf("policy %s: receipt of a filing at %s: the calendar gives no working day with office hours", e.id, filed.Format(time.RFC3339))
}

// ApplicationWindowCloses returns the last moment an application of year is accepted (§12: no later
// than November 1, moved to the next working day when it is a day off): 23:59:59 Asia/Almaty. Compare
// it with ReceivedAt of the filing, so a filing after office hours on the last day is late.
func (e *Edition) ApplicationWindowCloses(cal Calendar, year int) (time.Time, error) {
	return e.dateOfYear(cal, StepApplicationWindow, year)
}

// AnnualPlanDue returns the deadline of the year's list of objects planned for attestation (§11:
// no later than March 1, moved to the next working day when it is a day off): 23:59:59 Asia/Almaty.
func (e *Edition) AnnualPlanDue(cal Calendar, year int) (time.Time, error) {
	return e.dateOfYear(cal, StepAnnualPlan, year)
}

func (e *Edition) dateOfYear(cal Calendar, step string, year int) (time.Time, error) {
	p, err := e.Period(step)
	if err != nil {
		return time.Time{}, err
	}
	if p.Unit != CalendarDate {
		return time.Time{}, fmt.Errorf("policy %s: %s is not a date of the year (unit %s)", e.id, step, p.Unit)
	}
	loc, err := almaty()
	if err != nil {
		return time.Time{}, err
	}
	d, err := e.Due(cal, step, time.Date(year, time.January, 1, 0, 0, 0, 0, loc))
	if err != nil {
		return time.Time{}, err
	}
	return d.At, nil
}
