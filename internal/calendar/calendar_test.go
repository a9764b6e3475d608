package calendar

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// kz returns the embedded calendar or stops the test.
func kz(tb testing.TB) *Calendar {
	tb.Helper()
	c, err := Kazakhstan()
	if err != nil {
		tb.Fatalf("Kazakhstan(): %v", err)
	}
	return c
}

// almaty is the civil date y-m-d at hh:mm in Asia/Almaty.
func almaty(tb testing.TB, y int, m time.Month, d, hh, mm int) time.Time {
	tb.Helper()
	return time.Date(y, m, d, hh, mm, 0, 0, kz(tb).Location())
}

// date parses "2006-01-02" as noon Asia/Almaty.
func date(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation(time.DateOnly, s, kz(tb).Location())
	if err != nil {
		tb.Fatalf("bad test date %q: %v", s, err)
	}
	return t.Add(12 * time.Hour)
}

// endOf is 23:59:59 Asia/Almaty of the civil date s.
func endOf(tb testing.TB, s string) time.Time {
	tb.Helper()
	t := date(tb, s)
	return time.Date(t.Year(), t.Month(), t.Day(), 23, 59, 59, 0, kz(tb).Location())
}

func mustWorking(t *testing.T, c *Calendar, day string, want bool) {
	t.Helper()
	got, err := c.IsWorkingDay(date(t, day))
	if err != nil {
		t.Fatalf("IsWorkingDay(%s): %v", day, err)
	}
	if got != want {
		reason, _, _ := c.DayOff(date(t, day))
		t.Errorf("IsWorkingDay(%s) = %v, want %v (%s)", day, got, want, reason)
	}
}

func mustAdd(t *testing.T, c *Calendar, from time.Time, n int, want time.Time) {
	t.Helper()
	got, err := c.AddWorkingDays(from, n)
	if err != nil {
		t.Fatalf("AddWorkingDays(%s, %d): %v", from, n, err)
	}
	if !got.Equal(want) {
		t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", from, n, got, want)
	}
	if got.Location() != c.Location() {
		t.Errorf("AddWorkingDays(%s, %d) is in %s, want %s", from, n, got.Location(), c.Location())
	}
}

// TestWorkingDaysPerYear asserts the number of working days of the five-day week
// in every covered year, counted day by day and by WorkingDaysBetween.
func TestWorkingDaysPerYear(t *testing.T) {
	c := kz(t)
	tests := []struct {
		year, want int
	}{
		// 2016: egov.kz holiday calendar: 121 days off in 366 days.
		{2016, 245},
		// 2017: computed; every day off checked against the 2017 calendar as reported
		// (Jan 3 carried, Mar 20 and Jul 7 by transfer, Dec 18-19 carried).
		{2017, 245},
		// 2018: reported at the time as 246 working days, 119 days off.
		{2018, 246},
		// 2019: 119 days off per the egov.kz calendar of 2019.
		{2019, 246},
		// 2020: computed; transfers as in the Government decree for 2020
		// (Jan 5->Jan 3, May 11->May 8, Dec 20->Dec 18).
		{2020, 246},
		// 2021: Ministry of Labour production calendar: 120 days off.
		{2021, 245},
		// 2022: computed under the law as amended in 2022 (Republic Day a day off,
		// Dec 1 and Dec 17 no longer). Early-2022 reports of 245 predate the amendment.
		{2022, 246},
		// 2023: computed. A December 2022 report of 245 counts 12 days off in
		// January, where there are 11 (Jan 1 Sun, Jan 2, carried Jan 3, 8 weekend days).
		{2023, 246},
		// 2024: official count 249.
		{2024, 249},
		// 2025: official count 246.
		{2025, 246},
		// 2026: official count 247 (August 30 no longer a day off).
		{2026, 247},
		// 2027: provisional (Kurban Ait expected 2027-05-16, no transfers yet).
		{2027, 247},
	}
	first, last := c.Years()
	if len(tests) != last-first+1 {
		t.Fatalf("the table asserts %d years, the calendar covers %d-%d", len(tests), first, last)
	}
	for _, tt := range tests {
		t.Run(time.Date(tt.year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), func(t *testing.T) {
			n := 0
			for d := almaty(t, tt.year, time.January, 1, 12, 0); d.Year() == tt.year; d = d.AddDate(0, 0, 1) {
				ok, err := c.IsWorkingDay(d)
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					n++
				}
			}
			if n != tt.want {
				t.Errorf("%d has %d working days, want %d", tt.year, n, tt.want)
			}
			if tt.year > first {
				got, err := c.WorkingDaysBetween(almaty(t, tt.year-1, time.December, 31, 9, 0), almaty(t, tt.year, time.December, 31, 9, 0))
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("WorkingDaysBetween over %d = %d, want %d", tt.year, got, tt.want)
				}
			}
		})
	}
}

