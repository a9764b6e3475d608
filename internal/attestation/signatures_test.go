package attestation

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"attestation/internal/eds"
	"attestation/internal/eds/edstest"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// Electronic digital signatures (issue 17) through the service, with real cryptography: the
// test CA of internal/eds/edstest, its OCSP responder on an httptest server, the verifier of
// internal/eds.

// ReadVersion gives the fake bucket what the signature check reads: one version's bytes.
func (f *memFiles) ReadVersion(ctx context.Context, key, versionID string, max int64) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.history[versionID]
	if !ok {
		return nil, fmt.Errorf("object %s version %s: %w", key, versionID, ErrNotFound)
	}
	return append([]byte(nil), o.body...), nil
}

// edsHarness is an upload harness whose service verifies signatures against a test CA.
type edsHarness struct {
	*uploadHarness
	ca                   *edstest.CA
	employee, other, sts *edstest.Identity
}

func newEDSHarness(t *testing.T, required bool) *edsHarness {
	t.Helper()
	h := &edsHarness{uploadHarness: newUploadHarness(t)}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ca, err := edstest.New(edstest.Options{OCSPURL: srv.URL, Now: func() time.Time { return h.now }})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", ca)
	h.ca = ca
	issue := func(p edstest.Person) *edstest.Identity {
		id, err := ca.Issue(p)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	h.employee = issue(edstest.Person{Name: "APPLICANT AIGERIM", IIN: "850101300123", BIN: applicantBIN, Org: "Digital Services LLP"})
	h.other = issue(edstest.Person{Name: "OTHER BOLAT", IIN: "900202300456", BIN: "990340005977", Org: "Other LLP"})
	h.sts = issue(edstest.Person{Name: "STS SAULE", IIN: "800505400231", BIN: "990140001234", Org: "STS JSC", RSA: true})
	v, err := eds.New(eds.Config{TrustPEM: ca.TrustPEM(), Organizations: map[string]string{"sts": "990140001234"}})
	if err != nil {
		t.Fatal(err)
	}
	h.rebuild(func(d *Deps) { d.Signatures, d.RequireSignatures = v, required })
	return h
}

// signed declares body as document doc signed by id (over signedBytes, body unless tampering).
func (h *edsHarness) signed(doc string, body, signedBytes []byte, id *edstest.Identity) UploadRequest {
	h.t.Helper()
	if signedBytes == nil {
		signedBytes = body
	}
	sig, err := edstest.Sign(id, h.ca.Chain(), signedBytes, edstest.SignOptions{At: h.now})
	if err != nil {
		h.t.Fatal(err)
	}
	in := declaration(doc, "application/pdf", body)
	in.Signature = base64.StdEncoding.EncodeToString(sig)
	return in
}

// §13, Annex 2: the application signed by the applicant's employee is confirmed with its signer
// recorded on the upload and on the draft's document; every view masks the IIN.
func TestSignedUploadRecordsTheSignerPar13(t *testing.T) {
	h := newEDSHarness(t, false)
	d := h.newDraft()
	body := pdf("application")
	u, _, err := h.svc.RequestDraftUpload(h.ctx, applicant, d.ID, h.signed("application", body, nil, h.employee), h.tick())
	if err != nil {
		t.Fatal(err)
	}
	got := h.putAndConfirm(applicant, u, body)
	if got.Signed == nil || got.Signed.Signer != "APPLICANT AIGERIM" || got.Signed.IIN != "850101300123" || got.Signed.BIN != applicantBIN ||
		got.Signed.Role != identity.Applicant || got.Signed.OCSPStatus != eds.OCSPGood {
		t.Fatalf("signed = %+v", got.Signed)
	}
	stored, _ := h.check(d.ID)
	if s := stored.Package.Documents["application"].Signature; s == nil || s.Serial != got.Signed.Serial {
		t.Fatalf("the draft's document carries %+v", s)
	}
	b, err := json.Marshal(stored.Package.Documents["application"])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "850101300123") || !strings.Contains(string(b), `"iin":"********0123"`) {
		t.Fatalf("the view does not mask the IIN: %s", b)
	}
}

