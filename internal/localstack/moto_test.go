package localstack

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sesv2types "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"attestation/internal/wiring/awshttp"
)

// isolation is a table of its own on a moto started through the launcher (one moto for the
// package's tests, started by the first that needs it), reached by a client that does not
// serialise its writes as the stack's own clients do.
type isolation struct {
	t     testing.TB
	ctx   context.Context
	db    *dynamodb.Client
	url   string // moto's
	tr    *http.Transport
	table string
}

// sharedMoto is the package's moto: starting one costs seconds of CPU, so the tests share it,
// each with tables of its own. TestMain stops it.
var sharedMoto struct {
	once sync.Once
	m    *moto
	err  error
}

var isolationTables atomic.Int32

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedMoto.m != nil {
		sharedMoto.m.stop()
	}
	os.Exit(code)
}

func newIsolation(t testing.TB) *isolation {
	sharedMoto.once.Do(func() {
		root, err := FindRoot(".")
		if err != nil {
			sharedMoto.err = err
			return
		}
		port, err := freePort("127.0.0.1")
		if err != nil {
			sharedMoto.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		sharedMoto.m, sharedMoto.err = startMoto(ctx, launcherPath(root), "127.0.0.1", port, "http://127.0.0.1:1", nil, nil)
	})
	if sharedMoto.err != nil {
		t.Skipf("moto is not available here: %v", sharedMoto.err) // make prereq names what to install
	}
	m := sharedMoto.m
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	before, _ := m.stderr.Unhandled()
	t.Cleanup(func() {
		if n, first := m.stderr.Unhandled(); n > before {
			t.Errorf("%d requests raised an exception inside moto; the first in this package:\n%s", n-before, first)
		}
	})
	isolationTable := fmt.Sprintf("isolation-%d", isolationTables.Add(1))
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost, tr.MaxIdleConnsPerHost = 64, 64
	db := dynamodb.NewFromConfig(awsConfig(m.url, awshttp.Transport(tr)))
	s := &isolation{t: t, ctx: ctx, db: db, url: m.url, tr: tr, table: isolationTable}
	s.createTable(isolationTable, nil)
	return s
}

// createTable makes a table of the test's own, keyed by the strings pk and sk, with indexes on
// the string attributes named in indexed.
func (s *isolation) createTable(name string, indexed []string, indexes ...types.GlobalSecondaryIndex) {
	s.t.Helper()
	defs := []types.AttributeDefinition{}
	for _, a := range append([]string{"pk", "sk"}, indexed...) {
		defs = append(defs, types.AttributeDefinition{AttributeName: aws.String(a), AttributeType: types.ScalarAttributeTypeS})
	}
	if _, err := s.db.CreateTable(s.ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: defs,
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: indexes, // none: nil, left out of the request
	}); err != nil {
		s.t.Fatal(err)
	}
}

// keyOf is an item's key as "pk/sk".
func keyOf(it map[string]types.AttributeValue) string {
	return it["pk"].(*types.AttributeValueMemberS).Value + "/" + it["sk"].(*types.AttributeValueMemberS).Value
}

// queryKeys runs the query through all its pages and answers the items' keys in order.
func (s *isolation) queryKeys(in *dynamodb.QueryInput) []string {
	s.t.Helper()
	var keys []string
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(s.ctx)
		if err != nil {
			s.t.Fatal(err)
		}
		for _, it := range page.Items {
			keys = append(keys, keyOf(it))
		}
	}
	return keys
}

func isoKey(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: "A"}}
}

func isoItem(pk, v string) map[string]types.AttributeValue {
	it := isoKey(pk)
	it["v"] = &types.AttributeValueMemberS{Value: v}
	return it
}

func (s *isolation) get(pk string) map[string]types.AttributeValue {
	s.t.Helper()
	out, err := s.db.GetItem(s.ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: isoKey(pk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		s.t.Fatal(err)
	}
	return out.Item
}

func (s *isolation) put(items ...map[string]types.AttributeValue) {
	s.t.Helper()
	for len(items) > 0 {
		n := min(len(items), 25)
		var batch []types.WriteRequest
		for _, it := range items[:n] {
			batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		}
		if _, err := s.db.BatchWriteItem(s.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{s.table: batch}}); err != nil {
			s.t.Fatal(err)
		}
		items = items[n:]
	}
}

// failingTransaction names put, update and delete items and a guard whose condition never holds.
func (s *isolation) failingTransaction(put, update, del string) *dynamodb.TransactWriteItemsInput {
	tbl := aws.String(s.table)
	return &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: tbl, Item: isoItem(put, "after")}},
		{Update: &types.Update{TableName: tbl, Key: isoKey(update), UpdateExpression: aws.String("SET v = :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: "after"}}}},
		{Delete: &types.Delete{TableName: tbl, Key: isoKey(del)}},
		{ConditionCheck: &types.ConditionCheck{TableName: tbl, Key: isoKey("guard"), ConditionExpression: aws.String("v = :x"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":x": &types.AttributeValueMemberS{Value: "never"}}}},
	}}
}

// TestMotoTransactionRollbackPatch9: the launcher's patch 9 keeps for a transaction's rollback
// only the items it names; a cancelled transaction must leave each of them as it was, create
// nothing and delete nothing, as DynamoDB's does.
func TestMotoTransactionRollbackPatch9(t *testing.T) {
	s := newIsolation(t)
	s.put(isoItem("kept", "before"), isoItem("changed", "before"), isoItem("deleted", "before"), isoItem("guard", "before"))
	for _, in := range []*dynamodb.TransactWriteItemsInput{
		s.failingTransaction("kept", "changed", "deleted"),
		s.failingTransaction("created", "updated", "deleted"),
	} {
		_, err := s.db.TransactWriteItems(s.ctx, in)
		var cancelled *types.TransactionCanceledException
		if !errors.As(err, &cancelled) {
			t.Fatalf("transaction: %v, want TransactionCanceledException", err)
		}
	}
	for _, pk := range []string{"kept", "changed", "deleted"} {
		if it := s.get(pk); it == nil || it["v"].(*types.AttributeValueMemberS).Value != "before" {
			t.Fatalf("%s after a cancelled transaction: %v, want v=before", pk, it)
		}
	}
	for _, pk := range []string{"created", "updated"} {
		if it := s.get(pk); it != nil {
			t.Fatalf("a cancelled transaction left %s: %v", pk, it)
		}
	}
	// And a transaction that succeeds still writes.
	in := s.failingTransaction("kept", "changed", "deleted")
	in.TransactItems = in.TransactItems[:3]
	if _, err := s.db.TransactWriteItems(s.ctx, in); err != nil {
		t.Fatal(err)
	}
	if s.get("kept")["v"].(*types.AttributeValueMemberS).Value != "after" || s.get("changed")["v"].(*types.AttributeValueMemberS).Value != "after" || s.get("deleted") != nil {
		t.Fatalf("a transaction that holds was not applied")
	}
}

// BenchmarkMotoCancelledTransaction measures a cancelled four-item transaction on a table of
// 3,000 items (the end-to-end suite's table reaches that). Before patch 9 moto copied the whole
// table for each item of each transaction.
func BenchmarkMotoCancelledTransaction(b *testing.B) {
	s := newIsolation(b)
	var seed []map[string]types.AttributeValue
	for i := range 3000 {
		seed = append(seed, isoItem(fmt.Sprintf("seed-%04d", i), "x"))
	}
	s.put(append(seed, isoItem("guard", "before"))...)
	for b.Loop() {
		_, err := s.db.TransactWriteItems(s.ctx, s.failingTransaction("seed-0001", "seed-0002", "seed-0003"))
		var cancelled *types.TransactionCanceledException
		if !errors.As(err, &cancelled) {
			b.Fatal(err)
		}
	}
}

