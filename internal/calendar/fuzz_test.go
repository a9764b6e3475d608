package calendar

import (
	"errors"
	"testing"
	"time"
)

// fuzzFrom turns fuzz input into an instant inside the covered years: day is taken
// modulo the number of covered days, second modulo a day.
func fuzzFrom(c *Calendar, day uint16, second uint32) time.Time {
	y, m, d := c.civil(int(day) % len(c.days))
	s := int(second % 86400)
	return time.Date(y, m, d, s/3600, s/60%60, s%60, 0, c.loc)
}

// walk is the reference: it steps day by day from the day after from and counts
// working days with IsWorkingDay, reporting whether a provisional year was crossed.
func walk(c *Calendar, from time.Time, n int) (due time.Time, provisional bool, err error) {
	local := from.In(c.loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 12, 0, 0, 0, c.loc)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		ok, err := c.IsWorkingDay(day)
		if err != nil {
			return time.Time{}, false, err
		}
		provisional = provisional || c.IsProvisional(day)
		if ok {
			n--
		}
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 23, 59, 59, 0, c.loc), provisional, nil
}

func FuzzAddWorkingDays(f *testing.F) {
	c := kz(f)
	seed := func(date string, second uint32, n uint8) {
		t, err := time.ParseInLocation(time.DateOnly, date, c.loc)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint16(dayNumber(t.Date())-c.base), second, n)
	}
	seed("2016-01-01", 0, 1)
	seed("2020-05-06", 12*3600, 3)      // the moved Victory Day substitute
	seed("2025-03-07", 15*3600, 3)      // before Mar 8 on Saturday
	seed("2025-03-20", 23*3600+3599, 5) // Nauryz 2025 carries, last second of the day
	seed("2025-01-02", 9*3600, 2)       // the working Sunday Jan 5
	seed("2024-02-28", 23*3600+1800, 2) // the 2024 offset change
	seed("2024-02-29", 23*3600+1800, 1)
	seed("2026-12-24", 0, 6)     // into the provisional year
	seed("2027-12-01", 0, 119)   // runs out of the calendar
	seed("2027-12-31", 3600, 1)  // nothing left
	seed("2022-12-30", 60, 120)  // 120 working days
	seed("2018-12-28", 7200, 40) // the working Saturday Dec 29 and the day off Dec 31
	f.Fuzz(func(t *testing.T, day uint16, second uint32, k uint8) {
		from := fuzzFrom(c, day, second)
		n := 1 + int(k)%120
		due, err := c.AddWorkingDays(from, n)
		ref, refProv, refErr := walk(c, from, n)
		if err != nil {
			if !errors.Is(err, ErrOutOfRange) {
				t.Fatalf("AddWorkingDays(%s, %d): %v, want nil or ErrOutOfRange", from, n, err)
			}
			if !errors.Is(refErr, ErrOutOfRange) {
				t.Fatalf("AddWorkingDays(%s, %d): %v, but walking day by day gives %s, %v", from, n, err, ref, refErr)
			}
			return
		}
		if refErr != nil || !due.Equal(ref) {
			t.Fatalf("AddWorkingDays(%s, %d) = %s, walking day by day gives %s, %v", from, n, due, ref, refErr)
		}
		if due.Location() != c.loc {
			t.Fatalf("due %s is not in %s", due, c.loc)
		}
		if h, m, s := due.Clock(); h != 23 || m != 59 || s != 59 || due.Nanosecond() != 0 {
			t.Fatalf("due %s is not 23:59:59 Almaty", due)
		}
		if !due.After(from) {
			t.Fatalf("due %s is not after from %s", due, from)
		}
		if ok, err := c.IsWorkingDay(due); err != nil || !ok {
			t.Fatalf("due %s is not a working day (%v)", due, err)
		}
		if got, err := c.WorkingDaysBetween(from, due); err != nil || got != n {
			t.Fatalf("WorkingDaysBetween(%s, %s) = %d, %v; want %d", from, due, got, err, n)
		}
		// (2024-02-29 lasted 25 hours in Almaty, so compare dates, not durations.)
		if next, err := c.NextWorkingDay(due); err != nil || next.Format(time.DateTime) != due.Format(time.DateOnly)+" 00:00:00" {
			t.Fatalf("NextWorkingDay(%s) = %s, %v; want 00:00 of the same day", due, next, err)
		}
		if utc, err := c.AddWorkingDays(from.UTC(), n); err != nil || !utc.Equal(due) {
			t.Fatalf("AddWorkingDays(%s in UTC, %d) = %s, %v; want %s", from, n, utc, err, due)
		}
		pdue, prov, err := c.AddWorkingDaysProvisional(from, n)
		if err != nil || !pdue.Equal(due) || prov != refProv {
			t.Fatalf("AddWorkingDaysProvisional(%s, %d) = %s, %v, %v; want %s, %v", from, n, pdue, prov, err, due, refProv)
		}
		later, err := c.AddWorkingDays(from, n+1)
		switch {
		case errors.Is(err, ErrOutOfRange):
		case err != nil:
			t.Fatalf("AddWorkingDays(%s, %d): %v", from, n+1, err)
		case !later.After(due):
			t.Fatalf("AddWorkingDays(%s, %d) = %s is not after n=%d: %s", from, n+1, later, n, due)
		}
	})
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c := kz(b)
	froms := make([]time.Time, 1024)
	for i := range froms {
		froms[i] = fuzzFrom(c, uint16(i*4), uint32(i*997))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := c.AddWorkingDays(froms[i%len(froms)], 1+i%60); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWorkingDaysBetween(b *testing.B) {
	c := kz(b)
	from := time.Date(2016, time.March, 1, 10, 0, 0, 0, c.loc)
	to := time.Date(2027, time.November, 1, 10, 0, 0, 0, c.loc)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.WorkingDaysBetween(from, to); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIsWorkingDay(b *testing.B) {
	c := kz(b)
	at := time.Date(2025, time.March, 24, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.IsWorkingDay(at); err != nil {
			b.Fatal(err)
		}
	}
}
