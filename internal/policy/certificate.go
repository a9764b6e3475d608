package policy

import (
	"fmt"
	"regexp"
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
	expr := regexp.QuoteMeta(n.Pattern)
	expr = strings.Replace(expr, regexp.QuoteMeta("{year}"), `(?P<year>\d{4})`, 1)
	expr = strings.Replace(expr, regexp.QuoteMeta("{seq}"), fmt.Sprintf(`(?P<seq>\d{%d})`, n.SeqWidth), 1)
	re, err := regexp.Compile("^" + expr + "$")
	if err != nil {
		return 0, 0, fmt.Errorf("policy %s: certificate number pattern %q: %w", e.id, n.Pattern, err)
	}
	m := re.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, fmt.Errorf("policy %s: %q is not a certificate number of the form %s", e.id, s, n.Pattern)
	}
	year, _ = strconv.Atoi(m[re.SubexpIndex("year")])
	seq, _ = strconv.Atoi(m[re.SubexpIndex("seq")])
	if _, err := e.CertificateNumber(year, seq); err != nil {
		return 0, 0, err
	}
	return year, seq, nil
}
