package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestPar20To25SurveyContentAndTheActsThreeCopies: the authority publishes the survey methodology
// as a versioned document (§20); the STS's act names the version and records the four components
// of §22 with their findings (§24); the act's three copies are recorded, the applicant's received
// when the authority sends it (§25, §28). On the main branch before issue 16 there was no
// methodology route, and an act carried only its number and date.
func TestPar20To25SurveyContentAndTheActsThreeCopies(t *testing.T) {
	p := toSurvey(t, application(t, "Survey content", false))
	t.Run("§20 the authority publishes a version of the methodology; everyone signed in reads it; it never changes", func(t *testing.T) {
		body := map[string]any{"version": "2026.1", "title": "Methodology of the attestation survey", "text": "1. Scope.\n2. Instrumental examination."}
		if status, out := p.sts.do("POST", "/survey-methodology", body); status != http.StatusForbidden {
			t.Fatalf("the STS publishing: %d %v", status, out)
		}
		status, m := p.authority.do("POST", "/survey-methodology", body)
		if status != http.StatusCreated || m["version"] != "2026.1" || m["sha256"] == "" {
			t.Fatalf("%d %v", status, m)
		}
		if status, again := p.authority.do("POST", "/survey-methodology", body); status != http.StatusCreated || again["publishedAt"] != m["publishedAt"] {
			t.Fatalf("the same version again: %d %v", status, again)
		}
		body["text"] = "changed"
		if status, out := p.authority.do("POST", "/survey-methodology", body); status != http.StatusConflict {
			t.Fatalf("another text under a published version: %d %v", status, out)
		}
		if status, got := p.applicant.do("GET", "/survey-methodology/2026.1", nil); status != http.StatusOK || got["text"] != "1. Scope.\n2. Instrumental examination." {
			t.Fatalf("%d %v", status, got)
		}
		if status, list := p.sts.do("GET", "/survey-methodology", nil); status != http.StatusOK || fmt.Sprint(list["versions"]) == "[]" {
			t.Fatalf("%d %v", status, list)
		}
	})
	components := func(finding string) []map[string]any {
		var out []map[string]any
		for _, c := range []string{"initial_data_analysis", "documentation_assessment", "object_examination", "instrumental_examination"} {
			out = append(out, map[string]any{"component": c, "result": "compliant", "finding": finding})
		}
		return out
	}
	t.Run("§20 §22 an act naming an unpublished version, or lacking a component, is refused", func(t *testing.T) {
		at := day(11, 16, 9)
		p.open("survey")
		stack.Clock.Freeze(at)
		act := actDetails("survey", at)
		act["methodologyVersion"], act["components"] = "1999.1", components("ok")
		docs := p.attach(p.sts, docKinds{"survey_act"})
		status, out := p.sts.do("POST", "/cases/"+p.id+"/step", map[string]any{"step": "survey", "outcome": "act", "act": act, "documents": docs})
		if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(out), "not a version of the survey methodology") {
			t.Fatalf("%d %v", status, out)
		}
		act["methodologyVersion"], act["components"] = "2026.1", components("ok")[:3]
		status, out = p.sts.do("POST", "/cases/"+p.id+"/step", map[string]any{"step": "survey", "outcome": "act", "act": act, "documents": docs})
		if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(out), "instrumental_examination is missing") {
			t.Fatalf("%d %v", status, out)
		}
	})
	t.Run("§22 §24 §25 the act records its content and its three copies", func(t *testing.T) {
		at := day(11, 16, 10)
		act := actDetails("survey", at)
		act["methodologyVersion"], act["components"] = "2026.1", components("as the technical documentation requires")
		p.act(p.sts, at, "survey", "act", map[string]any{"documents": docKinds{"survey_act"}, "act": act})
		v := p.view(p.authority)
		a, _ := v["surveyAct"].(map[string]any)
		copies, _ := a["copies"].([]any)
		if a["methodologyVersion"] != "2026.1" || len(a["components"].([]any)) != 4 || len(copies) != 3 {
			t.Fatalf("%v", a)
		}
		if c := copies[2].(map[string]any); c["for"] != "applicant" || c["heldBy"] != "authority" || c["receivedAt"] != nil {
			t.Fatalf("the applicant's copy before the sending: %v", c)
		}
		if _, seen := p.view(p.applicant)["surveyAct"]; seen {
			t.Fatal("§25: the applicant sees the act before the authority sent it")
		}
	})
	t.Run("§25 §28 the applicant's copy reaches the applicant with the decision", func(t *testing.T) {
		p.act(p.authority, day(11, 17, 10), "decision", "issue", nil)
		p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
		a, _ := p.view(p.applicant)["surveyAct"].(map[string]any)
		copies, _ := a["copies"].([]any)
		if len(copies) != 3 {
			t.Fatalf("%v", a)
		}
		if c := copies[2].(map[string]any); c["heldBy"] != "applicant" || c["receivedAt"] != "2026-11-18T05:00:00Z" || c["receivedBy"] == "" {
			t.Fatalf("%v", c)
		}
	})
}
