package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
)

// MethodologyAPI is the part of the DynamoDB client the methodology store uses.
type MethodologyAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Methodologies keeps the published versions of the survey methodology (§20): one item per
// version under the partition METHODOLOGY, written once (conditional on the version being new)
// and never changed.
type Methodologies struct {
	db    MethodologyAPI
	table string
}

var _ attestation.Methodologies = (*Methodologies)(nil)

// NewMethodologies returns the methodology store on table.
func NewMethodologies(db MethodologyAPI, table string) *Methodologies {
	return &Methodologies{db: db, table: table}
}

// methodologyPK is the partition of every version.
const methodologyPK = "METHODOLOGY"

// methodologyItem is one version (attestation.Methodology).
type methodologyItem struct {
	PK          string    `dynamodbav:"pk"`
	SK          string    `dynamodbav:"sk"`   // V#<version>
	Type        string    `dynamodbav:"type"` // "methodology"
	Version     string    `dynamodbav:"version"`
	Title       string    `dynamodbav:"title"`
	Text        string    `dynamodbav:"text"`
	SHA256      string    `dynamodbav:"sha256"`
	PublishedAt time.Time `dynamodbav:"publishedAt"`
	PublishedBy string    `dynamodbav:"publishedBy"`
}

func toMethodologyItem(m attestation.Methodology) methodologyItem {
	return methodologyItem{PK: methodologyPK, SK: "V#" + m.Version, Type: "methodology", Version: m.Version, Title: m.Title, Text: m.Text,
		SHA256: m.SHA256, PublishedAt: m.PublishedAt, PublishedBy: m.PublishedBy}
}

func (it methodologyItem) domain() attestation.Methodology {
	return attestation.Methodology{Version: it.Version, Title: it.Title, Text: it.Text, SHA256: it.SHA256, PublishedAt: it.PublishedAt,
		PublishedBy: it.PublishedBy}
}

// Publish stores a new version; apperr.Conflict if the version exists.
func (s *Methodologies) Publish(ctx context.Context, m attestation.Methodology) error {
	av, err := attributevalue.MarshalMap(toMethodologyItem(m))
	if err != nil {
		return fmt.Errorf("encode methodology %s: %w", m.Version, err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return apperr.Hidden(apperr.Conflict, "", "methodology %s exists", m.Version)
	}
	if err != nil {
		return fmt.Errorf("put methodology %s: %w", m.Version, err)
	}
	return nil
}

// Methodology returns a version with its text, strongly consistent; apperr.NotFound if none.
func (s *Methodologies) Methodology(ctx context.Context, version string) (attestation.Methodology, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, ConsistentRead: aws.Bool(true), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: methodologyPK}, "sk": &types.AttributeValueMemberS{Value: "V#" + version}}})
	if err != nil {
		return attestation.Methodology{}, fmt.Errorf("get methodology %s: %w", version, err)
	}
	if out.Item == nil {
		return attestation.Methodology{}, apperr.Hidden(apperr.NotFound, "methodology", "methodology %s", version)
	}
	var it methodologyItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return attestation.Methodology{}, fmt.Errorf("decode methodology %s: %w", version, err)
	}
	return it.domain(), nil
}

// Methodologies returns up to limit versions without their texts, newest publication first.
func (s *Methodologies) Methodologies(ctx context.Context, limit int) ([]attestation.Methodology, error) {
	var list []attestation.Methodology
	var start map[string]types.AttributeValue
	for {
		out, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true), ExclusiveStartKey: start,
			KeyConditionExpression: aws.String("pk = :pk"), ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: methodologyPK}},
			ProjectionExpression: aws.String("version, title, sha256, publishedAt, publishedBy")})
		if err != nil {
			return nil, fmt.Errorf("query methodologies: %w", err)
		}
		for _, av := range out.Items {
			var it methodologyItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, fmt.Errorf("decode methodology: %w", err)
			}
			list = append(list, it.domain())
		}
		if start = out.LastEvaluatedKey; start == nil {
			break
		}
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].PublishedAt.After(list[j].PublishedAt) })
	if len(list) > limit {
		list = list[:limit]
	}
	return list, nil
}
