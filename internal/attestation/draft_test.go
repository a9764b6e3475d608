package attestation

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"attestation/internal/identity"
	"attestation/internal/policy"
)

// Drafts (§13): creating a draft, attaching uploads to it and checking it before filing.

// draftPackage is the data of a complete package of a legal entity's state body system with no
// flags set, without its documents (they come by upload).
func draftPackage() Package {
	hw := func(serial string, ips ...string) HardwareItem {
		return HardwareItem{ManufacturerModel: "Dell PowerEdge R750", SerialNumber: serial, CertificateNumber: "KZ.7500.01.2023",
			Location: "Astana, server room 2", Type: "rack server", Purpose: "application server",
			Protection: "access control, audit logging", IntegratedSoftware: "Dell, iDRAC, 6.10", IPAddresses: ips}
	}
	sw := func(name string, on ...string) SoftwareItem {
		return SoftwareItem{Developer: "Canonical", Name: name, Version: "24.04", InstalledOn: on,
			Type: "operating system", Purpose: "server operating system", Protection: "AppArmor"}
	}
	return Package{
		Applicant: Applicant{Name: "Digital Services LLP", IdentityNumber: applicantBIN, Type: ApplicantLegalEntity},
		Object:    ObjectInfo{Name: "Register of permits", Kind: "state_is", Developer: "Digital Services LLP"},
		Hardware:  []HardwareItem{hw("INV-0001", "10.10.1.11"), hw("INV-0002", "10.10.1.12")},
		Software:  []SoftwareItem{sw("Ubuntu Server", "INV-0001", "INV-0002")},
	}
}

// requiredDocuments are the documents §13 requires of draftPackage, with their paragraphs.
func requiredDocuments(t *testing.T) []policy.Requirement {
	t.Helper()
	ed, err := policy.Load(editionRules)
	if err != nil {
		t.Fatal(err)
	}
	return ed.RequiredItems(draftPackage().PolicyFlags())
}

func (h *uploadHarness) newDraft() Draft {
	h.t.Helper()
	d, err := h.svc.CreateDraft(h.ctx, applicant, draftPackage(), h.tick())
	if err != nil {
		h.t.Fatalf("create draft: %v", err)
	}
	return d
}

// draftUpload declares, PUTs and confirms a PDF as document doc of a draft.
func (h *uploadHarness) draftUpload(draftID, doc string) Upload {
	h.t.Helper()
	body := pdf(draftID + "/" + doc)
	u, _, err := h.svc.RequestDraftUpload(h.ctx, applicant, draftID, declaration(doc, "application/pdf", body), h.tick())
	if err != nil {
		h.t.Fatalf("request upload of %s to %s: %v", doc, draftID, err)
	}
	return h.putAndConfirm(applicant, u, body)
}

func (h *uploadHarness) check(id string) (Draft, []Problem) {
	h.t.Helper()
	d, ps, err := h.svc.GetDraft(h.ctx, applicant, id, h.now)
	if err != nil {
		h.t.Fatalf("get draft %s: %v", id, err)
	}
	return d, ps
}

