package dynamostore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
)

// The service term's watch (standard §4): an item beside the case, `CASE#<id>` / `TERM`, in the
// due index's `TERM#<shard>` partitions sorted by the term's due moment (an uncountable term sorts
// first, so every run of the deadline check lists it). It is put in the transaction that starts
// or extends the term (attestation.TermWatch) and deleted in the one that flags it overdue; the
// check drops the watch of a case that ended.

var _ attestation.TermStore = (*Store)(nil)

// termWatchItem is the watch of a case's service term.
type termWatchItem struct {
	keys
	Type  string `dynamodbav:"type"` // "term-watch"
	Case  string `dynamodbav:"caseId"`
	DueAt string `dynamodbav:"dueAt"` // "" while the term cannot be counted
}

func termWatchKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: casePK(id)},
		"sk": &types.AttributeValueMemberS{Value: "TERM"}}
}

// uncountableSort is the sort key of a term the calendar cannot count yet: before every moment.
const uncountableSort = "0000-uncountable"

func toTermWatchItem(c attestation.Case) termWatchItem {
	due, sortKey := "", uncountableSort
	if t := c.Term; t != nil && t.Uncountable == "" {
		due = sortTime(t.DueAt)
		sortKey = due
	}
	return termWatchItem{keys: keys{PK: casePK(c.ID), SK: "TERM", GSI2PK: "TERM#" + strings.TrimPrefix(DueShardOf(c.ID), "DUE#"),
		GSI2SK: sortKey + "#" + c.ID}, Type: "term-watch", Case: c.ID, DueAt: due}
}

// termWrites are the writes of the term's watch that a change of c with events makes.
func (s *Store) termWrites(c attestation.Case, events []attestation.Event) ([]types.TransactWriteItem, error) {
	put, drop := attestation.TermWatch(c, events)
	switch {
	case put:
		av, err := attributevalue.MarshalMap(toTermWatchItem(c))
		if err != nil {
			return nil, fmt.Errorf("encode the service term's watch of %s: %w", c.ID, err)
		}
		return []types.TransactWriteItem{{Put: &types.Put{TableName: &s.table, Item: av}}}, nil
	case drop:
		return []types.TransactWriteItem{{Delete: &types.Delete{TableName: &s.table, Key: termWatchKey(c.ID)}}}, nil
	}
	return nil, nil
}

// TermsDue queries every shard of the terms' watch for terms due at or before t, and those not
// yet countable.
func (s *Store) TermsDue(ctx context.Context, t time.Time, limit int) ([]string, error) {
	var out []string
	for shard := 0; shard < DueShards && len(out) < limit; shard++ {
		err := queryAll(ctx, s.db, "service terms due", &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByDue),
			KeyConditionExpression: aws.String("gsi2pk = :pk AND gsi2sk <= :t"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: "TERM#" + strconv.Itoa(shard)},
				":t":  &types.AttributeValueMemberS{Value: sortTime(t) + "#~"}}},
			func(it termWatchItem) bool { out = append(out, it.Case); return len(out) < limit })
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DropTermWatch deletes a case's term watch.
func (s *Store) DropTermWatch(ctx context.Context, caseID string) error {
	// One Delete through TransactWriteItems: the store's API has no DeleteItem.
	del := types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: termWatchKey(caseID)}}
	if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{del}}); err != nil {
		return fmt.Errorf("drop the service term's watch of %s: %w", caseID, err)
	}
	return nil
}
