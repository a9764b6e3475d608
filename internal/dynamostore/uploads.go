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
//	UPLOAD#<id> / UPLOAD   an upload; a pending one is in gsi2 UPLOAD-DUE#<shard> / <expires>#<id> (uploadsweep.go)
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

func uploadKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "UPLOAD#" + id}, "sk": &types.AttributeValueMemberS{Value: "UPLOAD"}}
}

func draftKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "DRAFT#" + id}, "sk": &types.AttributeValueMemberS{Value: "DRAFT"}}
}

// CreateUpload stores a new pending upload and counts it on its draft's or case's count of
// declared uploads, in one transaction: the count's condition keeps it at most max.
func (s *Uploads) CreateUpload(ctx context.Context, u attestation.Upload, max int) error {
	return s.createUploads(ctx, "create upload "+u.ID, []attestation.Upload{u}, max)
}

// CreateUploads stores new pending uploads of one draft and counts them on its count of declared
// uploads, in one transaction (at most attestation.MaxBatchUploads of them, with the count well
// under DynamoDB's 100 items): the count's condition keeps it at most max.
func (s *Uploads) CreateUploads(ctx context.Context, us []attestation.Upload, max int) error {
	if len(us) == 0 {
		return nil
	}
	return s.createUploads(ctx, fmt.Sprintf("create %d uploads to %s %s", len(us), us[0].Scope, us[0].ScopeID), us, max)
}

