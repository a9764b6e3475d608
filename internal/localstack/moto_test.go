package localstack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// isolation is a table on moto started through the launcher, reached by a client that does not
// serialise its writes as the stack's own clients do.
type isolation struct {
	t   testing.TB
	ctx context.Context
	db  *dynamodb.Client
}

const isolationTable = "isolation"

func newIsolation(t testing.TB) *isolation {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	port, err := freePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	m, err := startMoto(ctx, launcherPath(root), "127.0.0.1", port, "http://127.0.0.1:1", nil)
	if err != nil {
		t.Skipf("moto is not available here: %v", err) // make prereq names what to install
	}
	t.Cleanup(m.stop)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost, tr.MaxIdleConnsPerHost = 64, 64
	db := dynamodb.NewFromConfig(awsConfig(m.url, tr))
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(isolationTable),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
	}); err != nil {
		t.Fatal(err)
	}
	return &isolation{t: t, ctx: ctx, db: db}
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
	out, err := s.db.GetItem(s.ctx, &dynamodb.GetItemInput{TableName: aws.String(isolationTable), Key: isoKey(pk), ConsistentRead: aws.Bool(true)})
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
		if _, err := s.db.BatchWriteItem(s.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{isolationTable: batch}}); err != nil {
			s.t.Fatal(err)
		}
		items = items[n:]
	}
}

// failingTransaction names put, update and delete items and a guard whose condition never holds.
func failingTransaction(put, update, del string) *dynamodb.TransactWriteItemsInput {
	tbl := aws.String(isolationTable)
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
		failingTransaction("kept", "changed", "deleted"),
		failingTransaction("created", "updated", "deleted"),
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
	in := failingTransaction("kept", "changed", "deleted")
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
		_, err := s.db.TransactWriteItems(s.ctx, failingTransaction("seed-0001", "seed-0002", "seed-0003"))
		var cancelled *types.TransactionCanceledException
		if !errors.As(err, &cancelled) {
			b.Fatal(err)
		}
	}
}
