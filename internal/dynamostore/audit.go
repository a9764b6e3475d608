package dynamostore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/audit"
)

// Audit keeps call records in the table: one item per call, in the partition of its UTC day,
// and in the by-owner index (gsi1) under the case it addressed. Keys are bounded whatever the
// call's shape (see keyPart), so every call can be recorded. Records are only ever put, each
// conditional on its key being new: nothing updates or deletes one.
type Audit struct {
	db    API
	table string
}

var _ audit.Store = (*Audit)(nil)

// NewAudit returns the call record store on table.
func NewAudit(db API, table string) *Audit { return &Audit{db: db, table: table} }

// auditItem is a call record as stored.
type auditItem struct {
	keys
	Type         string `dynamodbav:"type"`
	Time         string `dynamodbav:"time"`
	RequestID    string `dynamodbav:"requestId"`
	User         string `dynamodbav:"user,omitempty"`
	System       string `dynamodbav:"system,omitempty"`
	Role         string `dynamodbav:"role,omitempty"`
	Organization string `dynamodbav:"organization,omitempty"`
	SourceIP     string `dynamodbav:"sourceIp,omitempty"`
	UserAgent    string `dynamodbav:"userAgent,omitempty"`
	RouteKey     string `dynamodbav:"routeKey"`
	Path         string `dynamodbav:"path"`
	CaseID       string `dynamodbav:"caseId,omitempty"`
	Operation    string `dynamodbav:"operation"`
	Status       int    `dynamodbav:"status"`
	Reason       string `dynamodbav:"reason,omitempty"`
	Replayed     bool   `dynamodbav:"replayed,omitempty"`
	Origin       string `dynamodbav:"origin"`
}

// auditTime renders a record's time to the millisecond, so that strings sort as times do.
func auditTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func auditDayPK(day string) string     { return "AUDIT#" + day }
func auditCasePK(caseID string) string { return "AUDITCASE#" + keyPart(caseID) }

// maxKeyPart is the longest caller-supplied value a key holds as it is. DynamoDB refuses an item
// whose partition key exceeds 2,048 bytes or sort key 1,024 bytes (of the table and of an index
// alike), so a call whose path holds a longer case ID, or whose request ID is longer, would leave
// no record at all.
const maxKeyPart = 200

// keyPart is s as a part of a key: s itself when it is valid UTF-8 of at most maxKeyPart bytes
// (every ID the system issues is), otherwise "sha256:" and the hexadecimal SHA-256 of s. The value
// itself stays whole in the record's attributes; only the key is bounded, the same way for
// writing and for reading, so a record with a long case ID is still found under that case.
func keyPart(s string) string {
	if len(s) <= maxKeyPart && utf8.ValidString(s) {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func toAuditItem(r audit.Record) auditItem {
	sk := auditTime(r.Time) + "#" + keyPart(r.RequestID)
	it := auditItem{keys: keys{PK: auditDayPK(r.Day()), SK: sk}, Type: "call",
		Time: r.Time.UTC().Format(time.RFC3339Nano), RequestID: r.RequestID, User: r.User, System: r.System,
		Role: r.Role, Organization: r.Organization, SourceIP: r.SourceIP, UserAgent: r.UserAgent,
		RouteKey: r.RouteKey, Path: r.Path, CaseID: r.CaseID, Operation: r.Operation, Status: r.Status,
		Reason: r.Reason, Replayed: r.Replayed, Origin: r.Origin}
	if r.CaseID != "" {
		it.GSI1PK, it.GSI1SK = auditCasePK(r.CaseID), sk
	}
	return it
}

func fromAuditItem(it auditItem) (audit.Record, error) {
	t, err := time.Parse(time.RFC3339Nano, it.Time)
	if err != nil {
		return audit.Record{}, fmt.Errorf("call record %s: time %q: %w", it.RequestID, it.Time, err)
	}
	return audit.Record{Time: t, RequestID: it.RequestID, User: it.User, System: it.System, Role: it.Role,
		Organization: it.Organization, SourceIP: it.SourceIP, UserAgent: it.UserAgent, RouteKey: it.RouteKey,
		Path: it.Path, CaseID: it.CaseID, Operation: it.Operation, Status: it.Status, Reason: it.Reason,
		Replayed: it.Replayed, Origin: it.Origin}, nil
}

// Record puts a call record, conditional on its key being new: a record is never overwritten.
// A record already stored for the same request (same time and request ID) is left as it is.
func (a *Audit) Record(ctx context.Context, r audit.Record) error {
	if r.RequestID == "" {
		return fmt.Errorf("record call at %s: no request ID: %w", auditTime(r.Time), audit.ErrInvalid)
	}
	av, err := attributevalue.MarshalMap(toAuditItem(r))
	if err != nil {
		return fmt.Errorf("encode call record %s: %w", r.RequestID, err)
	}
	_, err = a.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &a.table, Item: av,
		ConditionExpression: aws.String("attribute_not_exists(pk)")})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil // recorded already: the same request, told twice
	}
	if err != nil {
		return fmt.Errorf("record call %s: %w", r.RequestID, err)
	}
	return nil
}

