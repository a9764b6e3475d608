package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/getkin/kin-openapi/openapi3"

	"attestation/internal/httpapi"
	"attestation/internal/localstack"
)

// The bad-input catalogue's part about strings: every string field of every request schema of
// openapi.yaml gets an over-limit value (where the schema states a maxLength), bytes that are not
// UTF-8, a bidirectional override and a value made only of invisible characters. Each is refused
// with a 4xx problem+json for the input (400, 413 or 422: never a 404 or 409 that would only mean
// the request got past its checks), nothing in the table changes, and each call leaves one call
// record with its status.

// stringField is a string field of a request schema: its path (names, "[]" for an array's item)
// and its maxLength (0 when the schema states none).
type stringField struct {
	path      []string
	maxLength uint64
}

func (f stringField) String() string {
	return strings.ReplaceAll(strings.Join(f.path, "."), ".[]", "[]")
}

// stringFields walks a request schema to every string it holds.
func stringFields(s *openapi3.Schema, path []string, out *[]stringField) {
	if s == nil {
		return
	}
	switch {
	case s.Type.Is("string"):
		f := stringField{path: append([]string(nil), path...)}
		if s.MaxLength != nil {
			f.maxLength = *s.MaxLength
		}
		*out = append(*out, f)
	case s.Type.Is("array") && s.Items != nil:
		stringFields(s.Items.Value, append(path, "[]"), out)
	default:
		names := make([]string, 0, len(s.Properties))
		for n := range s.Properties {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			stringFields(s.Properties[n].Value, append(path, n), out)
		}
	}
}

// withValue is a deep copy of body with v at path: missing objects and arrays are made, an
// array's first item is the one set.
func withValue(body any, path []string, v any) any {
	if len(path) == 0 {
		return v
	}
	if path[0] == "[]" {
		arr, _ := body.([]any)
		arr = append([]any(nil), arr...)
		var first any
		if len(arr) > 0 {
			first = arr[0]
		} else {
			arr = append(arr, nil)
		}
		arr[0] = withValue(first, path[1:], v)
		return arr
	}
	m, _ := body.(map[string]any)
	out := map[string]any{}
	for k, x := range m {
		out[k] = x
	}
	out[path[0]] = withValue(out[path[0]], path[1:], v)
	return out
}

// plain is v through JSON: maps and slices of any, as withValue walks them.
func plain(t *testing.T, v any) any {
	t.Helper()
	var out any
	if err := json.Unmarshal(mustJSON(t, v), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// tableState is a fingerprint of every item of the table but the call records: a refused request
// leaves it as it was.
func tableState(t *testing.T) string {
	t.Helper()
	// The notify function records each delivery on its notification after the change that wrote
	// it (the stream is polled in the background): deliver what is pending first, so that only a
	// write of the request itself changes the state.
	if err := stack.PollStreams(context.Background()); err != nil {
		t.Fatal(err)
	}
	var items []string
	p := dynamodb.NewScanPaginator(stack.Clients.DynamoDB, &dynamodb.ScanInput{TableName: &stack.Template.Tables[0].Name})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			if ty, ok := it["type"].(*ddbtypes.AttributeValueMemberS); ok && ty.Value == "call" {
				continue
			}
			b, err := json.Marshal(it)
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, string(b))
		}
	}
	sort.Strings(items)
	h := sha256.Sum256([]byte(strings.Join(items, "\n")))
	return fmt.Sprintf("%d items %s", len(items), hex.EncodeToString(h[:8]))
}

// abuseReply is the answer to one hostile request.
type abuseReply struct {
	status           int
	contentType, raw string
	requestID        string
	err              error
}

