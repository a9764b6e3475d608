package httpapi

import (
	"context"
	"net/http"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
)

// The status look-up by receipt number (standard §13), public: the stage and the next due moment
// only. The route's own throttling bounds the calls (template.yaml: the event's RouteSettings, below the
// default route's); the numbers cannot be guessed.

// StatusService answers the look-up (attestation.Service.Status).
type StatusService interface {
	Status(ctx context.Context, receiptNumber string, now time.Time) (attestation.PublicStatus, error)
}

var _ StatusService = (*attestation.Service)(nil)

// statusRoutes is the public status look-up.
func (h *Handler) statusRoutes() map[string]route {
	return map[string]route{"GET /status/{caseId}": {roles: nil, handle: h.status}}
}

// status: GET /status/{caseId}, public.
func (h *Handler) status(ctx context.Context, r *request) (int, any, error) {
	s, ok := h.svc.(StatusService)
	if !ok {
		return 0, nil, apperr.Errorf(apperr.NotFound, "receipt", "no application has this receipt number")
	}
	st, err := s.Status(ctx, r.PathParameters["caseId"], r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, st, nil
}
