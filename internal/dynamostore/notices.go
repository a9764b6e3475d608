package dynamostore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/apperr"
	"attestation/internal/notice"
)

// noticePuts are the puts of notifications in the transaction of the change they report. A
// notification's ID is fixed by the change, so the put is conditional on it being new.
func noticePuts(table string, ns []notice.Notification) ([]types.TransactWriteItem, error) {
	out := make([]types.TransactWriteItem, 0, len(ns))
	for _, n := range ns {
		av, err := attributevalue.MarshalMap(toNotificationItem(n))
		if err != nil {
			return nil, fmt.Errorf("encode notification %s: %w", n.ID, err)
		}
		out = append(out, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: av,
			ConditionExpression: aws.String("attribute_not_exists(pk)")}})
	}
	return out, nil
}

// NoticesAPI is the part of the DynamoDB client the notifications use.
type NoticesAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Notices reads the outbox for the cabinet and records deliveries on it.
type Notices struct {
	db    NoticesAPI
	table string
}

var _ notice.Store = (*Notices)(nil)

// NewNotices returns the notifications of table.
func NewNotices(db NoticesAPI, table string) *Notices { return &Notices{db: db, table: table} }

func noticeKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: notificationPK(id)},
		"sk": &types.AttributeValueMemberS{Value: "NOTE"}}
}

// ByAudience reads an audience's cabinet from the by-owner index, newest first.
func (s *Notices) ByAudience(ctx context.Context, to notice.Audience, limit int, cursor string) ([]notice.Notification, string, error) {
	pk := "NOTES#" + to.Key()
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByOwner), Limit: aws.Int32(int32(limit)),
		ScanIndexForward:          aws.Bool(false),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}}
	if cursor != "" {
		start, err := decodeCursor(cursor, []string{"pk", "sk", "gsi1pk", "gsi1sk"})
		if err != nil || start["gsi1pk"] != pk {
			return nil, "", fmt.Errorf("notifications: cursor: %w", apperr.ErrBadCursor)
		}
		in.ExclusiveStartKey = stringKey(start)
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("notifications of %s: %w", to.Key(), err)
	}
	ns, err := decodeNotices(out.Items)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out.LastEvaluatedKey) > 0 {
		next = lastKey(out.LastEvaluatedKey)
	}
	return ns, next, nil
}

// ByCase reads a case's notifications from the oversight index (sparse, whole items), newest first.
func (s *Notices) ByCase(ctx context.Context, caseID string, limit int) ([]notice.Notification, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexOversight),
		Limit: aws.Int32(int32(limit)), ScanIndexForward: aws.Bool(false),
		KeyConditionExpression: aws.String("gsi4pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: "NOTECASE#" + caseID}}})
	if err != nil {
		return nil, fmt.Errorf("notifications of case %s: %w", caseID, err)
	}
	return decodeNotices(out.Items)
}

// Get reads a notification with a strongly consistent read, with the addresses mailed so far.
func (s *Notices) Get(ctx context.Context, id string) (notice.Notification, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: noticeKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return notice.Notification{}, fmt.Errorf("get notification %s: %w", id, err)
	}
	if out.Item == nil {
		return notice.Notification{}, apperr.Hidden(apperr.NotFound, "notification", "notification %s", id)
	}
	ns, err := decodeNotices([]map[string]types.AttributeValue{out.Item})
	if err != nil {
		return notice.Notification{}, err
	}
	n := ns[0]
	n.Mailed = mailedOf(out.Item)
	return n, nil
}

// MarkRead sets the notification's readAt the first time, if it is the audience's.
func (s *Notices) MarkRead(ctx context.Context, to notice.Audience, id string, at time.Time) (notice.Notification, error) {
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: noticeKey(id),
		UpdateExpression:    aws.String("SET readAt = if_not_exists(readAt, :t)"),
		ConditionExpression: aws.String("gsi1pk = :aud"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":t":   &types.AttributeValueMemberS{Value: at.UTC().Format(time.RFC3339Nano)},
			":aud": &types.AttributeValueMemberS{Value: "NOTES#" + to.Key()}},
		ReturnValues: types.ReturnValueAllNew})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return notice.Notification{}, apperr.Hidden(apperr.NotFound, "notification", "notification %s of %s", id, to.Key())
	}
	if err != nil {
		return notice.Notification{}, fmt.Errorf("mark notification %s read: %w", id, err)
	}
	ns, err := decodeNotices([]map[string]types.AttributeValue{out.Attributes})
	if err != nil {
		return notice.Notification{}, err
	}
	return ns[0], nil
}

// MarkPublished records the EventBridge event's ID on the notification, the first time only; it
// reports whether this call recorded it.
func (s *Notices) MarkPublished(ctx context.Context, id, eventID string) (bool, error) {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: noticeKey(id),
		UpdateExpression:    aws.String("SET eventId = :e REMOVE redeliver"),
		ConditionExpression: aws.String("attribute_exists(pk) AND attribute_not_exists(eventId)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":e": &types.AttributeValueMemberS{Value: eventID}}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mark notification %s published: %w", id, err)
	}
	return true, nil
}

