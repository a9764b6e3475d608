package policy

import (
	"errors"
	"fmt"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/calendar"
)

// A period the working-day calendar cannot count — one that needs a day beyond the last year
// (or before the first) the calendar covers — is not a fault to retry: the Rules' period cannot
// be computed until the calendar of that year is published. Every computation of this package
// that meets one answers an apperr.Rule (a 422 at the HTTP boundary, never a 500 that says "safe
// to retry") whose message names the period and the years the calendar covers; the
// *calendar.OutOfRangeError stays its cause, so errors.Is(err, calendar.ErrOutOfRange) holds.

// uncountable returns err as an apperr.Rule naming what could not be counted and the calendar's
// years when err is about a date outside them, else err itself.
func uncountable(err error, what string) error {
	var oor *calendar.OutOfRangeError
	if err == nil || !errors.As(err, &oor) {
		return err
	}
	msg := fmt.Sprintf("%s cannot be counted: it needs %s, outside the years the working-day calendar covers (%d-%d)",
		what, oor.Date.Format(time.DateOnly), oor.First, oor.Last)
	if oor.Date.Year() > oor.Last {
		msg += fmt.Sprintf("; it can be counted once the calendar of %d is published", oor.Date.Year())
	}
	return apperr.Wrap(err, apperr.Rule, "", msg)
}
