package calendar

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The calendar data is written in data/kz.yaml; go generate turns it into Go values in
// kz_gen.go (kazakhstanSpec), checks and compiles them, and writes the compiled calendar into
// kz_days_gen.go (kazakhstanCompiled), so a function neither decodes YAML nor builds the day
// tables at cold start. TestGeneratedCalendarMatchesYAML fails when either file is not what
// data/kz.yaml gives.
//
//go:generate go test . -run TestGeneratedCalendarMatchesYAML -update

// fileSpec is the YAML document as written; compile validates it into a Calendar.
type fileSpec struct {
	FirstYear         int           `yaml:"first_year"`
	LastYear          int           `yaml:"last_year"`
	Weekend           []string      `yaml:"weekend"`
	WeekendRuleSource string        `yaml:"weekend_rule_source"`
	Holidays          []holidaySpec `yaml:"holidays"`
	Years             []yearSpec    `yaml:"years"`
}

// holidaySpec is one holiday rule: month-day dates repeated in the years it
// applies, or full dates of a holiday announced each year.
type holidaySpec struct {
	Name     string   `yaml:"name"`
	Kind     string   `yaml:"kind"`
	Dates    []string `yaml:"dates"`
	OnDates  []string `yaml:"on_dates"`
	EachYear bool     `yaml:"each_year"`
	Years    []string `yaml:"years"`
	Carry    *bool    `yaml:"carry"`
	Source   string   `yaml:"source"`
}

// yearSpec is one covered year: its status, its source and its transfers.
type yearSpec struct {
	Year      int            `yaml:"year"`
	Status    string         `yaml:"status"`
	Source    string         `yaml:"source"`
	Transfers []transferSpec `yaml:"transfers"`
}

// transferSpec is one transfer of a day off: DayOff becomes a day off and
// WorkingDay a working day. Both are written "YYYY-MM-DD Www".
type transferSpec struct {
	DayOff     string `yaml:"day_off"`
	WorkingDay string `yaml:"working_day"`
	Act        string `yaml:"act"`
	Note       string `yaml:"note"`
}

const (
	statusFinal       = "final"
	statusProvisional = "provisional"
)

// holidayKinds are the kinds of holiday: national (Law "On holidays in the
// Republic of Kazakhstan", art. 2), state (art. 3) and religious days off (Labour
// Code art. 84(5)).
var holidayKinds = map[string]bool{"national": true, "state": true, "religious": true}

// dataError names the field of the calendar data that is wrong.
func dataError(field, format string, args ...any) error {
	return fmt.Errorf("calendar data: %s: %s", field, fmt.Sprintf(format, args...))
}

// yearRange is a period of years, inclusive at both ends.
type yearRange struct{ from, until int }

func (r yearRange) has(y int) bool { return r.from <= y && y <= r.until }

