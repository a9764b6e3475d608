package attestation

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"attestation/internal/apperr"
)

// memMethodologies is an in-memory Methodologies with the adapter's condition.
type memMethodologies struct {
	mu sync.Mutex
	m  map[string]Methodology
}

func (m *memMethodologies) Publish(ctx context.Context, x Methodology) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[x.Version]; ok {
		return apperr.Hidden(apperr.Conflict, "", "exists")
	}
	m.m[x.Version] = x
	return nil
}

func (m *memMethodologies) Methodology(ctx context.Context, v string) (Methodology, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	x, ok := m.m[v]
	if !ok {
		return Methodology{}, apperr.Hidden(apperr.NotFound, "methodology", "no %s", v)
	}
	return x, nil
}

func (m *memMethodologies) Methodologies(ctx context.Context, limit int) ([]Methodology, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Methodology
	for _, x := range m.m {
		x.Text = ""
		out = append(out, x)
	}
	return out, nil
}

// fullContent is an act's content: the published version and the four components of §22.
func fullContent(a *ActDetails) *ActDetails {
	out := *a
	out.MethodologyVersion = "2026.1"
	for _, c := range SurveyComponents {
		out.Components = append(out.Components, ActComponent{Component: c, Result: ResultCompliant, Finding: "as required"})
	}
	return &out
}

func methodologyHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.rebuild(func(d *Deps) { d.Methodologies = &memMethodologies{m: map[string]Methodology{}} })
	if _, err := h.svc.PublishMethodology(h.ctx, authority, MethodologyInput{Version: "2026.1", Title: "Methodology of the survey", Text: "1. Scope."}, h.tick()); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestPar20MethodologyIsPublishedAsVersions(t *testing.T) {
	h := methodologyHarness(t)
	t.Run("§20 the authority publishes a version once; the same again answers the first, another text is a conflict", func(t *testing.T) {
		m, err := h.svc.PublishMethodology(h.ctx, authority, MethodologyInput{Version: "2026.1", Title: "Methodology of the survey", Text: "1. Scope."}, h.tick())
		if err != nil || m.SHA256 == "" || m.PublishedBy != authority.Subject {
			t.Fatalf("%+v %v", m, err)
		}
		if _, err := h.svc.PublishMethodology(h.ctx, authority, MethodologyInput{Version: "2026.1", Title: "Methodology of the survey", Text: "2. Other."}, h.tick()); !errors.Is(err, apperr.Conflict) {
			t.Fatalf("%v", err)
		}
		if got, err := h.svc.GetMethodology(h.ctx, "2026.1"); err != nil || got.Text != "1. Scope." {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("§20 only the authority approves the methodology; a version without its fields is refused, naming each", func(t *testing.T) {
		if _, err := h.svc.PublishMethodology(h.ctx, sts, MethodologyInput{Version: "x", Title: "t", Text: "t"}, h.tick()); !errors.Is(err, apperr.Forbidden) {
			t.Fatalf("%v", err)
		}
		_, err := h.svc.PublishMethodology(h.ctx, authority, MethodologyInput{Version: "../1"}, h.tick())
		refused, ok := err.(*SubmissionRefused)
		if !ok || len(refused.Problems) != 3 {
			t.Fatalf("%v", err)
		}
	})
}

func TestPar22ActRecordsTheSurveysContent(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		edit       func(a *ActDetails)
	}{
		{"§20 the act names a published version of the methodology", "not a version of the survey methodology", func(a *ActDetails) { a.MethodologyVersion = "1999.9" }},
		{"§20 components without the methodology's version", "names the methodology", func(a *ActDetails) { a.MethodologyVersion = "" }},
		{"§22 each of the four components is recorded", "instrumental_examination is missing", func(a *ActDetails) { a.Components = a.Components[:3] }},
		{"§22 a component is recorded once", "recorded twice", func(a *ActDetails) { a.Components[3] = a.Components[0] }},
		{"§22 a component of another name", "not a component of the survey", func(a *ActDetails) { a.Components[0].Component = "pentest" }},
		{"§24 each component has its result", "want compliant or nonconformities", func(a *ActDetails) { a.Components[1].Result = "ok" }},
		{"§24 each component has its finding", "finding is", func(a *ActDetails) { a.Components[2].Finding = " " }},
		{"§25 the copies are the service's to record", "recorded by the service", func(a *ActDetails) { a.Copies = []ActCopy{{For: CopySTS}} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := methodologyHarness(t)
			c := h.caseAt(StageSurvey, caseSpec{}, route{})
			in := h.completion(c, OutcomeAct)
			in.Act = fullContent(in.Act)
			tc.edit(in.Act)
			_, err := h.svc.CompleteStep(h.ctx, sts, c.ID, in, h.tick())
			if !errors.Is(err, apperr.Unprocessable) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v, want 422 saying %q", err, tc.want)
			}
			h.unchanged(c)
		})
	}
}

func TestPar25ActsThreeCopies(t *testing.T) {
	h := methodologyHarness(t)
	c := h.caseAt(StageSurvey, caseSpec{}, route{})
	in := h.completion(c, OutcomeAct)
	in.Act = fullContent(in.Act)
	at := h.tick()
	dec, err := h.svc.CompleteStep(h.ctx, sts, c.ID, in, at)
	if err != nil {
		t.Fatal(err)
	}
	h.open(c.ID, dec.Next.Stage, dec.Next.OpensAt)
	t.Run("§22 §24 the act keeps the methodology's version and the four components", func(t *testing.T) {
		a := h.get(c.ID).SurveyAct
		if a.MethodologyVersion != "2026.1" || len(a.Components) != 4 {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("§25 three copies: the STS's kept, the authority's received, the applicant's held by the authority", func(t *testing.T) {
		cp := h.get(c.ID).SurveyAct.Copies
		if len(cp) != 3 || cp[0].For != CopySTS || cp[0].HeldBy != "sts" || cp[0].ReceivedBy == "" || !cp[0].ReceivedAt.Equal(at) ||
			cp[1].For != CopyAuthority || cp[1].HeldBy != "authority" || cp[1].ReceivedAt == nil ||
			cp[2].For != CopyApplicant || cp[2].HeldBy != "authority" || cp[2].ReceivedAt != nil {
			t.Fatalf("%+v", cp)
		}
	})
	t.Run("§25 §28 the applicant's copy reaches the applicant when the authority sends the act", func(t *testing.T) {
		h.advance(c.ID, OutcomeIssue)
		sent := h.tick()
		if _, err := h.svc.CompleteStep(h.ctx, authority, c.ID, h.completion(h.get(c.ID), OutcomeSent), sent); err != nil {
			t.Fatal(err)
		}
		cp := h.get(c.ID).SurveyAct.Copies[2]
		if cp.HeldBy != "applicant" || cp.ReceivedBy == "" || cp.ReceivedAt == nil || !cp.ReceivedAt.Equal(sent.UTC()) {
			t.Fatalf("%+v", cp)
		}
	})
}
