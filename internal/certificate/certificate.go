// Package certificate prints the certificate of compliance in the form of Annex 7 to the Rules
// (§28, §38): one PDF with the certificate and its annex (Table 1, hardware; Table 2, software) in
// Kazakh, Russian and English, a QR code of the verification URL, and fonts embedded, so that the
// same certificate always gives the same bytes and its SHA-256 can be kept in the register (§29).
//
// The caller fills a Certificate; Render checks it and returns the PDF. The package reads no
// clock, no environment and no network.
package certificate

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Almaty where the system has no zone files
	"unicode"
	"unicode/utf8"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
)

// Certificate is everything the form of Annex 7 holds, and what is printed with it.
//
// Names, numbers and the rows of the tables are printed as given in every language; the fields of
// type Text are sentences of the form whose wording differs by language, so each is given in all
// three.
type Certificate struct {
	Number   string    `json:"number"`   // the certificate's number in the register (§29)
	IssuedOn time.Time `json:"issuedOn"` // the date of issue under the chairman's signature; also the PDF's creation date
	Object   Object    `json:"object"`
	Owner    Owner     `json:"owner"`
	// ValidUntil is the last day of validity when the certificate has a term (the e-government
	// platform: one year, §40); nil means for the period of industrial operation.
	ValidUntil *time.Time `json:"validUntil,omitempty"`
	// ValidityPeriod completes "This certificate ... is issued for ___": IndustrialOperation,
	// OneYear, or the authority's own words.
	ValidityPeriod Text `json:"validityPeriod"`
	// InformationCategory completes "The processing of ___ is allowed": the information as it fits
	// the sentence in each language (PublicInformation, RestrictedInformation, or the authority's
	// words: Russian in the genitive, «информации ограниченного доступа»; Kazakh in the accusative,
	// «қолжетімділігі шектеулі ақпаратты»).
	InformationCategory Text `json:"informationCategory"`
	// Prohibitions are what is prohibited when operating the object: restrictions that may affect
	// the effectiveness of the measures and means of protection. At least one.
	Prohibitions []Text `json:"prohibitions"`
	Act          Act    `json:"act"` // the act of the survey (§24)
	// AdditionalAct is the act of the additional survey (§35) when the certificate follows one
	// (§38); nil otherwise.
	AdditionalAct *Act `json:"additionalAct,omitempty"`
	// NotifiableChanges are the characteristics whose changes must be notified to the State
	// Technical Service. At least one.
	NotifiableChanges []Text   `json:"notifiableChanges"`
	Chairman          Chairman `json:"chairman"`
	// Hardware and Software are the rows of the annex's Table 1 and Table 2, in order; item numbers
	// are their positions. Both are empty when the object uses information and communication
	// services (§13(7)) and so filed no lists.
	Hardware []HardwareRow `json:"hardware"`
	Software []SoftwareRow `json:"software"`
	// VerificationURL is the certificate's page in the public register; the QR code encodes it.
	VerificationURL string `json:"verificationUrl"`
	// SHA256 is a checksum the register keeps for this certificate (e.g. of its record), printed
	// beside the QR code as 64 hexadecimal digits; empty prints none. It cannot be the SHA-256 of
	// the PDF itself, which depends on it.
	SHA256 string `json:"sha256,omitempty"`
	// DuplicateIssuedOn marks a duplicate issued on the owner's notice of loss or damage (§48), with
	// its day of issue; nil for the certificate itself.
	DuplicateIssuedOn *time.Time `json:"duplicateIssuedOn,omitempty"`
}

// Object is the object of attestation (§3(6)).
type Object struct {
	Name string `json:"name"`
	// Kind is the policy's key of the object's kind (§5, §6): state_is, state_entity_is,
	// integrated_nonstate_is, critical_is, egov_platform, state_web, nonstate_is, nonstate_web.
	Kind string `json:"kind"`
}

// Owner is the possessor (owner) of the object.
type Owner struct {
	Name           string `json:"name"`
	IdentityNumber string `json:"identityNumber"` // BIN of a legal entity or IIN of an individual
}

