package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/objects"
)

// The object IDs the fake knows.
const (
	ownObject     = "O-0000000000000001"
	missingObject = "O-00000000000000ff"
	brokenObject  = "O-000000000000dead"
	danglingRow   = "O-ffffffffffffffff"
)

// fakeObjects stands in for the objects service: it counts the calls that write and remembers
// what the handler passed on.
type fakeObjects struct {
	mu         sync.Mutex
	registered int
	revisions  int
	org        string // the organization of the last read
	limit      int
	cursor     string
	year       int
}

func (f *fakeObjects) Register(ctx context.Context, actor identity.Actor, in objects.Registration, now time.Time) (objects.Object, error) {
	if in.Kind == "space_station" {
		return objects.Object{}, &attestation.SubmissionRefused{Problems: []attestation.Problem{{Field: "kind", Rule: "§5, §6", Message: `"space_station" is not a kind`}}}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.registered++
	return objects.Object{ID: fmt.Sprintf("O-%016x", f.registered), OrganizationBIN: actor.BIN, Kind: in.Kind, Name: in.Name, Developer: in.Developer,
		LifeCycleStage: in.LifeCycleStage, Mandatory: !strings.HasPrefix(in.Kind, "nonstate_"), RegisteredAt: now}, nil
}

func (f *fakeObjects) Get(ctx context.Context, actor identity.Actor, id string) (objects.Object, error) {
	switch id {
	case ownObject:
		if actor.Role == identity.Applicant && actor.BIN != bin {
			return objects.Object{}, objects.ErrObjectNotFound
		}
		return objects.Object{ID: id, OrganizationBIN: bin, Kind: "state_is", Name: "Registry", Developer: "Operator",
			LifeCycleStage: objects.StageCreation, Mandatory: true, RegisteredAt: requestTime}, nil
	case brokenObject:
		return objects.Object{}, errors.New("dynamodb: connection reset by peer at 10.0.0.7")
	}
	return objects.Object{}, objects.ErrObjectNotFound
}

func (f *fakeObjects) ChangeStage(ctx context.Context, actor identity.Actor, id string, in objects.StageChange, now time.Time) (objects.Object, error) {
	o, err := f.Get(ctx, actor, id)
	if err != nil {
		return objects.Object{}, err
	}
	o.LifeCycleStage, o.StageSince = in.LifeCycleStage, now
	return o, nil
}

func (f *fakeObjects) List(ctx context.Context, actor identity.Actor, organization string, limit int, cursor string) ([]objects.Object, string, error) {
	f.mu.Lock()
	f.org, f.limit, f.cursor = organization, limit, cursor
	f.mu.Unlock()
	if actor.Role == identity.Applicant && organization != "" && organization != actor.BIN {
		return nil, "", apperr.Errorf(apperr.Forbidden, "", "organization: another organisation")
	}
	if cursor == "forged" {
		return nil, "", attestation.ErrBadCursor
	}
	o, _ := f.Get(ctx, identity.Actor{Role: identity.Authority}, ownObject)
	next := ""
	if limit == 1 {
		next = "next-page"
	}
	return []objects.Object{o}, next, nil
}

func (f *fakeObjects) plan(year int, rev int, now time.Time) objects.Plan {
	first := time.Date(year, 2, 20, 6, 0, 0, 0, time.UTC)
	return objects.Plan{OrganizationBIN: bin, Year: year, Revision: rev, Paragraph: "§11", DueAt: time.Date(year, 3, 2, 18, 59, 59, 0, time.UTC),
		FirstSubmittedAt: first, SubmittedAt: now,
		Rows: []objects.PlannedObject{{ObjectID: ownObject, ObjectName: "Registry", Mandatory: true, LifeCycleStage: objects.StageTesting,
			PlannedDate: fmt.Sprintf("%d-06-15", year), TestingAct: &objects.TestingAct{Number: "TA-1", Date: "2025-12-20"}}}}
}

func (f *fakeObjects) PutPlan(ctx context.Context, actor identity.Actor, year int, in objects.PlanInput, now time.Time) (objects.Plan, error) {
	var ps []attestation.Problem
	if year == 2030 {
		ps = append(ps, attestation.Problem{Field: "year", Rule: "§11, Annex 1", Message: "year 2030 is outside the years the calendar covers (2016-2027)"})
	}
	if len(in.Rows) == 0 {
		ps = append(ps, attestation.Problem{Field: "rows", Rule: "§11, Annex 1", Message: "the list names no object"})
	}
	for i, r := range in.Rows {
		if r.ObjectID != ownObject {
			ps = append(ps, attestation.Problem{Field: fmt.Sprintf("rows[%d].objectId", i), Rule: "§11, Annex 1", Message: fmt.Sprintf("no object %q", r.ObjectID)})
		}
	}
	if len(ps) > 0 {
		return objects.Plan{}, &attestation.SubmissionRefused{Problems: ps}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revisions++
	return f.plan(year, f.revisions, now), nil
}

func (f *fakeObjects) GetPlan(ctx context.Context, actor identity.Actor, organization string, year int) (objects.Plan, error) {
	f.mu.Lock()
	f.org, f.year = organization, year
	f.mu.Unlock()
	if actor.Role == identity.Applicant && organization != "" && organization != actor.BIN {
		return objects.Plan{}, apperr.Errorf(apperr.Forbidden, "", "organization: another organisation")
	}
	if year == 2030 {
		return objects.Plan{}, apperr.Errorf(apperr.Unprocessable, "", "year 2030 is outside the years the calendar covers (2016-2027)")
	}
	if year == 2025 {
		return objects.Plan{}, objects.ErrPlanNotFound
	}
	return f.plan(year, 2, requestTime), nil
}

func newObjectsEnv() (*env, *fakeObjects) {
	e := newEnv()
	f := &fakeObjects{}
	e.rebuild(func(d *Deps) { d.Objects = f })
	return e, f
}

var strangerClaims = map[string]string{"sub": "u-stranger", "cognito:groups": "[applicant]", "custom:bin": "990340001230"}

func objectParams(id string) map[string]string { return map[string]string{"objectId": id} }

func yearParams(y string) map[string]string { return map[string]string{"year": y} }

func decodeBody(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return m
}

// fieldsOf are the fields of a problem body's field-level problems.
func fieldsOf(t *testing.T, body string) []string {
	t.Helper()
	var p Problem
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range p.Problems {
		out = append(out, x.Field)
	}
	return out
}

const registration = `{"kind":"state_is","name":"E-licensing","developer":"National IT operator","lifeCycleStage":"industrial_operation"}`

func TestRegisterObject(t *testing.T) {
	t.Run("an applicant registers an object: 201 with its random ID", func(t *testing.T) {
		e, f := newObjectsEnv()
		resp, _ := e.do(t, req{routeKey: "POST /objects", path: "/objects", claims: applicantClaims, body: registration})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		v := decodeBody(t, resp.Body)
		if v["id"] != "O-0000000000000001" || v["organization"] != bin || v["kind"] != "state_is" || v["mandatory"] != true ||
			v["lifeCycleStage"] != "industrial_operation" || v["registeredAt"] != "2026-10-15T05:00:00Z" {
			t.Fatalf("answer %v", v)
		}
		if f.registered != 1 {
			t.Fatalf("%d registrations", f.registered)
		}
	})
	t.Run("§5, §6 whether attestation is mandatory is never taken from the client", func(t *testing.T) {
		e, f := newObjectsEnv()
		body := strings.Replace(registration, `{`, `{"mandatory":false,`, 1)
		resp, _ := e.do(t, req{routeKey: "POST /objects", path: "/objects", claims: applicantClaims, body: body})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, "mandatory") || f.registered != 0 {
			t.Fatalf("%d %s, want 400 naming the unknown field mandatory", resp.StatusCode, resp.Body)
		}
	})
	t.Run("§5, §6 a refused registration answers its field-level problems", func(t *testing.T) {
		e, _ := newObjectsEnv()
		body := strings.Replace(registration, "state_is", "space_station", 1)
		resp, _ := e.do(t, req{routeKey: "POST /objects", path: "/objects", claims: applicantClaims, body: body})
		if resp.StatusCode != http.StatusUnprocessableEntity || resp.Headers["Content-Type"] != "application/problem+json" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		if got := fieldsOf(t, resp.Body); !slices.Equal(got, []string{"kind"}) || !strings.Contains(resp.Body, "§5, §6") {
			t.Fatalf("problems %v: %s", got, resp.Body)
		}
	})
	for _, tc := range []struct{ name, body string }{
		{"not JSON", `{"kind":`},
		{"an unknown field", strings.Replace(registration, `{`, `{"colour":"blue",`, 1)},
		{"trailing data", registration + `{}`},
		{"a name of the wrong type", strings.Replace(registration, `"E-licensing"`, `7`, 1)},
		{"no body", ``},
	} {
		t.Run("a body that cannot be read: "+tc.name, func(t *testing.T) {
			e, f := newObjectsEnv()
			resp, _ := e.do(t, req{routeKey: "POST /objects", path: "/objects", claims: applicantClaims, body: tc.body})
			if resp.StatusCode != http.StatusBadRequest || f.registered != 0 {
				t.Fatalf("%d %s, want 400", resp.StatusCode, resp.Body)
			}
		})
	}
	t.Run("staff do not register objects", func(t *testing.T) {
		e, f := newObjectsEnv()
		for _, c := range []map[string]string{authorityClaims, stsClaims} {
			if resp, _ := e.do(t, req{routeKey: "POST /objects", path: "/objects", claims: c, body: registration}); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("%d, want 403", resp.StatusCode)
			}
		}
		if f.registered != 0 {
			t.Fatal("registered")
		}
	})
	t.Run("an Idempotency-Key replays the first answer without a second object", func(t *testing.T) {
		e, f := newObjectsEnv()
		r := req{routeKey: "POST /objects", path: "/objects", claims: applicantClaims, body: registration, headers: map[string]string{"Idempotency-Key": "obj-1"}}
		first, _ := e.do(t, r)
		again, _ := e.do(t, r)
		if first.StatusCode != 201 || again.Body != first.Body || again.Headers["Idempotent-Replayed"] != "true" || f.registered != 1 {
			t.Fatalf("first %d %s, again %d %s, %d registrations", first.StatusCode, first.Body, again.StatusCode, again.Body, f.registered)
		}
	})
}