// everyType is an item with an attribute of each DynamoDB type, nested in maps and lists.
func everyType(pk string) map[string]types.AttributeValue {
	it := isoKey(pk)
	scalars := map[string]types.AttributeValue{
		"s": &types.AttributeValueMemberS{Value: "ж \u202e \"quoted\" \\ "}, "empty": &types.AttributeValueMemberS{Value: ""},
		"n": &types.AttributeValueMemberN{Value: "-12.50"}, "b": &types.AttributeValueMemberB{Value: []byte{0, 1, 0xfe, 0xff}},
		"ss": &types.AttributeValueMemberSS{Value: []string{"a", "b"}}, "ns": &types.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
		"bs":   &types.AttributeValueMemberBS{Value: [][]byte{{0}, []byte("z")}},
		"null": &types.AttributeValueMemberNULL{Value: true}, "yes": &types.AttributeValueMemberBOOL{Value: true}, "no": &types.AttributeValueMemberBOOL{Value: false},
	}
	for k, v := range scalars {
		it[k] = v
	}
	it["m"] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"inner": &types.AttributeValueMemberM{Value: scalars},
		"list": &types.AttributeValueMemberL{Value: []types.AttributeValue{scalars["b"], scalars["no"], &types.AttributeValueMemberL{}}}}}
	it["l"] = &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberM{Value: scalars}, scalars["ns"], &types.AttributeValueMemberM{}}}
	return it
}

// render writes attribute values as DynamoDB's JSON does, keys sorted, for comparing.
func render(v any) string {
	switch v := v.(type) {
	case map[string]types.AttributeValue:
		keys := slices.Sorted(maps.Keys(v))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%q:%s", k, render(v[k]))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case *types.AttributeValueMemberS:
		return fmt.Sprintf("{S:%q}", v.Value)
	case *types.AttributeValueMemberN:
		return "{N:" + v.Value + "}"
	case *types.AttributeValueMemberB:
		return fmt.Sprintf("{B:%x}", v.Value)
	case *types.AttributeValueMemberSS:
		return fmt.Sprintf("{SS:%q}", v.Value)
	case *types.AttributeValueMemberNS:
		return fmt.Sprintf("{NS:%q}", v.Value)
	case *types.AttributeValueMemberBS:
		return fmt.Sprintf("{BS:%x}", v.Value)
	case *types.AttributeValueMemberNULL:
		return fmt.Sprintf("{NULL:%v}", v.Value)
	case *types.AttributeValueMemberBOOL:
		return fmt.Sprintf("{BOOL:%v}", v.Value)
	case *types.AttributeValueMemberM:
		return "{M:" + render(v.Value) + "}"
	case *types.AttributeValueMemberL:
		parts := make([]string, len(v.Value))
		for i, x := range v.Value {
			parts[i] = render(x)
		}
		return "{L:[" + strings.Join(parts, ",") + "]}"
	}
	return fmt.Sprintf("%T", v)
}

// TestMotoWritesAttributeValuesPatch11: the launcher writes DynamoDB's attribute values into
// responses itself (patch 11); every type, nested or not, comes back as it was put, through
// GetItem, Query, Scan, BatchGetItem and an update's ReturnValues.
func TestMotoWritesAttributeValuesPatch11(t *testing.T) {
	s := newIsolation(t)
	want := everyType("every-type")
	s.put(want)
	tbl := aws.String(s.table)
	check := func(how string, got map[string]types.AttributeValue) {
		t.Helper()
		if g, w := render(got), render(want); g != w {
			t.Errorf("%s: the item came back changed:\n got %s\nwant %s", how, g, w)
		}
	}
	check("GetItem", s.get("every-type"))
	q, err := s.db.Query(s.ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "every-type"}}})
	if err != nil || len(q.Items) != 1 {
		t.Fatalf("query: %v %v", q, err)
	}
	check("Query", q.Items[0])
	sc, err := s.db.Scan(s.ctx, &dynamodb.ScanInput{TableName: tbl})
	if err != nil || len(sc.Items) != 1 {
		t.Fatalf("scan: %v %v", sc, err)
	}
	check("Scan", sc.Items[0])
	bg, err := s.db.BatchGetItem(s.ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{s.table: {Keys: []map[string]types.AttributeValue{isoKey("every-type")}}}})
	if err != nil || len(bg.Responses[s.table]) != 1 {
		t.Fatalf("batch get: %v %v", bg, err)
	}
	check("BatchGetItem", bg.Responses[s.table][0])
	up, err := s.db.UpdateItem(s.ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: isoKey("every-type"), UpdateExpression: aws.String("SET touched = :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}}, ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		t.Fatal(err)
	}
	check("UpdateItem ALL_OLD", up.Attributes)
}

// TestMotoScanAndQueryPagesInKeyOrderPatch12: with the launcher's sort of a table's items (patch
// 12), a Scan in pages of 7 and a Query in pages of 5 still return each item once, in key order.
func TestMotoScanAndQueryPagesInKeyOrderPatch12(t *testing.T) {
	s := newIsolation(t)
	var items []map[string]types.AttributeValue
	var want []string
	for i := range 60 {
		pk := fmt.Sprintf("p%02d", (i*37)%12)
		sk := fmt.Sprintf("s%03d", (i*53)%97)
		items = append(items, map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk}})
		want = append(want, pk+"/"+sk)
	}
	s.put(items...)
	slices.Sort(want)
	want = slices.Compact(want)
	var scanned []string
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{TableName: aws.String(s.table), Limit: aws.Int32(7)})
	for p.HasMorePages() {
		page, err := p.NextPage(s.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			scanned = append(scanned, keyOf(it))
		}
	}
	if !slices.Equal(scanned, want) {
		t.Fatalf("scan in pages:\n got %v\nwant %v", scanned, want)
	}
	var wantQuery []string
	for _, k := range want {
		if strings.HasPrefix(k, "p03/") {
			wantQuery = append(wantQuery, k)
		}
	}
	queried := s.queryKeys(&dynamodb.QueryInput{TableName: aws.String(s.table), Limit: aws.Int32(5),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "p03"}}})
	if !slices.Equal(queried, wantQuery) {
		t.Fatalf("query in pages:\n got %v\nwant %v", queried, wantQuery)
	}
}

// TestMotoQueryReadsOnlyWhatItMatchesPatch15: the launcher's patch 15 has a Query of the table
// read its partition alone and a Query of an index sort only what it matched; the items, their
// order (forward and backward), the pages and a range condition must come out as DynamoDB's.
func TestMotoQueryReadsOnlyWhatItMatchesPatch15(t *testing.T) {
	s := newIsolation(t)
	table := s.table + "-indexed"
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	s.createTable(table, []string{"g", "gs"}, types.GlobalSecondaryIndex{
		IndexName: aws.String("gsi"),
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("gs"), KeyType: types.KeyTypeRange},
		},
		Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
	})
	type row struct{ pk, sk, g, gs string }
	var rows []row
	for i := range 90 {
		r := row{pk: fmt.Sprintf("p%d", (i*7)%5), sk: fmt.Sprintf("s%03d", (i*31)%89)}
		if i%3 != 0 { // a third of the items are not in the index
			r.g, r.gs = fmt.Sprintf("g%d", i%2), fmt.Sprintf("t%02d", (i*13)%17) // index keys repeat
		}
		rows = append(rows, r)
	}
	var reqs []types.WriteRequest
	seen := map[string]bool{}
	var kept []row
	for i := len(rows) - 1; i >= 0; i-- { // the last write of a key is the one kept
		r := rows[i]
		if seen[r.pk+"/"+r.sk] {
			continue
		}
		seen[r.pk+"/"+r.sk] = true
		kept = append(kept, r)
		it := map[string]types.AttributeValue{"pk": str(r.pk), "sk": str(r.sk)}
		if r.g != "" {
			it["g"], it["gs"] = str(r.g), str(r.gs)
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
	}
	for len(reqs) > 0 {
		n := min(len(reqs), 25)
		if _, err := s.db.BatchWriteItem(s.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs[:n]}}); err != nil {
			t.Fatal(err)
		}
		reqs = reqs[n:]
	}
	query := s.queryKeys
	keys := func(rs []row) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.pk+"/"+r.sk)
		}
		return out
	}
	for _, forward := range []bool{true, false} {
		// The table: one partition, its range keys in order, a range condition.
		var want []row
		for _, r := range kept {
			if r.pk == "p3" && r.sk >= "s020" {
				want = append(want, r)
			}
		}
		slices.SortFunc(want, func(a, b row) int { return strings.Compare(a.sk, b.sk) })
		if !forward {
			slices.Reverse(want)
		}
		got := query(&dynamodb.QueryInput{TableName: aws.String(table), Limit: aws.Int32(4), ScanIndexForward: aws.Bool(forward),
			KeyConditionExpression:    aws.String("pk = :pk AND sk >= :sk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("p3"), ":sk": str("s020")}})
		if w := keys(want); len(w) == 0 || !slices.Equal(got, w) {
			t.Errorf("table query (forward %v):\n got %v\nwant %v", forward, got, w)
		}
		// The index: one index partition, by its range key, ties in the table's key order.
		want = want[:0]
		for _, r := range kept {
			if r.g == "g1" && r.gs <= "t12" {
				want = append(want, r)
			}
		}
		slices.SortFunc(want, func(a, b row) int {
			return cmp.Or(strings.Compare(a.gs, b.gs), strings.Compare(a.pk, b.pk), strings.Compare(a.sk, b.sk))
		})
		if !forward {
			slices.Reverse(want)
		}
		got = query(&dynamodb.QueryInput{TableName: aws.String(table), IndexName: aws.String("gsi"), Limit: aws.Int32(6), ScanIndexForward: aws.Bool(forward),
			KeyConditionExpression:    aws.String("g = :g AND gs <= :gs"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":g": str("g1"), ":gs": str("t12")}})
		if w := keys(want); len(w) == 0 || !slices.Equal(got, w) {
			t.Errorf("index query (forward %v):\n got %v\nwant %v", forward, got, w)
		}
	}
	// Every partition whole, each of its items once.
	for pk := range 5 {
		var want []row
		for _, r := range kept {
			if r.pk == fmt.Sprintf("p%d", pk) {
				want = append(want, r)
			}
		}
		slices.SortFunc(want, func(a, b row) int { return strings.Compare(a.sk, b.sk) })
		got := query(&dynamodb.QueryInput{TableName: aws.String(table), Limit: aws.Int32(7),
			KeyConditionExpression:    aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(fmt.Sprintf("p%d", pk))}})
		if w := keys(want); len(w) == 0 || !slices.Equal(got, w) {
			t.Errorf("partition p%d:\n got %v\nwant %v", pk, got, w)
		}
	}
	// A partition that does not exist is empty.
	if got := query(&dynamodb.QueryInput{TableName: aws.String(table), KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("nowhere")}}); len(got) != 0 {
		t.Errorf("query of a partition without items: %v", got)
	}
}

