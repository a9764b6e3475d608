package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/objects"
)

// ObjectsAPI is the part of the DynamoDB client the objects store uses.
type ObjectsAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Objects keeps objects of informatization and annual plans in the table (docs/data-model.md).
// An organisation's objects and plans share the by-owner index under their own partition value,
// ORGOBJ#<bin>, never the ORG#<bin> partition its cases are listed from.
type Objects struct {
	db    ObjectsAPI
	table string
}

var _ objects.Store = (*Objects)(nil)

// NewObjects returns the objects store on table.
func NewObjects(db ObjectsAPI, table string) *Objects { return &Objects{db: db, table: table} }

// batchGetMax is the most keys one BatchGetItem takes.
const batchGetMax = 100

// batchGetRounds bounds the rounds spent on keys DynamoDB leaves unprocessed.
const batchGetRounds = 8

func objectPK(id string) string { return "OBJ#" + id }

// orgObjectsPK is the by-owner index partition of an organisation's objects and plans.
func orgObjectsPK(bin string) string { return "ORGOBJ#" + bin }

func planPK(bin string, year int) string { return "PLAN#" + bin + "#" + strconv.Itoa(year) }

func objectKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: objectPK(id)}, "sk": &types.AttributeValueMemberS{Value: "OBJ"}}
}

func planKey(bin string, year int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: planPK(bin, year)}, "sk": &types.AttributeValueMemberS{Value: "PLAN"}}
}

// CreateObject puts a new object, conditional on its ID being new.
func (s *Objects) CreateObject(ctx context.Context, o objects.Object) error {
	av, err := attributevalue.MarshalMap(toObjectItem(o))
	if err != nil {
		return fmt.Errorf("encode object %s: %w", o.ID, err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		// The SDK repeats a request whose answer it lost; a repeat of a put that was written finds
		// this very item, which is no conflict.
		if same, rerr := s.holds(ctx, av); rerr == nil && same {
			return nil
		}
		return apperr.Hidden(apperr.Conflict, "", "create object %s", o.ID)
	}
	if err != nil {
		return fmt.Errorf("create object %s: %w", o.ID, err)
	}
	return nil
}

// ReplaceObject puts o over the stored object, its oversight index keys following its new
// life-cycle state, conditional on the stored state being from.
func (s *Objects) ReplaceObject(ctx context.Context, o objects.Object, from objects.Stage) error {
	av, err := attributevalue.MarshalMap(toObjectItem(o))
	if err != nil {
		return fmt.Errorf("encode object %s: %w", o.ID, err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av,
		ConditionExpression:      aws.String("#o.#st = :from"),
		ExpressionAttributeNames: map[string]string{"#o": "object", "#st": "LifeCycleStage"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":from": &types.AttributeValueMemberS{Value: string(from)}}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return apperr.Hidden(apperr.Conflict, "", "replace object %s: its state is no longer %s", o.ID, from)
	}
	if err != nil {
		return fmt.Errorf("replace object %s: %w", o.ID, err)
	}
	return nil
}

// Object reads an object with a strongly consistent read.
func (s *Objects) Object(ctx context.Context, id string) (objects.Object, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, ConsistentRead: aws.Bool(true), Key: objectKey(id)})
	if err != nil {
		return objects.Object{}, fmt.Errorf("get object %s: %w", id, err)
	}
	if out.Item == nil {
		return objects.Object{}, apperr.Hidden(apperr.NotFound, "object", "object %s", id)
	}
	var it objectItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return objects.Object{}, fmt.Errorf("decode object %s: %w", id, err)
	}
	return it.domain(), nil
}

// Objects reads the objects of ids with strongly consistent BatchGetItem calls, 100 keys at a
// time, retrying the keys DynamoDB leaves unprocessed.
func (s *Objects) Objects(ctx context.Context, ids []string) (map[string]objects.Object, error) {
	out := map[string]objects.Object{}
	err := batchGet(ctx, s.db, s.table, "objects", ids, objectKey, func(av map[string]types.AttributeValue) error {
		var it objectItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return fmt.Errorf("decode object: %w", err)
		}
		out[it.Object.ID] = it.domain()
		return nil
	})
	return out, err
}

