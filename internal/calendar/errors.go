package calendar

import (
	"errors"
	"fmt"
	"time"
)

// ErrOutOfRange is matched (with errors.Is) by every error about a date outside
// the years the calendar covers. The calendar never guesses about such a date:
// a deadline that runs past the last known year cannot be computed.
var ErrOutOfRange = errors.New("calendar: date outside the years the calendar covers")

// ErrInvalidPeriod is matched (with errors.Is) by the error for a period of fewer
// than one working day.
var ErrInvalidPeriod = errors.New("calendar: a period must be at least 1 working day")

// OutOfRangeError says which civil date a computation needed and which years the
// calendar covers. It matches ErrOutOfRange with errors.Is.
type OutOfRangeError struct {
	// Date is the civil date (00:00 Asia/Almaty) that lies outside the calendar.
	Date time.Time
	// First and Last are the first and last years the calendar covers.
	First, Last int
}

// Error reads like
// "calendar: 2028-01-03 is outside the years the calendar covers (2016-2027)".
func (e *OutOfRangeError) Error() string {
	return fmt.Sprintf("calendar: %s is outside the years the calendar covers (%d-%d)",
		e.Date.Format(time.DateOnly), e.First, e.Last)
}

// Is reports whether target is ErrOutOfRange.
func (e *OutOfRangeError) Is(target error) bool { return target == ErrOutOfRange }
