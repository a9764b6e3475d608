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
	// ErrStructure: the digits are neither an IIN (a date of birth and the century digit) nor a
	// BIN (a month of registration and the type of the entity).
	ErrStructure = errors.New("the digits are neither an IIN nor a BIN")
	// ErrNotLegalEntityBIN: a valid number that is not the BIN of a legal entity (an individual's
	// IIN, or the BIN of individual entrepreneurs in joint entrepreneurship).
	ErrNotLegalEntityBIN = errors.New("not the BIN of a legal entity")
)

// identityNumberError is a precise reason with its kind (ErrNotTwelveDigits, ErrCheckDigit,
// ErrStructure or ErrNotLegalEntityBIN).
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
// "BIN/IIN"): 12 decimal digits of which the 12th is the check digit of the first 11, built as an
// IIN or as a BIN (see NumberKindOf). The check digit is the sum of the first 11 digits weighted
// 1..11, modulo 11; when that gives 10, the sum weighted 3,4,5,6,7,8,9,10,11,1,2, modulo 11; when
// that gives 10 as well, no number starts with these 11 digits.
//
// It returns nil for a valid number, else an error that says precisely what is wrong and matches
// ErrNotTwelveDigits, ErrCheckDigit or ErrStructure, and ErrInvalid. The message never repeats
// the number, so it is safe to log (house style: identity numbers are masked in logs).
//
// Whether the number may stand where it is given is the caller's rule: a legal entity gives its
// BIN (ValidLegalEntityBIN); an individual gives an IIN, or the BIN of its joint entrepreneurship.
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
	if _, why := structure(s); why != "" {
		return &identityNumberError{msg: "BIN/IIN structure is wrong: " + why, kind: ErrStructure}
	}
	return nil
}

// ValidLegalEntityBIN checks the number of a legal entity: a valid BIN/IIN (ValidIdentityNumber)
// whose 5th digit is 4 (resident legal entity) or 5 (non-resident legal entity). An individual's
// IIN is refused (it is personal data, and a legal entity has a BIN), and so is the BIN of
// individual entrepreneurs in joint entrepreneurship (5th digit 6), who are not a legal entity.
// The errors match ErrNotLegalEntityBIN (or those of ValidIdentityNumber) and ErrInvalid, and
// never repeat the number.
func ValidLegalEntityBIN(s string) error {
	if err := ValidIdentityNumber(s); err != nil {
		return err
	}
	switch k, _ := structure(s); k {
	case NumberIIN:
		return &identityNumberError{msg: fmt.Sprintf("not the BIN of a legal entity: the 5th digit %c marks an individual's IIN (digits 1-6 are a date of birth); a legal entity's BIN has 4 (resident) or 5 (non-resident) as its 5th digit", s[4]), kind: ErrNotLegalEntityBIN}
	case NumberEntrepreneurBIN:
		return &identityNumberError{msg: "not the BIN of a legal entity: the 5th digit 6 marks the BIN of individual entrepreneurs in joint entrepreneurship, who are individuals; a legal entity's BIN has 4 (resident) or 5 (non-resident) as its 5th digit", kind: ErrNotLegalEntityBIN}
	}
	return nil
}

// NumberKind is what a valid BIN/IIN is by its structure.
type NumberKind string

// The kinds of BIN/IIN (the rules of forming the identification number, Government Decree No. 406
// of 22 May 2007, under the Law "On national registers of identification numbers").
const (
	// NumberIIN: an individual's IIN, personal data. Digits 1-6 are the date of birth YYMMDD (so
	// the 5th digit, the tens of the day, is 0-3), the 7th the century of birth and the sex (1-2:
	// the 19th century, 3-4: the 20th, 5-6: the 21st; odd male, even female), 8-11 a serial number.
	NumberIIN NumberKind = "iin"
	// NumberLegalEntityBIN: a legal entity's BIN. Digits 1-4 are the year and month of
	// registration YYMM; the 5th is 4 (resident) or 5 (non-resident legal entity); the 6th is 0
	// (head office), 1 (branch), 2 (representative office) or 3 (peasant farm in joint
	// entrepreneurship); 7-11 a serial number.
	NumberLegalEntityBIN NumberKind = "legal_entity_bin"
	// NumberEntrepreneurBIN: the BIN of individual entrepreneurs in joint entrepreneurship (5th
	// digit 6), built as a legal entity's BIN; its holders are individuals.
	NumberEntrepreneurBIN NumberKind = "entrepreneur_bin"
)

// NumberKindOf says what a BIN/IIN is by its structure; ok is false when s is not a valid number
// (ValidIdentityNumber).
func NumberKindOf(s string) (kind NumberKind, ok bool) {
	if ValidIdentityNumber(s) != nil {
		return "", false
	}
	k, _ := structure(s)
	return k, true
}

// IsLegalEntityBIN reports whether s is a valid BIN of a legal entity (ValidLegalEntityBIN): the
// only number the public register shows or is searched by.
func IsLegalEntityBIN(s string) bool { return ValidLegalEntityBIN(s) == nil }

// structure reads the kind of 12 ASCII digits from their 5th digit, the one place an IIN and a
// BIN differ (0-3: the tens of an IIN's day of birth; 4-6: a BIN's type of entity), and checks
// the other parts of that kind; why says what does not fit ("" when all do).
func structure(s string) (kind NumberKind, why string) {
	month := int(s[2]-'0')*10 + int(s[3]-'0')
	switch c := s[4]; {
	case c <= '3':
		if month < 1 || month > 12 {
			return NumberIIN, fmt.Sprintf("the 5th digit %c marks an IIN, whose digits 3-4 are the month of birth, but they are %02d", c, month)
		}
		if s[6] < '1' || s[6] > '6' {
			return NumberIIN, fmt.Sprintf("the 5th digit %c marks an IIN, whose 7th digit is the century of birth and the sex (1-6), but it is %c", c, s[6])
		}
		century := 1800 + 100*int((s[6]-'1')/2) // 1-2: 1800s, 3-4: 1900s, 5-6: 2000s
		year := century + int(s[0]-'0')*10 + int(s[1]-'0')
		day := int(s[4]-'0')*10 + int(s[5]-'0')
		if day < 1 || day > daysIn(year, month) {
			return NumberIIN, fmt.Sprintf("the 5th digit %c marks an IIN, whose digits 1-6 are the date of birth, but %d-%02d has no day %02d", c, year, month, day)
		}
		return NumberIIN, ""
	case c <= '6':
		kind = NumberLegalEntityBIN
		if c == '6' {
			kind = NumberEntrepreneurBIN
		}
		if month < 1 || month > 12 {
			return kind, fmt.Sprintf("the 5th digit %c marks a BIN, whose digits 3-4 are the month of registration, but they are %02d", c, month)
		}
		if s[5] > '3' {
			return kind, fmt.Sprintf("the 5th digit %c marks a BIN, whose 6th digit is 0 (head office), 1 (branch), 2 (representative office) or 3 (peasant farm), but it is %c", c, s[5])
		}
		return kind, ""
	default:
		return "", fmt.Sprintf("the 5th digit %c is neither an IIN's (0-3, the tens of the day of birth) nor a BIN's (4-6, the type of entity)", c)
	}
}

// daysIn is the number of days of a month of the Gregorian calendar.
func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
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
