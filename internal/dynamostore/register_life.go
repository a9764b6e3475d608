package dynamostore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/register"
)

// Life after the certificate (§40-§48) on the table. An entry that has anything open after its
// certificate (register.Entry.Watched: a term or a period still running, an overdue obligation,
// a recall to decide, a return outstanding) is indexed in the CERT-WATCH partition of the due
// index (gsi2), sorted by the moment the deadline check next acts on it:
//
//	entry  gsi2 CERT-WATCH / <next check, sortTime>#<number>   something is due at that moment
//	       gsi2 CERT-WATCH / ~#<number>                        nothing left to flag, something still open
//
// toEntryItem sets the keys on every write of the entry, so they always follow the entry. The
// deadline check queries the partition up to its moment (never a scan); the authority's list of
// obligations pages through the whole partition; an entry with nothing open leaves it. The
// partitions DUE#0..DUE#3 of the same index belong to the cases' open steps.
const (
	watchPK   = "CERT-WATCH"
	watchDone = "~" // sorts after every moment: nothing left to flag
)

var _ register.LifeStore = (*Store)(nil)

// watchKeys are an entry's keys in the due index, or "" when it has nothing open.
func watchKeys(e register.Entry) (pk, sk string) {
	if !e.Watched() {
		return "", ""
	}
	if at, ok := e.NextCheck(); ok {
		return watchPK, sortTime(at) + "#" + e.Number
	}
	return watchPK, watchDone + "#" + e.Number
}

// lifeRounds bounds the Query requests of one page of a filtered list.
const lifeRounds = 4

// listWordsBudget bounds the free text of change notices (descriptions and reasons) one page of
// certificates carries: a page ends after the certificate that reaches it, and its cursor goes on
// from there, so that a page stays under a function's 6 MB answer however many notices each
// certificate holds (one certificate's notices are at most about 3 MB: register.MaxChanges).
const listWordsBudget = 2 << 20

// DueEntries answers up to limit entries whose next check is at or before before, earliest
// first: one query of the CERT-WATCH partition up to that moment.
func (s *Store) DueEntries(ctx context.Context, before time.Time, limit int) ([]register.Entry, error) {
	var out []register.Entry
	if limit <= 0 {
		return out, nil
	}
	err := queryAll(ctx, s.db, "register entries due by "+sortTime(before), &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByDue),
		Limit:                  aws.Int32(int32(min(limit, 1000))),
		KeyConditionExpression: aws.String("gsi2pk = :pk AND gsi2sk <= :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: watchPK},
			":t":  &types.AttributeValueMemberS{Value: sortTime(before) + "#~"}}},
		func(it entryItem) bool { out = append(out, it.Entry.domain()); return len(out) < limit })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// WatchedEntries answers a page of the CERT-WATCH partition: the entries with something due,
// earliest first, then those with nothing left to flag, by number.
func (s *Store) WatchedEntries(ctx context.Context, limit int, cursor string) ([]register.Entry, string, error) {
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByDue), Limit: aws.Int32(int32(max(limit, 1))),
		KeyConditionExpression:    aws.String("gsi2pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: watchPK}}}
	if cursor != "" {
		start, err := decodeCursor(cursor, []string{"pk", "sk", "gsi2pk", "gsi2sk"})
		if err != nil || start["gsi2pk"] != watchPK || start["sk"] != entrySK || !strings.HasPrefix(start["pk"], registerPK) {
			return nil, "", fmt.Errorf("register entries watched: cursor: %w", attestation.ErrBadCursor)
		}
		in.ExclusiveStartKey = stringKey(start)
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("register entries watched: %w", err)
	}
	list := make([]register.Entry, 0, len(out.Items))
	for _, av := range out.Items {
		var it entryItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", fmt.Errorf("register entries watched: decode: %w", err)
		}
		list = append(list, it.Entry.domain())
	}
	return list, lastKey(out.LastEvaluatedKey), nil
}

