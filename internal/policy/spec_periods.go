package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The periods of the procedure: each step's amount, unit, paragraph and dates of the year.

func validatePeriods(c *checker, e *Edition, s *specFile, root keyOrders) {
	for _, step := range stepKeys {
		if _, ok := s.Periods[step]; !ok {
			c.add("periods."+step, "missing")
		}
	}
	for _, step := range keyOrder(root, "periods") {
		ps := s.Periods[step]
		p := "periods." + step
		if !slices.Contains(stepKeys, step) {
			c.add(p, "unknown step (known: %s)", strings.Join(stepKeys, ", "))
			continue
		}
		if ps == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".title", ps.Title)
		c.required(p+".paragraph", ps.Paragraph)
		c.required(p+".starts", ps.Starts)
		per := Period{
			Step: step, Title: ps.Title, Paragraph: ps.Paragraph, Unit: Unit(ps.Unit), Starts: ps.Starts,
			OfficeReceipt: ps.OfficeReceipt, Actor: Actor(ps.Actor), Lapse: Lapse(ps.Lapse),
			Requires: slices.Clone(ps.Requires), Replaces: ps.Replaces, If: ps.If, Extends: ps.Extends, Note: ps.Note,
		}
		if ps.StartWithinDays != nil {
			if *ps.StartWithinDays < 0 {
				c.add(p+".start_within_days", "must not be negative")
			}
			per.StartWithinDays = *ps.StartWithinDays
		}
		if !slices.Contains(actors, per.Actor) {
			c.add(p+".actor", "must be one of %v, not %q", actors, ps.Actor)
		}
		if !slices.Contains(lapses, per.Lapse) {
			c.add(p+".lapse", "must be one of %v, not %q", lapses, ps.Lapse)
		}
		switch per.Unit {
		case WorkingDays, CalendarDays, Years:
			checkAmount(c, p+".amount", ps.Amount)
			if ps.Amount != nil {
				per.Amount = *ps.Amount
			}
			if ps.Date != "" {
				c.add(p+".date", "only for unit calendar_date")
			}
		case CalendarDate:
			if ps.Amount != nil {
				c.add(p+".amount", "not used with unit calendar_date (give date)")
			}
			m := dateRE().FindStringSubmatch(ps.Date)
			if m == nil {
				c.add(p+".date", "missing or not a date of the year (MM-DD): %q", ps.Date)
				break
			}
			month, _ := strconv.Atoi(m[1])
			day, _ := strconv.Atoi(m[2])
			if month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month)) {
				c.add(p+".date", "no such date: %q", ps.Date)
				break
			}
			per.Month, per.Day = time.Month(month), day
		default:
			c.add(p+".unit", "must be one of %v, not %q", units, ps.Unit)
		}
		switch {
		case per.Unit == WorkingDays:
			if ps.NextWorkingDay != nil {
				c.add(p+".next_working_day", "not used with unit working_days (it always ends on a working day)")
			}
			per.NextWorkingDay = true
		case ps.NextWorkingDay == nil:
			c.add(p+".next_working_day", "missing: say whether a date on a day off moves to the next working day")
		default:
			per.NextWorkingDay = *ps.NextWorkingDay
		}
		for i, doc := range ps.Requires {
			s.checkDocument(c, fmt.Sprintf("%s.requires[%d]", p, i), doc)
		}
		if (ps.Replaces == "") != (ps.If == "") {
			c.add(p, "replaces and if go together")
		}
		if ps.Replaces != "" {
			if rp, ok := s.Periods[ps.Replaces]; !ok {
				c.add(p+".replaces", "unknown step %q (not declared under periods)", ps.Replaces)
			} else if rp != nil && rp.Replaces != "" {
				c.add(p+".replaces", "step %q itself replaces another step", ps.Replaces)
			}
		}
		s.checkFlag(c, p+".if", ps.If)
		if ps.Extends != "" {
			if base, ok := s.Periods[ps.Extends]; !ok {
				c.add(p+".extends", "unknown step %q (not declared under periods)", ps.Extends)
			} else if base != nil && (base.Unit != ps.Unit || base.Extends != "" || ps.Extends == step) {
				c.add(p+".extends", "step %q must be a plain period in the same unit", ps.Extends)
			}
		}
		e.periods = append(e.periods, per)
	}
}

// daysIn is the longest length of a month (February: 29), for checking a date of the year.
func daysIn(m time.Month) int {
	return time.Date(2000, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
