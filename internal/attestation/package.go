package attestation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"attestation/internal/policy"
)

// Package is the application package of §13 as structured data: the application (Annex 2), the
// facts that decide which documents are due, the stored files of the documents by their policy
// ids, and the lists of Annexes 4-6 as rows. It is the body of the API's filing request; its JSON
// names are lowerCamelCase.
//
// Which documents are due is data of the policy edition (Edition.RequiredItems); Hardware, Software
// and Integrated are the rows of the edition's documents hardware_list (Annex 5), software_list
// (Annex 6) and integrated_objects_list (Annex 4), so they are filled exactly when the edition
// requires those documents.
type Package struct {
	Edition     string                 `json:"-"`           // the policy edition the package is checked under; set by the service, never by the client
	Applicant   Applicant              `json:"applicant"`   // Annex 2
	Object      ObjectInfo             `json:"object"`      // Annex 2: the object of attestation
	Flags       ObjectFlags            `json:"flags"`       // facts about the object that select documents and periods
	StateSecret bool                   `json:"stateSecret"` // §2: a system in secure execution classified as state secrets (out of scope)
	Documents   map[string]DocumentRef `json:"documents"`   // policy document id -> the stored file
	Hardware    []HardwareItem         `json:"hardware"`    // Annex 5 rows; empty when the object uses ICT services
	Software    []SoftwareItem         `json:"software"`    // Annex 6 rows; empty when the object uses ICT services
	Integrated  []IntegratedObject     `json:"integrated"`  // Annex 4 rows; exactly when Flags.HasIntegratedObjects
}

// ApplicantType says whether the applicant is a legal entity (BIN) or an individual (IIN).
type ApplicantType string

// The applicant types. §13(1): an individual adds a copy of an identity document.
const (
	ApplicantLegalEntity ApplicantType = "legal_entity"
	ApplicantIndividual  ApplicantType = "individual"
)

// Applicant is the applicant as Annex 2 names it: the owner or possessor of the object, or the
// person it authorised (§3(3)).
type Applicant struct {
	Name           string        `json:"name"`           // organisation name, or surname, name and patronymic (if any)
	IdentityNumber string        `json:"identityNumber"` // BIN of a legal entity or IIN of an individual (Annex 2: "BIN/IIN")
	Type           ApplicantType `json:"type"`           // legal_entity or individual; required, never guessed from the number
}

// ObjectInfo is the object of attestation (§3(6)).
type ObjectInfo struct {
	// ID is the object of informatization as registered (POST /objects), when the applicant names
	// it: the register then links the certificate to it (§4 oversight, Annex 1 plans).
	ID        string `json:"id,omitempty"`
	Name      string `json:"name"`                // Annex 2: name of the object of attestation
	Kind      string `json:"kind"`                // a kind of the policy edition (§5, §6), e.g. state_is
	Developer string `json:"developer,omitempty"` // optional; the register records it when known (§29)
}

// ObjectFlags are the facts about the object that select the package's documents (§13) and the
// survey's period (§19). Whether the applicant is an individual is not a flag of the request: it
// follows Applicant.Type (see Package.PolicyFlags).
type ObjectFlags struct {
	UsesCryptography          bool `json:"usesCryptography"`          // Annex 3 item 7 becomes due
	UsesICTServices           bool `json:"usesIctServices"`           // §13(7): the ICT services contract instead of the lists of §13(6)
	HasIntegratedObjects      bool `json:"hasIntegratedObjects"`      // §13(5): the Annex 4 list becomes due
	GeographicallyDistributed bool `json:"geographicallyDistributed"` // §19: the longer survey
}

// PolicyFlags returns the package's facts as the policy's flags; IndividualApplicant follows the
// applicant's type.
func (p Package) PolicyFlags() policy.PackageFlags {
	return policy.PackageFlags{
		UsesCryptography:          p.Flags.UsesCryptography,
		UsesICTServices:           p.Flags.UsesICTServices,
		HasIntegratedObjects:      p.Flags.HasIntegratedObjects,
		IndividualApplicant:       p.Applicant.Type == ApplicantIndividual,
		GeographicallyDistributed: p.Flags.GeographicallyDistributed,
	}
}

// DocumentRef is a document of the package as stored: the object key of the uploaded file and what
// the applicant declares about it, so the stored object can be checked against it.
type DocumentRef struct {
	Key         string `json:"key"`                 // the stored object's key
	SHA256      string `json:"sha256"`              // SHA-256 of the file, 64 hexadecimal digits
	ContentType string `json:"contentType"`         // media type, e.g. application/pdf
	Size        int64  `json:"size"`                // bytes, positive
	Sheets      int    `json:"sheets,omitempty"`    // number of sheets (Annex 2 item 1); 0 when not stated
	VersionID   string `json:"versionId,omitempty"` // the S3 version of the confirmed upload
}

