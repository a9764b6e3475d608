package eds

import (
	"crypto/x509"
	"encoding/asn1"
	"strings"
)

// How the NCA names a person and an organisation in a certificate's subject: CN is the surname
// and the name, GIVENNAME (2.5.4.42) the patronymic, serialNumber "IIN" and the 12-digit IIN,
// and, in an employee's certificate, OU "BIN" and the organisation's 12-digit BIN.

var oidGivenName = asn1.ObjectIdentifier{2, 5, 4, 42}

// subjectName is the signer's name as the certificate writes it.
func subjectName(c *x509.Certificate) string {
	name := strings.TrimSpace(c.Subject.CommonName)
	for _, a := range c.Subject.Names {
		if a.Type.Equal(oidGivenName) {
			if s, ok := a.Value.(string); ok && strings.TrimSpace(s) != "" {
				name += " " + strings.TrimSpace(s)
			}
		}
	}
	return name
}

// subjectIIN is the IIN in the subject's serialNumber ("IIN123456789012"), or "".
func subjectIIN(c *x509.Certificate) string {
	return prefixed(c.Subject.SerialNumber, "IIN")
}

// subjectBIN is the BIN in one of the subject's OUs ("BIN123456789012"), or "".
func subjectBIN(c *x509.Certificate) string {
	for _, ou := range c.Subject.OrganizationalUnit {
		if n := prefixed(ou, "BIN"); n != "" {
			return n
		}
	}
	return ""
}

// prefixed returns the 12 digits after prefix in s, or "" when s is not prefix and 12 digits.
func prefixed(s, prefix string) string {
	n, ok := strings.CutPrefix(strings.TrimSpace(s), prefix)
	if !ok || len(n) != 12 {
		return ""
	}
	for _, r := range n {
		if r < '0' || r > '9' {
			return ""
		}
	}
	return n
}
