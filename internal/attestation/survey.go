package attestation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// §22: the survey includes four components; §24: the act records the actual state of security
// found; §25, §35: the act is drawn up in three copies, one kept by the STS and two transferred to
// the authority, for itself and for the applicant.

// The components of a survey (§22(1)-(4)).
const (
	ComponentInitialData   = "initial_data_analysis"    // §22(1) preliminary analysis of the original data
	ComponentDocumentation = "documentation_assessment" // §22(2) the TD on IS against the standards
	ComponentExamination   = "object_examination"       // §22(3) examination of the object
	ComponentInstrumental  = "instrumental_examination" // §22(4) instrumental examination
)

// SurveyComponents lists the components in the order of §22.
var SurveyComponents = []string{ComponentInitialData, ComponentDocumentation, ComponentExamination, ComponentInstrumental}

// The results of a component.
const (
	ResultCompliant       = "compliant"
	ResultNonconformities = "nonconformities"
)

// maxFinding bounds a component's finding.
const maxFinding = 4000

// ActComponent is one component of the survey with its finding (§22, §24).
type ActComponent struct {
	Component string `json:"component"`
	Result    string `json:"result"`  // compliant | nonconformities
	Finding   string `json:"finding"` // what was found
}

// The holders of an act's copies (§25, §35).
const (
	CopySTS       = "sts"
	CopyAuthority = "authority"
	CopyApplicant = "applicant"
)

// ActCopy is one of the act's three copies: whose it is, who holds it now, and who received it
// when (§25, §35). The applicant's copy is transferred to the authority with the authority's, and
// reaches the applicant when the authority sends it (§28, §30, §31).
type ActCopy struct {
	For        string     `json:"for"`    // sts | authority | applicant
	HeldBy     string     `json:"heldBy"` // the role that holds it now
	ReceivedBy string     `json:"receivedBy,omitempty"`
	ReceivedAt *time.Time `json:"receivedAt,omitempty"`
}

// checkActContent checks what an act records of the survey's content, when it records it: the
// version of the methodology it was drawn up under, published by the authority (§20), and each of
// the four components of §22 once, with its result and finding. An act that records neither is
// taken as before (issue 16 leaves making them required to the deployment).
func (s *Service) checkActContent(ctx context.Context, a *ActDetails) error {
	if len(a.Copies) > 0 {
		return errors.New("act.copies: the copies of an act are recorded by the service (§25, §35), not sent")
	}
	if a.MethodologyVersion == "" && len(a.Components) == 0 {
		return nil
	}
	if a.MethodologyVersion == "" {
		return errors.New("act.methodologyVersion: an act that records the survey's components names the methodology it was drawn up under (§20)")
	}
	if s.methodologies != nil {
		_, err := s.methodologies.Methodology(ctx, a.MethodologyVersion)
		if errors.Is(err, apperr.NotFound) {
			return fmt.Errorf("act.methodologyVersion: %q is not a version of the survey methodology the authority published (§20)", a.MethodologyVersion)
		}
		if err != nil {
			return fmt.Errorf("methodology %s: %w", a.MethodologyVersion, err)
		}
	}
	seen := map[string]bool{}
	for i, c := range a.Components {
		f := fmt.Sprintf("act.components[%d]", i)
		switch {
		case !slices.Contains(SurveyComponents, c.Component):
			return fmt.Errorf("%s.component: %q is not a component of the survey (§22): one of %s", f, c.Component, strings.Join(SurveyComponents, ", "))
		case seen[c.Component]:
			return fmt.Errorf("%s.component: %s is recorded twice", f, c.Component)
		case c.Result != ResultCompliant && c.Result != ResultNonconformities:
			return fmt.Errorf("%s.result: %q: want %s or %s", f, c.Result, ResultCompliant, ResultNonconformities)
		}
		if m := TextProblem(c.Finding, maxFinding, true); m != "" {
			return fmt.Errorf("%s.finding: the finding is %s", f, m)
		}
		seen[c.Component] = true
	}
	for _, c := range SurveyComponents {
		if !seen[c] {
			return fmt.Errorf("act.components: %s is missing: the act records each of the four components of the survey (§22)", c)
		}
	}
	return nil
}

// actCopies are the act's three copies when the STS hands it over (§25, §35): its own, kept by
// the person who hands it over; the authority's, received by the authority at the same moment;
// the applicant's, transferred to the authority for the applicant.
func actCopies(actor identity.Actor, now time.Time) []ActCopy {
	at := now.UTC()
	by := actor.Name
	if by == "" {
		by = actor.Subject
	}
	return []ActCopy{
		{For: CopySTS, HeldBy: string(identity.STS), ReceivedBy: by, ReceivedAt: &at},
		{For: CopyAuthority, HeldBy: string(identity.Authority), ReceivedBy: string(identity.Authority), ReceivedAt: &at},
		{For: CopyApplicant, HeldBy: string(identity.Authority)},
	}
}

// withAct is a with its copies recorded (a copy: the caller's value is not changed).
func withAct(a *ActDetails, actor identity.Actor, now time.Time) *ActDetails {
	if a == nil {
		return nil
	}
	out := *a
	out.Components = slices.Clone(a.Components)
	out.Copies = actCopies(actor, now)
	return &out
}

// applicantReceives records that the applicant's copy of act a reached the applicant c when the
// authority sent it (§28, §30, §31).
func applicantReceives(a *ActDetails, c Case, now time.Time) *ActDetails {
	if a == nil {
		return nil
	}
	out := *a
	out.Copies = slices.Clone(a.Copies)
	at := now.UTC()
	for i, cp := range out.Copies {
		if cp.For == CopyApplicant && cp.ReceivedAt == nil {
			by := c.ApplicantName
			if by == "" {
				by = c.OrganizationBIN
			}
			out.Copies[i] = ActCopy{For: CopyApplicant, HeldBy: string(identity.Applicant), ReceivedBy: by, ReceivedAt: &at}
		}
	}
	return &out
}
