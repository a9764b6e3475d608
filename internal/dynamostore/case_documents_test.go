package dynamostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/dynamostore"
)

// countingAPI records the items each write of the store carries.
type countingAPI struct {
	dynamostore.API
	writes [][]string // per write, the sort keys of its items
}

func (c *countingAPI) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.writes = append(c.writes, []string{in.Item["sk"].(*types.AttributeValueMemberS).Value})
	return c.API.PutItem(ctx, in, opts...)
}

func (c *countingAPI) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	var sks []string
	for _, it := range in.TransactItems {
		if it.Put != nil {
			sks = append(sks, it.Put.Item["sk"].(*types.AttributeValueMemberS).Value)
		}
	}
	c.writes = append(c.writes, sks)
	return c.API.TransactWriteItems(ctx, in, opts...)
}

func rawCaseItem(t *testing.T, id, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := stack.Clients.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(stack.Template.Tables[0].Name),
		ConsistentRead: aws.Bool(true), Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "CASE#" + id}, "sk": &types.AttributeValueMemberS{Value: sk}}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func docOf(kind string) attestation.Document {
	return attestation.Document{Kind: kind, Key: "documents/U-" + kind, VersionID: "v-" + kind, SHA256: "ab", Step: "submit"}
}

// TestCaseDocumentsLiveApartAndAreKept: a case's documents are an item of their own (CASE#<id> /
// DOCS), written with the case when they change and only then; Get reads both in one request; a
// case read without them (GetWithoutDocuments) and updated keeps them; a case item of the earlier
// shape (documents inline) reads, and its next write moves them out.
func TestCaseDocumentsLiveApartAndAreKept(t *testing.T) {
	ctx := context.Background()
	api := &countingAPI{API: stack.Clients.DynamoDB}
	st := dynamostore.New(api, stack.Template.Tables[0].Name)
	id := uniqueID(t, "A-DOCS")
	c := newCase(id, time.Date(2026, 10, 20, 18, 0, 0, 0, time.UTC))
	c.Documents = []attestation.Document{docOf("application"), docOf("annex3_01"), docOf("annex3_02")}
	if err := st.Create(ctx, c, event(1, "filed")); err != nil {
		t.Fatal(err)
	}
	if caseMap := rawCaseItem(t, id, "CASE")["case"].(*types.AttributeValueMemberM).Value; caseMap["Documents"] != nil {
		t.Fatal("the case item holds the documents")
	}
	if docs, ok := rawCaseItem(t, id, "DOCS")["documents"].(*types.AttributeValueMemberL); !ok || len(docs.Value) != 3 {
		t.Fatalf("the documents item: %v", rawCaseItem(t, id, "DOCS"))
	}

	// A transition that never touches the documents: read without them, written without them.
	lean, err := st.GetWithoutDocuments(ctx, id)
	if err != nil || len(lean.Documents) != 0 || lean.Version != 1 {
		t.Fatalf("lean read: %+v %v", lean, err)
	}
	lean.Version, lean.Events = 2, 2
	api.writes = nil
	if err := st.Update(ctx, lean, event(2, "step opened")); err != nil {
		t.Fatal(err)
	}
	if len(api.writes) != 1 || len(api.writes[0]) != 2 || api.writes[0][0] != "CASE" {
		t.Fatalf("the lean update wrote %v, want the case and its event", api.writes)
	}
	got, err := st.Get(ctx, id)
	if err != nil || len(got.Documents) != 3 || got.Version != 2 {
		t.Fatalf("after the lean update: %d documents, version %d, %v", len(got.Documents), got.Version, err)
	}

	// The documents unchanged: the case item alone. Then one added: both.
	got.Version, got.Events = 3, 3
	api.writes = nil
	if err := st.Update(ctx, got, event(3, "decided")); err != nil {
		t.Fatal(err)
	}
	if len(api.writes) != 1 || len(api.writes[0]) != 2 {
		t.Fatalf("an update with the documents as read wrote %v, want the case and its event", api.writes)
	}
	got.Version, got.Events = 4, 4
	got.Documents = append(got.Documents, docOf("contract"))
	api.writes = nil
	if err := st.Update(ctx, got, event(4, "contract sent")); err != nil {
		t.Fatal(err)
	}
	if len(api.writes) != 1 || len(api.writes[0]) != 3 || api.writes[0][1] != "DOCS" {
		t.Fatalf("an update that adds a document wrote %v, want the case, its documents and its event", api.writes)
	}
	// Another store (another container) knows nothing of what was read: it writes them.
	other := dynamostore.New(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
	again, err := other.Get(ctx, id)
	if err != nil || len(again.Documents) != 4 || again.Documents[3].Kind != "contract" {
		t.Fatalf("read by another store: %+v %v", again.Documents, err)
	}

	t.Run("a case item of the earlier shape reads and moves its documents out on its next write", func(t *testing.T) {
		id := uniqueID(t, "A-OLD")
		c := newCase(id, time.Date(2026, 10, 20, 18, 0, 0, 0, time.UTC))
		c.Documents = []attestation.Document{docOf("application")}
		if err := st.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		// Make it the earlier shape: the documents inline, no documents item.
		item := rawCaseItem(t, id, "CASE")
		docs := rawCaseItem(t, id, "DOCS")["documents"]
		item["case"].(*types.AttributeValueMemberM).Value["Documents"] = docs
		table := aws.String(stack.Template.Tables[0].Name)
		if _, err := stack.Clients.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item}); err != nil {
			t.Fatal(err)
		}
		if _, err := stack.Clients.DynamoDB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "CASE#" + id}, "sk": &types.AttributeValueMemberS{Value: "DOCS"}}}); err != nil {
			t.Fatal(err)
		}
		fresh := dynamostore.New(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
		for name, get := range map[string]func(context.Context, string) (attestation.Case, error){"Get": fresh.Get, "GetWithoutDocuments": fresh.GetWithoutDocuments} {
			if old, err := get(ctx, id); err != nil || len(old.Documents) != 1 {
				t.Fatalf("%s of the earlier shape: %+v %v", name, old.Documents, err)
			}
		}
		old, _ := fresh.Get(ctx, id)
		old.Version++
		if err := fresh.Update(ctx, old); err != nil {
			t.Fatal(err)
		}
		if rawCaseItem(t, id, "CASE")["case"].(*types.AttributeValueMemberM).Value["Documents"] != nil || rawCaseItem(t, id, "DOCS") == nil {
			t.Fatal("the next write did not move the documents out")
		}
		if moved, err := fresh.Get(ctx, id); err != nil || len(moved.Documents) != 1 {
			t.Fatalf("after the move: %+v %v", moved.Documents, err)
		}
	})
}
