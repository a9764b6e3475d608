package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/register"
)

// The register of certificates (§29) on the table:
//
//	entry     pk CERT#<number>  sk ENTRY          the entry at its current revision (attribute
//	                                              revision on top: every write is conditional on it)
//	                            gsi1 ORG#<bin> / CERT#<number>   the owner's certificates
//	                            gsi3 REGISTER / <number>         the whole register, by number
//	revision  pk CERT#<number>  sk REV#<000001>   every revision, signed: the entry's full history
//	change    pk CERT#<number>  sk CHANGE#<id>    a change notice whole (§43-§44); the entry keeps
//	                                              its summary, without the free text
//
// The entry item carries lower-cased copies of what the public search filters on (objectSearch,
// status, ownerBin), so a search is one Query of the REGISTER partition with a filter.
const (
	registerPK  = "CERT#"
	entrySK     = "ENTRY"
	revisionSK  = "REV#"
	changeSK    = "CHANGE#"
	registerAll = "REGISTER"
)

// IndexRegister is the index whose REGISTER partition lists every entry by number.
const IndexRegister = IndexByRole

func entryKey(number string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: registerPK + number},
		"sk": &types.AttributeValueMemberS{Value: entrySK}}
}

// revisionKey is the sort key of an entry's revision n.
func revisionKey(n int) string { return fmt.Sprintf("%s%06d", revisionSK, n) }

// entryWrites are the transaction items that store e as its revision rev: the entry (new for the
// first revision, else conditional on the revision before) and the revision's history item.
func (s *Store) entryWrites(e register.Entry, rev register.Revision) ([]types.TransactWriteItem, error) {
	if rev.Number != e.Revision {
		return nil, fmt.Errorf("register entry %s: revision item %d for entry revision %d", e.Number, rev.Number, e.Revision)
	}
	av, err := attributevalue.MarshalMap(toEntryItem(e))
	if err != nil {
		return nil, fmt.Errorf("encode register entry %s: %w", e.Number, err)
	}
	put := &types.Put{TableName: &s.table, Item: av}
	if e.Revision == 1 {
		put.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		put.ConditionExpression = aws.String("revision = :prev")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{
			":prev": &types.AttributeValueMemberN{Value: strconv.Itoa(e.Revision - 1)}}
	}
	rav, err := attributevalue.MarshalMap(toRevisionItem(e.Number, rev))
	if err != nil {
		return nil, fmt.Errorf("encode register entry %s revision %d: %w", e.Number, rev.Number, err)
	}
	items := []types.TransactWriteItem{
		{Put: put},
		{Put: &types.Put{TableName: &s.table, Item: rav, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
	}
	// The notices this revision added or changed, whole, in their own items: written with the
	// entry or not at all.
	for _, c := range e.Changes {
		if !slices.Contains(e.ChangedNotices, c.ID) {
			continue
		}
		cav, err := attributevalue.MarshalMap(toChangeItem(e.Number, c))
		if err != nil {
			return nil, fmt.Errorf("encode register entry %s change notice %s: %w", e.Number, c.ID, err)
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: cav}})
	}
	if len(items) > maxTransactItems {
		return nil, fmt.Errorf("register entry %s revision %d: %d change notices changed at once, more than one transaction holds", e.Number, e.Revision, len(items)-2)
	}
	return items, nil
}

// maxTransactItems is the most actions one TransactWriteItems takes.
const maxTransactItems = 100

// moveInlineChanges gives each change notice an entry held whole (written before the notices got
// their own items) its own item, before the entry is written as summaries. Each is created only
// if it has none yet: a notice that a revision changed was written by that revision, and an
// unchanged one holds the same words whoever copies it, so a writer that then loses the entry's
// condition leaves nothing wrong behind. The notices this revision changed are written with the
// entry (entryWrites).
func (s *Store) moveInlineChanges(ctx context.Context, e register.Entry) error {
	if !e.InlineChanges {
		return nil
	}
	for _, c := range e.Changes {
		if slices.Contains(e.ChangedNotices, c.ID) {
			continue
		}
		av, err := attributevalue.MarshalMap(toChangeItem(e.Number, c))
		if err != nil {
			return fmt.Errorf("encode register entry %s change notice %s: %w", e.Number, c.ID, err)
		}
		_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(pk)")})
		var ccf *types.ConditionalCheckFailedException
		if err != nil && !errors.As(err, &ccf) {
			return fmt.Errorf("move change notice %s of register entry %s into its own item: %w", c.ID, e.Number, err)
		}
	}
	return nil
}

// PutEntry stores e as revision rev in one transaction: the first revision only if the number is
// new, a later one only if the stored entry is still at the revision before (else
// attestation.ErrConflict).
func (s *Store) PutEntry(ctx context.Context, e register.Entry, rev register.Revision) error {
	items, err := s.entryWrites(e, rev)
	if err != nil {
		return err
	}
	if err := s.moveInlineChanges(ctx, e); err != nil {
		return err
	}
	// The notifications the revision reports to the owner go in its transaction (issue 13).
	notes, err := noticePuts(s.table, register.Notices(e, rev))
	if err != nil {
		return fmt.Errorf("write register entry %s revision %d: %w", e.Number, e.Revision, err)
	}
	return s.transact(ctx, fmt.Sprintf("write register entry %s revision %d", e.Number, e.Revision), append(items, notes...))
}

