package attestation

import (
	"context"
	"strings"
	"testing"
)

func TestActDetailsPar24(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stage Stage
		edit  func(*Completion)
		want  string
	}{
		{"§24 the act of the survey is handed over with its number and date", StageSurvey, func(in *Completion) { in.Act = nil }, "act: the act's number and date are required"},
		{"§35 the act of the additional survey too", StageAdditionalSurvey, func(in *Completion) { in.Act = nil }, "act: the act's number and date are required"},
		{"§24 an act number that is blank", StageSurvey, func(in *Completion) { in.Act.Number = "  " }, "act.number: required"},
		{"§24 an act date that is no date", StageSurvey, func(in *Completion) { in.Act.Date = "2026-02-30" }, "act.date"},
		{"§24 an act dated after today", StageSurvey, func(in *Completion) { in.Act.Date = "2099-01-01" }, "is after today"},
		{"§24 an act dated before the filing", StageSurvey, func(in *Completion) { in.Act.Date = "2020-01-01" }, "before the application was filed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			c := h.caseAt(tc.stage, caseSpec{}, route{Decision: OutcomeRectify})
			in := h.completion(c, OutcomeAct)
			tc.edit(&in)
			_, err := h.svc.CompleteStep(h.ctx, sts, c.ID, in, h.tick())
			mustErr(t, err, ErrInvalid)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			h.unchanged(c)
		})
	}
	t.Run("§24 §29 the act's details are kept on the case", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageSurvey, caseSpec{}, route{})
		in := h.completion(c, OutcomeAct)
		if _, err := h.svc.CompleteStep(h.ctx, sts, c.ID, in, h.tick()); err != nil {
			t.Fatal(err)
		}
		// (the kept act also carries its copies, §25: survey_test.go)
		if got := h.get(c.ID).SurveyAct; got == nil || got.Number != in.Act.Number || got.Date != in.Act.Date {
			t.Fatalf("survey act %+v, want %+v", got, in.Act)
		}
	})
	t.Run("an act is refused on a step that hands over no act", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageCompletenessCheck, caseSpec{}, route{})
		in := h.completion(c, OutcomeForward)
		in.Act = sampleAct(c)
		_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, in, h.tick())
		mustErr(t, err, ErrInvalid)
	})
}

func TestCertificateTermsAnnex7(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*CertificateTerms)
		want string
	}{
		{"Annex 7 the category of information is required", func(c *CertificateTerms) { c.InformationCategory = "" }, "certificate.informationCategory"},
		{"Annex 7 an unknown category", func(c *CertificateTerms) { c.InformationCategory = "secret" }, `"secret": want public or restricted`},
		{"Annex 7 a category and a text both", func(c *CertificateTerms) { c.InformationText = &Text{KK: "a", RU: "b", EN: "c"} }, "not both"},
		{"Annex 7 at least one prohibition", func(c *CertificateTerms) { c.Prohibitions = nil }, "certificate.prohibitions: at least one"},
		{"Annex 7 every language of a prohibition", func(c *CertificateTerms) { c.Prohibitions[0].KK = "" }, "certificate.prohibitions[0].kk: required"},
		{"Annex 7 §43 at least one notifiable characteristic", func(c *CertificateTerms) { c.NotifiableChanges = nil }, "certificate.notifiableChanges: at least one"},
		{"Annex 7 the chairman's name", func(c *CertificateTerms) { c.Chairman.Name = "" }, "certificate.chairman.name: required"},
		{"Annex 7 the chairman's position in Russian", func(c *CertificateTerms) { c.Chairman.Position.RU = "" }, "certificate.chairman.position.ru: required"},
		{"Annex 7 no control characters", func(c *CertificateTerms) { c.Prohibitions[0].EN = "a\x00b" }, "control characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			c := h.caseAt(StageDecision, caseSpec{}, route{})
			in := h.completion(c, OutcomeIssue)
			tc.edit(in.Certificate)
			_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, in, h.tick())
			mustErr(t, err, ErrInvalid)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			h.unchanged(c)
		})
	}
	t.Run("§27(1) a decision to issue without terms is refused", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageDecision, caseSpec{}, route{})
		in := h.completion(c, OutcomeIssue)
		in.Certificate = nil
		_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, in, h.tick())
		mustErr(t, err, ErrInvalid)
	})
	t.Run("§27(2) a refusal carries no terms", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageDecision, caseSpec{}, route{})
		in := h.completion(c, OutcomeRefuse)
		in.Certificate = sampleTerms()
		_, err := h.svc.CompleteStep(h.ctx, authority, c.ID, in, h.tick())
		mustErr(t, err, ErrInvalid)
	})
	t.Run("§28 the terms are kept, and hidden from the applicant until the decision is sent", func(t *testing.T) {
		h := newHarness(t)
		c := h.caseAt(StageDecision, caseSpec{}, route{})
		h.complete(c.ID, OutcomeIssue)
		if h.get(c.ID).Terms == nil {
			t.Fatal("terms not kept")
		}
		got, _, err := h.svc.Get(h.ctx, applicant, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Terms != nil {
			t.Error("the applicant sees the terms before the decision is sent")
		}
	})
}

// owners maps an object's ID to its owner's BIN; every object is registered under the name and
// kind of draftPackage's object.
type owners map[string]string

func (o owners) RegisteredObject(_ context.Context, id string) (RegisteredObject, error) {
	bin, ok := o[id]
	if !ok {
		return RegisteredObject{}, ErrNotFound
	}
	obj := draftPackage().Object
	return RegisteredObject{Owner: bin, Name: obj.Name, Kind: obj.Kind}, nil
}

// TestFilingNamesItsObjectPar11: a filing may name the applicant's registered object (Annex 1,
// §11), which links the certificate to it; another organisation's object or an unknown one is
// refused, naming object.id.
func TestFilingNamesItsObjectPar11(t *testing.T) {
	for _, tc := range []struct {
		name, id string
		ok       bool
	}{
		{"§11 the applicant's own object is linked to the case", "O-00000000000000aa", true},
		{"§11 another organisation's object is refused", "O-00000000000000bb", false},
		{"§11 an unknown object is refused", "O-00000000000000cc", false},
		{"§11 a malformed object id is refused", "object-1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newUploadHarness(t)
			h.rebuild(func(d *Deps) {
				d.ObjectOwners = owners{"O-00000000000000aa": applicant.BIN, "O-00000000000000bb": "990000000001"}
			})
			pkg := draftPackage()
			pkg.Object.ID = tc.id
			d, err := h.svc.CreateDraft(h.ctx, applicant, pkg, h.tick())
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range requiredDocuments(t) {
				h.draftUpload(d.ID, r.ID)
			}
			c, err := h.svc.SubmitDraft(h.ctx, applicant, d.ID, h.tick())
			if tc.ok {
				if err != nil || c.ObjectID != tc.id {
					t.Fatalf("submit: %+v, %v", c.ObjectID, err)
				}
				return
			}
			problems := submissionProblems(t, err)
			if len(problems) != 1 || problems[0].Field != "object.id" {
				t.Fatalf("problems %v, want one on object.id", problems)
			}
		})
	}
}
