package httpapi

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"attestation/internal/apperr"
	"attestation/internal/audit"
	"attestation/internal/idempotency"
)

// IdempotencyKeyHeader is the request header that makes a filing, a step or a withdrawal safe to
// repeat (draft-ietf-httpapi-idempotency-key-header).
const IdempotencyKeyHeader = "Idempotency-Key"

// Idempotency is the Idempotency-Key protocol the handler runs creating and deciding requests
// under: idempotency.Protocol on the claims table.
type Idempotency interface {
	// Begin claims the request's key and says what the request is to do.
	Begin(ctx context.Context, r idempotency.Request) (idempotency.Attempt, error)
	// Finish keeps a claimed request's response for repeats, or releases its key; kept says
	// which, also when it failed.
	Finish(ctx context.Context, a idempotency.Attempt, resp idempotency.SavedResponse) (kept bool, err error)
}

var _ Idempotency = (*idempotency.Protocol)(nil)

// once runs a creating or deciding request at most once per caller and Idempotency-Key, as
// idempotency.Protocol describes: the same key with another request (route, path or body) is
// 422, an identical request while the first runs is 409 (retry shortly), and once the first
// answered with a success its response is replayed. A refusal or a failure releases the key.
func (h *Handler) once(ctx context.Context, log *slog.Logger, r *request, rt route, key string, rec *audit.Record) events.APIGatewayV2HTTPResponse {
	if !idempotency.ValidKey(key) {
		return problem(apperr.Invalid, "invalid Idempotency-Key",
			"Idempotency-Key: want 1 to 200 visible ASCII characters")
	}
	body, err := rawBody(r)
	if err != nil {
		return fromError(err)
	}
	path := r.RawPath
	if path == "" {
		path = r.RequestContext.HTTP.Path
	}
	a, err := h.idem.Begin(ctx, idempotency.Request{Subject: r.actor.Subject, Key: key, Route: r.RouteKey, Path: path,
		Body: body, Token: r.RequestContext.RequestID, Now: r.now})
	if err != nil {
		log.ErrorContext(ctx, "idempotency key not claimed", "error", err)
		return fromError(err)
	}
	log = log.With("idempotencyKey", key)
	switch a.State {
	case idempotency.Reused:
		log.InfoContext(ctx, "idempotency key reused with a different request")
		return problem(apperr.Unprocessable, "idempotency key reused with a different request",
			"this Idempotency-Key was used for another request (route, path or body); use a new key for a new request")
	case idempotency.InProgress:
		resp := problem(apperr.Conflict, "request in progress",
			"a request with this Idempotency-Key is still being processed; retry shortly")
		resp.Headers["Retry-After"] = "1"
		return resp
	case idempotency.Completed:
		log.InfoContext(ctx, "response replayed", "firstRequestId", a.Claim.Token)
		rec.Replayed = true
		return replay(*a.Claim.Response)
	}
	resp := h.run(ctx, log, r, rt)
	saved := idempotency.SavedResponse{Status: resp.StatusCode, ContentType: resp.Headers["Content-Type"], Body: resp.Body}
	if kept, err := h.idem.Finish(ctx, a, saved); err != nil {
		if kept {
			// The work is done and its answer stands; a repeat within the lease is told to wait,
			// after it the key is taken over.
			log.ErrorContext(ctx, "idempotency response not stored", "error", err)
		} else {
			log.ErrorContext(ctx, "idempotency key not released", "error", err)
		}
	}
	return resp
}

// replay answers with a stored first response.
func replay(s idempotency.SavedResponse) events.APIGatewayV2HTTPResponse {
	ct := s.ContentType
	if ct == "" {
		ct = "application/json"
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: s.Status, Body: s.Body,
		Headers: map[string]string{"Content-Type": ct, "Cache-Control": "no-store", "Idempotent-Replayed": "true"}}
}
