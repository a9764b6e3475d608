package register

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// §43-§44 (and §47): the owner's notice of changes and the authority's decision on
// re-attestation after it.

// platformKind is the policy's kind of the e-government platform: one-year certificates (§40)
// and §47.
const platformKind = "egov_platform"

// The authority's decisions on a change notice (§44).
const (
	ReattestationRequired    = "reattestation_required"
	ReattestationNotRequired = "not_required"
)

// ChangeInput is the owner's notice of changes (§43).
type ChangeInput struct {
	// Description describes all changes made (§43).
	Description string `json:"description"`
	// ServiceSoftwareOnly: the change introduces or changes a service software product only (§47).
	ServiceSoftwareOnly bool `json:"serviceSoftwareOnly"`
}

// NotifyChange records the owner's notice of changes with its description of all changes (§43);
// the authority decides on re-attestation within 3 working days of the office's receipt (§44).
// The same notice again, while the first is undecided, answers the first.
func (s *Service) NotifyChange(ctx context.Context, actor identity.Actor, number string, in ChangeInput, now time.Time) (Entry, ChangeNotice, error) {
	if err := applicantOnly(actor, "notify changes"); err != nil {
		return Entry{}, ChangeNotice{}, err
	}
	desc := strings.TrimSpace(in.Description)
	switch {
	case desc == "":
		return Entry{}, ChangeNotice{}, refused("description", "§43", "the notice describes all changes made; it is empty")
	case len(desc) > maxDescription:
		return Entry{}, ChangeNotice{}, refused("description", "§43", fmt.Sprintf("longer than %d bytes", maxDescription))
	case attestation.UnsafeTextProblem(desc) != "":
		return Entry{}, ChangeNotice{}, refused("description", "§43", attestation.UnsafeTextProblem(desc))
	}
	var notice ChangeNotice
	e, err := s.change(ctx, actor, number, now, ownerOf, func(e *Entry, ed *policy.Edition) (string, string, error) {
		for _, c := range e.Changes {
			if c.DecidedAt == nil && c.Description == desc && c.ServiceSoftwareOnly == in.ServiceSoftwareOnly {
				notice = c
				return "", "", nil
			}
		}
		if err := inForce(e, "§43", "a change is notified"); err != nil {
			return "", "", err
		}
		if len(e.Changes) >= MaxChanges {
			return "", "", refused("changes", "§43", fmt.Sprintf("a certificate holds at most %d change notices; this one holds %d (the authority may require re-attestation, §44)", MaxChanges, len(e.Changes)))
		}
		due, err := ed.Due(s.cal, policy.StepChangeDecision, now)
		if err != nil {
			return "", "", fmt.Errorf("due moment of the decision on changes: %w", err)
		}
		notice = ChangeNotice{ID: fmt.Sprintf("c%d", len(e.Changes)+1), Description: desc, ServiceSoftwareOnly: in.ServiceSoftwareOnly,
			ReceivedAt: due.From.UTC(), DueAt: due.At.UTC()}
		e.Changes = append(e.Changes, notice)
		return fmt.Sprintf("the owner notified changes (%s); the authority decides on re-attestation by %s", notice.ID, notice.DueAt.Format(time.RFC3339)),
			due.Paragraph, nil
	})
	if err != nil {
		return Entry{}, ChangeNotice{}, err
	}
	return e, notice, nil
}

// ruleCommission is the paragraph of the commission of the decision on re-attestation.
const ruleCommission = "Law Art. 51(11)"

// ChangeDecision is the authority's decision on a change notice (§44).
type ChangeDecision struct {
	Decision string   `json:"decision"` // reattestation_required | not_required
	Reasons  []string `json:"reasons"`
	// Commission is the attestation commission the authority convened on the notice, whose
	// protocol the decision is taken on, under an edition that says so (Law Art. 51(11)); given
	// under another edition it is refused.
	Commission *attestation.Commission `json:"commission,omitempty"`
}

