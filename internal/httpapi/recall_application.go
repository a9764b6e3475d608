package httpapi

import (
	"context"
	"net/http"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
	"attestation/internal/register"
)

// §45(2): the owner's application for the recall of its certificate, which the authority then
// decides (POST …/recall on owner_application).

// RecallApplicationService records the owner's application (register.Service.ApplyForRecall).
type RecallApplicationService interface {
	ApplyForRecall(ctx context.Context, actor identity.Actor, number string, in register.RecallApplicationInput, now time.Time) (register.Entry, error)
}

var _ RecallApplicationService = (*register.Service)(nil)

// recallApplicationRoutes is the owner's route of §45(2).
func (h *Handler) recallApplicationRoutes() map[string]route {
	return map[string]route{"POST /certificates/{year}/{seq}/recall-application": {roles: []identity.Role{identity.Applicant},
		handle: h.applyForRecall, idempotent: true}}
}

// applyForRecall: POST /certificates/{year}/{seq}/recall-application, the owner's applicants.
func (h *Handler) applyForRecall(ctx context.Context, r *request) (int, any, error) {
	return onCertificate(ctx, h, r, http.StatusOK, decode, func(svc RegisterService, number string, in register.RecallApplicationInput) (CertificateAction, error) {
		s, ok := svc.(RecallApplicationService)
		if !ok {
			return CertificateAction{}, apperr.Errorf(apperr.NotFound, "", "recall applications are not taken here")
		}
		return entryAction(s.ApplyForRecall(ctx, r.actor, number, in, r.now))
	})
}
