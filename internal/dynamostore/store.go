// Package dynamostore keeps cases and their history in the one DynamoDB table of the system
// (the layout is written down in docs/data-model.md). Every change of a case is conditional on
// its version and is written together with its history events in one transaction.
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
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// DueShards is the number of partitions the due index is spread over, so that the deadline
// check never reads one hot partition.
const DueShards = 4

// Index names of the table (template.yaml).
const (
	IndexByOwner = "gsi1"
	IndexByDue   = "gsi2"
	IndexByRole  = "gsi3"
)

// API is the part of the DynamoDB client the store uses.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store is the DynamoDB CaseStore.
type Store struct {
	db    API
	table string
	docs  documentsSeen // the documents of the cases this store read or wrote last, to skip rewriting them
}

var _ attestation.CaseStore = (*Store)(nil)

// New returns a Store on table.
func New(db API, table string) *Store { return &Store{db: db, table: table} }

type keys struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI1PK string `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK string `dynamodbav:"gsi1sk,omitempty"`
	GSI2PK string `dynamodbav:"gsi2pk,omitempty"`
	GSI2SK string `dynamodbav:"gsi2sk,omitempty"`
	GSI3PK string `dynamodbav:"gsi3pk,omitempty"`
	GSI3SK string `dynamodbav:"gsi3sk,omitempty"`
	GSI4PK string `dynamodbav:"gsi4pk,omitempty"` // the oversight index (oversight.go)
	GSI4SK string `dynamodbav:"gsi4sk,omitempty"`
}

func casePK(id string) string { return "CASE#" + id }

// sortTime renders t so that strings sort as times do.
func sortTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// DueShardOf is the partition of the due index a case's open step goes to.
func DueShardOf(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return "DUE#" + strconv.Itoa(int(h.Sum32()%DueShards))
}

// IdleShardOf is the partition of the due index a case waiting on the workflow goes to (the
// same shard as its due steps, in its own partition).
func IdleShardOf(id string) string { return "IDLE#" + strings.TrimPrefix(DueShardOf(id), "DUE#") }

// toItem is the case item of c; its documents go to their own item (toDocumentsItem).
func toItem(c attestation.Case) caseItem {
	it := caseItem{
		keys: keys{PK: casePK(c.ID), SK: "CASE",
			GSI1PK: "ORG#" + c.OrganizationBIN, GSI1SK: "CASE#" + sortTime(c.SubmittedAt) + "#" + c.ID},
		Type: "case", Version: c.Version, Case: toStoredCase(c),
	}
	it.Case.Documents = nil
	it.GSI4PK, it.GSI4SK = filedKeys(c)
	if a := c.Attention; c.NeedsAttention() {
		// The workflow stopped moving the case: the authority's queue lists it from the moment
		// that was noticed; no due step is checked on it any more.
		it.GSI3PK, it.GSI3SK = "QUEUE#"+string(identity.Authority), sortTime(a.At)+"#"+c.ID
		return it
	}
	if c.WaitsOnEngine() {
		// No step open, not ended: the workflow owes the case its next task. The deadline check
		// asks the engine about those idle past a grace period (WaitingOnEngine).
		it.GSI2PK, it.GSI2SK = IdleShardOf(c.ID), sortTime(c.LastMoment())+"#"+c.ID
	}
	if st := c.OpenStep; st != nil {
		due := sortTime(st.DueAt) + "#" + c.ID
		if !st.Runs() {
			// A paper case's period waits for the hand-over at the office: no due moment, so not
			// in the due index (no lapse, no reminder); its role's queue lists it by its opening.
			it.GSI3PK, it.GSI3SK = "QUEUE#"+string(st.Role), sortTime(st.OpenedAt)+"#"+c.ID
			return it
		}
		if !st.Overdue {
			it.GSI2PK, it.GSI2SK = DueShardOf(c.ID), due
		}
		it.GSI3PK, it.GSI3SK = "QUEUE#"+string(st.Role), due
	}
	return it
}

func fromItem(it caseItem) attestation.Case { return it.Case.domain() }

func (s *Store) eventPuts(id string, events []attestation.Event) ([]types.TransactWriteItem, error) {
	var out []types.TransactWriteItem
	for _, e := range events {
		av, err := attributevalue.MarshalMap(toEventItem(id, e))
		if err != nil {
			return nil, fmt.Errorf("encode event %d of %s: %w", e.Seq, id, err)
		}
		out = append(out, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: av,
			ConditionExpression: aws.String("attribute_not_exists(pk)")}})
	}
	return out, nil
}

// Create stores a new case and its first events.
func (s *Store) Create(ctx context.Context, c attestation.Case, events ...attestation.Event) error {
	return s.write(ctx, c, "attribute_not_exists(pk)", nil, events)
}

// Update replaces the case stored at version c.Version-1 and appends events: one transaction, or
// one conditional PutItem when there is no event and the documents are as stored. A case with no
// documents (read by GetWithoutDocuments, or from an index) leaves the stored documents as they
// are: a case's documents are only ever added to.
func (s *Store) Update(ctx context.Context, c attestation.Case, events ...attestation.Event) error {
	return s.write(ctx, c, "version = :prev", map[string]types.AttributeValue{
		":prev": &types.AttributeValueMemberN{Value: strconv.Itoa(c.Version - 1)}}, events)
}

// caseWrites are the puts of a case: its item, conditional on cond, and its documents item when
// they may differ from those stored (documentsSeen).
func (s *Store) caseWrites(c attestation.Case, cond string, vals map[string]types.AttributeValue) ([]types.TransactWriteItem, error) {
	av, err := attributevalue.MarshalMap(toItem(c))
	if err != nil {
		return nil, fmt.Errorf("encode case %s: %w", c.ID, err)
	}
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: &cond, ExpressionAttributeValues: vals}}}
	if len(c.Documents) > 0 && !s.docs.unchanged(c) {
		dav, err := attributevalue.MarshalMap(toDocumentsItem(c))
		if err != nil {
			return nil, fmt.Errorf("encode documents of case %s: %w", c.ID, err)
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: dav}})
	}
	return items, nil
}

// caseChangeWrites are the puts of a change of c with events: the case's (caseWrites) and the
// notifications and the service term's watch the change writes with them.
func (s *Store) caseChangeWrites(c attestation.Case, cond string, vals map[string]types.AttributeValue, events []attestation.Event) (items, notes []types.TransactWriteItem, err error) {
	items, err = s.caseWrites(c, cond, vals)
	if err != nil {
		return nil, nil, err
	}
	notes, err = noticePuts(s.table, attestation.Notices(c, events))
	if err != nil {
		return nil, nil, fmt.Errorf("write case %s version %d: %w", c.ID, c.Version, err)
	}
	terms, err := s.termWrites(c, events)
	if err != nil {
		return nil, nil, fmt.Errorf("write case %s version %d: %w", c.ID, c.Version, err)
	}
	return items, append(notes, terms...), nil
}

func (s *Store) write(ctx context.Context, c attestation.Case, cond string, vals map[string]types.AttributeValue, events []attestation.Event) error {
	items, notes, err := s.caseChangeWrites(c, cond, vals, events)
	if err != nil {
		return err
	}
	if len(events) == 0 && len(notes) == 0 && len(items) == 1 {
		// Nothing to write beside the case: one conditional PutItem, no transaction.
		put := items[0].Put
		_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: put.Item, ConditionExpression: put.ConditionExpression,
			ExpressionAttributeValues: put.ExpressionAttributeValues})
		var ccf *types.ConditionalCheckFailedException
		if errors.As(err, &ccf) {
			return apperr.Hidden(apperr.Conflict, "", "write case %s version %d", c.ID, c.Version)
		}
		if err != nil {
			return fmt.Errorf("write case %s version %d: %w", c.ID, c.Version, err)
		}
		s.docs.wrote(c)
		return nil
	}
	evs, err := s.eventPuts(c.ID, events)
	if err != nil {
		return err
	}
	// The notifications the change reports go in its transaction (issue 13's outbox).
	if err := s.transact(ctx, fmt.Sprintf("write case %s version %d", c.ID, c.Version), append(append(items, evs...), notes...)); err != nil {
		return err
	}
	s.docs.wrote(c)
	return nil
}

// Get reads a case with its documents: one strongly consistent Query of the case item and its
// documents item (sk CASE and DOCS, next to each other).
func (s *Store) Get(ctx context.Context, id string) (attestation.Case, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :case AND :docs"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: casePK(id)},
			":case": &types.AttributeValueMemberS{Value: "CASE"}, ":docs": &types.AttributeValueMemberS{Value: documentsSK}}})
	if err != nil {
		return attestation.Case{}, fmt.Errorf("get case %s: %w", id, err)
	}
	var c *attestation.Case
	var docs *caseDocumentsItem
	for _, av := range out.Items {
		sk, _ := av["sk"].(*types.AttributeValueMemberS)
		switch {
		case sk == nil:
		case sk.Value == "CASE":
			var it caseItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return attestation.Case{}, fmt.Errorf("decode case %s: %w", id, err)
			}
			got := fromItem(it)
			c = &got
		case sk.Value == documentsSK:
			docs = &caseDocumentsItem{}
			if err := attributevalue.UnmarshalMap(av, docs); err != nil {
				return attestation.Case{}, fmt.Errorf("decode documents of case %s: %w", id, err)
			}
		}
	}
	if c == nil {
		return attestation.Case{}, apperr.Hidden(apperr.NotFound, "case", "case %s", id)
	}
	if docs != nil {
		c.Documents = mapSlice(docs.Documents, storedDocument.domain)
		s.docs.read(*c)
	}
	// Without a documents item, the case item is of the earlier shape with its documents inline
	// (or has none): its next write gives them their item.
	return *c, nil
}

// GetWithoutDocuments reads a case without its documents (one GetItem of the case item, about a
// quarter of its former size), for the steps of the workflow that never touch them; an Update
// of the case so read keeps the stored documents. A case item of the earlier shape comes with
// its documents inline.
func (s *Store) GetWithoutDocuments(ctx context.Context, id string) (attestation.Case, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: casePK(id)}, "sk": &types.AttributeValueMemberS{Value: "CASE"}}})
	if err != nil {
		return attestation.Case{}, fmt.Errorf("get case %s: %w", id, err)
	}
	if out.Item == nil {
		return attestation.Case{}, apperr.Hidden(apperr.NotFound, "case", "case %s", id)
	}
	var it caseItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return attestation.Case{}, fmt.Errorf("decode case %s: %w", id, err)
	}
	return fromItem(it), nil
}

// History returns a case's events in order.
func (s *Store) History(ctx context.Context, id string) ([]attestation.Event, error) {
	var events []attestation.Event
	err := queryAll(ctx, s.db, "history of "+id, &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :ev)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: casePK(id)}, ":ev": &types.AttributeValueMemberS{Value: "EVENT#"}}},
		func(it eventItem) bool { events = append(events, it.domain()); return true })
	if err != nil {
		return nil, err
	}
	return events, nil
}

// MarkCallback records the callback state of the case's last decision, if its token is token.
// It changes no version: it records what the engine was told, not a change of the case.
func (s *Store) MarkCallback(ctx context.Context, id, token, state string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table,
		Key:                      map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: casePK(id)}, "sk": &types.AttributeValueMemberS{Value: "CASE"}},
		UpdateExpression:         aws.String("SET #c.#d.#cb = :s"),
		ConditionExpression:      aws.String("#c.#d.#t = :t"),
		ExpressionAttributeNames: map[string]string{"#c": "case", "#d": "LastDecision", "#cb": "Callback", "#t": "Token"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":s": &types.AttributeValueMemberS{Value: state}, ":t": &types.AttributeValueMemberS{Value: token}},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return apperr.Hidden(apperr.Conflict, "", "mark callback of %s", id)
	}
	if err != nil {
		return fmt.Errorf("mark callback of %s: %w", id, err)
	}
	return nil
}

// MarkHandback records the callback state of the hand-back of the case's attention, if its token
// is token. Like MarkCallback it changes no version.
func (s *Store) MarkHandback(ctx context.Context, id, token, state string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table,
		Key:                      map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: casePK(id)}, "sk": &types.AttributeValueMemberS{Value: "CASE"}},
		UpdateExpression:         aws.String("SET #c.#a.#h.#cb = :s"),
		ConditionExpression:      aws.String("#c.#a.#t = :t AND attribute_exists(#c.#a.#h)"),
		ExpressionAttributeNames: map[string]string{"#c": "case", "#a": "Attention", "#h": "Handback", "#cb": "Callback", "#t": "Token"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":s": &types.AttributeValueMemberS{Value: state}, ":t": &types.AttributeValueMemberS{Value: token}},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return apperr.Hidden(apperr.Conflict, "", "mark hand-back of %s", id)
	}
	if err != nil {
		return fmt.Errorf("mark hand-back of %s: %w", id, err)
	}
	return nil
}

// DueSteps queries every shard of the due index for open steps due at or before t.
func (s *Store) DueSteps(ctx context.Context, t time.Time, limit int) ([]attestation.Case, error) {
	var out []attestation.Case
	for shard := 0; shard < DueShards && len(out) < limit; shard++ {
		p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByDue),
			KeyConditionExpression: aws.String("gsi2pk = :pk AND gsi2sk <= :t"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: "DUE#" + strconv.Itoa(shard)},
				":t":  &types.AttributeValueMemberS{Value: sortTime(t) + "#~"}}})
		for p.HasMorePages() && len(out) < limit {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("due steps shard %d: %w", shard, err)
			}
			for _, av := range page.Items {
				var it caseItem
				if err := attributevalue.UnmarshalMap(av, &it); err != nil {
					return nil, fmt.Errorf("decode due step: %w", err)
				}
				out = append(out, fromItem(it))
			}
		}
	}
	return out, nil
}

// WaitingOnEngine queries every shard of the due index for cases that wait on the workflow (no
// step open, not ended, not marked as needing attention) and have not changed since before,
// at most limit of them, the longest idle of each shard first.
func (s *Store) WaitingOnEngine(ctx context.Context, before time.Time, limit int) ([]attestation.Case, error) {
	var out []attestation.Case
	for shard := 0; shard < DueShards && len(out) < limit; shard++ {
		p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByDue),
			KeyConditionExpression: aws.String("gsi2pk = :pk AND gsi2sk <= :t"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: "IDLE#" + strconv.Itoa(shard)},
				":t":  &types.AttributeValueMemberS{Value: sortTime(before) + "#~"}}})
		for p.HasMorePages() && len(out) < limit {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("cases waiting on the workflow, shard %d: %w", shard, err)
			}
			for _, av := range page.Items {
				var it caseItem
				if err := attributevalue.UnmarshalMap(av, &it); err != nil {
					return nil, fmt.Errorf("decode a case waiting on the workflow: %w", err)
				}
				if len(out) < limit {
					out = append(out, fromItem(it))
				}
			}
		}
	}
	return out, nil
}

func counterKey(year int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "COUNTER#CERTIFICATE#" + strconv.Itoa(year)},
		"sk": &types.AttributeValueMemberS{Value: "COUNTER"}}
}

// CertificateSeq returns the last certificate sequence given in year.
func (s *Store) CertificateSeq(ctx context.Context, year int) (int, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, ConsistentRead: aws.Bool(true), Key: counterKey(year)})
	if err != nil {
		return 0, fmt.Errorf("certificate sequence of %d: %w", year, err)
	}
	var it struct {
		Seq int `dynamodbav:"seq"`
	}
	if out.Item != nil {
		if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
			return 0, fmt.Errorf("decode certificate sequence of %d: %w", year, err)
		}
	}
	return it.Seq, nil
}

// IssueCertificate takes the certificate's sequence (conditional on the counter still holding the
// one before), stores its register entry and updates the case, in one transaction.
func (s *Store) IssueCertificate(ctx context.Context, c attestation.Case, cert attestation.Certificate, events ...attestation.Event) error {
	certAV, err := attributevalue.MarshalMap(toCertificateItem(cert))
	if err != nil {
		return fmt.Errorf("encode certificate %s: %w", cert.Number, err)
	}
	counter := &types.Update{TableName: &s.table, Key: counterKey(cert.Year),
		UpdateExpression: aws.String("SET seq = :seq"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":seq": &types.AttributeValueMemberN{Value: strconv.Itoa(cert.Seq)}}}
	if cert.Seq == 1 {
		counter.ConditionExpression = aws.String("attribute_not_exists(seq)")
	} else {
		counter.ConditionExpression = aws.String("seq = :prev")
		counter.ExpressionAttributeValues[":prev"] = &types.AttributeValueMemberN{Value: strconv.Itoa(cert.Seq - 1)}
	}
	caseWrites, err := s.caseWrites(c, "version = :prev",
		map[string]types.AttributeValue{":prev": &types.AttributeValueMemberN{Value: strconv.Itoa(c.Version - 1)}})
	if err != nil {
		return err
	}
	items := append([]types.TransactWriteItem{
		{Update: counter},
		{Put: &types.Put{TableName: &s.table, Item: certAV, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
	}, caseWrites...)
	evs, err := s.eventPuts(c.ID, events)
	if err != nil {
		return err
	}
	notes, err := noticePuts(s.table, attestation.Notices(c, events))
	if err != nil {
		return fmt.Errorf("issue certificate %s for case %s: %w", cert.Number, c.ID, err)
	}
	if err := s.transact(ctx, fmt.Sprintf("issue certificate %s for case %s", cert.Number, c.ID), append(append(items, evs...), notes...)); err != nil {
		return err
	}
	s.docs.wrote(c)
	return nil
}

// transact runs a transaction, turning a failed condition into attestation.ErrConflict.
func (s *Store) transact(ctx context.Context, what string, items []types.TransactWriteItem) error {
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

// Queue reads the role's work queue from the by-role index, earliest due first.
func (s *Store) Queue(ctx context.Context, role identity.Role, limit int, cursor string) ([]attestation.Case, string, error) {
	pk := "QUEUE#" + string(role)
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByRole), Limit: aws.Int32(int32(limit)),
		KeyConditionExpression:    aws.String("gsi3pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}}
	return s.casePage(ctx, in, "gsi3", pk, cursor, "queue of "+string(role))
}

// ByOrganization reads an organisation's cases from the by-owner index, newest first.
func (s *Store) ByOrganization(ctx context.Context, bin string, limit int, cursor string) ([]attestation.Case, string, error) {
	pk := "ORG#" + bin
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByOwner), Limit: aws.Int32(int32(limit)),
		ScanIndexForward:       aws.Bool(false),
		KeyConditionExpression: aws.String("gsi1pk = :pk AND begins_with(gsi1sk, :case)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: pk}, ":case": &types.AttributeValueMemberS{Value: "CASE#"}}}
	return s.casePage(ctx, in, "gsi1", pk, cursor, "cases of an organisation")
}

// casePage runs one page of a query of case items on index (gsi1, gsi3) of partition pk. The
// cursor is the page's last key, base64url JSON; one issued for another partition is
// attestation.ErrBadCursor.
func (s *Store) casePage(ctx context.Context, in *dynamodb.QueryInput, index, pk, cursor, what string) ([]attestation.Case, string, error) {
	if cursor != "" {
		start, err := decodeCursor(cursor, []string{"pk", "sk", index + "pk", index + "sk"})
		if err != nil || start[index+"pk"] != pk {
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
	cases := make([]attestation.Case, 0, len(out.Items))
	for _, av := range out.Items {
		var it caseItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", fmt.Errorf("%s: decode case: %w", what, err)
		}
		cases = append(cases, fromItem(it))
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
	return cases, next, nil
}
