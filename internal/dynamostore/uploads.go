package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
)

// UploadsAPI is the part of the DynamoDB client the uploads store uses.
type UploadsAPI interface {
	API
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

// Uploads keeps uploads and drafts (attestation.UploadStore) on the table:
//
//	UPLOAD#<id> / UPLOAD   an upload; a pending one expires (TTL) a day after it was declared
//	DRAFT#<id>  / DRAFT    a draft; gsi1 ORG#<bin> / DRAFT#<updatedAt>#<id>; expires DraftTTL after its last change
//	UPLOADS#<scope>#<id> / UPLOADS   how many uploads were declared to a draft or a case (a draft's expires with it)
type Uploads struct {
	db    UploadsAPI
	table string
	cases *Store
}

var _ attestation.UploadStore = (*Uploads)(nil)

// NewUploads returns the uploads store on table.
func NewUploads(db UploadsAPI, table string) *Uploads {
	return &Uploads{db: db, table: table, cases: New(db, table)}
}

// pendingUploadTTL is how long a declared upload that is never confirmed is kept.
const pendingUploadTTL = 24 * 60 * 60

func uploadKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "UPLOAD#" + id}, "sk": &types.AttributeValueMemberS{Value: "UPLOAD"}}
}

func draftKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "DRAFT#" + id}, "sk": &types.AttributeValueMemberS{Value: "DRAFT"}}
}

// CreateUpload stores a new pending upload and counts it on its draft's or case's count of
// declared uploads, in one transaction: the count's condition keeps it at most max.
func (s *Uploads) CreateUpload(ctx context.Context, u attestation.Upload, max int) error {
	av, err := toUploadItem(u)
	if err != nil {
		return err
	}
	what := "create upload " + u.ID
	set := "SET #t = :type"
	vals := map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"},
		":max": &types.AttributeValueMemberN{Value: strconv.Itoa(max)}, ":type": &types.AttributeValueMemberS{Value: "upload_count"}}
	names := map[string]string{"#n": "declared", "#t": "type"}
	if u.Scope == attestation.ScopeDraft {
		set += ", #exp = :exp"
		names["#exp"] = "expiresAt"
		vals[":exp"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(u.CreatedAt.Add(attestation.DraftTTL).Unix(), 10)}
	}
	items := []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Update: &types.Update{TableName: &s.table, Key: uploadCountKey(u.Scope, u.ScopeID),
			UpdateExpression: aws.String(set + " ADD #n :one"), ConditionExpression: aws.String("attribute_not_exists(#n) OR #n < :max"),
			ExpressionAttributeNames: names, ExpressionAttributeValues: vals}},
	}
	// Uploads declared side by side to one draft or case update its one count item in their
	// transactions, and DynamoDB cancels all but one of them (TransactionConflict): nothing of a
	// cancelled transaction was written, so it is tried again, a few times, after a short pause.
	for attempt := 1; ; attempt++ {
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		var tce *types.TransactionCanceledException
		if errors.As(err, &tce) {
			if len(tce.CancellationReasons) == 2 && aws.ToString(tce.CancellationReasons[1].Code) == "ConditionalCheckFailed" {
				return fmt.Errorf("%s: %d uploads declared to %s %s: %w", what, max, u.Scope, u.ScopeID, attestation.ErrTooManyUploads)
			}
			if transactionConflict(tce) && attempt < maxConflictAttempts {
				if err := pause(ctx, attempt); err != nil {
					return fmt.Errorf("%s: %w", what, err)
				}
				continue
			}
			return apperr.Hidden(apperr.Conflict, "", "%s", what)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
}

// maxConflictAttempts is how often a transaction cancelled only by another one on the same item
// is tried in all.
const maxConflictAttempts = 6

// transactionConflict reports whether a transaction was cancelled only because another
// transaction held one of its items (no condition of its own failed).
func transactionConflict(tce *types.TransactionCanceledException) bool {
	conflict := false
	for _, r := range tce.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "", "None":
		case "TransactionConflict":
			conflict = true
		default:
			return false
		}
	}
	return conflict
}

// pause waits before the next attempt: a few milliseconds, growing with the attempt, jittered.
func pause(ctx context.Context, attempt int) error {
	d := time.Duration(attempt*attempt)*5*time.Millisecond + time.Duration(rand.Int64N(int64(5*time.Millisecond)))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// uploadCountKey is the key of the count of uploads declared to a draft or a case.
func uploadCountKey(scope attestation.UploadScope, id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "UPLOADS#" + string(scope) + "#" + id},
		"sk": &types.AttributeValueMemberS{Value: "UPLOADS"}}
}

func (s *Uploads) put(ctx context.Context, what string, av map[string]types.AttributeValue, cond string, names map[string]string, vals map[string]types.AttributeValue) error {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av, ConditionExpression: &cond,
		ExpressionAttributeNames: names, ExpressionAttributeValues: vals})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return apperr.Hidden(apperr.Conflict, "", "%s", what)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func (s *Uploads) get(ctx context.Context, what string, key map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if out.Item == nil {
		return nil, apperr.Hidden(apperr.NotFound, strings.SplitN(what, " ", 2)[0], "%s", what)
	}
	return out.Item, nil
}

// GetUpload returns an upload.
func (s *Uploads) GetUpload(ctx context.Context, id string) (attestation.Upload, error) {
	av, err := s.get(ctx, "upload "+id, uploadKey(id))
	if err != nil {
		return attestation.Upload{}, err
	}
	return fromUploadItem(av)
}

