package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"attestation/internal/apperr"
	"attestation/internal/audit"
)

// IdempotencyKeyHeader is the request header that makes a filing, a step or a withdrawal safe to
// repeat (draft-ietf-httpapi-idempotency-key-header).
const IdempotencyKeyHeader = "Idempotency-Key"

// MaxIdempotencyKey is the longest key accepted.
const MaxIdempotencyKey = 200

// IdempotencyTTL is how long a key keeps its first response, from the first request's time.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyLease is how long a claimed key whose request has not finished keeps others out.
// It is longer than the API function's timeout (30 s in template.yaml): once it has passed, the
// first request can no longer be running, and an identical request may take the key over.
const IdempotencyLease = 60 * time.Second

// Claim is a caller's use of one Idempotency-Key: held while its request runs, and then keeping
// the response the request got.
type Claim struct {
	Subject     string    // the caller (the token's sub)
	Key         string    // the Idempotency-Key
	Fingerprint string    // hex SHA-256 of the route, the path and the body of the request
	Token       string    // the request ID of the request that holds the claim
	ClaimedAt   time.Time // the request's time
	LockedUntil time.Time // while no response is stored, the claim is held until then
	ExpiresAt   time.Time // the end of the record (the table's TTL)
	Response    *SavedResponse
}

// SavedResponse is the first response to a key, replayed to repeats.
type SavedResponse struct {
	Status      int
	ContentType string
	Body        string
}

// IdempotencyStore keeps Idempotency-Key claims (DynamoDB in AWS).
type IdempotencyStore interface {
	// Claim stores c, with one conditional write, unless a live claim holds c's subject and key.
	// It returns (c, true) when it stored c, or (the claim that holds the key, false). A claim is
	// live until its ExpiresAt; one without a response only until its LockedUntil, and then only
	// for a request with another fingerprint. now is the request's time.
	Claim(ctx context.Context, c Claim, now time.Time) (Claim, bool, error)
	// Complete stores resp on the claim, if token still holds it.
	Complete(ctx context.Context, subject, key, token string, resp SavedResponse) error
	// Release removes the claim, if token still holds it.
	Release(ctx context.Context, subject, key, token string) error
}

// validKey: 1 to 200 visible ASCII characters.
func validKey(k string) bool {
	if len(k) == 0 || len(k) > MaxIdempotencyKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// fingerprint identifies a request for its key: the route, the path (with the case ID) and the
// body, byte for byte.
func fingerprint(routeKey, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(routeKey))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// once runs a creating or deciding request at most once per caller and Idempotency-Key.
//
// The key is claimed with a conditional write before any work, so of two identical requests
// running at once exactly one does the work: the other is answered 409 while the first runs, and
// the first's response once it is stored. The same key with another request (route, path or
// body) is 422. The response is kept only when the work succeeded (2xx): that is when the
// request had an effect a repeat must not have twice. A refusal (4xx: the rules or the case's
// state refused it, nothing was written) or a failure (5xx, answered "safe to retry") releases
// the key, so a retry with it runs again; the domain itself makes a repeated step or withdrawal
// return the first result. A claim whose request died (the function timed out) is held for
// IdempotencyLease, then an identical request may take it over.
func (h *Handler) once(ctx context.Context, log *slog.Logger, r *request, rt route, key string, rec *audit.Record) events.APIGatewayV2HTTPResponse {
	if !validKey(key) {
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
	c := Claim{Subject: r.actor.Subject, Key: key, Fingerprint: fingerprint(r.RouteKey, path, body),
		Token: r.RequestContext.RequestID, ClaimedAt: r.now, LockedUntil: r.now.Add(IdempotencyLease),
		ExpiresAt: r.now.Add(IdempotencyTTL)}
	held, claimed, err := h.idem.Claim(ctx, c, r.now)
	if err != nil {
		log.ErrorContext(ctx, "idempotency key not claimed", "error", err)
		return fromError(err)
	}
	log = log.With("idempotencyKey", key)
	if !claimed {
		switch {
		case held.Fingerprint != c.Fingerprint:
			log.InfoContext(ctx, "idempotency key reused with a different request")
			return problem(apperr.Unprocessable, "idempotency key reused with a different request",
				"this Idempotency-Key was used for another request (route, path or body); use a new key for a new request")
		case held.Response == nil:
			resp := problem(apperr.Conflict, "request in progress",
				"a request with this Idempotency-Key is still being processed; retry shortly")
			resp.Headers["Retry-After"] = "1"
			return resp
		default:
			log.InfoContext(ctx, "response replayed", "firstRequestId", held.Token)
			rec.Replayed = true
			return replay(*held.Response)
		}
	}
	resp := h.run(ctx, log, r, rt)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		saved := SavedResponse{Status: resp.StatusCode, ContentType: resp.Headers["Content-Type"], Body: resp.Body}
		if err := h.idem.Complete(ctx, c.Subject, key, c.Token, saved); err != nil {
			// The work is done and its answer stands; a repeat within the lease is told to wait,
			// after it the key is taken over.
			log.ErrorContext(ctx, "idempotency response not stored", "error", err)
		}
		return resp
	}
	if err := h.idem.Release(ctx, c.Subject, key, c.Token); err != nil {
		log.ErrorContext(ctx, "idempotency key not released", "error", err)
	}
	return resp
}

// replay answers with a stored first response.
func replay(s SavedResponse) events.APIGatewayV2HTTPResponse {
	ct := s.ContentType
	if ct == "" {
		ct = "application/json"
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: s.Status, Body: s.Body,
		Headers: map[string]string{"Content-Type": ct, "Cache-Control": "no-store", "Idempotent-Replayed": "true"}}
}
