package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/golang-jwt/jwt/v5"

	"attestation/internal/httpapi"
	"attestation/internal/localstack"
)

// apiOperation is one operation of openapi.yaml with the roles its x-roles lets through.
type apiOperation struct {
	method, path string
	roles        []string
}

func (o apiOperation) key() string { return o.method + " " + o.path }

func (o apiOperation) allows(role string) bool {
	for _, r := range o.roles {
		if r == role {
			return true
		}
	}
	return false
}

// apiOperations reads every operation of openapi.yaml, sorted by route key, and checks that the
// document and template.yaml's ApiFunction events name the same routes.
func apiOperations(t *testing.T) []apiOperation {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(httpapi.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var ops []apiOperation
	for p, item := range doc.Paths.Map() {
		for m, op := range item.Operations() {
			raw, ok := op.Extensions["x-roles"]
			if !ok {
				t.Fatalf("%s %s: no x-roles", m, p)
			}
			b, err := json.Marshal(raw)
			if err != nil {
				t.Fatal(err)
			}
			var roles []string
			if err := json.Unmarshal(b, &roles); err != nil {
				t.Fatalf("%s %s: x-roles %s: %v", m, p, b, err)
			}
			ops = append(ops, apiOperation{method: strings.ToUpper(m), path: p, roles: roles})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].key() < ops[j].key() })
	inDoc := map[string]bool{}
	for _, o := range ops {
		inDoc[o.key()] = true
	}
	inTemplate := map[string]bool{}
	for _, f := range stack.Template.Functions {
		for _, r := range f.Routes {
			inTemplate[r.Key()] = true
			if !inDoc[r.Key()] {
				t.Errorf("template.yaml route %s is not in openapi.yaml", r.Key())
			}
		}
	}
	for k := range inDoc {
		if !inTemplate[k] {
			t.Errorf("openapi.yaml operation %s is not a route of template.yaml", k)
		}
	}
	if len(ops) < 10 {
		t.Fatalf("only %d operations in openapi.yaml", len(ops))
	}
	return ops
}

// sent is an answer to a raw request.
type sent struct {
	status      int
	contentType string
	body        map[string]any
	raw         []byte
}

// send sends a raw body (nil for none) with a raw token ("" for none) and extra headers; the
// answer is validated against openapi.yaml like every other.
func send(t testing.TB, method, path, tok string, body []byte, headers map[string]string) sent {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, stack.APIURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range headers {
		req.Header[http.CanonicalHeaderKey(k)] = []string{v}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkResponse(t, req, resp, raw)
	out := sent{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), raw: raw}
	if len(raw) > 0 && strings.Contains(out.contentType, "json") { // the public key is PEM, the verification page HTML
		if err := json.Unmarshal(raw, &out.body); err != nil {
			t.Fatalf("%s %s: %d, body not JSON: %.300s", method, path, resp.StatusCode, raw)
		}
	}
	return out
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fillPath puts real values in an operation's path parameters.
func fillPath(t *testing.T, path string, values map[string]string) string {
	t.Helper()
	for name, v := range values {
		path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(v))
	}
	if strings.Contains(path, "{") {
		t.Fatalf("path %s: a parameter this test has no value for; add one", path)
	}
	return path
}