// parseYears reads the periods a holiday applies: "2012-2021", "from 2022",
// "until 2025" or a single year "2016"; none means every year.
func parseYears(field string, list []string) ([]yearRange, error) {
	if len(list) == 0 {
		return []yearRange{{from: minYear, until: maxYear}}, nil
	}
	out := make([]yearRange, 0, len(list))
	for k, s := range list {
		f := fmt.Sprintf("%s[%d]", field, k)
		var r yearRange
		var err error
		switch {
		case strings.HasPrefix(s, "from "):
			r.until = maxYear
			r.from, err = parseYear(strings.TrimPrefix(s, "from "))
		case strings.HasPrefix(s, "until "):
			r.from = minYear
			r.until, err = parseYear(strings.TrimPrefix(s, "until "))
		case strings.Contains(s, "-"):
			a, b, _ := strings.Cut(s, "-")
			r.from, err = parseYear(a)
			if err == nil {
				r.until, err = parseYear(b)
			}
		default:
			r.from, err = parseYear(s)
			r.until = r.from
		}
		if err != nil {
			return nil, dataError(f, "%q is not a period of years (write \"2012-2021\", \"from 2022\", \"until 2025\" or \"2016\")", s)
		}
		if r.from > r.until {
			return nil, dataError(f, "%q ends before it starts", s)
		}
		for _, prev := range out {
			if r.from <= prev.until && prev.from <= r.until {
				return nil, dataError(f, "%q overlaps another period of the same holiday", s)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

const (
	minYear = 1900
	maxYear = 2200
)

func parseYear(s string) (int, error) {
	if len(s) != 4 {
		return 0, errors.New("not a four-digit year")
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < minYear || y > maxYear {
		return 0, errors.New("not a year")
	}
	return y, nil
}

// parseMonthDay reads "MM-DD". February 29 is refused: a rule must name a day
// every year has.
func parseMonthDay(s string) (time.Month, int, error) {
	if len(s) != 5 || s[2] != '-' {
		return 0, 0, errors.New("not MM-DD")
	}
	m, err1 := strconv.Atoi(s[:2])
	d, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || m < 1 || m > 12 {
		return 0, 0, errors.New("not MM-DD")
	}
	// 2001 is not a leap year, so 02-29 is refused with the impossible dates.
	if d < 1 || d > daysIn(2001, time.Month(m)) {
		return 0, 0, errors.New("no such day in every year")
	}
	return time.Month(m), d, nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseDate reads "YYYY-MM-DD" strictly.
func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, errors.New("not a date YYYY-MM-DD")
	}
	return t, nil
}

// weekdayAbbr are the weekday abbreviations of the transfer dates.
var weekdayAbbr = map[string]time.Weekday{
	"Sun": time.Sunday, "Mon": time.Monday, "Tue": time.Tuesday, "Wed": time.Wednesday,
	"Thu": time.Thursday, "Fri": time.Friday, "Sat": time.Saturday,
}

// weekdayName are the full weekday names of the weekend list.
var weekdayName = map[string]time.Weekday{
	"Sunday": time.Sunday, "Monday": time.Monday, "Tuesday": time.Tuesday, "Wednesday": time.Wednesday,
	"Thursday": time.Thursday, "Friday": time.Friday, "Saturday": time.Saturday,
}

// parseClaimedDate reads "YYYY-MM-DD Www" and checks that the date is that weekday.
func parseClaimedDate(field, s string) (time.Time, error) {
	ds, ws, ok := strings.Cut(s, " ")
	if !ok {
		return time.Time{}, dataError(field, "%q: write the date and its weekday, like \"2016-03-05 Sat\"", s)
	}
	t, err := parseDate(ds)
	if err != nil {
		return time.Time{}, dataError(field, "%q: %v", s, err)
	}
	wd, ok := weekdayAbbr[ws]
	if !ok {
		return time.Time{}, dataError(field, "%q: %q is not a weekday (Mon, Tue, Wed, Thu, Fri, Sat, Sun)", s, ws)
	}
	if t.Weekday() != wd {
		return time.Time{}, dataError(field, "%s is a %s, not %s as claimed", ds, t.Weekday(), wd)
	}
	return t, nil
}

// compile validates spec and builds the per-day table of the covered years.
func compile(spec *fileSpec, loc *time.Location) (*Calendar, error) {
	first, last := spec.FirstYear, spec.LastYear
	if first == 0 {
		return nil, dataError("first_year", "missing")
	}
	if last == 0 {
		return nil, dataError("last_year", "missing")
	}
	if first < minYear+1 || last > maxYear || first > last {
		return nil, dataError("first_year", "%d-%d is not a valid span of years", first, last)
	}
	if strings.TrimSpace(spec.WeekendRuleSource) == "" {
		return nil, dataError("weekend_rule_source", "missing")
	}
	var weekend [7]bool
	if len(spec.Weekend) == 0 {
		return nil, dataError("weekend", "missing")
	}
	for k, name := range spec.Weekend {
		wd, ok := weekdayName[name]
		if !ok {
			return nil, dataError(fmt.Sprintf("weekend[%d]", k), "%q is not a weekday name (Saturday, Sunday, ...)", name)
		}
		if weekend[wd] {
			return nil, dataError(fmt.Sprintf("weekend[%d]", k), "%s is listed twice", name)
		}
		weekend[wd] = true
	}

	c := &Calendar{
		loc:   loc,
		first: first,
		last:  last,
		base:  dayNumber(first, time.January, 1),
		years: make([]yearInfo, last-first+1),
	}
	c.holidays = make([]holiday, 0, len(spec.Holidays))

	// The table is built from January 1 of the year before the first one, so
	// that a holiday late in that year can carry into the first year.
	padBase := dayNumber(first-1, time.January, 1)
	total := int(dayNumber(last+1, time.January, 1) - padBase)
	pad := int(c.base - padBase)
	holidayAt := make([]int16, total)
	for i := range holidayAt {
		holidayAt[i] = -1
	}
	mark := func(field string, h int, t time.Time) error {
		i := int(dayNumber(t.Date()) - padBase)
		if i < 0 || i >= total {
			return nil
		}
		if prev := holidayAt[i]; prev >= 0 {
			if int(prev) == h {
				return dataError(field, "%s is listed twice", t.Format(time.DateOnly))
			}
			// Two holidays on one day: the day is carried if either holiday is.
			if c.holidays[prev].carry || !c.holidays[h].carry {
				return nil
			}
		}
		holidayAt[i] = int16(h)
		return nil
	}

	for h, hs := range spec.Holidays {
		field := fmt.Sprintf("holidays[%d]", h)
		if strings.TrimSpace(hs.Name) == "" {
			return nil, dataError(field+".name", "missing")
		}
		field = fmt.Sprintf("holidays[%d] (%s)", h, hs.Name)
		if !holidayKinds[hs.Kind] {
			return nil, dataError(field+".kind", "%q is not national, state or religious", hs.Kind)
		}
		if hs.Carry == nil {
			return nil, dataError(field+".carry", "missing: say whether the weekend rule applies")
		}
		if hs.Kind == "religious" && *hs.Carry {
			return nil, dataError(field+".carry", "a religious day off is never carried (the weekend rule of the Law \"On holidays\", art. 5, covers national and state holidays only)")
		}
		if strings.TrimSpace(hs.Source) == "" {
			return nil, dataError(field+".source", "missing")
		}
		if (len(hs.Dates) == 0) == (len(hs.OnDates) == 0) {
			return nil, dataError(field, "give either dates (MM-DD) or on_dates (YYYY-MM-DD), not both or neither")
		}
		c.holidays = append(c.holidays, holiday{name: hs.Name, kind: hs.Kind, carry: *hs.Carry, source: hs.Source})
		if len(hs.Dates) > 0 {
			if hs.EachYear {
				return nil, dataError(field+".each_year", "applies only to on_dates")
			}
			ranges, err := parseYears(field+".years", hs.Years)
			if err != nil {
				return nil, err
			}
			for k, s := range hs.Dates {
				f := fmt.Sprintf("%s.dates[%d]", field, k)
				m, d, err := parseMonthDay(s)
				if err != nil {
					return nil, dataError(f, "%q: %v", s, err)
				}
				for y := first - 1; y <= last; y++ {
					for _, r := range ranges {
						if r.has(y) {
							if err := mark(f, h, time.Date(y, m, d, 0, 0, 0, 0, time.UTC)); err != nil {
								return nil, err
							}
						}
					}
				}
			}
			continue
		}
		if len(hs.Years) > 0 {
			return nil, dataError(field+".years", "applies only to dates; on_dates are full dates")
		}
		seen := make(map[int]bool)
		for k, s := range hs.OnDates {
			f := fmt.Sprintf("%s.on_dates[%d]", field, k)
			t, err := parseDate(s)
			if err != nil {
				return nil, dataError(f, "%q: %v", s, err)
			}
			if t.Year() < first || t.Year() > last {
				return nil, dataError(f, "%s is outside the years the calendar covers (%d-%d)", s, first, last)
			}
			if err := mark(f, h, t); err != nil {
				return nil, err
			}
			seen[t.Year()] = true
		}
		if hs.EachYear {
			for y := first; y <= last; y++ {
				if !seen[y] {
					return nil, dataError(field+".on_dates", "no date in %d (each_year is set)", y)
				}
			}
		}
	}

	// Statutory days off: weekends, holidays and the weekend rule (Law "On
	// holidays", art. 5). A carried day goes to the next day that is neither a
	// weekend, a holiday of any kind nor already carried; carries queue in date order.
	kinds := make([]dayKind, total)
	refs := make([]int32, total)
	var queue []int32 // pending carries: padded index of the holiday
	for i := range total {
		wd := time.Weekday((int64(i) + padBase + 4) % 7) // 1970-01-01 was a Thursday
		switch h := holidayAt[i]; {
		case h >= 0:
			kinds[i], refs[i] = kindHoliday, int32(h)
			if weekend[wd] && c.holidays[h].carry {
				queue = append(queue, int32(i))
			}
		case weekend[wd]:
			kinds[i] = kindWeekend
		case len(queue) > 0:
			kinds[i] = kindCarried
			refs[i] = int32(len(c.carries))
			from := int(queue[0])
			queue = queue[1:]
			c.carries = append(c.carries, carry{holiday: int16(holidayAt[from]), from: int32(from - pad)})
		default:
			kinds[i] = kindWorking
		}
	}

	// Years and their transfers (Labour Code art. 85(3)).
	seenYear := make(map[int]string)
	usedDay := make(map[int]string)
	for k, ys := range spec.Years {
		field := fmt.Sprintf("years[%d]", k)
		if ys.Year < first || ys.Year > last {
			return nil, dataError(field+".year", "%d is outside first_year-last_year (%d-%d)", ys.Year, first, last)
		}
		if prev, ok := seenYear[ys.Year]; ok {
			return nil, dataError(field+".year", "%d is listed twice (also %s)", ys.Year, prev)
		}
		seenYear[ys.Year] = field
		field = fmt.Sprintf("years[%d] (%d)", k, ys.Year)
		info := &c.years[ys.Year-first]
		switch ys.Status {
		case statusFinal:
		case statusProvisional:
			info.provisional = true
		default:
			return nil, dataError(field+".status", "%q is neither %s nor %s", ys.Status, statusFinal, statusProvisional)
		}
		if strings.TrimSpace(ys.Source) == "" {
			return nil, dataError(field+".source", "missing")
		}
		info.source = ys.Source
		for n, ts := range ys.Transfers {
			tf := fmt.Sprintf("%s.transfers[%d]", field, n)
			off, err := parseClaimedDate(tf+".day_off", ts.DayOff)
			if err != nil {
				return nil, err
			}
			work, err := parseClaimedDate(tf+".working_day", ts.WorkingDay)
			if err != nil {
				return nil, err
			}
			if strings.TrimSpace(ts.Act) == "" {
				return nil, dataError(tf+".act", "missing: name the act that made the transfer")
			}
			if off.Year() != ys.Year {
				return nil, dataError(tf+".day_off", "%s is not in %d", off.Format(time.DateOnly), ys.Year)
			}
			if work.Year() < first || work.Year() > last {
				return nil, dataError(tf+".working_day", "%s is outside the years the calendar covers (%d-%d)", work.Format(time.DateOnly), first, last)
			}
			oi := int(dayNumber(off.Date()) - padBase)
			wi := int(dayNumber(work.Date()) - padBase)
			for _, u := range []struct {
				f string
				i int
			}{{tf + ".day_off", oi}, {tf + ".working_day", wi}} {
				if prev, ok := usedDay[u.i]; ok {
					return nil, dataError(u.f, "the day is already used by %s", prev)
				}
				usedDay[u.i] = u.f
			}
			switch kinds[oi] {
			case kindWorking:
			case kindHoliday:
				return nil, dataError(tf+".day_off", "%s is already a day off (%s)", off.Format(time.DateOnly), c.holidays[refs[oi]].name)
			default:
				return nil, dataError(tf+".day_off", "%s is already a day off (%s)", off.Format(time.DateOnly), kinds[oi])
			}
			switch kinds[wi] {
			case kindWeekend, kindCarried:
			case kindHoliday:
				return nil, dataError(tf+".working_day", "%s is a holiday (%s); a holiday cannot be made a working day by transfer", work.Format(time.DateOnly), c.holidays[refs[wi]].name)
			default:
				return nil, dataError(tf+".working_day", "%s is already a working day", work.Format(time.DateOnly))
			}
			t := int32(len(c.transfers))
			c.transfers = append(c.transfers, transfer{
				dayOff: int32(oi - pad), workingDay: int32(wi - pad),
				act: ts.Act, note: ts.Note,
				replaced: kinds[wi], replacedRef: refs[wi],
			})
			kinds[oi], refs[oi] = kindTransferOff, t
			kinds[wi], refs[wi] = kindTransferWorking, t
		}
	}
	for y := first; y <= last; y++ {
		if _, ok := seenYear[y]; !ok {
			return nil, dataError("years", "%d is missing: every year from %d to %d needs its status and source", y, first, last)
		}
	}

	// The covered days, the running count of working days and the list of
	// working days, so that every query is a few array look-ups.
	c.days = make([]day, total-pad)
	c.prefix = make([]int32, len(c.days)+1)
	c.work = make([]int32, 0, len(c.days))
	for i := range c.days {
		c.days[i] = day{kind: kinds[pad+i], ref: refs[pad+i]}
		c.prefix[i+1] = c.prefix[i]
		if c.days[i].working() {
			c.prefix[i+1]++
			c.work = append(c.work, int32(i))
		}
	}
	return c, nil
}

// dayNumber counts days from 1970-01-01 to the civil date y-m-d.
func dayNumber(y int, m time.Month, d int) int64 {
	s := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()
	if s < 0 {
		return (s - 86399) / 86400
	}
	return s / 86400
}
