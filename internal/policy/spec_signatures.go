package policy

import (
	"slices"
)

// Electronic digital signatures (issue 17): whose EDS each document carries when it is filed or
// sent online, the EDS standing for "signature and seal". The seeds ask for the applicant's
// signature and seal on the application (Annex 2) and on the documents of §13(3)-(6), the STS's
// on the contract and the acts, the applicant's on the signed contract (§17). Paper filings carry
// none.

// SignatureRule says that a document carries the electronic digital signature of an employee of
// the organisation acting in Signer's role (an individual applicant's own).
type SignatureRule struct {
	Document  string // an edition document id, or one of ProcedureDocuments
	Signer    string // applicant, sts or authority
	Paragraph string
}

// ProcedureDocuments are the documents the procedure makes that the edition does not list among
// its documents (their kinds are the procedure's): a signature rule may name them.
var ProcedureDocuments = []string{"contract", "signed_contract", "rectification_documents"}

// The roles that sign.
var signerRoles = []string{"applicant", "sts", "authority"}

type signatureSpec struct {
	Signer    string `yaml:"signer"`
	Paragraph string `yaml:"paragraph"`
}

func validateSignatures(c *checker, e *Edition, s *specFile, root keyOrders) {
	for _, id := range keyOrder(root, "signatures") {
		r := s.Signatures[id]
		p := "signatures." + id
		if r == nil {
			c.add(p, "missing")
			continue
		}
		if _, ok := s.Documents[id]; !ok && !slices.Contains(ProcedureDocuments, id) {
			c.add(p, "unknown document %q: neither a document of the edition nor one of %v", id, ProcedureDocuments)
		}
		if !slices.Contains(signerRoles, r.Signer) {
			c.add(p+".signer", "must be one of %v, not %q", signerRoles, r.Signer)
		}
		c.required(p+".paragraph", r.Paragraph)
		e.signatures = append(e.signatures, SignatureRule{Document: id, Signer: r.Signer, Paragraph: r.Paragraph})
	}
}

// SignatureRules are the edition's signature rules, in the order of the file.
func (e *Edition) SignatureRules() []SignatureRule { return slices.Clone(e.signatures) }

// SignatureRule returns whose signature document carries, if the edition asks for one.
func (e *Edition) SignatureRule(document string) (SignatureRule, bool) {
	for _, r := range e.signatures {
		if r.Document == document {
			return r, true
		}
	}
	return SignatureRule{}, false
}

// signaturesMarkdown writes the edition's signature rules for docs/policy.md.
func (e *Edition) signaturesMarkdown(w func(string, ...any), head, row func(...string)) {
	if len(e.signatures) == 0 {
		return
	}
	w("\n## Electronic digital signatures\n\n")
	w("Whose EDS a document carries when it is filed or sent online (issue 17); required when the deployment says so (`EDS_REQUIRED`), verified whenever one accompanies a document.\n\n")
	head("document", "signed by", "paragraph")
	for _, r := range e.signatures {
		row("`"+r.Document+"`", r.Signer, r.Paragraph)
	}
}