func TestThreeWorkingDaysAfterFridayBeforeMar8Holiday(t *testing.T) {
	c := kz(t)
	// Fri 2025-03-07 -> Mon 10 (carried from Sat Mar 8) is off -> Tue 11, Wed 12, Thu 13.
	mustAdd(t, c, almaty(t, 2025, time.March, 7, 15, 0), 3, endOf(t, "2025-03-13"))
}

func TestTransfer2025Jan5SundayIsWorkingDay(t *testing.T) {
	c := kz(t)
	mustWorking(t, c, "2025-01-05", true)
	mustWorking(t, c, "2025-01-03", false)
	mustWorking(t, c, "2025-01-04", false)
	mustWorking(t, c, "2025-01-06", true)
	mustWorking(t, c, "2025-01-07", false) // Orthodox Christmas, Tuesday
	// Two working days after Thu 2025-01-02: Sun Jan 5 and Mon Jan 6.
	mustAdd(t, c, date(t, "2025-01-02"), 2, endOf(t, "2025-01-06"))
	mustAdd(t, c, date(t, "2025-01-02"), 1, endOf(t, "2025-01-05"))
}

func TestNauryz2025CarriesToMar24AndMar25(t *testing.T) {
	c := kz(t)
	for _, tt := range []struct {
		day     string
		working bool
	}{
		{"2025-03-20", true},
		{"2025-03-21", false}, // Fri, Nauryz
		{"2025-03-22", false}, // Sat, Nauryz
		{"2025-03-23", false}, // Sun, Nauryz
		{"2025-03-24", false}, // carried from Sat
		{"2025-03-25", false}, // carried from Sun
		{"2025-03-26", true},
	} {
		t.Run(tt.day, func(t *testing.T) { mustWorking(t, c, tt.day, tt.working) })
	}
	mustAdd(t, c, date(t, "2025-03-20"), 1, endOf(t, "2025-03-26"))
}

func TestNauryz2026CarriesPastMar23ToMar24AndMar25(t *testing.T) {
	c := kz(t)
	// Sat 21 and Sun 22 carry past Mon 23, itself Nauryz, to Tue 24 and Wed 25.
	for day, want := range map[string]bool{
		"2026-03-20": true, "2026-03-23": false, "2026-03-24": false, "2026-03-25": false, "2026-03-26": true,
	} {
		t.Run(day, func(t *testing.T) { mustWorking(t, c, day, want) })
	}
}

func TestVictoryDay2020SubstituteMovedToMay8(t *testing.T) {
	c := kz(t)
	mustWorking(t, c, "2020-05-07", false) // Defender of the Fatherland Day
	mustWorking(t, c, "2020-05-08", false) // the substitute day off, moved here by the decree
	mustWorking(t, c, "2020-05-09", false) // Victory Day, Saturday
	mustWorking(t, c, "2020-05-11", true)  // the carried day, worked
	reason, off, err := c.DayOff(date(t, "2020-05-11"))
	if err != nil || off || !strings.Contains(reason, "carried from Victory Day on Sat 2020-05-09") || !strings.Contains(reason, "2020-05-08") {
		t.Errorf("DayOff(2020-05-11) = %q, %v, %v; want a working day whose carried day off moved to 2020-05-08", reason, off, err)
	}
	mustAdd(t, c, date(t, "2020-05-06"), 1, endOf(t, "2020-05-11"))
}

func TestAug30IsWorkingDayFrom2026(t *testing.T) {
	c := kz(t)
	mustWorking(t, c, "2025-09-01", false) // 2025: Sat Aug 30 carried to Mon Sep 1
	mustWorking(t, c, "2024-08-30", false) // Friday, still Constitution Day
	mustWorking(t, c, "2026-08-31", true)  // 2026: Sun Aug 30 is no holiday, nothing carried
	mustWorking(t, c, "2027-08-30", true)  // Monday
	reason, _, _ := c.DayOff(date(t, "2026-08-30"))
	if reason != "weekend (Sunday)" {
		t.Errorf("DayOff(2026-08-30) = %q, want a plain weekend", reason)
	}
}

