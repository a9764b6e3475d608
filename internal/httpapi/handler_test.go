package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"attestation/internal/apperr"
	"attestation/internal/audit"
	"attestation/internal/idempotency"
	"attestation/internal/notice"
	"attestation/internal/policy"
)

// requestTime is the requests' timeEpoch: Thursday 2026-10-15 10:00 in Almaty.
var requestTime = time.Date(2026, 10, 15, 5, 0, 0, 0, time.UTC)

const bin = "120540001238"

var (
	applicantClaims = map[string]string{"sub": "u-applicant", "cognito:groups": "[applicant]", "custom:bin": bin, "aud": "attestation-web"}
	authorityClaims = map[string]string{"sub": "u-authority", "cognito:groups": "[authority]", "aud": "attestation-web"}
	stsClaims       = map[string]string{"sub": "u-sts", "cognito:groups": "[sts]", "client_id": "sts-registry"}
)

type env struct {
	h      *Handler
	deps   Deps // what h was built on
	svc    *fakeService
	calls  *memCalls
	claims *memClaims
	logs   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newEnv() *env {
	e := &env{svc: &fakeService{}, calls: newMemCalls(), claims: newMemClaims(), logs: &syncBuffer{}}
	numbering, err := policy.Load("rules-2016-amended-2018")
	if err != nil {
		panic(err)
	}
	e.deps = Deps{Cases: e.svc, Calls: e.calls, Claims: idempotency.New(e.claims), Log: slog.New(slog.NewJSONHandler(e.logs, nil)),
		Objects: unusedObjects{}, Complaints: unusedComplaints{}, Oversight: unusedOversight{}, Register: unusedRegister{},
		RegisterPublic: unusedRegisterPublic{}, Numbering: numbering, Notices: notice.NewCabinet(newMemNotices()),
		Contacts: notice.NewContactService(newMemContacts()), Archive: unusedArchive{}, Statistics: unusedStatistics{}}
	e.rebuild(func(*Deps) {})
	return e
}

// rebuild builds the env's handler again on its services as edit changes them.
func (e *env) rebuild(edit func(*Deps)) {
	edit(&e.deps)
	h, err := New(e.deps)
	if err != nil {
		panic(err)
	}
	e.h = h
}

// The services of the families of routes a test does not call: any call panics.
type (
	unusedObjects        struct{ ObjectService }
	unusedComplaints     struct{ ComplaintService }
	unusedOversight      struct{ OversightService }
	unusedRegister       struct{ RegisterService }
	unusedRegisterPublic struct{ RegisterPublicService }
	unusedArchive        struct{ ArchiveService }
	unusedStatistics     struct{ StatisticsService }
)

// TestNewNamesAMissingService: the handler is built whole or not at all (it replaces the 503 a
// family of routes answered when the handler was built without its service).
func TestNewNamesAMissingService(t *testing.T) {
	whole := newEnv().deps
	for name, drop := range map[string]func(*Deps){
		"Cases": func(d *Deps) { d.Cases = nil }, "Calls": func(d *Deps) { d.Calls = nil }, "Claims": func(d *Deps) { d.Claims = nil },
		"Log": func(d *Deps) { d.Log = nil }, "Objects": func(d *Deps) { d.Objects = nil }, "Complaints": func(d *Deps) { d.Complaints = nil },
		"Oversight": func(d *Deps) { d.Oversight = nil }, "Register": func(d *Deps) { d.Register = nil },
		"RegisterPublic": func(d *Deps) { d.RegisterPublic = nil }, "Numbering": func(d *Deps) { d.Numbering = nil },
		"Notices": func(d *Deps) { d.Notices = nil }, "Contacts": func(d *Deps) { d.Contacts = nil },
		"Archive": func(d *Deps) { d.Archive = nil }, "Statistics": func(d *Deps) { d.Statistics = nil },
	} {
		t.Run("without "+name, func(t *testing.T) {
			d := whole
			drop(&d)
			if _, err := New(d); err == nil || !strings.Contains(err.Error(), name+" is required") {
				t.Fatalf("err = %v, want it to name %s", err, name)
			}
		})
	}
}

var requestSeq atomic.Int64

// req is an API Gateway payload-v2 event for routeKey on path, as the authorizer passes it.
type req struct {
	routeKey, path string
	params         map[string]string
	claims         map[string]string
	body           string
	headers        map[string]string
	query          map[string]string
	at             time.Time
}

func (r req) event() events.APIGatewayV2HTTPRequest {
	method, _, _ := strings.Cut(r.routeKey, " ")
	at := r.at
	if at.IsZero() {
		at = requestTime
	}
	ev := events.APIGatewayV2HTTPRequest{RouteKey: r.routeKey, RawPath: r.path, Body: r.body, PathParameters: r.params,
		Headers: map[string]string{"content-type": "application/json"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{RouteKey: r.routeKey,
			RequestID: fmt.Sprintf("req-%d", requestSeq.Add(1)), TimeEpoch: at.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: r.path, SourceIP: "203.0.113.9", UserAgent: "test"}}}
	for k, v := range r.headers {
		ev.Headers[strings.ToLower(k)] = v
	}
	if len(r.query) > 0 {
		ev.QueryStringParameters = r.query
	}
	if r.claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: r.claims}}
	}
	return ev
}

