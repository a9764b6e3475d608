package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"attestation/internal/attestation"
	"attestation/internal/audit"
	"attestation/internal/identity"
	"attestation/internal/samtemplate"
)

// The document and its router, loaded once for every test of the package.
var apiSpec = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI())
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("validate openapi.yaml: %w", err)
	}
	return doc, nil
})

var apiRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := apiSpec()
	if err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(doc)
})

// validated and skipped count the handler's responses checked against the document, and those
// to route keys the handler does not serve (answered 404 "no such route", outside the document).
var validated, skipped atomic.Int64

func TestMain(m *testing.M) {
	code := m.Run()
	fmt.Printf("openapi: %d handler responses validated against openapi.yaml (%d to unserved route keys not checked)\n",
		validated.Load(), skipped.Load())
	os.Exit(code)
}

// checkResponse validates resp, the handler's answer to ev, against openapi.yaml with
// kin-openapi: the route is in the document, the status is declared for it, and the content type,
// headers and body match the declared response. A mismatch fails t with kin-openapi's message.
func checkResponse(t testing.TB, ev events.APIGatewayV2HTTPRequest, resp events.APIGatewayV2HTTPResponse) {
	t.Helper()
	if err := validateResponse(ev, resp); err != nil {
		t.Errorf("%s %s: response %d does not match openapi.yaml: %v\nbody: %s", ev.RouteKey, ev.RawPath, resp.StatusCode, err, resp.Body)
	}
}

func validateResponse(ev events.APIGatewayV2HTTPRequest, resp events.APIGatewayV2HTTPResponse) error {
	if _, served := (&Handler{}).routes()[ev.RouteKey]; !served {
		skipped.Add(1)
		return nil
	}
	router, err := apiRouter()
	if err != nil {
		return err
	}
	method, _, _ := strings.Cut(ev.RouteKey, " ")
	u := &url.URL{Scheme: "https", Host: "api.example", Path: ev.RawPath}
	if len(ev.QueryStringParameters) > 0 {
		q := url.Values{}
		for k, v := range ev.QueryStringParameters {
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
	}
	req, err := http.NewRequest(method, u.String(), strings.NewReader(ev.Body))
	if err != nil {
		return err
	}
	for k, v := range ev.Headers {
		req.Header.Set(k, v)
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("route %s %s: %w", method, ev.RawPath, err)
	}
	if got := route.Method + " " + route.Path; got != ev.RouteKey {
		return fmt.Errorf("%s %s is routed to %s in openapi.yaml, not to %s", method, ev.RawPath, got, ev.RouteKey)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return fmt.Errorf("response body is not base64: %w", err)
		}
	}
	header := http.Header{}
	for k, v := range resp.Headers {
		header.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			header.Add(k, v)
		}
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return err
	}
	validated.Add(1)
	return nil
}

func TestOpenAPIDocumentLoadsAndValidates(t *testing.T) {
	doc, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Fatalf("openapi %q, want 3.0.3 (the version API Gateway HTTP APIs import)", doc.OpenAPI)
	}
	if _, err := apiRouter(); err != nil {
		t.Fatal(err)
	}
	if s := doc.Components.SecuritySchemes["CognitoJwt"]; s == nil || s.Value.Type != "http" || s.Value.Scheme != "bearer" || s.Value.BearerFormat != "JWT" {
		t.Fatalf("no bearer JWT security scheme CognitoJwt")
	}
	if doc.Security == nil || len(doc.Security) != 1 || doc.Security[0]["CognitoJwt"] == nil {
		t.Fatalf("the document's default security is not CognitoJwt: %v", doc.Security)
	}
}

// documented is one operation of the document.
type documented struct {
	key         string // "POST /cases/{caseId}/step"
	operationID string
	public      bool // security: []
	roles       []string
	idempotent  bool // takes the Idempotency-Key header
}

func operations(t *testing.T) map[string]documented {
	t.Helper()
	doc, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]documented{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			d := documented{key: method + " " + path, operationID: op.OperationID}
			if op.Security != nil {
				d.public = len(*op.Security) == 0
			}
			raw, ok := op.Extensions["x-roles"].([]any)
			if !ok {
				t.Fatalf("%s: x-roles is missing or not a list: %#v", d.key, op.Extensions["x-roles"])
			}
			for _, r := range raw {
				d.roles = append(d.roles, fmt.Sprint(r))
			}
			for _, p := range op.Parameters {
				if p.Value.In == openapi3.ParameterInHeader && p.Value.Name == IdempotencyKeyHeader {
					d.idempotent = true
				}
			}
			out[d.key] = d
		}
	}
	return out
}

