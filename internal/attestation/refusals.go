package attestation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"attestation/internal/policy"
)

// Reasoned refusals and returns (standard §6, §10; §15, §27(2), §30, §32, §37). A return or a
// refusal names its grounds, codes of the policy's refusal grounds, with its free reasons; the
// ground's effect must fit the decision: an incomplete package or expired documents refuse the
// acceptance of the application (a return, §15), inaccurate documents or data and non-compliance
// with the Rules refuse the service (a refusal to issue, §27(2), §32, §37). The applicant
// receives a reasoned response in Kazakh, Russian and English, kept under Object Lock.

// DocReasonedResponse is the reasoned response to the applicant (standard §6): a return's or a
// refusal's grounds and reasons, as data (JSON) and as its PDF.
const (
	DocReasonedResponse     = "reasoned_response"
	DocReasonedResponseData = "reasoned_response_data"
)

// maxGrounds bounds the grounds of one decision.
const maxGrounds = 10

// groundEffect is the effect the grounds of outcome must have, or "" when outcome takes none.
func groundEffect(outcome Outcome) string {
	switch outcome {
	case OutcomeReturn:
		return policy.EffectRefuseAcceptance
	case OutcomeRefuse:
		return policy.EffectRefuseService
	}
	return ""
}

// checkGrounds checks the grounds of a completion against the edition's refusal grounds
// (standard §10): required with a return or refusal, each a known ground of the effect the
// decision has, none repeated; no grounds with another outcome.
func checkGrounds(ed *policy.Edition, outcome Outcome, paragraph string, grounds []string) error {
	effect := groundEffect(outcome)
	if effect == "" {
		if len(grounds) > 0 {
			return fmt.Errorf("grounds are given only with a return or a refusal (standard §10)")
		}
		return nil
	}
	var fit []string
	for _, g := range ed.RefusalGrounds() {
		if g.Effect == effect {
			fit = append(fit, g.ID)
		}
	}
	if len(grounds) == 0 {
		return fmt.Errorf("grounds: %s names its grounds (%s; standard §6, §10): one or more of %s", outcome, paragraph, strings.Join(fit, ", "))
	}
	if len(grounds) > maxGrounds {
		return fmt.Errorf("grounds: at most %d", maxGrounds)
	}
	for i, id := range grounds {
		g, ok := refusalGround(ed, id)
		switch {
		case !ok:
			return fmt.Errorf("grounds[%d]: %q is not a refusal ground of the policy: one of %s (standard §10)", i, clipText(id), strings.Join(fit, ", "))
		case g.Effect != effect:
			return fmt.Errorf("grounds[%d]: %s (%s) refuses %s, not what a %s does: one of %s (standard §10)", i, g.ID, g.Paragraph, effectWords(g.Effect), outcome, strings.Join(fit, ", "))
		case slices.Contains(grounds[:i], id):
			return fmt.Errorf("grounds[%d]: %s is named twice", i, id)
		}
	}
	return nil
}

func refusalGround(ed *policy.Edition, id string) (policy.RefusalGround, bool) {
	for _, g := range ed.RefusalGrounds() {
		if g.ID == id {
			return g, true
		}
	}
	return policy.RefusalGround{}, false
}

func effectWords(effect string) string {
	if effect == policy.EffectRefuseAcceptance {
		return "the acceptance of the application (a return)"
	}
	return "the service (a refusal)"
}