func TestCreateDraft(t *testing.T) {
	h := newUploadHarness(t)
	t.Run("§13 documents are not sent in the draft: they come by upload", func(t *testing.T) {
		pkg := draftPackage()
		sum := sha256.Sum256([]byte("x"))
		pkg.Documents = map[string]DocumentRef{"application": {Key: "somewhere/else.pdf", SHA256: hex.EncodeToString(sum[:]), ContentType: "application/pdf", Size: 10}}
		_, err := h.svc.CreateDraft(h.ctx, applicant, pkg, h.tick())
		ps := submissionProblems(t, err)
		if len(ps) != 1 || ps[0].Field != "documents" || ps[0].Rule != "§13" || !strings.Contains(ps[0].Message, "upload") {
			t.Fatalf("problems %v", ps)
		}
	})
	t.Run("§13, Annex 2 an applicant drafts for its own organisation", func(t *testing.T) {
		pkg := draftPackage()
		pkg.Applicant.IdentityNumber = otherBIN
		_, err := h.svc.CreateDraft(h.ctx, applicant, pkg, h.tick())
		ps := submissionProblems(t, err)
		if len(ps) != 1 || ps[0].Field != "applicant.identityNumber" || ps[0].Rule != "§13, Annex 2" || !strings.Contains(ps[0].Message, "own organisation") {
			t.Fatalf("problems %v", ps)
		}
	})
	t.Run("staff do not draft applications", func(t *testing.T) {
		_, err := h.svc.CreateDraft(h.ctx, authority, draftPackage(), h.tick())
		mustErr(t, err, ErrForbidden)
	})
	if n := h.ups.draftCount(); n != 0 {
		t.Fatalf("refused drafts stored: %d", n)
	}
	t.Run("a draft is the applicant's own", func(t *testing.T) {
		d := h.newDraft()
		if !strings.HasPrefix(d.ID, "D-") || len(d.ID) != 26 || d.State != DraftOpen || d.Version != 1 || d.Organization != applicantBIN ||
			d.Package.Documents == nil || len(d.Package.Documents) != 0 || d.CreatedBy != applicant.Subject {
			t.Fatalf("draft %+v", d)
		}
		if got, _ := h.check(d.ID); got.ID != d.ID || got.Version != 1 {
			t.Fatalf("read back %+v", got)
		}
		for _, a := range []identity.Actor{otherApplicant, authority, sts} {
			_, _, err := h.svc.GetDraft(h.ctx, a, d.ID, h.now)
			mustErr(t, err, ErrNotFound)
		}
		for _, bad := range []string{"", "D-1", d.ID + "0", "X" + d.ID[1:]} {
			_, _, err := h.svc.GetDraft(h.ctx, applicant, bad, h.now)
			mustErr(t, err, ErrNotFound)
		}
	})
}

func TestDraftUploadsAttachToTheDraft(t *testing.T) {
	h := newUploadHarness(t)
	d := h.newDraft()
	u := h.draftUpload(d.ID, "application")
	if u.Scope != ScopeDraft || u.ScopeID != d.ID || u.Organization != applicantBIN {
		t.Fatalf("upload %+v", u)
	}
	got, _ := h.check(d.ID)
	ref, ok := got.Package.Documents["application"]
	want := DocumentRef{Key: u.DocumentKey(), SHA256: u.SHA256, ContentType: "application/pdf", Size: u.Size, VersionID: u.VersionID}
	if !ok || ref != want || got.Version != 2 {
		t.Fatalf("draft version %d, application %+v, want %+v", got.Version, ref, want)
	}

	t.Run("a confirm of another upload of the same document replaces it", func(t *testing.T) {
		u2 := h.draftUpload(d.ID, "application")
		got, _ := h.check(d.ID)
		if got.Package.Documents["application"].Key != u2.DocumentKey() || len(got.Package.Documents) != 1 {
			t.Fatalf("documents %+v", got.Package.Documents)
		}
	})
	t.Run("§13 a document the edition does not know is refused", func(t *testing.T) {
		body := pdf("x")
		_, _, err := h.svc.RequestDraftUpload(h.ctx, applicant, d.ID, declaration("not_a_document", "application/pdf", body), h.tick())
		ps := refusal(t, err)
		if len(ps) != 1 || ps[0].Field != "document" || ps[0].Rule != "§13" {
			t.Fatalf("problems %v", ps)
		}
	})
	t.Run("another organisation's draft is not found", func(t *testing.T) {
		body := pdf("x")
		_, _, err := h.svc.RequestDraftUpload(h.ctx, otherApplicant, d.ID, declaration("application", "application/pdf", body), h.tick())
		mustErr(t, err, ErrNotFound)
	})
	t.Run("an update of the draft's data keeps its documents", func(t *testing.T) {
		before, _ := h.check(d.ID)
		pkg := draftPackage()
		pkg.Object.Name = "Register of permits, second edition"
		upd, err := h.svc.UpdateDraft(h.ctx, applicant, d.ID, pkg, h.tick())
		if err != nil {
			t.Fatal(err)
		}
		after, _ := h.check(d.ID)
		if upd.Version != before.Version+1 || after.Version != upd.Version || after.Package.Object.Name != pkg.Object.Name ||
			after.Package.Documents["application"] != before.Package.Documents["application"] {
			t.Fatalf("before %+v\nafter %+v", before, after)
		}
		pkg.Documents = map[string]DocumentRef{"application": {}}
		_, err = h.svc.UpdateDraft(h.ctx, applicant, d.ID, pkg, h.tick())
		if ps := submissionProblems(t, err); len(ps) != 1 || ps[0].Field != "documents" {
			t.Fatalf("problems %v", ps)
		}
		_, err = h.svc.UpdateDraft(h.ctx, otherApplicant, d.ID, draftPackage(), h.tick())
		if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrInvalid) {
			t.Fatalf("another organisation's update: %v", err)
		}
	})
}

