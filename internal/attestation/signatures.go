package attestation

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"attestation/internal/eds"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// Electronic digital signatures (issue 17). A document filed or sent online may be accompanied
// by the signer's CMS/PKCS#7 signature (a detached .p7s, or an attached one carrying exactly the
// document), declared with the upload (UploadRequest.Signature). Confirm verifies it over the
// exact version of the bytes it pins, against the organisation that acts (internal/eds), and
// records who signed on the upload and on the document; a refused signature confirms nothing.
// The policy edition says whose signature each document carries; whether a filing must carry
// them is the deployment's setting (Deps.RequireSignatures).

// Signature is a verified electronic digital signature of a document: who signed, with which
// certificate, when, and what OCSP said. The IIN is kept in full in the store and masked in every
// view (JSON) and log; it is never public.
type Signature struct {
	Role        identity.Role // whose signature: the role whose organisation the signer was checked against
	Signer      string        // the signer's name as the certificate writes it
	IIN         string        // the signer's IIN
	BIN         string        // the organisation's BIN for an employee certificate; "" for an individual's
	Serial      string        // the certificate's serial number, hexadecimal
	Issuer      string        // the certificate's issuer
	SigningTime time.Time
	OCSPStatus  string // eds.OCSPGood, or eds.OCSPUnavailable when the policy accepts an unreachable responder
	OCSPAt      time.Time
	Algorithm   string
}

// signatureView is a Signature as the API shows it.
type signatureView struct {
	Role        identity.Role `json:"role"`
	Signer      string        `json:"signer"`
	IIN         string        `json:"iin"` // masked: the last four digits
	BIN         string        `json:"bin,omitempty"`
	Serial      string        `json:"certificateSerial"`
	Issuer      string        `json:"certificateIssuer"`
	SigningTime time.Time     `json:"signingTime"`
	OCSPStatus  string        `json:"ocspStatus"`
	OCSPAt      time.Time     `json:"ocspAt"`
	Algorithm   string        `json:"algorithm"`
}

// MarshalJSON shows the signature with the IIN masked.
func (s Signature) MarshalJSON() ([]byte, error) {
	return json.Marshal(signatureView{Role: s.Role, Signer: s.Signer, IIN: identity.Mask(s.IIN), BIN: s.BIN, Serial: s.Serial,
		Issuer: s.Issuer, SigningTime: s.SigningTime, OCSPStatus: s.OCSPStatus, OCSPAt: s.OCSPAt, Algorithm: s.Algorithm})
}

// UnmarshalJSON reads a signature as shown. What a caller sends is never taken as verified: the
// service strips it (see Submit, resolveUploads).
func (s *Signature) UnmarshalJSON(b []byte) error {
	var v signatureView
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Signature(v)
	return nil
}

// LogValue masks the IIN in logs.
func (s Signature) LogValue() string {
	return fmt.Sprintf("%s %s (IIN %s) certificate %s", s.Role, s.Signer, identity.Mask(s.IIN), s.Serial)
}

// SignatureVerifier verifies an electronic digital signature over a document's exact bytes
// (internal/eds). A signature it does not accept is an *eds.Refusal.
type SignatureVerifier interface {
	Verify(ctx context.Context, p7s, content []byte, want eds.Want, now time.Time) (eds.Signer, error)
}

// versionReader reads one version of a stored object in full (the documents bucket): the bytes
// a signature is verified over. The Files of a service that verifies signatures has it.
type versionReader interface {
	ReadVersion(ctx context.Context, key, versionID string, max int64) ([]byte, error)
}

// MaxSignatureBytes is the largest signature (DER) a declaration may carry.
const MaxSignatureBytes = eds.MaxSignatureBytes

// signatureDeclared decodes and checks the signature declared with an upload: base64 of the
// DER (or PEM) .p7s, at most MaxSignatureBytes, a SignedData with one signer whose algorithm
// this service verifies. It returns the bytes, or the problems found (nothing is written).
func (s *Service) signatureDeclared(in UploadRequest, rule string) ([]byte, []Problem) {
	if in.Signature == "" {
		return nil, nil
	}
	bad := func(format string, args ...any) []Problem {
		return []Problem{{Field: "signature", Rule: rule, Message: fmt.Sprintf("the signature of %s: ", clip(in.Document)) + fmt.Sprintf(format, args...)}}
	}
	if s.signatures == nil {
		return nil, bad("this service does not take electronic digital signatures")
	}
	if len(in.Signature) > base64.StdEncoding.EncodedLen(MaxSignatureBytes)+4 {
		return nil, bad("at most %d bytes of signature (DER), base64-encoded", MaxSignatureBytes)
	}
	p7s, err := base64.StdEncoding.DecodeString(strings.TrimSpace(in.Signature))
	if err != nil {
		return nil, bad("not base64: send the .p7s file's bytes base64-encoded (base64 -w0 file.p7s)")
	}
	if err := eds.Check(p7s); err != nil {
		return nil, bad("%s", refusalText(err))
	}
	return p7s, nil
}

// refusalText is what a caller reads about a refused signature.
func refusalText(err error) string {
	var r *eds.Refusal
	if errors.As(err, &r) {
		return fmt.Sprintf("refused (%s): %s", r.Reason, r.Message)
	}
	return "refused"
}

// signatureRule is the paragraph a problem with document's signature cites.
func signatureRule(ed *policy.Edition, document string) string {
	if ed != nil {
		if r, ok := ed.SignatureRule(document); ok {
			return r.Paragraph
		}
	}
	return ruleUpload
}

