package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// CertificateNumber formats the number of the seq-th certificate issued in year (Annex 7 leaves the
// number to the register; the edition's numbering pattern, e.g. "{year}/{seq}" with seq zero-padded
// to 5 digits: 2025/00042). seq restarts at 1 every year; a seq that does not fit the width is an
// error rather than a number that would sort out of order.
func (e *Edition) CertificateNumber(year, seq int) (string, error) {
	n := e.numbering
	if year < 1000 || year > 9999 {
		return "", fmt.Errorf("policy %s: certificate number: year %d is not four digits", e.id, year)
	}
	limit := 1
	for range n.SeqWidth {
		limit *= 10
	}
	if seq < 1 || seq >= limit {
		return "", fmt.Errorf("policy %s: certificate number: sequence %d is outside 1..%d", e.id, seq, limit-1)
	}
	return strings.NewReplacer(
		"{year}", strconv.Itoa(year),
		"{seq}", fmt.Sprintf("%0*d", n.SeqWidth, seq),
	).Replace(n.Pattern), nil
}

// ParseCertificateNumber reads a number made by CertificateNumber back into its year and sequence.
func (e *Edition) ParseCertificateNumber(s string) (year, seq int, err error) {
	n := e.numbering
	yi := strings.Index(n.Pattern, "{year}")
	si := strings.Index(n.Pattern, "{seq}")
	// Split the pattern into its literal parts and match them in order.
	type field struct {
		at, width int
		into      *int
	}
	fields := []field{{yi, 4, &year}, {si, n.SeqWidth, &seq}}
	if si < yi {
		fields[0], fields[1] = fields[1], fields[0]
	}
	rest := s
	pos := 0
	for _, f := range fields {
		lit := n.Pattern[pos:f.at]
		if !strings.HasPrefix(rest, lit) {
			return 0, 0, fmt.Errorf("policy %s: %q is not a certificate number of the form %s", e.id, s, n.Pattern)
		}
		rest = rest[len(lit):]
		if len(rest) < f.width {
			return 0, 0, fmt.Errorf("policy %s: %q is not a certificate number of the form %s", e.id, s, n.Pattern)
		}
		v, convErr := strconv.Atoi(rest[:f.width])
		if convErr != nil || strings.ContainsAny(rest[:f.width], "+-") {
			return 0, 0, fmt.Errorf("policy %s: %q is not a certificate number of the form %s", e.id, s, n.Pattern)
		}
		*f.into = v
		rest = rest[f.width:]
		pos = f.at + len("{year}")
		if f.into == &seq {
			pos = f.at + len("{seq}")
		}
	}
	if rest != n.Pattern[pos:] {
		return 0, 0, fmt.Errorf("policy %s: %q is not a certificate number of the form %s", e.id, s, n.Pattern)
	}
	if want, _ := e.CertificateNumber(year, seq); want != s {
		return 0, 0, fmt.Errorf("policy %s: %q is not a certificate number of the form %s", e.id, s, n.Pattern)
	}
	return year, seq, nil
}