func TestReadObject(t *testing.T) {
	e, _ := newObjectsEnv()
	get := func(claims map[string]string, id string) (int, string) {
		resp, _ := e.do(t, req{routeKey: "GET /objects/{objectId}", path: "/objects/" + id, params: objectParams(id), claims: claims})
		return resp.StatusCode, resp.Body
	}
	if status, body := get(applicantClaims, ownObject); status != 200 || decodeBody(t, body)["id"] != ownObject {
		t.Fatalf("own object: %d %s", status, body)
	}
	for _, c := range []map[string]string{authorityClaims, stsClaims} {
		if status, body := get(c, ownObject); status != 200 {
			t.Fatalf("staff: %d %s", status, body)
		}
	}
	foreignStatus, foreign := get(strangerClaims, ownObject)
	missingStatus, missing := get(strangerClaims, missingObject)
	if foreignStatus != 404 || missingStatus != 404 || foreign != missing || !strings.Contains(foreign, "no such object") {
		t.Fatalf("another organisation's object: %d %s; a missing one: %d %s; want the same 404", foreignStatus, foreign, missingStatus, missing)
	}
	if status, body := get(authorityClaims, brokenObject); status != 500 || strings.Contains(body, "10.0.0.7") {
		t.Fatalf("a store failure: %d %s, want 500 without the internal text", status, body)
	}
}