func TestMar15OffFrom2027(t *testing.T) {
	c := kz(t)
	mustWorking(t, c, "2027-03-15", false) // Monday, Constitution Day
	mustWorking(t, c, "2026-03-16", true)  // 2026: Sun Mar 15 is no holiday yet
	mustWorking(t, c, "2025-03-17", true)  // Monday
	if !c.IsProvisional(date(t, "2027-03-15")) {
		t.Error("2027 should be provisional")
	}
}

func TestOrthodoxChristmasOnWeekendDoesNotCarry(t *testing.T) {
	c := kz(t)
	for _, tt := range []struct{ christmas, monday string }{
		{"2017-01-07", "2017-01-09"}, // Saturday
		{"2018-01-07", "2018-01-08"}, // Sunday
		{"2023-01-07", "2023-01-09"}, // Saturday
		{"2024-01-07", "2024-01-08"}, // Sunday
	} {
		t.Run(tt.christmas, func(t *testing.T) {
			mustWorking(t, c, tt.christmas, false)
			mustWorking(t, c, tt.monday, true)
		})
	}
	mustWorking(t, c, "2019-01-07", false) // Monday
}

func TestKurbanAitOnWeekendDoesNotCarry(t *testing.T) {
	c := kz(t)
	for _, tt := range []struct{ ait, next string }{
		{"2019-08-11", "2019-08-12"}, // Sunday
		{"2022-07-09", "2022-07-11"}, // Saturday
		{"2024-06-16", "2024-06-17"}, // Sunday
		{"2027-05-16", "2027-05-17"}, // Sunday (provisional)
	} {
		t.Run(tt.ait, func(t *testing.T) { mustWorking(t, c, tt.next, true) })
	}
	for _, weekday := range []string{"2016-09-12", "2017-09-01", "2018-08-21", "2020-07-31", "2021-07-20", "2023-06-28", "2025-06-06", "2026-05-27"} {
		t.Run(weekday, func(t *testing.T) { mustWorking(t, c, weekday, false) })
	}
}

func TestCarriedDaySkipsFollowingHoliday(t *testing.T) {
	c := kz(t)
	// 2016: Defender of the Fatherland Day on Sat May 7; Mon May 9 is Victory Day; Tue May 10 off.
	mustWorking(t, c, "2016-05-10", false)
	mustWorking(t, c, "2016-05-11", true)
	// 2021: Nauryz Sun Mar 21 carries past Mon 22 and Tue 23 to Wed Mar 24.
	mustWorking(t, c, "2021-03-24", false)
	mustWorking(t, c, "2021-03-25", true)
	// 2022: Unity Day Sun May 1 -> Mon May 2; Sat May 7 -> past Mon May 9 -> Tue May 10.
	mustWorking(t, c, "2022-05-02", false)
	mustWorking(t, c, "2022-05-10", false)
	mustWorking(t, c, "2022-05-11", true)
}

func TestConsecutiveWeekendHolidaysCarryOneDayEach(t *testing.T) {
	c := kz(t)
	for day, want := range map[string]bool{
		"2022-01-03": false, "2022-01-04": false, "2022-01-05": true, // New Year Sat-Sun
		"2017-12-18": false, "2017-12-19": false, "2017-12-20": true, // Independence Day Sat-Sun
		"2018-12-17": false, "2018-12-18": false, "2018-12-19": true, // Dec 16 Sun carries past Dec 17 Mon
		"2017-01-02": false, "2017-01-03": false, "2017-01-04": true, // Jan 1 Sun carries past Jan 2 Mon
	} {
		t.Run(day, func(t *testing.T) { mustWorking(t, c, day, want) })
	}
}

func TestDec1AndDec17DaysOffUntil2021(t *testing.T) {
	c := kz(t)
	mustWorking(t, c, "2021-12-01", false)
	mustWorking(t, c, "2021-12-17", false)
	mustWorking(t, c, "2019-12-02", false) // Dec 1 Sunday carried
	mustWorking(t, c, "2022-12-01", true)
	mustWorking(t, c, "2023-12-01", true)
	mustWorking(t, c, "2024-12-17", true)
	mustWorking(t, c, "2023-12-18", false) // Dec 16 Saturday carried
}