// TestMotoTracksOnlyTheMailPatch18: moto's model data (/moto-api/data.json, where the stack reads
// the sent mail) lists the mail SES sent and no longer every DynamoDB item and copy moto ever made.
func TestMotoTracksOnlyTheMailPatch18(t *testing.T) {
	s := newIsolation(t)
	for i := range 30 {
		s.put(isoItem(fmt.Sprint("item", i), "v"))
	}
	_ = s.get("item1")
	ses := sesv2.NewFromConfig(awsConfig(s.url, awshttp.Transport(s.tr)))
	if _, err := ses.CreateEmailIdentity(s.ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("from@example.org")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ses.SendEmail(s.ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("from@example.org"),
		Destination: &sesv2types.Destination{ToAddresses: []string{"to@example.org"}},
		Content: &sesv2types.EmailContent{Simple: &sesv2types.Message{Subject: &sesv2types.Content{Data: aws.String("Patch 18 " + s.table)},
			Body: &sesv2types.Body{Text: &sesv2types.Content{Data: aws.String("body")}}}}}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(s.url + "/moto-api/data.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var data map[string]map[string][]map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&data); err != nil {
		t.Fatal(err)
	}
	for name, instances := range data["dynamodb"] {
		if len(instances) > 0 {
			t.Errorf("moto still tracks %d instances of dynamodb %s", len(instances), name)
		}
	}
	// moto is the package's: the mail this test sent is the one with its table in the subject.
	sent := 0
	for _, msg := range data["ses"]["Message"] {
		if msg["subject"] == "Patch 18 "+s.table {
			sent++
		}
	}
	if sent != 1 {
		t.Errorf("the sent mail in moto's model data: %d messages with this test's subject, want 1: %v", sent, data["ses"]["Message"])
	}
}

// TestMotoKeepsConnectionsPatch19AndRequestIDsPatch20: moto answers several requests on one
// connection, a body it does not read is passed over and not taken for the next request, and the
// SDK's clients dial once for many requests rather than once per request (patch 19); each answer
// carries a request ID of 52 letters and digits, a new one each time (patch 20 draws them).
func TestMotoKeepsConnectionsPatch19AndRequestIDsPatch20(t *testing.T) {
	s := newIsolation(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	listTables := "POST / HTTP/1.1\r\nHost: moto\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n" +
		"Content-Type: application/x-amz-json-1.0\r\nAuthorization: AWS4-HMAC-SHA256 Credential=local/20261205/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0\r\n" +
		"Content-Length: 2\r\n\r\n{}"
	// The first request's body is one the dashboard route never reads; the bytes after it must be
	// read as the next request, not as the rest of this one's body or thrown away.
	unread := "GET /moto-api/ HTTP/1.1\r\nHost: moto\r\nContent-Length: 11\r\n\r\nnot-a-query"
	if _, err := io.WriteString(conn, unread+listTables+listTables); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	ids, requestID := map[string]bool{}, regexp.MustCompile(`^[A-Za-z0-9]{52}$`)
	for i, want := range []string{"", s.table, s.table} {
		if err := conn.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("response %d on the one connection: %v", i+1, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("response %d: %v", i+1, err)
		}
		if resp.StatusCode != http.StatusOK || resp.Close || !strings.Contains(string(body), want) {
			t.Fatalf("response %d: %s, close %v, body %.200q (want %q in it)", i+1, resp.Status, resp.Close, body, want)
		}
		if want == "" {
			continue // the dashboard is not an AWS answer
		}
		id := resp.Header.Get("x-amzn-requestid")
		if !requestID.MatchString(id) || ids[id] {
			t.Errorf("response %d: request ID %q, want 52 letters and digits, new each time", i+1, id)
		}
		ids[id] = true
	}

	var dials atomic.Int32
	tr := s.tr.Clone()
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, addr)
	}
	db := dynamodb.NewFromConfig(awsConfig(s.url, awshttp.Transport(tr)))
	for i := range 20 {
		if _, err := db.PutItem(s.ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: isoItem(fmt.Sprint("kept", i), "v")}); err != nil {
			t.Fatal(err)
		}
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("20 requests one after another took %d connections, want 1", n)
	}
}

// launcherProbe loads the launcher with its patches in a Python of its own, without starting the
// server, and runs script after it, with the launcher's globals in launcher; the script prints one
// JSON object, which is decoded into out.
func launcherProbe(t *testing.T, script string, out any) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skipf("python3 is not available here: %v", err) // make prereq names what to install
	}
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	prelude := "import json, runpy, sys\nlauncher = runpy.run_path(sys.argv[1])\n"
	cmd := exec.Command(py, "-c", prelude+script, launcherPath(root))
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	stdout, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("the probe failed: %v\n%s", err, exit.Stderr)
		}
		t.Fatal(err)
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("the probe's output %q: %v", stdout, err)
	}
}