// abuseCall sends body as JSON with a token, from any goroutine; the answer is validated against
// openapi.yaml like every other.
func abuseCall(t *testing.T, method, path, tok string, body []byte) abuseReply {
	req, err := http.NewRequest(method, stack.APIURL+path, bytes.NewReader(body))
	if err != nil {
		return abuseReply{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return abuseReply{err: err}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkResponse(t, req, resp, raw)
	r := abuseReply{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), raw: string(raw), requestID: resp.Header.Get("Apigw-Requestid")}
	if r.requestID == "" {
		r.err = fmt.Errorf("%s %s: no Apigw-Requestid header", method, path)
	}
	return r
}

// abuseValue is one hostile value of a string field.
type abuseValue struct {
	name string
	raw  []byte // the JSON string as sent, quotes included
}

func abuseValues(f stringField) []abuseValue {
	vs := []abuseValue{
		{"invalid UTF-8", []byte("\"Reg\xffistry \xc3\"")},
		{"bidirectional override", []byte("\"Registry\u202Efdp.exe\"")},
		{"invisible only", []byte("\"\u200B\u200C\u200D\u2060\uFEFF\"")},
	}
	if f.maxLength > 0 {
		vs = append([]abuseValue{{fmt.Sprintf("over maxLength %d", f.maxLength), []byte(`"` + strings.Repeat("ж", int(f.maxLength)+1) + `"`)}}, vs...)
	}
	return vs
}

// TestEveryStringFieldRefusesAbuse is the catalogue: every string field of every request schema,
// four hostile values each.
func TestEveryStringFieldRefusesAbuse(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(httpapi.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	stack.Clock.Freeze(day(10, 15, 10))
	owner := as(t, localstack.DemoApplicant)
	p := file(t, day(10, 15, 10), application(t, "Abuse case", false))
	params := map[string]string{"caseId": p.id, "year": "2026", "seq": "99999", "changeId": "c1", "requestId": "d1"}
	params["draftId"] = owner.draft(map[string]any{"applicant": application(t, "x", false)["applicant"]})
	// The STS reaches a case only once it is forwarded (§16): its routes take such a case.
	forwarded := file(t, day(10, 15, 10), application(t, "Abuse case forwarded", false))
	forwarded.act(forwarded.authority, day(10, 15, 10), "completeness_check", "forward", nil)
	forwarded.open("send_contract")
	routeParams := map[string]map[string]string{"POST /cases/{caseId}/uploads": {"caseId": forwarded.id}}
	params["objectId"] = registerObject(t, owner, "Abuse object")
	params["complaintId"] = fileComplaint(t, owner, complaintBody("service_provider", "Abuse complaint"))["id"].(string)
	app, auth, sts := localstack.DemoApplicant, localstack.DemoAuthority, localstack.DemoSTS
	type base struct {
		user localstack.User
		body any
	}
	bases := map[string]base{
		"POST /drafts":                                                {app, draftBody(t, "Abuse draft")},
		"PUT /drafts/{draftId}":                                       {app, draftBody(t, "Abuse draft")},
		"POST /drafts/{draftId}/uploads":                              {app, declaration("annex3_01")},
		"POST /cases/{caseId}/uploads":                                {sts, declaration("contract")},
		"POST /cases/{caseId}/step":                                   {auth, map[string]any{"step": "completeness_check", "outcome": "return", "reasons": []string{"Abuse"}, "grounds": []string{"incomplete_package"}}},
		"POST /objects":                                               {app, objectBody("Abuse object", "state_is", "creation")},
		"PUT /objects/{objectId}/stage":                               {app, map[string]any{"lifeCycleStage": "creation"}},
		"PUT /plans/{year}":                                           {app, planOf(planRow(params["objectId"], "trial_operation", "2026-11-20", map[string]any{"number": "T-1", "date": "2026-10-01"}))},
		"POST /complaints":                                            {app, complaintBody("service_provider", "Abuse complaint")},
		"POST /complaints/{complaintId}/decision":                     {auth, map[string]any{"outcome": "rejected", "answer": "Abuse"}},
		"POST /certificates/{year}/{seq}/changes":                     {app, map[string]any{"description": "Abuse change"}},
		"POST /certificates/{year}/{seq}/changes/{changeId}/decision": {auth, map[string]any{"decision": "not_required", "reasons": []string{"abuse"}}},
		"POST /certificates/{year}/{seq}/recall":                      {auth, recallBody("owner_application")},
		"POST /certificates/{year}/{seq}/duplicates":                  {app, map[string]any{"reason": "lost"}},
		"POST /certificates/{year}/{seq}/cessation":                   {app, map[string]any{"ceasedOn": "2026-10-01"}},
		"POST /certificates/{year}/{seq}/recall-application":          {app, map[string]any{"reasons": []string{"Abuse"}}},
		"POST /cases/{caseId}/attention/resume":                       {auth, map[string]any{"reasons": []string{"Abuse"}}},
		"POST /office/filings":                                        {localstack.DemoOffice, officeFilingBody(t, "Abuse paper registry")},
		"POST /survey-methodology":                                    {auth, map[string]any{"version": "2026.9", "title": "Abuse methodology", "text": "Abuse"}},
		"POST /complaints/registrations": {auth, map[string]any{"addressee": "service_provider", "channel": "post", "organization": localstack.DemoApplicant.BIN,
			"complainantName": "A. Aigerim", "subject": "Abuse registered complaint", "incomingNumber": "ВХ-2026/0001", "registeredBy": "Serikbayev A.",
			"receivedAt": "2026-10-15T04:00:00Z"}},
		"POST /office/cases/{caseId}/handovers": {localstack.DemoOffice, map[string]any{"document": "certificate", "representative": representative()}},
		"POST /cases/{caseId}/attention/close":  {auth, map[string]any{"reasons": []string{"Abuse"}}},
		"PUT /contacts":                         {app, map[string]any{"addresses": []string{"abuse@example.kz"}, "language": "kk"}},
		"POST /drafts/{draftId}/uploads/batch":  {app, map[string]any{"uploads": []any{declaration("annex3_01")}}},
		"POST /drafts/{draftId}/uploads/confirm": {app, map[string]any{"uploads": []string{
			declare(t, owner, "/drafts/"+params["draftId"]+"/uploads", "annex3_02")}}},
	}
	type sentCall struct {
		what   string
		id     string
		status int
	}
	var calls []sentCall
	var mu sync.Mutex
	var noLimit []string
	const placeholder = "\"@@abuse@@\""
	var state string        // the table's state before the next field's values are sent
	var sinceCheck []string // the fields sent since the table was last compared
	checkEvery := 10
	if os.Getenv("ABUSE_EACH_FIELD") != "" {
		checkEvery = 1
	}
	compareState := func() {
		t.Helper()
		if after := tableState(t); after != state {
			t.Errorf("a refused request wrote: %s -> %s; one of: %s", state, after, strings.Join(sinceCheck, "; "))
			state = after
		}
		sinceCheck = nil
	}
	paths := make([]string, 0, len(doc.Paths.Map()))
	for k := range doc.Paths.Map() {
		paths = append(paths, k)
	}
	sort.Strings(paths)
	for _, route := range paths {
		item := doc.Paths.Map()[route]
		for method, op := range item.Operations() {
			if op.RequestBody == nil {
				continue
			}
			key := method + " " + route
			b, ok := bases[key]
			if !ok {
				t.Errorf("%s takes a body and this catalogue has no valid one for it: add one", key)
				continue
			}
			var fields []stringField
			stringFields(op.RequestBody.Value.Content.Get("application/json").Schema.Value, nil, &fields)
			if len(fields) == 0 {
				t.Errorf("%s: no string field in its schema", key)
			}
			ps := maps.Clone(params)
			maps.Copy(ps, routeParams[key])
			path := fillPath(t, route, ps)
			for _, f := range fields {
				if f.maxLength == 0 {
					noLimit = append(noLimit, key+" "+f.String())
				}
				if state == "" {
					state = tableState(t)
				}
				t.Run(key+" "+f.String(), func(t *testing.T) {
					stack.Clock.Freeze(day(10, 15, 11))
					body := mustJSON(t, withValue(plain(t, b.body), f.path, "@@abuse@@"))
					if !bytes.Contains(body, []byte(placeholder)) {
						t.Fatalf("the field was not set: %s", body)
					}
					// The values of one field go side by side.
					vs := abuseValues(f)
					tok := token(t, b.user)
					got := make([]abuseReply, len(vs))
					var wg sync.WaitGroup
					for i, v := range vs {
						wg.Add(1)
						go func() {
							defer wg.Done()
							got[i] = abuseCall(t, method, path, tok, bytes.Replace(body, []byte(placeholder), v.raw, 1))
						}()
					}
					wg.Wait()
					for i, v := range vs {
						r := got[i]
						if r.err != nil {
							t.Fatalf("%s: %v", v.name, r.err)
						}
						mu.Lock()
						calls = append(calls, sentCall{what: key + " " + f.String() + ": " + v.name, id: r.requestID, status: r.status})
						mu.Unlock()
						switch r.status {
						case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
						default:
							t.Errorf("%s: %d, want 400, 413 or 422 for the input: %.200s", v.name, r.status, r.raw)
							continue
						}
						if r.contentType != "application/problem+json" {
							t.Errorf("%s: content type %q", v.name, r.contentType)
						}
					}
				})
				// The table is compared every tenth field (a Scan of the whole table is most of this
				// test's cost): a write is caught, and named to within the fields since the last
				// comparison, which ABUSE_EACH_FIELD=1 narrows to one.
				sinceCheck = append(sinceCheck, key+" "+f.String())
				if len(sinceCheck) == checkEvery {
					compareState()
				}
			}
		}
	}
	if len(sinceCheck) > 0 {
		compareState()
	}
	// One call record for each call, with its status.
	recs := records(t, auth, "/audit/days/2026-10-15")
	for _, c := range calls {
		got := recs[c.id]
		if len(got) != 1 || got[0]["status"] != float64(c.status) {
			t.Errorf("%s: records of request %s: %v, want one with status %d", c.what, c.id, got, c.status)
		}
	}
	sort.Strings(noLimit)
	t.Logf("%d hostile string values sent; string fields without a maxLength (no over-limit value): %d\n%s",
		len(calls), len(noLimit), strings.Join(noLimit, "\n"))
}
