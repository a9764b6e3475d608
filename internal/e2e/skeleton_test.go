// Package e2e proves the whole chain through the local stack: an HTTP request to the API
// function, StartExecution in moto, Lambda tasks running in this Go process, an item in DynamoDB
// and an object in S3, a waitForTaskToken step completed by SendTaskSuccess, and the execution's
// end. The stack is started by the test on free ports and stopped when it ends, failed or not.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"attestation/internal/localstack"
)

var stack *localstack.Stack

var almaty = mustLoad("Asia/Almaty")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	if f := flag.Lookup("test.list"); f != nil && f.Value.String() != "" {
		return m.Run() // listing the tests (infra/e2eshards) needs no stack
	}
	root, err := localstack.FindRoot(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// A fixed moment inside the application window (§12), whatever today is: Thursday
	// 2026-10-15, 10:00 in Almaty (UTC+5).
	clock, err := localstack.ParseClock("2026-10-15T10:00:00+05:00")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var motoLog io.Writer
	if os.Getenv("MOTO_LOG") != "" {
		motoLog = os.Stderr
	}
	var log *slog.Logger
	if os.Getenv("STACK_LOG") != "" {
		log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	stack, err = localstack.Start(ctx, localstack.Options{Root: root, Clock: clock, MotoLog: motoLog, Log: log, RetryScale: 0.01})
	if err != nil {
		fmt.Fprintln(os.Stderr, "local stack:", err)
		return 1
	}
	defer stack.Close()
	code := stack.SuiteResult(m.Run())
	fmt.Printf("openapi: %d API responses validated against openapi.yaml\n", validatedResponses.Load())
	return code
}

// client calls the API as one user: a fresh token per call (the tests move the clock by days), or
// a fixed raw token.
type client struct {
	t     testing.TB
	user  *localstack.User
	token string
}

func as(t testing.TB, u localstack.User) client { return client{t: t, user: &u} }

func (c client) do(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, stack.APIURL+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.user != nil {
		req.Header.Set("Authorization", "Bearer "+token(c.t, *c.user))
	} else if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Content-Type", "application/json")
	httpCalls.Add(1)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	checkResponse(c.t, req, resp, raw)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.t.Fatalf("%s %s: %d, body not JSON: %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out
}

func token(t testing.TB, u localstack.User) string {
	t.Helper()
	tok, err := stack.Issuer.Token(u, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// waitFor polls cond until it holds or thirty seconds pass: a bound on waiting for something that
// may never happen, not a measure of speed (benchmarks measure that).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestHealthAnswersWithoutToken(t *testing.T) {
	stack.Clock.Freeze(time.Date(2026, 10, 15, 10, 0, 0, 0, almaty))
	status, body := client{t: t}.do("GET", "/health", nil)
	if status != 200 || body["status"] != "ok" {
		t.Fatalf("health: %d %v", status, body)
	}
	if body["time"] != "2026-10-15T05:00:00Z" {
		t.Fatalf("health time %v: the API must take now from the request's timeEpoch", body["time"])
	}
}

func TestRoutesRefuseCallsWithoutValidToken(t *testing.T) {
	for _, tc := range []struct{ name, token string }{
		{"missing", ""},
		{"garbage", "not-a-jwt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _ := client{t: t, token: tc.token}.do("POST", "/drafts", map[string]string{"objectName": "x"})
			if status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", status)
			}
		})
	}
}

// TestWholeChainFromRequestToSucceededExecution is the walking skeleton's proof: every link real.
func TestWholeChainFromRequestToSucceededExecution(t *testing.T) {
	ctx := context.Background()
	applicant := as(t, localstack.DemoApplicant)
	authority := as(t, localstack.DemoAuthority)

	// 1. HTTP request → API function → case stored → StartExecution named by the case ID.
	stack.Clock.Freeze(time.Date(2026, 10, 15, 10, 0, 0, 0, almaty))
	status, created := applicant.file(application(t, "E-licensing information system", false))
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, created)
	}
	caseID, _ := created["id"].(string)
	if caseID == "" {
		t.Fatalf("submit returned no case id: %v", created)
	}
	execARN := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", localstack.Region, localstack.AccountID,
		stack.Template.StateMachines[0].Name, caseID)

	// 2. The Lambda task ran in this process: receipt in S3 (Object Lock bucket), step opened on the case.
	var view map[string]any
	waitFor(t, "the completeness check to open", func() bool {
		_, view = applicant.do("GET", "/cases/"+caseID, nil)
		return view["stage"] == "completeness_check" && view["openStep"] != nil
	})
	step, _ := view["openStep"].(map[string]any)
	if step["role"] != "authority" || step["paragraph"] == "" {
		t.Fatalf("open step: %v", step)
	}
	// §14: 3 working days from receipt on Thursday 2026-10-15: Fri 16, Mon 19, Tue 20 → end of Tuesday in Almaty.
	due, _ := time.Parse(time.RFC3339, fmt.Sprint(step["dueAt"]))
	if want := time.Date(2026, 10, 20, 18, 59, 59, 0, time.UTC); !due.Equal(want) {
		t.Fatalf("completeness check due %v, want 2026-10-20T23:59:59+05:00", step["dueAt"])
	}

	item, err := stack.Clients.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &stack.Template.Tables[0].Name,
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "CASE#" + caseID}, "sk": &ddbtypes.AttributeValueMemberS{Value: "CASE"}}})
	if err != nil || item.Item == nil {
		t.Fatalf("case item: %v %v", item, err)
	}
	if _, ok := item.Item["gsi2pk"]; !ok {
		t.Fatalf("the case item is not in the due index while its step is open: %v", item.Item)
	}
	var recordsBucket string
	for _, b := range stack.Template.Buckets {
		if b.ObjectLock {
			recordsBucket = b.Name
		}
	}
	obj, err := stack.Clients.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &recordsBucket, Key: aws.String("cases/" + caseID + "/receipt.json")})
	if err != nil {
		t.Fatalf("receipt in S3: %v", err)
	}
	receipt, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !bytes.Contains(receipt, []byte(caseID)) || aws.ToString(obj.VersionId) == "" {
		t.Fatalf("receipt %s (version %q)", receipt, aws.ToString(obj.VersionId))
	}
	// The receipt's version is locked in compliance mode: it cannot be deleted.
	if _, err := stack.Clients.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &recordsBucket, Key: aws.String("cases/" + caseID + "/receipt.json"), VersionId: obj.VersionId}); err == nil {
		t.Fatalf("a locked receipt version was deleted")
	}

	// 3. The applicant cannot act on the authority's step; the authority completes it → SendTaskSuccess,
	// and the execution moves on to the STS's step.
	if status, _ := applicant.do("POST", "/cases/"+caseID+"/step", map[string]string{"step": "completeness_check", "outcome": "forward"}); status != http.StatusForbidden {
		t.Fatalf("applicant completing the authority's step: %d, want 403", status)
	}
	status, done := authority.do("POST", "/cases/"+caseID+"/step", map[string]string{"step": "completeness_check", "outcome": "return", "reasons": "[]"})
	if status != http.StatusBadRequest {
		t.Fatalf("reasons of the wrong type: %d %v, want 400", status, done)
	}
	status, done = authority.do("POST", "/cases/"+caseID+"/step", map[string]any{"step": "completeness_check", "outcome": "return", "reasons": []string{"Annex 3 document 4 is missing"}, "grounds": []string{"incomplete_package"}})
	if status != http.StatusOK {
		t.Fatalf("complete step: %d %v", status, done)
	}

	// 4. The execution ends SUCCEEDED and the case is closed by the last task.
	var d *sfn.DescribeExecutionOutput
	waitFor(t, "the execution to end", func() bool {
		d, err = stack.Clients.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &execARN})
		return err == nil && d.Status != sfntypes.ExecutionStatusRunning
	})
	if d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s (%s: %s)", caseID, d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	_, view = applicant.do("GET", "/cases/"+caseID, nil)
	if view["stage"] != "returned" {
		t.Fatalf("stage %v, want returned", view["stage"])
	}
	if h, _ := view["history"].([]any); len(h) != 3 {
		t.Fatalf("history has %d events, want 3 (submitted, receipt, completed with the step's opening and due moment): %v", len(h), h)
	}
}

func TestAnotherOrganisationsCaseIsNotFound(t *testing.T) {
	stack.Clock.Freeze(time.Date(2026, 10, 15, 10, 0, 0, 0, almaty)) // inside the window (§12), whatever ran before
	owner := as(t, localstack.DemoApplicant)
	other := localstack.DemoApplicant
	other.Subject, other.BIN = "other-applicant", "990340001230"
	stranger := as(t, other)
	status, created := owner.file(application(t, "Portal", false))
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, created)
	}
	if status, _ := stranger.do("GET", "/cases/"+created["id"].(string), nil); status != http.StatusNotFound {
		t.Fatalf("another organisation's case: %d, want 404", status)
	}
	if status, _ := stranger.do("GET", "/cases/A-20261015-0000000000000000", nil); status != http.StatusNotFound {
		t.Fatalf("a case that does not exist: %d, want 404", status)
	}
}
