package attestation

import (
	"fmt"
	"reflect"
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
// UTF-8, over max characters, holding a control character (line breaks and tabs are allowed
// when breaks is set), or one of the problems of UnsafeTextProblem.
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
	return UnsafeTextProblem(s)
}

// UnsafeTextProblem is what makes a text a person will read unsafe to show, or "" when there is
// nothing: the one check every text field of a package, a step, an object, a complaint and a
// register notice passes (TextProblem includes it; the validators with their own length and
// blank checks call it beside them). An empty text has no such problem (whether it may be empty
// is the caller's rule). The rules, each with its table test in text_test.go:
//
//   - the bytes are UTF-8, and hold no U+FFFD: that character is what a decoder leaves where
//     it met bytes that were not UTF-8, so the text was damaged on its way;
//   - no bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069): they make
//     a text display in another order than it is stored (CVE-2021-42574, "Trojan Source"), so a
//     name could read as another's;
//   - no left-to-right, right-to-left or Arabic letter mark (U+200E, U+200F, U+061C) in a text
//     without a right-to-left letter, where it can only reorder what is around it;
//   - not made only of invisible characters (white space, zero-width and other format
//     characters, variation selectors, fillers, combining marks with nothing to combine with):
//     such a text is blank to whoever reads it.
func UnsafeTextProblem(s string) string {
	if s == "" {
		return ""
	}
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	visible, rtl := false, false
	var mark rune
	for _, r := range s {
		if r < lowRunes && lowTable { // Latin, Greek, Cyrillic: no mark, control or right-to-left letter among them
			visible = visible || !invisibleLow[r]
			continue
		}
		switch {
		case r == utf8.RuneError:
			return "must not hold U+FFFD, the replacement character: the text held bytes that were not UTF-8"
		case bidiControl(r):
			return fmt.Sprintf("must not hold the bidirectional control character U+%04X: it makes a text display in another order than it is written", r)
		case r == 0x200E || r == 0x200F || r == 0x061C:
			if mark == 0 {
				mark = r
			}
		case rightToLeft(r):
			rtl, visible = true, true
		case !invisible(r):
			visible = true
		}
	}
	switch {
	case !visible:
		return "must not be made only of invisible characters (spaces, zero-width or format characters)"
	case mark != 0 && !rtl:
		return fmt.Sprintf("must not hold the directional mark U+%04X in a text with no right-to-left letter", mark)
	}
	return ""
}

// lowRunes are the runes below the first of a script written right to left (Hebrew's, U+0591):
// none is a bidirectional control, a directional mark or U+FFFD, so UnsafeTextProblem asks only
// whether they are invisible, from a table (TestUnsafeTextProblemLowRunes).
const lowRunes = 0x0591

// lowTable, when false, makes UnsafeTextProblem read the runes below lowRunes as it reads the
// others (the tests' reference).
var lowTable = true

// invisibleLow is invisible(r) for the runes below lowRunes.
var invisibleLow = func() (t [lowRunes]bool) {
	for r := range rune(lowRunes) {
		t[r] = invisible(r)
	}
	return t
}()

// bidiControl reports whether r is a bidirectional embedding, override or isolate (or their
// terminators): U+202A-U+202E and U+2066-U+2069.
func bidiControl(r rune) bool { return 0x202A <= r && r <= 0x202E || 0x2066 <= r && r <= 0x2069 }

// rightToLeft reports whether r is a letter of a script written right to left, where the
// directional marks have a use.
func rightToLeft(r rune) bool {
	return unicode.IsLetter(r) && unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana,
		unicode.Nko, unicode.Samaritan, unicode.Mandaic, unicode.Adlam, unicode.Hanifi_Rohingya)
}

// invisible reports whether r shows nothing on its own: white space, a control or format
// character (zero-width spaces and joiners, the word joiner, the byte-order mark, the
// directional marks), a variation selector, another default-ignorable code point (the Hangul
// fillers among them), the blank Braille pattern, or a combining mark.
func invisible(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || r == 0x2800 ||
		unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point, unicode.Mn, unicode.Me) ||
		r == 0x3164 || r == 0xFFA0 || r == 0x115F || r == 0x1160
}

// ruleText is the rule a problem of UnsafeTextProblem names: not a paragraph of the regulation,
// the service's rule for any text a person reads.
const ruleText = "text"

// UnsafeTexts is a problem for every string of v (a struct, walked through its fields, slices
// and pointers, each named by its JSON path under prefix) that UnsafeTextProblem refuses: a
// draft's package is checked this way when it is written, whatever else it still lacks.
func UnsafeTexts(prefix string, v any) []Problem {
	var ps []Problem
	walkStrings(prefix, reflect.ValueOf(v), func(path, s string) {
		if m := UnsafeTextProblem(strings.TrimSpace(s)); m != "" {
			ps = append(ps, Problem{Field: path, Rule: ruleText, Message: m})
		}
	})
	return ps
}

func walkStrings(path string, v reflect.Value, visit func(path, s string)) {
	switch v.Kind() {
	case reflect.String:
		visit(path, v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkStrings(path, v.Elem(), visit)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walkStrings(fmt.Sprintf("%s[%d]", path, i), v.Index(i), visit)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if path != "" {
				name = path + "." + name
			}
			walkStrings(name, v.Field(i), visit)
		}
	}
}
