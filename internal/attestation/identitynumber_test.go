package attestation_test

import (
	"errors"
	"strings"
	"testing"

	"attestation/internal/attestation"
)

func TestIdentityNumberValid(t *testing.T) {
	for _, tc := range []struct{ number, what string }{
		{"120540001238", "BIN, resident legal entity registered 2012-05 (the demo applicant)"},
		{"990340001230", "BIN; weighted sum 121, a multiple of 11: check digit 0"},
		{"260101500301", "IIN: born 2026-01-01, check digit 1"},
		{"950440002909", "BIN registered 1995-04, check digit 9"},
		{"050550001237", "BIN of a non-resident legal entity (5th digit 5)"},
		{"120660000173", "BIN of individual entrepreneurs in joint entrepreneurship (5th digit 6)"},
		{"920315400457", "IIN: born 1992-03-15"},
		{"880101300123", "IIN whose first weighting gives 10: the second (3..11,1,2) gives 3"},
		{"990140000806", "first weighting gives 10: the second gives 6"},
	} {
		t.Run(tc.number+" "+tc.what, func(t *testing.T) {
			if err := attestation.ValidIdentityNumber(tc.number); err != nil {
				t.Errorf("ValidIdentityNumber(%s) = %v, want nil", tc.number, err)
			}
		})
	}
}

func TestIdentityNumberInvalid(t *testing.T) {
	for _, tc := range []struct {
		name, number string
		kind         error
		message      string
	}{
		{"empty", "", attestation.ErrNotTwelveDigits, "BIN/IIN is empty: it must be 12 digits"},
		{"eleven digits", "12054000123", attestation.ErrNotTwelveDigits, "BIN/IIN must be 12 digits, got 11 characters"},
		{"thirteen digits", "1205400012380", attestation.ErrNotTwelveDigits, "BIN/IIN must be 12 digits, got 13 characters"},
		{"a letter", "12054O001238", attestation.ErrNotTwelveDigits, `BIN/IIN must be 12 digits, character 6 is 'O'`},
		{"spaces", "120 540 001 238", attestation.ErrNotTwelveDigits, "got 15 characters"},
		{"a space inside twelve characters", "12054 001238", attestation.ErrNotTwelveDigits, `character 6 is ' '`},
		{"non-ASCII digits", "١٢٠٥٤٠٠٠١٢٣٨", attestation.ErrNotTwelveDigits, "got 12 characters"},
		{"a sign", "+12054000123", attestation.ErrNotTwelveDigits, `character 1 is '+'`},
		{"check digit off by one", "120540001239", attestation.ErrCheckDigit, "the 12th digit is 9, the first 11 digits give 8"},
		{"two digits swapped", "210540001238", attestation.ErrCheckDigit, "the 12th digit is 8, the first 11 digits give 7"},
		{"second weighting wrong", "880101300120", attestation.ErrCheckDigit, "the 12th digit is 0, the first 11 digits give 3"},
		{"no check digit exists", "990140000820", attestation.ErrCheckDigit, "both weightings of the check digit give 10"},
		{"no check digit exists whatever the 12th", "990140000829", attestation.ErrCheckDigit, "both weightings of the check digit give 10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := attestation.ValidIdentityNumber(tc.number)
			if err == nil {
				t.Fatalf("ValidIdentityNumber(%q) = nil, want an error", tc.number)
			}
			if !errors.Is(err, tc.kind) || !errors.Is(err, attestation.ErrInvalid) {
				t.Errorf("error %v matches neither %v nor ErrInvalid", err, tc.kind)
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("error %q, want it to say %q", err, tc.message)
			}
			if len(tc.number) >= 12 && strings.Contains(err.Error(), tc.number) {
				t.Errorf("error %q repeats the number; it must be safe to log", err)
			}
		})
	}
}

