package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// transitions counts the states an execution entered (its StateEntered events).
func transitions(tb testing.TB, caseID string) int {
	tb.Helper()
	arn := fmt.Sprintf("arn:aws:states:us-east-1:123456789012:execution:%s:%s", stack.Template.StateMachines[0].Name, caseID)
	h, err := stack.Clients.SFN.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, e := range h.Events {
		if strings.HasSuffix(string(e.Type), "StateEntered") {
			n++
		}
	}
	return n
}

// happyPath: filed, forwarded, contract sent and signed, surveyed, issued (§13-§29).
func happyPath(b testing.TB) *path {
	p := toDecision(b)
	p.act(p.authority, day(11, 17, 10), "decision", "issue", nil)
	p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
	p.end("issued")
	return p
}

// longestPath: rectification ordered, notified, additional survey, issued (§13-§38).
func longestPath(b testing.TB) *path {
	p := toRectification(b)
	p.act(p.applicant, day(12, 1, 10), "rectification_notice", "notified", p.docs("rectification_documents"))
	p.act(p.authority, day(12, 2, 10), "inform_sts", "informed", nil)
	p.act(p.sts, day(12, 10, 10), "additional_survey", "act", p.docs("additional_survey_act"))
	p.act(p.authority, day(12, 11, 10), "second_decision", "issue", nil)
	p.act(p.authority, day(12, 14, 10), "second_send_documents", "sent", nil)
	p.end("issued")
	return p
}

// BenchmarkPath reports, per path, the state transitions of one case (from its execution history)
// and the DynamoDB requests of the system's functions per transition (the tests' own reads of the
// table are not counted; each run includes one GET of the case through the API).
// Targets: at most 30 transitions on the happy path and 50 on the longest; at most 2 reads and 1
// transactional write per transition.
func BenchmarkPath(b *testing.B) {
	for _, pc := range []struct {
		name string
		run  func(testing.TB) *path
	}{{"issued", happyPath}, {"rectified-then-issued", longestPath}} {
		b.Run(pc.name, func(b *testing.B) {
			var trans, reads, txWrites, otherWrites, sfnCalls, requests, invocations int
			for i := 0; i < b.N; i++ {
				stack.Requests.Reset()
				p := pc.run(b)
				trans += transitions(b, p.id)
				for _, f := range stack.Template.Functions {
					invocations += stack.Requests.Invocations(f.Name).N
				}
				for _, ops := range stack.Requests.Snapshot() {
					for op, n := range ops {
						requests += n
						switch op {
						case "DynamoDB.GetItem", "DynamoDB.Query":
							reads += n
						case "DynamoDB.TransactWriteItems":
							txWrites += n
						case "DynamoDB.PutItem", "DynamoDB.UpdateItem", "DynamoDB.DeleteItem":
							otherWrites += n
						}
						if strings.HasPrefix(op, "SFN.") {
							sfnCalls += n
						}
					}
				}
			}
			t := float64(trans)
			b.ReportMetric(t/float64(b.N), "transitions/case")
			b.ReportMetric(float64(reads)/t, "reads/transition")
			b.ReportMetric(float64(txWrites)/t, "txwrites/transition")
			b.ReportMetric(float64(otherWrites)/t, "writes/transition")
			b.ReportMetric(float64(sfnCalls)/float64(b.N), "sfn-calls/case")
			b.ReportMetric(float64(invocations)/float64(b.N), "invocations/case")
			b.ReportMetric(float64(requests)/float64(b.N), "aws-requests/case")
		})
	}
}
