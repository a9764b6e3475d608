// Package calendar is the working-day calendar of the Republic of Kazakhstan for
// the five-day working week of state bodies, from 2016 through 2027. Every
// deadline of the attestation procedure is counted with it.
//
// A day is a working day unless it is a Saturday or Sunday, a holiday (Law of
// 13 December 2001 No. 267-II "On holidays in the Republic of Kazakhstan", arts.
// 2, 3 and 5; the religious days off Orthodox Christmas and Kurban Ait, Labour
// Code art. 84(5)), a day off carried from a national or state holiday that fell
// on a weekend (Law "On holidays", art. 5; never from a religious day off), or a day
// off by a yearly transfer (Labour Code of 23 November 2015 No. 414-V, art. 85(3):
// Government decree up to 2023, ministerial order from 2024); a transfer also
// makes a day off a working day. The data lives in data/kz.yaml, turned into Go
// values by go generate (kz_gen.go) and validated on first use; each year is final or provisional and names
// its source.
//
// Dates are civil dates in Kazakhstan time, the Asia/Almaty zone of the tz
// database (embedded with time/tzdata): UTC+6 before 2024-03-01 and UTC+5 from
// then. A date the calendar does not cover is an error matching ErrOutOfRange,
// never a guess.
package calendar

import (
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Almaty even where the system has no zone files (AWS Lambda provided.al2023).
)

// zoneName is the tz database zone of Kazakhstan time (one zone for the whole
// country from 2024-03-01).
const zoneName = "Asia/Almaty"

// Calendar is a working-day calendar compiled from validated data. It is
// immutable and safe for concurrent use.
type Calendar struct {
	loc         *time.Location
	first, last int
	base        int64 // dayNumber of January 1 of first

	days   []day   // one per civil day, January 1 of first to December 31 of last
	prefix []int32 // prefix[i]: working days among days[:i]
	work   []int32 // the indexes of the working days, in order

	years     []yearInfo // indexed by year-first
	holidays  []holiday
	carries   []carry
	transfers []transfer
}

type yearInfo struct {
	provisional bool
	source      string
}

type holiday struct {
	name, kind, source string
	carry              bool
}

// carry is a day off carried under the weekend rule from a holiday on a weekend.
type carry struct {
	holiday int16
	from    int32 // day index of the holiday (negative in the year before first)
}

// transfer is a transfer of a day off from workingDay to dayOff.
type transfer struct {
	dayOff, workingDay int32 // day indexes
	act, note          string
	replaced           dayKind // what workingDay was before the transfer
	replacedRef        int32
}

type dayKind uint8

const (
	kindWorking         dayKind = iota // an ordinary working day
	kindWeekend                        // Saturday or Sunday
	kindHoliday                        // ref: holiday
	kindCarried                        // ref: carry
	kindTransferOff                    // ref: transfer
	kindTransferWorking                // ref: transfer
)

func (k dayKind) String() string {
	switch k {
	case kindWorking:
		return "working day"
	case kindWeekend:
		return "weekend"
	case kindHoliday:
		return "holiday"
	case kindCarried:
		return "day off carried under the weekend rule"
	case kindTransferOff:
		return "day off by transfer"
	case kindTransferWorking:
		return "working day by transfer"
	}
	return fmt.Sprintf("dayKind(%d)", uint8(k))
}

type day struct {
	kind dayKind
	ref  int32
}

func (d day) working() bool { return d.kind == kindWorking || d.kind == kindTransferWorking }

var kazakhstan = sync.OnceValues(func() (*Calendar, error) {
	loc, err := loadLocation()
	if err != nil {
		return nil, err
	}
	c := kazakhstanCompiled
	c.loc = loc
	return &c, nil
})

// Kazakhstan returns the working-day calendar of Kazakhstan compiled from its data (data/kz.yaml):
// go generate validates and compiles the data into kz_days_gen.go, whose tables sit in the binary,
// and TestGeneratedCalendarMatchesYAML fails when they are not what compile builds from the data.
// Only the time zone is loaded (and checked) at the first call; later calls return the same
// calendar (or the same error).
func Kazakhstan() (*Calendar, error) { return kazakhstan() }

