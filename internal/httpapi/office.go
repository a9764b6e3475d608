package httpapi

import (
	"context"
	"net/http"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// The routes of the Committee's office (issue 17, standard §3, §4(2)-(3), §8, §9): a paper filing
// is started for an organisation, its package entered and its scans uploaded through the draft
// routes (open to the office for its paper filings), filed with the receipt mark, and the results
// handed over on paper are recorded. Only the office's role reaches them.

// OfficeService is what the API needs of the office's paper channel (*attestation.Service).
type OfficeService interface {
	CreatePaperFiling(ctx context.Context, actor identity.Actor, in attestation.PaperFilingRequest, now time.Time) (attestation.Draft, error)
	ReceivePaperFiling(ctx context.Context, actor identity.Actor, draftID string, now time.Time) (attestation.Case, error)
	RecordHandOver(ctx context.Context, actor identity.Actor, caseID string, in attestation.HandOverRequest, now time.Time) (attestation.HandOver, error)
}

var _ OfficeService = (*attestation.Service)(nil)

func (h *Handler) officeRoutes() map[string]route {
	office := []identity.Role{identity.Office}
	return map[string]route{
		"POST /office/filings":                   {roles: office, handle: h.createPaperFiling, idempotent: true},
		"POST /office/filings/{draftId}/receipt": {roles: office, handle: h.receivePaperFiling, idempotent: true},
		"POST /office/cases/{caseId}/handovers":  {roles: office, handle: h.recordHandOver, idempotent: true},
	}
}

// createPaperFiling starts a paper filing: its service starts now (standard §4(3)).
func (h *Handler) createPaperFiling(ctx context.Context, r *request) (int, any, error) {
	var in attestation.PaperFilingRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	d, err := h.files().CreatePaperFiling(ctx, r.actor, in, r.now)
	if err != nil {
		return 0, nil, err
	}
	return h.checked(r, d, http.StatusCreated)
}

// receivePaperFiling files a paper filing with the receipt mark (standard §9).
func (h *Handler) receivePaperFiling(ctx context.Context, r *request) (int, any, error) {
	if err := noBody(r); err != nil {
		return 0, nil, err
	}
	c, err := h.files().ReceivePaperFiling(ctx, r.actor, r.PathParameters["draftId"], r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, caseView(c, nil), nil
}

// recordHandOver records a result handed over on paper: who received it, when.
func (h *Handler) recordHandOver(ctx context.Context, r *request) (int, any, error) {
	var in attestation.HandOverRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	ho, err := h.files().RecordHandOver(ctx, r.actor, r.PathParameters["caseId"], in, r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, ho, nil
}