func TestListObjects(t *testing.T) {
	list := func(e *env, claims map[string]string, query map[string]string) (int, string) {
		resp, _ := e.do(t, req{routeKey: "GET /objects", path: "/objects", claims: claims, query: query})
		return resp.StatusCode, resp.Body
	}
	t.Run("an applicant lists its own organisation's objects", func(t *testing.T) {
		e, f := newObjectsEnv()
		status, body := list(e, applicantClaims, map[string]string{"limit": "1", "cursor": "abc"})
		v := decodeBody(t, body)
		if status != 200 || v["cursor"] != "next-page" || len(v["objects"].([]any)) != 1 || f.org != "" || f.limit != 1 || f.cursor != "abc" {
			t.Fatalf("%d %s (org %q limit %d cursor %q)", status, body, f.org, f.limit, f.cursor)
		}
		if status, _ := list(e, applicantClaims, map[string]string{"organization": bin}); status != 200 || f.org != bin {
			t.Fatalf("naming its own organisation: %d", status)
		}
	})
	t.Run("an applicant naming another organisation is 403", func(t *testing.T) {
		e, _ := newObjectsEnv()
		if status, body := list(e, applicantClaims, map[string]string{"organization": "990340001230"}); status != 403 {
			t.Fatalf("%d %s, want 403", status, body)
		}
	})
	t.Run("staff name the organisation", func(t *testing.T) {
		e, f := newObjectsEnv()
		if status, body := list(e, authorityClaims, map[string]string{"organization": bin}); status != 200 || f.org != bin {
			t.Fatalf("%d %s", status, body)
		}
		for _, q := range []map[string]string{nil, {"organization": ""}, {"organization": "12345"}, {"organization": "120540001239"}, {"organization": "12054000123A"}} {
			if status, body := list(e, stsClaims, q); status != 400 || !strings.Contains(body, "organization") {
				t.Fatalf("query %v: %d %s, want 400 naming organization", q, status, body)
			}
		}
	})
	t.Run("paging parameters are checked", func(t *testing.T) {
		e, _ := newObjectsEnv()
		for _, q := range []map[string]string{{"limit": "0"}, {"limit": "x"}, {"cursor": strings.Repeat("c", 2049)}, {"cursor": "forged"}} {
			if status, body := list(e, applicantClaims, q); status != 400 {
				t.Fatalf("query %v: %d %s, want 400", q, status, body)
			}
		}
	})
}