// Act identifies an act of the STS: its number and date.
type Act struct {
	Number string    `json:"number"`
	Date   time.Time `json:"date"`
	// SignedBy cites the act's electronic digital signature (issue 17): the signer, the
	// organisation's BIN and the certificate's serial; "" for an act filed unsigned, and in the data
	// of every certificate rendered before, which renders unchanged.
	SignedBy string `json:"signedBy,omitempty"`
}

// Chairman is the one who signs the certificate.
type Chairman struct {
	Name     string `json:"name"`     // surname, name, patronymic (if any)
	Position Text   `json:"position"` // e.g. Chairman of the Information Security Committee of ...
}

// Text is one wording of the certificate in its three languages.
type Text struct {
	KK string `json:"kk"`
	RU string `json:"ru"`
	EN string `json:"en"`
}

// In returns the wording in l.
func (t Text) In(l Lang) string {
	switch l {
	case Kazakh:
		return t.KK
	case Russian:
		return t.RU
	default:
		return t.EN
	}
}

// Wordings of the form's blanks that recur; the authority may write its own.
var (
	// IndustrialOperation is the validity of §40: the period of industrial operation.
	IndustrialOperation = Text{
		KK: "аттестаттау объектісін өнеркәсіптік пайдалану кезеңіне",
		RU: "на период промышленной эксплуатации объекта аттестации",
		EN: "the period of industrial operation of the object of attestation",
	}
	// OneYear is the validity of the e-government platform's certificate (§40).
	OneYear = Text{
		KK: "бір жыл мерзімге",
		RU: "сроком на один год",
		EN: "a period of one year",
	}
	// PublicInformation is publicly accessible information.
	PublicInformation = Text{
		KK: "жалпыға қолжетімді ақпаратты",
		RU: "общедоступной информации",
		EN: "publicly accessible information",
	}
	// RestrictedInformation is information of restricted access.
	RestrictedInformation = Text{
		KK: "қолжетімділігі шектеулі ақпаратты",
		RU: "информации ограниченного доступа",
		EN: "information of restricted access",
	}
)

// HardwareRow is a row of Table 1 of the certificate's annex: the columns of Annex 7's Table 1,
// which are those of Annex 5 without the IP addresses. Its item number (column 1) is its position.
type HardwareRow struct {
	ManufacturerModel  string `json:"manufacturerModel"`            // column 2: manufacturer, model
	SerialNumber       string `json:"serialNumber"`                 // column 3: serial/inventory number
	CertificateNumber  string `json:"certificateNumber,omitempty"`  // column 4: information security certificate number (if any)
	Location           string `json:"location"`                     // column 5: physical location
	Type               string `json:"type"`                         // column 6: type (according to technical documentation)
	Purpose            string `json:"purpose"`                      // column 7: main functional purpose
	Protection         string `json:"protection"`                   // column 8: methods of information protection used
	IntegratedSoftware string `json:"integratedSoftware,omitempty"` // column 9: developer, name, version (of integrated software)
}

// SoftwareRow is a row of Table 2 of the certificate's annex: the columns of Annex 7's Table 2,
// which are those of Annex 6. Its item number (column 1) is its position.
type SoftwareRow struct {
	Developer   string   `json:"developer"`   // column 2
	Name        string   `json:"name"`        // column 3
	Version     string   `json:"version"`     // column 4
	InstalledOn []string `json:"installedOn"` // column 5: place of installation, serial/inventory numbers from the list of hardware
	Type        string   `json:"type"`        // column 6: type (according to program documentation)
	Purpose     string   `json:"purpose"`     // column 7: main functional purpose
	Protection  string   `json:"protection"`  // column 8: methods of information protection used
}