// TestEveryRouteAnswersEveryRoleAsItsXRolesSay calls every operation of openapi.yaml as the
// applicant, the authority, the STS and the authority for the quality of state services with a
// well-formed request.
func TestEveryRouteAnswersEveryRoleAsItsXRolesSay(t *testing.T) {
	ops := apiOperations(t)
	p := file(t, day(10, 15, 10), application(t, "Matrix system", false))
	params := map[string]string{"caseId": p.id, "day": "2026-10-15"}
	// An object of the applicant and its year's list (objects_test.go).
	params["objectId"], params["year"] = registerObject(t, as(t, localstack.DemoApplicant), "Matrix object"), "2026"
	// A draft of the applicant's (its documents not uploaded) and a declared upload into it.
	params["draftId"] = as(t, localstack.DemoApplicant).draft(map[string]any{"applicant": application(t, "x", false)["applicant"]})
	params["uploadId"] = declare(t, as(t, localstack.DemoApplicant), "/drafts/"+params["draftId"]+"/uploads", "annex3_01")
	// A certificate's sequence in {year} (whether the register has it or not, no role is refused):
	// one no case reaches, so that a well-formed notice or decision changes no real certificate.
	params["seq"] = "99999"
	// A change notice and a duplicate request of a certificate (register_life_test.go).
	params["changeId"], params["requestId"] = "c1", "d1"
	// A complaint of the applicant's to the service provider (complaints_test.go).
	params["complaintId"] = fileComplaint(t, as(t, localstack.DemoApplicant), complaintBody("service_provider", "Matrix complaint"))["id"].(string)
	// A notification of the applicant's: its filing's receipt (§14), in its cabinet.
	params["notificationId"] = firstNotification(t, as(t, localstack.DemoApplicant))
	// A version of the survey methodology (§20), published or not: no role is refused for it.
	params["version"] = "2026.1"
	bodies := map[string][]byte{
		"POST /objects":                    mustJSON(t, objectBody("Matrix object", "state_is", "creation")),
		"PUT /plans/{year}":                mustJSON(t, planOf(planRow(params["objectId"], "creation", "2026-11-20", nil))),
		"PUT /objects/{objectId}/stage":    mustJSON(t, map[string]any{"lifeCycleStage": "creation"}), // its state: no change
		"POST /drafts":                     mustJSON(t, draftBody(t, "Matrix draft")),
		"PUT /drafts/{draftId}":            mustJSON(t, draftBody(t, "Matrix draft")),
		"POST /drafts/{draftId}/uploads":   mustJSON(t, declaration("annex3_01")),
		"POST /cases/{caseId}/uploads":     mustJSON(t, declaration("contract")),
		"POST /drafts/{draftId}/submit":    nil,
		"POST /uploads/{uploadId}/confirm": nil,
		"POST /cases/{caseId}/step":        mustJSON(t, map[string]any{"step": "survey", "outcome": "act"}), // a stale view: 409 for whoever may act
		"POST /cases/{caseId}/withdraw":    nil,
		"POST /complaints":                 mustJSON(t, complaintBody("service_provider", "Matrix complaint")),
		// No outcome: 422 for either addressee, before the complaint is read.
		"POST /complaints/{complaintId}/decision": []byte("{}"),
		// Life after the certificate (register_life_test.go): well-formed notices and decisions.
		"POST /certificates/{year}/{seq}/changes":                      mustJSON(t, map[string]any{"description": "Matrix change"}),
		"POST /certificates/{year}/{seq}/changes/{changeId}/decision":  mustJSON(t, map[string]any{"decision": "not_required", "reasons": []string{"matrix"}}),
		"POST /certificates/{year}/{seq}/recall":                       mustJSON(t, recallBody("owner_application")),
		"POST /certificates/{year}/{seq}/duplicates":                   mustJSON(t, map[string]any{"reason": "lost"}),
		"POST /certificates/{year}/{seq}/cessation":                    mustJSON(t, map[string]any{"ceasedOn": "2026-10-01"}),
		"POST /certificates/{year}/{seq}/monitoring":                   nil,
		"POST /certificates/{year}/{seq}/return":                       nil,
		"POST /certificates/{year}/{seq}/duplicates/{requestId}/issue": nil,
		"POST /cases/{caseId}/attention/resume":                        mustJSON(t, map[string]any{}),
		"POST /cases/{caseId}/attention/close":                         mustJSON(t, map[string]any{"reasons": []string{"matrix"}}),
		"PUT /contacts":                                                mustJSON(t, map[string]any{"addresses": []string{"matrix@example.kz"}, "language": "ru"}),
		"POST /drafts/{draftId}/uploads/batch":                         mustJSON(t, map[string]any{"uploads": []any{declaration("annex3_02")}}),
		"POST /drafts/{draftId}/uploads/confirm":                       mustJSON(t, map[string]any{"uploads": []string{params["uploadId"]}}),
		"POST /notifications/{notificationId}/read":                    nil,
		"POST /office/filings":                                         mustJSON(t, officeFilingBody(t, "Matrix paper registry")),
		"POST /complaints/registrations": mustJSON(t, map[string]any{"addressee": "service_provider", "channel": "post", "organization": localstack.DemoApplicant.BIN,
			"complainantName": "A. Aigerim", "subject": "Matrix registered complaint", "incomingNumber": "ВХ-2026/0001", "registeredBy": "Serikbayev A.",
			"receivedAt": "2026-10-15T04:00:00Z"}),
		"POST /office/filings/{draftId}/receipt": nil,
		"POST /office/cases/{caseId}/handovers":  mustJSON(t, map[string]any{"document": "certificate", "representative": representative()}),
	}
	users := []localstack.User{localstack.DemoApplicant, localstack.DemoAuthority, localstack.DemoSTS, localstack.DemoQualityAuthority, localstack.DemoOffice}
	checked := 0
	for _, op := range ops {
		for _, u := range users {
			role := string(u.Role)
			t.Run(op.key()+" as "+role, func(t *testing.T) {
				stack.Clock.Freeze(day(10, 15, 11))
				body, known := bodies[op.key()]
				if !known && op.method != "GET" {
					body = []byte("{}")
				}
				r := send(t, op.method, fillPath(t, op.path, params), token(t, u), body, nil)
				switch {
				case op.allows(role) || len(op.roles) == 0:
					if r.status == http.StatusUnauthorized || r.status == http.StatusForbidden {
						t.Fatalf("x-roles %v lets %s through, got %d %s", op.roles, role, r.status, r.raw)
					}
					if r.status >= 500 {
						t.Fatalf("%d %s", r.status, r.raw)
					}
				default:
					if r.status != http.StatusForbidden || r.contentType != "application/problem+json" {
						t.Fatalf("x-roles %v does not let %s through, got %d %s %s", op.roles, role, r.status, r.contentType, r.raw)
					}
				}
			})
			checked++
		}
	}
	t.Logf("%d routes × %d roles = %d calls checked", len(ops), len(users), checked)
}

