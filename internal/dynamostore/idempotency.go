package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/apperr"
	"attestation/internal/idempotency"
)

// Idempotency keeps the API's Idempotency-Key claims in the table (idempotency.Store), one item
// per caller and key, removed by the table's TTL (expiresAt) a day after the first request.
type Idempotency struct {
	db    IdempotencyAPI
	table string
}

// IdempotencyAPI is the part of the DynamoDB client the claim store uses: the store's, and
// DeleteItem to release a claim.
type IdempotencyAPI interface {
	API
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

var _ idempotency.Store = (*Idempotency)(nil)

// NewIdempotency returns the claim store on table.
func NewIdempotency(db IdempotencyAPI, table string) *Idempotency {
	return &Idempotency{db: db, table: table}
}

// idempotencyItem is a claim as stored; Response is absent while the first request runs.
type idempotencyItem struct {
	keys
	Type        string         `dynamodbav:"type"`
	Subject     string         `dynamodbav:"subject"`
	Key         string         `dynamodbav:"idempotencyKey"`
	Fingerprint string         `dynamodbav:"fingerprint"`
	Token       string         `dynamodbav:"token"`
	ClaimedAt   string         `dynamodbav:"claimedAt"`
	LockedUntil int64          `dynamodbav:"lockedUntil"` // Unix milliseconds
	ExpiresAt   int64          `dynamodbav:"expiresAt"`   // Unix seconds: the table's TTL attribute
	Response    *savedResponse `dynamodbav:"response,omitempty"`
}

type savedResponse struct {
	Status      int    `dynamodbav:"status"`
	ContentType string `dynamodbav:"contentType"`
	Body        string `dynamodbav:"body"`
}

func idempotencyKey(subject, key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "IDEMP#" + subject + "#" + key},
		"sk": &types.AttributeValueMemberS{Value: "IDEMP"}}
}

// idempotencyNames are the attribute names the conditions use.
var idempotencyNames = map[string]string{"#exp": "expiresAt", "#lu": "lockedUntil", "#fp": "fingerprint",
	"#resp": "response", "#tok": "token"}

// Claim puts the claim conditional on no live claim holding the key: none is stored, the stored
// one has expired (the TTL deletes lazily, so expiry is checked here, against the request's
// time), or the stored one never got a response, its lease has passed and it is for the same
// request. Otherwise the stored claim is returned, read by the same request.
func (s *Idempotency) Claim(ctx context.Context, c idempotency.Claim, now time.Time) (idempotency.Claim, bool, error) {
	what := fmt.Sprintf("claim idempotency key of %s", c.Subject)
	it := idempotencyItem{Subject: c.Subject, Key: c.Key, Fingerprint: c.Fingerprint, Token: c.Token, Type: "idempotency",
		ClaimedAt: c.ClaimedAt.UTC().Format(time.RFC3339Nano), LockedUntil: c.LockedUntil.UnixMilli(), ExpiresAt: c.ExpiresAt.Unix()}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return idempotency.Claim{}, false, fmt.Errorf("%s: encode: %w", what, err)
	}
	for k, v := range idempotencyKey(c.Subject, c.Key) {
		av[k] = v
	}
	names := map[string]string{}
	for k, v := range idempotencyNames {
		if k != "#tok" {
			names[k] = v
		}
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av,
		ConditionExpression:      aws.String("attribute_not_exists(pk) OR #exp <= :nowSec OR (attribute_not_exists(#resp) AND #lu <= :nowMs AND #fp = :fp)"),
		ExpressionAttributeNames: names,
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":nowSec": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
			":nowMs":  &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixMilli(), 10)},
			":fp":     &types.AttributeValueMemberS{Value: c.Fingerprint}},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *types.ConditionalCheckFailedException
	if err == nil {
		return c, true, nil
	}
	if !errors.As(err, &ccf) {
		return idempotency.Claim{}, false, fmt.Errorf("%s: %w", what, err)
	}
	old := ccf.Item
	if old == nil {
		out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, ConsistentRead: aws.Bool(true),
			Key: idempotencyKey(c.Subject, c.Key)})
		if err != nil {
			return idempotency.Claim{}, false, fmt.Errorf("%s: read the holding claim: %w", what, err)
		}
		if out.Item == nil { // released in between: the caller may try again
			return idempotency.Claim{}, false, apperr.Hidden(apperr.Conflict, "", "%s: the holding claim was released", what)
		}
		old = out.Item
	}
	var held idempotencyItem
	if err := attributevalue.UnmarshalMap(old, &held); err != nil {
		return idempotency.Claim{}, false, fmt.Errorf("%s: decode the holding claim: %w", what, err)
	}
	return fromIdempotencyItem(held), false, nil
}

func fromIdempotencyItem(it idempotencyItem) idempotency.Claim {
	claimedAt, _ := time.Parse(time.RFC3339Nano, it.ClaimedAt)
	c := idempotency.Claim{Subject: it.Subject, Key: it.Key, Fingerprint: it.Fingerprint, Token: it.Token,
		ClaimedAt: claimedAt, LockedUntil: time.UnixMilli(it.LockedUntil).UTC(), ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC()}
	if r := it.Response; r != nil {
		c.Response = &idempotency.SavedResponse{Status: r.Status, ContentType: r.ContentType, Body: r.Body}
	}
	return c
}

// Complete sets the response, conditional on token still holding a claim with none.
func (s *Idempotency) Complete(ctx context.Context, subject, key, token string, resp idempotency.SavedResponse) error {
	r, err := attributevalue.Marshal(savedResponse{Status: resp.Status, ContentType: resp.ContentType, Body: resp.Body})
	if err != nil {
		return fmt.Errorf("complete idempotency key of %s: encode: %w", subject, err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: idempotencyKey(subject, key),
		UpdateExpression:          aws.String("SET #resp = :r"),
		ConditionExpression:       aws.String("#tok = :tok AND attribute_not_exists(#resp)"),
		ExpressionAttributeNames:  map[string]string{"#resp": "response", "#tok": "token"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":r": r, ":tok": &types.AttributeValueMemberS{Value: token}}})
	return claimErr(fmt.Sprintf("complete idempotency key of %s for request %s", subject, token), err)
}

// Release deletes the claim, conditional on token still holding it without a response.
func (s *Idempotency) Release(ctx context.Context, subject, key, token string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: idempotencyKey(subject, key),
		ConditionExpression:       aws.String("#tok = :tok AND attribute_not_exists(#resp)"),
		ExpressionAttributeNames:  map[string]string{"#resp": "response", "#tok": "token"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":tok": &types.AttributeValueMemberS{Value: token}}})
	return claimErr(fmt.Sprintf("release idempotency key of %s for request %s", subject, token), err)
}

// claimErr turns a failed condition (another request took the claim over) into ErrConflict.
func claimErr(what string, err error) error {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return apperr.Hidden(apperr.Conflict, "", "%s: the claim is no longer this request's", what)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