// A refused signature is an upload refused on the field signature, naming the document and the
// reason, and confirms nothing: the upload stays pending, the draft gets no document.
func TestRefusedSignatureConfirmsNothing(t *testing.T) {
	h := newEDSHarness(t, false)
	d := h.newDraft()
	body := pdf("application")
	for _, tc := range []struct {
		name   string
		id     *edstest.Identity
		signed []byte
		reason eds.Reason
	}{
		{"another organisation's employee", h.other, nil, eds.WrongSigner},
		{"tampered bytes", h.employee, pdf("something else"), eds.Tampered},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, _, err := h.svc.RequestDraftUpload(h.ctx, applicant, d.ID, h.signed("application", body, tc.signed, tc.id), h.tick())
			if err != nil {
				t.Fatal(err)
			}
			h.files.put(u.DocumentKey(), u.ContentType, body)
			_, err = h.svc.ConfirmUpload(h.ctx, applicant, u.ID, h.tick())
			ps := refusal(t, err)
			if len(ps) != 1 || ps[0].Field != "signature" || ps[0].Rule != "§13, Annex 2" || !strings.Contains(ps[0].Message, "application") ||
				!strings.Contains(ps[0].Message, string(tc.reason)) {
				t.Fatalf("problems = %+v", ps)
			}
			if st := h.storedUpload(u.ID); st.State != UploadPending || st.Signed != nil {
				t.Fatalf("the refused upload is %s, signed %+v", st.State, st.Signed)
			}
			if dr, _ := h.check(d.ID); len(dr.Package.Documents) != 0 {
				t.Fatalf("the draft got %v", dr.Package.Documents)
			}
		})
	}
}

// A declaration's signature is checked before anything is written: base64, size, and an
// algorithm this service verifies (GOST is named by its OID).
func TestSignatureDeclarationIsChecked(t *testing.T) {
	h := newEDSHarness(t, false)
	d := h.newDraft()
	body := pdf("application")
	gost, err := edstest.Sign(h.employee, h.ca.Chain(), body, edstest.SignOptions{At: h.now, SignatureOID: edstest.OIDGOST34310})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, sig, says string }{
		{"not base64", "%%%", "base64"},
		{"too large", strings.Repeat("A", base64.StdEncoding.EncodedLen(MaxSignatureBytes)+8), "at most"},
		{"GOST", base64.StdEncoding.EncodeToString(gost), "1.2.398.3.10.1.1.1.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := declaration("application", "application/pdf", body)
			in.Signature = tc.sig
			before := h.ups.uploadCount()
			_, _, err := h.svc.RequestDraftUpload(h.ctx, applicant, d.ID, in, h.tick())
			ps := refusal(t, err)
			if len(ps) != 1 || ps[0].Field != "signature" || !strings.Contains(ps[0].Message, tc.says) {
				t.Fatalf("problems = %+v", ps)
			}
			if h.ups.uploadCount() != before {
				t.Fatal("a refused declaration was stored")
			}
		})
	}
	// A service built without a verifier takes no signatures.
	plain := newUploadHarness(t)
	pd := plain.newDraft()
	in := declaration("application", "application/pdf", body)
	in.Signature = base64.StdEncoding.EncodeToString(gost)
	if _, _, err := plain.svc.RequestDraftUpload(plain.ctx, applicant, pd.ID, in, plain.tick()); err == nil {
		t.Fatal("a service without a verifier took a signature")
	}
}

// With signatures required, the package check names each document of §13(3)-(6) and the
// application that lacks the applicant's signature, with its paragraph; without, none.
func TestRequiredSignaturesPar13(t *testing.T) {
	ed, err := policy.Load(editionRules)
	if err != nil {
		t.Fatal(err)
	}
	pkg := Package{Documents: map[string]DocumentRef{
		"application":        {Key: "documents/a"},
		"identity_document":  {Key: "documents/b"}, // §13(1): a copy, signed by nobody
		"functional_diagram": {Key: "documents/c", Signature: &Signature{Role: identity.Applicant, BIN: applicantBIN}},
		"hardware_list":      {Key: "documents/d", Signature: &Signature{Role: identity.Applicant, BIN: "990340005977", Signer: "OTHER"}},
	}}
	for _, required := range []bool{false, true} {
		h := newEDSHarness(t, required)
		ps := h.svc.packageSignatures(ed, applicant, pkg)
		if !required {
			if len(ps) != 0 {
				t.Fatalf("not required: %+v", ps)
			}
			continue
		}
		got := map[string]Problem{}
		for _, p := range ps {
			got[p.Field] = p
		}
		if p := got["documents.application.signature"]; p.Rule != "§13, Annex 2" || !strings.HasPrefix(p.Message, "missing") {
			t.Errorf("application: %+v", p)
		}
		if p := got["documents.hardware_list.signature"]; p.Rule != "§13(6), Annex 5" || !strings.HasPrefix(p.Message, "invalid") {
			t.Errorf("hardware list signed by another organisation: %+v", p)
		}
		if len(ps) != 2 {
			t.Errorf("problems = %+v", ps)
		}
	}
}