// ByDay queries the day's partition, oldest first.
func (a *Audit) ByDay(ctx context.Context, day string, limit int, cursor string) (audit.Page, error) {
	if _, err := audit.ParseDay(day); err != nil {
		return audit.Page{}, fmt.Errorf("calls of %q: %v: %w", day, err, audit.ErrInvalid)
	}
	pk := auditDayPK(day)
	in := &dynamodb.QueryInput{TableName: &a.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}}
	return a.page(ctx, "calls of "+day, in, []string{"pk", "sk"}, "pk", pk, limit, cursor)
}

// ByCase queries the by-owner index (gsi1) under the case, oldest first. The index is
// eventually consistent: a record written a moment ago may be missing for that moment.
func (a *Audit) ByCase(ctx context.Context, caseID string, limit int, cursor string) (audit.Page, error) {
	if caseID == "" {
		return audit.Page{}, fmt.Errorf("calls of a case: no case ID: %w", audit.ErrInvalid)
	}
	pk := auditCasePK(caseID)
	in := &dynamodb.QueryInput{TableName: &a.table, IndexName: aws.String(IndexByOwner),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}}
	return a.page(ctx, "calls of case "+caseID, in, []string{"pk", "sk", "gsi1pk", "gsi1sk"}, "gsi1pk", pk, limit, cursor)
}

// page runs the query from the cursor until it has limit records, and says whether more follow
// by asking for one record beyond the page. The cursor is the last record's key, opaque to the
// caller; a cursor for another partition is audit.ErrBadCursor.
func (a *Audit) page(ctx context.Context, what string, in *dynamodb.QueryInput, keyNames []string, partAttr, part string, limit int, cursor string) (audit.Page, error) {
	limit = audit.Limit(limit)
	if cursor != "" {
		start, err := decodeCursor(cursor, keyNames)
		if err != nil || start[partAttr] != part {
			return audit.Page{}, fmt.Errorf("%s: %w", what, audit.ErrBadCursor)
		}
		in.ExclusiveStartKey = map[string]types.AttributeValue{}
		for k, v := range start {
			in.ExclusiveStartKey[k] = &types.AttributeValueMemberS{Value: v}
		}
	}
	var items []auditItem
	for {
		in.Limit = aws.Int32(int32(limit + 1 - len(items)))
		out, err := a.db.Query(ctx, in)
		if err != nil {
			return audit.Page{}, fmt.Errorf("%s: %w", what, err)
		}
		for _, av := range out.Items {
			var it auditItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return audit.Page{}, fmt.Errorf("decode %s: %w", what, err)
			}
			items = append(items, it)
		}
		if len(items) > limit || len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	var p audit.Page
	if len(items) > limit {
		items = items[:limit]
		last := items[len(items)-1].keys
		all := map[string]string{"pk": last.PK, "sk": last.SK, "gsi1pk": last.GSI1PK, "gsi1sk": last.GSI1SK}
		k := map[string]string{}
		for _, n := range keyNames {
			k[n] = all[n]
		}
		p.Cursor = encodeCursor(k)
	}
	for _, it := range items {
		r, err := fromAuditItem(it)
		if err != nil {
			return audit.Page{}, fmt.Errorf("%s: %w", what, err)
		}
		p.Records = append(p.Records, r)
	}
	return p, nil
}

func encodeCursor(k map[string]string) string {
	b, _ := json.Marshal(k)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor holding exactly the key attributes names, each a non-empty string.
func decodeCursor(c string, names []string) (map[string]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, fmt.Errorf("cursor: %w", err)
	}
	var k map[string]string
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, fmt.Errorf("cursor: %w", err)
	}
	if len(k) != len(names) {
		return nil, errors.New("cursor: wrong keys")
	}
	for _, n := range names {
		if k[n] == "" {
			return nil, errors.New("cursor: wrong keys")
		}
	}
	return k, nil
}