func TestRepublicDayOffFrom2022(t *testing.T) {
	c := kz(t)
	mustWorking(t, c, "2021-10-25", true)
	mustWorking(t, c, "2022-10-25", false)
	mustWorking(t, c, "2026-10-26", false) // Sunday Oct 25 carried
}

// TestEveryTransferInDomainFacts checks each transfer docs/domain.md lists: the day off is
// off and the working day is worked.
func TestEveryTransferInDomainFacts(t *testing.T) {
	c := kz(t)
	for _, tt := range []struct{ off, work string }{
		{"2016-03-07", "2016-03-05"},
		{"2017-03-20", "2017-03-18"}, {"2017-07-07", "2017-07-01"},
		{"2018-03-09", "2018-03-03"}, {"2018-04-30", "2018-04-28"}, {"2018-05-08", "2018-05-05"},
		{"2018-08-31", "2018-08-25"}, {"2018-12-31", "2018-12-29"},
		{"2019-05-10", "2019-05-04"},
		{"2020-01-03", "2020-01-05"}, {"2020-05-08", "2020-05-11"}, {"2020-12-18", "2020-12-20"},
		{"2021-07-05", "2021-07-03"},
		{"2022-03-07", "2022-03-05"}, {"2022-08-29", "2022-08-27"}, {"2022-10-24", "2022-10-22"},
		{"2023-07-07", "2023-07-01"},
		{"2024-05-08", "2024-05-04"},
		{"2025-01-03", "2025-01-05"},
	} {
		t.Run(tt.off+"<-"+tt.work, func(t *testing.T) {
			mustWorking(t, c, tt.off, false)
			mustWorking(t, c, tt.work, true)
			reason, _, _ := c.DayOff(date(t, tt.off))
			if !strings.Contains(reason, "transfer") || !strings.Contains(reason, tt.work) {
				t.Errorf("DayOff(%s) = %q, want the transfer from %s", tt.off, reason, tt.work)
			}
		})
	}
	if len(c.transfers) != 19 {
		t.Errorf("the data holds %d transfers, docs/domain.md lists 19", len(c.transfers))
	}
}

func TestTransferActsAreGovernmentDecreesUpTo2023AndOrdersFrom2024(t *testing.T) {
	c := kz(t)
	for _, tr := range c.transfers {
		y, _, _ := c.civil(int(tr.dayOff))
		decree := strings.HasPrefix(tr.act, "Government Decree")
		if (y <= 2023) != decree {
			t.Errorf("transfer of %d by %q: want a Government decree up to 2023 and a ministerial order from 2024", y, tr.act)
		}
	}
}

func TestDayOffSaysWhy(t *testing.T) {
	c := kz(t)
	tests := []struct {
		day  string
		off  bool
		want string
	}{
		{"2025-03-12", false, "working day"},
		{"2025-03-15", true, "weekend (Saturday)"},
		{"2025-03-21", true, "holiday: Nauryz Meiramy"},
		{"2025-03-08", true, "holiday: International Women's Day"},
		{"2025-01-07", true, "religious day off: Orthodox Christmas"},
		{"2025-06-06", true, "religious day off: Kurban Ait (first day)"},
		{"2025-03-10", true, `day off carried from International Women's Day on Sat 2025-03-08 (weekend rule, Law "On holidays", art. 5)`},
		{"2025-01-03", true, "day off by transfer from Sun 2025-01-05 (Order of the Minister of Labour and Social Protection of Population on the transfer of days off in 2025)"},
		{"2025-01-05", false, "working day by transfer: the day off moved to Fri 2025-01-03 (Order of the Minister of Labour and Social Protection of Population on the transfer of days off in 2025)"},
		{"2016-03-07", true, "day off by transfer from Sat 2016-03-05 (Government Decree on the transfer of days off in 2016)"},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			reason, off, err := c.DayOff(date(t, tt.day))
			if err != nil {
				t.Fatal(err)
			}
			if off != tt.off || reason != tt.want {
				t.Errorf("DayOff(%s) = %q, %v; want %q, %v", tt.day, reason, off, tt.want, tt.off)
			}
		})
	}
}

