package dynamostore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/statistics"
)

// Statistics reads what the statistics of the service need (internal/statistics): the cases
// filed in a period from the oversight index (gsi4 YEAR#<yyyy> / <submittedAt>#<caseId>, one
// query per year of the period, the sort key narrowed to the period), never a Scan, and each
// case's history from its partition.
type Statistics struct {
	db    API
	table string
	cases *Store
}

var _ statistics.Store = (*Statistics)(nil)

// NewStatistics returns the statistics' reads on table.
func NewStatistics(db API, table string) *Statistics {
	return &Statistics{db: db, table: table, cases: New(db, table)}
}

// CasesFiledBetween reads the cases submitted in [from, to), oldest first, at most limit: the
// whole case item each (the oversight index projects every attribute; the documents item is in
// no index).
func (s *Statistics) CasesFiledBetween(ctx context.Context, from, to time.Time, limit int) ([]attestation.Case, error) {
	var out []attestation.Case
	if !to.After(from) || limit <= 0 {
		return out, nil
	}
	last := to.Add(-time.Second)
	loc := kazakhstanTime()
	for year := from.In(loc).Year(); year <= last.In(loc).Year() && len(out) < limit; year++ {
		in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexOversight),
			KeyConditionExpression: aws.String("gsi4pk = :pk AND gsi4sk BETWEEN :a AND :b"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: filedYearPK(year)},
				":a":  &types.AttributeValueMemberS{Value: sortTime(from)},
				":b":  &types.AttributeValueMemberS{Value: sortTime(last) + "#~"},
			}}
		err := queryAll(ctx, s.db, fmt.Sprintf("cases filed in %d", year), in, func(it caseItem) bool {
			out = append(out, fromItem(it))
			return len(out) < limit
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// History reads a case's events, in order.
func (s *Statistics) History(ctx context.Context, caseID string) ([]attestation.Event, error) {
	return s.cases.History(ctx, caseID)
}
