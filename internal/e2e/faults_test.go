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

	// Through the catch-all: the retries run out (1+2+4+8 s at most), the task's attention state
	// records it and waits on the authority.
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
	if d.Status != sfntypes.ExecutionStatusRunning || att["task"] != "RecordApplicationReceipt" || att["waiting"] != true {
		t.Fatalf("execution: %s %s; queue item %v", d.Status, aws.ToString(d.Error), item)
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
	// The authority closes it as unrecoverable: reasons are required; the case is discontinued
	// and its execution ends.
	if status, body := p.authority.do("POST", "/cases/"+p.id+"/attention/close", map[string]any{}); status != http.StatusUnprocessableEntity {
		t.Fatalf("close without reasons: %d %v", status, body)
	}
	status, body = p.authority.do("POST", "/cases/"+p.id+"/attention/close", map[string]any{"reasons": []string{"the register service was retired"}})
	if status != http.StatusOK || body["stage"] != "discontinued" || body["delivered"] != true {
		t.Fatalf("close: %d %v", status, body)
	}
	waitFor(t, "the execution to end", func() bool {
		d, err := stack.Clients.SFN.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionARN(p.id))})
		return err == nil && d.Status == sfntypes.ExecutionStatusFailed && aws.ToString(d.Error) == attestation.ErrorDiscontinued
	})
	if status, body := p.authority.do("POST", "/cases/"+p.id+"/attention/resume", nil); status != http.StatusConflict {
		t.Fatalf("resume a discontinued case: %d %v", status, body)
	}
}

// TestTheAuthorityResumesAStuckCaseToACertificate: issuing the certificate keeps failing (the
// fault switch), so the case waits in IssueCertificate's attention state; the fault is cleared,
// the authority resumes it (twice at once, and once more: the case changes once, the engine is
// told once), IssueCertificate runs again on its same input, and the case ends issued.
func TestTheAuthorityResumesAStuckCaseToACertificate(t *testing.T) {
	p := toSurvey(t, application(t, "Resumed after a fault", false))
	p.act(p.sts, day(11, 16, 10), "survey", "act", p.docs("survey_act"))
	fault(t, "issue-certificate", 100)
	p.act(p.authority, day(11, 17, 10), "decision", "issue", nil)
	var item map[string]any
	waitFor(t, "the case in the authority's queue", func() bool {
		var ok bool
		item, ok = queueHas(t, p.authority, "&step=case_needs_attention", p.id)
		return ok
	})
	if att, _ := item["attention"].(map[string]any); att["task"] != "IssueCertificate" || att["waiting"] != true {
		t.Fatalf("queue item: %v", item)
	}
	if status, body := p.sts.do("POST", "/cases/"+p.id+"/attention/resume", nil); status != http.StatusForbidden {
		t.Fatalf("the STS resumed: %d %v", status, body)
	}
	_ = stack.InjectFault("issue-certificate", 0) // the cause is fixed
	stack.Clock.Freeze(day(11, 17, 12))
	before := storedCase(t, p.id).Version
	statuses := make(chan int, 2)
	for range 2 {
		go func() {
			status, _ := p.authority.do("POST", "/cases/"+p.id+"/attention/resume", map[string]any{"reasons": []string{"KMS is back"}})
			statuses <- status
		}()
	}
	for range 2 {
		if status := <-statuses; status != http.StatusOK {
			t.Fatalf("resume: %d", status)
		}
	}
	p.open("send_documents")
	c := storedCase(t, p.id)
	if c.Attention == nil || c.Attention.Handback == nil || c.Attention.Handback.Callback != attestation.CallbackSent || c.Certificate == "" {
		t.Fatalf("after the hand-back: %+v, certificate %q", c.Attention, c.Certificate)
	}
	resumed := 0
	for _, what := range history(p.view(p.authority)) {
		if strings.HasPrefix(what, "handed back to the workflow") {
			resumed++
		}
	}
	if resumed != 1 || c.Version <= before {
		t.Fatalf("%d hand-back events (want 1), version %d → %d", resumed, before, c.Version)
	}
	// A repeated resume changes nothing.
	status, body := p.authority.do("POST", "/cases/"+p.id+"/attention/resume", nil)
	if again := storedCase(t, p.id); status != http.StatusOK || body["outcome"] != "resume" || again.Version != c.Version {
		t.Fatalf("a repeated resume: %d %v, version %d → %d", status, body, c.Version, again.Version)
	}
	if _, ok := queueHas(t, p.authority, "&step=case_needs_attention", p.id); ok {
		t.Fatal("still in the queue of cases needing attention")
	}
	p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
	v := p.end("issued")
	hasEvent(t, v, "certificate 2026/")
}