// Uploads reads the uploads of ids in one batch (at most 100 keys a request; a case step
// attaches at most 50 documents). Keys DynamoDB leaves unprocessed are asked again.
func (s *Uploads) Uploads(ctx context.Context, ids []string) (map[string]attestation.Upload, error) {
	out := map[string]attestation.Upload{}
	err := batchGet(ctx, s.db, s.table, "uploads", ids, uploadKey, func(av map[string]types.AttributeValue) error {
		u, err := fromUploadItem(av)
		if err != nil {
			return err
		}
		out[u.ID] = u
		return nil
	})
	return out, err
}

// ConfirmUpload stores the confirmed upload if the stored one is pending. An upload to a draft
// is attached to the open draft in the same transaction, by an update of that one document of
// the draft's package: uploads to one draft confirmed side by side do not conflict.
func (s *Uploads) ConfirmUpload(ctx context.Context, u attestation.Upload) error {
	av, err := toUploadItem(u)
	if err != nil {
		return err
	}
	names := map[string]string{"#st": "state"}
	pending := map[string]types.AttributeValue{":pending": &types.AttributeValueMemberS{Value: string(attestation.UploadPending)}}
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("#st = :pending"),
		ExpressionAttributeNames: names, ExpressionAttributeValues: pending}}}
	if u.Scope == attestation.ScopeDraft {
		ref, err := attributevalue.Marshal(toStoredDocumentRef(attestation.DocumentRef{Key: u.DocumentKey(), SHA256: u.SHA256,
			ContentType: u.ContentType, Size: u.Size, Sheets: u.Sheets, VersionID: u.VersionID, Signature: u.Signed}))
		if err != nil {
			return fmt.Errorf("encode document of upload %s: %w", u.ID, err)
		}
		at := sortTime(*u.ConfirmedAt)
		items = append(items, types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: draftKey(u.ScopeID),
			UpdateExpression: aws.String("SET #d.#p.#docs.#doc = :ref, #d.#upd = :at, #d.#v = #d.#v + :one, version = version + :one, " +
				"gsi1sk = :sk, expiresAt = :exp"),
			ConditionExpression: aws.String("#st = :open"),
			ExpressionAttributeNames: map[string]string{"#st": "state", "#d": "draft", "#p": "Package", "#docs": "Documents", "#doc": u.Document,
				"#upd": "UpdatedAt", "#v": "Version"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":ref": ref, ":at": &types.AttributeValueMemberS{Value: u.ConfirmedAt.UTC().Format(time.RFC3339Nano)},
				":one":  &types.AttributeValueMemberN{Value: "1"},
				":open": &types.AttributeValueMemberS{Value: string(attestation.DraftOpen)},
				":sk":   &types.AttributeValueMemberS{Value: "DRAFT#" + at + "#" + u.ScopeID},
				":exp":  &types.AttributeValueMemberN{Value: strconv.FormatInt(u.ConfirmedAt.Add(attestation.DraftTTL).Unix(), 10)},
			}}})
	}
	return s.cases.transact(ctx, "confirm upload "+u.ID, items)
}

// CreateDraft stores a new draft.
func (s *Uploads) CreateDraft(ctx context.Context, d attestation.Draft) error {
	av, err := toDraftItem(d)
	if err != nil {
		return err
	}
	return s.put(ctx, "create draft "+d.ID, av, "attribute_not_exists(pk)", nil, nil)
}

// GetDraft returns a draft.
func (s *Uploads) GetDraft(ctx context.Context, id string) (attestation.Draft, error) {
	av, err := s.get(ctx, "draft "+id, draftKey(id))
	if err != nil {
		return attestation.Draft{}, err
	}
	var it draftItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return attestation.Draft{}, fmt.Errorf("decode draft %s: %w", id, err)
	}
	return it.domain(), nil
}

// UpdateDraft replaces the draft stored at version d.Version-1.
func (s *Uploads) UpdateDraft(ctx context.Context, d attestation.Draft) error {
	av, err := toDraftItem(d)
	if err != nil {
		return err
	}
	return s.put(ctx, fmt.Sprintf("update draft %s version %d", d.ID, d.Version), av, "version = :prev AND #st = :open",
		map[string]string{"#st": "state"}, openAt(d.Version-1))
}

// openAt is the values of the condition "version = :prev AND #st = :open".
func openAt(prev int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		":prev": &types.AttributeValueMemberN{Value: strconv.Itoa(prev)},
		":open": &types.AttributeValueMemberS{Value: string(attestation.DraftOpen)}}
}

// SubmitDraft stores the new case with its first events and the submitted draft in one
// transaction, conditional on the draft being open at version d.Version-1.
func (s *Uploads) SubmitDraft(ctx context.Context, d attestation.Draft, c attestation.Case, events ...attestation.Event) error {
	cav, err := attributevalue.MarshalMap(toItem(c))
	if err != nil {
		return fmt.Errorf("encode case %s: %w", c.ID, err)
	}
	dav, err := toDraftItem(d)
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.table, Item: dav, ConditionExpression: aws.String("version = :prev AND #st = :open"),
			ExpressionAttributeNames:  map[string]string{"#st": "state"},
			ExpressionAttributeValues: openAt(d.Version - 1)}},
		{Put: &types.Put{TableName: &s.table, Item: cav, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
	}
	evs, err := s.cases.eventPuts(c.ID, events)
	if err != nil {
		return err
	}
	return s.cases.transact(ctx, "submit draft "+d.ID+" as case "+c.ID, append(items, evs...))
}
