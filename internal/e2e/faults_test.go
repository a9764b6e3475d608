package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"attestation/internal/attestation"
	"attestation/internal/dynamostore"
	"attestation/internal/localstack"
)

// The fault tests: the local stack's fault switch (internal/localstack/faults.go) makes a named
// function fail with a transient error. One failure is absorbed by the definition's Retry and
// leaves no trace for the user; failures past the retries reach the catch-all, and the case is in
// the authority's queue with the error; an execution that ended with its case (aborted here) is
// found by one run of the deadline check.

const registerFunction = "register-application"

func executionARN(caseID string) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", localstack.Region, localstack.AccountID, stack.Template.StateMachines[0].Name, caseID)
}

func storedCase(t testing.TB, id string) attestation.Case {
	t.Helper()
	c, err := dynamostore.New(stack.Clients.DynamoDB, stack.Template.Tables[0].Name).Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fault sets the fault switch through the stack's own route, as a walkthrough would.
func fault(t testing.TB, function string, failures int) {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(local(t, "/_local/faults", map[string]any{"function": function, "failures": failures}), &out); err != nil {
		t.Fatal(err)
	}
	if out["failures"] != float64(failures) {
		t.Fatalf("fault switch: %v", out)
	}
	t.Cleanup(func() { _ = stack.InjectFault(function, 0) })
}

func TestTransientFaultIsRetriedWithoutATrace(t *testing.T) {
	fault(t, registerFunction, 1)
	p := file(t, day(10, 15, 10), application(t, "Transient fault", false))
	if left := stack.FaultsLeft(registerFunction); left != 0 {
		t.Fatalf("the fault was not hit: %d left", left)
	}
	if c := storedCase(t, p.id); c.Attention != nil || c.Receipt == nil {
		t.Fatalf("after one retried failure: attention %+v, receipt %v", c.Attention, c.Receipt)
	}
	v := p.view(p.applicant)
	for _, what := range history(v) {
		if strings.Contains(what, "attention") || strings.Contains(what, "fault") || strings.Contains(what, "fail") {
			t.Errorf("the applicant's history shows the fault: %q", what)
		}
	}
	if item, ok := queueHas(t, p.authority, "", p.id); !ok || item["step"] != "completeness_check" || item["attention"] != nil {
		t.Fatalf("the authority's queue: %v %v", item, ok)
	}
}

func TestPermanentFaultPutsTheCaseInTheAuthoritysQueue(t *testing.T) {
	fault(t, registerFunction, 100) // more than the definition's retries
	stack.Clock.Freeze(day(10, 15, 11))
	p := &path{t: t, applicant: as(t, localstack.DemoApplicant), authority: as(t, localstack.DemoAuthority), sts: as(t, localstack.DemoSTS)}
	status, body := p.applicant.file(application(t, "Permanent fault", false))
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, body)
	}
	p.id = body["id"].(string)

	// Through the catch-all: the retries run out (1+2+4+8 s at most), CaseNeedsAttention records it.
	var item map[string]any
	waitFor(t, "the case in the authority's queue", func() bool {
		var ok bool
		item, ok = queueHas(t, p.authority, "&step=case_needs_attention", p.id)
		return ok
	})
	att, _ := item["attention"].(map[string]any)
	if item["overdue"] != true || att["error"] != "TransientError" || att["stage"] != "submitted" || att["source"] != "workflow" ||
		!strings.Contains(fmt.Sprint(att["cause"]), "local fault switch") {
		t.Fatalf("queue item: %v", item)
	}
	d, err := stack.Clients.SFN.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionARN(p.id))})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "CaseNeedsAttention" {
		t.Fatalf("execution: %s %s", d.Status, aws.ToString(d.Error))
	}
	hist := history(p.view(p.authority))
	if last := hist[len(hist)-1]; !strings.Contains(last, "needs the authority's attention") {
		t.Fatalf("history: %v", hist)
	}
	// The deadline check leaves a case already marked alone.
	stack.Clock.Freeze(day(10, 15, 14))
	if rep := executionsReport(t); strings.Contains(fmt.Sprint(rep["needsAttention"]), p.id) {
		t.Fatalf("the deadline check marked the case again: %v", rep)
	}
}

func TestDeadlineCheckFindsACaseWhoseExecutionEnded(t *testing.T) {
	fault(t, registerFunction, 100) // the receipt is never recorded: the case stays as filed
	stack.Clock.Freeze(day(10, 16, 10))
	p := &path{t: t, applicant: as(t, localstack.DemoApplicant), authority: as(t, localstack.DemoAuthority), sts: as(t, localstack.DemoSTS)}
	status, body := p.applicant.file(application(t, "Aborted execution", false))
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, body)
	}
	p.id = body["id"].(string)
	// Someone stops the execution in the console before the catch-all can record anything (once
	// it runs: the local engine cannot stop an execution it has not begun).
	waitFor(t, "the execution to begin", func() bool { return stack.FaultsLeft(registerFunction) < 100 })
	if _, err := stack.Clients.SFN.StopExecution(context.Background(), &sfn.StopExecutionInput{ExecutionArn: aws.String(executionARN(p.id))}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the execution to stop", func() bool {
		d, err := stack.Clients.SFN.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionARN(p.id))})
		return err == nil && d.Status == sfntypes.ExecutionStatusAborted
	})
	_ = stack.InjectFault(registerFunction, 0)

	// Within the grace period the engine is not asked.
	stack.Clock.Freeze(day(10, 16, 10).Add(30 * time.Minute))
	if rep := executionsReport(t); strings.Contains(fmt.Sprint(rep["needsAttention"]), p.id) {
		t.Fatalf("marked within the grace period: %v", rep)
	}
	if _, ok := queueHas(t, p.authority, "", p.id); ok {
		t.Fatal("in the queue before the deadline check found it")
	}
	// One run past the grace period finds it.
	stack.Clock.Freeze(day(10, 16, 12))
	rep := executionsReport(t)
	if !strings.Contains(fmt.Sprint(rep["needsAttention"]), p.id) || !strings.Contains(fmt.Sprint(rep["needsAttention"]), "ABORTED") {
		t.Fatalf("the deadline check's report: %v", rep)
	}
	item, ok := queueHas(t, p.authority, "", p.id)
	att, _ := item["attention"].(map[string]any)
	if !ok || item["step"] != "case_needs_attention" || att["error"] != "execution ABORTED" || att["source"] != "deadline_check" || att["stage"] != "submitted" {
		t.Fatalf("the authority's queue: %v %v", item, ok)
	}
}

// executionsReport runs the deadline check once and returns its executions report.
func executionsReport(t testing.TB) map[string]any {
	t.Helper()
	out, err := stack.RunScheduled(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range out {
		var rep struct {
			Checks map[string]map[string]any `json:"checks"`
		}
		if err := json.Unmarshal(raw, &rep); err != nil {
			t.Fatal(err)
		}
		if r, ok := rep.Checks["executions"]; ok {
			return r
		}
	}
	t.Fatalf("no executions report in %s", out)
	return nil
}
