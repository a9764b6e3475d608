package register

import (
	"context"
	"fmt"
	"slices"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// §48: the owner's notice of loss or damage and the duplicate the authority issues for it.

// The reasons of a notice of loss or damage (§48: "loss, deterioration or damage").
const (
	DuplicateLost    = "lost"
	DuplicateDamaged = "damaged"
)

// DuplicateInput is the owner's notice of loss or damage (§48).
type DuplicateInput struct {
	Reason string `json:"reason"` // lost | damaged
}

// RequestDuplicate records the owner's notice of loss or damage; the authority issues a
// duplicate within 5 working days of the office's receipt (§48). One request is pending at a
// time: the same again answers it, another reason is ErrConflict.
func (s *Service) RequestDuplicate(ctx context.Context, actor identity.Actor, number string, in DuplicateInput, now time.Time) (Entry, DuplicateRequest, error) {
	if err := applicantOnly(actor, "ask for a duplicate"); err != nil {
		return Entry{}, DuplicateRequest{}, err
	}
	if in.Reason != DuplicateLost && in.Reason != DuplicateDamaged {
		return Entry{}, DuplicateRequest{}, refused("reason", "§48", fmt.Sprintf("%q: want %s or %s", in.Reason, DuplicateLost, DuplicateDamaged))
	}
	var req DuplicateRequest
	e, err := s.change(ctx, actor, number, now, ownerOf, func(e *Entry, ed *policy.Edition) (string, string, error) {
		paragraph := periodParagraph(ed, policy.StepDuplicate, "§48")
		for _, d := range e.Duplicates {
			if d.IssuedAt == nil {
				req = d
				if d.Reason == in.Reason {
					return "", "", nil
				}
				return "", "", apperr.Errorf(apperr.Conflict, "", "%s: duplicate request %s (%s) is pending", paragraph, d.ID, d.Reason)
			}
		}
		if err := inForce(e, paragraph, "a duplicate is issued"); err != nil {
			return "", "", err
		}
		if len(e.Duplicates) >= MaxDuplicates {
			return "", "", refused("duplicates", paragraph, fmt.Sprintf("a certificate holds at most %d requests for a duplicate; this one holds %d", MaxDuplicates, len(e.Duplicates)))
		}
		due, err := ed.Due(s.cal, policy.StepDuplicate, now)
		if err != nil {
			return "", "", fmt.Errorf("due moment of the duplicate: %w", err)
		}
		req = DuplicateRequest{ID: fmt.Sprintf("d%d", len(e.Duplicates)+1), Reason: in.Reason, ReceivedAt: due.From.UTC(), DueAt: due.At.UTC()}
		e.Duplicates = append(e.Duplicates, req)
		return fmt.Sprintf("the owner notified the certificate %s (%s); the authority issues a duplicate by %s", in.Reason, req.ID, req.DueAt.Format(time.RFC3339)),
			due.Paragraph, nil
	})
	if err != nil {
		return Entry{}, DuplicateRequest{}, err
	}
	return e, req, nil
}

// IssueDuplicate issues the duplicate a request asked for (§48): the Duplicator makes it, the
// entry pins it. A repeat answers the duplicate issued.
func (s *Service) IssueDuplicate(ctx context.Context, actor identity.Actor, number, requestID string, now time.Time) (Entry, DuplicateRequest, error) {
	if err := authorityOnly(actor, "issue a duplicate"); err != nil {
		return Entry{}, DuplicateRequest{}, err
	}
	if !wellFormedID(requestID, 'd') {
		return Entry{}, DuplicateRequest{}, fmt.Errorf("duplicate request %q: %w", requestID, ErrDuplicateNotFound)
	}
	var req DuplicateRequest
	e, err := s.change(ctx, actor, number, now, anyCertificate, func(e *Entry, ed *policy.Edition) (string, string, error) {
		i := slices.IndexFunc(e.Duplicates, func(d DuplicateRequest) bool { return d.ID == requestID })
		if i < 0 {
			return "", "", fmt.Errorf("duplicate request %s of certificate %s: %w", requestID, e.Number, ErrDuplicateNotFound)
		}
		d := &e.Duplicates[i]
		if d.IssuedAt != nil {
			req = *d
			return "", "", nil
		}
		paragraph := periodParagraph(ed, policy.StepDuplicate, "§48")
		if err := inForce(e, paragraph, "a duplicate is issued"); err != nil {
			return "", "", err
		}
		doc, err := s.duplicator.Duplicate(ctx, *e, *d, now.UTC())
		if err != nil {
			return "", "", fmt.Errorf("make the duplicate of %s: %w", e.Number, err)
		}
		at := now.UTC()
		d.IssuedAt, d.Document = &at, &doc
		req = *d
		what := fmt.Sprintf("the authority issued a duplicate (%s)", d.ID)
		if d.Overdue || now.After(d.DueAt) {
			what += fmt.Sprintf(" (after its due moment %s)", d.DueAt.Format(time.RFC3339))
		}
		return what, paragraph, nil
	})
	if err != nil {
		return Entry{}, DuplicateRequest{}, err
	}
	return e, req, nil
}
