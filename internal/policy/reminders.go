package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Reminders (issue 13): before a period whose miss hurts the one who owes it, the deadline check
// reminds them at the edition's points, each point once. The points are working days before the
// step's due moment (2: two working days are left after the reminder's day). They are policy, not
// code, so an edition may choose its own.

type reminderSpec struct {
	Points []int  `yaml:"points"`
	Who    string `yaml:"who"`
}

// Reminder is the reminders of one step: whom, and at which points.
type Reminder struct {
	Step   string // a step key of the edition's periods
	Points []int  // working days before the due moment, largest first
	Who    string // who is reminded of what, in words
}

func validateReminders(c *checker, e *Edition, s *specFile, root keyOrders) {
	for _, step := range keyOrder(root, "reminders") {
		r := s.Reminders[step]
		p := "reminders." + step
		if !slices.Contains(stepKeys, step) {
			c.add(p, "unknown step (known: the keys of periods)")
			continue
		}
		if r == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".who", r.Who)
		if len(r.Points) == 0 {
			c.add(p+".points", "missing: at least one point, in working days before the due moment")
		}
		for i, pt := range r.Points {
			switch {
			case pt < 1:
				c.add(fmt.Sprintf("%s.points[%d]", p, i), "must be >= 1 working day, not %d", pt)
			case i > 0 && pt >= r.Points[i-1]:
				c.add(fmt.Sprintf("%s.points[%d]", p, i), "points go from the largest to the smallest, each once: %d after %d", pt, r.Points[i-1])
			}
		}
		e.reminders = append(e.reminders, Reminder{Step: step, Points: slices.Clone(r.Points), Who: r.Who})
	}
}

// Reminders are the edition's reminders, in the order of the file.
func (e *Edition) Reminders() []Reminder {
	out := make([]Reminder, len(e.reminders))
	for i, r := range e.reminders {
		out[i] = Reminder{Step: r.Step, Points: slices.Clone(r.Points), Who: r.Who}
	}
	return out
}

// remindersMarkdown renders the reminders for docs/policy.md.
func (e *Edition) remindersMarkdown(w func(string, ...any), head, row func(...string)) {
	w("\n## Reminders\n\n")
	w("Before a period whose miss hurts the one who owes it, the deadline check reminds them at each point, once: ")
	w("a point is a number of working days left before the step's due moment (1 on the eve of its last working day). ")
	w("A run after a missed point reminds at the smallest point reached.\n\n")
	if len(e.reminders) == 0 {
		w("None.\n")
		return
	}
	head("step", "paragraph", "reminded when left", "who")
	for _, r := range e.reminders {
		par := ""
		if p, err := e.Period(r.Step); err == nil {
			par = p.Paragraph
		}
		pts := make([]string, len(r.Points))
		for i, p := range r.Points {
			pts[i] = plural(p, "working day")
		}
		row("`"+r.Step+"`", par, strings.Join(pts, ", "), r.Who)
	}
}

// ReminderPoints are the points, in working days before step's due moment, at which the one who
// owes it is reminded, largest first; none when the edition reminds of nothing for step.
func (e *Edition) ReminderPoints(step string) []int {
	for _, r := range e.reminders {
		if r.Step == step {
			return slices.Clone(r.Points)
		}
	}
	return nil
}

// ReminderPoint is the point a reminder is due at when left working days are left before the due
// moment and the last point reminded of was done (0 for none): the smallest point left has
// reached and done has not, or 0 when there is none.
func ReminderPoint(points []int, left, done int) int {
	best := 0
	for _, p := range points {
		if left <= p && (done == 0 || p < done) && (best == 0 || p < best) {
			best = p
		}
	}
	return best
}

// WorkingDaysLeft counts the working days after now's civil date up to due's, the due day counted
// (Asia/Almaty): 1 on the eve of the last working day, 0 on it. It is how far a reminder point
// (issue 13: "2 working days before the due moment") is from the due moment.
func WorkingDaysLeft(cal Calendar, now, due time.Time) (int, error) {
	loc, err := almaty()
	if err != nil {
		return 0, err
	}
	y, m, d := now.In(loc).Date()
	day := time.Date(y, m, d, 12, 0, 0, 0, loc)
	dy, dm, dd := due.In(loc).Date()
	last := time.Date(dy, dm, dd, 12, 0, 0, 0, loc)
	n := 0
	for day.Before(last) {
		if n > 400 {
			return 0, fmt.Errorf("working days left until %s: more than 400", due.Format(time.RFC3339))
		}
		day = day.AddDate(0, 0, 1)
		ok, err := cal.IsWorkingDay(day)
		if err != nil {
			return 0, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