func (e *env) do(t *testing.T, r req) (events.APIGatewayV2HTTPResponse, events.APIGatewayV2HTTPRequest) {
	t.Helper()
	ev := r.event()
	resp, err := e.h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatalf("%s: handler error %v", r.routeKey, err)
	}
	checkResponse(t, ev, resp)
	return resp, ev
}

func validPackage(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("../attestation/testdata/packages/valid.json")
	if err != nil {
		t.Fatal(err)
	}
	// A draft is created without documents: they come by upload.
	var pkg map[string]any
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	delete(pkg, "documents")
	out, err := json.Marshal(pkg)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func caseParams(id string) map[string]string { return map[string]string{"caseId": id} }

// TestEveryRequestLeavesOneRecord: accepted, refused and failed requests alike leave exactly one
// record, with the request's time, the caller, the route and the outcome.
func TestEveryRequestLeavesOneRecord(t *testing.T) {
	pkg := validPackage(t)
	for _, tc := range []struct {
		name       string
		r          req
		status     int
		user, role string
		org        string
		caseID     string
		reason     string // a part of the reason; "" for none
	}{
		{"public health", req{routeKey: "GET /health", path: "/health"}, 200, "", "", "", "", ""},
		{"filing accepted", req{routeKey: "POST /drafts", path: "/drafts", claims: applicantClaims, body: pkg}, 201, "u-applicant", "applicant", bin, "", ""},
		{"claims without a role", req{routeKey: "GET /cases/{caseId}", path: "/cases/A-1", params: caseParams("A-1"),
			claims: map[string]string{"sub": "u-odd", "custom:bin": bin}}, 401, "u-odd", "", bin, "A-1", "cognito:groups"},
		{"no claims at all", req{routeKey: "GET /cases/{caseId}", path: "/cases/A-1", params: caseParams("A-1")}, 401, "", "", "", "A-1", "sub"},
		{"wrong role", req{routeKey: "POST /drafts", path: "/drafts", claims: authorityClaims, body: pkg}, 403, "u-authority", "authority", "", "", "not open to the role authority"},
		{"applicant reading records", req{routeKey: "GET /audit/days/{day}", path: "/audit/days/2026-10-15", params: map[string]string{"day": "2026-10-15"}, claims: applicantClaims}, 403, "u-applicant", "applicant", bin, "", "not open to the role applicant"},
		{"no such case", req{routeKey: "GET /cases/{caseId}", path: "/cases/A-missing", params: caseParams("A-missing"), claims: authorityClaims}, 404, "u-authority", "authority", "", "A-missing", "no such case"},
		{"no such route", req{routeKey: "DELETE /cases", path: "/cases", claims: authorityClaims}, 404, "", "", "", "", "DELETE /cases"},
		{"body that is not JSON", req{routeKey: "POST /cases/{caseId}/step", path: "/cases/A-1/step", params: caseParams("A-1"), claims: authorityClaims, body: "{"}, 400, "u-authority", "authority", "", "A-1", "body"},
		{"store failure", req{routeKey: "GET /cases/{caseId}", path: "/cases/A-broken", params: caseParams("A-broken"), claims: stsClaims}, 500, "u-sts", "sts", "", "A-broken", "safe to retry"},
		{"bad day", req{routeKey: "GET /audit/days/{day}", path: "/audit/days/15-10-2026", params: map[string]string{"day": "15-10-2026"}, claims: stsClaims}, 400, "u-sts", "sts", "", "", "YYYY-MM-DD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv()
			resp, ev := e.do(t, tc.r)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, resp.Body)
			}
			recs := e.calls.all()
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1: %+v", len(recs), recs)
			}
			got := recs[0]
			if !got.Time.Equal(requestTime) || got.RequestID != ev.RequestContext.RequestID || got.Status != tc.status ||
				got.SourceIP != "203.0.113.9" || got.Path != tc.r.path || got.RouteKey != tc.r.routeKey || got.Origin != audit.OriginAPI {
				t.Errorf("record %+v", got)
			}
			if got.Operation != tc.r.routeKey {
				t.Errorf("operation %q, want %q", got.Operation, tc.r.routeKey)
			}
			if got.User != tc.user || got.Role != tc.role || got.Organization != tc.org || got.CaseID != tc.caseID {
				t.Errorf("caller %q %q %q case %q, want %q %q %q %q", got.User, got.Role, got.Organization, got.CaseID, tc.user, tc.role, tc.org, tc.caseID)
			}
			if tc.reason == "" && got.Reason != "" || !strings.Contains(got.Reason, tc.reason) {
				t.Errorf("reason %q, want one with %q", got.Reason, tc.reason)
			}
			if tc.status >= 500 && strings.Contains(got.Reason, "10.0.0.7") {
				t.Errorf("the record of a 5xx holds the internal error: %q", got.Reason)
			}
		})
	}
}