// HardwareRows makes the rows of Table 1 from the list of hardware of the package (Annex 5),
// column by column; column 10 of Annex 5 (IP addresses) has no place in the certificate.
func HardwareRows(items []attestation.HardwareItem) []HardwareRow {
	rows := make([]HardwareRow, len(items))
	for i, h := range items {
		rows[i] = HardwareRow{
			ManufacturerModel:  h.ManufacturerModel,  // Annex 5 column 2
			SerialNumber:       h.SerialNumber,       // Annex 5 column 3
			CertificateNumber:  h.CertificateNumber,  // Annex 5 column 4
			Location:           h.Location,           // Annex 5 column 5
			Type:               h.Type,               // Annex 5 column 6
			Purpose:            h.Purpose,            // Annex 5 column 7
			Protection:         h.Protection,         // Annex 5 column 8
			IntegratedSoftware: h.IntegratedSoftware, // Annex 5 column 9
		}
	}
	return rows
}

// SoftwareRows makes the rows of Table 2 from the list of software of the package (Annex 6),
// column by column.
func SoftwareRows(items []attestation.SoftwareItem) []SoftwareRow {
	rows := make([]SoftwareRow, len(items))
	for i, s := range items {
		rows[i] = SoftwareRow{
			Developer:   s.Developer,                             // Annex 6 column 2
			Name:        s.Name,                                  // Annex 6 column 3
			Version:     s.Version,                               // Annex 6 column 4
			InstalledOn: append([]string(nil), s.InstalledOn...), // Annex 6 column 5
			Type:        s.Type,                                  // Annex 6 column 6
			Purpose:     s.Purpose,                               // Annex 6 column 7
			Protection:  s.Protection,                            // Annex 6 column 8
		}
	}
	return rows
}

// Limits of a certificate: bounds of this service, so rendering takes bounded work. They follow the
// package's limits, since the tables are taken from it.
const (
	MaxItems      = 20  // prohibitions, and notifiable characteristics
	maxURLLength  = 500 // characters of the verification URL
	maxNameLength = attestation.MaxNameLength
	maxTextLength = attestation.MaxTextLength
)

// FieldError is one field of a certificate that cannot be printed. Field is the JSON path of the
// field ("owner.identityNumber", "hardware[2].serialNumber", "prohibitions[0].kk").
type FieldError struct {
	Field   string
	Message string
}

// String renders the problem as "field: message".
func (p FieldError) String() string { return p.Field + ": " + p.Message }

// InvalidError is a certificate that cannot be printed, with every field that is wrong. It is an
// apperr.Unprocessable.
type InvalidError struct {
	Problems []FieldError
}

// Error names every field that is wrong.
func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "certificate cannot be printed: " + strings.Join(parts, "; ")
}

// Unwrap makes the error an apperr.Unprocessable whose message is its own text.
func (e *InvalidError) Unwrap() error {
	return apperr.New(apperr.Unprocessable, "certificate", e.Error())
}