// TestOpenAPIRoutesMatchTheTemplateAndTheHandler: the document lists exactly the routes
// template.yaml declares for ApiFunction and the handler serves, each named by its event, public
// exactly when the template's route is, with the handler's roles and its Idempotency-Key.
func TestOpenAPIRoutesMatchTheTemplateAndTheHandler(t *testing.T) {
	tpl, err := samtemplate.Load("../../template.yaml", samtemplate.Names{Region: "us-east-1", AccountID: "123456789012"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fn, ok := tpl.Function("ApiFunction")
	if !ok {
		t.Fatal("no ApiFunction in template.yaml")
	}
	ops := operations(t)
	served := (&Handler{}).routes()
	var declared, inDoc, inHandler []string
	for _, r := range fn.Routes {
		declared = append(declared, r.Key())
	}
	for k := range ops {
		inDoc = append(inDoc, k)
	}
	for k := range served {
		inHandler = append(inHandler, k)
	}
	sort.Strings(declared)
	sort.Strings(inDoc)
	sort.Strings(inHandler)
	if !slices.Equal(inDoc, declared) || !slices.Equal(inDoc, inHandler) {
		t.Fatalf("openapi.yaml lists %v\ntemplate.yaml declares %v\nthe handler serves %v", inDoc, declared, inHandler)
	}
	for _, r := range fn.Routes {
		t.Run(r.Key(), func(t *testing.T) {
			op, rt := ops[r.Key()], served[r.Key()]
			if op.operationID != r.EventName {
				t.Errorf("operationId %q, want the template's event name %q", op.operationID, r.EventName)
			}
			if op.public != r.Public || op.public != (len(rt.roles) == 0) {
				t.Errorf("public: openapi.yaml %t, template.yaml %t, handler %t", op.public, r.Public, len(rt.roles) == 0)
			}
			var want []string
			for _, role := range rt.roles {
				want = append(want, string(role))
			}
			got := slices.Clone(op.roles)
			sort.Strings(got)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("x-roles %v, the handler lets through %v", op.roles, want)
			}
			if op.idempotent != rt.idempotent {
				t.Errorf("Idempotency-Key documented %t, honoured by the handler %t", op.idempotent, rt.idempotent)
			}
		})
	}
}

// enum is a schema's enum as strings.
func enum(t *testing.T, name string) []string {
	t.Helper()
	doc, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	s := doc.Components.Schemas[name]
	if s == nil {
		t.Fatalf("no schema %s", name)
	}
	var out []string
	for _, v := range s.Value.Enum {
		out = append(out, fmt.Sprint(v))
	}
	sort.Strings(out)
	return out
}

func sorted[T ~string](xs []T) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, string(x))
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// TestOpenAPIEnumsMatchTheDomain: the steps, stages, outcomes and roles the document names are
// the procedure's.
func TestOpenAPIEnumsMatchTheDomain(t *testing.T) {
	var steps []attestation.Stage
	var outcomes []attestation.Outcome
	for stage, rule := range attestation.Procedure {
		steps = append(steps, stage)
		if string(stage) != rule.Step {
			t.Fatalf("stage %s has step %s", stage, rule.Step)
		}
		for o := range rule.Outcomes {
			outcomes = append(outcomes, o)
		}
	}
	ends := []attestation.Stage{attestation.StageIssued, attestation.StageRefused, attestation.StageReturned, attestation.StageCancelled, attestation.StageWithdrawn, attestation.StageDiscontinued}
	for _, s := range ends {
		if !s.Ended() {
			t.Fatalf("%s is not an end stage", s)
		}
	}
	stages := append(append(slices.Clone(steps), attestation.StageSubmitted, attestation.StageCompletenessCheck), ends...)
	roles := []identity.Role{identity.Applicant, identity.Authority, identity.STS}
	for _, tc := range []struct {
		schema string
		want   []string
	}{
		{"StepName", sorted(steps)},
		{"Stage", sorted(stages)},
		{"Outcome", sorted(outcomes)},
		{"EventOutcome", sorted(append(slices.Clone(outcomes), "lapsed"))},
		{"Role", sorted(roles)},
		{"ActorRole", sorted(append(slices.Clone(roles), identity.Scheduler, identity.Office))}, // the office acts on its paper cases
	} {
		if got := enum(t, tc.schema); !slices.Equal(got, tc.want) {
			t.Errorf("%s: openapi.yaml %v, the domain %v", tc.schema, got, tc.want)
		}
	}
}

// jsonFields are the JSON member names of a struct type, and those always present (no omitempty
// nor omitzero).
func jsonFields(typ reflect.Type) (all, always []string) {
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		all = append(all, name)
		if o := strings.Split(opts, ","); !slices.Contains(o, "omitempty") && !slices.Contains(o, "omitzero") {
			always = append(always, name)
		}
	}
	sort.Strings(all)
	sort.Strings(always)
	return all, always
}

