package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
)

// The declarations of uploads as the deadline check's sweep sees them (attestation.UploadSweep):
// a pending upload's item is in the due index, gsi2 UPLOAD-DUE#<shard> / <expires, sortTime>#<id>,
// spread over DueShards partitions by its ID. The sweep queries each partition up to its moment,
// marks each upload expired (a conditional update: only a pending one), and deletes it (a
// conditional delete: only an expired one). Confirm puts the item without the index's keys.

// expiringUploadPK is the prefix of the due index's partitions of pending uploads.
const expiringUploadPK = "UPLOAD-DUE#"

// expiringUploadKeys are the due index's keys of a pending upload whose declaration expires at.
func expiringUploadKeys(id string, at time.Time) (pk, sk string) {
	h := fnv.New32a()
	h.Write([]byte(id))
	return expiringUploadPK + strconv.Itoa(int(h.Sum32()%DueShards)), sortTime(at) + "#" + id
}

// SweepAPI is the part of the DynamoDB client the sweep uses.
type SweepAPI interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// ExpiredUploads is the sweep's store of declarations (attestation.ExpiredUploadStore).
type ExpiredUploads struct {
	db    SweepAPI
	table string
}

var _ attestation.ExpiredUploadStore = (*ExpiredUploads)(nil)

// NewExpiredUploads returns the sweep's store on table.
func NewExpiredUploads(db SweepAPI, table string) *ExpiredUploads {
	return &ExpiredUploads{db: db, table: table}
}

// ExpiredUploads queries each partition of pending uploads in the due index for declarations
// that expired at or before t, at most limit in all. Only the keys are read.
func (s *ExpiredUploads) ExpiredUploads(ctx context.Context, t time.Time, limit int) ([]string, error) {
	var out []string
	for shard := 0; shard < DueShards && len(out) < limit; shard++ {
		err := queryAll(ctx, s.db, "expired uploads", &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByDue),
			KeyConditionExpression: aws.String("gsi2pk = :pk AND gsi2sk <= :t"),
			ProjectionExpression:   aws.String("pk"),
			Limit:                  aws.Int32(int32(min(limit, 1000))),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: expiringUploadPK + strconv.Itoa(shard)},
				":t":  &types.AttributeValueMemberS{Value: sortTime(t) + "#~"}}},
			func(it keys) bool {
				if id, ok := strings.CutPrefix(it.PK, "UPLOAD#"); ok {
					out = append(out, id)
				}
				return len(out) < limit
			})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ExpireUpload marks a pending upload expired, the item's state and the upload's alike; it keeps
// its place in the due index until DropUpload.
func (s *ExpiredUploads) ExpireUpload(ctx context.Context, id string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: uploadKey(id),
		UpdateExpression:         aws.String("SET #st = :expired, #u.#s = :expired"),
		ConditionExpression:      aws.String("#st IN (:pending, :expired)"),
		ExpressionAttributeNames: map[string]string{"#st": "state", "#u": "upload", "#s": "State"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pending": &types.AttributeValueMemberS{Value: string(attestation.UploadPending)},
			":expired": &types.AttributeValueMemberS{Value: string(attestation.UploadExpired)}},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		if ccf.Item == nil {
			return apperr.Hidden(apperr.NotFound, "upload", "expire upload %s", id)
		}
		return apperr.Hidden(apperr.Conflict, "", "expire upload %s: it is not pending", id)
	}
	if err != nil {
		return fmt.Errorf("expire upload %s: %w", id, err)
	}
	return nil
}

// DropUpload deletes the declaration of an upload marked expired.
func (s *ExpiredUploads) DropUpload(ctx context.Context, id string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: uploadKey(id),
		ConditionExpression:      aws.String("attribute_not_exists(pk) OR #st = :expired"),
		ExpressionAttributeNames: map[string]string{"#st": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":expired": &types.AttributeValueMemberS{Value: string(attestation.UploadExpired)}}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return apperr.Hidden(apperr.Conflict, "", "drop upload %s: it is not marked expired", id)
	}
	if err != nil {
		return fmt.Errorf("drop upload %s: %w", id, err)
	}
	return nil
}
