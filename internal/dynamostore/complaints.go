package dynamostore

import (
	"context"
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
	"attestation/internal/attestation"
	"attestation/internal/complaints"
)

// ComplaintsAPI is the part of the DynamoDB client the complaints store uses.
type ComplaintsAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Complaints keeps complaints (standard §11) and their history in the table (docs/data-model.md).
// A complaint is listed for its organisation on the by-owner index (ORG#<bin>, beside its cases),
// for its addressee on the by-role index (COMPLAINTS#<addressee>), and watched on the due index
// under its own partition, COMPLAINT-DUE, while it waits for its consideration: never under the
// DUE#<shard> partitions of the cases' steps.
type Complaints struct {
	db    ComplaintsAPI
	table string
}

var _ complaints.Store = (*Complaints)(nil)

// NewComplaints returns the complaints store on table.
func NewComplaints(db ComplaintsAPI, table string) *Complaints {
	return &Complaints{db: db, table: table}
}

// complaintDuePK is the due index partition of the complaints waiting for their consideration.
const complaintDuePK = "COMPLAINT-DUE"

func complaintPK(id string) string { return "COMPLAINT#" + id }

func complaintKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: complaintPK(id)}, "sk": &types.AttributeValueMemberS{Value: "COMPLAINT"}}
}

func complaintCounterKey(year int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "COUNTER#COMPLAINT#" + strconv.Itoa(year)},
		"sk": &types.AttributeValueMemberS{Value: "COUNTER"}}
}

// complaintAddresseePK is the by-role index partition of the complaints filed with a.
func complaintAddresseePK(a complaints.Addressee) string { return "COMPLAINTS#" + string(a) }

func (s *Complaints) put(c complaints.Complaint, cond string, vals map[string]types.AttributeValue) (types.TransactWriteItem, error) {
	av, err := attributevalue.MarshalMap(toComplaintItem(c))
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("encode complaint %s: %w", c.ID, err)
	}
	return types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: &cond, ExpressionAttributeValues: vals}}, nil
}

func (s *Complaints) eventPuts(id string, events []complaints.Event) ([]types.TransactWriteItem, error) {
	var out []types.TransactWriteItem
	for _, e := range events {
		av, err := attributevalue.MarshalMap(toComplaintEventItem(id, e))
		if err != nil {
			return nil, fmt.Errorf("encode event %d of complaint %s: %w", e.Seq, id, err)
		}
		out = append(out, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: av,
			ConditionExpression: aws.String("attribute_not_exists(pk)")}})
	}
	return out, nil
}

// LastSeq reads the year's counter with a strongly consistent read.
func (s *Complaints) LastSeq(ctx context.Context, year int) (int, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, ConsistentRead: aws.Bool(true), Key: complaintCounterKey(year)})
	if err != nil {
		return 0, fmt.Errorf("complaint sequence of %d: %w", year, err)
	}
	var it struct {
		Seq int `dynamodbav:"seq"`
	}
	if out.Item != nil {
		if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
			return 0, fmt.Errorf("decode complaint sequence of %d: %w", year, err)
		}
	}
	return it.Seq, nil
}

// Create takes the year's next number (the counter, conditional on it still holding c.Seq-1),
// puts the complaint (conditional on its ID being new) and its first events, in one transaction.
func (s *Complaints) Create(ctx context.Context, c complaints.Complaint, events ...complaints.Event) error {
	if c.Seq < 1 || c.Version != 1 {
		return apperr.Hidden(apperr.Unprocessable, "", "create complaint %s: sequence %d, version %d", c.ID, c.Seq, c.Version)
	}
	counter := &types.Update{TableName: &s.table, Key: complaintCounterKey(c.Year),
		UpdateExpression: aws.String("SET seq = :seq"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":seq": &types.AttributeValueMemberN{Value: strconv.Itoa(c.Seq)}}}
	if c.Seq == 1 {
		counter.ConditionExpression = aws.String("attribute_not_exists(seq)")
	} else {
		counter.ConditionExpression = aws.String("seq = :prev")
		counter.ExpressionAttributeValues[":prev"] = &types.AttributeValueMemberN{Value: strconv.Itoa(c.Seq - 1)}
	}
	item, err := s.put(c, "attribute_not_exists(pk)", nil)
	if err != nil {
		return err
	}
	evs, err := s.eventPuts(c.ID, events)
	if err != nil {
		return err
	}
	notes, err := noticePuts(s.table, complaints.Notices(c, events))
	if err != nil {
		return fmt.Errorf("create complaint %s: %w", c.ID, err)
	}
	return s.transact(ctx, fmt.Sprintf("create complaint %s number %s", c.ID, c.Number), append(append([]types.TransactWriteItem{{Update: counter}, item}, evs...), notes...))
}

// Update replaces the complaint stored at version c.Version-1 and puts its new events, in one
// transaction.
func (s *Complaints) Update(ctx context.Context, c complaints.Complaint, events ...complaints.Event) error {
	item, err := s.put(c, "version = :prev", map[string]types.AttributeValue{
		":prev": &types.AttributeValueMemberN{Value: strconv.Itoa(c.Version - 1)}})
	if err != nil {
		return err
	}
	evs, err := s.eventPuts(c.ID, events)
	if err != nil {
		return err
	}
	notes, err := noticePuts(s.table, complaints.Notices(c, events))
	if err != nil {
		return fmt.Errorf("update complaint %s: %w", c.ID, err)
	}
	return s.transact(ctx, fmt.Sprintf("update complaint %s version %d", c.ID, c.Version), append(append([]types.TransactWriteItem{item}, evs...), notes...))
}