func TestIdentityNumberEveryWrongCheckDigitIsCaught(t *testing.T) {
	for _, good := range []string{"120540001238", "990340001230", "880101300123", "990140000806"} {
		for d := byte('0'); d <= '9'; d++ {
			n := good[:11] + string(d)
			err := attestation.ValidIdentityNumber(n)
			if (n == good) != (err == nil) {
				t.Errorf("ValidIdentityNumber(%s) = %v", n, err)
			}
		}
	}
}

// TestIdentityNumberStructureRulesOfFormingTheNumber: the rules of forming the identification
// number (Government Decree No. 406 of 22 May 2007) build an IIN from a date of birth and a BIN
// from a month of registration and the type of the entity; the 5th digit tells them apart. Every
// number below has a right check digit: only its structure is judged.
func TestIdentityNumberStructureRulesOfFormingTheNumber(t *testing.T) {
	for _, tc := range []struct {
		rule, number string
		kind         attestation.NumberKind // "" when the structure is wrong
		message      string                 // of the structure's problem
	}{
		{"IIN digits 1-6 are the date of birth YYMMDD, the 7th the century and sex (3: 20th century, male)", "880101300123", attestation.NumberIIN, ""},
		{"IIN 7th digit 4: 20th century, female", "920315400457", attestation.NumberIIN, ""},
		{"IIN 7th digit 5: 21st century, male", "260101500301", attestation.NumberIIN, ""},
		{"IIN 29 February of a leap year (2000, 7th digit 5)", iin("0002295", t), attestation.NumberIIN, ""},
		{"IIN no 29 February in 1900 (7th digit 3)", iin("0002293", t), "", "1900-02 has no day 29"},
		{"IIN month 13 is no month of birth", iin("8813013", t), "", "digits 3-4 are the month of birth, but they are 13"},
		{"IIN month 00 is no month of birth", iin("8800013", t), "", "digits 3-4 are the month of birth, but they are 00"},
		{"IIN day 00 is no day of birth", iin("8801003", t), "", "1988-01 has no day 00"},
		{"IIN day 31 of a 30-day month", iin("8804313", t), "", "1988-04 has no day 31"},
		{"IIN 7th digit 0 is no century", iin("8801010", t), "", "7th digit is the century of birth and the sex (1-6), but it is 0"},
		{"IIN 7th digit 7 is no century", iin("8801017", t), "", "7th digit is the century of birth and the sex (1-6), but it is 7"},
		{"BIN 5th digit 4: resident legal entity; digits 1-4 the month of registration YYMM", "120540001238", attestation.NumberLegalEntityBIN, ""},
		{"BIN 5th digit 5: non-resident legal entity", "050550001237", attestation.NumberLegalEntityBIN, ""},
		{"BIN 5th digit 6: individual entrepreneurs in joint entrepreneurship", "120660000173", attestation.NumberEntrepreneurBIN, ""},
		{"BIN 6th digit 1: a branch", bin("1205410", t), attestation.NumberLegalEntityBIN, ""},
		{"BIN 6th digit 2: a representative office", bin("1205420", t), attestation.NumberLegalEntityBIN, ""},
		{"BIN 6th digit 3: a peasant farm in joint entrepreneurship", bin("1205630", t), attestation.NumberEntrepreneurBIN, ""},
		{"BIN 6th digit 4 is no division", bin("1205440", t), "", "6th digit is 0 (head office), 1 (branch), 2 (representative office) or 3 (peasant farm), but it is 4"},
		{"BIN month 13 is no month of registration", bin("1213400", t), "", "digits 3-4 are the month of registration, but they are 13"},
		{"BIN month 00 is no month of registration", bin("1200400", t), "", "digits 3-4 are the month of registration, but they are 00"},
		{"5th digit 7 is neither an IIN nor a BIN", bin("1205700", t), "", "the 5th digit 7 is neither an IIN's (0-3, the tens of the day of birth) nor a BIN's (4-6, the type of entity)"},
		{"5th digit 9 is neither an IIN nor a BIN", bin("1205900", t), "", "the 5th digit 9 is neither"},
		{"all zeros: a right check digit, no structure", "000000000000", "", "digits 3-4 are the month of birth, but they are 00"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			kind, ok := attestation.NumberKindOf(tc.number)
			err := attestation.ValidIdentityNumber(tc.number)
			if tc.kind != "" {
				if err != nil || !ok || kind != tc.kind {
					t.Fatalf("%s: kind %q %v, error %v; want %q", tc.number, kind, ok, err, tc.kind)
				}
				return
			}
			if ok || err == nil || !errors.Is(err, attestation.ErrStructure) || !errors.Is(err, attestation.ErrInvalid) {
				t.Fatalf("%s: kind %q %v, error %v; want ErrStructure", tc.number, kind, ok, err)
			}
			if !strings.Contains(err.Error(), tc.message) || strings.Contains(err.Error(), tc.number) {
				t.Errorf("error %q, want it to say %q and never repeat the number", err, tc.message)
			}
		})
	}
}

