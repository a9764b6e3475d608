package dynamostore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/apperr"
	"attestation/internal/register"
)

// The register of certificates (§29) on the table:
//
//	entry     pk CERT#<number>  sk ENTRY          the entry at its current revision (attribute
//	                                              revision on top: every write is conditional on it)
//	                            gsi1 ORG#<bin> / CERT#<number>   the owner's certificates
//	                            gsi3 REGISTER / <number>         the whole register, by number
//	revision  pk CERT#<number>  sk REV#<000001>   every revision, signed: the entry's full history
//
// The entry item carries lower-cased copies of what the public search filters on (objectSearch,
// status, ownerBin), so a search is one Query of the REGISTER partition with a filter.
const (
	registerPK  = "CERT#"
	entrySK     = "ENTRY"
	revisionSK  = "REV#"
	registerAll = "REGISTER"
)

// IndexRegister is the index whose REGISTER partition lists every entry by number.
const IndexRegister = IndexByRole

func entryKey(number string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: registerPK + number},
		"sk": &types.AttributeValueMemberS{Value: entrySK}}
}

// revisionKey is the sort key of an entry's revision n.
func revisionKey(n int) string { return fmt.Sprintf("%s%06d", revisionSK, n) }

// entryWrites are the transaction items that store e as its revision rev: the entry (new for the
// first revision, else conditional on the revision before) and the revision's history item.
func (s *Store) entryWrites(e register.Entry, rev register.Revision) ([]types.TransactWriteItem, error) {
	if rev.Number != e.Revision {
		return nil, fmt.Errorf("register entry %s: revision item %d for entry revision %d", e.Number, rev.Number, e.Revision)
	}
	av, err := attributevalue.MarshalMap(toEntryItem(e))
	if err != nil {
		return nil, fmt.Errorf("encode register entry %s: %w", e.Number, err)
	}
	put := &types.Put{TableName: &s.table, Item: av}
	if e.Revision == 1 {
		put.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		put.ConditionExpression = aws.String("revision = :prev")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{
			":prev": &types.AttributeValueMemberN{Value: strconv.Itoa(e.Revision - 1)}}
	}
	rav, err := attributevalue.MarshalMap(toRevisionItem(e.Number, rev))
	if err != nil {
		return nil, fmt.Errorf("encode register entry %s revision %d: %w", e.Number, rev.Number, err)
	}
	return []types.TransactWriteItem{
		{Put: put},
		{Put: &types.Put{TableName: &s.table, Item: rav, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
	}, nil
}

// PutEntry stores e as revision rev in one transaction: the first revision only if the number is
// new, a later one only if the stored entry is still at the revision before (else
// attestation.ErrConflict).
func (s *Store) PutEntry(ctx context.Context, e register.Entry, rev register.Revision) error {
	items, err := s.entryWrites(e, rev)
	if err != nil {
		return err
	}
	return s.transact(ctx, fmt.Sprintf("write register entry %s revision %d", e.Number, e.Revision), items)
}

// Entry reads a register entry with a strongly consistent read; attestation.ErrNotFound if the
// register has no such number.
func (s *Store) Entry(ctx context.Context, number string) (register.Entry, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, ConsistentRead: aws.Bool(true), Key: entryKey(number)})
	if err != nil {
		return register.Entry{}, fmt.Errorf("get register entry %s: %w", number, err)
	}
	if out.Item == nil {
		return register.Entry{}, apperr.Hidden(apperr.NotFound, "certificate", "register entry %s", number)
	}
	var it entryItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return register.Entry{}, fmt.Errorf("decode register entry %s: %w", number, err)
	}
	return it.Entry.domain(), nil
}

// Revisions returns an entry's history, oldest first.
func (s *Store) Revisions(ctx context.Context, number string) ([]register.Revision, error) {
	var out []register.Revision
	err := queryAll(ctx, s.db, "history of register entry "+number, &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :rev)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":  &types.AttributeValueMemberS{Value: registerPK + number},
			":rev": &types.AttributeValueMemberS{Value: revisionSK}}},
		func(it revisionItem) bool { out = append(out, it.domain()); return true })
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, apperr.Hidden(apperr.NotFound, "certificate", "history of register entry %s", number)
	}
	return out, nil
}