func TestMotoStartsWithoutBatchPatch21AndParsesADefinitionOncePatch16(t *testing.T) {
	t.Run("patch 21: EC2's models are not imported until Batch is used, and Batch still loads", func(t *testing.T) {
		var got struct {
			EC2, BatchModels bool
			Backends         string
			EC2AfterBatch    bool
		}
		launcherProbe(t, `
out = {"EC2": "moto.ec2" in sys.modules, "BatchModels": "moto.batch.models" in sys.modules}
from moto import backends
out["Backends"] = type(backends.get_backend("batch")).__name__
out["EC2AfterBatch"] = "moto.ec2" in sys.modules
print(json.dumps(out))
`, &got)
		if got.EC2 || got.BatchModels {
			t.Errorf("with the launcher loaded, moto.ec2 imported %v, moto.batch.models imported %v; want neither", got.EC2, got.BatchModels)
		}
		if got.Backends != "BackendDict" || !got.EC2AfterBatch {
			t.Errorf("moto's lookup of Batch's backends gave %q (EC2 then imported: %v); want a BackendDict, with EC2 loaded for it", got.Backends, got.EC2AfterBatch)
		}
	})
	t.Run("patch 16: CreateStateMachine's parse is the one its executions evaluate", func(t *testing.T) {
		var got struct {
			Parses int
			Status string
		}
		launcherProbe(t, `
import time
from moto.stepfunctions.parser.asl.parse import asl_parser
parse = asl_parser.AmazonStateLanguageParser.parse
parses = []
def counted(definition):
    parses.append(definition)
    return parse(definition)
asl_parser.AmazonStateLanguageParser.parse = staticmethod(counted)
from moto.stepfunctions import responses
sfn = responses.get_backend("123456789012", "us-east-1")  # the engine's backend, as a request finds it
definition = json.dumps({"StartAt": "Only", "States": {"Only": {"Type": "Pass", "Result": 1, "End": True}}})
machine = sfn.create_state_machine(name="probe", definition=definition, roleArn="arn:aws:iam::123456789012:role/probe")
executions = [sfn.start_execution(machine.arn, name="run-%d" % i, execution_input="{}") for i in range(2)]
deadline = time.time() + 30
while time.time() < deadline and any(sfn.describe_execution(e.execution_arn).status == "RUNNING" for e in executions):
    time.sleep(0.05)
status = ",".join(sorted({str(sfn.describe_execution(e.execution_arn).status) for e in executions}))
print(json.dumps({"Parses": len(parses), "Status": status}))
`, &got)
		if got.Status != "SUCCEEDED" {
			t.Fatalf("the two executions ended %q, want SUCCEEDED", got.Status)
		}
		if got.Parses != 1 {
			t.Errorf("the definition was parsed %d times for its creation and two executions, want once", got.Parses)
		}
	})
}

// randomValues is Python that draws random DynamoDB attribute values (value(0)): every type,
// nested in maps and lists up to four levels, strings with characters of one to four bytes.
const randomValues = `
import random
from moto.dynamodb.models.dynamo_type import DynamoType, Item
rnd = random.Random(22)
def text():
    return "".join(rnd.choice("abcdeё€𝄞 ") for _ in range(rnd.randint(0, 12)))
def value(depth):
    kind = rnd.choice(["S", "N", "B", "BOOL", "NULL", "SS", "NS", "L", "M"] if depth < 4 else ["S", "N", "BOOL"])
    if kind == "S": return {"S": text()}
    if kind == "N": return {"N": rnd.choice(["0", "-1", "3.14", "1E+2", "12345678901234567890", "0.000001"])}
    if kind == "B": return {"B": bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 9)))}
    if kind == "BOOL": return {"BOOL": rnd.random() < 0.5}
    if kind == "NULL": return {"NULL": True}
    if kind == "SS": return {"SS": sorted({text() + "x" for _ in range(rnd.randint(1, 4))})}
    if kind == "NS": return {"NS": sorted({str(rnd.randint(-99, 99)) for _ in range(rnd.randint(1, 4))})}
    if kind == "L": return {"L": [value(depth + 1) for _ in range(rnd.randint(0, 4))]}
    return {"M": {text() + str(i): value(depth + 1) for i in range(rnd.randint(0, 4))}}
`

func TestMotoSizesAndProjectsAsBeforePatch22(t *testing.T) {
	// Random attribute values, nested maps and lists of every type, measured and projected by the
	// patch and by moto 5.2.1's own functions (kept by the launcher as _ddb_size, _ddb_project).
	var got struct {
		Values, Projections int
		Mismatches          []string
	}
	launcherProbe(t, randomValues+`
size_before, project_before = launcher["_ddb_size"], launcher["_ddb_project"]
mismatches, values, projections = [], 0, 0
for _ in range(400):
    v = DynamoType(value(0))
    values += 1
    if v.size() != size_before(v):
        mismatches.append("size %r: %d, before %d" % (v, v.size(), size_before(v)))
names = ["pk", "sk", "a", "b", "c", "d", "missing"]
for _ in range(300):
    attrs = {"pk": {"S": "p"}, "sk": {"S": "s"}}
    for n in names[2:6]:
        if rnd.random() < 0.8:
            attrs[n] = value(0)
    item = Item(DynamoType(attrs["pk"]), DynamoType(attrs["sk"]), attrs)
    exprs = [[rnd.choice(names)] for _ in range(rnd.randint(1, 6))]
    projections += 1
    now, before = item.project(exprs).to_json(), project_before(item, exprs).to_json()
    if now != before:
        mismatches.append("project %r of %r: %r, before %r" % (exprs, item, now, before))
print(json.dumps({"Values": values, "Projections": projections, "Mismatches": mismatches[:5]}))
`, &got)
	if got.Values != 400 || got.Projections != 300 {
		t.Fatalf("the probe compared %d values and %d projections, want 400 and 300", got.Values, got.Projections)
	}
	for _, m := range got.Mismatches {
		t.Error(m)
	}
}

// TestMotoBuildsAndConvertsItemsAsBeforePatch24: the launcher's patch 24 builds an item measuring
// it once and turns values into plain ones building each level once; random items and values of
// every type, nested, come out as moto 5.2.1's own functions (kept by the launcher) make them, the
// plain values share nothing with the item, and the 400 KB limit falls on the same byte.
func TestMotoBuildsAndConvertsItemsAsBeforePatch24(t *testing.T) {
	var got struct {
		Values, Items int
		Limit         []string
		Mismatches    []string
	}
	launcherProbe(t, randomValues+`
init_before, plain_before, plain_now = launcher["_ddb_item_init"], launcher["_ddb_to_regular_json"], DynamoType.to_regular_json
if plain_now is plain_before or Item.__init__ is init_before:
    raise SystemExit("patch 24 is not in place")
def plain_reference(v):
    # 5.2.1's method converts the members through the class: all of it, without the patch
    DynamoType.to_regular_json = plain_before
    try:
        return plain_before(v)
    finally:
        DynamoType.to_regular_json = plain_now
from moto.dynamodb.exceptions import ItemSizeTooLarge
mismatches, values, items = [], 0, 0
def clear(v):
    # empties every list and dict of a plain value, after reading it
    if isinstance(v, dict):
        for x in list(v.values()): clear(x)
        v.clear()
    elif isinstance(v, list):
        for x in v: clear(x)
        v.clear()
# binary values as they come from the wire, base64 text, besides value()'s bytes
wire = [{"B": "AAE="}, {"BS": ["AAE=", "/w=="]}, {"L": [{"B": "AAE="}, {"M": {"b": {"B": "/w=="}, "bs": {"BS": ["AAE="]}}}]}]
for v in [DynamoType(w) for w in wire] + [DynamoType(value(0)) for _ in range(400 - len(wire))]:
    values += 1
    now, before = v.to_regular_json(), plain_reference(v)
    if now != before:
        mismatches.append("plain %r: %r, before %r" % (v, now, before))
    clear(now)
    if v.to_regular_json() != before:
        mismatches.append("plain %r: emptying the plain value changed the item's" % v)
def built(init, attrs):
    item = Item.__new__(Item)
    try:
        init(item, DynamoType(attrs["pk"]), DynamoType(attrs["sk"]), attrs)
    except ItemSizeTooLarge:
        return "too large"
    return (type(item.attrs).__name__, item.to_json(), item.size(), [type(a).__name__ for a in item.attrs.values()])
for _ in range(300):
    attrs = {"pk": {"S": "p"}, "sk": {"S": "s"}}
    for i in range(rnd.randint(0, 12)):
        attrs[text() + str(i)] = value(0)
    items += 1
    now, before = built(Item.__init__, attrs), built(init_before, attrs)
    if now != before:
        mismatches.append("item %r: %r, before %r" % (attrs, now, before))
# keys pk, sk, big (7 bytes) and the values p, s (2): 405,000 bytes with 404,991 of x
limit = []
for n in (404990, 404991, 404992, 404993):
    attrs = {"pk": {"S": "p"}, "sk": {"S": "s"}, "big": {"S": "x" * n}}
    now, before = built(Item.__init__, attrs), built(init_before, attrs)
    if now != before:
        mismatches.append("item of %d bytes: %r, before %r" % (n + 9, now, before))
    limit.append("%d: %s" % (n + 9, "refused" if now == "too large" else "kept"))
print(json.dumps({"Values": values, "Items": items, "Limit": limit, "Mismatches": mismatches[:5]}))
`, &got)
	if got.Values != 400 || got.Items != 300 {
		t.Fatalf("the probe compared %d values and %d items, want 400 and 300", got.Values, got.Items)
	}
	if want := []string{"404999: kept", "405000: kept", "405001: refused", "405002: refused"}; !slices.Equal(got.Limit, want) {
		t.Errorf("the size limit: %v, want %v", got.Limit, want)
	}
	for _, m := range got.Mismatches {
		t.Error(m)
	}
}