// verifySignature verifies the signature declared with u over the bytes of key at version, the
// exact version confirm pins (content, when verify read them already), and records the signer on
// u. An upload without a signature is left as it is. A refused signature is an *UploadRefused
// naming the document and the reason.
func (s *Service) verifySignature(ctx context.Context, u *Upload, key, version string, content []byte, now time.Time) error {
	if len(u.SignatureP7S) == 0 {
		return nil
	}
	rule := ruleUpload
	if ed, err := s.rules.edition(s.edition); err == nil {
		rule = signatureRule(ed, u.Document)
	}
	reader, ok := s.files.(versionReader)
	if s.signatures == nil || !ok {
		return errors.New("the service verifies no signatures: it has no verifier or cannot read a version of a document")
	}
	if content == nil {
		var err error
		if content, err = reader.ReadVersion(ctx, key, version, MaxUploadBytes); err != nil {
			return fmt.Errorf("confirm upload %s: read the signed version: %w", u.ID, err)
		}
	}
	want := eds.Want{Role: string(u.Role)}
	if u.Role == identity.Applicant {
		want.Organization = u.Organization
	}
	signer, err := s.signatures.Verify(ctx, u.SignatureP7S, content, want, now)
	var refusal *eds.Refusal
	if errors.As(err, &refusal) {
		s.log.InfoContext(ctx, "signature refused", "upload", u.ID, "document", u.Document, "reason", string(refusal.Reason))
		return &UploadRefused{Problems: []Problem{{Field: "signature", Rule: rule,
			Message: fmt.Sprintf("the signature of %s is %s", u.Document, refusalText(err))}}}
	}
	if err != nil {
		return fmt.Errorf("confirm upload %s: verify its signature: %w", u.ID, err)
	}
	sig := Signature{Role: u.Role, Signer: signer.Name, IIN: signer.IIN, BIN: signer.BIN, Serial: signer.Serial, Issuer: signer.Issuer,
		SigningTime: signer.SigningTime, OCSPStatus: signer.OCSPStatus, OCSPAt: signer.OCSPAt, Algorithm: signer.Algorithm}
	u.Signed = &sig
	s.log.InfoContext(ctx, "signature verified", "upload", u.ID, "document", u.Document, "signature", sig.LogValue(), "ocsp", sig.OCSPStatus)
	return nil
}

// packageSignatures lists the package's documents that lack the signature the edition asks of
// the applicant, or carry one that is not the applicant's, each with its paragraph; nothing when
// the deployment does not require signatures, or for a filing on paper at the office.
func (s *Service) packageSignatures(ed *policy.Edition, actor identity.Actor, pkg Package) []Problem {
	if !s.requireSignatures || actor.Role == identity.Office { // filed on paper: signed and sealed on paper (office.go)
		return nil
	}
	var ps []Problem
	for _, d := range ed.Documents() {
		ref, ok := pkg.Documents[d.ID]
		r, signed := ed.SignatureRule(d.ID)
		if !ok || !signed {
			continue
		}
		field := docField(d.ID) + ".signature"
		switch sig := ref.Signature; {
		case sig == nil:
			ps = append(ps, Problem{Field: field, Rule: r.Paragraph, Message: fmt.Sprintf("missing: the %s's electronic digital signature on %s; upload the document again with its signature (the .p7s, base64, in the declaration's signature)",
				r.Signer, strings.TrimSuffix(d.Title, "."))})
		case string(sig.Role) != r.Signer || (sig.BIN != actor.BIN && !(sig.BIN == "" && sig.IIN == actor.BIN)):
			ps = append(ps, Problem{Field: field, Rule: r.Paragraph, Message: fmt.Sprintf("invalid: %s is signed by %s, who does not sign for the applicant", d.ID, sig.Signer)})
		}
	}
	return ps
}

// stepSignatures checks that each document attached at a step carries the signature the case's
// edition asks for (the STS's on the contract and the acts, the applicant's on the signed
// contract), when the deployment requires signatures. The documents are resolved uploads.
func (s *Service) stepSignatures(c Case, docs []Document) error {
	if !s.requireSignatures || len(docs) == 0 {
		return nil
	}
	ed, err := s.rules.edition(c.Edition)
	if err != nil {
		return err
	}
	var ps []Problem
	for i, d := range docs {
		r, ok := ed.SignatureRule(d.Kind)
		if !ok {
			continue
		}
		field := fmt.Sprintf("documents[%d].signature", i)
		switch {
		case d.Signature == nil:
			ps = append(ps, Problem{Field: field, Rule: r.Paragraph, Message: fmt.Sprintf("missing: the %s's electronic digital signature on the %s; upload it again with its signature", r.Signer, d.Kind)})
		case string(d.Signature.Role) != r.Signer:
			ps = append(ps, Problem{Field: field, Rule: r.Paragraph, Message: fmt.Sprintf("invalid: the %s is signed for the %s; the %s signs it", d.Kind, d.Signature.Role, r.Signer)})
		}
	}
	if len(ps) > 0 {
		return &UploadRefused{Problems: ps}
	}
	return nil
}

// unverified drops any signature a caller sent with a package's documents: only confirm records
// a verified one.
func unverified(docs map[string]DocumentRef) map[string]DocumentRef {
	if docs == nil {
		return nil
	}
	out := make(map[string]DocumentRef, len(docs))
	for id, ref := range docs {
		ref.Signature = nil
		out[id] = ref
	}
	return out
}