func TestPeriodStartsTheDayAfterTheEventInAlmatyTime(t *testing.T) {
	c := kz(t)
	utc := time.UTC
	tests := []struct {
		name string
		from time.Time
		n    int
		want string
	}{
		{"event on a Monday counts from Tuesday", date(t, "2025-02-03"), 1, "2025-02-04"},
		{"event late on Friday counts from Monday", almaty(t, 2025, time.February, 7, 23, 59), 1, "2025-02-10"},
		{"event on a Saturday counts from Monday", date(t, "2025-02-08"), 1, "2025-02-10"},
		{"event on a holiday counts from the next working day", date(t, "2025-03-21"), 1, "2025-03-26"},
		{"five working days over a weekend", date(t, "2025-02-05"), 5, "2025-02-12"},
		// 2025-02-06T20:00Z is 01:00 on Feb 7 in Almaty (UTC+5): the event is on Friday.
		{"an instant in UTC is taken at its Almaty date", time.Date(2025, time.February, 6, 20, 0, 0, 0, utc), 1, "2025-02-10"},
		// 2023-02-06T17:59Z is 23:59 on Feb 6 in Almaty (UTC+6 then).
		{"UTC+6 before March 2024", time.Date(2023, time.February, 6, 17, 59, 0, 0, utc), 1, "2023-02-07"},
		{"UTC+6 before March 2024, a minute later", time.Date(2023, time.February, 6, 18, 0, 0, 0, utc), 1, "2023-02-08"},
		{"five working days over May 2024 count the working Saturday May 4", date(t, "2024-05-03"), 5, "2024-05-14"},
		{"51 working days over New Year and Mar 8 of 2025", date(t, "2025-01-02"), 51, "2025-03-18"},
		{"across a year end", date(t, "2025-12-30"), 3, "2026-01-06"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { mustAdd(t, c, tt.from, tt.n, endOf(t, tt.want)) })
	}
}

func TestAddWorkingDaysRejectsPeriodsBelowOne(t *testing.T) {
	c := kz(t)
	for _, n := range []int{0, -1, -100} {
		_, err := c.AddWorkingDays(date(t, "2025-02-03"), n)
		if !errors.Is(err, ErrInvalidPeriod) {
			t.Errorf("AddWorkingDays(n=%d) error = %v, want ErrInvalidPeriod", n, err)
		}
		_, _, err = c.AddWorkingDaysProvisional(date(t, "2025-02-03"), n)
		if !errors.Is(err, ErrInvalidPeriod) {
			t.Errorf("AddWorkingDaysProvisional(n=%d) error = %v, want ErrInvalidPeriod", n, err)
		}
	}
}