// loadLocation loads Asia/Almaty and checks that the tz database knows the move
// of Kazakhstan to UTC+5 on 2024-03-01, so a stale zone file cannot shift a
// deadline by an hour.
func loadLocation() (*time.Location, error) {
	loc, err := time.LoadLocation(zoneName)
	if err != nil {
		return nil, fmt.Errorf("calendar: load time zone %s: %w", zoneName, err)
	}
	_, before := time.Date(2024, time.February, 28, 12, 0, 0, 0, loc).Zone()
	_, after := time.Date(2024, time.March, 1, 12, 0, 0, 0, loc).Zone()
	if before != 6*3600 || after != 5*3600 {
		return nil, fmt.Errorf("calendar: time zone %s is stale: want UTC+6 before 2024-03-01 and UTC+5 from then, got offsets %ds and %ds", zoneName, before, after)
	}
	return loc, nil
}

// Location returns the time zone of the calendar's civil dates: Asia/Almaty.
func (c *Calendar) Location() *time.Location { return c.loc }

// Years returns the first and the last year the calendar covers.
func (c *Calendar) Years() (first, last int) { return c.first, c.last }

// YearStatus reports whether year's data is provisional (expected dates that may
// still change) rather than final, and the source the data rests on. A year
// outside the calendar is an error matching ErrOutOfRange.
func (c *Calendar) YearStatus(year int) (provisional bool, source string, err error) {
	if year < c.first || year > c.last {
		return false, "", &OutOfRangeError{Date: time.Date(year, time.January, 1, 0, 0, 0, 0, c.loc), First: c.first, Last: c.last}
	}
	y := c.years[year-c.first]
	return y.provisional, y.source, nil
}

// IsProvisional reports whether the civil date of t (in Asia/Almaty) falls in a
// year whose data is provisional. It is false for a date outside the calendar,
// which every computation refuses anyway.
func (c *Calendar) IsProvisional(t time.Time) bool {
	y := t.In(c.loc).Year()
	return y >= c.first && y <= c.last && c.years[y-c.first].provisional
}

// index returns the day index of the civil date of t in Asia/Almaty.
func (c *Calendar) index(t time.Time) (int, error) {
	y, m, d := t.In(c.loc).Date()
	i := dayNumber(y, m, d) - c.base
	if i < 0 || i >= int64(len(c.days)) {
		return 0, &OutOfRangeError{Date: time.Date(y, m, d, 0, 0, 0, 0, c.loc), First: c.first, Last: c.last}
	}
	return int(i), nil
}

// civil returns the civil date of day index i (which may lie outside the table).
func (c *Calendar) civil(i int) (int, time.Month, int) {
	return time.Unix((c.base+int64(i))*86400, 0).UTC().Date()
}

// outOfRange is the error for day index i, which lies outside the table.
func (c *Calendar) outOfRange(i int) error {
	y, m, d := c.civil(i)
	return &OutOfRangeError{Date: time.Date(y, m, d, 0, 0, 0, 0, c.loc), First: c.first, Last: c.last}
}

// IsWorkingDay reports whether the civil date of t in Asia/Almaty is a working
// day of the five-day week.
func (c *Calendar) IsWorkingDay(t time.Time) (bool, error) {
	i, err := c.index(t)
	if err != nil {
		return false, err
	}
	return c.days[i].working(), nil
}

// AddWorkingDays returns when a period of n working days that starts on the day
// after the civil date of from expires: 23:59:59 Asia/Almaty of its n-th working
// day (Civil Code: a period in days runs from the day after the event and ends at
// the close of its last day; a last day that is not a working day moves to the
// next working day, which counting working days does by itself). n must be at
// least 1 (else ErrInvalidPeriod). A from outside the calendar, or a period that
// runs past its last year, is an error matching ErrOutOfRange.
func (c *Calendar) AddWorkingDays(from time.Time, n int) (time.Time, error) {
	j, err := c.addWorkingDays(from, n)
	if err != nil {
		return time.Time{}, err
	}
	return c.endOfDay(j), nil
}

// AddWorkingDaysProvisional is AddWorkingDays that also reports whether the due
// time rests on provisional data: whether any day of the period, from the day
// after from to the due date, lies in a provisional year.
func (c *Calendar) AddWorkingDaysProvisional(from time.Time, n int) (due time.Time, provisional bool, err error) {
	j, err := c.addWorkingDays(from, n)
	if err != nil {
		return time.Time{}, false, err
	}
	i, _ := c.index(from) // addWorkingDays has checked from
	y0, _, _ := c.civil(i + 1)
	y1, _, _ := c.civil(j)
	for y := y0; y <= y1; y++ {
		if c.years[y-c.first].provisional {
			provisional = true
			break
		}
	}
	return c.endOfDay(j), provisional, nil
}