// TestMotoTurnsResultsIntoPlainValuesAsBeforePatch25: the launcher's dynamo_to_dict (patch 25)
// answers what moto 5.2.1's answers (kept by the launcher) for random results: items and their
// attributes, values of every type nested in dicts and lists, binary values as text and as bytes,
// dates and numbers.
func TestMotoTurnsResultsIntoPlainValuesAsBeforePatch25(t *testing.T) {
	var got struct {
		Results    int
		Mismatches []string
	}
	launcherProbe(t, randomValues+`
import datetime
from moto.dynamodb.models import utilities
from moto.dynamodb import responses
before, patched = launcher["_ddb_to_dict"], utilities.dynamo_to_dict
if patched is before or responses.dynamo_to_dict is not patched:
    raise SystemExit("patch 25 is not in place")
def reference(obj):
    # 5.2.1's function calls itself by its module's name: all of it, without the patch
    utilities.dynamo_to_dict = before
    try:
        return before(obj)
    finally:
        utilities.dynamo_to_dict = patched
mismatches, results = [], 0
for _ in range(300):
    attrs = {"pk": {"S": "p"}, "sk": {"S": "s"}}
    for i in range(rnd.randint(0, 8)):
        attrs[text() + str(i)] = value(0)
    item = Item(DynamoType(attrs["pk"]), DynamoType(attrs["sk"]), attrs)
    result = {"Count": rnd.randint(0, 9), "ScannedCount": 1.5, "Items": [item.attrs, item.attrs],
              "Item": item, "Nested": [{"v": DynamoType(value(0))}, None, True, b"raw", DynamoType({"B": b"\x00\xff"}),
                                       DynamoType({"BS": ["AAE=", b"\x01"]})],
              "At": datetime.datetime(2026, 12, 6, rnd.randint(0, 23), tzinfo=datetime.timezone.utc)}
    results += 1
    now, was = patched(result), reference(result)
    if now != was or repr(now) != repr(was):
        mismatches.append("%r: %r, before %r" % (result, now, was))
print(json.dumps({"Results": results, "Mismatches": mismatches[:5]}))
`, &got)
	probeFound(t, "compared results", got.Results, 300, got.Mismatches)
}

func TestMotoReadsLeaveTheItemsWholePatch22(t *testing.T) {
	s := newIsolation(t)
	table := s.table + "-projected"
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	s.createTable(table, []string{"g"},
		types.GlobalSecondaryIndex{IndexName: aws.String("keys"), KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}},
		types.GlobalSecondaryIndex{IndexName: aws.String("include"), KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"small"}}})
	// Four items of 300,000 bytes each: a page of a Query or Scan (1 MB at most) holds three.
	big := strings.Repeat("x", 300_000)
	nested := &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"list": &types.AttributeValueMemberL{Value: []types.AttributeValue{str("a"), &types.AttributeValueMemberN{Value: "1.50"}}}}}
	for i := range 4 {
		if _, err := s.db.PutItem(s.ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
			"pk": str("p"), "sk": str(fmt.Sprintf("s%d", i)), "g": str("g"), "small": str("kept"), "big": str(big), "nested": nested}}); err != nil {
			t.Fatal(err)
		}
	}
	page := func(what string, n int, items []map[string]types.AttributeValue, last map[string]types.AttributeValue, want ...string) {
		t.Helper()
		if n > 0 && (len(items) != n || (n == 3) != (last != nil)) || len(items) == 0 {
			t.Fatalf("%s: %d items, more after them %v; want %d", what, len(items), last != nil, n)
		}
		for _, it := range items {
			var names []string
			for name := range it {
				names = append(names, name)
			}
			slices.Sort(names)
			if !slices.Equal(names, want) {
				t.Fatalf("%s: an item with %v, want %v", what, names, want)
			}
		}
	}
	q, err := s.db.Query(s.ctx, &dynamodb.QueryInput{TableName: aws.String(table), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("p")}})
	if err != nil {
		t.Fatal(err)
	}
	page("the table's Query", 3, q.Items, q.LastEvaluatedKey, "big", "g", "nested", "pk", "sk", "small")
	for _, index := range []struct {
		name string
		want []string
	}{{"keys", []string{"g", "pk", "sk"}}, {"include", []string{"g", "pk", "sk", "small"}}} {
		q, err := s.db.Query(s.ctx, &dynamodb.QueryInput{TableName: aws.String(table), IndexName: aws.String(index.name),
			KeyConditionExpression: aws.String("g = :g"), ExpressionAttributeValues: map[string]types.AttributeValue{":g": str("g")}})
		if err != nil {
			t.Fatal(err)
		}
		// (moto pages an index by the size of the items stored, not of what it projects: any count)
		page("a Query of the index "+index.name, 0, q.Items, q.LastEvaluatedKey, index.want...)
	}
	sc, err := s.db.Scan(s.ctx, &dynamodb.ScanInput{TableName: aws.String(table), ProjectionExpression: aws.String("pk, sk, nested"),
		FilterExpression: aws.String("small = :k"), ExpressionAttributeValues: map[string]types.AttributeValue{":k": str("kept")}})
	if err != nil {
		t.Fatal(err)
	}
	page("a Scan with a projection and a filter", 3, sc.Items, sc.LastEvaluatedKey, "nested", "pk", "sk")
	// What the reads returned were not the stored items cut down: each is still whole.
	for i := range 4 {
		got, err := s.db.GetItem(s.ctx, &dynamodb.GetItemInput{TableName: aws.String(table),
			Key: map[string]types.AttributeValue{"pk": str("p"), "sk": str(fmt.Sprintf("s%d", i))}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := got.Item["big"].(*types.AttributeValueMemberS)
		n, _ := got.Item["nested"].(*types.AttributeValueMemberM)
		if len(got.Item) != 6 || b == nil || b.Value != big || n == nil || len(n.Value["list"].(*types.AttributeValueMemberL).Value) != 2 {
			t.Fatalf("item s%d after the reads: %d attributes, big whole %v, nested %v", i, len(got.Item), b != nil && b.Value == big, n != nil)
		}
	}
}

// TestMotoIndexQueryFollowsEveryWritePatch23: a Query of an index answers what the table holds at
// that moment, whatever wrote it last: patch 23 groups the items by the index's partition key once
// and keeps the groups until a request that may write. 400 random writes of every kind (PutItem,
// UpdateItem setting or removing an index key, DeleteItem, BatchWriteItem, TransactWriteItems that
// commit or are cancelled by a condition), each followed by Queries of two indexes (one with a
// sort key, one without) checked against a model of the table.
func TestMotoIndexQueryFollowsEveryWritePatch23(t *testing.T) {
	s := newIsolation(t)
	table := s.table + "-partitions"
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	s.createTable(table, []string{"g", "gs", "h"},
		types.GlobalSecondaryIndex{
			IndexName: aws.String("by-g"),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("gs"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		},
		types.GlobalSecondaryIndex{
			IndexName:  aws.String("by-h"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("h"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		})
	type row struct{ g, gs, h string } // "" for an attribute the item lacks
	model := map[string]row{}          // by "pk/sk"
	rng := rand.New(rand.NewPCG(23, 23))
	pick := func(n int, prefix string) string { return fmt.Sprintf("%s%d", prefix, rng.IntN(n)) }
	keyAt := func() (string, string) { return pick(6, "p"), pick(8, "s") }
	attrs := func(pk, sk string, r row) map[string]types.AttributeValue {
		it := map[string]types.AttributeValue{"pk": str(pk), "sk": str(sk)}
		for name, v := range map[string]string{"g": r.g, "gs": r.gs, "h": r.h} {
			if v != "" {
				it[name] = str(v)
			}
		}
		return it
	}
	randomRow := func() row {
		var r row
		if rng.IntN(4) > 0 {
			r.g, r.gs = pick(3, "g"), pick(5, "t")
		}
		if rng.IntN(3) > 0 {
			r.h = pick(3, "h")
		}
		return r
	}
	key := func(pk, sk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"pk": str(pk), "sk": str(sk)}
	}
	check := func(step int, what string) {
		t.Helper()
		g, h := pick(3, "g"), pick(3, "h")
		var wantG, wantH []string
		for k, r := range model {
			if r.g == g && r.gs != "" {
				wantG = append(wantG, r.gs+" "+k)
			}
			if r.h == h {
				wantH = append(wantH, k)
			}
		}
		slices.Sort(wantG)
		for i, v := range wantG {
			wantG[i] = v[strings.IndexByte(v, ' ')+1:]
		}
		gotG := s.queryKeys(&dynamodb.QueryInput{TableName: aws.String(table), IndexName: aws.String("by-g"), Limit: aws.Int32(5),
			KeyConditionExpression: aws.String("g = :g"), ExpressionAttributeValues: map[string]types.AttributeValue{":g": str(g)}})
		gotH := s.queryKeys(&dynamodb.QueryInput{TableName: aws.String(table), IndexName: aws.String("by-h"),
			KeyConditionExpression: aws.String("h = :h"), ExpressionAttributeValues: map[string]types.AttributeValue{":h": str(h)}})
		slices.Sort(gotH)
		slices.Sort(wantH)
		if !slices.Equal(gotG, wantG) || !slices.Equal(gotH, wantH) {
			t.Fatalf("after step %d (%s):\nby-g %s: got %v\n           want %v\nby-h %s: got %v\n           want %v", step, what, g, gotG, wantG, h, gotH, wantH)
		}
	}
	for step := range 400 {
		pk, sk := keyAt()
		k := pk + "/" + sk
		var what string
		var err error
		switch op := rng.IntN(6); op {
		case 0, 1:
			r := randomRow()
			what = fmt.Sprintf("PutItem %s %+v", k, r)
			_, err = s.db.PutItem(s.ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: attrs(pk, sk, r)})
			model[k] = r
		case 2:
			r, ok := model[k]
			if !ok {
				continue
			}
			if rng.IntN(2) == 0 {
				r.g, r.gs = pick(3, "g"), pick(5, "t")
				what = fmt.Sprintf("UpdateItem %s SET g, gs", k)
				_, err = s.db.UpdateItem(s.ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key(pk, sk),
					UpdateExpression:          aws.String("SET g = :g, gs = :gs"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":g": str(r.g), ":gs": str(r.gs)}})
			} else {
				r.h = ""
				what = fmt.Sprintf("UpdateItem %s REMOVE h", k)
				_, err = s.db.UpdateItem(s.ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: key(pk, sk), UpdateExpression: aws.String("REMOVE h")})
			}
			model[k] = r
		case 3:
			what = "DeleteItem " + k
			_, err = s.db.DeleteItem(s.ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: key(pk, sk)})
			delete(model, k)
		case 4:
			pk2, sk2 := keyAt()
			r := randomRow()
			reqs := []types.WriteRequest{{PutRequest: &types.PutRequest{Item: attrs(pk, sk, r)}}}
			if k2 := pk2 + "/" + sk2; k2 != k {
				reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(pk2, sk2)}})
				delete(model, k2)
			}
			model[k] = r
			what = fmt.Sprintf("BatchWriteItem put %s, delete %s/%s", k, pk2, sk2)
			_, err = s.db.BatchWriteItem(s.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
		case 5:
			pk2, sk2 := keyAt()
			k2 := pk2 + "/" + sk2
			if k2 == k {
				continue
			}
			r := randomRow()
			cancel := rng.IntN(2) == 0
			cond := "attribute_exists(pk) OR attribute_not_exists(pk)" // always holds
			if cancel {
				cond = "attribute_exists(pk) AND attribute_not_exists(pk)" // never holds
			}
			what = fmt.Sprintf("TransactWriteItems put %s, delete %s (cancelled %v)", k, k2, cancel)
			_, err = s.db.TransactWriteItems(s.ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: aws.String(table), Item: attrs(pk, sk, r)}},
				{Delete: &types.Delete{TableName: aws.String(table), Key: key(pk2, sk2), ConditionExpression: aws.String(cond)}},
			}})
			var cancelled *types.TransactionCanceledException
			if cancel && errors.As(err, &cancelled) {
				err = nil
			} else if cancel && err == nil {
				t.Fatalf("step %d: %s committed", step, what)
			} else {
				model[k] = r
				delete(model, k2)
			}
		}
		if err != nil {
			t.Fatalf("step %d: %s: %v", step, what, err)
		}
		check(step, what)
	}
	if len(model) < 10 {
		t.Fatalf("only %d items at the end: the walk did not fill the table", len(model))
	}
}

