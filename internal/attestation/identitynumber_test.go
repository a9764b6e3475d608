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
		{"260101000121", "check digit 1"},
		{"950400001239", "check digit 9"},
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
