package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/register"
)

// The public search of the register (§29) and the daily open-data export read the REGISTER
// partition of the gsi3 index, by certificate number. A search narrows it with a filter on the
// entry item's top-level attributes (status, ownerBin, objectSearch); a search by number is one
// GetItem.

var (
	_ register.Searcher = (*Store)(nil)
	_ register.Lister   = (*Store)(nil)
)

// searchRounds bounds the Query requests of one page of a search: a filter that admits few
// entries answers a shorter page (even an empty one) with a cursor, rather than reading the
// whole register for one call.
const searchRounds = 4

// SearchEntries answers a page of the entries f admits, by number, and the cursor that continues
// it ("" at the end). A page may hold fewer than limit entries while the cursor says more of the
// register remains. A cursor this search did not issue is attestation.ErrBadCursor.
func (s *Store) SearchEntries(ctx context.Context, f register.Filter, limit int, cursor string) ([]register.Entry, string, error) {
	if limit < 1 {
		return nil, "", apperr.Hidden(apperr.Unprocessable, "", "search the register: limit %d", limit)
	}
	if f.Number != "" {
		if cursor != "" {
			return nil, "", fmt.Errorf("search the register by number: cursor: %w", attestation.ErrBadCursor)
		}
		return s.searchNumber(ctx, f)
	}
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexRegister),
		KeyConditionExpression:    aws.String("gsi3pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: registerAll}}}
	evaluate := limit
	if filterExpression(f, in) {
		// A filter is applied after Limit items are read: read more of them per request.
		evaluate = min(max(4*limit, 100), 1000)
	}
	in.Limit = aws.Int32(int32(evaluate))
	if cursor != "" {
		start, err := decodeCursor(cursor, []string{"pk", "sk", "gsi3pk", "gsi3sk"})
		if err != nil || start["gsi3pk"] != registerAll || start["sk"] != entrySK || start["pk"] != registerPK+start["gsi3sk"] {
			return nil, "", fmt.Errorf("search the register: cursor: %w", attestation.ErrBadCursor)
		}
		in.ExclusiveStartKey = map[string]types.AttributeValue{}
		for k, v := range start {
			in.ExclusiveStartKey[k] = &types.AttributeValueMemberS{Value: v}
		}
	}
	var out []register.Entry
	for round := 0; round < searchRounds; round++ {
		page, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, "", fmt.Errorf("search the register: %w", err)
		}
		for _, av := range page.Items {
			var it entryItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, "", fmt.Errorf("search the register: decode entry: %w", err)
			}
			out = append(out, it.Entry.domain())
			if len(out) == limit {
				// The page is full: continue after this entry (the register's items are read
				// by number, so the entry's own keys are the place to start again).
				e := it.Entry
				return out, encodeCursor(map[string]string{"pk": registerPK + e.Number, "sk": entrySK, "gsi3pk": registerAll, "gsi3sk": e.Number}), nil
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, "", nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	last := map[string]string{}
	for k, v := range in.ExclusiveStartKey {
		if sv, ok := v.(*types.AttributeValueMemberS); ok {
			last[k] = sv.Value
		}
	}
	return out, encodeCursor(last), nil
}

// filterExpression puts f's criteria (other than the number) on in, and reports whether there
// are any.
func filterExpression(f register.Filter, in *dynamodb.QueryInput) bool {
	var conds []string
	names := map[string]string{}
	vals := in.ExpressionAttributeValues
	if f.ObjectName != "" {
		conds = append(conds, "contains(objectSearch, :object)")
		vals[":object"] = &types.AttributeValueMemberS{Value: strings.ToLower(f.ObjectName)}
	}
	if f.OwnerBIN != "" {
		// An individual owner's IIN is personal data: it never finds the entry.
		conds = append(conds, "ownerBin = :bin AND (attribute_not_exists(#entry.#individual) OR #entry.#individual = :false)")
		vals[":bin"] = &types.AttributeValueMemberS{Value: f.OwnerBIN}
		vals[":false"] = &types.AttributeValueMemberBOOL{Value: false}
		names["#entry"], names["#individual"] = "entry", "OwnerIndividual"
	}
	if len(f.Statuses) > 0 {
		var in []string
		for i, st := range f.Statuses {
			k := ":status" + strconv.Itoa(i)
			in = append(in, k)
			vals[k] = &types.AttributeValueMemberS{Value: string(st)}
		}
		conds = append(conds, "#status IN ("+strings.Join(in, ", ")+")")
		names["#status"] = "status"
	}
	if len(conds) == 0 {
		return false
	}
	in.FilterExpression = aws.String(strings.Join(conds, " AND "))
	if len(names) > 0 {
		in.ExpressionAttributeNames = names
	}
	return true
}

// searchNumber is a search by certificate number: one GetItem, the other criteria checked on the
// entry.
func (s *Store) searchNumber(ctx context.Context, f register.Filter) ([]register.Entry, string, error) {
	e, err := s.Entry(ctx, f.Number)
	if errors.Is(err, attestation.ErrNotFound) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("search the register: %w", err)
	}
	if f.ObjectName != "" && !strings.Contains(strings.ToLower(e.ObjectName), strings.ToLower(f.ObjectName)) ||
		f.OwnerBIN != "" && e.PublishedOwnerBIN() != f.OwnerBIN {
		return nil, "", nil
	}
	if len(f.Statuses) > 0 {
		found := false
		for _, st := range f.Statuses {
			found = found || e.Status == st
		}
		if !found {
			return nil, "", nil
		}
	}
	return []register.Entry{e}, "", nil
}

// AllEntries reads every entry of the register, by number (for the open-data export).
func (s *Store) AllEntries(ctx context.Context) ([]register.Entry, error) {
	var out []register.Entry
	err := queryAll(ctx, s.db, "read the register", &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexRegister),
		KeyConditionExpression:    aws.String("gsi3pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: registerAll}}},
		func(it entryItem) bool { out = append(out, it.Entry.domain()); return true })
	if err != nil {
		return nil, err
	}
	return out, nil
}