// TestMotoUpdatesAsBeforePatch27AndForgetsItemSizesPatch26: 400 random updates (UpdateItem, and
// TransactWriteItems that apply or are cancelled) of five items, each made twice, on two tables
// that hold the same items: once with the launcher's update validation (patch 27) and once with
// moto 5.2.1's traversals put back. The expressions set, remove, add, append, set nested paths and
// names, and are often refused (the same path twice, overlapping paths, two clauses of a kind, a
// name left undefined, a type that does not fit). Each outcome (the result or the error) and the
// tables after it must be the same; every item's size, kept since it was last measured (patch 26),
// must be the size moto 5.2.1 measures now.
func TestMotoUpdatesAsBeforePatch27AndForgetsItemSizesPatch26(t *testing.T) {
	var got struct {
		Updates, Refused, Sizes, Kept int
		Mismatches                    []string
	}
	launcherProbe(t, randomValues+`from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.parsing import ast_nodes, validators
backend = dynamodb_backends["123456789012"]["us-east-1"]
for name in ("a", "b"):
    backend.create_table(name, schema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                         attr=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
                         throughput=None, billing_mode="PAY_PER_REQUEST", indexes=None, global_indexes=None, streams=None,
                         sse_specification=None, tags=None, deletion_protection_enabled=False, warm_throughput=None)
names = ["a", "b", "c", "d", "e", "m", "l", "n"]
for i in range(5):
    attrs = {"pk": {"S": "p"}, "sk": {"S": "s%d" % i}, "m": {"M": {"x": value(2)}}, "l": {"L": [value(2)]}, "n": {"N": "1"}}
    for n in names[:2]:
        if rnd.random() < 0.7:
            attrs[n] = value(0)
    for table in ("a", "b"):
        backend.put_item(table, attrs)
def update():
    sets, removes, adds, values, used = [], [], [], {}, {}
    for k in range(rnd.randint(1, 4)):
        kind, a, v = rnd.choice(["set", "set", "nested", "remove", "add", "append", "ifnot", "name"]), rnd.choice(names), ":v%d" % k
        if kind == "set": sets.append("%s = %s" % (a, v)); values[v] = value(1)
        elif kind == "nested": sets.append("m.%s = %s" % (rnd.choice("xy"), v)); values[v] = value(2)
        elif kind == "remove": removes.append(a)
        elif kind == "add": adds.append("n %s" % v); values[v] = {"N": str(rnd.randint(-5, 5))}
        elif kind == "append": sets.append("l = list_append(l, %s)" % v); values[v] = {"L": [value(2)]}
        elif kind == "ifnot": sets.append("%s = if_not_exists(%s, %s)" % (a, a, v)); values[v] = value(1)
        else: used["#n%d" % k] = a; sets.append("#n%d = %s" % (k, v)); values[v] = value(1)
    clauses = [c for c in ("SET " + ", ".join(sets) if sets else "", "REMOVE " + ", ".join(removes) if removes else "",
                           "ADD " + ", ".join(adds) if adds else "") if c]
    if rnd.random() < 0.1:
        clauses.append(rnd.choice(["SET zz = :zz", "REMOVE zz", "ADD zz :zz"]))  # a second clause of a kind: refused
        values[":zz"] = {"N": "1"}
    if used and rnd.random() < 0.1:
        used.popitem()  # a name the expression uses and does not define: refused
    rnd.shuffle(clauses)
    return " ".join(clauses), used, values
full_traversal = launcher["_ddb_traverse_node"]
patched_traversal = ast_nodes.DepthFirstTraverser.traverse_node_recursively
checked = {c: c.__dict__["traverse"] for c in (validators.ActionCountValidator, validators.OverlappingPathsValidator)}
if patched_traversal is full_traversal or any(t.__name__ != "traverse" for t in checked.values()):
    raise SystemExit("patch 27 is not in place")
def as_in_5_2_1(on):
    ast_nodes.DepthFirstTraverser.traverse_node_recursively = full_traversal if on else patched_traversal
    for c, t in checked.items():
        if on:
            delattr(c, "traverse")
        else:
            c.traverse = t
def outcome(table, run):
    try:
        return repr(run(table))
    except Exception as e:
        return "! %s: %s" % (type(e).__name__, e)
mismatches, updates, refused, sizes, kept = [], 0, 0, 0, 0
for _ in range(400):
    expression, used, values = update()
    one, other_one = rnd.sample(range(5), 2)
    key = {"pk": {"S": "p"}, "sk": {"S": "s%d" % one}}
    if rnd.random() < 0.3:
        failing = rnd.random() < 0.5
        def run(table):
            entry = {"TableName": table, "Key": key, "UpdateExpression": expression, "ExpressionAttributeValues": values}
            if used:
                entry["ExpressionAttributeNames"] = used
            other = {"TableName": table, "Key": {"pk": {"S": "p"}, "sk": {"S": "s%d" % other_one}},
                     "UpdateExpression": "SET b = :b", "ExpressionAttributeValues": {":b": {"S": "t"}}}
            if failing:
                other["ConditionExpression"] = "attribute_exists(nothing)"
            return backend.transact_write_items([{"Update": entry}, {"Update": other}])
    else:
        def run(table):
            item = backend.update_item(table, key, expression, used, values)
            return item.to_json()
    state = rnd.getstate()
    now = outcome("a", run)
    rnd.setstate(state)
    as_in_5_2_1(True)
    try:
        was = outcome("b", run)
    finally:
        as_in_5_2_1(False)
    updates += 1
    refused += now.startswith("! ")
    if now != was:
        mismatches.append("%s (%r %r): %s, before %s" % (expression, used, values, now, was))
    for table in ("a", "b"):
        for item in backend.get_table(table).all_items():
            sizes += 1
            kept += "_attestation_size" in item.__dict__
            if item.size() != launcher["_ddb_item_size"](item):
                mismatches.append("%s after %s: size %d, measured %d" % (item, expression, item.size(), launcher["_ddb_item_size"](item)))
    a, b = [[i.to_json() for i in backend.get_table(t).all_items()] for t in ("a", "b")]
    if a != b:
        mismatches.append("after %s: %r, before %r" % (expression, a, b))
print(json.dumps({"Updates": updates, "Refused": refused, "Sizes": sizes, "Kept": kept, "Mismatches": mismatches[:5]}))
`, &got)
	if got.Updates != 400 || got.Refused < 100 || got.Updates-got.Refused < 100 {
		t.Fatalf("the probe made %d updates, %d of them refused; want 400, of which at least 100 refused and 100 applied", got.Updates, got.Refused)
	}
	if got.Kept < got.Sizes/2 {
		t.Errorf("%d of %d item sizes were kept between updates; want most", got.Kept, got.Sizes)
	}
	for _, m := range got.Mismatches {
		t.Error(m)
	}
}