// Validate checks that the certificate has every field of Annex 7 and nothing Render cannot print.
// It returns nil or an *InvalidError naming each wrong field.
func (c Certificate) Validate() error {
	if almatyErr != nil {
		return fmt.Errorf("certificate: time zone of Kazakhstan: %w", almatyErr)
	}
	v := &checker{}
	v.name("number", c.Number, maxNameLength)
	v.date("issuedOn", c.IssuedOn)
	v.name("object.name", c.Object.Name, maxNameLength)
	if strings.TrimSpace(c.Object.Kind) == "" {
		v.add("object.kind", "missing")
	} else if _, ok := kinds[c.Object.Kind]; !ok {
		v.add("object.kind", fmt.Sprintf("unknown kind %q: one of state_is, state_entity_is, integrated_nonstate_is, critical_is, egov_platform, state_web, nonstate_is, nonstate_web", clip(c.Object.Kind)))
	}
	v.name("owner.name", c.Owner.Name, maxNameLength)
	if strings.TrimSpace(c.Owner.IdentityNumber) == "" {
		v.add("owner.identityNumber", "missing: the owner's BIN or IIN")
	} else if err := attestation.ValidIdentityNumber(c.Owner.IdentityNumber); err != nil {
		v.add("owner.identityNumber", "not a valid BIN/IIN: "+err.Error())
	}
	if c.ValidUntil != nil {
		if c.ValidUntil.IsZero() {
			v.add("validUntil", "a zero date: leave it out for the period of industrial operation")
		} else if !c.IssuedOn.IsZero() && !day(*c.ValidUntil).After(day(c.IssuedOn)) {
			v.add("validUntil", "not after the date of issue")
		}
	}
	v.text("validityPeriod", c.ValidityPeriod, maxTextLength)
	v.text("informationCategory", c.InformationCategory, maxTextLength)
	v.texts("prohibitions", c.Prohibitions)
	v.act("act", c.Act, c.IssuedOn)
	if c.AdditionalAct != nil {
		v.act("additionalAct", *c.AdditionalAct, c.IssuedOn)
		if !c.Act.Date.IsZero() && !c.AdditionalAct.Date.IsZero() && day(c.AdditionalAct.Date).Before(day(c.Act.Date)) {
			v.add("additionalAct.date", "before the date of the act of the survey")
		}
	}
	v.texts("notifiableChanges", c.NotifiableChanges)
	v.name("chairman.name", c.Chairman.Name, maxNameLength)
	v.text("chairman.position", c.Chairman.Position, maxNameLength)
	if len(c.Hardware) > attestation.MaxHardwareItems {
		v.add("hardware", fmt.Sprintf("%d rows: Table 1 has at most %d", len(c.Hardware), attestation.MaxHardwareItems))
	} else {
		for i, h := range c.Hardware {
			row := v.inRow("hardware", i)
			row("manufacturerModel", nameProblem(h.ManufacturerModel, maxNameLength))
			row("serialNumber", nameProblem(h.SerialNumber, maxNameLength))
			row("certificateNumber", optionalProblem(h.CertificateNumber, maxNameLength))
			row("location", nameProblem(h.Location, maxNameLength))
			row("type", nameProblem(h.Type, maxNameLength))
			row("purpose", nameProblem(h.Purpose, maxTextLength))
			row("protection", nameProblem(h.Protection, maxTextLength))
			row("integratedSoftware", optionalProblem(h.IntegratedSoftware, maxTextLength))
		}
	}
	if len(c.Software) > attestation.MaxSoftwareItems {
		v.add("software", fmt.Sprintf("%d rows: Table 2 has at most %d", len(c.Software), attestation.MaxSoftwareItems))
	} else {
		for i, s := range c.Software {
			row := v.inRow("software", i)
			row("developer", nameProblem(s.Developer, maxNameLength))
			row("name", nameProblem(s.Name, maxNameLength))
			row("version", nameProblem(s.Version, maxNameLength))
			switch {
			case len(s.InstalledOn) == 0:
				row("installedOn", "missing: the serial/inventory number of a row of Table 1")
			case len(s.InstalledOn) > attestation.MaxInstallPlaces:
				row("installedOn", fmt.Sprintf("%d places: at most %d", len(s.InstalledOn), attestation.MaxInstallPlaces))
			default:
				for j, p := range s.InstalledOn {
					if problem := nameProblem(p, maxNameLength); problem != "" {
						v.add(fmt.Sprintf("software[%d].installedOn[%d]", i, j), problem)
					}
				}
			}
			row("type", nameProblem(s.Type, maxNameLength))
			row("purpose", nameProblem(s.Purpose, maxTextLength))
			row("protection", nameProblem(s.Protection, maxTextLength))
		}
	}
	v.url("verificationUrl", c.VerificationURL)
	if c.SHA256 != "" && !attestation.IsHex64(c.SHA256) {
		v.add("sha256", "not 64 hexadecimal digits")
	}
	if len(v.problems) == 0 {
		return nil
	}
	return &InvalidError{Problems: v.problems}
}

// checker collects the problems of a certificate.
type checker struct {
	problems []FieldError
}

func (v *checker) add(field, msg string) {
	v.problems = append(v.problems, FieldError{Field: field, Message: msg})
}

// inRow adds the problems of the columns of row i of table: a row's field is named only when it
// has a problem (most rows have none).
func (v *checker) inRow(table string, i int) func(col, problem string) {
	return func(col, problem string) {
		if problem != "" {
			v.add(fmt.Sprintf("%s[%d].%s", table, i, col), problem)
		}
	}
}