// DecideChange records the authority's decision on re-attestation after a change notice (§44;
// under the Law's edition the attestation commission's, on its protocol: Law Art. 51(11)).
// A change of a service software product only never recalls the e-government platform's
// certificate (§47), so re-attestation is not required for it. The same decision again answers
// the first; another decision of a decided notice is ErrConflict.
func (s *Service) DecideChange(ctx context.Context, actor identity.Actor, number, changeID string, in ChangeDecision, now time.Time) (Entry, ChangeNotice, error) {
	if err := authorityOnly(actor, "decide on re-attestation"); err != nil {
		return Entry{}, ChangeNotice{}, err
	}
	var problems []apperr.Problem
	if in.Decision != ReattestationRequired && in.Decision != ReattestationNotRequired {
		problems = append(problems, apperr.Problem{Field: "decision", Rule: "§44",
			Message: fmt.Sprintf("%q: want %s or %s", in.Decision, ReattestationRequired, ReattestationNotRequired)})
	}
	reasons, ps := checkReasons(in.Reasons, maxChangeReasons, "§44")
	problems = append(problems, ps...)
	if cm := in.Commission; cm != nil {
		// Law Art. 51(11): the commission's form before anything is read (the bound of its
		// meeting, the notice's receipt, is checked with the notice).
		if p := attestation.CheckCommission(cm, ruleCommission, time.Time{}, "", now); p != nil {
			problems = append(problems, *p)
		}
		if m := attestation.UnsafeTextProblem(cm.Step); cm.Step != "" && m != "" {
			problems = append(problems, apperr.Problem{Field: "commission.step", Rule: ruleCommission, Message: m})
		}
	}
	if len(problems) > 0 {
		return Entry{}, ChangeNotice{}, &attestation.SubmissionRefused{Problems: problems}
	}
	if !wellFormedID(changeID, 'c') {
		return Entry{}, ChangeNotice{}, fmt.Errorf("change notice %q: %w", changeID, ErrChangeNotFound)
	}
	var notice ChangeNotice
	e, err := s.change(ctx, actor, number, now, anyCertificate, func(e *Entry, ed *policy.Edition) (string, string, error) {
		i := slices.IndexFunc(e.Changes, func(c ChangeNotice) bool { return c.ID == changeID })
		if i < 0 {
			return "", "", fmt.Errorf("change notice %s of certificate %s: %w", changeID, e.Number, ErrChangeNotFound)
		}
		c := &e.Changes[i]
		paragraph := periodParagraph(ed, policy.StepChangeDecision, "§43, §44")
		if c.DecidedAt != nil {
			notice = *c
			if c.Decision == in.Decision {
				return "", "", nil
			}
			return "", "", apperr.Errorf(apperr.Conflict, "", "%s: change notice %s was decided %s at %s", paragraph, c.ID, c.Decision, c.DecidedAt.Format(time.RFC3339))
		}
		if in.Decision == ReattestationRequired && c.ServiceSoftwareOnly && e.ObjectKind == platformKind {
			return "", "", apperr.Errorf(apperr.Rule, "", "§47: change notice %s changes a service software product only, which does not entail the recall of the e-government platform's certificate; re-attestation cannot be required for it", c.ID)
		}
		if err := inForce(e, paragraph, "a change notice is decided"); err != nil {
			return "", "", err
		}
		// Law Art. 51(11): under an edition whose decision on re-attestation is the commission's,
		// the decision records the commission convened on the notice; no other takes one.
		onProtocol := attestation.TakenOnProtocol(ed, policy.StepChangeDecision)
		switch {
		case onProtocol:
			if p := attestation.CheckCommission(in.Commission, paragraph, c.ReceivedAt, "the authority received the change notice", now); p != nil {
				return "", "", &attestation.SubmissionRefused{Problems: []apperr.Problem{*p}}
			}
		case in.Commission != nil:
			return "", "", refused("commission", paragraph, fmt.Sprintf("edition %s takes the decision on re-attestation without an attestation commission: leave commission out (an edition that applies Law Art. 51(11) takes one)", ed.ID()))
		}
		at := now.UTC()
		c.Decision, c.Reasons, c.DecidedAt = in.Decision, reasons, &at
		if onProtocol {
			cm := in.Commission.RecordOf(policy.StepChangeDecision)
			c.Commission = &cm
		}
		notice = *c
		what := fmt.Sprintf("the authority decided on change notice %s: %s", c.ID, c.Decision)
		if onProtocol {
			what += fmt.Sprintf(" on the protocol %s of the attestation commission of %s", c.Commission.ProtocolNumber, c.Commission.Meeting)
		}
		if c.Overdue || now.After(c.DueAt) {
			what += fmt.Sprintf(" (after its due moment %s)", c.DueAt.Format(time.RFC3339))
		}
		return what, paragraph, nil
	})
	if err != nil {
		return Entry{}, ChangeNotice{}, err
	}
	return e, notice, nil
}
