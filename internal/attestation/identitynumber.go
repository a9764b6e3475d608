package attestation

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"attestation/internal/apperr"
)

// The reasons a BIN or IIN is not valid. Every error ValidIdentityNumber returns matches one of them
// and ErrInvalid with errors.Is.
var (
	// ErrNotTwelveDigits: a BIN or IIN is exactly 12 decimal digits.
	ErrNotTwelveDigits = errors.New("a BIN/IIN is 12 digits")
	// ErrCheckDigit: the 12th digit is not the check digit of the first 11.
	ErrCheckDigit = errors.New("the BIN/IIN check digit is wrong")
)

// identityNumberError is a precise reason with its kind (ErrNotTwelveDigits or ErrCheckDigit).
type identityNumberError struct {
	msg  string
	kind error
}

func (e *identityNumberError) Error() string { return e.msg }

// Unwrap lets errors.Is match the kind and apperr.Unprocessable (the domain's ErrInvalid), whose
// message for the caller is the precise reason.
func (e *identityNumberError) Unwrap() []error {
	return []error{e.kind, apperr.New(apperr.Unprocessable, "", e.msg)}
}

// The two weightings of the check digit: the first over the first 11 digits; the second when the
// first gives 10.
var (
	checkWeights1 = [11]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	checkWeights2 = [11]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2}
)

// ValidIdentityNumber checks a Kazakhstan BIN (business identification number, of a legal entity)
// or IIN (individual identification number), the applicant's number on the application (Annex 2:
// "BIN/IIN"): 12 decimal digits of which the 12th is the check digit of the first 11. The check
// digit is the sum of the first 11 digits weighted 1..11, modulo 11; when that gives 10, the sum
// weighted 3,4,5,6,7,8,9,10,11,1,2, modulo 11; when that gives 10 as well, no number starts with
// these 11 digits.
//
// It returns nil for a valid number, else an error that says precisely what is wrong and matches
// ErrNotTwelveDigits or ErrCheckDigit, and ErrInvalid. The message never repeats the number, so it
// is safe to log (house style: identity numbers are masked in logs).
//
// Whether a valid number is a BIN or an IIN is not decided here: the applicant says so explicitly
// (Applicant.Type). ValidatePackage infers one thing only: an applicant declared an individual
// whose number has 4 or 5 as its 5th digit (the BIN of a legal entity) is a problem.
func ValidIdentityNumber(s string) error {
	if s == "" {
		return &identityNumberError{msg: "BIN/IIN is empty: it must be 12 digits", kind: ErrNotTwelveDigits}
	}
	if n := utf8.RuneCountInString(s); n != 12 || len(s) != 12 {
		return &identityNumberError{msg: fmt.Sprintf("BIN/IIN must be 12 digits, got %d characters", n), kind: ErrNotTwelveDigits}
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return &identityNumberError{msg: fmt.Sprintf("BIN/IIN must be 12 digits, character %d is %q", i+1, s[i]), kind: ErrNotTwelveDigits}
		}
	}
	want, ok := checkDigit(s)
	if !ok {
		return &identityNumberError{msg: "BIN/IIN check digit is wrong: no valid number starts with these 11 digits (both weightings of the check digit give 10)", kind: ErrCheckDigit}
	}
	if got := int(s[11] - '0'); got != want {
		return &identityNumberError{msg: fmt.Sprintf("BIN/IIN check digit is wrong: the 12th digit is %d, the first 11 digits give %d", got, want), kind: ErrCheckDigit}
	}
	return nil
}

// checkDigit returns the check digit of the first 11 digits of s (ASCII digits, len(s) >= 11); ok
// is false when both weightings give 10.
func checkDigit(s string) (digit int, ok bool) {
	for _, w := range [...]*[11]int{&checkWeights1, &checkWeights2} {
		sum := 0
		for i, weight := range w {
			sum += int(s[i]-'0') * weight
		}
		if d := sum % 11; d != 10 {
			return d, true
		}
	}
	return 0, false
}

// legalEntityNumber reports whether a valid BIN/IIN is certainly the BIN of a legal entity: its 5th
// digit is 4 (resident legal entity) or 5 (non-resident legal entity). An IIN cannot have either:
// its digits 1-6 are the date of birth YYMMDD, so its 5th digit, the tens of the day, is 0-3.
//
// The rule is used only in that one direction. A 5th digit 6 is the BIN of individual entrepreneurs
// in joint entrepreneurship, who are individuals by the Civil Code yet file under a BIN, and numbers
// made up for tests often have a 5th digit 0-3 while standing for a legal entity; so whether the
// applicant is an individual stays an explicit field of the package.
func legalEntityNumber(s string) (digit byte, ok bool) {
	if len(s) != 12 {
		return 0, false
	}
	switch s[4] {
	case '4', '5':
		return s[4], true
	}
	return 0, false
}
