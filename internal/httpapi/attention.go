package httpapi

import (
	"context"
	"net/http"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// The authority's hand-back of a case that needs attention (a task kept failing; the execution
// waits in the task's attention state): resume it once the cause is fixed, or close it as
// unrecoverable. Both are written on the case before the engine is told, so a repeat changes
// nothing, and a case that does not need attention is a 409 problem.

// AttentionService is what the hand-back routes need of the attestation service
// (*attestation.Service, through Deps.Cases).
type AttentionService interface {
	ResumeAfterAttention(ctx context.Context, actor identity.Actor, caseID string, reasons []string, now time.Time) (attestation.Case, error)
	CloseUnrecoverable(ctx context.Context, actor identity.Actor, caseID string, reasons []string, now time.Time) (attestation.Case, error)
}

var _ AttentionService = (*attestation.Service)(nil)

// HandbackRequest is the body of both routes: the authority's reasons (required to close; at most
// 50, each at most 4,000 bytes).
type HandbackRequest struct {
	Reasons []string `json:"reasons,omitempty"`
}

// HandbackView is the answer: the case's stage after the hand-back and what was done.
type HandbackView struct {
	CaseID  string            `json:"caseId"`
	Stage   attestation.Stage `json:"stage"`
	Outcome string            `json:"outcome"`        // resume or close
	Task    string            `json:"task,omitempty"` // the task that runs again (resume)
	Reasons []string          `json:"reasons,omitempty"`
	At      time.Time         `json:"at"`
	// Delivered: the waiting execution took it; false when no execution waited any more (the
	// case waits on the workflow, and the deadline check finds an ended execution).
	Delivered bool `json:"delivered"`
}

func (h *Handler) attentionRoutes() map[string]route {
	authority := []identity.Role{identity.Authority}
	return map[string]route{
		"POST /cases/{caseId}/attention/resume": {roles: authority, handle: h.resumeAfterAttention, idempotent: true},
		"POST /cases/{caseId}/attention/close":  {roles: authority, handle: h.closeUnrecoverable, idempotent: true},
	}
}

func (h *Handler) resumeAfterAttention(ctx context.Context, r *request) (int, any, error) {
	return h.handBack(ctx, r, AttentionService.ResumeAfterAttention)
}

func (h *Handler) closeUnrecoverable(ctx context.Context, r *request) (int, any, error) {
	return h.handBack(ctx, r, AttentionService.CloseUnrecoverable)
}

func (h *Handler) handBack(ctx context.Context, r *request,
	act func(AttentionService, context.Context, identity.Actor, string, []string, time.Time) (attestation.Case, error)) (int, any, error) {
	var in HandbackRequest
	if r.Body != "" {
		if err := decode(r, &in); err != nil {
			return 0, nil, err
		}
	}
	svc, ok := h.svc.(AttentionService)
	if !ok {
		return 0, nil, apperr.Hidden(apperr.Internal, "", "the case service cannot hand a case back")
	}
	c, err := act(svc, ctx, r.actor, r.PathParameters["caseId"], in.Reasons, r.now)
	if err != nil {
		return 0, nil, err
	}
	v := HandbackView{CaseID: c.ID, Stage: c.Stage}
	if a := c.Attention; a != nil && a.Handback != nil {
		v.Outcome, v.Reasons, v.At = a.Handback.Outcome, a.Handback.Reasons, a.Handback.At
		v.Delivered = a.Handback.Callback == attestation.CallbackSent
		if v.Outcome == attestation.HandbackResume {
			v.Task = a.Task
		}
	}
	return http.StatusOK, v, nil
}
