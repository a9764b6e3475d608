package attestation_test

import (
	"testing"
	"time"

	"attestation/internal/attestation"
)

// Standard §10: documents with an expired term refuse the acceptance. The policy says which
// documents have a term (the ICT services contract, the identity document); the package states
// its last day, checked against the day of filing in Kazakhstan.
func TestStd10ExpiredDocumentsRefuseAcceptance(t *testing.T) {
	ed := rulesEdition(t)
	cal := kzCalendar(t)
	filed := time.Date(2026, 10, 15, 5, 0, 0, 0, time.UTC) // Thursday 10:00 in Almaty
	withContract := func(expires string) attestation.Package {
		p := validPackage()
		p.Flags.UsesICTServices = true
		delete(p.Documents, "hardware_list")
		delete(p.Documents, "software_list")
		ref := storedRef("ict_contract")
		ref.ExpiresOn = expires
		p.Documents["ict_contract"] = ref
		p.Hardware, p.Software = nil, nil
		return p
	}
	t.Run("a term that ended the day before the filing", func(t *testing.T) {
		expectProblems(t, attestation.CheckSubmission(ed, cal, withContract("2026-10-14"), filed),
			wantProblem{"documents.ict_contract.expiresOn", "standard §10", "expired_documents: the term of Contract"})
	})
	t.Run("a term that ends on the day of filing, or later, is in force", func(t *testing.T) {
		for _, d := range []string{"2026-10-15", "2027-01-01", ""} {
			expectProblems(t, attestation.CheckSubmission(ed, cal, withContract(d), filed))
		}
	})
	t.Run("a term that is not a date", func(t *testing.T) {
		expectProblems(t, attestation.ValidatePackage(ed, withContract("15.10.2026")),
			wantProblem{"documents.ict_contract.expiresOn", "standard §10", "must be a date YYYY-MM-DD"})
	})
	t.Run("a document the policy gives no term states none", func(t *testing.T) {
		p := validPackage()
		ref := p.Documents["terms_of_reference"]
		ref.ExpiresOn = "2030-01-01"
		p.Documents["terms_of_reference"] = ref
		expectProblems(t, attestation.ValidatePackage(ed, p),
			wantProblem{"documents.terms_of_reference.expiresOn", "standard §10", "has no term"})
	})
	t.Run("the policy says which documents have a term", func(t *testing.T) {
		for id, want := range map[string]bool{"ict_contract": true, "identity_document": true, "terms_of_reference": false, "application": false} {
			if d, ok := ed.Document(id); !ok || d.Expires != want {
				t.Errorf("%s: expires %v, want %v", id, d.Expires, want)
			}
		}
	})
}