const planBody = `{"rows":[{"objectId":"O-0000000000000001","lifeCycleStage":"testing","plannedDate":"2026-06-15","testingAct":{"number":"TA-1","date":"2025-12-20"}}]}`

func TestPutPlan(t *testing.T) {
	put := func(e *env, claims map[string]string, year, body string, headers map[string]string) (int, string) {
		resp, _ := e.do(t, req{routeKey: "PUT /plans/{year}", path: "/plans/" + year, params: yearParams(year), claims: claims, body: body, headers: headers})
		return resp.StatusCode, resp.Body
	}
	t.Run("§11 the first submission is 201, a revision 200, keeping the first submission's time", func(t *testing.T) {
		e, _ := newObjectsEnv()
		status, body := put(e, applicantClaims, "2026", planBody, nil)
		v := decodeBody(t, body)
		if status != 201 || v["revision"] != 1.0 || v["late"] != false || v["year"] != 2026.0 || v["dueAt"] != "2026-03-02T18:59:59Z" {
			t.Fatalf("first: %d %s", status, body)
		}
		status, body = put(e, applicantClaims, "2026", planBody, nil)
		v = decodeBody(t, body)
		if status != 200 || v["revision"] != 2.0 || v["firstSubmittedAt"] != "2026-02-20T06:00:00Z" || v["submittedAt"] != "2026-10-15T05:00:00Z" || v["revisionLate"] != true {
			t.Fatalf("again: %d %s", status, body)
		}
		rows := v["rows"].([]any)
		if r := rows[0].(map[string]any); r["objectName"] != "Registry" || r["testingAct"].(map[string]any)["number"] != "TA-1" {
			t.Fatalf("rows %v", rows)
		}
	})
	t.Run("§11, Annex 1 a dangling objectId names its row", func(t *testing.T) {
		e, f := newObjectsEnv()
		body := `{"rows":[` + strings.Repeat(`{"objectId":"O-0000000000000001","lifeCycleStage":"creation","plannedDate":"2026-06-15"},`, 2) +
			`{"objectId":"` + danglingRow + `","lifeCycleStage":"creation","plannedDate":"2026-06-15"}]}`
		status, resp := put(e, applicantClaims, "2026", body, nil)
		if status != 422 || !slices.Equal(fieldsOf(t, resp), []string{"rows[2].objectId"}) || !strings.Contains(resp, "§11, Annex 1") || f.revisions != 0 {
			t.Fatalf("%d %s", status, resp)
		}
	})
	t.Run("§11 a year the calendar does not cover is refused naming the years", func(t *testing.T) {
		e, _ := newObjectsEnv()
		status, resp := put(e, applicantClaims, "2030", strings.ReplaceAll(planBody, "2026", "2030"), nil)
		if status != 422 || !strings.Contains(resp, "2016-2027") || !slices.Equal(fieldsOf(t, resp), []string{"year"}) {
			t.Fatalf("%d %s", status, resp)
		}
	})
	for _, tc := range []struct{ name, year, body, want string }{
		{"a year that is not a year", "20x6", planBody, "year"},
		{"a year of two digits", "26", planBody, "year"},
		{"a year of five digits", "02026", planBody, "year"},
		{"an unknown field in a row", "2026", strings.Replace(planBody, `"plannedDate"`, `"comment":"x","plannedDate"`, 1), "comment"},
		{"an unknown field at the top", "2026", strings.Replace(planBody, `{"rows"`, `{"late":false,"rows"`, 1), "late"},
		{"rows as an object", "2026", `{"rows":{}}`, "rows"},
		{"no body", "2026", ``, "body"},
	} {
		t.Run("400: "+tc.name, func(t *testing.T) {
			e, f := newObjectsEnv()
			if status, resp := put(e, applicantClaims, tc.year, tc.body, nil); status != 400 || !strings.Contains(resp, tc.want) || f.revisions != 0 {
				t.Fatalf("%d %s, want 400 naming %q", status, resp, tc.want)
			}
		})
	}
	t.Run("staff do not send plans", func(t *testing.T) {
		e, f := newObjectsEnv()
		if status, _ := put(e, authorityClaims, "2026", planBody, nil); status != 403 || f.revisions != 0 {
			t.Fatalf("%d, want 403", status)
		}
	})
	t.Run("an Idempotency-Key replays the first answer without a second revision", func(t *testing.T) {
		e, f := newObjectsEnv()
		h := map[string]string{"Idempotency-Key": "plan-2026-a"}
		s1, b1 := put(e, applicantClaims, "2026", planBody, h)
		s2, b2 := put(e, applicantClaims, "2026", planBody, h)
		if s1 != 201 || s2 != 201 || b1 != b2 || f.revisions != 1 {
			t.Fatalf("%d %s / %d %s, %d revisions", s1, b1, s2, b2, f.revisions)
		}
	})
}