// TestLegalEntityBINRulesOfFormingTheNumber: a legal entity's number is a BIN whose 5th digit is
// 4 or 5; an individual's IIN and the BIN of individual entrepreneurs are refused, saying why.
func TestLegalEntityBINRulesOfFormingTheNumber(t *testing.T) {
	for _, tc := range []struct {
		rule, number string
		want         error
		message      string
	}{
		{"BIN 5th digit 4: a resident legal entity", "120540001238", nil, ""},
		{"BIN 5th digit 5: a non-resident legal entity", "050550001237", nil, ""},
		{"IIN 5th digit 0-3: an individual is no legal entity", "880101300123", attestation.ErrNotLegalEntityBIN, "the 5th digit 0 marks an individual's IIN"},
		{"IIN 5th digit 1", "920315400457", attestation.ErrNotLegalEntityBIN, "the 5th digit 1 marks an individual's IIN"},
		{"BIN 5th digit 6: individual entrepreneurs are no legal entity", "120660000173", attestation.ErrNotLegalEntityBIN, "the 5th digit 6 marks the BIN of individual entrepreneurs in joint entrepreneurship"},
		{"a wrong check digit is still a wrong check digit", "120540001239", attestation.ErrCheckDigit, "the 12th digit is 9"},
		{"a wrong structure is still a wrong structure", bin("1205700", t), attestation.ErrStructure, "the 5th digit 7"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			err := attestation.ValidLegalEntityBIN(tc.number)
			if got := attestation.IsLegalEntityBIN(tc.number); got != (tc.want == nil) {
				t.Errorf("IsLegalEntityBIN(%s) = %v", tc.number, got)
			}
			if tc.want == nil {
				if err != nil {
					t.Fatalf("ValidLegalEntityBIN(%s) = %v", tc.number, err)
				}
				return
			}
			if !errors.Is(err, tc.want) || !errors.Is(err, attestation.ErrInvalid) || !strings.Contains(err.Error(), tc.message) ||
				strings.Contains(err.Error(), tc.number) {
				t.Fatalf("ValidLegalEntityBIN(%s) = %v, want %v saying %q", tc.number, err, tc.want, tc.message)
			}
		})
	}
}

// iin completes the first 7 digits of an IIN with a serial number and its check digit.
func iin(first7 string, t *testing.T) string { return withCheckDigit(first7+"0012", t) }

// bin completes the first 7 digits of a BIN likewise.
func bin(first7 string, t *testing.T) string { return withCheckDigit(first7+"0012", t) }

// withCheckDigit appends the check digit to 11 digits, moving the 10th digit until one exists.
func withCheckDigit(eleven string, t *testing.T) string {
	t.Helper()
	for d := byte('0'); d <= '9'; d++ {
		p := eleven[:9] + string(d) + eleven[10:]
		for c := byte('0'); c <= '9'; c++ {
			if err := attestation.ValidIdentityNumber(p + string(c)); err == nil || !errors.Is(err, attestation.ErrCheckDigit) {
				return p + string(c)
			}
		}
	}
	t.Fatalf("no check digit for %s", eleven)
	return ""
}