func TestDraftCheck(t *testing.T) {
	h := newUploadHarness(t)
	d := h.newDraft()
	required := requiredDocuments(t)
	if len(required) < 20 {
		t.Fatalf("%d documents required; the edition requires the baseline of §13", len(required))
	}
	paragraph := map[string]string{}
	for _, r := range required {
		paragraph[r.ID] = r.Paragraph
	}
	missing := func(ps []Problem) map[string]Problem {
		out := map[string]Problem{}
		for _, p := range ps {
			id, ok := strings.CutPrefix(p.Field, "documents.")
			if !ok || !strings.HasPrefix(p.Message, "missing: ") {
				t.Errorf("a problem other than a missing document: %v", p)
				continue
			}
			out[id] = p
		}
		return out
	}

	t.Run("§13 the check of a draft lists each missing document", func(t *testing.T) {
		_, ps := h.check(d.ID)
		got := missing(ps)
		if len(got) != len(required) || len(ps) != len(required) {
			t.Fatalf("%d problems, want one per required document (%d): %v", len(ps), len(required), ps)
		}
		for id, para := range paragraph {
			if p, ok := got[id]; !ok || p.Rule != para {
				t.Errorf("document %s: %+v, want missing under %s", id, p, para)
			}
		}
	})
	t.Run("§13(2) the terms of reference are listed under their paragraph until uploaded", func(t *testing.T) {
		_, ps := h.check(d.ID)
		if p := missing(ps)["terms_of_reference"]; p.Rule != "§13(2)" || !strings.Contains(p.Message, "terms of reference") {
			t.Fatalf("terms of reference: %+v", p)
		}
		h.draftUpload(d.ID, "terms_of_reference")
		_, ps = h.check(d.ID)
		if _, ok := missing(ps)["terms_of_reference"]; ok || len(ps) != len(required)-1 {
			t.Fatalf("after the upload: %v", ps)
		}
	})
	t.Run("§13(3) the diagrams and the explanatory note are listed under their paragraph", func(t *testing.T) {
		_, ps := h.check(d.ID)
		m := missing(ps)
		for _, id := range []string{"functional_diagram", "network_diagram", "explanatory_note"} {
			if m[id].Rule != "§13(3)" {
				t.Errorf("%s: %+v", id, m[id])
			}
		}
	})
	t.Run("§13(4), Annex 3 the documents of Annex 3 are listed under their paragraph", func(t *testing.T) {
		_, ps := h.check(d.ID)
		m := missing(ps)
		for _, id := range []string{"annex3_01", "annex3_16"} {
			if m[id].Rule != "§13(4), Annex 3" {
				t.Errorf("%s: %+v", id, m[id])
			}
		}
		if _, ok := m["annex3_07"]; ok {
			t.Error("annex3_07 is due only with cryptography")
		}
	})
	t.Run("§13 a complete draft has no problems", func(t *testing.T) {
		for _, r := range required {
			if r.ID != "terms_of_reference" {
				h.draftUpload(d.ID, r.ID)
			}
		}
		if _, ps := h.check(d.ID); len(ps) != 0 {
			t.Fatalf("problems %v", ps)
		}
	})
}
