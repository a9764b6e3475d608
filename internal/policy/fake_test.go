package policy_test

import (
	"errors"
	"fmt"
	"time"

	"attestation/internal/policy"
)

// fakeCalendar is a working-day calendar for unit tests: Monday to Friday, minus a few fixed
// holidays, over 2016-2027, with 2027 provisional.
type fakeCalendar struct {
	holidays    map[string]bool // YYYY-MM-DD, Asia/Almaty
	first, last int
	provisional map[int]bool
}

var _ policy.Calendar = (*fakeCalendar)(nil)

var errOutOfRange = errors.New("fake calendar: date outside the calendar")

func newFakeCalendar() *fakeCalendar {
	return &fakeCalendar{
		holidays: map[string]bool{
			"2025-01-01": true, "2025-01-02": true, "2025-01-07": true,
			"2025-03-10": true, // Women's Day (Sat Mar 8) carried to Monday
			"2025-03-21": true, "2025-03-24": true, "2025-03-25": true,
			"2025-05-01": true, "2025-05-07": true, "2025-05-09": true,
			"2025-12-16": true,
			"2026-01-01": true, "2026-01-02": true, "2026-01-07": true,
			"2026-03-09": true, // Women's Day (Sun Mar 8) carried to Monday
			"2026-03-23": true, "2026-03-24": true, "2026-03-25": true,
			"2026-05-01": true, "2026-05-07": true, "2026-05-27": true,
			"2026-12-16": true,
			"2027-01-01": true,
		},
		first: 2016, last: 2027,
		provisional: map[int]bool{2027: true},
	}
}

func almaty() *time.Location {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		panic(err)
	}
	return loc
}

func (c *fakeCalendar) date(t time.Time) (time.Time, error) {
	y, m, d := t.In(almaty()).Date()
	if y < c.first || y > c.last {
		return time.Time{}, fmt.Errorf("%04d-%02d-%02d: %w", y, m, d, errOutOfRange)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, almaty()), nil
}

func (c *fakeCalendar) working(d time.Time) bool {
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !c.holidays[d.Format(time.DateOnly)]
}

func (c *fakeCalendar) AddWorkingDays(from time.Time, n int) (time.Time, error) {
	if n < 1 {
		return time.Time{}, fmt.Errorf("fake calendar: %d working days", n)
	}
	d, err := c.date(from)
	if err != nil {
		return time.Time{}, err
	}
	for n > 0 {
		if d, err = c.date(d.AddDate(0, 0, 1)); err != nil {
			return time.Time{}, err
		}
		if c.working(d) {
			n--
		}
	}
	return d.Add(24*time.Hour - time.Second), nil
}

func (c *fakeCalendar) IsWorkingDay(t time.Time) (bool, error) {
	d, err := c.date(t)
	if err != nil {
		return false, err
	}
	return c.working(d), nil
}

func (c *fakeCalendar) IsProvisional(t time.Time) bool {
	return c.provisional[t.In(almaty()).Year()]
}

func (c *fakeCalendar) NextWorkingDay(t time.Time) (time.Time, error) {
	d, err := c.date(t)
	if err != nil {
		return time.Time{}, err
	}
	for !c.working(d) {
		if d, err = c.date(d.AddDate(0, 0, 1)); err != nil {
			return time.Time{}, err
		}
	}
	return d, nil
}

// at is a moment in Asia/Almaty.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, almaty())
}

// endOf is 23:59:59 Asia/Almaty of a date.
func endOf(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 23, 59, 59, 0, almaty())
}