func TestTheCallingSystemIsRecorded(t *testing.T) {
	e := newEnv()
	e.do(t, req{routeKey: "GET /cases/{caseId}", path: "/cases/A-1", params: caseParams("A-1"), claims: stsClaims})
	e.do(t, req{routeKey: "GET /cases/{caseId}", path: "/cases/A-1", params: caseParams("A-1"), claims: authorityClaims})
	recs := e.calls.all()
	if recs[0].System != "sts-registry" || recs[1].System != "attestation-web" {
		t.Fatalf("systems %q %q, want the access token's client_id, then the ID token's audience", recs[0].System, recs[1].System)
	}
}

func TestAPanicIsAnsweredAndRecorded(t *testing.T) {
	e := newEnv()
	e.svc.panics = true
	resp, _ := e.do(t, req{routeKey: "POST /drafts", path: "/drafts", claims: applicantClaims, body: validPackage(t)})
	if resp.StatusCode != 500 || strings.Contains(resp.Body, "boom") {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	if recs := e.calls.all(); len(recs) != 1 || recs[0].Status != 500 {
		t.Fatalf("records %+v", recs)
	}
}

// TestAnUnrecordedCallIsAnswered503: reads and writes alike; the log holds the record with the
// organisation masked.
func TestAnUnrecordedCallIsAnswered503(t *testing.T) {
	for _, r := range []req{
		{routeKey: "GET /cases/{caseId}", path: "/cases/A-1", params: caseParams("A-1"), claims: applicantClaims},
		{routeKey: "POST /drafts", path: "/drafts", claims: applicantClaims, body: validPackage(t)},
		{routeKey: "GET /cases/{caseId}", path: "/cases/A-1", params: caseParams("A-1")},
	} {
		t.Run(r.routeKey, func(t *testing.T) {
			e := newEnv()
			e.calls.fail = errors.New("ProvisionedThroughputExceededException")
			resp, _ := e.do(t, r)
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Headers["Content-Type"] != "application/problem+json" {
				t.Fatalf("%d %v %s", resp.StatusCode, resp.Headers, resp.Body)
			}
			if strings.Contains(resp.Body, "Provisioned") {
				t.Fatalf("503 echoes the internal error: %s", resp.Body)
			}
			logs := e.logs.String()
			if !strings.Contains(logs, "call record not written") || strings.Contains(logs, bin) {
				t.Fatalf("log must name the failure and never the whole BIN:\n%s", logs)
			}
			if r.claims != nil && !strings.Contains(logs, "********1238") {
				t.Fatalf("log lacks the masked organisation:\n%s", logs)
			}
		})
	}
}

func TestStaffReadRecordsByDayAndByCase(t *testing.T) {
	e := newEnv()
	for i := 0; i < 5; i++ {
		e.do(t, req{routeKey: "GET /cases/{caseId}", path: "/cases/A-7", params: caseParams("A-7"), claims: applicantClaims,
			at: requestTime.Add(time.Duration(i) * time.Minute)})
	}
	e.do(t, req{routeKey: "GET /cases/{caseId}", path: "/cases/A-8", params: caseParams("A-8"), claims: applicantClaims})
	e.do(t, req{routeKey: "GET /health", path: "/health", at: requestTime.Add(24 * time.Hour)})

	read := func(claims map[string]string, r req) (int, audit.Page) {
		t.Helper()
		r.claims = claims
		r.at = requestTime.Add(48 * time.Hour) // the reads are recorded on another day
		resp, _ := e.do(t, r)
		var p audit.Page
		if resp.StatusCode == 200 {
			if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode, p
	}
	byCase := func(id, query string) req {
		return withQuery(req{routeKey: "GET /audit/cases/{caseId}", path: "/audit/cases/" + id, params: caseParams(id)}, query)
	}
	byDay := func(day, query string) req {
		return withQuery(req{routeKey: "GET /audit/days/{day}", path: "/audit/days/" + day, params: map[string]string{"day": day}}, query)
	}

	if status, _ := read(applicantClaims, byCase("A-7", "")); status != 403 {
		t.Fatalf("applicant reads a case's records: %d, want 403", status)
	}
	if status, _ := read(applicantClaims, byDay("2026-10-15", "")); status != 403 {
		t.Fatalf("applicant reads a day's records: %d, want 403", status)
	}
	status, p := read(authorityClaims, byCase("A-7", "limit=2"))
	if status != 200 || len(p.Records) != 2 || p.Cursor == "" {
		t.Fatalf("first page: %d %+v", status, p)
	}
	var all []audit.Record
	all = append(all, p.Records...)
	for p.Cursor != "" {
		_, p = read(stsClaims, byCase("A-7", "limit=2&cursor="+p.Cursor))
		all = append(all, p.Records...)
	}
	// The five reads of the case, then the reads of its records (themselves calls about the case:
	// the applicant's refused one and the staff's pages).
	if len(all) < 5+1+2 || all[0].Organization != bin {
		t.Fatalf("%d records of A-7 (staff see the organisation unmasked): %+v", len(all), all)
	}
	for i, r := range all {
		if want := i < 5; (r.RouteKey == "GET /cases/{caseId}") != want {
			t.Fatalf("record %d: %s, want the case's reads first: %+v", i, r.RouteKey, all)
		}
		if i > 0 && r.Time.Before(all[i-1].Time) {
			t.Fatalf("records out of time order: %+v", all)
		}
	}
	if _, p := read(authorityClaims, byDay("2026-10-15", "")); len(p.Records) != 6 || p.Cursor != "" {
		t.Fatalf("day 2026-10-15: %+v", p)
	}
	if _, p := read(authorityClaims, byDay("2026-10-16", "limit=1000")); len(p.Records) != 1 {
		t.Fatalf("day 2026-10-16: %+v", p)
	}
	for _, q := range []string{"limit=0", "limit=x", "limit=-1", "cursor=not-a-cursor"} {
		if status, _ := read(authorityClaims, byDay("2026-10-15", q)); status != 400 {
			t.Errorf("?%s: %d, want 400", q, status)
		}
	}
	if status, p := read(authorityClaims, byCase("A-none", "")); status != 200 || p.Records == nil || len(p.Records) != 0 {
		t.Fatalf("a case without records: %d %+v", status, p)
	}
}

func withQuery(r req, query string) req {
	q, err := url.ParseQuery(query)
	if err != nil {
		panic(err)
	}
	r.query = map[string]string{}
	for k, v := range q {
		r.query[k] = strings.Join(v, ",")
	}
	return r
}

func TestIdempotencyKeyValidation(t *testing.T) {
	for _, tc := range []struct {
		name, key string
		status    int
	}{
		{"empty", "", 400},
		{"too long", strings.Repeat("k", 201), 400},
		{"space", "a key", 400},
		{"non-ASCII", "ключ", 400},
		{"control", "k\x01", 400},
		{"longest", strings.Repeat("k", 200), 201},
		{"visible punctuation", `"8e03978e-40d5-43e8-bc93-6894a57f9324"`, 201},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv()
			resp, _ := e.do(t, req{routeKey: "POST /drafts", path: "/drafts", claims: applicantClaims, body: validPackage(t),
				headers: map[string]string{"Idempotency-Key": tc.key}})
			if resp.StatusCode != tc.status {
				t.Fatalf("%d %s, want %d", resp.StatusCode, resp.Body, tc.status)
			}
			if tc.status == 400 && resp.Headers["Content-Type"] != "application/problem+json" {
				t.Fatalf("content type %q", resp.Headers["Content-Type"])
			}
		})
	}
}

