package attestation

import (
	"slices"
	"strings"
	"testing"

	"attestation/internal/policy"
)

// Standard §10 through the draft: the upload of a document the policy gives a term declares its
// last day, the draft's document carries it, and a term that ended before the day of filing
// refuses the acceptance when the draft is filed. Documents without a term, and a case's
// documents, state none.
func TestStd10DraftUploadsCarryTheDocumentsTerm(t *testing.T) {
	ictPackage := func() Package {
		p := draftPackage()
		p.Flags.UsesICTServices = true
		p.Hardware, p.Software = nil, nil
		return p
	}
	// draftWith uploads every required document of an ICT services package, the contract with
	// the term expires.
	draftWith := func(h *uploadHarness, expires string) Draft {
		d, err := h.svc.CreateDraft(h.ctx, applicant, ictPackage(), h.tick())
		if err != nil {
			t.Fatal(err)
		}
		ed, err := policy.Load(editionRules)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ed.RequiredItems(ictPackage().PolicyFlags()) {
			body := pdf(d.ID + "/" + r.ID)
			in := declaration(r.ID, "application/pdf", body)
			if r.ID == "ict_contract" {
				in.ExpiresOn = expires
			}
			u, _, err := h.svc.RequestDraftUpload(h.ctx, applicant, d.ID, in, h.tick())
			if err != nil {
				t.Fatalf("declare %s: %v", r.ID, err)
			}
			if got := h.putAndConfirm(applicant, u, body); got.ExpiresOn != in.ExpiresOn {
				t.Fatalf("the confirmed %s states the term %q, want %q", r.ID, got.ExpiresOn, in.ExpiresOn)
			}
		}
		return d
	}
	day := func(h *uploadHarness, add int) string {
		return h.now.In(almatyOf(h.now)).AddDate(0, 0, add).Format("2006-01-02")
	}

	t.Run("§10 a contract whose term ended yesterday refuses the acceptance of the draft's filing", func(t *testing.T) {
		h := newUploadHarness(t)
		d := draftWith(h, day(h, -1))
		if ref := h.ups.drafts[d.ID].Package.Documents["ict_contract"]; ref.ExpiresOn != day(h, -1) {
			t.Fatalf("the draft's contract %+v states no term", ref)
		}
		_, check := h.check(d.ID)
		if len(check) != 1 || check[0].Field != "documents.ict_contract.expiresOn" || check[0].Rule != "standard §10" ||
			!strings.HasPrefix(check[0].Message, "expired_documents: ") {
			t.Fatalf("the draft's check %v, want the expired contract alone", check)
		}
		_, err := h.svc.SubmitDraft(h.ctx, applicant, d.ID, h.now)
		if got := submissionProblems(t, err); !slices.Equal(got, check) {
			t.Fatalf("submit refused with %v, want %v", got, check)
		}
		if len(h.store.cases) != 0 || h.wf.total() != 0 {
			t.Fatalf("a refused acceptance left %d cases, %d engine calls", len(h.store.cases), h.wf.total())
		}
	})

	t.Run("§10 a contract in force to the day of filing is accepted, its term in the filed package", func(t *testing.T) {
		h := newUploadHarness(t)
		d := draftWith(h, day(h, 0))
		c, err := h.svc.SubmitDraft(h.ctx, applicant, d.ID, h.now)
		if err != nil {
			t.Fatal(err)
		}
		vs := h.records.versions[c.Package.Key]
		if len(vs) != 1 || !strings.Contains(string(vs[0]), `"expiresOn":"`+day(h, 0)+`"`) {
			t.Fatalf("the filed package lacks the contract's term: %s", vs)
		}
	})

	t.Run("§10 a term declared for a document without one, not a date, or too long, is refused at the declaration", func(t *testing.T) {
		h := newUploadHarness(t)
		d := h.newDraft()
		body := pdf("terms")
		for _, tc := range []struct{ doc, expires, want string }{
			{"terms_of_reference", "2030-01-01", "has no term in edition rules-2016-amended-2018: leave expiresOn out (a term is stated only for "},
			{"ict_contract", "31.12.2030", "must be a date YYYY-MM-DD"},
			{"ict_contract", "2030-02-30", "must be a date YYYY-MM-DD"},
			{"ict_contract", strings.Repeat("9", 4000), "at most 10 characters"},
		} {
			in := declaration(tc.doc, "application/pdf", body)
			in.ExpiresOn = tc.expires
			_, _, err := h.svc.RequestDraftUpload(h.ctx, applicant, d.ID, in, h.tick())
			ps := refusal(t, err)
			if len(ps) != 1 || ps[0].Field != "expiresOn" || !strings.Contains(ps[0].Message, tc.want) || len(ps[0].Message) > 300 {
				t.Errorf("%s %.20q: %v, want expiresOn: %s", tc.doc, tc.expires, ps, tc.want)
			}
			_, err = h.svc.RequestDraftUploads(h.ctx, applicant, d.ID, []UploadRequest{declaration("application", "application/pdf", body), in}, h.tick())
			ps = refusal(t, err)
			if len(ps) != 1 || ps[0].Field != "uploads[1].expiresOn" || !strings.Contains(ps[0].Message, tc.want) {
				t.Errorf("batch %s %.20q: %v, want uploads[1].expiresOn: %s", tc.doc, tc.expires, ps, tc.want)
			}
		}
		if n := h.ups.uploadCount(); n != 0 {
			t.Fatalf("refused declarations stored %d uploads", n)
		}
	})

	t.Run("§10 a batch declaration carries the term to the draft", func(t *testing.T) {
		h := newUploadHarness(t)
		d, err := h.svc.CreateDraft(h.ctx, applicant, ictPackage(), h.tick())
		if err != nil {
			t.Fatal(err)
		}
		body := pdf("contract")
		in := declaration("ict_contract", "application/pdf", body)
		in.ExpiresOn = "2027-06-30"
		out, err := h.svc.RequestDraftUploads(h.ctx, applicant, d.ID, []UploadRequest{in}, h.tick())
		if err != nil {
			t.Fatal(err)
		}
		h.files.put(out[0].Upload.DocumentKey(), "application/pdf", body)
		res, err := h.svc.ConfirmDraftUploads(h.ctx, applicant, d.ID, []string{out[0].Upload.ID}, h.tick())
		if err != nil || res[0].Err != nil {
			t.Fatal(err, res[0].Err)
		}
		if ref := h.ups.drafts[d.ID].Package.Documents["ict_contract"]; ref.ExpiresOn != "2027-06-30" {
			t.Fatalf("the draft's contract %+v", ref)
		}
	})

	t.Run("§10 a document of a case's step states no term", func(t *testing.T) {
		h := newUploadHarness(t)
		id := h.newCase(caseSpec{})
		in := declaration(DocSignedContract, "application/pdf", pdf("signed"))
		in.ExpiresOn = "2027-06-30"
		_, _, err := h.svc.RequestCaseUpload(h.ctx, applicant, id, in, h.tick())
		if ps := refusal(t, err); len(ps) != 1 || ps[0].Field != "expiresOn" || ps[0].Rule != "standard §10" {
			t.Fatalf("%v", ps)
		}
	})
}
