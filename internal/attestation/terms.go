package attestation

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ActDetails are the number and date of an act of the STS: the act of the survey (§24) or of the
// additional survey (§35). The STS states them when it hands the act over; the certificate
// (Annex 7: "on the basis of the act ... No. ___ of ___") and the register (§29) print them.
type ActDetails struct {
	Number string `json:"number"`
	Date   string `json:"date"` // YYYY-MM-DD, the act's own date
	// MethodologyVersion (§20) and Components (§22): the published version of the survey
	// methodology the act was drawn up under, and the finding of each of the four components of
	// the survey (survey.go). Given together or not at all.
	MethodologyVersion string         `json:"methodologyVersion,omitempty"`
	Components         []ActComponent `json:"components,omitempty"`
	// Copies are the act's three copies (§25, §35): recorded by the service, never sent by a caller.
	Copies []ActCopy `json:"copies,omitempty"`
}

// Text is one wording in the certificate's three languages (Annex 7 is issued in Kazakh and
// Russian; the English text is the seed's).
type Text struct {
	KK string `json:"kk"`
	RU string `json:"ru"`
	EN string `json:"en"`
}

// Chairman is who signs the certificate (Annex 7): the head of the authority.
type Chairman struct {
	Name     string `json:"name"`
	Position Text   `json:"position"`
}

// CertificateTerms are what the authority decides with a certificate (§27(1), §37; Annex 7): the
// category of information the object may process, what is prohibited in its operation, the
// characteristics whose change must be notified (§43), and who signs it.
type CertificateTerms struct {
	// InformationCategory completes "The processing of ___ is allowed" in each language: "public"
	// or "restricted" select the form's usual wordings; a Text gives the authority's own.
	InformationCategory string   `json:"informationCategory,omitempty"`
	InformationText     *Text    `json:"informationText,omitempty"`
	Prohibitions        []Text   `json:"prohibitions"`
	NotifiableChanges   []Text   `json:"notifiableChanges"`
	Chairman            Chairman `json:"chairman"`
}

// The information categories with the form's usual wordings.
const (
	InformationPublic     = "public"
	InformationRestricted = "restricted"
)

const (
	maxActNumber  = 64
	maxTermText   = 500
	maxTermItems  = 20
	maxNameLength = 200
)

// checkAct checks an act's details: a number, and a date that is a real day, not before the
// application was filed and not after now (in Kazakhstan time).
func checkAct(a *ActDetails, filed, now time.Time) error {
	if a == nil {
		return fmt.Errorf("act: the act's number and date are required (§24, Annex 7)")
	}
	if err := checkLine("act.number", a.Number, maxActNumber); err != nil {
		return err
	}
	d, err := time.ParseInLocation(time.DateOnly, a.Date, almatyLoc())
	if err != nil {
		return fmt.Errorf("act.date: %q is not a date YYYY-MM-DD", a.Date)
	}
	if d.After(now.In(almatyLoc())) {
		return fmt.Errorf("act.date: %s is after today", a.Date)
	}
	if y, m, dd := filed.In(almatyLoc()).Date(); d.Before(time.Date(y, m, dd, 0, 0, 0, 0, almatyLoc())) {
		return fmt.Errorf("act.date: %s is before the application was filed", a.Date)
	}
	return nil
}

// ActDate is the act's date as a day in Kazakhstan time.
func (a ActDetails) ActDate() (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, a.Date, almatyLoc())
}

// checkTerms checks the certificate's terms (Annex 7).
func checkTerms(t *CertificateTerms) error {
	if t == nil {
		return fmt.Errorf("certificate: the certificate's terms are required to issue it (Annex 7): informationCategory, prohibitions, notifiableChanges, chairman")
	}
	switch {
	case t.InformationText != nil && t.InformationCategory != "":
		return fmt.Errorf("certificate.informationCategory: give either a category (public, restricted) or informationText, not both")
	case t.InformationText != nil:
		if err := checkText("certificate.informationText", *t.InformationText); err != nil {
			return err
		}
	case t.InformationCategory != InformationPublic && t.InformationCategory != InformationRestricted:
		return fmt.Errorf("certificate.informationCategory: %q: want public or restricted, or give informationText", t.InformationCategory)
	}
	if err := checkTexts("certificate.prohibitions", t.Prohibitions); err != nil {
		return err
	}
	if err := checkTexts("certificate.notifiableChanges", t.NotifiableChanges); err != nil {
		return err
	}
	if err := checkLine("certificate.chairman.name", t.Chairman.Name, maxNameLength); err != nil {
		return err
	}
	return checkText("certificate.chairman.position", t.Chairman.Position)
}

func checkTexts(field string, ts []Text) error {
	if len(ts) == 0 {
		return fmt.Errorf("%s: at least one is required (Annex 7)", field)
	}
	if len(ts) > maxTermItems {
		return fmt.Errorf("%s: %d given, at most %d", field, len(ts), maxTermItems)
	}
	for i, t := range ts {
		if err := checkText(fmt.Sprintf("%s[%d]", field, i), t); err != nil {
			return err
		}
	}
	return nil
}

func checkText(field string, t Text) error {
	for _, l := range []struct{ lang, s string }{{"kk", t.KK}, {"ru", t.RU}, {"en", t.EN}} {
		if err := checkLine(field+"."+l.lang, l.s, maxTermText); err != nil {
			return err
		}
	}
	return nil
}

func checkLine(field, s string, limit int) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s: not valid UTF-8", field)
	}
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("%s: required", field)
	}
	if n := utf8.RuneCountInString(s); n > limit {
		return fmt.Errorf("%s: %d characters, at most %d", field, n, limit)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("%s: control characters are not allowed", field)
		}
	}
	if m := UnsafeTextProblem(s); m != "" {
		return fmt.Errorf("%s: %s", field, m)
	}
	return nil
}