func TestARepeatedRequestReturnsTheFirstResponse(t *testing.T) {
	e := newEnv()
	pkg := validPackage(t)
	key := map[string]string{"Idempotency-Key": "file-1"}
	first, _ := e.do(t, req{routeKey: "POST /drafts", path: "/drafts", claims: applicantClaims, body: pkg, headers: key})
	again, _ := e.do(t, req{routeKey: "POST /drafts", path: "/drafts", claims: applicantClaims, body: pkg, headers: key,
		at: requestTime.Add(time.Hour)})
	if first.StatusCode != 201 || again.StatusCode != 201 || again.Body != first.Body || again.Headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("first %d %s\nagain %d %s %v", first.StatusCode, first.Body, again.StatusCode, again.Body, again.Headers)
	}
	if n, _, _ := e.svc.counts(); n != 1 {
		t.Fatalf("%d filings, want 1", n)
	}
	recs := e.calls.all()
	if len(recs) != 2 || recs[0].Replayed || !recs[1].Replayed || recs[1].Path != recs[0].Path {
		t.Fatalf("records: %+v", recs)
	}

	// The same key with another body, or on another route, is 422; another caller's same key is its own.
	other := strings.Replace(pkg, `"name"`, ` "name"`, 1)
	if resp, _ := e.do(t, req{routeKey: "POST /drafts", path: "/drafts", claims: applicantClaims, body: other, headers: key}); resp.StatusCode != 422 ||
		!strings.Contains(resp.Body, "idempotency key reused with a different request") {
		t.Fatalf("same key, other body: %d %s", resp.StatusCode, resp.Body)
	}
	if resp, _ := e.do(t, req{routeKey: "POST /cases/{caseId}/withdraw", path: "/cases/A-1/withdraw", params: caseParams("A-1"), claims: applicantClaims, headers: key}); resp.StatusCode != 422 {
		t.Fatalf("same key, other route: %d %s", resp.StatusCode, resp.Body)
	}
	someoneElse := map[string]string{"sub": "u-other", "cognito:groups": "[applicant]", "custom:bin": bin}
	if resp, _ := e.do(t, req{routeKey: "POST /drafts", path: "/drafts", claims: someoneElse, body: pkg, headers: key}); resp.StatusCode != 201 {
		t.Fatalf("another caller's key: %d %s", resp.StatusCode, resp.Body)
	}
	if n, _, w := e.svc.counts(); n != 2 || w != 0 {
		t.Fatalf("%d filings and %d withdrawals, want 2 and 0", n, w)
	}
	// A day later the key is free again.
	if resp, _ := e.do(t, req{routeKey: "POST /drafts", path: "/drafts", claims: applicantClaims, body: other, headers: key,
		at: requestTime.Add(idempotency.TTL)}); resp.StatusCode != 201 || resp.Headers["Idempotent-Replayed"] != "" {
		t.Fatalf("after the key expired: %d %v", resp.StatusCode, resp.Headers)
	}
}

