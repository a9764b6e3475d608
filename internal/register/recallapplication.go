package register

import (
	"context"
	"fmt"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// §45(2): the owner's written application for the recall of its certificate, which the authority
// then decides (Recall on owner_application). The pending application is an open obligation of
// the authority's (the obligations list); §45 sets no period for the decision.

// GroundOwnerApplication is the recall ground of §45(2).
const GroundOwnerApplication = "owner_application"

// RecallApplication is the owner's application for the recall (§45(2)).
type RecallApplication struct {
	Reasons    []string  `json:"reasons,omitempty"`
	ReceivedAt time.Time `json:"receivedAt"`
}

// RecallApplicationInput is what the owner sends.
type RecallApplicationInput struct {
	Reasons []string `json:"reasons"`
}

// ApplyForRecall records the owner's application for the recall of its certificate in force
// (§45(2)); the authority decides it with Recall on owner_application. The same application again
// answers the first; a certificate already recalled is a rule problem.
func (s *Service) ApplyForRecall(ctx context.Context, actor identity.Actor, number string, in RecallApplicationInput, now time.Time) (Entry, error) {
	if err := applicantOnly(actor, "apply for the recall of a certificate"); err != nil {
		return Entry{}, err
	}
	reasons, problems := checkReasons(in.Reasons, maxReasons, "§45(2)")
	if len(problems) > 0 {
		return Entry{}, &attestation.SubmissionRefused{Problems: problems}
	}
	return s.change(ctx, actor, number, now, ownerOf, func(e *Entry, ed *policy.Edition) (string, string, error) {
		g := groundOf(ed, GroundOwnerApplication)
		if e.RecallApplication != nil {
			return "", "", nil
		}
		if e.Recall != nil {
			return "", "", apperr.Errorf(apperr.Rule, "", "%s: certificate %s was recalled at %s", g.Paragraph, e.Number, e.Recall.DecidedAt.Format(time.RFC3339))
		}
		if err := inForce(e, g.Paragraph, "its owner applies for its recall"); err != nil {
			return "", "", err
		}
		e.RecallApplication = &RecallApplication{Reasons: reasons, ReceivedAt: now.UTC()}
		return fmt.Sprintf("the owner applied for the recall of the certificate; the authority is to decide on %s", GroundOwnerApplication), g.Paragraph, nil
	})
}