// TestOpenAPISchemasMatchTheGoTypes: each schema has the members its Go type encodes or decodes;
// an answer's schema requires exactly the members always encoded; a request's schema rejects
// unknown members, as the handler does.
func TestOpenAPISchemasMatchTheGoTypes(t *testing.T) {
	doc, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		schema   string
		typ      any
		response bool // the handler encodes it: required = always encoded
	}{
		{"Package", attestation.Package{}, false},
		{"Applicant", attestation.Applicant{}, false},
		{"ObjectInfo", attestation.ObjectInfo{}, false},
		{"ObjectFlags", attestation.ObjectFlags{}, false},
		{"DocumentRef", attestation.DocumentRef{}, false},
		{"HardwareItem", attestation.HardwareItem{}, false},
		{"SoftwareItem", attestation.SoftwareItem{}, false},
		{"IntegratedObject", attestation.IntegratedObject{}, false},
		{"Completion", attestation.Completion{}, false},
		{"AttachedDocument", attestation.Document{}, false},
		{"Case", CaseView{}, true},
		{"OpenStep", StepView{}, true},
		{"Decision", DecisionView{}, true},
		{"Document", attestation.Document{}, true},
		{"Event", attestation.Event{}, true},
		{"Problem", Problem{}, true},
		{"FieldProblem", attestation.Problem{}, true},
		{"RecordPage", audit.Page{}, true},
		{"CallRecord", audit.Record{}, true},
	} {
		t.Run(tc.schema, func(t *testing.T) { schemaMatchesType(t, doc, tc.schema, tc.typ, tc.response) })
	}
}

// TestOpenAPIValidationCatchesMismatches: the check every handler response goes through fails
// on an undeclared status, a wrong content type, a missing or unknown member, a wrong enum or
// format.
func TestOpenAPIValidationCatchesMismatches(t *testing.T) {
	get := req{routeKey: "GET /cases/{caseId}", path: "/cases/A-1", params: caseParams("A-1"), claims: authorityClaims}.event()
	health := req{routeKey: "GET /health", path: "/health"}.event()
	jsonCT := map[string]string{"Content-Type": "application/json"}
	problemJSON := map[string]string{"Content-Type": "application/problem+json"}
	good := `{"id":"A-1","objectName":"x","stage":"survey","edition":"e","submittedAt":"2026-10-15T05:00:00Z","receivedAt":"2026-10-15T05:00:00Z"}`
	if err := validateResponse(get, events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonCT, Body: good}); err != nil {
		t.Fatalf("a valid case: %v", err)
	}
	for _, tc := range []struct {
		name string
		ev   events.APIGatewayV2HTTPRequest
		resp events.APIGatewayV2HTTPResponse
		want string
	}{
		{"undeclared status", get, events.APIGatewayV2HTTPResponse{StatusCode: 409, Headers: problemJSON, Body: `{"type":"about:blank","title":"t","status":409}`}, "status"},
		{"wrong content type", get, events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: problemJSON, Body: good}, "Content-Type"},
		{"missing member", get, events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonCT, Body: `{"id":"A-1"}`}, "stage"},
		{"unknown member", get, events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonCT, Body: strings.Replace(good, `"id"`, `"caseId":"A-1","id"`, 1)}, "caseId"},
		{"unknown stage", get, events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonCT, Body: strings.Replace(good, "survey", "surveying", 1)}, "surveying"},
		{"not a date-time", health, events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonCT, Body: `{"status":"ok","time":"15.10.2026"}`}, "date-time"},
		{"a problem without its title", get, events.APIGatewayV2HTTPResponse{StatusCode: 404, Headers: problemJSON, Body: `{"type":"about:blank","status":404}`}, "title"},
		{"a problem as plain JSON", get, events.APIGatewayV2HTTPResponse{StatusCode: 404, Headers: jsonCT, Body: `{"type":"about:blank","title":"t","status":404}`}, "Content-Type"},
		{"a bad Cache-Control", health, events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json", "Cache-Control": "max-age=60"},
			Body: `{"status":"ok","time":"2026-10-15T05:00:00Z"}`}, "Cache-Control"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := validateResponse(tc.ev, tc.resp)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one naming %q", err, tc.want)
			}
		})
	}
}

// schemaMatchesType checks an OpenAPI schema against the Go type it describes: the same
// properties, no others allowed, and for a response the properties the handler always sends
// marked required.
func schemaMatchesType(t *testing.T, doc *openapi3.T, schema string, typ any, response bool) {
	t.Helper()
	ref := doc.Components.Schemas[schema]
	if ref == nil {
		t.Fatalf("no schema %s", schema)
	}
	s := ref.Value
	all, always := jsonFields(reflect.TypeOf(typ))
	var props []string
	for name := range s.Properties {
		props = append(props, name)
	}
	sort.Strings(props)
	if !slices.Equal(props, all) {
		t.Errorf("properties %v, the Go type has %v", props, all)
	}
	if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
		t.Errorf("additionalProperties is not false")
	}
	if response {
		req := slices.Clone(s.Required)
		sort.Strings(req)
		if !slices.Equal(req, always) {
			t.Errorf("required %v, the handler always sends %v", req, always)
		}
	}
}