// batchGetter is the part of the DynamoDB client batchGet uses.
type batchGetter interface {
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

// batchGet reads the items of ids (each once, keyed by key) with strongly consistent
// BatchGetItem calls, batchGetMax keys at a time, asking again for the keys DynamoDB leaves
// unprocessed; each item found goes to found. what names the items in errors.
func batchGet(ctx context.Context, db batchGetter, table, what string, ids []string, key func(string) map[string]types.AttributeValue,
	found func(map[string]types.AttributeValue) error) error {
	seen := map[string]bool{}
	var unique []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	for start := 0; start < len(unique); start += batchGetMax {
		var batch []map[string]types.AttributeValue
		for _, id := range unique[start:min(start+batchGetMax, len(unique))] {
			batch = append(batch, key(id))
		}
		req := map[string]types.KeysAndAttributes{table: {Keys: batch, ConsistentRead: aws.Bool(true)}}
		for round := 0; len(req) > 0; round++ {
			if round == batchGetRounds {
				return fmt.Errorf("read %d %s: keys still unprocessed after %d rounds", len(unique), what, batchGetRounds)
			}
			res, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return fmt.Errorf("read %d %s: %w", len(unique), what, err)
			}
			for _, av := range res.Responses[table] {
				if err := found(av); err != nil {
					return err
				}
			}
			req = res.UnprocessedKeys
		}
	}
	return nil
}

// ObjectsOf reads an organisation's objects from the by-owner index, newest first.
func (s *Objects) ObjectsOf(ctx context.Context, bin string, limit int, cursor string) ([]objects.Object, string, error) {
	pk := orgObjectsPK(bin)
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByOwner), Limit: aws.Int32(int32(limit)),
		ScanIndexForward:       aws.Bool(false),
		KeyConditionExpression: aws.String("gsi1pk = :pk AND begins_with(gsi1sk, :obj)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: pk}, ":obj": &types.AttributeValueMemberS{Value: "OBJ#"}}}
	if cursor != "" {
		start, err := decodeCursor(cursor, []string{"pk", "sk", "gsi1pk", "gsi1sk"})
		if err != nil || start["gsi1pk"] != pk || !strings.HasPrefix(start["gsi1sk"], "OBJ#") {
			return nil, "", fmt.Errorf("objects of an organisation: cursor: %w", attestation.ErrBadCursor)
		}
		in.ExclusiveStartKey = map[string]types.AttributeValue{}
		for k, v := range start {
			in.ExclusiveStartKey[k] = &types.AttributeValueMemberS{Value: v}
		}
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("objects of an organisation: %w", err)
	}
	list := make([]objects.Object, 0, len(out.Items))
	for _, av := range out.Items {
		var it objectItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", fmt.Errorf("objects of an organisation: decode object: %w", err)
		}
		list = append(list, it.domain())
	}
	next := ""
	if len(out.LastEvaluatedKey) > 0 {
		last := map[string]string{}
		for k, v := range out.LastEvaluatedKey {
			if sv, ok := v.(*types.AttributeValueMemberS); ok {
				last[k] = sv.Value
			}
		}
		next = encodeCursor(last)
	}
	return list, next, nil
}

// Plan reads an organisation's plan of a year with a strongly consistent read.
func (s *Objects) Plan(ctx context.Context, bin string, year int) (objects.Plan, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, ConsistentRead: aws.Bool(true), Key: planKey(bin, year)})
	if err != nil {
		return objects.Plan{}, fmt.Errorf("get plan %d: %w", year, err)
	}
	if out.Item == nil {
		return objects.Plan{}, apperr.Hidden(apperr.NotFound, "plan", "plan %d", year)
	}
	var it planItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return objects.Plan{}, fmt.Errorf("decode plan %d: %w", year, err)
	}
	return it.domain(), nil
}

// PutPlan writes the plan in one PutItem conditional on the stored revision being the one before
// (on no plan, for revision 1).
func (s *Objects) PutPlan(ctx context.Context, p objects.Plan) error {
	if p.Revision < 1 {
		return apperr.Hidden(apperr.Unprocessable, "", "put plan %d: revision %d", p.Year, p.Revision)
	}
	av, err := attributevalue.MarshalMap(toPlanItem(p))
	if err != nil {
		return fmt.Errorf("encode plan %d: %w", p.Year, err)
	}
	in := &dynamodb.PutItemInput{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(pk)")}
	if p.Revision > 1 {
		in.ConditionExpression = aws.String("revision = :prev")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":prev": &types.AttributeValueMemberN{Value: strconv.Itoa(p.Revision - 1)}}
	}
	_, err = s.db.PutItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return apperr.Hidden(apperr.Conflict, "", "put plan %d revision %d", p.Year, p.Revision)
	}
	if err != nil {
		return fmt.Errorf("put plan %d revision %d: %w", p.Year, p.Revision, err)
	}
	return nil
}

// holds reports whether the table holds exactly the item av (read strongly consistent).
func (s *Objects) holds(ctx context.Context, av map[string]types.AttributeValue) (bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": av["pk"], "sk": av["sk"]}})
	if err != nil {
		return false, err
	}
	return out.Item != nil && reflect.DeepEqual(av, out.Item), nil
}