// ListEntries answers a page of certificates, newest number first: an owner's from the by-owner
// index (gsi1 ORG#<bin>, CERT#<number>), or the whole register's (gsi3 REGISTER), narrowed to
// q.StoredStatuses() when q names a status (a filter on the item's top-level status). A filtered
// page may be short while its cursor says more remains.
func (s *Store) ListEntries(ctx context.Context, q register.CertificateQuery, limit int, cursor string) ([]register.Entry, string, error) {
	if limit < 1 {
		return nil, "", apperr.Hidden(apperr.Unprocessable, "", "list certificates: limit %d", limit)
	}
	index, pk := IndexRegister, registerAll
	in := &dynamodb.QueryInput{TableName: &s.table, ScanIndexForward: aws.Bool(false),
		ExpressionAttributeNames:  map[string]string{"#entry": "entry"},
		ExpressionAttributeValues: map[string]types.AttributeValue{}}
	// Only register entries: the owner's partition holds its objects and cases too.
	filters := []string{"attribute_exists(#entry)"}
	if q.OwnerBIN != "" {
		index, pk = IndexByOwner, "ORG#"+q.OwnerBIN
		in.KeyConditionExpression = aws.String("gsi1pk = :pk AND begins_with(gsi1sk, :cert)")
		in.ExpressionAttributeValues[":cert"] = &types.AttributeValueMemberS{Value: registerPK}
	} else {
		in.KeyConditionExpression = aws.String("gsi3pk = :pk")
	}
	in.IndexName = aws.String(index)
	in.ExpressionAttributeValues[":pk"] = &types.AttributeValueMemberS{Value: pk}
	evaluate := limit
	if statuses := q.StoredStatuses(); len(statuses) > 0 {
		// The stored status: one that may read as q.Status at the moment of reading (a valid
		// entry past its term is expired, §40); the service decides the status at that moment.
		var names []string
		for i, st := range statuses {
			name := fmt.Sprintf(":status%d", i)
			names = append(names, name)
			in.ExpressionAttributeValues[name] = &types.AttributeValueMemberS{Value: string(st)}
		}
		filters = append(filters, "#status IN ("+strings.Join(names, ", ")+")")
		in.ExpressionAttributeNames["#status"] = "status"
		evaluate = min(max(4*limit, 100), 1000)
	}
	in.FilterExpression = aws.String(strings.Join(filters, " AND "))
	in.Limit = aws.Int32(int32(evaluate))
	if cursor != "" {
		start, err := decodeCursor(cursor, []string{"pk", "sk", index + "pk", index + "sk"})
		if err != nil || start[index+"pk"] != pk || start["sk"] != entrySK || !strings.HasPrefix(start["pk"], registerPK) {
			return nil, "", fmt.Errorf("list certificates: cursor: %w", attestation.ErrBadCursor)
		}
		in.ExclusiveStartKey = stringKey(start)
	}
	var out []register.Entry
	words := 0 // bytes of the change notices' free text on the page
	for range lifeRounds {
		page, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, "", fmt.Errorf("list certificates: %w", err)
		}
		for _, av := range page.Items {
			var it entryItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, "", fmt.Errorf("list certificates: decode: %w", err)
			}
			if it.Entry.Number == "" {
				continue
			}
			e := it.Entry.domain()
			size, err := s.joinChanges(ctx, &e, it.Entry.Changes)
			if err != nil {
				return nil, "", fmt.Errorf("list certificates: %w", err)
			}
			out = append(out, e)
			words += size
			if len(out) == limit || words >= listWordsBudget {
				// Full: continue after this entry, from its own keys.
				n := it.Entry.Number
				k := map[string]string{"pk": registerPK + n, "sk": entrySK, index + "pk": pk, index + "sk": n}
				if index == IndexByOwner {
					k[index+"sk"] = registerPK + n
				}
				return out, encodeCursor(k), nil
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, "", nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	return out, lastKey(in.ExclusiveStartKey), nil
}

// stringKey is a decoded cursor as an ExclusiveStartKey.
func stringKey(k map[string]string) map[string]types.AttributeValue {
	out := make(map[string]types.AttributeValue, len(k))
	for n, v := range k {
		out[n] = &types.AttributeValueMemberS{Value: v}
	}
	return out
}

// lastKey is a LastEvaluatedKey as a cursor ("" when there is none).
func lastKey(k map[string]types.AttributeValue) string {
	if len(k) == 0 {
		return ""
	}
	last := map[string]string{}
	for n, v := range k {
		if sv, ok := v.(*types.AttributeValueMemberS); ok {
			last[n] = sv.Value
		}
	}
	return encodeCursor(last)
}
