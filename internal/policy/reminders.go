package policy

import (
	"fmt"
	"time"
)

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
