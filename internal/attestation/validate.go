package attestation

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"attestation/internal/policy"
)

// §14: the check of a package's form and completeness against an edition, and the application's
// own fields (Annex 2): the applicant and the object of attestation.

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
	v.flagKinds(p)
	v.documents(p.Documents)
	hwIndex := v.hardware(p.Hardware)
	v.software(p.Software, hwIndex)
	v.integrated(p.Integrated)
	return v.out
}

// flagKinds checks that each fact the package states can describe its object's kind (§19: only an
// information system is geographically distributed, not an Internet resource nor the
// e-government platform).
func (v *validator) flagKinds(p Package) {
	if !p.Flags.GeographicallyDistributed || p.Object.Kind == "" {
		return
	}
	f, ok := v.flagInfo[policy.FlagGeographicallyDistributed]
	if !ok || f.Describes(p.Object.Kind) {
		return
	}
	if _, known := v.ed.Kind(p.Object.Kind); known != nil {
		return // the unknown kind is reported by object
	}
	v.add("flags.geographicallyDistributed", f.Paragraph,
		"only an information system is geographically distributed (the 40 working days of %s); a %s is not one: one of %s", f.Paragraph, p.Object.Kind, strings.Join(f.Kinds, ", "))
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
	case strings.TrimSpace(s) != "" && UnsafeTextProblem(s) != "":
		v.add(f.String(), rule, "%s %s", label, UnsafeTextProblem(s))
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
		// A legal entity files with its BIN: an individual's IIN is personal data the register
		// would publish as an organisation's number.
		if err := ValidLegalEntityBIN(a.IdentityNumber); numberOK && err != nil {
			v.add("applicant.identityNumber", ruleAnnex2, "the applicant is declared a legal entity, but the number is %v; an individual declares the type %q", err, ApplicantIndividual)
		}
	case ApplicantIndividual:
		// An individual files with an IIN, or with the BIN of its joint entrepreneurship (5th
		// digit 6); a 5th digit 4 or 5 marks a legal entity's BIN.
		if k, ok := NumberKindOf(a.IdentityNumber); ok && k == NumberLegalEntityBIN {
			d := a.IdentityNumber[4]
			v.add("applicant.type", ruleAnnex2, "the applicant is declared an individual, but the 5th digit %c of the number marks the BIN of a %s legal entity: an individual files with an IIN", d, map[byte]string{'4': "resident", '5': "non-resident"}[d])
		}
	case "":
		v.add("applicant.type", ruleAnnex2, "the applicant's type is missing: %q (BIN) or %q (IIN)", ApplicantLegalEntity, ApplicantIndividual)
	default:
		v.add("applicant.type", ruleAnnex2, "unknown applicant type %q: %q (BIN) or %q (IIN)", clip(string(a.Type)), ApplicantLegalEntity, ApplicantIndividual)
	}
}

var objectIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^O-[0-9a-f]{16}$`) }) // compiled on first use

// object checks the object of attestation: its name (Annex 2) and kind (§5, §6).
func (v *validator) object(o ObjectInfo) {
	if o.ID != "" && !objectIDPattern().MatchString(o.ID) {
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
