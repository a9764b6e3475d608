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

// filingCost is what one filing of the complete package cost.
type filingCost struct {
	id                 string         // the case filed
	calls, requests    int            // the applicant's HTTP calls; the functions' AWS requests
	ocsp               int            // the OCSP round trips verifying the documents' signatures
	deliveries         int            // the notify function's AWS requests delivering its notifications
	items              int            // the table items it left
	byOp, byKind       map[string]int // the requests by operation; the items by key prefix
	caseItem, docsItem int            // the case item's size and its documents item's, in bytes
	caseItemAttributes map[string]int // the case item's attributes' sizes
}

// fileCounted files the complete package (22 documents, each signed with the stack's test CA) as
// an applicant does and counts what it costs: the HTTP calls the applicant sends (to the API and to S3), the AWS requests
// of the system's functions until the authority's first step is open, and the table items it
// leaves. The notify function's requests, delivering the filing's notifications from the table's
// stream beside the filing (issue 13's outbox), are counted apart: the notifications earlier
// tests left are delivered before the count starts, and the filing's own once it ends, so that
// neither falls into the count by chance. TestAFilingOf22DocumentsCosts asserts on it,
// BenchmarkFiling reports it.
func fileCounted(tb testing.TB, name string) filingCost {
	tb.Helper()
	app := application(tb, name, false)
	if n := len(app["documents"].(map[string]any)); n != 22 {
		tb.Fatalf("the package has %d documents, want 22", n)
	}
	stack.Clock.Freeze(day(10, 15, 10))
	ctx := context.Background()
	if err := stack.PollStreams(ctx); err != nil {
		tb.Fatal(err)
	}
	before := tableItems(tb)
	stack.Requests.Reset()
	httpCalls.Store(0)
	ocsp := stack.OCSPRequests()
	p := &path{t: tb, applicant: as(tb, localstack.DemoApplicant)}
	draftBody := maps.Clone(app)
	delete(draftBody, "documents")
	status, d := p.applicant.do("POST", "/drafts", draftBody)
	if status != http.StatusCreated {
		tb.Fatalf("create draft: %d %v", status, d)
	}
	draft := d["id"].(string)
	// Each document signed by the applicant's employee with the stack's test CA, as the README and
	// the demo sign (issue 17): confirm verifies every signature, its chain and its OCSP status.
	for _, u := range p.applicant.uploadAllSigned(draft, name, slices.Sorted(maps.Keys(app["documents"].(map[string]any))), localstack.SignerApplicant) {
		if s, _ := u["signed"].(map[string]any); s == nil || s["ocspStatus"] != "good" || s["bin"] != localstack.DemoApplicant.BIN {
			tb.Fatalf("%v: the signature was not verified: %v", u["document"], u["signed"])
		}
	}
	status, body := p.applicant.do("POST", "/drafts/"+draft+"/submit", nil)
	if status != http.StatusCreated {
		tb.Fatalf("submit: %d %v", status, body)
	}
	c := filingCost{calls: int(httpCalls.Load()), ocsp: stack.OCSPRequests() - ocsp, byOp: map[string]int{}, byKind: map[string]int{}}
	p.id = body["id"].(string)
	c.id = p.id
	p.open("completeness_check")
	if err := stack.PollStreams(ctx); err != nil {
		tb.Fatal(err)
	}
	for fn, ops := range stack.Requests.Snapshot() {
		for op, n := range ops {
			if fn == "NotifyFunction" {
				c.deliveries += n
				continue
			}
			c.requests += n
			c.byOp[op] += n
		}
	}
	after := tableItems(tb)
	for kind, n := range after {
		if d := n - before[kind]; d != 0 {
			c.items += d
			c.byKind[kind] = d
		}
	}
	c.caseItem, c.caseItemAttributes = caseItemSizes(tb, p.id)
	if docs, _ := stack.Clients.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(stack.Template.Tables[0].Name),
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "CASE#" + p.id}, "sk": &ddbtypes.AttributeValueMemberS{Value: "DOCS"}}}); docs != nil && docs.Item != nil {
		for k, v := range docs.Item {
			c.docsItem += len(k) + avSize(v)
		}
	}
	return c
}

// TestAFilingOf22DocumentsCosts files the complete package (22 documents) and counts what it
// costs (fileCounted). Issue 15's targets: at most 28 HTTP calls and 70 AWS requests.
func TestAFilingOf22DocumentsCosts(t *testing.T) {
	c := fileCounted(t, "Counted filing")
	t.Logf("a filing of 22 signed documents: %d HTTP calls, %d AWS requests (and %d delivering its notifications), %d OCSP round trips, %d table items",
		c.calls, c.requests, c.deliveries, c.ocsp, c.items)
	t.Logf("AWS requests by operation: %s", sortedCounts(c.byOp))
	t.Logf("table items by key prefix: %s", sortedCounts(c.byKind))
	t.Logf("the case item: %d bytes; its largest attributes: %s", c.caseItem, largest(c.caseItemAttributes, 8))
	t.Logf("its documents item: %d bytes", c.docsItem)
	if c.calls > 28 {
		t.Errorf("%d HTTP calls, want at most 28", c.calls)
	}
	if c.requests > 70 {
		t.Errorf("%d AWS requests, want at most 70", c.requests)
	}
}

// BenchmarkFiling reports what a filing of the complete package (22 documents) costs, per filing
// (fileCounted): the applicant's HTTP calls, the functions' AWS requests, the notify function's
// requests delivering its notifications, the table items it leaves, and the case item's size. make bench writes them to docs/benchmarks.md.
func BenchmarkFiling(b *testing.B) {
	var calls, requests, deliveries, ocsp, items, caseItem int
	n := 0
	for b.Loop() {
		c := fileCounted(b, fmt.Sprintf("Benchmarked filing %d", n))
		calls, requests, deliveries, ocsp = calls+c.calls, requests+c.requests, deliveries+c.deliveries, ocsp+c.ocsp
		items, caseItem = items+c.items, caseItem+c.caseItem
		n++
	}
	b.ReportMetric(float64(calls)/float64(n), "http-calls/filing")
	b.ReportMetric(float64(requests)/float64(n), "aws-requests/filing")
	b.ReportMetric(float64(deliveries)/float64(n), "delivery-requests/filing")
	b.ReportMetric(float64(ocsp)/float64(n), "ocsp-round-trips/filing")
	b.ReportMetric(float64(items)/float64(n), "table-items/filing")
	b.ReportMetric(float64(caseItem)/float64(n), "case-item-bytes")
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
