package dynamostore

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// OpenCases reads, at most limit of them, the cases that have not ended: from the by-role index
// those with a step open (QUEUE#<role> of each role that acts) or waiting on the authority
// (QUEUE#authority), and from the due index those waiting on the workflow (IDLE#<shard>). Only
// the attributes that say where a case stands are read (the stage, the open step, the
// attention); never a Scan. more reports that the limit cut the reading short. The deadline
// check counts them by stage (the dashboard's gauge).
func (s *Store) OpenCases(ctx context.Context, limit int) (cases []attestation.Case, more bool, err error) {
	var parts []*dynamodb.QueryInput
	for _, role := range []identity.Role{identity.Authority, identity.STS, identity.Applicant} {
		parts = append(parts, s.census(IndexByRole, "gsi3pk", "QUEUE#"+string(role)))
	}
	for shard := 0; shard < DueShards; shard++ {
		parts = append(parts, s.census(IndexByDue, "gsi2pk", "IDLE#"+strconv.Itoa(shard)))
	}
	for _, in := range parts {
		if err := queryAll(ctx, s.db, "open cases", in, func(it caseItem) bool {
			if len(cases) >= limit {
				more = true
				return false
			}
			cases = append(cases, fromItem(it))
			return true
		}); err != nil {
			return nil, false, err
		}
		if more {
			break
		}
	}
	return cases, more, nil
}

// census is the query of one partition of index, reading only where each case stands.
func (s *Store) census(index, key, pk string) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(index),
		KeyConditionExpression:    aws.String("#k = :pk"),
		ProjectionExpression:      aws.String("pk, #c.#id, #c.#st, #c.#os, #c.#at"),
		ExpressionAttributeNames:  map[string]string{"#k": key, "#c": "case", "#id": "ID", "#st": "Stage", "#os": "OpenStep", "#at": "Attention"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}}
}
