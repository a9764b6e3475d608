package httpapi

import (
	"context"
	"net/http"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// MethodologyService is what the API needs of the survey methodology (§20): *attestation.Service.
type MethodologyService interface {
	PublishMethodology(ctx context.Context, actor identity.Actor, in attestation.MethodologyInput, now time.Time) (attestation.Methodology, error)
	GetMethodology(ctx context.Context, version string) (attestation.Methodology, error)
	ListMethodologies(ctx context.Context) ([]attestation.Methodology, error)
}

var _ MethodologyService = (*attestation.Service)(nil)

// MethodologyPage lists the published versions of the survey methodology, newest first.
type MethodologyPage struct {
	Versions []attestation.Methodology `json:"versions"`
}

// methodologyRoutes are the routes of the survey methodology (§20): the authority publishes a
// version; the applicant, the authority and the STS read them.
func (h *Handler) methodologyRoutes() map[string]route {
	readers := []identity.Role{identity.Applicant, identity.Authority, identity.STS}
	return map[string]route{
		"POST /survey-methodology":          {roles: []identity.Role{identity.Authority}, handle: h.publishMethodology, idempotent: true},
		"GET /survey-methodology":           {roles: readers, handle: h.listMethodologies},
		"GET /survey-methodology/{version}": {roles: readers, handle: h.getMethodology},
	}
}

// errNoMethodology answers when the handler was built without the methodology service.
var errNoMethodology = apperr.Errorf(apperr.Unavailable, "", "the survey methodology is not served here")

func (h *Handler) publishMethodology(ctx context.Context, r *request) (int, any, error) {
	var in attestation.MethodologyInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if h.methodology == nil {
		return 0, nil, errNoMethodology
	}
	m, err := h.methodology.PublishMethodology(ctx, r.actor, in, r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, m, nil
}

func (h *Handler) listMethodologies(ctx context.Context, r *request) (int, any, error) {
	if h.methodology == nil {
		return 0, nil, errNoMethodology
	}
	list, err := h.methodology.ListMethodologies(ctx)
	if err != nil {
		return 0, nil, err
	}
	if list == nil {
		list = []attestation.Methodology{}
	}
	return http.StatusOK, MethodologyPage{Versions: list}, nil
}

func (h *Handler) getMethodology(ctx context.Context, r *request) (int, any, error) {
	if h.methodology == nil {
		return 0, nil, errNoMethodology
	}
	m, err := h.methodology.GetMethodology(ctx, r.PathParameters["version"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, m, nil
}