func TestDeadlineCheckFindsACaseWhoseExecutionEnded(t *testing.T) {
	// The receipt is never recorded, and neither is the failure: the attention state itself keeps
	// failing, so the execution fails there (a redrive would run it again) while the case stays as
	// filed, in no queue.
	fault(t, registerFunction, 100)
	fault(t, "case-needs-attention", 100)
	stack.Clock.Freeze(day(10, 16, 10))
	p := &path{t: t, applicant: as(t, localstack.DemoApplicant), authority: as(t, localstack.DemoAuthority), sts: as(t, localstack.DemoSTS)}
	status, body := p.applicant.file(application(t, "Failed execution", false))
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, body)
	}
	p.id = body["id"].(string)
	waitFor(t, "the execution to fail", func() bool {
		d, err := stack.Clients.SFN.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionARN(p.id))})
		return err == nil && d.Status == sfntypes.ExecutionStatusFailed
	})
	_ = stack.InjectFault(registerFunction, 0)
	_ = stack.InjectFault("case-needs-attention", 0)

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
	if !strings.Contains(fmt.Sprint(rep["needsAttention"]), p.id) || !strings.Contains(fmt.Sprint(rep["needsAttention"]), "FAILED") {
		t.Fatalf("the deadline check's report: %v", rep)
	}
	item, ok := queueHas(t, p.authority, "", p.id)
	att, _ := item["attention"].(map[string]any)
	if !ok || item["step"] != "case_needs_attention" || att["error"] != "execution FAILED" || att["source"] != "deadline_check" || att["stage"] != "submitted" ||
		att["waiting"] != false {
		t.Fatalf("the authority's queue: %v %v", item, ok)
	}
	// No execution waits: a resume (after a redrive, docs/runbook.md) tells no one, and the case
	// waits on the workflow again; the next run past the grace period finds it again.
	status, body = p.authority.do("POST", "/cases/"+p.id+"/attention/resume", nil)
	if status != http.StatusOK || body["delivered"] != false {
		t.Fatalf("resume: %d %v", status, body)
	}
	if _, ok := queueHas(t, p.authority, "", p.id); ok {
		t.Fatal("in the queue after the hand-back")
	}
	stack.Clock.Freeze(day(10, 16, 14))
	if rep := executionsReport(t); !strings.Contains(fmt.Sprint(rep["needsAttention"]), p.id) {
		t.Fatalf("a resumed case whose execution had ended was not found again: %v", rep)
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

// TestDeadlineCheckCountsOpenCasesByStage: the deadline check's census reads the indexes through
// the real SDK and counts a filed case at its open step (the dashboard's "cases by stage").
func TestDeadlineCheckCountsOpenCasesByStage(t *testing.T) {
	file(t, day(10, 19, 10), application(t, "Census", false))
	out, err := stack.RunScheduled(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range out {
		var rep struct {
			Checks struct {
				Census *struct {
					Open map[string]int `json:"open"`
					Read int            `json:"read"`
				} `json:"census"`
			} `json:"checks"`
		}
		if err := json.Unmarshal(raw, &rep); err != nil {
			t.Fatal(err)
		}
		if c := rep.Checks.Census; c != nil {
			if c.Open["completeness_check"] < 1 || c.Read < 1 || len(c.Open) < len(attestation.Procedure)+2 {
				t.Fatalf("census: %+v", c)
			}
			return
		}
	}
	t.Fatalf("no census in %s", out)
}