// RecordDelivery records the delivery's outcome on the notification, unless one is recorded.
func (s *Notices) RecordDelivery(ctx context.Context, id string, d notice.Delivery) error {
	av, err := attributevalue.Marshal(storedDelivery{Outcome: d.Outcome, EventID: d.EventID, Mail: d.Mail, To: d.To, At: d.At.UTC(), Detail: d.Detail})
	if err != nil {
		return fmt.Errorf("encode delivery of %s: %w", id, err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: noticeKey(id),
		UpdateExpression:          aws.String("SET delivery = :d REMOVE gsi2pk, gsi2sk, redeliver"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND attribute_not_exists(delivery)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": av}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("record delivery of %s: %w", id, err)
	}
	return nil
}

// MarkAttemptFailed counts one failed delivery on a notification not yet delivered ("attempts",
// added atomically) and returns the count; 0 when the notification is delivered already or gone.
func (s *Notices) MarkAttemptFailed(ctx context.Context, id string) (int, error) {
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: noticeKey(id),
		UpdateExpression:          aws.String("ADD attempts :one REMOVE redeliver"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND attribute_not_exists(delivery)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
		ReturnValues:              types.ReturnValueUpdatedNew})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("count a failed delivery of notification %s: %w", id, err)
	}
	var n struct {
		Attempts int `dynamodbav:"attempts"`
	}
	if err := attributevalue.UnmarshalMap(out.Attributes, &n); err != nil {
		return 0, fmt.Errorf("count a failed delivery of notification %s: %w", id, err)
	}
	return n.Attempts, nil
}

func decodeNotices(items []map[string]types.AttributeValue) ([]notice.Notification, error) {
	out := make([]notice.Notification, 0, len(items))
	for _, av := range items {
		var it notificationItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("decode notification: %w", err)
		}
		out = append(out, it.domain())
	}
	return out, nil
}

// DecodeNotification reads a notification from a stream record's new image.
func DecodeNotification(av map[string]types.AttributeValue) (notice.Notification, bool, error) {
	var it notificationItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return notice.Notification{}, false, fmt.Errorf("decode notification: %w", err)
	}
	if it.Type != notificationType {
		return notice.Notification{}, false, nil
	}
	return it.domain(), true, nil
}

var _ notice.Ledger = (*Notices)(nil)

// mailedAttr is the attribute that records one address mailed: "mail_" and the first 16
// hexadecimal digits of the address's SHA-256 (lower-cased), holding "<address> <message ID>".
func mailedAttr(address string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(address)))
	return "mail_" + hex.EncodeToString(sum[:8])
}

// mailedOf are the addresses an item records mailed, with their message IDs.
func mailedOf(item map[string]types.AttributeValue) map[string]string {
	mailed := map[string]string{}
	for k, v := range item {
		sv, ok := v.(*types.AttributeValueMemberS)
		if !ok || !strings.HasPrefix(k, "mail_") {
			continue
		}
		if addr, msg, ok := strings.Cut(sv.Value, " "); ok {
			mailed[addr] = msg
		}
	}
	return mailed
}

// MarkMailed records one address mailed, the first time only.
func (s *Notices) MarkMailed(ctx context.Context, id, address, messageID string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: noticeKey(id),
		UpdateExpression:         aws.String("SET #m = if_not_exists(#m, :v) REMOVE redeliver"),
		ConditionExpression:      aws.String("attribute_exists(pk)"),
		ExpressionAttributeNames: map[string]string{"#m": mailedAttr(address)},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":v": &types.AttributeValueMemberS{Value: address + " " + messageID}}})
	if err != nil {
		return fmt.Errorf("mark notification %s mailed: %w", id, err)
	}
	return nil
}

// Put writes a notification that is its own change (a reminder), unless one with its ID exists.
func (s *Notices) Put(ctx context.Context, n notice.Notification) (bool, error) {
	puts, err := noticePuts(s.table, []notice.Notification{n})
	if err != nil {
		return false, err
	}
	p := puts[0].Put
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item, ConditionExpression: p.ConditionExpression})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("put notification %s: %w", n.ID, err)
	}
	return true, nil
}

// Undelivered lists the notifications recorded at or before before whose delivery has no outcome
// yet (the due index's UNSENT partitions), oldest first in each partition, at most limit; more
// reports whether some were left for the next run.
func (s *Notices) Undelivered(ctx context.Context, before time.Time, limit int) (ids []string, more bool, err error) {
	for shard := range DueShards {
		p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByDue),
			KeyConditionExpression: aws.String("gsi2pk = :pk AND gsi2sk <= :t"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: "UNSENT#" + strconv.Itoa(shard)},
				":t":  &types.AttributeValueMemberS{Value: sortTime(before) + "#~"}}})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, false, fmt.Errorf("undelivered notifications: %w", err)
			}
			for _, item := range out.Items {
				pk, ok := item["pk"].(*types.AttributeValueMemberS)
				if !ok || !strings.HasPrefix(pk.Value, "NOTE#") {
					continue
				}
				if len(ids) == limit {
					return ids, true, nil
				}
				ids = append(ids, strings.TrimPrefix(pk.Value, "NOTE#"))
			}
		}
	}
	return ids, false, nil
}

// Redeliver flags notification id for delivery again, unless its outcome is recorded: the
// update's stream record (a MODIFY with redeliver true, which the notify function's filter lets
// through) hands it to notify once more. It reports whether the flag was set.
func (s *Notices) Redeliver(ctx context.Context, id string, at time.Time) (bool, error) {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: noticeKey(id),
		UpdateExpression:    aws.String("SET redeliver = :t, redeliveredAt = :at"),
		ConditionExpression: aws.String("attribute_exists(pk) AND attribute_not_exists(delivery)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":t":  &types.AttributeValueMemberBOOL{Value: true},
			":at": &types.AttributeValueMemberS{Value: at.UTC().Format(time.RFC3339Nano)}}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("redeliver notification %s: %w", id, err)
	}
	return true, nil
}
