// Package idempotency is the Idempotency-Key protocol (draft-ietf-httpapi-idempotency-key-header)
// of the API's creating and deciding requests: a caller's key is claimed before any work, so a
// repeated request runs at most once and is answered with the first response. The package holds
// the claim, its states, the store port and the protocol that decides what a request with a key
// does; the DynamoDB adapter lives in internal/dynamostore, the HTTP side in internal/httpapi.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// MaxKey is the longest key accepted.
const MaxKey = 200

// TTL is how long a key keeps its first response, from the first request's time.
const TTL = 24 * time.Hour

// Lease is how long a claimed key whose request has not finished keeps others out.
// It is longer than the API function's timeout (30 s in template.yaml): once it has passed, the
// first request can no longer be running, and an identical request may take the key over.
const Lease = 60 * time.Second

// ErrInvalidKey is returned by Protocol.Begin for a key that is not 1 to MaxKey visible ASCII
// characters.
var ErrInvalidKey = errors.New("invalid Idempotency-Key")

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

// Store keeps Idempotency-Key claims (DynamoDB in AWS).
type Store interface {
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

// ValidKey reports whether k is 1 to MaxKey visible ASCII characters.
func ValidKey(k string) bool {
	if len(k) == 0 || len(k) > MaxKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// Fingerprint identifies a request for its key: the route, the path (with the case ID) and the
// body, byte for byte.
func Fingerprint(routeKey, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(routeKey))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// State is what a request with a key is to do, once its claim is decided.
type State int

// The states of a request's claim.
const (
	// Claimed: the key is this request's (new, expired, or a dead claim of the same request taken
	// over after its lease); the request does the work, then Protocol.Finish.
	Claimed State = iota + 1
	// InProgress: the same request holds the key and has not answered yet; retry shortly.
	InProgress
	// Completed: the first request answered and its response is saved; replay it.
	Completed
	// Reused: the key holds another request (route, path or body); a new request needs a new key.
	Reused
)

// String names the state, for logs and test failures.
func (s State) String() string {
	switch s {
	case Claimed:
		return "claimed"
	case InProgress:
		return "in progress"
	case Completed:
		return "completed"
	case Reused:
		return "reused with a different request"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// decide is the protocol's one decision: what a request does with the key, given the claim it
// tried to store (mine), whether it stored it, and otherwise the claim that holds the key. Another
// request is told so before anything else, so a different body never sees the first response.
func decide(mine, held Claim, claimed bool) State {
	switch {
	case claimed:
		return Claimed
	case held.Fingerprint != mine.Fingerprint:
		return Reused
	case held.Response == nil:
		return InProgress
	default:
		return Completed
	}
}

// Request is one request that carries an Idempotency-Key.
type Request struct {
	Subject string    // the caller (the token's sub): keys are per caller
	Key     string    // the Idempotency-Key
	Route   string    // the route key ("POST /drafts")
	Path    string    // the path as called, with its IDs
	Body    []byte    // the body as received (decoded from base64)
	Token   string    // the request ID
	Now     time.Time // the request's time, never the wall clock
}

// Attempt is a request's claim on its key and what it is to do.
type Attempt struct {
	State State
	// Claim is, when Claimed, the claim this request now holds; otherwise the claim that holds
	// the key: its Token is the first request's ID and, when Completed, its Response the one to
	// replay.
	Claim Claim
}

// Protocol runs creating and deciding requests at most once per caller and Idempotency-Key, on
// a Store.
//
// The key is claimed with a conditional write before any work, so of two identical requests
// running at once exactly one does the work: the other is told InProgress while the first runs,
// and Completed, with the first's response, once it is stored. The same key with another request
// (route, path or body) is Reused. The response is kept only when the work succeeded (2xx): that
// is when the request had an effect a repeat must not have twice. A refusal (4xx: the rules or
// the case's state refused it, nothing was written) or a failure (5xx, answered "safe to retry")
// releases the key, so a retry with it runs again; the domain itself makes a repeated step or
// withdrawal return the first result. A claim whose request died (the function timed out) is
// held for Lease, then an identical request may take it over.
type Protocol struct {
	store Store
}

// New returns the protocol on store.
func New(store Store) *Protocol {
	return &Protocol{store: store}
}

// Begin claims r's key for r and says what r is to do. The store's errors are returned as the
// store wrapped them (they name the claim), so their kinds reach the caller unchanged.
func (p *Protocol) Begin(ctx context.Context, r Request) (Attempt, error) {
	if !ValidKey(r.Key) {
		return Attempt{}, fmt.Errorf("claim idempotency key of %s: %w", r.Subject, ErrInvalidKey)
	}
	mine := Claim{Subject: r.Subject, Key: r.Key, Fingerprint: Fingerprint(r.Route, r.Path, r.Body),
		Token: r.Token, ClaimedAt: r.Now, LockedUntil: r.Now.Add(Lease), ExpiresAt: r.Now.Add(TTL)}
	held, claimed, err := p.store.Claim(ctx, mine, r.Now)
	if err != nil {
		return Attempt{}, err
	}
	st := decide(mine, held, claimed)
	if st == Claimed {
		return Attempt{State: st, Claim: mine}, nil
	}
	return Attempt{State: st, Claim: held}, nil
}

// Keeps reports whether a response with status is kept for repeats: only a success (2xx).
func Keeps(status int) bool { return status >= 200 && status < 300 }

// Finish ends a Claimed attempt with the response its request got: the response is stored on the
// claim when Keeps(resp.Status), otherwise the key is released so a retry runs again. It reports
// which of the two it did (kept), also when that failed: the work is done and its answer stands,
// so the caller only logs the error (an unstored response makes repeats wait out the lease, then
// take the key over).
func (p *Protocol) Finish(ctx context.Context, a Attempt, resp SavedResponse) (kept bool, err error) {
	c := a.Claim
	if a.State != Claimed {
		return false, fmt.Errorf("finish idempotency key of %s: the attempt is %s, not claimed", c.Subject, a.State)
	}
	if Keeps(resp.Status) {
		return true, p.store.Complete(ctx, c.Subject, c.Key, c.Token, resp)
	}
	return false, p.store.Release(ctx, c.Subject, c.Key, c.Token)
}