var _ register.HandOverStore = (*Store)(nil)

// PutEntryWithCase stores e as revision rev (as PutEntry) and c with events (as Update: the case
// stored at version c.Version-1), with the notifications of both, in one transaction: the
// register's revision a hand-over at the office starts (§42, §46) is written with the hand-over
// recorded on the case, or neither is (attestation.ErrConflict when either moved).
func (s *Store) PutEntryWithCase(ctx context.Context, e register.Entry, rev register.Revision, c attestation.Case, events ...attestation.Event) error {
	entry, err := s.entryWrites(e, rev)
	if err != nil {
		return err
	}
	if err := s.moveInlineChanges(ctx, e); err != nil {
		return err
	}
	items, notes, err := s.caseChangeWrites(c, "version = :prev", map[string]types.AttributeValue{
		":prev": &types.AttributeValueMemberN{Value: strconv.Itoa(c.Version - 1)}}, events)
	if err != nil {
		return err
	}
	evs, err := s.eventPuts(c.ID, events)
	if err != nil {
		return err
	}
	entryNotes, err := noticePuts(s.table, register.Notices(e, rev))
	if err != nil {
		return fmt.Errorf("write register entry %s revision %d: %w", e.Number, e.Revision, err)
	}
	all := slices.Concat(entry, entryNotes, items, evs, notes)
	if len(all) > maxTransactItems {
		return fmt.Errorf("register entry %s revision %d with case %s: %d writes, more than one transaction holds", e.Number, e.Revision, c.ID, len(all))
	}
	what := fmt.Sprintf("write register entry %s revision %d with case %s version %d", e.Number, e.Revision, c.ID, c.Version)
	if err := s.transact(ctx, what, all); err != nil {
		return err
	}
	s.docs.wrote(c)
	return nil
}

// Entry reads a register entry with a strongly consistent read; attestation.ErrNotFound if the
// register has no such number.
func (s *Store) Entry(ctx context.Context, number string) (register.Entry, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, ConsistentRead: aws.Bool(true), Key: entryKey(number)})
	if err != nil {
		return register.Entry{}, fmt.Errorf("get register entry %s: %w", number, err)
	}
	if out.Item == nil {
		return register.Entry{}, apperr.Hidden(apperr.NotFound, "certificate", "register entry %s", number)
	}
	var it entryItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return register.Entry{}, fmt.Errorf("decode register entry %s: %w", number, err)
	}
	e := it.Entry.domain()
	if _, err := s.joinChanges(ctx, &e, it.Entry.Changes); err != nil {
		return register.Entry{}, err
	}
	return e, nil
}

// joinWords fills in what a change notice's summary on the entry leaves out (toChangeSummary)
// from the notice as its own item holds it, whole.
func joinWords(summary *register.ChangeNotice, whole register.ChangeNotice) {
	summary.Description, summary.Reasons, summary.Commission = whole.Description, whole.Reasons, whole.Commission
}

// joinChanges fills in the description, reasons and commission of each change notice of e that its entry item
// holds as a summary (stored), from the notices' own items: one strongly consistent Query of the
// entry's CHANGE# items, in pages. It answers the bytes of free text it joined.
func (s *Store) joinChanges(ctx context.Context, e *register.Entry, stored []storedChange) (int, error) {
	if !slices.ContainsFunc(stored, func(c storedChange) bool { return c.Apart }) {
		return 0, nil
	}
	whole := map[string]register.ChangeNotice{}
	err := queryAll(ctx, s.db, "change notices of register entry "+e.Number, &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :change)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":     &types.AttributeValueMemberS{Value: registerPK + e.Number},
			":change": &types.AttributeValueMemberS{Value: changeSK}}},
		func(it changeItem) bool { whole[it.Change.ID] = it.domain(); return true })
	if err != nil {
		return 0, err
	}
	size := 0
	for i, c := range stored {
		if !c.Apart {
			continue
		}
		w, ok := whole[c.ID]
		if !ok {
			return 0, fmt.Errorf("register entry %s: change notice %s has no item of its own", e.Number, c.ID)
		}
		// The summary is the entry's revision of the notice; the item adds its words.
		joinWords(&e.Changes[i], w)
		size += len(w.Description)
		for _, r := range w.Reasons {
			size += len(r)
		}
		if cm := w.Commission; cm != nil {
			size += len(cm.ProtocolNumber)
			for _, m := range cm.Members {
				size += len(m.Name) + len(m.Position)
			}
		}
	}
	return size, nil
}

// Revisions returns an entry's history, oldest first.
func (s *Store) Revisions(ctx context.Context, number string) ([]register.Revision, error) {
	var out []register.Revision
	err := queryAll(ctx, s.db, "history of register entry "+number, &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :rev)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":  &types.AttributeValueMemberS{Value: registerPK + number},
			":rev": &types.AttributeValueMemberS{Value: revisionSK}}},
		func(it revisionItem) bool { out = append(out, it.domain()); return true })
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, apperr.Hidden(apperr.NotFound, "certificate", "history of register entry %s", number)
	}
	return out, nil
}