// TestAnotherOrganisationsCaseIsNotFoundOnEveryApplicantRoute: every applicant route with a
// {caseId} answers another organisation's case exactly like one that does not exist, and
// changes nothing.
func TestAnotherOrganisationsCaseIsNotFoundOnEveryApplicantRoute(t *testing.T) {
	ops := apiOperations(t)
	p := file(t, day(10, 15, 10), application(t, "Someone else's system", false))
	owner := as(t, localstack.DemoApplicant)
	other := localstack.DemoApplicant
	other.Subject, other.BIN = "other-applicant", "990340001230"
	missing := "A-20261015-0000000000000000"
	bodies := map[string][]byte{
		// The completion the open step takes (if the owner's organisation were the authority).
		"POST /cases/{caseId}/step": mustJSON(t, map[string]any{"step": "completeness_check", "outcome": "forward"}),
		// A document the owner could upload to its case.
		"POST /cases/{caseId}/uploads": mustJSON(t, declaration("signed_contract")),
	}
	queries := map[string]string{"GET /cases/{caseId}/documents": "?key=" + firstDocument(t, p.view(owner))}
	n := 0
	for _, op := range ops {
		if !strings.Contains(op.path, "{caseId}") || !op.allows("applicant") {
			continue
		}
		n++
		t.Run(op.key(), func(t *testing.T) {
			stack.Clock.Freeze(day(10, 15, 11))
			_, execsBefore := cases(t)
			// The case view lists the case's notifications with their delivery, which notify
			// records in the background: deliver what is pending, so that only the stranger's
			// request could change the view.
			if err := stack.PollStreams(context.Background()); err != nil {
				t.Fatal(err)
			}
			before := p.view(owner)
			body := bodies[op.key()]
			if body == nil && op.method != "GET" {
				body = []byte("{}")
			}
			for _, headers := range []map[string]string{nil, {"Idempotency-Key": fmt.Sprintf("stranger-%d", time.Now().UnixNano())}} {
				if op.method == "GET" && headers != nil {
					continue
				}
				query := queries[op.key()]
				foreign := send(t, op.method, strings.ReplaceAll(op.path, "{caseId}", p.id)+query, token(t, other), body, headers)
				absent := send(t, op.method, strings.ReplaceAll(op.path, "{caseId}", missing)+query, token(t, other), body, headers)
				if foreign.status != http.StatusNotFound || absent.status != http.StatusNotFound {
					t.Fatalf("another organisation's case: %d %s; a missing case: %d %s; want 404 for both", foreign.status, foreign.raw, absent.status, absent.raw)
				}
				if !bytes.Equal(foreign.raw, absent.raw) || foreign.contentType != absent.contentType {
					t.Fatalf("another organisation's case is told apart from a missing one:\n%s\n%s", foreign.raw, absent.raw)
				}
			}
			if err := stack.PollStreams(context.Background()); err != nil {
				t.Fatal(err)
			}
			after := p.view(owner)
			if !reflect.DeepEqual(before, after) {
				t.Fatalf("the case changed:\nbefore %v\nafter  %v", before, after)
			}
			if _, execsAfter := cases(t); execsAfter != execsBefore {
				t.Fatalf("executions %d -> %d", execsBefore, execsAfter)
			}
		})
	}
	if n < 3 {
		t.Fatalf("only %d applicant routes with a case ID", n)
	}
}

// TestTokenFailuresAreUnauthorized: every way a bearer token can be wrong is 401 on a protected route.
func TestTokenFailuresAreUnauthorized(t *testing.T) {
	stack.Clock.Freeze(day(10, 15, 10))
	iss, aud := stack.Template.Authorizer.Issuer, stack.Template.Authorizer.Audience[0]
	now := stack.Clock.Now()
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": iss, "aud": aud, "sub": "demo-applicant", "cognito:groups": []string{"applicant"},
			"custom:bin": localstack.DemoApplicant.BIN, "token_use": "id",
			"iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix()}
		if edit != nil {
			edit(c)
		}
		return c
	}
	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(m jwt.SigningMethod, c jwt.MapClaims, key any) string {
		tk := jwt.NewWithClaims(m, c)
		tk.Header["kid"] = "local-1"
		s, err := tk.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// A token the stack's own issuer signs, with its signature cut off: the header and claims are right.
	good := token(t, localstack.DemoApplicant)
	parts := strings.Split(good, ".")
	for _, tc := range []struct{ name, token string }{
		{"missing header", ""},
		{"expired", sign(jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() }), stranger)},
		{"wrong audience", sign(jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) { c["aud"] = "another-client" }), stranger)},
		{"wrong issuer", sign(jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) { c["iss"] = "https://issuer.example" }), stranger)},
		{"signed by another RSA key", sign(jwt.SigningMethodRS256, claims(nil), stranger)},
		{"alg none", sign(jwt.SigningMethodNone, claims(nil), jwt.UnsafeAllowNoneSignatureType)},
		{"HS256", sign(jwt.SigningMethodHS256, claims(nil), []byte("a shared secret nobody was given"))},
		{"HS256 keyed with the public JWKS", sign(jwt.SigningMethodHS256, claims(nil), jwks(t))},
		{"without exp", sign(jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) { delete(c, "exp") }), stranger)},
		{"not yet valid", sign(jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() }), stranger)},
		{"unknown kid", func() string {
			tk := jwt.NewWithClaims(jwt.SigningMethodRS256, claims(nil))
			tk.Header["kid"] = "local-2"
			s, _ := tk.SignedString(stranger)
			return s
		}()},
		{"garbage", "not-a-jwt"},
		{"three garbage segments", "a.b.c"},
		{"signature stripped", parts[0] + "." + parts[1] + "."},
		{"claims swapped under the signature", parts[0] + "." + strings.TrimRight(jwtSegment(t, claims(func(c jwt.MapClaims) { c["custom:bin"] = "990340001230" })), "=") + "." + parts[2]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, route := range []struct{ method, path string }{{"GET", "/cases"}, {"POST", "/drafts"}} {
				var body []byte
				if route.method == "POST" {
					body = mustJSON(t, draftBody(t, "Token test"))
				}
				_, execsBefore := cases(t)
				r := send(t, route.method, route.path, tc.token, body, nil)
				if r.status != http.StatusUnauthorized {
					t.Fatalf("%s %s: %d %s, want 401", route.method, route.path, r.status, r.raw)
				}
				if _, execsAfter := cases(t); execsAfter != execsBefore {
					t.Fatalf("a refused token started an execution")
				}
			}
		})
	}
	// Tokens the issuer signs whose claims name no usable caller: the handler's 401.
	for _, u := range []localstack.User{
		{Subject: "no-role", Role: ""},
		{Subject: "admin", Role: "admin"},
		{Subject: "applicant-without-bin", Role: "applicant"},
		{Subject: "applicant-bad-bin", Role: "applicant", BIN: "12345"},
		{Subject: "applicant-bin-neither-iin-nor-bin", Role: "applicant", BIN: "000000000000"},
		{Subject: "", Role: "authority"},
	} {
		t.Run("claims "+u.Subject+"/"+string(u.Role), func(t *testing.T) {
			r := send(t, "GET", "/cases", token(t, u), nil, nil)
			if r.status != http.StatusUnauthorized || r.contentType != "application/problem+json" {
				t.Fatalf("%d %s %s, want 401 problem", r.status, r.contentType, r.raw)
			}
		})
	}
}

