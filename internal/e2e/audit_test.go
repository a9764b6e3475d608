package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"attestation/internal/localstack"
)

// reply is an HTTP answer with the request ID API Gateway gave the call.
type reply struct {
	status    int
	body      map[string]any
	requestID string
	header    http.Header
}

// call sends one request with a raw token ("" for none) and extra headers.
func call(t *testing.T, method, path, token string, body any, headers map[string]string) reply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, stack.APIURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkResponse(t, req, resp, raw)
	out := reply{status: resp.StatusCode, requestID: resp.Header.Get("Apigw-Requestid"), header: resp.Header}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			t.Fatalf("%s %s: %d, body not JSON: %s", method, path, resp.StatusCode, raw)
		}
	}
	if out.requestID == "" {
		t.Fatalf("%s %s: no Apigw-Requestid header", method, path)
	}
	return out
}

// records reads every page of an audit route as u, and returns the records by request ID.
func records(t *testing.T, u localstack.User, route string) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 200 {
			t.Fatalf("%s: more than 200 pages", route)
		}
		q := "?limit=100"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		r := call(t, "GET", route+q, token(t, u), nil, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s%s as %s: %d %v", route, q, u.Role, r.status, r.body)
		}
		list, _ := r.body["records"].([]any)
		for _, x := range list {
			rec := x.(map[string]any)
			id := fmt.Sprint(rec["requestId"])
			out[id] = append(out[id], rec)
		}
		next, _ := r.body["cursor"].(string)
		if next == "" {
			return out
		}
		cursor = next
	}
}

// oneRecord checks that exactly one record carries reqID, with the given status and origin.
func oneRecord(t *testing.T, where string, recs map[string][]map[string]any, reqID string, status int, origin string) map[string]any {
	t.Helper()
	got := recs[reqID]
	if len(got) != 1 {
		t.Fatalf("%s: %d records of request %s, want 1: %v", where, len(got), reqID, got)
	}
	r := got[0]
	if r["status"] != float64(status) || r["origin"] != origin {
		t.Fatalf("%s: record of %s: %v, want status %d from %s", where, reqID, r, status, origin)
	}
	if r["time"] != "2026-10-15T05:00:00Z" {
		t.Fatalf("%s: record time %v, want the request's time 2026-10-15T05:00:00Z", where, r["time"])
	}
	return r
}

// TestCallsAreRecordedAndStaffReadThem: a call the authorizer refuses, a call the function
// refuses and an accepted call each leave one record, found by day and by case; applicants
// cannot read records.
func TestCallsAreRecordedAndStaffReadThem(t *testing.T) {
	stack.Clock.Freeze(time.Date(2026, 10, 15, 10, 0, 0, 0, almaty))
	applicant := localstack.DemoApplicant

	draftID := as(t, applicant).draft(application(t, "Call records", false))
	filed := call(t, "POST", "/drafts/"+draftID+"/submit", token(t, applicant), nil, nil)
	if filed.status != http.StatusCreated {
		t.Fatalf("submit: %d %v", filed.status, filed.body)
	}
	caseID := filed.body["id"].(string)
	noToken := call(t, "GET", "/cases/"+caseID, "", nil, nil)
	if noToken.status != http.StatusUnauthorized {
		t.Fatalf("no token: %d", noToken.status)
	}
	wrongRole := call(t, "POST", "/cases/"+caseID+"/withdraw", token(t, localstack.DemoAuthority), nil, nil)
	if wrongRole.status != http.StatusForbidden {
		t.Fatalf("authority withdrawing: %d %v", wrongRole.status, wrongRole.body)
	}

	// Applicants may not read records, and their attempt is itself recorded.
	for _, route := range []string{"/audit/days/2026-10-15", "/audit/cases/" + caseID} {
		if r := call(t, "GET", route, token(t, applicant), nil, nil); r.status != http.StatusForbidden {
			t.Fatalf("applicant GET %s: %d %v, want 403", route, r.status, r.body)
		}
		if r := call(t, "GET", route, "", nil, nil); r.status != http.StatusUnauthorized {
			t.Fatalf("GET %s without a token: %d, want 401", route, r.status)
		}
	}
	applicantRead := call(t, "GET", "/audit/cases/"+caseID, token(t, applicant), nil, nil)

	for _, reader := range []localstack.User{localstack.DemoAuthority, localstack.DemoSTS} {
		byDay := records(t, reader, "/audit/days/2026-10-15")
		byCase := records(t, reader, "/audit/cases/"+caseID)
		for where, recs := range map[string]map[string][]map[string]any{"by day": byDay, "by case": byCase} {
			r := oneRecord(t, where, recs, filed.requestID, http.StatusCreated, "api")
			if r["user"] != applicant.Subject || r["role"] != "applicant" || r["organization"] != applicant.BIN ||
				r["caseId"] != caseID || r["operation"] != "POST /drafts/{draftId}/submit" || r["sourceIp"] != "127.0.0.1" || r["path"] != "/drafts/"+draftID+"/submit" {
				t.Fatalf("%s: the filing's record: %v", where, r)
			}
			r = oneRecord(t, where, recs, noToken.requestID, http.StatusUnauthorized, "gateway")
			if r["reason"] != "authorizer: no token" || r["user"] != nil || r["caseId"] != caseID || r["routeKey"] != "GET /cases/{caseId}" {
				t.Fatalf("%s: the refused token's record: %v", where, r)
			}
			r = oneRecord(t, where, recs, wrongRole.requestID, http.StatusForbidden, "api")
			if r["user"] != localstack.DemoAuthority.Subject || r["role"] != "authority" || r["reason"] == nil {
				t.Fatalf("%s: the wrong role's record: %v", where, r)
			}
			oneRecord(t, where, recs, applicantRead.requestID, http.StatusForbidden, "api")
		}
	}
	if r := call(t, "GET", "/audit/days/15-10-2026", token(t, localstack.DemoAuthority), nil, nil); r.status != http.StatusBadRequest {
		t.Fatalf("a malformed day: %d %v", r.status, r.body)
	}
}