// TestMotoPagesByItemSizesAfterUpdatesPatch26: a Query's page (1 MB at most) ends where the items'
// sizes after the last update say, not where a size kept from before the update would.
func TestMotoPagesByItemSizesAfterUpdatesPatch26(t *testing.T) {
	s := newIsolation(t)
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	for i := range 3 {
		s.put(map[string]types.AttributeValue{"pk": str("page"), "sk": str(fmt.Sprint(i)), "big": str(strings.Repeat("x", 300_000))})
	}
	query := func(want int) {
		t.Helper()
		out, err := s.db.Query(s.ctx, &dynamodb.QueryInput{TableName: aws.String(s.table), KeyConditionExpression: aws.String("pk = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("page")}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Items) != want || (want < 3) != (out.LastEvaluatedKey != nil) {
			t.Fatalf("a page of %d items, more after them %v; want %d", len(out.Items), out.LastEvaluatedKey != nil, want)
		}
	}
	update := func(sk string, size int) {
		t.Helper()
		if _, err := s.db.UpdateItem(s.ctx, &dynamodb.UpdateItemInput{TableName: aws.String(s.table), Key: map[string]types.AttributeValue{"pk": str("page"), "sk": str(sk)},
			UpdateExpression: aws.String("SET more = :m"), ExpressionAttributeValues: map[string]types.AttributeValue{":m": str(strings.Repeat("y", size))}}); err != nil {
			t.Fatal(err)
		}
	}
	query(3) // 900 KB: one page, and each item's size kept
	update("1", 100_000)
	query(2) // 1,000 KB and more: the page ends before the third item
	update("1", 1)
	query(3)
	if _, err := s.db.TransactWriteItems(s.ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{Update: &types.Update{
		TableName: aws.String(s.table), Key: map[string]types.AttributeValue{"pk": str("page"), "sk": str("0")},
		UpdateExpression: aws.String("SET more = :m"), ExpressionAttributeValues: map[string]types.AttributeValue{":m": str(strings.Repeat("z", 100_000))}}}}}); err != nil {
		t.Fatal(err)
	}
	query(2)
}

// TestMotoParsesAttributeValuesAsBeforePatch28: the launcher's parsing of a request's attribute
// values (patch 28) gives what moto 5.2.1's parser gives, for 300 random requests (PutItem,
// UpdateItem, Query, TransactWriteItems, BatchWriteItem) whose values are of every type, nested,
// binary ones as base64 text as the SDK sends them, and now and then values no SDK sends (two
// types, none, an unknown one, a null, a list where a map belongs).
func TestMotoParsesAttributeValuesAsBeforePatch28(t *testing.T) {
	var got struct {
		Bodies     int
		Mismatches []string
	}
	launcherProbe(t, randomValues+`import base64
from moto.core import parse as moto_parse
from moto.core.utils import get_service_model
model = get_service_model("dynamodb")
patched = moto_parse.BaseJSONParser._parse_structure
before = launcher["_parse_json_structure"]
if patched is before:
    raise SystemExit("patch 28 is not in place")
for operation, member in (("PutItem", "Item"), ("UpdateItem", "ExpressionAttributeValues"), ("Query", "ExclusiveStartKey")):
    shape = model.operation_model(operation).input_shape.members[member].value
    if not launcher["_is_attribute_value"](shape):
        raise SystemExit("patch 28 does not know %s's %s as attribute values" % (operation, member))
def wire(v):
    # an attribute value as the SDK sends it: binary values as base64 text
    (k, x), = v.items()
    if k == "B": return {"B": base64.b64encode(x).decode()}
    if k == "L": return {"L": [wire(e) for e in x]}
    if k == "M": return {"M": {n: wire(e) for n, e in x.items()}}
    return v
def odd():
    # values the SDK does not send, which the parser must take as 5.2.1 took them
    return rnd.choice([{"S": "a", "N": "1"}, {}, {"X": "y"}, {"S": None}, {"SS": "abc"}, {"M": [1]}, {"L": {"a": 1}},
                       {"BS": [base64.b64encode(b"\x00\x01").decode()]}, {"NULL": False}, {"M": {"k": {"SS": ["x"], "S": "y"}}},
                       "text", None, 5, {"L": [None, {"N": 3}]}])
def attrs():
    return {text() + str(i): (odd() if rnd.random() < 0.1 else wire(value(0))) for i in range(rnd.randint(0, 6))}
def parse(operation, body):
    parser = moto_parse.JSONParser(model.operation_model(operation))
    return parser.parse({"method": "POST", "values": {}, "headers": {}, "body": json.dumps(body).encode(), "url_path": "/", "url_params": {}})
mismatches, bodies = [], 0
for _ in range(300):
    operation, body = rnd.choice([
        ("PutItem", {"TableName": "t", "Item": attrs(), "ExpressionAttributeValues": attrs()}),
        ("UpdateItem", {"TableName": "t", "Key": attrs(), "UpdateExpression": "SET a = :a", "ExpressionAttributeValues": attrs(),
                        "AttributeUpdates": {"a": {"Value": wire(value(0)), "Action": "PUT"}}}),
        ("Query", {"TableName": "t", "ExclusiveStartKey": attrs(), "QueryFilter": {"a": {"AttributeValueList": [wire(value(0))], "ComparisonOperator": "EQ"}}}),
        ("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": "t", "Item": attrs()}}, {"Update": {"TableName": "t", "Key": attrs(), "UpdateExpression": "SET a = :a", "ExpressionAttributeValues": attrs()}}]}),
        ("BatchWriteItem", {"RequestItems": {"t": [{"PutRequest": {"Item": attrs()}}, {"DeleteRequest": {"Key": attrs()}}]}}),
    ])
    bodies += 1
    def outcome():
        try:
            return parse(operation, body)
        except Exception as e:
            return "%s: %s" % (type(e).__name__, e)
    now = outcome()
    moto_parse.BaseJSONParser._parse_structure = before
    try:
        was = outcome()
    finally:
        moto_parse.BaseJSONParser._parse_structure = patched
    if now != was or repr(now) != repr(was):
        mismatches.append("%s %r: %r, before %r" % (operation, body, now, was))
print(json.dumps({"Bodies": bodies, "Mismatches": mismatches[:5]}))
`, &got)
	probeFound(t, "parsed requests", got.Bodies, 300, got.Mismatches)
}