// §17, §24: with signatures required, the contract and the act carry the STS's signature and the
// signed contract the applicant's.
func TestStepSignaturesPar17(t *testing.T) {
	h := newEDSHarness(t, true)
	c := Case{Edition: editionRules}
	sts := &Signature{Role: identity.STS}
	app := &Signature{Role: identity.Applicant}
	for _, tc := range []struct {
		name string
		docs []Document
		want string
	}{
		{"the contract signed by the STS", []Document{{Kind: DocContract, Signature: sts}}, ""},
		{"the contract unsigned", []Document{{Kind: DocContract}}, "missing"},
		{"the act signed for the applicant", []Document{{Kind: DocSurveyAct, Signature: app}}, "invalid"},
		{"the signed contract signed by the applicant", []Document{{Kind: DocSignedContract, Signature: app}}, ""},
		{"rectification documents: no rule", []Document{{Kind: DocRectificationDocuments}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := h.svc.stepSignatures(c, tc.docs)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			ps := refusal(t, err)
			if len(ps) != 1 || !strings.HasPrefix(ps[0].Message, tc.want) || ps[0].Field != "documents[0].signature" {
				t.Fatalf("problems = %+v", ps)
			}
		})
	}
}

// A package filed directly (POST /cases) carries no verified signature: one sent is dropped.
func TestDirectFilingDropsSentSignatures(t *testing.T) {
	in := map[string]DocumentRef{"application": {Key: "k", Signature: &Signature{Signer: "forged"}}}
	if out := unverified(in); out["application"].Signature != nil || in["application"].Signature == nil {
		t.Fatalf("unverified = %+v (input %+v)", out, in)
	}
}

// With signatures required, a draft whose every document the edition has the applicant sign is
// signed by the applicant's employee is filed, the case's documents carrying their signers; one
// document unsigned stops the filing with that document's paragraph (§13).
func TestRequiredSignaturesBindTheFilingPar13(t *testing.T) {
	h := newEDSHarness(t, true)
	ed, err := policy.Load(editionRules)
	if err != nil {
		t.Fatal(err)
	}
	upload := func(d Draft, doc string, sign bool) {
		body := pdf(d.ID + "/" + doc)
		in := declaration(doc, "application/pdf", body)
		if sign {
			in = h.signed(doc, body, nil, h.employee)
		}
		u, _, err := h.svc.RequestDraftUpload(h.ctx, applicant, d.ID, in, h.tick())
		if err != nil {
			t.Fatal(err)
		}
		h.putAndConfirm(applicant, u, body)
	}
	unsigned := ""
	for _, r := range requiredDocuments(t) {
		if _, ok := ed.SignatureRule(r.ID); ok && unsigned == "" {
			unsigned = r.ID
		}
	}
	d := h.newDraft()
	for _, r := range requiredDocuments(t) {
		upload(d, r.ID, r.ID != unsigned)
	}
	_, err = h.svc.SubmitDraft(h.ctx, applicant, d.ID, h.tick())
	ps := submissionProblems(t, err)
	rule, _ := ed.SignatureRule(unsigned)
	if len(ps) != 1 || ps[0].Field != "documents."+unsigned+".signature" || ps[0].Rule != rule.Paragraph {
		t.Fatalf("problems = %+v, want the unsigned %s with %s", ps, unsigned, rule.Paragraph)
	}
	upload(d, unsigned, true) // the document again, signed: it replaces the unsigned one
	c, err := h.svc.SubmitDraft(h.ctx, applicant, d.ID, h.tick())
	if err != nil {
		t.Fatal(err)
	}
	signed := 0
	for _, doc := range c.Documents {
		if _, ok := ed.SignatureRule(doc.Kind); ok {
			if doc.Signature == nil || doc.Signature.Signer != "APPLICANT AIGERIM" {
				t.Errorf("%s: signature %+v", doc.Kind, doc.Signature)
			}
			signed++
		}
	}
	if signed == 0 {
		t.Fatal("no signed document on the case")
	}
}