func TestWorkingDaysBetweenCountsAfterFromUpToTo(t *testing.T) {
	c := kz(t)
	tests := []struct {
		name     string
		from, to string
		want     int
	}{
		{"same day", "2025-02-03", "2025-02-03", 0},
		{"to before from", "2025-02-10", "2025-02-03", 0},
		{"next day", "2025-02-03", "2025-02-04", 1},
		{"a week", "2025-02-03", "2025-02-10", 5},
		{"over Nauryz 2025", "2025-03-20", "2025-03-26", 1},
		{"to a day off", "2025-03-07", "2025-03-10", 0},
		{"over May 2020", "2020-05-06", "2020-05-11", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.WorkingDaysBetween(date(t, tt.from), date(t, tt.to))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestNextWorkingDayMovesCalendarDateDeadlineOffADayOff(t *testing.T) {
	c := kz(t)
	tests := []struct {
		name, day, want string
	}{
		{"November 1 on a Saturday moves to Monday", "2025-11-01", "2025-11-03"},
		{"November 1 on a Friday stays", "2024-11-01", "2024-11-01"},
		{"March 1 on a Sunday moves to Monday", "2026-03-01", "2026-03-02"},
		{"a carried day off moves past Nauryz", "2025-03-22", "2025-03-26"},
		{"a transferred working Sunday stays", "2025-01-05", "2025-01-05"},
		{"the last covered working day", "2027-12-31", "2027-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.NextWorkingDay(date(t, tt.day).Add(11 * time.Hour)) // 23:00 Almaty
			if err != nil {
				t.Fatal(err)
			}
			want := date(t, tt.want).Add(-12 * time.Hour)
			if !got.Equal(want) || got.Location() != c.Location() {
				t.Errorf("NextWorkingDay(%s) = %s, want %s", tt.day, got, want)
			}
		})
	}
}

func TestOutOfRangeNamesCoveredYears(t *testing.T) {
	c := kz(t)
	check := func(t *testing.T, err error, wantDate string) {
		t.Helper()
		if !errors.Is(err, ErrOutOfRange) {
			t.Fatalf("error = %v, want ErrOutOfRange", err)
		}
		var oor *OutOfRangeError
		if !errors.As(err, &oor) {
			t.Fatalf("error %v is not an *OutOfRangeError", err)
		}
		want := "calendar: " + wantDate + " is outside the years the calendar covers (2016-2027)"
		if oor.Error() != want || oor.First != 2016 || oor.Last != 2027 {
			t.Errorf("error = %q, want %q", oor.Error(), want)
		}
	}
	t.Run("IsWorkingDay after the last year", func(t *testing.T) {
		_, err := c.IsWorkingDay(date(t, "2028-01-03"))
		check(t, err, "2028-01-03")
	})
	t.Run("IsWorkingDay before the first year", func(t *testing.T) {
		_, err := c.IsWorkingDay(date(t, "2015-12-31"))
		check(t, err, "2015-12-31")
	})
	t.Run("a period that runs past 2027", func(t *testing.T) {
		_, err := c.AddWorkingDays(date(t, "2027-12-28"), 5)
		check(t, err, "2028-01-01")
	})
	t.Run("a period that ends on the last day is fine", func(t *testing.T) {
		mustAdd(t, c, date(t, "2027-12-28"), 3, endOf(t, "2027-12-31"))
	})
	t.Run("a period from the last day", func(t *testing.T) {
		_, _, err := c.AddWorkingDaysProvisional(date(t, "2027-12-31"), 1)
		check(t, err, "2028-01-01")
	})
	t.Run("WorkingDaysBetween with to outside", func(t *testing.T) {
		_, err := c.WorkingDaysBetween(date(t, "2027-12-01"), date(t, "2028-02-01"))
		check(t, err, "2028-02-01")
	})
	t.Run("WorkingDaysBetween with from outside", func(t *testing.T) {
		_, err := c.WorkingDaysBetween(date(t, "2015-06-01"), date(t, "2016-02-01"))
		check(t, err, "2015-06-01")
	})
	t.Run("DayOff", func(t *testing.T) {
		_, _, err := c.DayOff(date(t, "2030-05-01"))
		check(t, err, "2030-05-01")
	})
	t.Run("NextWorkingDay", func(t *testing.T) {
		_, err := c.NextWorkingDay(date(t, "1999-05-01"))
		check(t, err, "1999-05-01")
	})
	t.Run("the Almaty date decides: 2027-12-31T19:30Z is 2028-01-01 in Almaty", func(t *testing.T) {
		_, err := c.IsWorkingDay(time.Date(2027, time.December, 31, 19, 30, 0, 0, time.UTC))
		check(t, err, "2028-01-01")
	})
	t.Run("YearStatus", func(t *testing.T) {
		_, _, err := c.YearStatus(2028)
		check(t, err, "2028-01-01")
	})
}

func TestAlmatyOffsetChange2024(t *testing.T) {
	c := kz(t)
	loc := c.Location()
	if loc.String() != "Asia/Almaty" {
		t.Fatalf("Location() = %s, want Asia/Almaty", loc)
	}
	for _, tt := range []struct {
		at     time.Time
		offset int
	}{
		{time.Date(2023, time.December, 31, 12, 0, 0, 0, loc), 6},
		{time.Date(2024, time.February, 28, 12, 0, 0, 0, loc), 6},
		{time.Date(2024, time.March, 1, 12, 0, 0, 0, loc), 5},
		{time.Date(2025, time.July, 1, 12, 0, 0, 0, loc), 5},
	} {
		if _, off := tt.at.Zone(); off != tt.offset*3600 {
			t.Errorf("offset at %s = %ds, want UTC+%d", tt.at.Format(time.DateOnly), off, tt.offset)
		}
	}
	// A deadline on Thu 2024-02-29, the day whose 23:00-24:00 came twice, ends at
	// the later 23:59:59 (UTC+5), the true end of that day: 18:59:59 UTC.
	due, err := c.AddWorkingDays(date(t, "2024-02-28"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, time.February, 29, 18, 59, 59, 0, time.UTC); !due.Equal(want) {
		t.Errorf("deadline on 2024-02-29 = %s (%s UTC), want %s", due, due.UTC(), want)
	}
	// The next day's deadline is UTC+5: 2024-03-01T18:59:59Z.
	due, err = c.AddWorkingDays(date(t, "2024-02-28"), 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, time.March, 1, 18, 59, 59, 0, time.UTC); !due.Equal(want) {
		t.Errorf("deadline on 2024-03-01 = %s, want %s", due.UTC(), want)
	}
	// A deadline in 2023 ends at 17:59:59 UTC (UTC+6).
	due, err = c.AddWorkingDays(date(t, "2023-02-06"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2023, time.February, 7, 17, 59, 59, 0, time.UTC); !due.Equal(want) {
		t.Errorf("deadline on 2023-02-07 = %s, want %s", due.UTC(), want)
	}
	// 18:30 UTC on 2024-02-29 is 23:30 on Feb 29 in Almaty (UTC+5), not March 1.
	n, err := c.WorkingDaysBetween(date(t, "2024-02-28"), time.Date(2024, time.February, 29, 18, 30, 0, 0, time.UTC))
	if err != nil || n != 1 {
		t.Errorf("WorkingDaysBetween(2024-02-28, 2024-02-29T18:30Z) = %d, %v; want 1", n, err)
	}
}

func TestProvisionalYear2027(t *testing.T) {
	c := kz(t)
	first, last := c.Years()
	if first != 2016 || last != 2027 {
		t.Fatalf("Years() = %d, %d; want 2016, 2027", first, last)
	}
	for y := first; y <= last; y++ {
		prov, source, err := c.YearStatus(y)
		if err != nil {
			t.Fatal(err)
		}
		if prov != (y == 2027) {
			t.Errorf("YearStatus(%d) provisional = %v", y, prov)
		}
		if source == "" {
			t.Errorf("YearStatus(%d) has no source", y)
		}
		if c.IsProvisional(almaty(t, y, time.June, 1, 12, 0)) != (y == 2027) {
			t.Errorf("IsProvisional(%d-06-01) = %v", y, !prov)
		}
	}
	if c.IsProvisional(date(t, "2028-06-01")) {
		t.Error("IsProvisional(2028) should be false: the year is not in the calendar at all")
	}
	tests := []struct {
		name string
		from string
		n    int
		due  string
		prov bool
	}{
		{"a period inside 2026", "2026-12-24", 4, "2026-12-30", false},
		{"a period ending on the last day of 2026", "2026-12-24", 5, "2026-12-31", false},
		// Jan 1 2027 Fri holiday, Sat Jan 2 holiday carried to Mon Jan 4.
		{"a period reaching into 2027", "2026-12-24", 6, "2027-01-05", true},
		{"a period from 2026-12-31 into 2027", "2026-12-31", 1, "2027-01-05", true},
		{"a period inside 2027", "2027-02-01", 3, "2027-02-04", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due, prov, err := c.AddWorkingDaysProvisional(date(t, tt.from), tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if !due.Equal(endOf(t, tt.due)) || prov != tt.prov {
				t.Errorf("AddWorkingDaysProvisional(%s, %d) = %s, %v; want %s, %v", tt.from, tt.n, due, prov, tt.due, tt.prov)
			}
			plain, err := c.AddWorkingDays(date(t, tt.from), tt.n)
			if err != nil || !plain.Equal(due) {
				t.Errorf("AddWorkingDays disagrees: %s, %v", plain, err)
			}
		})
	}
}

func TestKazakhstanIsCachedAndSafeForConcurrentUse(t *testing.T) {
	want := kz(t)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := Kazakhstan()
			if err != nil || c != want {
				t.Errorf("Kazakhstan() = %p, %v; want the cached %p", c, err, want)
				return
			}
			from := time.Date(2016+g%11, time.Month(1+g%12), 1+g, 10, 0, 0, 0, c.Location())
			for n := 1; n < 200; n++ {
				due, err := c.AddWorkingDays(from, n)
				if err != nil {
					t.Error(err)
					return
				}
				if k, err := c.WorkingDaysBetween(from, due); err != nil || k != n {
					t.Errorf("WorkingDaysBetween = %d, %v; want %d", k, err, n)
					return
				}
			}
		}()
	}
	wg.Wait()
}
