package attestation

import (
	"context"
	"errors"
	"testing"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// The Committee's office (office.go): standard §3, §4(2)-(3), §8, §9.

const representativeIIN = "850101300124"

var office = identity.Actor{Subject: "office-user", Name: "Nurlanova Aliya Serikovna", Role: identity.Office}

// registry is the state registers' stand-in of these tests.
type registry map[string]RegisteredOrganization

func (r registry) Organization(ctx context.Context, number string) (RegisteredOrganization, error) {
	o, ok := r[number]
	if !ok {
		return RegisteredOrganization{}, apperr.Errorf(apperr.NotFound, "organization", "no %s", number)
	}
	return o, nil
}

func newOfficeHarness(t *testing.T, requireSignatures bool) *uploadHarness {
	t.Helper()
	h := newUploadHarness(t)
	h.rebuild(func(d *Deps) {
		d.RequireSignatures = requireSignatures
		d.Registry = registry{applicantBIN: {Number: applicantBIN, Name: "Digital Services LLP"},
			representativeIIN: {Number: representativeIIN, Name: "SERIKOV ARMAN", Individual: true}}
	})
	h.now = kzTime(time.October, 15, 10, 0)
	return h
}

func paperRequest(arrived time.Time) PaperFilingRequest {
	return PaperFilingRequest{Organization: applicantBIN, ArrivedAt: &arrived, Package: draftPackage(),
		Representative: &RepresentativeRequest{IIN: representativeIIN, LetterOfAttorney: LetterOfAttorney{Number: "LA-1", IssuedOn: "2026-10-01", ValidUntil: "2026-12-31"}}}
}

// refusedFields are the fields of a refusal's problems, by rule.
func refusedFields(t *testing.T, err error) map[string]string {
	t.Helper()
	var r *SubmissionRefused
	if !errors.As(err, &r) {
		t.Fatalf("err = %v, want a SubmissionRefused", err)
	}
	out := map[string]string{}
	for _, p := range r.Problems {
		out[p.Field] = p.Rule
	}
	return out
}

func TestStd9PaperFilingIsTheOfficesForARegisteredOrganisation(t *testing.T) {
	h := newOfficeHarness(t, false)
	t.Run("only the office registers paper filings (standard §3)", func(t *testing.T) {
		_, err := h.svc.CreatePaperFiling(h.ctx, applicant, paperRequest(h.now), h.now)
		if apperr.KindOf(err) != apperr.Forbidden {
			t.Fatalf("an applicant: %v, want Forbidden", err)
		}
	})
	t.Run("standard §9 the organisation comes from the state registers", func(t *testing.T) {
		in := paperRequest(h.now)
		in.Organization = otherBIN
		_, err := h.svc.CreatePaperFiling(h.ctx, office, in, h.now)
		if f := refusedFields(t, err); f["organization"] != "standard §9" {
			t.Fatalf("an unregistered organisation: %v", f)
		}
	})
	t.Run("standard §9 a representative acts by a letter of attorney valid today", func(t *testing.T) {
		in := paperRequest(h.now)
		in.Representative.LetterOfAttorney.ValidUntil = "2026-10-14"
		_, err := h.svc.CreatePaperFiling(h.ctx, office, in, h.now)
		if f := refusedFields(t, err); f["representative.letterOfAttorney.validUntil"] != "standard §9" {
			t.Fatalf("an expired letter: %v", f)
		}
		in = paperRequest(h.now)
		in.Representative.IIN = applicantBIN // a legal entity is no person
		_, err = h.svc.CreatePaperFiling(h.ctx, office, in, h.now)
		if f := refusedFields(t, err); f["representative.iin"] != "standard §9" {
			t.Fatalf("a legal entity as representative: %v", f)
		}
	})
	t.Run("standard §8 the office serves within its acceptance hours", func(t *testing.T) {
		evening := kzTime(time.October, 15, 18, 0)
		_, err := h.svc.CreatePaperFiling(h.ctx, office, paperRequest(evening.Add(-time.Minute)), evening)
		if f := refusedFields(t, err); f["serviceStartedAt"] != "standard §8" {
			t.Fatalf("after hours: %v", f)
		}
	})
	t.Run("standard §4(2) the arrival is recorded and not after the service starts", func(t *testing.T) {
		in := paperRequest(h.now)
		in.ArrivedAt = nil
		_, err := h.svc.CreatePaperFiling(h.ctx, office, in, h.now)
		if f := refusedFields(t, err); f["arrivedAt"] != "standard §4(2)" {
			t.Fatalf("no arrival: %v", f)
		}
		_, err = h.svc.CreatePaperFiling(h.ctx, office, paperRequest(h.now.Add(time.Minute)), h.now)
		if f := refusedFields(t, err); f["arrivedAt"] != "standard §4(2)" {
			t.Fatalf("an arrival after now: %v", f)
		}
	})
	t.Run("the paper filing is the office's, not the organisation's online draft", func(t *testing.T) {
		d, err := h.svc.CreatePaperFiling(h.ctx, office, paperRequest(h.now.Add(-5*time.Minute)), h.now)
		if err != nil {
			t.Fatal(err)
		}
		if d.Paper.OrganizationName != "Digital Services LLP" || d.Paper.Representative.Name != "SERIKOV ARMAN" || d.Paper.RegisteredBy != office.Name {
			t.Fatalf("paper = %+v", d.Paper)
		}
		if _, _, err := h.svc.GetDraft(h.ctx, applicant, d.ID, h.now); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("the applicant reads it: %v", err)
		}
		if _, _, err := h.svc.GetDraft(h.ctx, office, d.ID, h.now); err != nil {
			t.Fatalf("the office reads it: %v", err)
		}
		online := h.newDraft()
		if _, _, err := h.svc.GetDraft(h.ctx, office, online.ID, h.now); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("the office reads an online draft: %v", err)
		}
	})
}