func TestGetPlan(t *testing.T) {
	get := func(e *env, claims map[string]string, year string, query map[string]string) (int, string) {
		resp, _ := e.do(t, req{routeKey: "GET /plans/{year}", path: "/plans/" + year, params: yearParams(year), claims: claims, query: query})
		return resp.StatusCode, resp.Body
	}
	e, f := newObjectsEnv()
	if status, body := get(e, applicantClaims, "2026", nil); status != 200 || decodeBody(t, body)["revision"] != 2.0 || f.year != 2026 || f.org != "" {
		t.Fatalf("%d %s", status, body)
	}
	if status, body := get(e, authorityClaims, "2026", map[string]string{"organization": bin}); status != 200 || f.org != bin {
		t.Fatalf("staff: %d %s", status, body)
	}
	if status, body := get(e, stsClaims, "2026", nil); status != 400 || !strings.Contains(body, "organization") {
		t.Fatalf("staff without organization: %d %s", status, body)
	}
	if status, body := get(e, applicantClaims, "2026", map[string]string{"organization": "990340001230"}); status != 403 {
		t.Fatalf("an applicant naming another organisation: %d %s", status, body)
	}
	if status, body := get(e, applicantClaims, "2025", nil); status != 404 || !strings.Contains(body, "no plan") {
		t.Fatalf("no plan: %d %s", status, body)
	}
	if status, body := get(e, applicantClaims, "2030", nil); status != 422 || !strings.Contains(body, "2016-2027") {
		t.Fatalf("outside the calendar: %d %s", status, body)
	}
	if status, body := get(e, applicantClaims, "year", nil); status != 400 {
		t.Fatalf("not a year: %d %s", status, body)
	}
}

// TestObjectRoutesWithoutTheirService: a handler built without the objects service answers 500
// on their routes (and never panics).
func TestObjectRoutesWithoutTheirService(t *testing.T) {
	e := newEnv()
	for _, r := range []req{
		{routeKey: "POST /objects", path: "/objects", claims: applicantClaims, body: registration},
		{routeKey: "GET /objects", path: "/objects", claims: applicantClaims},
		{routeKey: "GET /objects/{objectId}", path: "/objects/" + ownObject, params: objectParams(ownObject), claims: applicantClaims},
		{routeKey: "PUT /plans/{year}", path: "/plans/2026", params: yearParams("2026"), claims: applicantClaims, body: planBody},
		{routeKey: "GET /plans/{year}", path: "/plans/2026", params: yearParams("2026"), claims: applicantClaims},
	} {
		if resp, _ := e.do(t, r); resp.StatusCode != 500 {
			t.Fatalf("%s: %d %s, want 500", r.routeKey, resp.StatusCode, resp.Body)
		}
	}
}

// TestOpenAPIObjectSchemasMatchTheGoTypes: the schemas of objects and plans have the members their
// Go types encode or decode; an answer's schema requires exactly the members always encoded.
func TestOpenAPIObjectSchemasMatchTheGoTypes(t *testing.T) {
	doc, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		schema   string
		typ      any
		response bool
	}{
		{"ObjectRegistration", objects.Registration{}, false},
		{"AnnualPlanInput", objects.PlanInput{}, false},
		{"PlanRowInput", objects.PlanRow{}, false},
		{"TestingAct", objects.TestingAct{}, true},
		{"Object", ObjectView{}, true},
		{"ObjectPage", ObjectPage{}, true},
		{"AnnualPlan", PlanView{}, true},
		{"PlanRow", PlanRowView{}, true},
	} {
		t.Run(tc.schema, func(t *testing.T) { schemaMatchesType(t, doc, tc.schema, tc.typ, tc.response) })
	}
	var stages []objects.Stage
	stages = append(stages, objects.Stages...)
	if got, want := enum(t, "LifeCycleStage"), sorted(stages); !slices.Equal(got, want) {
		t.Errorf("LifeCycleStage: openapi.yaml %v, the domain %v", got, want)
	}
}
