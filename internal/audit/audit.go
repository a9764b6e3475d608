// Package audit is the automated accounting of every call to the system (seed 003 §8): for each
// call its date and time, the user or the calling system, the source IP address, the part of the
// system addressed, the operation and its outcome. A record is written once and never changed or
// deleted. The package holds the record and the ports the API needs; the DynamoDB adapter lives in
// internal/dynamostore.
package audit

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// DayLayout is how a day is written in the API and in keys (a UTC day).
const DayLayout = "2006-01-02"

// Limits of a page of records.
const (
	DefaultLimit = 50
	MaxLimit     = 100
)

// Who wrote a record.
const (
	OriginAPI     = "api"     // the API function, for every request it received
	OriginGateway = "gateway" // the API gateway, for calls it answered itself (a token its authorizer refused, no route)
)

// ErrBadCursor is returned by a Reader for a cursor it did not issue for that query.
var ErrBadCursor = apperr.ErrBadCursor

// ErrInvalid is returned by a Recorder for a record that cannot be stored (no request ID).
var ErrInvalid = errors.New("invalid call record")

// Record is one call (seed 003 §8): 1) date and time, 2) the user or the calling system, 3) the
// source IP address, 4) the part of the resource addressed, 5) the operation and other service
// information (outcome, refusal reason).
type Record struct {
	Time         time.Time `json:"time"`                   // the request's time (API Gateway's timeEpoch), never the wall clock
	RequestID    string    `json:"requestId"`              // API Gateway's request ID; one record per ID
	User         string    `json:"user,omitempty"`         // the person (the token's sub)
	System       string    `json:"system,omitempty"`       // the calling system (the token's client_id, or aud of an ID token)
	Role         string    `json:"role,omitempty"`         // the caller's role, as the token names it
	Organization string    `json:"organization,omitempty"` // the applicant's BIN/IIN, stored as is; masked in logs
	SourceIP     string    `json:"sourceIp,omitempty"`
	UserAgent    string    `json:"userAgent,omitempty"`
	RouteKey     string    `json:"routeKey"`         // API Gateway's route key ("-" when no route matched)
	Path         string    `json:"path"`             // the resource: the path called
	CaseID       string    `json:"caseId,omitempty"` // the case the call addressed (or created)
	Operation    string    `json:"operation"`        // method and route ("POST /cases/{caseId}/step")
	Status       int       `json:"status"`           // the HTTP status answered
	Reason       string    `json:"reason,omitempty"` // why a call was refused (status 4xx/5xx), short
	Replayed     bool      `json:"replayed,omitempty"`
	Origin       string    `json:"origin"` // OriginAPI or OriginGateway
}

// Day is the UTC day the record is filed under.
func (r Record) Day() string { return r.Time.UTC().Format(DayLayout) }

// LogValue makes a record safe to log: the organisation number is masked.
func (r Record) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.Time("time", r.Time), slog.String("requestId", r.RequestID), slog.String("user", r.User),
		slog.String("system", r.System), slog.String("role", r.Role), slog.String("sourceIp", r.SourceIP),
		slog.String("routeKey", r.RouteKey), slog.String("path", r.Path), slog.String("operation", r.Operation),
		slog.Int("status", r.Status), slog.String("origin", r.Origin),
	}
	if r.Organization != "" {
		attrs = append(attrs, slog.String("organization", identity.Mask(r.Organization)))
	}
	if r.CaseID != "" {
		attrs = append(attrs, slog.String("caseId", r.CaseID))
	}
	if r.Reason != "" {
		attrs = append(attrs, slog.String("reason", r.Reason))
	}
	if r.Replayed {
		attrs = append(attrs, slog.Bool("replayed", true))
	}
	return slog.GroupValue(attrs...)
}

// MaxReason is the longest reason kept on a record.
const MaxReason = 300

// ShortReason trims a refusal's reason to MaxReason bytes (at a rune boundary).
func ShortReason(s string) string {
	if len(s) <= MaxReason {
		return s
	}
	cut := MaxReason
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// Page is one page of records, oldest first, and the cursor of the next page ("" at the end).
type Page struct {
	Records []Record `json:"records"`
	Cursor  string   `json:"cursor,omitempty"`
}

// Recorder stores call records. Storing a record whose request ID is already stored is not an
// error and changes nothing.
type Recorder interface {
	Record(ctx context.Context, r Record) error
}

// Reader reads call records, a page at a time; cursor is "" for the first page, then the Page's
// Cursor. A cursor not issued for the same query is ErrBadCursor.
type Reader interface {
	// ByCase returns the calls that addressed a case, in time order.
	ByCase(ctx context.Context, caseID string, limit int, cursor string) (Page, error)
	// ByDay returns the calls of a UTC day (DayLayout), in time order.
	ByDay(ctx context.Context, day string, limit int, cursor string) (Page, error)
}

// Store records calls and reads them back.
type Store interface {
	Recorder
	Reader
}

// Limit clamps a requested page size: 0 or less is DefaultLimit, more than MaxLimit is MaxLimit.
func Limit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// ParseLimit reads a limit query parameter ("" is DefaultLimit); it must be a positive integer.
func ParseLimit(s string) (int, error) {
	if s == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, errors.New("limit: want a positive integer")
	}
	return Limit(n), nil
}

// ParseDay checks a day written as DayLayout.
func ParseDay(s string) (string, error) {
	t, err := time.Parse(DayLayout, s)
	if err != nil || t.Format(DayLayout) != s {
		return "", errors.New("day: want YYYY-MM-DD")
	}
	return s, nil
}