func TestStepAndWithdrawalAreIdempotent(t *testing.T) {
	e := newEnv()
	step := `{"step":"completeness_check","outcome":"forward"}`
	key := map[string]string{"idempotency-key": "s-1"}
	for i := 0; i < 3; i++ {
		if resp, _ := e.do(t, req{routeKey: "POST /cases/{caseId}/step", path: "/cases/A-1/step", params: caseParams("A-1"), claims: authorityClaims, body: step, headers: key}); resp.StatusCode != 200 {
			t.Fatalf("step %d: %d %s", i, resp.StatusCode, resp.Body)
		}
		if resp, _ := e.do(t, req{routeKey: "POST /cases/{caseId}/withdraw", path: "/cases/A-1/withdraw", params: caseParams("A-1"), claims: applicantClaims, headers: key}); resp.StatusCode != 200 {
			t.Fatalf("withdraw %d: %d %s", i, resp.StatusCode, resp.Body)
		}
	}
	if _, steps, withdrawals := e.svc.counts(); steps != 1 || withdrawals != 1 {
		t.Fatalf("%d steps and %d withdrawals, want 1 and 1", steps, withdrawals)
	}
	// Without a key nothing is kept: each request runs.
	e.do(t, req{routeKey: "POST /cases/{caseId}/step", path: "/cases/A-1/step", params: caseParams("A-1"), claims: authorityClaims, body: step})
	if _, steps, _ := e.svc.counts(); steps != 2 {
		t.Fatalf("%d steps, want 2", steps)
	}
}