// jwks is the local issuer's public key set, as anyone may fetch it.
func jwks(t *testing.T) []byte {
	t.Helper()
	resp, err := http.Get(stack.APIURL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

// jwtSegment is the base64url encoding of claims, as a JWT carries them.
func jwtSegment(t *testing.T, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodNone, c).SigningString()
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitN(s, ".", 2)[1]
}

// badInput is a request the API must refuse with an exact 4xx and a problem body that names
// what is wrong, writing nothing.
type badInput struct {
	name    string
	method  string // POST when empty
	path    string // {case} is the catalogue's case
	user    localstack.User
	body    []byte
	headers map[string]string
	status  int
	names   []string // each must appear (case-insensitively) in detail or in a problem's field or message
	bug     string   // a known bug: the case is recorded, and skipped until it is fixed
	// draft: body is the content of the catalogue's complete draft for this input: it is put
	// there (PUT /drafts/{draft}), the draft is submitted, and the valid content put back.
	draft bool
}

// pkgWith is the complete package, changed by edit, as JSON.
func pkgWith(t *testing.T, edit func(p map[string]any)) []byte {
	t.Helper()
	p := application(t, "Catalogue system", false)
	edit(p)
	return mustJSON(t, p)
}

func obj(p map[string]any, path ...string) map[string]any {
	m := p
	for _, k := range path {
		m = m[k].(map[string]any)
	}
	return m
}

func row(p map[string]any, list string, i int) map[string]any {
	return p[list].([]any)[i].(map[string]any)
}

func badInputs(t *testing.T) []badInput {
	app, auth := localstack.DemoApplicant, localstack.DemoAuthority
	filing := func(name string, status int, body []byte, names ...string) badInput {
		return badInput{name: "draft: " + name, path: "/drafts", user: app, body: body, status: status, names: names}
	}
	// pkg: the complete draft with edit made to its content, submitted.
	pkg := func(name string, edit func(p map[string]any), names ...string) badInput {
		b := pkgWith(t, func(p map[string]any) {
			edit(p)
			delete(p, "documents")
		})
		return badInput{name: "filing: " + name, path: "/drafts/{draft}/submit", user: app, body: b, status: http.StatusUnprocessableEntity, names: names, draft: true}
	}
	// upload: a declaration of a document of the catalogue's draft.
	upload := func(name string, edit func(d map[string]any), names ...string) badInput {
		d := declaration("annex3_01")
		edit(d)
		return badInput{name: "upload: " + name, path: "/drafts/{draft}/uploads", user: app, body: mustJSON(t, d), status: http.StatusUnprocessableEntity, names: names}
	}
	step := func(name string, status int, body any, names ...string) badInput {
		var b []byte
		switch x := body.(type) {
		case string:
			b = []byte(x)
		case nil:
		default:
			b = mustJSON(t, x)
		}
		return badInput{name: "step: " + name, path: "/cases/{case}/step", user: auth, body: b, status: status, names: names}
	}
	get := func(name, path string, u localstack.User, names ...string) badInput {
		return badInput{name: "get: " + name, method: "GET", path: path, user: u, status: http.StatusBadRequest, names: names}
	}
	ret := func(extra map[string]any) map[string]any {
		m := map[string]any{"step": "completeness_check", "outcome": "return", "grounds": []string{"incomplete_package"}}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	fwd := func(extra map[string]any) map[string]any {
		m := map[string]any{"step": "completeness_check", "outcome": "forward"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	doc := func(kind, key, sum string) map[string]any {
		return map[string]any{"kind": kind, "key": key, "sha256": sum}
	}
	goodSum := strings.Repeat("ab", 32)
	many := func(n int, s string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	valid := pkgWith(t, func(map[string]any) {})
	oversized := append([]byte(`{"applicant":{"name":"`), bytes.Repeat([]byte("a"), httpapi.MaxBody)...)
	oversized = append(oversized, []byte(`"}}`)...)
	withKey := func(in badInput, key string) badInput {
		in.headers = map[string]string{"Idempotency-Key": key}
		in.names = []string{"Idempotency-Key"}
		in.status = http.StatusBadRequest
		return in
	}
	return []badInput{
		// The body is not a package at all (§13; rule "request").
		filing("malformed JSON", 422, []byte(`{"applicant": {"name": "x",}`), "not valid JSON"),
		filing("truncated JSON", 422, []byte(`{"applicant": {"name": "x"`), "ends too early"),
		filing("not JSON", 422, []byte(`hello`), "not valid JSON"),
		filing("empty body", 422, nil, "empty"),
		filing("an array", 422, []byte(`[]`), "JSON object"),
		filing("a string", 422, []byte(`"package"`), "JSON object"),
		filing("trailing data", 422, append(append([]byte{}, valid...), []byte(`{}`)...), "unexpected data after"),
		filing("trailing garbage", 422, append(append([]byte{}, valid...), []byte(` x`)...), "after the package"),
		filing("oversized body", 413, oversized, "larger than"),
		pkg("unknown top-level field", func(p map[string]any) { p["colour"] = "blue" }, "colour"),
		pkg("unknown applicant field", func(p map[string]any) { obj(p, "applicant")["nickname"] = "x" }, "nickname"),
		pkg("unknown hardware field", func(p map[string]any) { row(p, "hardware", 0)["colour"] = "black" }, "colour"),
		filing("documents in the draft", 422, pkgWith(t, func(map[string]any) {}), "documents", "upload"),
		pkg("flag as a string", func(p map[string]any) { obj(p, "flags")["usesCryptography"] = "yes" }, "usesCryptography"),
		pkg("hardware as an object", func(p map[string]any) { p["hardware"] = map[string]any{} }, "hardware"),
		pkg("stateSecret as a number", func(p map[string]any) { p["stateSecret"] = 1 }, "stateSecret"),
		// Annex 2, the applicant.
		pkg("BIN check digit", func(p map[string]any) { obj(p, "applicant")["identityNumber"] = "120540001239" }, "applicant.identityNumber"),
		pkg("BIN with a letter", func(p map[string]any) { obj(p, "applicant")["identityNumber"] = "12054000123A" }, "applicant.identityNumber"),
		pkg("BIN too short", func(p map[string]any) { obj(p, "applicant")["identityNumber"] = "12054000123" }, "applicant.identityNumber"),
		pkg("another organisation's BIN", func(p map[string]any) { obj(p, "applicant")["identityNumber"] = "990340001230" }, "own organisation"),
		pkg("applicant type", func(p map[string]any) { obj(p, "applicant")["type"] = "company" }, "applicant.type"),
		pkg("applicant name blank", func(p map[string]any) { obj(p, "applicant")["name"] = "  " }, "applicant.name"),
		pkg("object name too long", func(p map[string]any) { obj(p, "object")["name"] = strings.Repeat("n", 501) }, "object.name"),
		pkg("object kind", func(p map[string]any) { obj(p, "object")["kind"] = "space_station" }, "object.kind"),
		pkg("§2 state secret", func(p map[string]any) { p["stateSecret"] = true }, "stateSecret", "state secrets"),
		// Annex 5, hardware.
		pkg("IP address out of range", func(p map[string]any) { row(p, "hardware", 0)["ipAddresses"] = []string{"10.10.1.300"} }, "hardware[0].ipAddresses[0]"),
		pkg("IP address with a prefix", func(p map[string]any) { row(p, "hardware", 0)["ipAddresses"] = []string{"10.10.1.0/24"} }, "hardware[0].ipAddresses[0]"),
		pkg("IP address with a zone", func(p map[string]any) { row(p, "hardware", 1)["ipAddresses"] = []string{"fe80::1%eth0"} }, "hardware[1].ipAddresses[0]"),
		pkg("multicast IP address", func(p map[string]any) { row(p, "hardware", 0)["ipAddresses"] = []string{"224.0.0.1"} }, "hardware[0].ipAddresses[0]"),
		pkg("unspecified IP address", func(p map[string]any) { row(p, "hardware", 0)["ipAddresses"] = []string{"0.0.0.0"} }, "hardware[0].ipAddresses[0]"),
		pkg("IP address twice", func(p map[string]any) { row(p, "hardware", 0)["ipAddresses"] = []string{"10.0.0.5", "10.0.0.5"} }, "hardware[0].ipAddresses[1]"),
		pkg("hostname for an IP address", func(p map[string]any) { row(p, "hardware", 0)["ipAddresses"] = []string{"server.local"} }, "hardware[0].ipAddresses[0]"),
		pkg("duplicate serial number", func(p map[string]any) { row(p, "hardware", 1)["serialNumber"] = "INV-0001" }, "hardware[1].serialNumber"),
		pkg("hardware location blank", func(p map[string]any) { row(p, "hardware", 0)["location"] = "" }, "hardware[0].location"),
		// Annex 6, software.
		pkg("software on hardware that does not exist", func(p map[string]any) { row(p, "software", 1)["installedOn"] = []string{"INV-9999"} }, "software[1].installedOn[0]"),
		pkg("software installed nowhere", func(p map[string]any) { row(p, "software", 0)["installedOn"] = []string{} }, "software[0].installedOn"),
		pkg("software version blank", func(p map[string]any) { row(p, "software", 0)["version"] = " " }, "software[0].version"),
		// §13 and Annex 3, the documents.
		pkg("cryptography flag without document 7", func(p map[string]any) { obj(p, "flags")["usesCryptography"] = true }, "annex3_07"),
		pkg("ICT services with hardware lists", func(p map[string]any) { obj(p, "flags")["usesIctServices"] = true }, "hardware"),
		pkg("integrated objects flag without the list", func(p map[string]any) { obj(p, "flags")["hasIntegratedObjects"] = true }, "integrated"),
		pkg("integrated objects without the flag", func(p map[string]any) {
			p["integrated"] = []any{map[string]any{"name": "Gateway", "owner": "Ministry", "interaction": "exchange"}}
		}, "integrated"),
		{name: "filing: no documents uploaded", path: "/drafts/{empty}/submit", user: app, status: 422, names: []string{"documents.application", "documents.annex3_01"}},
		upload("unknown document", func(d map[string]any) { d["document"] = "annex3_99" }, "annex3_99"),
		upload("sha256 too short", func(d map[string]any) { d["sha256"] = "abc123" }, "sha256"),
		upload("sha256 not hex", func(d map[string]any) { d["sha256"] = strings.Repeat("zz", 32) }, "sha256"),
		upload("content type not accepted", func(d map[string]any) { d["contentType"] = "application/x-msdownload" }, "contentType"),
		upload("content type missing", func(d map[string]any) { d["contentType"] = "" }, "contentType"),
		upload("negative size", func(d map[string]any) { d["size"] = -1 }, "size"),
		upload("zero size", func(d map[string]any) { d["size"] = 0 }, "size"),
		upload("size over the limit", func(d map[string]any) { d["size"] = 60 << 20 }, "size", "limit"),
		upload("negative sheets", func(d map[string]any) { d["sheets"] = -3 }, "sheets"),
		upload("document missing", func(d map[string]any) { delete(d, "document") }, "document"),
		{name: "upload: size as a string", path: "/drafts/{draft}/uploads", user: app, status: 400, names: []string{"size"},
			body: []byte(`{"document":"annex3_01","contentType":"application/pdf","size":"12800","sha256":"` + goodSum + `"}`)},
		{name: "upload: unknown field", path: "/drafts/{draft}/uploads", user: app, status: 400, names: []string{"colour"},
			body: []byte(`{"document":"annex3_01","contentType":"application/pdf","size":1,"sha256":"` + goodSum + `","colour":"red"}`)},
		{name: "upload: to a case, a bad declaration", path: "/cases/{case}/uploads", user: auth, status: 422, names: []string{"sha256"},
			body: []byte(`{"document":"contract","contentType":"application/pdf","size":1,"sha256":"x"}`)},
		withKey(filing("Idempotency-Key too long", 0, valid), strings.Repeat("k", 201)),
		withKey(filing("Idempotency-Key with a tab", 0, valid), "key\twith-tab"),
		withKey(filing("Idempotency-Key with a space", 0, valid), "key with-space"),
		withKey(filing("Idempotency-Key not ASCII", 0, valid), "ключ"),

		// A step's completion (the authority's completeness check is open).
		step("malformed JSON", 400, `{"step": "completeness_check",`, "body"),
		step("empty body", 400, nil, "body"),
		step("an array", 400, `[]`, "body"),
		step("trailing data", 400, `{"step": "completeness_check", "outcome": "forward"} {}`, "unexpected data after"),
		step("unknown field", 400, fwd(map[string]any{"comment": "ok"}), "comment"),
		step("reasons as a string", 400, ret(map[string]any{"reasons": "[]"}), "reasons"),
		step("step as a number", 400, map[string]any{"step": 7, "outcome": "forward"}, "step"),
		step("documents as an object", 400, fwd(map[string]any{"documents": map[string]any{}}), "documents"),
		step("entryIntoForce not a date", 400, fwd(map[string]any{"entryIntoForce": "tomorrow"}), "tomorrow"),
		step("entryIntoForce without a time", 400, fwd(map[string]any{"entryIntoForce": "2026-10-20"}), "2026-10-20"),
		step("oversized body", 413, append(append([]byte(`{"step":"`), bytes.Repeat([]byte("s"), httpapi.MaxBody)...), '"', '}'), "larger than"),
		step("unknown outcome", 422, map[string]any{"step": "completeness_check", "outcome": "approve"}, "approve"),
		step("an outcome another step takes", 422, map[string]any{"step": "completeness_check", "outcome": "issue"}, "issue", "allowed"),
		step("wrong step name", 409, map[string]any{"step": "survey", "outcome": "act"}, "not open"),
		step("unknown step name", 422, map[string]any{"step": "approval", "outcome": "forward"}, "approval"),
		step("return without reasons", 422, ret(nil), "reasons"),
		step("return with no reasons", 422, ret(map[string]any{"reasons": []string{}}), "reasons"),
		step("return with a blank reason", 422, ret(map[string]any{"reasons": []string{"  "}}), "reasons[0]"),
		step("a reason too long", 422, ret(map[string]any{"reasons": []string{strings.Repeat("r", 4001)}}), "reasons[0]", "4000"),
		step("too many reasons", 422, ret(map[string]any{"reasons": many(51, "missing")}), "reasons", "50"),
		step("a document of a kind not taken here", 422, fwd(map[string]any{"documents": []any{doc("survey_act", "cases/x/act.pdf", goodSum)}}), "documents[0]"),
		step("a document without a key", 422, ret(map[string]any{"reasons": []string{"r"}, "documents": []any{doc("survey_act", "", goodSum)}}), "documents[0]"),
		step("a document with a bad sha256", 422, fwd(map[string]any{"documents": []any{doc("contract", "cases/x/c.pdf", strings.ToUpper(goodSum))}}), "documents[0]"),
		step("too many documents", 422, fwd(map[string]any{"documents": func() []any {
			var d []any
			for i := 0; i < 51; i++ {
				d = append(d, doc("contract", fmt.Sprintf("cases/x/%d.pdf", i), goodSum))
			}
			return d
		}()}), "documents", "50"),
		step("entryIntoForce at the completeness check", 422, fwd(map[string]any{"entryIntoForce": "2026-10-20T00:00:00+05:00"}), "entryIntoForce"),
		withKey(step("Idempotency-Key too long", 0, fwd(nil)), strings.Repeat("k", 201)),
		withKey(step("Idempotency-Key with a tab", 0, fwd(nil)), "a\tb"),
		withKey(step("Idempotency-Key empty", 0, fwd(nil)), ""),
		withKey(step("Idempotency-Key not ASCII", 0, fwd(nil)), "clé"),
		func() badInput {
			b := withKey(badInput{name: "withdraw: Idempotency-Key with a space", path: "/cases/{case}/withdraw", user: app}, "with space")
			return b
		}(),

		// Reading: days, limits and cursors.
		get("audit day month 13", "/audit/days/2026-13-01", auth, "day"),
		get("audit day 30 February", "/audit/days/2026-02-30", auth, "day"),
		get("audit day unpadded", "/audit/days/2026-10-1", auth, "day"),
		get("audit day without dashes", "/audit/days/20261015", auth, "day"),
		get("audit day with a time", "/audit/days/2026-10-15T00:00:00Z", auth, "day"),
		get("audit limit zero", "/audit/days/2026-10-15?limit=0", auth, "limit"),
		get("audit limit negative", "/audit/days/2026-10-15?limit=-1", auth, "limit"),
		get("audit limit not a number", "/audit/cases/{case}?limit=ten", auth, "limit"),
		get("audit limit a fraction", "/audit/cases/{case}?limit=1.5", auth, "limit"),
		get("audit forged cursor by day", "/audit/days/2026-10-15?cursor=eyJwayI6IkRBWSMyMDI2LTEwLTE1In0", auth, "cursor"),
		get("audit forged cursor by case", "/audit/cases/{case}?cursor=Zm9yZ2Vk", auth, "cursor"),
		get("audit cursor too long", "/audit/days/2026-10-15?cursor="+strings.Repeat("c", 2049), auth, "cursor"),
		get("cases limit zero", "/cases?limit=0", app, "limit"),
		get("cases forged cursor", "/cases?cursor=Zm9yZ2Vk", app, "cursor"),
		get("queue limit not a number", "/queue?limit=x", auth, "limit"),
		get("queue forged cursor", "/queue?cursor=Zm9yZ2Vk", auth, "cursor"),
		get("queue overdue not a boolean", "/queue?overdue=yes", auth, "overdue"),
		// The public register (§29): a certificate's number in the path, the search's parameters.
		get("certificate year not digits", "/certificates/20x6/00001", app, "year"),
		get("certificate year of two digits", "/certificates/26/00001", app, "year"),
		get("certificate seq not digits", "/certificates/2026/abc", app, "seq"),
		get("certificate seq zero", "/certificates/2026/0", app, "seq"),
		get("certificate seq too long", "/certificates/2026/100000", app, "seq"),
		get("certificate history seq", "/certificates/2026/1e3/history", app, "seq"),
		get("certificate document year", "/certificates/year/00001/document", app, "year"),
		get("certificate document copy unknown", "/certificates/2026/00001/document?copy=scan", app, "copy", "recall_decision"),
		get("register status unknown", "/register?status=revoked", app, "status"),
		get("register ownerBin check digit", "/register?ownerBin=120540001239", app, "ownerBin"),
		get("register ownerBin neither an IIN nor a BIN", "/register?ownerBin=000000000000", app, "ownerBin", "structure"),
		get("register number malformed", "/register?number=2026-1", app, "number"),
		get("register objectName blank", "/register?objectName=%20", app, "objectName"),
		get("register limit zero", "/register?limit=0", app, "limit"),
		get("register limit over 100", "/register?limit=101", app, "limit"),
		get("register forged cursor", "/register?cursor=Zm9yZ2Vk", app, "cursor"),
		get("register unknown parameter", "/register?ownerIin=880101300123", app, "ownerIin"),
		// Life after the certificate (register_life_test.go): notices and decisions are checked
		// before the certificate is read, so a number no case reaches serves.
		{name: "register: change notice without a description", path: "/certificates/2026/99999/changes", user: app, body: []byte(`{"description":" "}`), status: 422, names: []string{"description"}},
		{name: "register: change notice with an unknown field", path: "/certificates/2026/99999/changes", user: app, body: []byte(`{"description":"x","colour":"red"}`), status: 400, names: []string{"colour"}},
		{name: "register: decision not one of §44", path: "/certificates/2026/99999/changes/c1/decision", user: auth, body: []byte(`{"decision":"maybe","reasons":["x"]}`), status: 422, names: []string{"decision"}},
		{name: "register: decision without reasons", path: "/certificates/2026/99999/changes/c1/decision", user: auth, body: []byte(`{"decision":"not_required","reasons":[]}`), status: 422, names: []string{"reasons"}},
		{name: "register: recall without a ground", path: "/certificates/2026/99999/recall", user: auth, body: []byte(`{"reasons":["x"]}`), status: 422, names: []string{"ground"}},
		{name: "register: recall with a blank reason", path: "/certificates/2026/99999/recall", user: auth, body: []byte(`{"ground":"owner_application","reasons":[" "]}`), status: 422, names: []string{"reasons[0]"}},
		{name: "register: return with a body", path: "/certificates/2026/99999/return", user: auth, body: []byte(`{"returnedOn":"2026-10-15"}`), status: 400, names: []string{"returnedOn"}},
		{name: "register: duplicate for an unknown reason", path: "/certificates/2026/99999/duplicates", user: app, body: []byte(`{"reason":"stolen"}`), status: 422, names: []string{"reason", "lost"}},
		{name: "register: cessation not a date", path: "/certificates/2026/99999/cessation", user: app, body: []byte(`{"ceasedOn":"15.10.2026"}`), status: 422, names: []string{"ceasedOn"}},
		{name: "register: monitoring with a body", path: "/certificates/2026/99999/monitoring", user: app, body: []byte(`{"connectedOn":"2026-10-01"}`), status: 400, names: []string{"connectedOn"}},
		{name: "register: a notice on a number that is not one", path: "/certificates/2026/x1/monitoring", user: app, status: 400, names: []string{"seq"}},
		get("register certificates status unknown", "/certificates?status=revoked", auth, "status"),
		get("register certificates organization check digit", "/certificates?organization=120540001239", auth, "organization"),
		get("register certificates forged cursor", "/certificates?cursor=Zm9yZ2Vk", app, "cursor"),
		get("register obligations overdue not a boolean", "/register/obligations?overdue=soon", auth, "overdue"),
		get("register obligations limit zero", "/register/obligations?limit=0", auth, "limit"),
		// The authority's oversight (oversight_test.go): the year of the plans report.
		get("oversight year of two digits", "/oversight/plans/26", auth, "year"),
		get("oversight year a word", "/oversight/plans/year", auth, "year"),
		{name: "get: oversight year the calendar does not cover", method: "GET", path: "/oversight/plans/2200", user: auth, status: 422, names: []string{"year"}},
	}
}

// TestBadInputsAreRefusedAndWriteNothing is the catalogue of requests the API must refuse.
func TestBadInputsAreRefusedAndWriteNothing(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Catalogue case", false))
	owner := as(t, localstack.DemoApplicant)
	draft := owner.draft(application(t, "Catalogue draft", false))
	empty := owner.draft(map[string]any{"applicant": application(t, "x", false)["applicant"]})
	validDraft := pkgWith(t, func(p map[string]any) { delete(p, "documents") })
	catalogue := badInputs(t)
	if len(catalogue) < 50 {
		t.Fatalf("the catalogue has %d bad inputs, want at least 50", len(catalogue))
	}
	// Cases and executions are counted every tenth input (a count goes through every case of the
	// organisation and every execution): a refused request that created one is caught, and named
	// to within the inputs since the last count.
	casesBefore, execsBefore := cases(t)
	var sinceCount []string
	countNow := func() {
		t.Helper()
		casesAfter, execsAfter := cases(t)
		if casesAfter != casesBefore || execsAfter != execsBefore {
			t.Errorf("cases %d -> %d, executions %d -> %d: a refused request wrote; one of: %s", casesBefore, casesAfter, execsBefore, execsAfter, strings.Join(sinceCount, "; "))
			casesBefore, execsBefore = casesAfter, execsAfter
		}
		sinceCount = nil
	}
	for i, in := range catalogue {
		t.Run(in.name, func(t *testing.T) {
			if in.bug != "" {
				t.Skip("bug: " + in.bug)
			}
			stack.Clock.Freeze(day(10, 15, 11))
			before := p.view(owner)
			method := in.method
			if method == "" {
				method = "POST"
			}
			path := strings.NewReplacer("{case}", p.id, "{draft}", draft, "{empty}", empty).Replace(in.path)
			var r sent
			if in.draft {
				// The content is refused when it is put, or the draft when it is submitted.
				r = send(t, "PUT", "/drafts/"+draft, token(t, in.user), in.body, nil)
				if r.status == http.StatusOK {
					r = send(t, method, path, token(t, in.user), nil, in.headers)
				}
				defer func() {
					if r := send(t, "PUT", "/drafts/"+draft, token(t, in.user), validDraft, nil); r.status != http.StatusOK {
						t.Fatalf("put the valid content back: %d %.300s", r.status, r.raw)
					}
				}()
			} else {
				r = send(t, method, path, token(t, in.user), in.body, in.headers)
			}
			if r.status != in.status {
				t.Fatalf("%d, want %d: %.600s", r.status, in.status, r.raw)
			}
			if r.contentType != "application/problem+json" {
				t.Fatalf("content type %q: %.300s", r.contentType, r.raw)
			}
			text := fmt.Sprint(r.body["detail"])
			if ps, _ := r.body["problems"].([]any); len(ps) > 0 {
				for _, x := range ps {
					m, _ := x.(map[string]any)
					text += "\n" + fmt.Sprint(m["field"]) + ": " + fmt.Sprint(m["message"])
				}
			}
			for _, want := range in.names {
				if !strings.Contains(strings.ToLower(text), strings.ToLower(want)) {
					t.Errorf("the refusal does not name %q:\n%s", want, text)
				}
			}
			after := p.view(owner)
			if len(history(after)) != len(history(before)) || after["stage"] != before["stage"] {
				t.Fatalf("the case changed: %v -> %v", history(before), history(after))
			}
		})
		if sinceCount = append(sinceCount, in.name); len(sinceCount) == 10 || i == len(catalogue)-1 {
			countNow()
		}
	}
	t.Logf("%d bad inputs catalogued", len(catalogue))
}

// draftBody is the content of a draft: the package without its documents.
func draftBody(t testing.TB, name string) map[string]any {
	b := application(t, name, false)
	delete(b, "documents")
	return b
}

// declaration declares a small PDF as document.
func declaration(document string) map[string]any {
	return map[string]any{"document": document, "contentType": "application/pdf", "size": 1024, "sha256": strings.Repeat("ab", 32)}
}

// declare declares a document at route and returns the upload's ID.
func declare(t testing.TB, c client, route, document string) string {
	t.Helper()
	status, out := c.do("POST", route, declaration(document))
	if status != http.StatusCreated {
		t.Fatalf("declare %s: %d %v", document, status, out)
	}
	return out["upload"].(map[string]any)["id"].(string)
}

// firstDocument is the key of the first document a case view lists.
func firstDocument(t testing.TB, view map[string]any) string {
	t.Helper()
	docs, _ := view["documents"].([]any)
	if len(docs) == 0 {
		t.Fatalf("the case lists no documents: %v", view)
	}
	return docs[0].(map[string]any)["key"].(string)
}

// firstNotification is the ID of the newest notification in c's cabinet.
func firstNotification(t testing.TB, c client) string {
	t.Helper()
	var id string
	waitFor(t, "a notification in the cabinet", func() bool {
		status, page := c.do("GET", "/notifications", nil)
		if status != 200 {
			t.Fatalf("GET /notifications: %d %v", status, page)
		}
		items, _ := page["notifications"].([]any)
		if len(items) == 0 {
			return false
		}
		id, _ = items[0].(map[string]any)["id"].(string)
		return id != ""
	})
	return id
}
