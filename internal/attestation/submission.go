package attestation

import (
	"attestation/internal/apperr"
	"fmt"
	"time"

	"attestation/internal/policy"
)

// §2 and §12: what stops a filing before any case starts (a state-secret system, a filing
// received after the year's window), then the package's own checks.

// CheckSubmission returns the problems that stop a filing before any case starts, each with its
// reason, then every problem of ValidatePackage:
//   - §2: a system in secure execution classified as state secrets is outside the Rules (the
//     edition's exclusion state_secret);
//   - §12: the application must reach the authority no later than the edition's date of the year
//     (November 1, moved to the next working day when it is a day off). The filing counts when the
//     office receives it (Edition.ReceivedAt: outside acceptance hours, the next moment the office
//     accepts filings), and it belongs to the year of that moment. A filing received after the
//     window of its year is refused, naming the moment the window closed; it does not count for
//     the next year, since the Rules accept applications of the current year only. A filing made
//     on December 31 after hours is received in January and so belongs to the new year's window.
//
// §5: an object of a kind that an exemption may free from mandatory attestation is not refused:
// its owner may still have it attested, as a voluntary attestation (§6), so nothing is reported.
func CheckSubmission(ed *policy.Edition, cal policy.Calendar, p Package, filedAt time.Time) []Problem {
	if ed == nil {
		return ValidatePackage(nil, p)
	}
	var out []Problem
	if p.StateSecret {
		for _, x := range ed.Exclusions() {
			if x.ID == exclusionStateSecret {
				out = append(out, Problem{Field: "stateSecret", Rule: x.Paragraph,
					Message: fmt.Sprintf("not accepted: the regulation does not apply to %s", lowerFirst(x.Text))})
			}
		}
	}
	if pr, ok := windowProblem(ed, cal, filedAt); ok {
		out = append(out, pr)
	}
	out = append(out, expiredDocuments(ed, p, filedAt)...)
	return append(out, ValidatePackage(ed, p)...)
}

// windowProblem checks §12 for a filing made at filedAt.
func windowProblem(ed *policy.Edition, cal policy.Calendar, filedAt time.Time) (Problem, bool) {
	period, err := ed.Period(policy.StepApplicationWindow)
	if err != nil {
		return Problem{Rule: ruleRequest, Message: fmt.Sprintf("cannot check the application window: %v", err)}, true
	}
	fail := func(format string, args ...any) (Problem, bool) {
		return Problem{Rule: period.Paragraph, Message: fmt.Sprintf(format, args...)}, true
	}
	if cal == nil {
		return fail("cannot check the application window: no working-day calendar")
	}
	received, err := ed.ReceivedAt(cal, filedAt)
	if apperr.KindOf(err) == apperr.Rule {
		// The calendar cannot count it: the problem names the years it covers.
		return fail("cannot tell when the authority receives a filing made at %s: %s", filedAt.UTC().Format(time.RFC3339), apperr.PublicOf(err).Detail)
	}
	if err != nil {
		return fail("cannot tell when the authority receives a filing made at %s: %v", filedAt.UTC().Format(time.RFC3339), err)
	}
	closes, err := ed.ApplicationWindowCloses(cal, received.Year())
	if apperr.KindOf(err) == apperr.Rule {
		return fail("the application window of %d: %s", received.Year(), apperr.PublicOf(err).Detail)
	}
	if err != nil {
		return fail("cannot compute the application window of %d: %v", received.Year(), err)
	}
	if !received.After(closes) {
		return Problem{}, false
	}
	moved := ""
	if period.NextWorkingDay {
		moved = ", moved to the next working day when it is a day off"
	}
	const layout = "2006-01-02 15:04:05 MST"
	return fail("not accepted: applications of %d are accepted no later than %s (%s)%s, that is until %s; this filing, made at %s, counts as received at %s, after the window closed",
		received.Year(), period.Limit(), period.Paragraph, moved, closes.Format(layout),
		filedAt.In(received.Location()).Format(layout), received.Format(layout))
}
