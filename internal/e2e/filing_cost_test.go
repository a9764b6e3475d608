package e2e

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/localstack"
)

// httpCalls counts the HTTP calls the tests' clients send (to the API and to S3's presigned
// URLs); TestAFilingOf22DocumentsCosts reads it. Tests that run side by side add to it too, so
// only a test that runs alone (not t.Parallel) reads it.
var httpCalls atomic.Int64

// tableItems counts the items of the table (a Scan: a test's own measurement, never the system's).
func tableItems(t testing.TB) map[string]int {
	t.Helper()
	out := map[string]int{}
	p := dynamodb.NewScanPaginator(stack.Clients.DynamoDB, &dynamodb.ScanInput{TableName: aws.String(stack.Template.Tables[0].Name),
		ProjectionExpression: aws.String("pk")})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			pk := ""
			if s, ok := it["pk"].(*ddbtypes.AttributeValueMemberS); ok {
				pk = s.Value
			}
			kind, _, _ := strings.Cut(pk, "#")
			out[kind]++
		}
	}
	return out
}

// TestAFilingOf22DocumentsCosts files the complete package (22 documents) as an applicant does,
// each document signed by the applicant's employee with the stack's test CA as the README and
// the demo sign (issue 17: confirm verifies every signature, its chain and its OCSP status), and
// counts what it costs: the HTTP calls the applicant sends (to the API and to S3), the AWS
// requests of the system's functions until the authority's first step is open, the OCSP round
// trips, and the table items it leaves. Issue 15's targets: at most 28 HTTP calls and 70 AWS
// requests. The notify function's delivery of the filing's notifications (issue 13) runs from the
// table's stream in the background, so it is counted apart, once the stream is drained: otherwise
// the filing's count would depend on how far the delivery got when the step opened.
func TestAFilingOf22DocumentsCosts(t *testing.T) {
	app := application(t, "Counted filing", false)
	if n := len(app["documents"].(map[string]any)); n != 22 {
		t.Fatalf("the package has %d documents, want 22", n)
	}
	stack.Clock.Freeze(day(10, 15, 10))
	before := tableItems(t)
	stack.Requests.Reset()
	httpCalls.Store(0)
	ocsp := stack.OCSPRequests()
	p := &path{t: t, applicant: as(t, localstack.DemoApplicant)}
	body := maps.Clone(app)
	delete(body, "documents")
	status, d := p.applicant.do("POST", "/drafts", body)
	if status != http.StatusCreated {
		t.Fatalf("create draft: %d %v", status, d)
	}
	draft := d["id"].(string)
	for _, u := range p.applicant.uploadAllSigned(draft, "Counted filing", slices.Sorted(maps.Keys(app["documents"].(map[string]any))), localstack.SignerApplicant) {
		if s, _ := u["signed"].(map[string]any); s == nil || s["ocspStatus"] != "good" || s["bin"] != localstack.DemoApplicant.BIN {
			t.Fatalf("%v: the signature was not verified: %v", u["document"], u["signed"])
		}
	}
	status, body = p.applicant.do("POST", "/drafts/"+draft+"/submit", nil)
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, body)
	}
	calls := httpCalls.Load()
	rounds := stack.OCSPRequests() - ocsp
	p.id = body["id"].(string)
	p.open("completeness_check")
	if err := stack.PollStreams(context.Background()); err != nil {
		t.Fatal(err)
	}
	notify, _ := stack.Template.Function("NotifyFunction")
	requests, delivery, byOp := 0, 0, map[string]int{}
	for fn, ops := range stack.Requests.Snapshot() {
		for op, n := range ops {
			if fn == notify.Name {
				delivery += n
				continue
			}
			requests += n
			byOp[op] += n
		}
	}
	after := tableItems(t)
	items, byKind := 0, map[string]int{}
	for kind, n := range after {
		if d := n - before[kind]; d != 0 {
			items += d
			byKind[kind] = d
		}
	}
	t.Logf("a filing of 22 signed documents: %d HTTP calls, %d AWS requests, %d OCSP round trips, %d table items; delivering its notifications: %d AWS requests",
		calls, requests, rounds, items, delivery)
	t.Logf("AWS requests by operation: %s", sortedCounts(byOp))
	t.Logf("table items by key prefix: %s", sortedCounts(byKind))
	size, sizes := caseItemSizes(t, p.id)
	t.Logf("the case item: %d bytes; its largest attributes: %s", size, largest(sizes, 8))
	if docs, _ := stack.Clients.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(stack.Template.Tables[0].Name),
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "CASE#" + p.id}, "sk": &ddbtypes.AttributeValueMemberS{Value: "DOCS"}}}); docs != nil && docs.Item != nil {
		n := 0
		for k, v := range docs.Item {
			n += len(k) + avSize(v)
		}
		t.Logf("its documents item: %d bytes", n)
	}
	if calls > 28 {
		t.Errorf("%d HTTP calls, want at most 28", calls)
	}
	if requests > 70 {
		t.Errorf("%d AWS requests, want at most 70", requests)
	}
}

func sortedCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range slices.Compact(keys) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// avSize is an attribute value's size as DynamoDB counts it (names and values in UTF-8 bytes,
// a number about one byte per two digits, 3 bytes for a map or a list plus 1 per element).
func avSize(v ddbtypes.AttributeValue) int {
	switch v := v.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return len(v.Value)
	case *ddbtypes.AttributeValueMemberN:
		return (len(strings.TrimLeft(v.Value, "-0"))+1)/2 + 1
	case *ddbtypes.AttributeValueMemberBOOL, *ddbtypes.AttributeValueMemberNULL:
		return 1
	case *ddbtypes.AttributeValueMemberB:
		return len(v.Value)
	case *ddbtypes.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + avSize(e)
		}
		return n
	case *ddbtypes.AttributeValueMemberM:
		n := 3
		for k, e := range v.Value {
			n += 1 + len(k) + avSize(e)
		}
		return n
	}
	return 0
}

// caseItemSizes reads a case item and returns its size and the size of each of its attributes
// (the case map's members as case.<name>).
func caseItemSizes(t testing.TB, caseID string) (int, map[string]int) {
	t.Helper()
	out, err := stack.Clients.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(stack.Template.Tables[0].Name),
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "CASE#" + caseID}, "sk": &ddbtypes.AttributeValueMemberS{Value: "CASE"}}})
	if err != nil || out.Item == nil {
		t.Fatalf("case item %s: %v", caseID, err)
	}
	total, sizes := 0, map[string]int{}
	for name, v := range out.Item {
		total += len(name) + avSize(v)
		if m, ok := v.(*ddbtypes.AttributeValueMemberM); ok && name == "case" {
			for k, e := range m.Value {
				sizes["case."+k] = len(k) + avSize(e)
			}
			continue
		}
		sizes[name] = len(name) + avSize(v)
	}
	return total, sizes
}

// largest lists the n largest of sizes, largest first.
func largest(sizes map[string]int, n int) string {
	keys := make([]string, 0, len(sizes))
	for k := range sizes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return sizes[keys[i]] > sizes[keys[j]] || sizes[keys[i]] == sizes[keys[j]] && keys[i] < keys[j]
	})
	var parts []string
	for _, k := range keys[:min(n, len(keys))] {
		parts = append(parts, fmt.Sprintf("%s=%d", k, sizes[k]))
	}
	return strings.Join(parts, " ")
}
