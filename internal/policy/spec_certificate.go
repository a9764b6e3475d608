package policy

import (
	"strings"
)

// The certificate (§40-§41, Annex 7): its validity and its numbering.

func validateCertificate(c *checker, e *Edition, s *specFile) {
	cs := s.Certificate
	if cs == nil {
		c.add("certificate", "missing")
		return
	}
	if cs.Validity == nil {
		c.add("certificate.validity", "missing")
	} else {
		c.required("certificate.validity.paragraph", cs.Validity.Paragraph)
		c.required("certificate.validity.text", cs.Validity.Text)
		e.validity = CertificateValidity(*cs.Validity)
	}
	n := cs.Numbering
	if n == nil {
		c.add("certificate.numbering", "missing")
		return
	}
	c.required("certificate.numbering.paragraph", n.Paragraph)
	if strings.Count(n.Pattern, "{year}") != 1 || strings.Count(n.Pattern, "{seq}") != 1 {
		c.add("certificate.numbering.pattern", "must hold {year} and {seq} once each: %q", n.Pattern)
	} else if rest := strings.NewReplacer("{year}", "", "{seq}", "").Replace(n.Pattern); strings.ContainsAny(rest, "{}0123456789") {
		c.add("certificate.numbering.pattern", "may hold only {year}, {seq} and separators other than digits and braces: %q", n.Pattern)
	} else if strings.Index(n.Pattern, "{year}")+len("{year}") == strings.Index(n.Pattern, "{seq}") {
		c.add("certificate.numbering.pattern", "needs a separator between {year} and {seq}: %q", n.Pattern)
	}
	if n.SeqWidth < 1 || n.SeqWidth > 9 {
		c.add("certificate.numbering.seq_width", "must be between 1 and 9")
	}
	e.numbering = Numbering(*n)
}
