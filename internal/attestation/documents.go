package attestation

import (
	"fmt"
	"mime"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"attestation/internal/policy"
)

// §13, Annex 3: the package's documents against the edition's rules for the package's flags, and
// what the package says about each stored file.

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
	v.term(field, d, ref)
}

// ruleExpiredDocuments is the paragraph of the ground that refuses documents with an expired term.
const ruleExpiredDocuments = "standard §10"

// term checks the stated term of a document (standard §10): only a document the policy gives a
// term states one, as a date.
func (v *validator) term(field string, d policy.Document, ref DocumentRef) {
	if msg := termProblem(v.ed, d, ref.ExpiresOn); msg != "" {
		v.add(field+".expiresOn", ruleExpiredDocuments, "%s", msg)
	}
}

// termProblem says what is wrong with the last day of a term stated for document d (standard
// §10), or "" when nothing is: none stated, or a date YYYY-MM-DD for a document the policy gives
// a term. The draft's uploads and the filed package check it alike.
func termProblem(ed *policy.Edition, d policy.Document, expiresOn string) string {
	switch {
	case expiresOn == "":
		return ""
	case !d.Expires:
		return fmt.Sprintf("%s has no term in edition %s: leave expiresOn out (a term is stated only for %s)",
			strings.TrimSuffix(d.Title, "."), ed.ID(), strings.Join(termDocuments(ed), ", "))
	}
	if _, err := time.Parse(time.DateOnly, expiresOn); err != nil || len(expiresOn) != len(time.DateOnly) {
		return fmt.Sprintf("the last day of the document's term must be a date YYYY-MM-DD, got %q", clip(expiresOn))
	}
	return ""
}

// termDocuments are the ids of the edition's documents that have a term (standard §10).
func termDocuments(ed *policy.Edition) []string {
	var out []string
	for _, d := range ed.Documents() {
		if d.Expires {
			out = append(out, d.ID)
		}
	}
	return out
}

// expiredDocuments are the documents whose stated term ended before the day of filing (in
// Kazakhstan time): standard §10, expired documents refuse the acceptance of the application.
func expiredDocuments(ed *policy.Edition, p Package, filedAt time.Time) []Problem {
	loc, err := almatyZone()
	if err != nil {
		return nil
	}
	filed := filedAt.In(loc).Format(time.DateOnly)
	var out []Problem
	ids := make([]string, 0, len(p.Documents))
	for id := range p.Documents {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		ref := p.Documents[id]
		d, ok := ed.Document(id)
		if !ok || !d.Expires || len(ref.ExpiresOn) != len(time.DateOnly) {
			continue
		}
		if _, err := time.Parse(time.DateOnly, ref.ExpiresOn); err != nil || ref.ExpiresOn >= filed {
			continue
		}
		out = append(out, Problem{Field: docField(id) + ".expiresOn", Rule: ruleExpiredDocuments,
			Message: fmt.Sprintf("expired_documents: the term of %s ended on %s, before the filing on %s; the application is not accepted",
				strings.TrimSuffix(d.Title, "."), ref.ExpiresOn, filed)})
	}
	return out
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