// addWorkingDays returns the day index of the n-th working day after from.
func (c *Calendar) addWorkingDays(from time.Time, n int) (int, error) {
	if n < 1 {
		return 0, fmt.Errorf("add %d working days: %w", n, ErrInvalidPeriod)
	}
	i, err := c.index(from)
	if err != nil {
		return 0, err
	}
	k := int(c.prefix[i+1]) + n // working days up to and including the last day of the period
	if k > len(c.work) {
		return 0, fmt.Errorf("add %d working days to %s: %w", n, from.In(c.loc).Format(time.DateOnly), c.outOfRange(len(c.days)))
	}
	return int(c.work[k-1]), nil
}

// endOfDay returns 23:59:59 Asia/Almaty of day index i. On 2024-02-29, when
// 23:00-24:00 came twice, it is the later one (UTC+5), the true end of that day.
func (c *Calendar) endOfDay(i int) time.Time {
	y, m, d := c.civil(i)
	return time.Date(y, m, d, 23, 59, 59, 0, c.loc)
}

// WorkingDaysBetween counts the working days after the civil date of from up to
// and including the civil date of to (both in Asia/Almaty); it is 0 when to's
// date is not after from's. Both dates must lie in the calendar.
func (c *Calendar) WorkingDaysBetween(from, to time.Time) (int, error) {
	fi, err := c.index(from)
	if err != nil {
		return 0, err
	}
	ti, err := c.index(to)
	if err != nil {
		return 0, err
	}
	if ti <= fi {
		return 0, nil
	}
	return int(c.prefix[ti+1] - c.prefix[fi+1]), nil
}

// NextWorkingDay returns 00:00 Asia/Almaty of the civil date of t if it is a
// working day, else of the next working day: the Civil Code rule that a deadline
// set as a calendar date ("no later than November 1") that falls on a day off
// moves to the next working day.
func (c *Calendar) NextWorkingDay(t time.Time) (time.Time, error) {
	i, err := c.index(t)
	if err != nil {
		return time.Time{}, err
	}
	k := int(c.prefix[i])
	if k >= len(c.work) {
		return time.Time{}, fmt.Errorf("next working day on or after %s: %w", t.In(c.loc).Format(time.DateOnly), c.outOfRange(len(c.days)))
	}
	y, m, d := c.civil(int(c.work[k]))
	return time.Date(y, m, d, 0, 0, 0, 0, c.loc), nil
}

// DayOff reports whether the civil date of t in Asia/Almaty is a day off and
// why, in words for staff: "weekend (Saturday)", "holiday: Nauryz Meiramy",
// "day off carried from Victory Day on Sat 2020-05-09 (weekend rule, ...)",
// "day off by transfer from Sat 2016-03-05 (act)". For a working day reason is
// "working day", or says which transfer made it one.
func (c *Calendar) DayOff(t time.Time) (reason string, off bool, err error) {
	i, err := c.index(t)
	if err != nil {
		return "", false, err
	}
	d := c.days[i]
	switch d.kind {
	case kindWeekend:
		y, m, dd := c.civil(i)
		return fmt.Sprintf("weekend (%s)", time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Weekday()), true, nil
	case kindHoliday:
		h := c.holidays[d.ref]
		if h.kind == "religious" {
			return "religious day off: " + h.name, true, nil
		}
		return "holiday: " + h.name, true, nil
	case kindCarried:
		cr := c.carries[d.ref]
		return fmt.Sprintf("day off carried from %s on %s (weekend rule, Law \"On holidays\", art. 5)",
			c.holidays[cr.holiday].name, c.label(int(cr.from))), true, nil
	case kindTransferOff:
		tr := c.transfers[d.ref]
		return fmt.Sprintf("day off by transfer from %s (%s)%s", c.label(int(tr.workingDay)), tr.act, noteSuffix(tr.note)), true, nil
	case kindTransferWorking:
		tr := c.transfers[d.ref]
		was := "day off"
		if tr.replaced == kindCarried {
			cr := c.carries[tr.replacedRef]
			was = fmt.Sprintf("day off carried from %s on %s", c.holidays[cr.holiday].name, c.label(int(cr.from)))
		}
		return fmt.Sprintf("working day by transfer: the %s moved to %s (%s)%s", was, c.label(int(tr.dayOff)), tr.act, noteSuffix(tr.note)), false, nil
	}
	return "working day", false, nil
}

// label formats day index i as "Sat 2020-05-09".
func (c *Calendar) label(i int) string {
	y, m, d := c.civil(i)
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format("Mon 2006-01-02")
}

func noteSuffix(note string) string {
	if note == "" {
		return ""
	}
	return "; " + note
}
