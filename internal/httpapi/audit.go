package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"attestation/internal/apperr"
	"attestation/internal/audit"
	"attestation/internal/identity"
)

// newRecord starts the call record of a request with what API Gateway says of it: the request's
// time (timeEpoch, never the wall clock), its ID, the source address, the route and the path.
func newRecord(ev events.APIGatewayV2HTTPRequest) audit.Record {
	rc := ev.RequestContext
	path := ev.RawPath
	if path == "" {
		path = rc.HTTP.Path
	}
	routeKey := ev.RouteKey
	if routeKey == "" {
		routeKey = rc.RouteKey
	}
	return audit.Record{
		Time: time.UnixMilli(rc.TimeEpoch).UTC(), RequestID: rc.RequestID,
		SourceIP: rc.HTTP.SourceIP, UserAgent: rc.HTTP.UserAgent,
		RouteKey: routeKey, Path: path, CaseID: ev.PathParameters["caseId"],
		Operation: operation(rc.HTTP.Method, routeKey, path), Origin: audit.OriginAPI,
	}
}

// operation is the method and the route ("POST /cases/{caseId}/step"), or the method and the
// path when no route matched.
func operation(method, routeKey, path string) string {
	if m, p, ok := strings.Cut(routeKey, " "); ok && strings.HasPrefix(p, "/") {
		return m + " " + p
	}
	if method == "" {
		method = "-"
	}
	return method + " " + path
}

// fromClaims puts the caller the authorizer vouched for on the record, before the claims are
// judged: a token refused for its content is recorded with the person who carried it.
func fromClaims(rec *audit.Record, claims map[string]string) {
	rec.User = strings.TrimSpace(claims[identity.ClaimSubject])
	rec.System = claims["client_id"] // an access token of a calling system
	if rec.System == "" {
		rec.System = claims["aud"] // an ID token: the app client the person signed in through
	}
	rec.Role = strings.Join(identity.Groups(claims[identity.ClaimGroups]), " ")
	rec.Organization = strings.TrimSpace(claims[identity.ClaimBIN])
}

// reasonOf is the short reason of a refusal: the problem's detail, or its title. A 5xx body
// never holds internal error text, so neither does the record.
func reasonOf(resp events.APIGatewayV2HTTPResponse) string {
	var p Problem
	if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
		return http.StatusText(resp.StatusCode)
	}
	if p.Detail != "" {
		return audit.ShortReason(p.Detail)
	}
	if p.Title != "" {
		return audit.ShortReason(p.Title)
	}
	return http.StatusText(resp.StatusCode)
}

// createdCaseID is the ID of the case a filing created (its response body), so that the filing
// is found among the case's calls.
func createdCaseID(body string) string {
	var v struct {
		ID string `json:"id"`
	}
	if json.Unmarshal([]byte(body), &v) != nil {
		return ""
	}
	return v.ID
}

// auditByCase: GET /audit/cases/{caseId}, the calls that addressed a case (staff only).
func (h *Handler) auditByCase(ctx context.Context, r *request) (int, any, error) {
	limit, cursor, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	page, err := h.calls.ByCase(ctx, r.PathParameters["caseId"], limit, cursor)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pageView(page), nil
}

// auditByDay: GET /audit/days/{day}, the calls of a UTC day (staff only).
func (h *Handler) auditByDay(ctx context.Context, r *request) (int, any, error) {
	day, err := audit.ParseDay(r.PathParameters["day"])
	if err != nil {
		return 0, nil, badRequest(apperr.Invalid, err.Error())
	}
	limit, cursor, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	page, err := h.calls.ByDay(ctx, day, limit, cursor)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, pageView(page), nil
}

// pageParams reads ?limit= (capped at audit.MaxLimit) and ?cursor=.
func pageParams(r *request) (int, string, error) {
	limit, err := audit.ParseLimit(r.QueryStringParameters["limit"])
	if err != nil {
		return 0, "", badRequest(apperr.Invalid, err.Error())
	}
	cursor := r.QueryStringParameters["cursor"]
	if len(cursor) > 2048 {
		return 0, "", badRequest(apperr.Invalid, "cursor: too long")
	}
	return limit, cursor, nil
}

// pageView always shows a list, empty or not.
func pageView(p audit.Page) audit.Page {
	if p.Records == nil {
		p.Records = []audit.Record{}
	}
	return p
}

// header is a request header by name; API Gateway's payload v2 lower-cases header names.
func header(h map[string]string, name string) (string, bool) {
	if v, ok := h[strings.ToLower(name)]; ok {
		return v, true
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}
