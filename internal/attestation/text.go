package attestation

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// HasIDShape reports whether id is prefix followed by exactly digits lowercase hexadecimal digits:
// the shape of the IDs the services draw from crypto/rand (objects O-, complaints C-).
func HasIDShape(id, prefix string, digits int) bool {
	if len(id) != len(prefix)+digits || !strings.HasPrefix(id, prefix) {
		return false
	}
	for _, c := range id[len(prefix):] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// TextProblem is the problem of a required text field, trimmed, or "" when it is fine: blank, not
// UTF-8, over max characters, or holding a control character (line breaks and tabs are allowed
// when breaks is set).
func TextProblem(s string, max int, breaks bool) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "required: it must not be blank"
	case !utf8.ValidString(s):
		return "not valid UTF-8"
	case utf8.RuneCountInString(s) > max:
		return fmt.Sprintf("at most %d characters, got %d", max, utf8.RuneCountInString(s))
	}
	for _, r := range s {
		switch {
		case !unicode.IsControl(r):
		case !breaks:
			return "must not hold control characters"
		case r != '\n' && r != '\r' && r != '\t':
			return "must not hold control characters other than line breaks and tabs"
		}
	}
	return ""
}
