package attestation

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"attestation/internal/policy"
)

// TestUploadDeclarationsAreBoundedPerDraftAndCase: a draft takes at most MaxDraftUploads
// declarations and a case MaxCaseUploads (pending and confirmed alike); the next is refused with
// a problem naming the limit, nothing stored, and another draft or case is not affected.
func TestUploadDeclarationsAreBoundedPerDraftAndCase(t *testing.T) {
	h := newUploadHarness(t)
	body := pdf("bounded")
	declare := map[UploadScope]func(id string) error{
		ScopeDraft: func(id string) error {
			_, _, err := h.svc.RequestDraftUpload(h.ctx, applicant, id, declaration("application", "application/pdf", body), h.tick())
			return err
		},
		ScopeCase: func(id string) error {
			_, _, err := h.svc.RequestCaseUpload(h.ctx, sts, id, declaration(DocContract, "application/pdf", body), h.tick())
			return err
		},
	}
	for _, tc := range []struct {
		scope UploadScope
		limit int
		open  func() string
	}{
		{ScopeDraft, MaxDraftUploads, func() string { return h.newDraft().ID }},
		{ScopeCase, MaxCaseUploads, func() string { return h.forwardedCase(caseSpec{}) }},
	} {
		t.Run(string(tc.scope), func(t *testing.T) {
			id := tc.open()
			for i := 0; i < tc.limit; i++ {
				if err := declare[tc.scope](id); err != nil {
					t.Fatalf("declaration %d: %v", i+1, err)
				}
			}
			before := h.ups.uploadCount()
			ps := refusal(t, declare[tc.scope](id))
			if len(ps) != 1 || ps[0].Field != "uploads" || !strings.Contains(ps[0].Message, fmt.Sprint(tc.limit)) {
				t.Fatalf("over the limit: %v", ps)
			}
			if n := h.ups.uploadCount(); n != before {
				t.Fatalf("the refused declaration stored an upload: %d -> %d", before, n)
			}
			if err := declare[tc.scope](tc.open()); err != nil {
				t.Fatalf("another %s: %v", tc.scope, err)
			}
		})
	}
}

// TestCaseUploadsAreOfTheKindsTheEditionTakes: a case takes uploads of the kinds a step of its
// edition takes (the procedure's documents, and the policy's case documents a period requires),
// and refuses any other kind naming the accepted ones.
func TestCaseUploadsAreOfTheKindsTheEditionTakes(t *testing.T) {
	for _, tc := range []struct {
		edition string
		take    []string
		refuse  []string
	}{
		{editionRules, []string{DocContract, DocSignedContract, DocSurveyAct, DocAdditionalSurveyAct, DocRectificationDocuments},
			[]string{"annex3_01", "change_notice", "duplicate_notice", "commission_protocol", DocCertificate, "anything"}},
		{editionLaw, []string{DocContract, DocSurveyAct, "commission_protocol"}, []string{"annex3_01", "change_notice"}},
	} {
		t.Run(tc.edition, func(t *testing.T) {
			h := withFiles(newHarnessEdition(t, tc.edition))
			id := h.forwardedCase(caseSpec{Edition: tc.edition})
			for _, k := range tc.take {
				if _, _, err := h.svc.RequestCaseUpload(h.ctx, sts, id, declaration(k, "application/pdf", pdf(k)), h.tick()); err != nil {
					t.Errorf("%s: %v", k, err)
				}
			}
			for _, k := range tc.refuse {
				_, _, err := h.svc.RequestCaseUpload(h.ctx, sts, id, declaration(k, "application/pdf", pdf(k)), h.tick())
				ps := refusal(t, err)
				if len(ps) != 1 || ps[0].Field != "document" || !strings.Contains(ps[0].Message, DocSurveyAct) {
					t.Errorf("%s: %v", k, ps)
				}
			}
		})
	}
	ed, err := policy.Load(editionRules)
	if err != nil {
		t.Fatal(err)
	}
	if kinds := caseDocumentKinds(ed); !slices.IsSorted(kinds) || len(kinds) < 5 {
		t.Fatalf("kinds %v", kinds)
	}
}