func TestStd4QueueAndServiceLimits(t *testing.T) {
	ed, err := policy.Load(editionRules)
	if err != nil {
		t.Fatal(err)
	}
	start := kzTime(time.October, 15, 10, 0)
	p := PaperFiling{ArrivedAt: start.Add(-16 * time.Minute), ServiceStartedAt: start}
	got := officeLimits(ed, p, start.Add(15*time.Minute))
	if len(got) != 2 {
		t.Fatalf("limits = %+v", got)
	}
	if w := got[0]; w.Paragraph != "standard §4(2)" || w.Minutes != 15 || w.Took != 16 || !w.Exceeded {
		t.Errorf("§4(2) 16 minutes in the queue: %+v", w)
	}
	if s := got[1]; s.Paragraph != "standard §4(3)" || s.Minutes != 15 || s.Took != 15 || s.Exceeded {
		t.Errorf("§4(3) 15 minutes of service keep the limit: %+v", s)
	}
}

// Std9: the receipt mark names the officer and the moment; no EDS is asked of a paper filing even
// with signatures required, and none is taken on a scan.
func TestStd9ReceiptMarkAndNoSignatureOnPaper(t *testing.T) {
	h := newOfficeHarness(t, true)
	d, err := h.svc.CreatePaperFiling(h.ctx, office, paperRequest(h.now.Add(-3*time.Minute)), h.now)
	if err != nil {
		t.Fatal(err)
	}
	signed := declaration("application", "application/pdf", pdf("signed"))
	signed.Signature = "MIIB"
	if _, _, err := h.svc.RequestDraftUpload(h.ctx, office, d.ID, signed, h.now); err == nil {
		t.Fatal("an electronic signature on the office's scan was taken")
	}
	for _, r := range requiredDocuments(t) {
		body := pdf(d.ID + "/" + r.ID)
		u, _, err := h.svc.RequestDraftUpload(h.ctx, office, d.ID, declaration(r.ID, "application/pdf", body), h.now)
		if err != nil {
			t.Fatalf("scan %s: %v", r.ID, err)
		}
		h.files.put(u.DocumentKey(), u.ContentType, body)
		if _, err := h.svc.ConfirmUpload(h.ctx, office, u.ID, h.now); err != nil {
			t.Fatalf("confirm %s: %v", r.ID, err)
		}
	}
	if _, err := h.svc.ReceivePaperFiling(h.ctx, applicant, d.ID, h.now); apperr.KindOf(err) != apperr.Forbidden {
		t.Fatalf("an applicant marks the receipt: %v", err)
	}
	at := h.now.Add(12 * time.Minute)
	c, err := h.svc.ReceivePaperFiling(h.ctx, office, d.ID, at)
	if err != nil {
		t.Fatalf("receipt: %v", err)
	}
	if r := c.Paper.Receipt; r == nil || r.Officer != office.Name || !r.At.Equal(at) || !c.ReceivedAt.Equal(at) {
		t.Fatalf("receipt mark %+v, received %s", r, c.ReceivedAt)
	}
	if c.OrganizationBIN != applicantBIN || c.Paper.Limits[1].Took != 12 || c.Paper.Limits[1].Exceeded {
		t.Fatalf("case %s %+v", c.OrganizationBIN, c.Paper.Limits)
	}
	again, err := h.svc.ReceivePaperFiling(h.ctx, office, d.ID, at.Add(time.Minute))
	if err != nil || again.ID != c.ID {
		t.Fatalf("a repeated receipt files once: %v %v", again.ID, err)
	}
}

func TestStd9OfficeActsOnlyForThePaperCasesApplicant(t *testing.T) {
	paper := Case{Paper: &PaperFiling{}}
	for _, tc := range []struct {
		name  string
		actor identity.Actor
		c     Case
		role  identity.Role
		want  bool
	}{
		{"the applicant's step of a paper case", office, paper, identity.Applicant, true},
		{"the authority's step of a paper case", office, paper, identity.Authority, false},
		{"the STS's step of a paper case", office, paper, identity.STS, false},
		{"the applicant's step of an online case", office, Case{}, identity.Applicant, false},
		{"an applicant is not the office", applicant, paper, identity.Applicant, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := officeActs(tc.actor, tc.c, tc.role); got != tc.want {
				t.Fatalf("officeActs = %t, want %t", got, tc.want)
			}
		})
	}
}

// Std9: a result handed over on paper is the applicant's receipt of it; online, the sending is.
func TestStd9ReceiptOfIsTheHandOver(t *testing.T) {
	sent := kzTime(time.November, 18, 10, 0)
	handed := kzTime(time.November, 19, 15, 0)
	act := Document{Kind: DocSurveyAct, Key: "k/act"}
	if at, ok := ReceiptOf(Case{}, act, sent); !ok || !at.Equal(sent) {
		t.Errorf("online: %s %t, want the sending", at, ok)
	}
	paper := Case{Paper: &PaperFiling{}}
	if _, ok := ReceiptOf(paper, act, sent); ok {
		t.Errorf("paper, not handed over: the period must not start")
	}
	paper.HandOvers = []HandOver{{Document: act, ReceivedBy: "X", At: handed}}
	if at, ok := ReceiptOf(paper, act, sent); !ok || !at.Equal(handed) {
		t.Errorf("paper: %s %t, want the hand-over", at, ok)
	}
}