func (s *Uploads) createUploads(ctx context.Context, what string, us []attestation.Upload, max int) error {
	u := us[0]
	items := make([]types.TransactWriteItem, 0, len(us)+1)
	for _, x := range us {
		if x.Scope != u.Scope || x.ScopeID != u.ScopeID {
			return fmt.Errorf("%s: upload %s is of %s %s", what, x.ID, x.Scope, x.ScopeID)
		}
		av, err := toUploadItem(x)
		if err != nil {
			return err
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(pk)")}})
	}
	set := "SET #t = :type"
	vals := map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: strconv.Itoa(len(us))},
		":room": &types.AttributeValueMemberN{Value: strconv.Itoa(max - len(us))}, ":type": &types.AttributeValueMemberS{Value: "upload_count"}}
	names := map[string]string{"#n": "declared", "#t": "type"}
	if u.Scope == attestation.ScopeDraft {
		set += ", #exp = :exp"
		names["#exp"] = "expiresAt"
		vals[":exp"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(u.CreatedAt.Add(attestation.DraftTTL).Unix(), 10)}
	}
	if max < len(us) {
		return fmt.Errorf("%s: %d uploads declared to %s %s: %w", what, max, u.Scope, u.ScopeID, attestation.ErrTooManyUploads)
	}
	items = append(items, types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: uploadCountKey(u.Scope, u.ScopeID),
		UpdateExpression: aws.String(set + " ADD #n :n"), ConditionExpression: aws.String("attribute_not_exists(#n) OR #n <= :room"),
		ExpressionAttributeNames: names, ExpressionAttributeValues: vals}})
	count := len(items) - 1
	// Uploads declared side by side to one draft or case update its one count item in their
	// transactions, and DynamoDB cancels all but one of them (TransactionConflict): nothing of a
	// cancelled transaction was written, so it is tried again, a few times, after a short pause.
	for attempt := 1; ; attempt++ {
		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		var tce *types.TransactionCanceledException
		if errors.As(err, &tce) {
			if len(tce.CancellationReasons) == len(items) && aws.ToString(tce.CancellationReasons[count].Code) == "ConditionalCheckFailed" {
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
	if u.Scope == attestation.ScopeDraft {
		return s.ConfirmUploads(ctx, []attestation.Upload{u})
	}
	put, err := s.confirmedPut(u)
	if err != nil {
		return err
	}
	return s.cases.transact(ctx, "confirm upload "+u.ID, []types.TransactWriteItem{put})
}

// ConfirmUploads stores confirmed uploads of one draft, each if the stored one is pending, and
// attaches them to the open draft, in one transaction: one update of the draft sets each
// upload's document of its package (and counts one change of the draft). At most
// attestation.MaxBatchUploads uploads, each of another document.
func (s *Uploads) ConfirmUploads(ctx context.Context, us []attestation.Upload) error {
	if len(us) == 0 {
		return nil
	}
	draft, at := us[0].ScopeID, us[0].ConfirmedAt
	what := "confirm upload " + us[0].ID
	if len(us) > 1 {
		what = fmt.Sprintf("confirm %d uploads to draft %s", len(us), draft)
	}
	items := make([]types.TransactWriteItem, 0, len(us)+1)
	names := map[string]string{"#st": "state", "#d": "draft", "#p": "Package", "#docs": "Documents", "#upd": "UpdatedAt", "#v": "Version"}
	vals := map[string]types.AttributeValue{
		":at": &types.AttributeValueMemberS{Value: at.UTC().Format(time.RFC3339Nano)}, ":one": &types.AttributeValueMemberN{Value: "1"},
		":open": &types.AttributeValueMemberS{Value: string(attestation.DraftOpen)},
		":sk":   &types.AttributeValueMemberS{Value: "DRAFT#" + sortTime(*at) + "#" + draft},
		":exp":  &types.AttributeValueMemberN{Value: strconv.FormatInt(at.Add(attestation.DraftTTL).Unix(), 10)},
	}
	set := make([]string, 0, len(us)+5)
	for i, u := range us {
		if u.Scope != attestation.ScopeDraft || u.ScopeID != draft {
			return fmt.Errorf("%s: upload %s is of %s %s", what, u.ID, u.Scope, u.ScopeID)
		}
		put, err := s.confirmedPut(u)
		if err != nil {
			return err
		}
		items = append(items, put)
		ref, err := attributevalue.Marshal(toStoredDocumentRef(attestation.DocumentRef{Key: u.DocumentKey(), SHA256: u.SHA256,
			ContentType: u.ContentType, Size: u.Size, Sheets: u.Sheets, VersionID: u.VersionID, Signature: u.Signed, ExpiresOn: u.ExpiresOn}))
		if err != nil {
			return fmt.Errorf("encode document of upload %s: %w", u.ID, err)
		}
		doc, val := "#doc"+strconv.Itoa(i), ":ref"+strconv.Itoa(i)
		if len(us) == 1 {
			doc, val = "#doc", ":ref"
		}
		names[doc], vals[val] = u.Document, ref
		set = append(set, "#d.#p.#docs."+doc+" = "+val)
	}
	set = append(set, "#d.#upd = :at", "#d.#v = #d.#v + :one", "version = version + :one", "gsi1sk = :sk", "expiresAt = :exp")
	items = append(items, types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: draftKey(draft),
		UpdateExpression: aws.String("SET " + strings.Join(set, ", ")), ConditionExpression: aws.String("#st = :open"),
		ExpressionAttributeNames: names, ExpressionAttributeValues: vals}})
	return s.cases.transact(ctx, what, items)
}

// confirmedPut is the put of a confirmed upload, conditional on the stored one being pending.
func (s *Uploads) confirmedPut(u attestation.Upload) (types.TransactWriteItem, error) {
	av, err := toUploadItem(u)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("#st = :pending"),
		ExpressionAttributeNames:  map[string]string{"#st": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pending": &types.AttributeValueMemberS{Value: string(attestation.UploadPending)}}}}, nil
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
	dav, err := toDraftItem(d)
	if err != nil {
		return err
	}
	caseWrites, err := s.cases.caseWrites(c, "attribute_not_exists(pk)", nil)
	if err != nil {
		return err
	}
	items := append([]types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.table, Item: dav, ConditionExpression: aws.String("version = :prev AND #st = :open"),
			ExpressionAttributeNames:  map[string]string{"#st": "state"},
			ExpressionAttributeValues: openAt(d.Version - 1)}},
	}, caseWrites...)
	evs, err := s.cases.eventPuts(c.ID, events)
	if err != nil {
		return err
	}
	if err := s.cases.transact(ctx, "submit draft "+d.ID+" as case "+c.ID, append(items, evs...)); err != nil {
		return err
	}
	s.cases.docs.wrote(c)
	return nil
}