// cases counts the demo applicant's cases (the by-owner index) and the state machine's executions.
func cases(t *testing.T) (int, int) {
	t.Helper()
	ctx := context.Background()
	n := 0
	p := dynamodb.NewQueryPaginator(stack.Clients.DynamoDB, &dynamodb.QueryInput{TableName: &stack.Template.Tables[0].Name,
		IndexName: aws.String("gsi1"), KeyConditionExpression: aws.String("gsi1pk = :pk AND begins_with(gsi1sk, :c)"), Select: ddbtypes.SelectCount,
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":pk": &ddbtypes.AttributeValueMemberS{Value: "ORG#" + localstack.DemoApplicant.BIN},
			":c":  &ddbtypes.AttributeValueMemberS{Value: "CASE#"}}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += int(page.Count)
	}
	execs := 0
	ep := sfn.NewListExecutionsPaginator(stack.Clients.SFN, &sfn.ListExecutionsInput{StateMachineArn: aws.String(stack.StateMachineARN())})
	for ep.HasMorePages() {
		page, err := ep.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		execs += len(page.Executions)
	}
	return n, execs
}

// TestARepeatedFilingWithTheSameKeyCreatesOneCase: the repeat gets the first response, and one
// case with one execution exists; the same key with another package is 422.
func TestARepeatedFilingWithTheSameKeyCreatesOneCase(t *testing.T) {
	stack.Clock.Freeze(time.Date(2026, 10, 15, 10, 0, 0, 0, almaty))
	applicant := localstack.DemoApplicant
	casesBefore, execsBefore := cases(t)
	key := map[string]string{"Idempotency-Key": fmt.Sprintf("e2e-filing-%d", time.Now().UnixNano())}
	app := application(t, "Filed once", false)

	submit := "/drafts/" + as(t, applicant).draft(app) + "/submit"
	first := call(t, "POST", submit, token(t, applicant), nil, key)
	stack.Clock.Advance(time.Minute) // a retry a minute later, with a fresh token
	again := call(t, "POST", submit, token(t, applicant), nil, key)
	if first.status != http.StatusCreated || again.status != http.StatusCreated {
		t.Fatalf("first %d %v, again %d %v", first.status, first.body, again.status, again.body)
	}
	if first.body["id"] != again.body["id"] || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the repeat is not the first response: %v vs %v (%v)", first.body, again.body, again.header)
	}
	// Without the key, a repeated submit of the same draft answers the same case: a draft is
	// filed once.
	if r := call(t, "POST", submit, token(t, applicant), nil, nil); r.status != http.StatusCreated || r.body["id"] != first.body["id"] {
		t.Fatalf("a repeated submit without a key: %d %v", r.status, r.body)
	}
	other := "/drafts/" + as(t, applicant).draft(application(t, "Another object", false)) + "/submit"
	if r := call(t, "POST", other, token(t, applicant), nil, key); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("same key, another draft: %d %v", r.status, r.body)
	}
	if r := call(t, "POST", other, token(t, applicant), nil, map[string]string{"Idempotency-Key": "bad key"}); r.status != http.StatusBadRequest ||
		r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("a malformed key: %d %v", r.status, r.body)
	}
	casesAfter, execsAfter := cases(t)
	if casesAfter != casesBefore+1 || execsAfter != execsBefore+1 {
		t.Fatalf("cases %d -> %d, executions %d -> %d: want one more of each", casesBefore, casesAfter, execsBefore, execsAfter)
	}
	// Both calls are recorded under the case, the repeat marked replayed.
	byCase := records(t, localstack.DemoAuthority, "/audit/cases/"+first.body["id"].(string))
	if len(byCase[first.requestID]) != 1 || len(byCase[again.requestID]) != 1 || byCase[again.requestID][0]["replayed"] != true {
		t.Fatalf("records of the filing and its repeat: %v", byCase)
	}
}