// TestMotoParsesRequestHeadersAsBeforePatch29: the launcher's reading of a request's headers
// (patch 29) gives the message the standard library's email parser gives (its headers, payload,
// defects and every other field) and leaves the stream at the same byte, for 3,000 random header
// blocks: plain ones, as every SDK sends, and ones the fast path must hand back (continued lines,
// no name, no colon, bare LF or CR, bytes outside ASCII, a From line, a block without its end).
func TestMotoParsesRequestHeadersAsBeforePatch29(t *testing.T) {
	var got struct {
		Blocks, Plain int
		Mismatches    []string
	}
	launcherProbe(t, `import io, http.client, email.parser, random
rnd = random.Random(29)
patched, before = http.client.parse_headers, launcher["_stdlib_parse_headers"]
if patched is before:
    raise SystemExit("patch 29 is not in place")
def line():
    name = "".join(rnd.choice("ABCxyz-_!~;9") for _ in range(rnd.randint(1, 12)))
    value = "".join(rnd.choice("abc XYZ\t:;=/,0\"") for _ in range(rnd.randint(0, 30)))
    plain = "%s:%s%s\r\n" % (name, rnd.choice(["", " ", "  ", "\t", " \t"]), value)
    # lines 5.2.1's parser reads its own way: continued, without a name or a colon, with a bare
    # LF or CR, with bytes outside ASCII or controls, a mailbox's From line
    return rnd.choice([plain] * 12 + [" continued\r\n", "\tcontinued\r\n", ":novalue\r\n", "no colon\r\n",
                                      "Name: lf only\n", "Name: a\rb\r\n", "Name: caf\xe9\r\n", "Name: \x85next\r\n",
                                      "Name: \x0bvt\r\n", "From someone\r\n", "Sp ace: x\r\n", "Name:\r\n"])
mismatches, blocks, plain_blocks = [], 0, 0
for _ in range(3000):
    lines = [line() for _ in range(rnd.randint(0, 8))]
    end = rnd.choice(["\r\n"] * 8 + ["\n", ""])
    data = ("".join(lines) + end + rnd.choice(["", "body", '{"a": 1}'])).encode("iso-8859-1")
    blocks += 1
    plain_blocks += all(l.count(":") and l[0] not in " \t:" and l.endswith("\r\n") for l in lines) and end == "\r\n"
    a, b = io.BytesIO(data), io.BytesIO(data)
    def outcome(parse, fp):
        try:
            m = parse(fp)
            return repr(sorted(vars(m).items())) + " " + repr(m.items()) + " at %d" % fp.tell()
        except Exception as e:
            return "%s: %s" % (type(e).__name__, e)
    now, was = outcome(patched, a), outcome(before, b)
    if now != was:
        mismatches.append("%r: %s, before %s" % (data, now, was))
print(json.dumps({"Blocks": blocks, "Plain": plain_blocks, "Mismatches": mismatches[:5]}))
`, &got)
	if got.Plain < 500 {
		t.Fatalf("the probe read %d plain header blocks, want at least 500", got.Plain)
	}
	probeFound(t, "read header blocks", got.Blocks, 3000, got.Mismatches)
}

// TestMotoWritesResultsAsBeforePatches11And30: the launcher's writing of DynamoDB results (patch 11
// for an attribute value, patch 30 for a whole map of them: an item, a key) gives the bytes moto
// 5.2.1's serializer gives, for 400 random results (Query, Scan, GetItem, BatchGetItem,
// TransactGetItems, UpdateItem, PutItem) whose items hold values of every type, nested, and now
// and then one no item holds (a null, a string, a number where a string belongs). It first checks
// that the fast paths know the results' maps as maps of attribute values: a patch that never takes
// its path writes the same bytes too.
func TestMotoWritesResultsAsBeforePatches11And30(t *testing.T) {
	var got struct {
		Results    int
		Mismatches []string
	}
	launcherProbe(t, randomValues+`from moto.core import serialize as moto_serialize
from moto.core.utils import get_service_model
from moto.dynamodb.models.utilities import dynamo_to_dict
model = get_service_model("dynamodb")
serializer = moto_serialize.BaseJSONSerializer
patched = (serializer._serialize_type_structure, serializer._serialize_type_map)
before = (launcher["_serialize_json_structure"], launcher["_serialize_json_map"])
if patched[1] is before[1]:
    raise SystemExit("patch 30 is not in place")
for operation, member in (("GetItem", "Item"), ("UpdateItem", "Attributes"), ("Query", "LastEvaluatedKey")):
    if not launcher["_is_attribute_value"](model.operation_model(operation).output_shape.members[member].value):
        raise SystemExit("patches 11 and 30 do not know %s's %s as attribute values" % (operation, member))
def attrs():
    item = {"pk": {"S": "p"}}
    for i in range(rnd.randint(0, 6)):
        item[text() + str(i)] = value(0)
    plain = dynamo_to_dict({k: DynamoType(v) for k, v in item.items()})
    if rnd.random() < 0.05:
        plain[text()] = rnd.choice([None, "text", {"S": 5}, {"B": 7}, {"SS": [1]}, {"X": "y"}, {"M": {"k": None}}])
    return plain
def result():
    operation = rnd.choice(["Query", "Scan", "GetItem", "BatchGetItem", "UpdateItem", "TransactGetItems", "PutItem"])
    if operation in ("Query", "Scan"):
        r = {"Items": [attrs() for _ in range(rnd.randint(0, 4))], "Count": 1, "ScannedCount": 2}
        if rnd.random() < 0.5:
            r["LastEvaluatedKey"] = attrs()
    elif operation == "GetItem":
        r = {"Item": attrs()} if rnd.random() < 0.9 else {}
    elif operation == "BatchGetItem":
        r = {"Responses": {"t": [attrs() for _ in range(rnd.randint(0, 3))]}, "UnprocessedKeys": {}}
    elif operation == "TransactGetItems":
        r = {"Responses": [{"Item": attrs()} for _ in range(rnd.randint(0, 3))]}
    else:
        r = {"Attributes": attrs()}
    return operation, r
def body(operation, r):
    try:
        return moto_serialize.JSONSerializer(model.operation_model(operation)).serialize(r)["body"]
    except Exception as e:
        return "%s: %s" % (type(e).__name__, e)
mismatches, results = [], 0
for _ in range(400):
    operation, r = result()
    results += 1
    now = body(operation, r)
    serializer._serialize_type_structure, serializer._serialize_type_map = before
    try:
        was = body(operation, r)
    finally:
        serializer._serialize_type_structure, serializer._serialize_type_map = patched
    if now != was:
        mismatches.append("%s %r: %s, before %s" % (operation, r, now, was))
print(json.dumps({"Results": results, "Mismatches": mismatches[:5]}))
`, &got)
	probeFound(t, "wrote results", got.Results, 400, got.Mismatches)
}

// probeFound fails the test when a launcher probe did fewer than want checks (what: what it did,
// as "compared results") or found mismatches, each of which it names.
func probeFound(t *testing.T, what string, did, want int, mismatches []string) {
	t.Helper()
	if did != want {
		t.Fatalf("the probe %s: %d, want %d", what, did, want)
	}
	for _, m := range mismatches {
		t.Error(m)
	}
}