// name checks a required single-line value.
func (v *checker) name(field, s string, limit int) {
	if problem := nameProblem(s, limit); problem != "" {
		v.add(field, problem)
	}
}

// optional checks a value that may be empty.
func (v *checker) optional(field, s string, limit int) {
	if problem := optionalProblem(s, limit); problem != "" {
		v.add(field, problem)
	}
}

// nameProblem is what is wrong with a required value, or "": blank, or optionalProblem's.
func nameProblem(s string, limit int) string {
	blank, problem := scanValue(s, limit)
	if blank {
		return "missing"
	}
	return problem
}

// optionalProblem is what is wrong with a value that may be empty, or "": not UTF-8, longer than
// limit characters, or holding a control character (other than a space's), in that order.
func optionalProblem(s string, limit int) string {
	_, problem := scanValue(s, limit)
	return problem
}

// scanValue reads s once: whether it is blank (spaces only, as strings.TrimSpace sees them) and
// optionalProblem's answer.
func scanValue(s string, limit int) (blank bool, problem string) {
	blank = true
	n, control := 0, false
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf { // ASCII: spaces are \t to \r and ' ', controls below ' ' and DEL
			i++
			n++
			space := c == ' ' || '\t' <= c && c <= '\r'
			blank = blank && space
			control = control || (c < ' ' || c == 0x7f) && !space
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false, "not valid UTF-8 text"
		}
		i += size
		n++
		space := unicode.IsSpace(r)
		blank = blank && space
		control = control || unicode.IsControl(r) && !space
	}
	switch {
	case n > limit:
		return blank, fmt.Sprintf("too long: at most %d characters", limit)
	case control:
		return blank, "contains a control character"
	}
	return blank, ""
}

// text checks a wording required in every language.
func (v *checker) text(field string, t Text, limit int) {
	for _, l := range Languages() {
		v.name(field+"."+string(l), t.In(l), limit)
	}
}

// texts checks a list of wordings: at least one, at most MaxItems.
func (v *checker) texts(field string, ts []Text) {
	switch {
	case len(ts) == 0:
		v.add(field, "missing: at least one item")
	case len(ts) > MaxItems:
		v.add(field, fmt.Sprintf("%d items: at most %d", len(ts), MaxItems))
	default:
		for i, t := range ts {
			v.text(fmt.Sprintf("%s[%d]", field, i), t, maxTextLength)
		}
	}
}

// date checks a required date.
func (v *checker) date(field string, t time.Time) {
	if t.IsZero() {
		v.add(field, "missing")
	}
}

// act checks an act's number and date; the act precedes the certificate (§27, §37).
func (v *checker) act(field string, a Act, issued time.Time) {
	v.name(field+".number", a.Number, maxNameLength)
	v.date(field+".date", a.Date)
	if !a.Date.IsZero() && !issued.IsZero() && day(a.Date).After(day(issued)) {
		v.add(field+".date", "after the date of issue of the certificate")
	}
}

// url checks the verification URL: an absolute http(s) URL, printable as one short line.
func (v *checker) url(field, s string) {
	if strings.TrimSpace(s) == "" {
		v.add(field, "missing: the QR code encodes it")
		return
	}
	if len(s) > maxURLLength {
		v.add(field, fmt.Sprintf("too long: at most %d characters", maxURLLength))
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsFunc(s, unicode.IsSpace) {
		v.add(field, "not an absolute http or https URL")
	}
}

// almaty is Kazakhstan's time zone, in which the certificate's dates are printed (from the
// embedded tz database, so a Lambda without zone files prints the same).
var almaty, almatyErr = time.LoadLocation("Asia/Almaty")

// day is the calendar date of t in Kazakhstan, as midnight UTC, for comparing dates.
func day(t time.Time) time.Time {
	y, m, d := t.In(almaty).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// clip shortens a caller's string for a message.
func clip(s string) string {
	const n = 64
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
