package policy_test

import (
	"testing"
)

func TestCertificateNumberYearSlashZeroPaddedSequence(t *testing.T) {
	e := rules(t)
	for _, tc := range []struct {
		year, seq int
		want      string
	}{
		{2025, 1, "2025/00001"},
		{2025, 42, "2025/00042"},
		{2026, 99999, "2026/99999"},
	} {
		got, err := e.CertificateNumber(tc.year, tc.seq)
		if err != nil || got != tc.want {
			t.Errorf("CertificateNumber(%d, %d) = %q, %v; want %q", tc.year, tc.seq, got, err, tc.want)
		}
		y, s, err := e.ParseCertificateNumber(got)
		if err != nil || y != tc.year || s != tc.seq {
			t.Errorf("ParseCertificateNumber(%q) = %d, %d, %v", got, y, s, err)
		}
	}
	for _, bad := range [][2]int{{2025, 0}, {2025, -1}, {2025, 100000}, {999, 1}, {10000, 1}} {
		if got, err := e.CertificateNumber(bad[0], bad[1]); err == nil {
			t.Errorf("CertificateNumber(%d, %d) = %q, want an error", bad[0], bad[1], got)
		}
	}
	for _, bad := range []string{"", "2025/42", "2025-00042", "2025/00042x", "x2025/00042", "2025/-0042", "2025/00000", "20a5/00042"} {
		if y, s, err := e.ParseCertificateNumber(bad); err == nil {
			t.Errorf("ParseCertificateNumber(%q) = %d, %d, want an error", bad, y, s)
		}
	}
}
