package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/dynamostore"
	"attestation/internal/localstack"
)

// wellShaped are path parameters of the right shape, so that the one hostile parameter of a call
// is the one refused.
var wellShaped = map[string]string{"caseId": "A-20261208-0000000000000000", "draftId": "D-" + strings.Repeat("0", 24),
	"uploadId": "U-" + strings.Repeat("0", 32), "day": "2026-12-08", "objectId": "O-" + strings.Repeat("0", 16),
	"complaintId": "C-" + strings.Repeat("0", 24), "year": "2026", "seq": "00001", "changeId": "c1", "requestId": "d1"}

// hostileValues are path parameters as an attacker sends them, written as they go on the wire.
var hostileValues = map[string]string{
	"2 KB":               strings.Repeat("9", 2048),
	"2 KB of UTF-8":      strings.Repeat("%D0%96", 700),
	"NUL and 0xFF":       "A-1%00%FF",
	"encoded slashes":    "A-1%2F..%2F..%2Fhealth",
	"encoded backslash":  "..%5C..%5Cx",
	"right-to-left mark": "A-1%E2%80%AE",
	"a quote and braces": "%22%7B%7D%22",
}

// rawCall sends method to path (already escaped) with a token or none, and a marker user agent;
// the answer is not checked against openapi.yaml, which cannot route an encoded slash.
func rawCall(t *testing.T, method, path, tok, agent string) (int, string, map[string]any) {
	t.Helper()
	var body io.Reader
	if method == "POST" || method == "PUT" {
		body = strings.NewReader("{}")
	}
	req, err := http.NewRequest(method, stack.APIURL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", agent)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s %.120s: %d, body not JSON: %.300s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), m
}

// callsWithAgent counts the call records of day whose user agent is agent, read from the store.
func callsWithAgent(t *testing.T, day, agent string) int {
	t.Helper()
	a := dynamostore.NewAudit(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
	n, cursor := 0, ""
	for {
		p, err := a.ByDay(context.Background(), day, 100, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Records {
			if r.UserAgent == agent {
				n++
			}
		}
		if cursor = p.Cursor; cursor == "" {
			return n
		}
	}
}

// itemsBesidesCalls counts the table's items that are not call records.
func itemsBesidesCalls(t *testing.T) int {
	t.Helper()
	n := 0
	p := dynamodb.NewScanPaginator(stack.Clients.DynamoDB, &dynamodb.ScanInput{TableName: &stack.Template.Tables[0].Name,
		Select: ddbtypes.SelectCount, FilterExpression: aws.String("NOT begins_with(pk, :a)"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":a": &ddbtypes.AttributeValueMemberS{Value: "AUDIT#"}}})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n += int(page.Count)
	}
	return n
}

// TestHostilePathsAreRefusedAndEveryCallIsRecorded sends hostile path parameters (2 KB, odd bytes,
// encoded slashes) in every parameter of every route of openapi.yaml, with a token of a role the
// route lets through and without one: every call is refused (400 naming the parameter, or the
// gateway's 401), nothing is written, and the count of call records equals the count of calls.
// A request line over 10,240 bytes is answered 431 by the gateway and recorded too.
func TestHostilePathsAreRefusedAndEveryCallIsRecorded(t *testing.T) {
	stack.Clock.Freeze(day(12, 8, 10))
	const agent = "hostile-paths-e2e"
	today := stack.Clock.Now().UTC().Format("2006-01-02")
	roleUser := map[string]localstack.User{"applicant": localstack.DemoApplicant, "authority": localstack.DemoAuthority,
		"sts": localstack.DemoSTS, "quality_authority": localstack.DemoQualityAuthority, "office": localstack.DemoOffice}
	recordsBefore, itemsBefore := callsWithAgent(t, today, agent), itemsBesidesCalls(t)
	sent := 0
	for _, op := range apiOperations(t) {
		var names []string
		for _, seg := range strings.Split(op.path, "/") {
			if strings.HasPrefix(seg, "{") {
				names = append(names, strings.Trim(seg, "{}"))
			}
		}
		if len(names) == 0 {
			continue
		}
		user := localstack.DemoApplicant
		if len(op.roles) > 0 {
			user = roleUser[op.roles[0]]
		}
		for _, name := range names {
			for what, v := range hostileValues {
				path := op.path
				for _, m := range names {
					val := wellShaped[m]
					if m == name {
						val = v
					}
					path = strings.ReplaceAll(path, "{"+m+"}", val)
				}
				for _, withToken := range []bool{true, false} {
					label := fmt.Sprintf("%s {%s} %s, token %v", op.key(), name, what, withToken)
					tok := ""
					if withToken {
						tok = token(t, user)
					}
					status, contentType, body := rawCall(t, op.method, path, tok, agent)
					sent++
					switch {
					case status == http.StatusBadRequest:
						if contentType != "application/problem+json" || !strings.HasPrefix(fmt.Sprint(body["detail"]), name+": want") {
							t.Errorf("%s: %d %s %v", label, status, contentType, body)
						}
					case status == http.StatusUnauthorized && !withToken && len(op.roles) > 0:
						// the gateway's authorizer, before the function
					default:
						t.Errorf("%s: %d %v, want 400 naming %s", label, status, body, name)
					}
				}
			}
		}
	}
	// The request line and headers over API Gateway's 10,240 bytes: 431 from the gateway.
	status, _, body := rawCall(t, "GET", "/cases/"+strings.Repeat("9", 10240), token(t, localstack.DemoAuthority), agent)
	sent++
	if status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a request line of 10 KB: %d %v, want 431", status, body)
	}
	if sent < 300 {
		t.Fatalf("only %d hostile calls sent", sent)
	}
	var records int
	waitFor(t, "a call record for every hostile call", func() bool {
		records = callsWithAgent(t, today, agent) - recordsBefore
		return records >= sent
	})
	if records != sent {
		t.Fatalf("%d call records for %d calls", records, sent)
	}
	if after := itemsBesidesCalls(t); after != itemsBefore {
		t.Fatalf("items besides call records: %d -> %d; a hostile call wrote", itemsBefore, after)
	}
	t.Logf("%d hostile calls, %d call records", sent, records)
}