// HardwareItem is a row of the list of hardware (Annex 5); its item number is its position.
type HardwareItem struct {
	ManufacturerModel  string   `json:"manufacturerModel"`            // column 2: manufacturer, model
	SerialNumber       string   `json:"serialNumber"`                 // column 3: serial/inventory number; unique in the list, software rows refer to it
	CertificateNumber  string   `json:"certificateNumber,omitempty"`  // column 4: information security certificate number (if any)
	Location           string   `json:"location"`                     // column 5: physical location
	Type               string   `json:"type"`                         // column 6: type (according to technical documentation)
	Purpose            string   `json:"purpose"`                      // column 7: main functional purpose
	Protection         string   `json:"protection"`                   // column 8: methods of information protection used
	IntegratedSoftware string   `json:"integratedSoftware,omitempty"` // column 9: developer, name, version of integrated software
	IPAddresses        []string `json:"ipAddresses,omitempty"`        // column 10: IPv4 or IPv6 addresses, each once
}

// SoftwareItem is a row of the list of software (Annex 6); its item number is its position.
type SoftwareItem struct {
	Developer   string   `json:"developer"`   // column 2
	Name        string   `json:"name"`        // column 3
	Version     string   `json:"version"`     // column 4
	InstalledOn []string `json:"installedOn"` // column 5: place of installation, the serial/inventory numbers (HardwareItem.SerialNumber) of hardware rows
	Type        string   `json:"type"`        // column 6: type (according to program documentation)
	Purpose     string   `json:"purpose"`     // column 7: main functional purpose
	Protection  string   `json:"protection"`  // column 8: methods of information protection used
}

// IntegratedObject is a row of the list of objects of informatization integrated with the object
// (Annex 4); its item number is its position.
type IntegratedObject struct {
	Name        string `json:"name"`        // column 2: name of the object of informatization
	Owner       string `json:"owner"`       // column 3: possessor (owner)
	Interaction string `json:"interaction"` // column 4: nature of interaction
}

// Problem is one thing wrong with a filing. Field is a JSON-pointer-like path into the request
// body ("hardware[2].ipAddresses[0]", "documents.annex3_07"), empty for the filing as a whole;
// Rule is the paragraph of the regulation it breaks ("§13(6), Annex 5"), or "request" for a body
// that is not a package at all; Message says what is wrong in words an applicant can act on.
type Problem struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// String renders the problem for logs and test output.
func (p Problem) String() string {
	if p.Field == "" {
		return fmt.Sprintf("[%s] %s", p.Rule, p.Message)
	}
	return fmt.Sprintf("%s [%s] %s", p.Field, p.Rule, p.Message)
}

// Limits of a package. They are not figures of the regulation but bounds of this service, so that
// validating a request takes bounded work and its answer has a bounded size. A list or text over
// its limit is a problem; the rows of a list over its limit are not checked one by one.
const (
	MaxPackageBytes     = 4 << 20 // bytes of the JSON body ParsePackage accepts
	MaxDocuments        = 64      // entries of Package.Documents
	MaxHardwareItems    = 1000    // rows of Annex 5
	MaxSoftwareItems    = 2000    // rows of Annex 6
	MaxIntegratedItems  = 500     // rows of Annex 4
	MaxIPAddresses      = 64      // addresses of one hardware row
	MaxInstallPlaces    = 256     // hardware rows one software row is installed on
	MaxNameLength       = 500     // characters of a name, number, version or type
	MaxTextLength       = 2000    // characters of a purpose, protection or interaction description
	MaxDocumentKeyBytes = 1024    // bytes of a stored object's key (the S3 limit)
	MaxDocumentIDLength = 64      // characters of a document id
	MaxSheets           = 100000  // sheets of one document
	maxContentType      = 255     // characters of a media type (RFC 6838: 127 + "/" + 127)
	maxIPText           = 64      // characters of one IP address as text; IPv6 needs at most 45
)

// The edition's documents whose rows Package carries, and the exclusion Package.StateSecret claims.
// These are keys of the edition, as policy's step keys are; what they require is the edition's data.
const (
	docHardwareList       = "hardware_list"           // Annex 5: Package.Hardware
	docSoftwareList       = "software_list"           // Annex 6: Package.Software
	docIntegratedList     = "integrated_objects_list" // Annex 4: Package.Integrated
	exclusionStateSecret  = "state_secret"            // §2
	ruleRequest           = "request"                 // Problem.Rule of a body that is not a package
	ruleAnnex2            = "§13, Annex 2"            // the application's own fields
	ruleDocumentReference = "§13"                     // a stored file of the package
)