// TestConfirmAttachesTheVersionItChecked: bytes PUT to the upload's URL after confirm checked the
// first ones (a second PUT racing the confirm) are not what is attached: the version the upload
// pins is the checked bytes, and the case attaches that version. (Since the quarantine became a
// state, the later bytes are the key's current version; nothing reads a document but by the
// version its upload pins.)
func TestConfirmAttachesTheVersionItChecked(t *testing.T) {
	h := newUploadHarness(t)
	id := h.forwardedCase(caseSpec{})
	good, swapped := pdf("the checked contract"), pdf("a contract swapped in after the check")
	u := h.caseUpload(sts, id, DocContract, good)
	h.files.put(u.DocumentKey(), u.ContentType, good)
	h.files.afterStat = func() { h.files.put(u.DocumentKey(), u.ContentType, swapped) }
	got, err := h.svc.ConfirmUpload(h.ctx, sts, u.ID, h.tick())
	if err != nil {
		t.Fatal(err)
	}
	doc, ok := h.files.version(got.VersionID)
	if !ok || !bytes.Equal(doc.body, good) {
		t.Fatalf("the version the upload pins (%s) holds %q, want the checked bytes", got.VersionID, doc.body)
	}
	if current, _ := h.files.object(got.DocumentKey()); !bytes.Equal(current.body, swapped) || current.version == got.VersionID {
		t.Fatalf("the racing PUT did not land after the check: %q", current.body)
	}
	if stored := h.storedUpload(u.ID); stored.VersionID != got.VersionID || stored.SHA256 != u.SHA256 {
		t.Fatalf("stored upload pins %s %s", stored.VersionID, stored.SHA256)
	}
	docs, err := h.svc.resolveUploads(h.ctx, id, []Document{{Kind: DocContract, Key: got.Key}})
	if err != nil || docs[0].VersionID != got.VersionID || docs[0].SHA256 != u.SHA256 {
		t.Fatalf("attached %+v %v", docs, err)
	}
}

// TestUnsafeTextIsRefusedInEveryTextField: the check of UnsafeTextProblem in each place a text
// enters: a draft's package (when it is written), the package's check, a step's reasons, the act's
// number and the certificate's terms.
func TestUnsafeTextIsRefusedInEveryTextField(t *testing.T) {
	const bidi, invisible = "Register\u202Eexe.fdp", "\u200B\u200D\u2060"
	t.Run("a draft's package, written", func(t *testing.T) {
		h := newUploadHarness(t)
		for field, edit := range map[string]func(p *Package){
			"applicant.name":             func(p *Package) { p.Applicant.Name = bidi },
			"object.name":                func(p *Package) { p.Object.Name = invisible },
			"object.developer":           func(p *Package) { p.Object.Developer = "\u2067x\u2069" },
			"hardware[1].location":       func(p *Package) { p.Hardware[1].Location = invisible },
			"software[0].installedOn[0]": func(p *Package) { p.Software[0].InstalledOn[0] = bidi },
			"hardware[0].ipAddresses[0]": func(p *Package) { p.Hardware[0].IPAddresses[0] = "\u202D10.0.0.1" },
			"software[0].protection":     func(p *Package) { p.Software[0].Protection = "a\u200Eb" },
		} {
			p := draftPackage()
			edit(&p)
			_, err := h.svc.CreateDraft(h.ctx, applicant, p, h.tick())
			ps := submissionProblems(t, err)
			if !slices.ContainsFunc(ps, func(p Problem) bool { return p.Field == field && p.Rule == ruleText }) {
				t.Errorf("%s: %v", field, ps)
			}
		}
	})
	t.Run("the package's check", func(t *testing.T) {
		v := &validator{}
		v.text(at{name: "object.name"}, ruleAnnex2, "the object's name", invisible, true, 500)
		v.text(at{name: "object.developer"}, ruleAnnex2, "the object's developer", bidi, false, 500)
		if len(v.out) != 2 {
			t.Fatalf("%v", v.out)
		}
	})
	t.Run("a step's reasons", func(t *testing.T) {
		for _, r := range []string{bidi, invisible, "ok\u200F"} {
			if _, err := cleanReasons([]string{"fine", r}); err == nil || !strings.Contains(err.Error(), "reasons[1]") {
				t.Errorf("%+q: %v", r, err)
			}
		}
	})
	t.Run("the act's number and the certificate's terms", func(t *testing.T) {
		if err := checkLine("act.number", "AKT\u202E71", 100); err == nil {
			t.Error("a bidirectional override in the act's number")
		}
		if err := checkText("certificate.prohibitions[0]", Text{KK: "ok", RU: invisible, EN: "ok"}); err == nil || !strings.Contains(err.Error(), ".ru") {
			t.Errorf("an invisible wording: %v", err)
		}
	})
	if !errors.Is(&SubmissionRefused{}, ErrInvalid) {
		t.Fatal("a submission refused is not ErrInvalid")
	}
}