// transact runs a transaction, turning a failed condition into attestation.ErrConflict.
func (s *Complaints) transact(ctx context.Context, what string, items []types.TransactWriteItem) error {
	if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items}); err != nil {
		var tce *types.TransactionCanceledException
		if errors.As(err, &tce) {
			for _, r := range tce.CancellationReasons {
				if aws.ToString(r.Code) == "ConditionalCheckFailed" {
					return apperr.Hidden(apperr.Conflict, "", "%s", what)
				}
			}
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Get reads a complaint with a strongly consistent read.
func (s *Complaints) Get(ctx context.Context, id string) (complaints.Complaint, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, ConsistentRead: aws.Bool(true), Key: complaintKey(id)})
	if err != nil {
		return complaints.Complaint{}, fmt.Errorf("get complaint %s: %w", id, err)
	}
	if out.Item == nil {
		return complaints.Complaint{}, apperr.Hidden(apperr.NotFound, "complaint", "complaint %s", id)
	}
	var it complaintItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return complaints.Complaint{}, fmt.Errorf("decode complaint %s: %w", id, err)
	}
	return it.domain(), nil
}

// History returns a complaint's events in order, with strongly consistent reads.
func (s *Complaints) History(ctx context.Context, id string) ([]complaints.Event, error) {
	var events []complaints.Event
	err := queryAll(ctx, s.db, "history of complaint "+id, &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :ev)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: complaintPK(id)}, ":ev": &types.AttributeValueMemberS{Value: "EVENT#"}}},
		func(it complaintEventItem) bool { events = append(events, it.domain()); return true })
	if err != nil {
		return nil, err
	}
	return events, nil
}

// ByOrganization reads an organisation's complaints from the by-owner index, newest registration
// first.
func (s *Complaints) ByOrganization(ctx context.Context, bin string, limit int, cursor string) ([]complaints.Complaint, string, error) {
	pk := "ORG#" + bin
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByOwner), Limit: aws.Int32(int32(limit)),
		ScanIndexForward:       aws.Bool(false),
		KeyConditionExpression: aws.String("gsi1pk = :pk AND begins_with(gsi1sk, :c)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: pk}, ":c": &types.AttributeValueMemberS{Value: "COMPLAINT#"}}}
	return s.page(ctx, in, "gsi1", pk, "COMPLAINT#", cursor, "complaints of an organisation")
}

// ByAddressee reads the complaints filed with a from the by-role index, latest due moment first.
func (s *Complaints) ByAddressee(ctx context.Context, a complaints.Addressee, limit int, cursor string) ([]complaints.Complaint, string, error) {
	pk := complaintAddresseePK(a)
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByRole), Limit: aws.Int32(int32(limit)),
		ScanIndexForward:          aws.Bool(false),
		KeyConditionExpression:    aws.String("gsi3pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}}
	return s.page(ctx, in, "gsi3", pk, "", cursor, "complaints to the "+string(a))
}

// Due reads the complaints waiting for their consideration, not yet flagged overdue, due at or
// before t, from their partition of the due index, earliest first.
func (s *Complaints) Due(ctx context.Context, t time.Time, limit int, cursor string) ([]complaints.Complaint, string, error) {
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByDue), Limit: aws.Int32(int32(limit)),
		KeyConditionExpression: aws.String("gsi2pk = :pk AND gsi2sk <= :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: complaintDuePK},
			":t":  &types.AttributeValueMemberS{Value: sortTime(t) + "#~"}}}
	return s.page(ctx, in, "gsi2", complaintDuePK, "", cursor, "complaints due")
}

// page runs one page of a query of complaint items on index (gsi1, gsi2, gsi3) of partition pk,
// whose sort keys start with prefix. The cursor is the page's last key, base64url JSON; one
// issued for another partition or prefix is attestation.ErrBadCursor.
func (s *Complaints) page(ctx context.Context, in *dynamodb.QueryInput, index, pk, prefix, cursor, what string) ([]complaints.Complaint, string, error) {
	if cursor != "" {
		start, err := decodeCursor(cursor, []string{"pk", "sk", index + "pk", index + "sk"})
		if err != nil || start[index+"pk"] != pk || !strings.HasPrefix(start[index+"sk"], prefix) || !strings.HasPrefix(start["pk"], "COMPLAINT#") {
			return nil, "", fmt.Errorf("%s: cursor: %w", what, attestation.ErrBadCursor)
		}
		in.ExclusiveStartKey = map[string]types.AttributeValue{}
		for k, v := range start {
			in.ExclusiveStartKey[k] = &types.AttributeValueMemberS{Value: v}
		}
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", what, err)
	}
	list := make([]complaints.Complaint, 0, len(out.Items))
	for _, av := range out.Items {
		var it complaintItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", fmt.Errorf("%s: decode complaint: %w", what, err)
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