// ParsePackage decodes the JSON body of a filing strictly: one JSON object of at most
// MaxPackageBytes, no unknown fields, no trailing data. A body that cannot be decoded gives the
// problems that say why (Rule "request") and a zero Package; a decoded body gives no problems, and
// ValidatePackage then checks it.
func ParsePackage(data []byte) (Package, []Problem) {
	if len(data) > MaxPackageBytes {
		return Package{}, []Problem{{Rule: ruleRequest, Message: fmt.Sprintf("the body is %d bytes; a package is at most %d bytes", len(data), MaxPackageBytes)}}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Package{}, []Problem{{Rule: ruleRequest, Message: "the body is empty: send the package as a JSON object"}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Package
	if err := dec.Decode(&p); err != nil {
		return Package{}, []Problem{decodeProblem(err)}
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Package{}, []Problem{{Rule: ruleRequest, Message: fmt.Sprintf("unexpected data after the package at byte %d: send one JSON object", end)}}
	}
	return p, nil
}

// decodeProblem turns a JSON decoding error into a Problem without Go type names.
func decodeProblem(err error) Problem {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return Problem{Rule: ruleRequest, Message: fmt.Sprintf("not valid JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return Problem{Rule: ruleRequest, Message: fmt.Sprintf("the package must be a JSON object, not %s", jsonValueName(typ.Value))}
		}
		return Problem{Field: field, Rule: ruleRequest, Message: fmt.Sprintf("must be %s, not %s (byte %d)", jsonTypeName(typ.Type), jsonValueName(typ.Value), typ.Offset)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Problem{Rule: ruleRequest, Message: "the JSON ends too early: the package is incomplete"}
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		return Problem{Rule: ruleRequest, Message: fmt.Sprintf("unknown field %s: the package has no such field", name)}
	}
	return Problem{Rule: ruleRequest, Message: "the body is not a package: " + msg}
}

// jsonTypeName names what a Go type expects in JSON words.
func jsonTypeName(t reflect.Type) string {
	if t == nil {
		return "another JSON type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "another JSON type"
}

// jsonValueName names the JSON value the decoder found ("number", "string", "array"...).
func jsonValueName(v string) string {
	switch {
	case v == "array" || v == "object":
		return "an " + v
	case v == "":
		return "this value"
	case strings.HasPrefix(v, "number "):
		return "the number " + strings.TrimPrefix(v, "number ")
	}
	return "a " + v
}

// ValidatePackage checks a package against an edition and returns every problem at once, in a
// stable order; none means the package is complete and well-formed (§14: form and completeness).
// It checks:
//   - the application (Annex 2): the applicant's name, BIN/IIN with its check digit and type, and
//     the object's name; the object's kind is a kind of the edition (§5, §6);
//   - the documents (§13, Annex 3): every document the edition requires for the package's flags is
//     present; a document the flags make inapplicable is absent; every id is a package document of
//     the edition; every stored file has a key, a SHA-256, a media type and a positive size;
//   - the rows of Annexes 4, 5 and 6: present exactly when the edition requires their document,
//     each row with its columns; hardware IP addresses valid and each once; every software row
//     installed on hardware rows of the list, named by serial/inventory number;
//   - the limits of this service on list and text lengths (MaxHardwareItems and the others).
//
// It does not check the filing's time or scope: CheckSubmission does that and then calls it.
func ValidatePackage(ed *policy.Edition, p Package) []Problem {
	if ed == nil {
		return []Problem{{Rule: ruleRequest, Message: "no policy edition to check the package against"}}
	}
	v := &validator{ed: ed, flags: p.PolicyFlags()}
	v.index()
	if p.Edition != "" && p.Edition != ed.ID() {
		v.add("", ruleRequest, "the package names edition %q but is checked under %q", clip(p.Edition), ed.ID())
	}
	v.applicant(p.Applicant)
	v.object(p.Object)
	v.documents(p.Documents)
	hwIndex := v.hardware(p.Hardware)
	v.software(p.Software, hwIndex)
	v.integrated(p.Integrated)
	return v.out
}

// CheckSubmission returns the problems that stop a filing before any case starts, each with its
// reason, then every problem of ValidatePackage:
//   - §2: a system in secure execution classified as state secrets is outside the Rules (the
//     edition's exclusion state_secret);
//   - §12: the application must reach the authority no later than the edition's date of the year
//     (November 1, moved to the next working day when it is a day off). The filing counts when the
//     office receives it (Edition.ReceivedAt: outside acceptance hours, the next moment the office
//     accepts filings), and it belongs to the year of that moment. A filing received after the
//     window of its year is refused, naming the moment the window closed; it does not count for
//     the next year, since the Rules accept applications of the current year only. A filing made
//     on December 31 after hours is received in January and so belongs to the new year's window.
//
// §5: an object of a kind that an exemption may free from mandatory attestation is not refused:
// its owner may still have it attested, as a voluntary attestation (§6), so nothing is reported.
func CheckSubmission(ed *policy.Edition, cal policy.Calendar, p Package, filedAt time.Time) []Problem {
	if ed == nil {
		return ValidatePackage(nil, p)
	}
	var out []Problem
	if p.StateSecret {
		for _, x := range ed.Exclusions() {
			if x.ID == exclusionStateSecret {
				out = append(out, Problem{Field: "stateSecret", Rule: x.Paragraph,
					Message: fmt.Sprintf("not accepted: the regulation does not apply to %s", lowerFirst(x.Text))})
			}
		}
	}
	if pr, ok := windowProblem(ed, cal, filedAt); ok {
		out = append(out, pr)
	}
	return append(out, ValidatePackage(ed, p)...)
}

// windowProblem checks §12 for a filing made at filedAt.
func windowProblem(ed *policy.Edition, cal policy.Calendar, filedAt time.Time) (Problem, bool) {
	period, err := ed.Period(policy.StepApplicationWindow)
	if err != nil {
		return Problem{Rule: ruleRequest, Message: fmt.Sprintf("cannot check the application window: %v", err)}, true
	}
	fail := func(format string, args ...any) (Problem, bool) {
		return Problem{Rule: period.Paragraph, Message: fmt.Sprintf(format, args...)}, true
	}
	if cal == nil {
		return fail("cannot check the application window: no working-day calendar")
	}
	received, err := ed.ReceivedAt(cal, filedAt)
	if err != nil {
		return fail("cannot tell when the authority receives a filing made at %s: %v", filedAt.UTC().Format(time.RFC3339), err)
	}
	closes, err := ed.ApplicationWindowCloses(cal, received.Year())
	if err != nil {
		return fail("cannot compute the application window of %d: %v", received.Year(), err)
	}
	if !received.After(closes) {
		return Problem{}, false
	}
	moved := ""
	if period.NextWorkingDay {
		moved = ", moved to the next working day when it is a day off"
	}
	const layout = "2006-01-02 15:04:05 MST"
	return fail("not accepted: applications of %d are accepted no later than %s (%s)%s, that is until %s; this filing, made at %s, counts as received at %s, after the window closed",
		received.Year(), period.Limit(), period.Paragraph, moved, closes.Format(layout),
		filedAt.In(received.Location()).Format(layout), received.Format(layout))
}

// validator collects the problems of one package.
type validator struct {
	ed    *policy.Edition
	flags policy.PackageFlags
	out   []Problem

	seenAddr  map[netip.Addr]int // addresses of the row being checked, reused from row to row
	seenPlace map[string]int     // places of installation of the row being checked

	required map[string]policy.Requirement   // documents the flags require, by id
	rulesOf  map[string][]policy.PackageRule // the package rules that name a document, by id
	flagInfo map[string]policy.Flag          // the edition's flags, by id
	docs     map[string]policy.Document      // the edition's documents, by id
}

func (v *validator) add(field, rule, format string, args ...any) {
	v.out = append(v.out, Problem{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// index reads what the checks need from the edition once.
func (v *validator) index() {
	v.seenAddr, v.seenPlace = map[netip.Addr]int{}, map[string]int{}
	v.required = map[string]policy.Requirement{}
	for _, r := range v.ed.RequiredItems(v.flags) {
		if _, dup := v.required[r.ID]; !dup {
			v.required[r.ID] = r
		}
	}
	v.rulesOf = map[string][]policy.PackageRule{}
	for _, r := range v.ed.PackageRules() {
		for _, id := range r.Require {
			v.rulesOf[id] = append(v.rulesOf[id], r)
		}
	}
	v.flagInfo = map[string]policy.Flag{}
	for _, f := range v.ed.Flags() {
		v.flagInfo[f.ID] = f
	}
	v.docs = map[string]policy.Document{}
	for _, d := range v.ed.Documents() {
		v.docs[d.ID] = d
	}
}

// paragraph returns a document's paragraph in the edition, or fallback if the edition lacks it.
func (v *validator) paragraph(docID, fallback string) string {
	if d, ok := v.docs[docID]; ok && d.Paragraph != "" {
		return d.Paragraph
	}
	return fallback
}

// at is the path of a field, list[i].name or name alone when list is "", built into a string only
// when a problem names it: a valid package costs no allocation per field.
type at struct {
	list string
	i    int
	name string
}

func (a at) String() string {
	if a.list == "" {
		return a.name
	}
	if a.name == "" {
		return fmt.Sprintf("%s[%d]", a.list, a.i)
	}
	return fmt.Sprintf("%s[%d].%s", a.list, a.i, a.name)
}

// index is the path of the j-th element of the list the field holds.
func (a at) index(j int) string { return fmt.Sprintf("%s[%d]", a, j) }

// field is the path of a named field of the same row.
func (a at) field(name string) at { return at{list: a.list, i: a.i, name: name} }

// text checks a text field: valid UTF-8, within max characters, and not blank when required.
func (v *validator) text(f at, rule, label, s string, required bool, max int) {
	switch {
	case len(s) > 4*max || utf8.RuneCountInString(s) > max:
		v.add(f.String(), rule, "%s is too long: at most %d characters", label, max)
	case !utf8.ValidString(s):
		v.add(f.String(), rule, "%s is not valid UTF-8 text", label)
	case required && strings.TrimSpace(s) == "":
		v.add(f.String(), rule, "%s is missing", label)
	}
}

// applicant checks the application's applicant (Annex 2).
func (v *validator) applicant(a Applicant) {
	v.text(at{name: "applicant.name"}, ruleAnnex2, "the applicant's name", a.Name, true, MaxNameLength)
	numberOK := false
	switch {
	case len(a.IdentityNumber) > 4*12:
		v.add("applicant.identityNumber", ruleAnnex2, "BIN/IIN must be 12 digits, got %d bytes", len(a.IdentityNumber))
	default:
		if err := ValidIdentityNumber(a.IdentityNumber); err != nil {
			v.add("applicant.identityNumber", ruleAnnex2, "%v", err)
		} else {
			numberOK = true
		}
	}
	switch a.Type {
	case ApplicantLegalEntity:
	case ApplicantIndividual:
		// An individual files with an IIN; a 5th digit 4 or 5 marks a legal entity's BIN.
		if d, ok := legalEntityNumber(a.IdentityNumber); numberOK && ok {
			v.add("applicant.type", ruleAnnex2, "the applicant is declared an individual, but the 5th digit %c of the number marks the BIN of a %s legal entity: an individual files with an IIN", d, map[byte]string{'4': "resident", '5': "non-resident"}[d])
		}
	case "":
		v.add("applicant.type", ruleAnnex2, "the applicant's type is missing: %q (BIN) or %q (IIN)", ApplicantLegalEntity, ApplicantIndividual)
	default:
		v.add("applicant.type", ruleAnnex2, "unknown applicant type %q: %q (BIN) or %q (IIN)", clip(string(a.Type)), ApplicantLegalEntity, ApplicantIndividual)
	}
}

var objectIDPattern = regexp.MustCompile(`^O-[0-9a-f]{16}$`)

// object checks the object of attestation: its name (Annex 2) and kind (§5, §6).
func (v *validator) object(o ObjectInfo) {
	if o.ID != "" && !objectIDPattern.MatchString(o.ID) {
		v.add("object.id", "§11, Annex 1", "%q is not an object id: O- and 16 hexadecimal digits, as POST /objects gives it", clip(o.ID))
	}
	v.text(at{name: "object.name"}, ruleAnnex2, "the object's name", o.Name, true, MaxNameLength)
	v.text(at{name: "object.developer"}, ruleAnnex2, "the object's developer", o.Developer, false, MaxNameLength)
	kinds := v.ed.Kinds()
	var ids, paragraphs []string
	for _, k := range kinds {
		ids = append(ids, k.ID)
		if !slices.Contains(paragraphs, k.Paragraph) {
			paragraphs = append(paragraphs, k.Paragraph)
		}
	}
	rule := strings.Join(paragraphs, ", ")
	switch {
	case o.Kind == "":
		v.add("object.kind", rule, "the object's kind is missing: one of %s", strings.Join(ids, ", "))
	case !slices.Contains(ids, o.Kind):
		v.add("object.kind", rule, "unknown object kind %q: one of %s", clip(o.Kind), strings.Join(ids, ", "))
	}
}

// documents checks the package's documents against the edition's rules for the package's flags.
func (v *validator) documents(docs map[string]DocumentRef) {
	if len(docs) > MaxDocuments {
		v.add("documents", ruleDocumentReference, "%d documents: a package has at most %d", len(docs), MaxDocuments)
	} else {
		ids := make([]string, 0, len(docs))
		for id := range docs {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			v.document(id, docs[id])
		}
	}
	// Every required document, in the order of the edition's rules.
	for _, r := range v.ed.RequiredItems(v.flags) {
		if _, ok := docs[r.ID]; ok {
			continue
		}
		v.add(docField(r.ID), r.Paragraph, "missing: %s%s", strings.TrimSuffix(r.Title, "."), v.requiredBecause(r.Rule))
	}
}

// document checks one entry of Package.Documents.
func (v *validator) document(id string, ref DocumentRef) {
	field := docField(id)
	if utf8.RuneCountInString(id) > MaxDocumentIDLength || !utf8.ValidString(id) {
		v.add(field, ruleDocumentReference, "unknown document id: at most %d characters of UTF-8", MaxDocumentIDLength)
		return
	}
	d, ok := v.docs[id]
	if !ok {
		v.add(field, ruleDocumentReference, "unknown document %q: not a document of edition %s", id, v.ed.ID())
		return
	}
	if d.Group != policy.GroupPackage {
		v.add(field, d.Paragraph, "%s is not filed with the application: it is made during the case", strings.TrimSuffix(d.Title, "."))
		return
	}
	if _, due := v.required[id]; !due {
		if rules := v.rulesOf[id]; len(rules) > 0 {
			v.add(field, rules[0].Paragraph, "not applicable: %s %s; remove it or correct the facts of the package", strings.TrimSuffix(d.Title, "."), v.inapplicable(rules[0]))
			return
		}
		// No rule names it: an optional document of the package.
	}
	v.reference(field, d.Paragraph, ref)
}

// reference checks what the package says about a stored file.
func (v *validator) reference(field, rule string, ref DocumentRef) {
	switch {
	case len(ref.Key) > MaxDocumentKeyBytes:
		v.add(field+".key", rule, "the key is too long: at most %d bytes", MaxDocumentKeyBytes)
	case !utf8.ValidString(ref.Key):
		v.add(field+".key", rule, "the key is not valid UTF-8 text")
	case strings.TrimSpace(ref.Key) == "":
		v.add(field+".key", rule, "the key of the stored file is missing")
	case strings.ContainsFunc(ref.Key, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		v.add(field+".key", rule, "the key contains a control character")
	}
	if !IsHex64(ref.SHA256) {
		v.add(field+".sha256", rule, "the SHA-256 must be 64 hexadecimal digits, got %d characters", utf8.RuneCountInString(clip(ref.SHA256)))
	}
	switch {
	case len(ref.ContentType) > maxContentType:
		v.add(field+".contentType", rule, "the content type is too long: at most %d characters", maxContentType)
	case strings.TrimSpace(ref.ContentType) == "":
		v.add(field+".contentType", rule, "the content type is missing, e.g. application/pdf")
	default:
		if mt, _, err := mime.ParseMediaType(ref.ContentType); err != nil || !typeSlashSubtype(mt) {
			v.add(field+".contentType", rule, "the content type %q is not a media type, e.g. application/pdf", ref.ContentType)
		}
	}
	if ref.Size <= 0 {
		v.add(field+".size", rule, "the size must be a positive number of bytes, got %d", ref.Size)
	}
	if ref.Sheets < 0 || ref.Sheets > MaxSheets {
		v.add(field+".sheets", rule, "the number of sheets must be 0 (not stated) to %d, got %d", MaxSheets, ref.Sheets)
	}
}

// because explains why a conditional rule requires a document ("because the object uses ...
// (flags.usesCryptography is true)", "unless ..."); "" for an unconditional rule.
func (v *validator) because(ruleID string) string {
	for _, r := range v.ed.PackageRules() {
		if r.ID != ruleID {
			continue
		}
		var why []string
		if r.If != "" {
			why = append(why, fmt.Sprintf("because %s (%s)", v.meaning(r.If), v.flagState(r.If)))
		}
		if r.Unless != "" {
			why = append(why, fmt.Sprintf("unless %s (%s)", v.meaning(r.Unless), v.flagState(r.Unless)))
		}
		return strings.Join(why, " and ")
	}
	return ""
}

// required is ", required <because>" for a conditional rule, "" for an unconditional one.
func (v *validator) requiredBecause(ruleID string) string {
	if why := v.because(ruleID); why != "" {
		return ", required " + why
	}
	return ""
}

// inapplicable explains why a rule does not require its document for the package's flags.
func (v *validator) inapplicable(r policy.PackageRule) string {
	var why []string
	if r.If != "" {
		if on, _ := v.flags.Has(r.If); !on {
			why = append(why, fmt.Sprintf("is filed only when %s, and %s", v.meaning(r.If), v.flagState(r.If)))
		}
	}
	if r.Unless != "" {
		if on, _ := v.flags.Has(r.Unless); on {
			why = append(why, fmt.Sprintf("is not filed when %s, and %s", v.meaning(r.Unless), v.flagState(r.Unless)))
		}
	}
	if len(why) == 0 {
		return "is not required by the package's facts"
	}
	return strings.Join(why, "; it ")
}

// meaning is a flag's meaning in the edition's words.
func (v *validator) meaning(flag string) string {
	if f, ok := v.flagInfo[flag]; ok && f.Meaning != "" {
		return f.Meaning
	}
	return flag
}

// flagState names the request field behind a policy flag and its value.
func (v *validator) flagState(flag string) string {
	on, _ := v.flags.Has(flag)
	switch flag {
	case policy.FlagIndividualApplicant:
		if on {
			return "applicant.type is individual"
		}
		return "applicant.type is not individual"
	case policy.FlagUsesCryptography:
		return fmt.Sprintf("flags.usesCryptography is %t", on)
	case policy.FlagUsesICTServices:
		return fmt.Sprintf("flags.usesIctServices is %t", on)
	case policy.FlagHasIntegratedObjects:
		return fmt.Sprintf("flags.hasIntegratedObjects is %t", on)
	case policy.FlagGeographicallyDistributed:
		return fmt.Sprintf("flags.geographicallyDistributed is %t", on)
	}
	return fmt.Sprintf("%s is %t", flag, on)
}

// rows checks that a list of rows is present exactly when the edition requires its document, and
// within its limit. It reports whether the rows should be checked one by one.
func (v *validator) rows(field, docID string, n, limit int, what string) bool {
	if _, due := v.required[docID]; due {
		r := v.required[docID]
		if n == 0 {
			v.add(field, r.Paragraph, "empty: the %s is part of the package%s, so it needs at least one row", what, v.requiredBecause(r.Rule))
			return false
		}
	} else if n > 0 {
		rule, why := v.paragraph(docID, ruleDocumentReference), "is not part of this package"
		if rules := v.rulesOf[docID]; len(rules) > 0 {
			rule, why = rules[0].Paragraph, v.inapplicable(rules[0])
		}
		v.add(field, rule, "must be empty: the %s %s", what, why)
		return false
	}
	if n > limit {
		v.add(field, v.paragraph(docID, ruleDocumentReference), "%d rows: the %s has at most %d", n, what, limit)
		return false
	}
	return n > 0
}

// hardware checks the rows of Annex 5 and returns the row of each serial/inventory number.
func (v *validator) hardware(items []HardwareItem) map[string]int {
	if !v.rows("hardware", docHardwareList, len(items), MaxHardwareItems, "list of hardware (Annex 5)") {
		return nil
	}
	rule := v.paragraph(docHardwareList, "Annex 5")
	index := make(map[string]int, len(items))
	for i, h := range items {
		f := at{list: "hardware", i: i}
		v.text(f.field("manufacturerModel"), rule, "manufacturer, model (Annex 5 column 2)", h.ManufacturerModel, true, MaxNameLength)
		v.text(f.field("serialNumber"), rule, "serial/inventory number (Annex 5 column 3)", h.SerialNumber, true, MaxNameLength)
		v.text(f.field("certificateNumber"), rule, "information security certificate number (Annex 5 column 4)", h.CertificateNumber, false, MaxNameLength)
		v.text(f.field("location"), rule, "physical location (Annex 5 column 5)", h.Location, true, MaxNameLength)
		v.text(f.field("type"), rule, "type (Annex 5 column 6)", h.Type, true, MaxNameLength)
		v.text(f.field("purpose"), rule, "main functional purpose (Annex 5 column 7)", h.Purpose, true, MaxTextLength)
		v.text(f.field("protection"), rule, "methods of information protection (Annex 5 column 8)", h.Protection, true, MaxTextLength)
		v.text(f.field("integratedSoftware"), rule, "integrated software (Annex 5 column 9)", h.IntegratedSoftware, false, MaxTextLength)
		if sn := strings.TrimSpace(h.SerialNumber); sn != "" && len(h.SerialNumber) <= 4*MaxNameLength {
			if first, dup := index[sn]; dup {
				v.add(f.field("serialNumber").String(), rule, "serial/inventory number %q is also hardware[%d]'s: software rows name hardware by it, so it must be unique", clip(sn), first)
			} else {
				index[sn] = i
			}
		}
		v.addresses(f.field("ipAddresses"), rule, h.IPAddresses)
	}
	return index
}

// addresses checks the IP addresses of one hardware row (Annex 5 column 10).
func (v *validator) addresses(col at, rule string, ips []string) {
	if len(ips) > MaxIPAddresses {
		v.add(col.String(), rule, "%d IP addresses: a row has at most %d", len(ips), MaxIPAddresses)
		return
	}
	clear(v.seenAddr)
	for j, s := range ips {
		if len(s) > maxIPText {
			v.add(col.index(j), rule, "not an IP address: %d characters, too long for one", len(s))
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			if _, perr := netip.ParsePrefix(s); perr == nil {
				v.add(col.index(j), rule, "%q is a network prefix: list each address of the device instead", s)
			} else if strings.TrimSpace(s) == "" {
				v.add(col.index(j), rule, "the IP address is empty")
			} else {
				v.add(col.index(j), rule, "%q is not an IPv4 or IPv6 address", s)
			}
			continue
		}
		switch {
		case a.Zone() != "":
			v.add(col.index(j), rule, "%q has an IPv6 zone: give the address without %%%s", s, a.Zone())
			continue
		case a.IsUnspecified():
			v.add(col.index(j), rule, "%q is the unspecified address, not a device's address", s)
			continue
		case a.IsMulticast():
			v.add(col.index(j), rule, "%q is a multicast address, not a device's address", s)
			continue
		}
		key := a.Unmap()
		if k, dup := v.seenAddr[key]; dup {
			v.add(col.index(j), rule, "%q is listed twice in this row: it is also %s[%d]", s, col, k)
			continue
		}
		v.seenAddr[key] = j
	}
}

// software checks the rows of Annex 6; hw is the row of each hardware serial/inventory number, nil
// when the hardware list was not checked row by row.
func (v *validator) software(items []SoftwareItem, hw map[string]int) {
	if !v.rows("software", docSoftwareList, len(items), MaxSoftwareItems, "list of software (Annex 6)") {
		return
	}
	rule := v.paragraph(docSoftwareList, "Annex 6")
	for i, s := range items {
		f := at{list: "software", i: i}
		v.text(f.field("developer"), rule, "developer (Annex 6 column 2)", s.Developer, true, MaxNameLength)
		v.text(f.field("name"), rule, "name (Annex 6 column 3)", s.Name, true, MaxNameLength)
		v.text(f.field("version"), rule, "version (Annex 6 column 4)", s.Version, true, MaxNameLength)
		v.text(f.field("type"), rule, "type (Annex 6 column 6)", s.Type, true, MaxNameLength)
		v.text(f.field("purpose"), rule, "main functional purpose (Annex 6 column 7)", s.Purpose, true, MaxTextLength)
		v.text(f.field("protection"), rule, "methods of information protection (Annex 6 column 8)", s.Protection, true, MaxTextLength)
		v.places(f.field("installedOn"), rule, s.InstalledOn, hw)
	}
}

// places checks a software row's place of installation (Annex 6 column 5): serial/inventory
// numbers of rows of the list of hardware, each once.
func (v *validator) places(col at, rule string, places []string, hw map[string]int) {
	switch {
	case len(places) == 0:
		v.add(col.String(), rule, "place of installation (Annex 6 column 5) is missing: give the serial/inventory number of a row of the list of hardware")
		return
	case len(places) > MaxInstallPlaces:
		v.add(col.String(), rule, "%d places of installation: a row has at most %d", len(places), MaxInstallPlaces)
		return
	}
	clear(v.seenPlace)
	for j, p := range places {
		if len(p) > 4*MaxNameLength || utf8.RuneCountInString(p) > MaxNameLength {
			v.add(col.index(j), rule, "place of installation is too long: at most %d characters", MaxNameLength)
			continue
		}
		sn := strings.TrimSpace(p)
		if sn == "" {
			v.add(col.index(j), rule, "place of installation is empty: give the serial/inventory number of a row of the list of hardware")
			continue
		}
		if k, dup := v.seenPlace[sn]; dup {
			v.add(col.index(j), rule, "hardware %q is listed twice: it is also %s[%d]", clip(sn), col, k)
			continue
		}
		v.seenPlace[sn] = j
		if hw == nil {
			continue // the hardware list has its own problem; do not pile up references to it
		}
		if _, ok := hw[sn]; !ok {
			v.add(col.index(j), rule, "no row of the list of hardware has serial/inventory number %q", clip(sn))
		}
	}
}

// integrated checks the rows of Annex 4.
func (v *validator) integrated(items []IntegratedObject) {
	if !v.rows("integrated", docIntegratedList, len(items), MaxIntegratedItems, "list of integrated objects of informatization (Annex 4)") {
		return
	}
	rule := v.paragraph(docIntegratedList, "Annex 4")
	for i, o := range items {
		f := at{list: "integrated", i: i}
		v.text(f.field("name"), rule, "name of the object of informatization (Annex 4 column 2)", o.Name, true, MaxNameLength)
		v.text(f.field("owner"), rule, "possessor (owner) (Annex 4 column 3)", o.Owner, true, MaxNameLength)
		v.text(f.field("interaction"), rule, "nature of interaction (Annex 4 column 4)", o.Interaction, true, MaxTextLength)
	}
}

// docField is the path of a document in the request body: documents.<id> for a plain id, else
// documents["<id>"] with the id quoted and clipped.
func docField(id string) string {
	plain := id != "" && len(id) <= MaxDocumentIDLength
	for i := 0; plain && i < len(id); i++ {
		c := id[i]
		plain = c == '_' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
	}
	if plain {
		return "documents." + id
	}
	return fmt.Sprintf("documents[%q]", clip(id))
}

// typeSlashSubtype reports whether a parsed media type has the form type/subtype.
func typeSlashSubtype(mt string) bool {
	typ, sub, ok := strings.Cut(mt, "/")
	return ok && typ != "" && sub != "" && !strings.Contains(sub, "/")
}

// IsHex64 reports whether s is 64 hexadecimal digits: a SHA-256 written out.
func IsHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
			return false
		}
	}
	return true
}

// clip shortens a client's string for a message: at most 64 characters, valid UTF-8.
func clip(s string) string {
	const n = 64
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// lowerFirst lowers the first letter of a sentence taken from the edition.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return strings.ToLower(string(r)) + s[n:]
}