func clipText(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// Response is the reasoned response to the applicant (standard §6): what was decided, on which
// grounds and reasons, by whom and when. Its JSON is kept under Object Lock; its PDF (Kazakh,
// Russian, English) is what the applicant reads.
type Response struct {
	CaseID        string           `json:"caseId"`
	Decision      Outcome          `json:"decision"` // return | refuse
	Step          string           `json:"step"`
	Paragraph     string           `json:"paragraph"`
	ObjectName    string           `json:"objectName"`
	ApplicantName string           `json:"applicantName"`
	ApplicantID   string           `json:"applicantId,omitempty"` // BIN; an individual's IIN is left out
	Grounds       []ResponseGround `json:"grounds"`
	Reasons       []string         `json:"reasons"`
	DecidedAt     time.Time        `json:"decidedAt"`
	DecidedBy     string           `json:"decidedBy,omitempty"`
	// Acts are the acts of the surveys a refusal rests on, copied into the Object Lock bucket as
	// an issued certificate's are (§28, §30): kept whatever happens to the uploads.
	Acts []Document `json:"acts,omitempty"`
}

// ResponseGround is a ground of the response with the policy's paragraph, effect and text.
type ResponseGround struct {
	ID        string `json:"id"`
	Paragraph string `json:"paragraph"`
	Effect    string `json:"effect"`
	Text      string `json:"text"`
}

// ResponseRenderer renders the reasoned response as a PDF (certificate.RenderResponse).
type ResponseRenderer func(Response) ([]byte, error)

// keepActs copies the acts of c into the Object Lock bucket beside its reasoned refusal, after
// checking each against the SHA-256 pinned at upload. A service without the documents bucket
// (the roots that complete no step) keeps none.
func (s *Service) keepActs(ctx context.Context, c Case, dec Decision) ([]Document, error) {
	if s.files == nil {
		return nil, nil
	}
	var out []Document
	for _, d := range c.Documents {
		if d.Kind != DocSurveyAct && d.Kind != DocAdditionalSurveyAct {
			continue
		}
		reader, ok := s.files.(versionReader)
		if !ok {
			return nil, fmt.Errorf("keep %s: the document store cannot read a version", d.Kind)
		}
		// The exact version pinned at upload, checked against its SHA-256.
		body, err := reader.ReadVersion(ctx, d.Key, d.VersionID, MaxUploadBytes)
		if err != nil {
			return nil, fmt.Errorf("keep %s: %w", d.Kind, err)
		}
		sum := sha256.Sum256(body)
		if d.SHA256 != "" && hex.EncodeToString(sum[:]) != d.SHA256 {
			return nil, fmt.Errorf("keep %s: the stored bytes are not the ones pinned at upload", d.Kind)
		}
		ct := http.DetectContentType(body)
		kept, err := s.records.Put(ctx, fmt.Sprintf("cases/%s/acts/%s-%s", c.ID, d.Kind, hex.EncodeToString(sum[:8])), ct, body)
		if err != nil {
			return nil, fmt.Errorf("keep %s: %w", d.Kind, err)
		}
		kept.Kind, kept.Step = d.Kind, d.Step
		out = append(out, kept)
	}
	return out, nil
}

// respond keeps the reasoned response to a return or refusal under Object Lock: its data and,
// when the service renders, its PDF. The keys carry the step and the moment, so a decision lost
// to a concurrent write blocks no other.
func (s *Service) respond(ctx context.Context, c Case, dec Decision, paragraph, decidedBy string) ([]Document, error) {
	ed, err := s.rules.edition(c.Edition)
	if err != nil {
		return nil, err
	}
	r := Response{CaseID: c.ID, Decision: dec.Outcome, Step: dec.Step, Paragraph: paragraph, ObjectName: c.ObjectName,
		ApplicantName: c.ApplicantName, Reasons: dec.Reasons, DecidedAt: dec.At, DecidedBy: decidedBy}
	if !c.ApplicantIndividual && IsLegalEntityBIN(c.OrganizationBIN) {
		r.ApplicantID = c.OrganizationBIN
	}
	for _, id := range dec.Grounds {
		g, _ := refusalGround(ed, id)
		r.Grounds = append(r.Grounds, ResponseGround{ID: g.ID, Paragraph: g.Paragraph, Effect: g.Effect, Text: g.Text})
	}
	if dec.Outcome == OutcomeRefuse {
		if r.Acts, err = s.keepActs(ctx, c, dec); err != nil {
			return nil, err
		}
	}
	body, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode the reasoned response: %w", err)
	}
	base := fmt.Sprintf("cases/%s/responses/%s-%s", c.ID, dec.Step, dec.At.UTC().Format("20060102T150405.000Z"))
	data, err := s.records.Put(ctx, base+".json", "application/json", body)
	if err != nil {
		return nil, fmt.Errorf("keep the reasoned response: %w", err)
	}
	data.Kind, data.Step = DocReasonedResponseData, dec.Step
	docs := []Document{data}
	if s.render != nil {
		pdf, err := s.render(r)
		if err != nil {
			return nil, fmt.Errorf("render the reasoned response: %w", err)
		}
		d, err := s.records.Put(ctx, base+".pdf", "application/pdf", pdf)
		if err != nil {
			return nil, fmt.Errorf("keep the reasoned response: %w", err)
		}
		d.Kind, d.Step = DocReasonedResponse, dec.Step
		docs = append(docs, d)
	}
	// A return (§15) and the refusal after a lapse (§32) end the case: the response reaches the
	// applicant at once. A refusal at a decision (§27(2), §37) goes with the act (§30, §38).
	if dec.Next != nil && dec.Next.Stage.Ended() {
		for i := range docs {
			at := dec.At
			docs[i].SentAt = &at
		}
	}
	return docs, nil
}