// TestARefusalReleasesTheKey: a step refused because it is not open yet (409) had no effect; the
// retry with the same key runs again and succeeds.
func TestARefusalReleasesTheKey(t *testing.T) {
	e := newEnv()
	e.svc.stepErr = apperr.Errorf(apperr.Conflict, "", "step: not open yet")
	r := req{routeKey: "POST /cases/{caseId}/step", path: "/cases/A-1/step", params: caseParams("A-1"), claims: stsClaims,
		body: `{"step":"send_contract","outcome":"contract_sent"}`, headers: map[string]string{"Idempotency-Key": "retry-me"}}
	if resp, _ := e.do(t, r); resp.StatusCode != 409 {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	e.svc.mu.Lock()
	e.svc.stepErr = nil
	e.svc.mu.Unlock()
	if resp, _ := e.do(t, r); resp.StatusCode != 200 || resp.Headers["Idempotent-Replayed"] != "" {
		t.Fatalf("retry: %d %s", resp.StatusCode, resp.Body)
	}
	if resp, _ := e.do(t, r); resp.StatusCode != 200 || resp.Headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("repeat: %d %v", resp.StatusCode, resp.Headers)
	}
	if _, steps, _ := e.svc.counts(); steps != 1 {
		t.Fatalf("%d steps, want 1", steps)
	}
}

// TestConcurrentIdenticalRequestsDoTheWorkOnce: while the first runs the second is told 409 "in
// progress"; once the first answered, a repeat gets its response.
func TestConcurrentIdenticalRequestsDoTheWorkOnce(t *testing.T) {
	e := newEnv()
	e.svc.hold, e.svc.entered = make(chan struct{}), make(chan struct{}, 1)
	r := req{routeKey: "POST /drafts", path: "/drafts", claims: applicantClaims, body: validPackage(t), headers: map[string]string{"Idempotency-Key": "k-concurrent"}}
	done := make(chan events.APIGatewayV2HTTPResponse)
	go func() {
		resp, _ := e.h.Handle(context.Background(), r.event())
		done <- resp
	}()
	<-e.svc.entered // the first request is inside the work
	second, _ := e.do(t, r)
	if second.StatusCode != 409 || second.Headers["Retry-After"] == "" || !strings.Contains(second.Body, "in progress") {
		t.Fatalf("second while the first runs: %d %v %s", second.StatusCode, second.Headers, second.Body)
	}
	close(e.svc.hold)
	first := <-done
	checkResponse(t, r.event(), first)
	third, _ := e.do(t, r)
	if first.StatusCode != 201 || third.StatusCode != 201 || third.Body != first.Body {
		t.Fatalf("first %d %s, third %d %s", first.StatusCode, first.Body, third.StatusCode, third.Body)
	}
	if n, _, _ := e.svc.counts(); n != 1 {
		t.Fatalf("%d filings, want 1", n)
	}
	// A claim whose request died is held for the lease, then taken over by the same request.
	e.claims.mu.Lock()
	e.claims.claims["u-applicant#k-dead"] = idempotency.Claim{Subject: "u-applicant", Key: "k-dead", Token: "dead",
		Fingerprint: idempotency.Fingerprint("POST /drafts", "/drafts", []byte(r.body)), LockedUntil: requestTime.Add(idempotency.Lease), ExpiresAt: requestTime.Add(idempotency.TTL)}
	e.claims.mu.Unlock()
	r.headers = map[string]string{"Idempotency-Key": "k-dead"}
	if resp, _ := e.do(t, r); resp.StatusCode != 409 {
		t.Fatalf("within the lease: %d", resp.StatusCode)
	}
	r.at = requestTime.Add(idempotency.Lease)
	if resp, _ := e.do(t, r); resp.StatusCode != 201 {
		t.Fatalf("after the lease: %d %s", resp.StatusCode, resp.Body)
	}
}
