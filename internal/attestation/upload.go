package attestation

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// Documents reach the system without passing through the API's body: the caller declares a file
// (its media type, size and SHA-256), gets a presigned S3 PUT for a key in a quarantine prefix
// (the media type and the checksum are signed into it), uploads the bytes straight to S3, and
// then asks the service to confirm the upload. Confirm reads the object itself and checks its
// size, its media type (by its first bytes too) and its SHA-256 against the declaration: S3 in
// the local stack does not verify checksums, and a presigned PUT cannot cap the size. Only a
// confirmed upload leaves quarantine, and only a confirmed upload can be attached to a draft
// (§13) or to a step of a case (the signed contract, the act, the rectification documents).

// Limits of an upload. Not figures of the regulation: bounds of this service.
const (
	MaxUploadBytes   = 50 << 20         // bytes of one document
	UploadURLExpiry  = 15 * time.Minute // how long a presigned URL works
	QuarantinePrefix = "quarantine/"    // where presigned PUTs land (the bucket expires it after a day)
	DocumentPrefix   = "documents/"     // where confirmed uploads live
	// MaxDraftUploads is how many uploads may be declared to one draft, pending and confirmed
	// alike (an expired pending declaration still counts): every document of a package
	// (MaxDocuments) uploaded about three times over.
	MaxDraftUploads = 200
	// MaxCaseUploads is how many uploads may be declared to one case, pending and confirmed alike.
	MaxCaseUploads = 200
)

// ErrTooManyUploads: a draft or a case has had its maximum number of uploads declared
// (MaxDraftUploads, MaxCaseUploads).
var ErrTooManyUploads = errors.New("too many uploads declared")

// ContentTypes are the media types a document may have, each with the first bytes a file of
// that type starts with (a declared type the bytes contradict is refused at confirm).
var ContentTypes = map[string][]byte{
	"application/pdf": []byte("%PDF-"),
	"image/png":       []byte("\x89PNG\r\n\x1a\n"),
	"image/jpeg":      []byte("\xff\xd8\xff"),
	"image/tiff":      nil, // II*\0 or MM\0*: checked in sniff
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": []byte("PK\x03\x04"),
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       []byte("PK\x03\x04"),
	"application/vnd.oasis.opendocument.text":                                 []byte("PK\x03\x04"),
	"application/vnd.oasis.opendocument.spreadsheet":                          []byte("PK\x03\x04"),
}

// sniff reports whether head, the first bytes of a file, fits the media type ct.
func sniff(ct string, head []byte) bool {
	if ct == "image/tiff" {
		return bytes.HasPrefix(head, []byte("II*\x00")) || bytes.HasPrefix(head, []byte("MM\x00*"))
	}
	magic, ok := ContentTypes[ct]
	return ok && bytes.HasPrefix(head, magic)
}

// UploadScope says what an upload is for.
type UploadScope string

// The scopes of an upload.
const (
	ScopeDraft UploadScope = "draft" // a document of an application package (§13)
	ScopeCase  UploadScope = "case"  // a document of a step of a case
)

// UploadState is where an upload is.
type UploadState string

// The states of an upload.
const (
	UploadPending   UploadState = "pending"   // declared; the bytes may or may not be in quarantine
	UploadConfirmed UploadState = "confirmed" // checked and moved out of quarantine
)

// Upload is a declared file and, once confirmed, the stored document.
type Upload struct {
	ID           string        `json:"id"`
	Organization string        `json:"-"` // the applicant organisation of the draft or case
	Scope        UploadScope   `json:"scope"`
	ScopeID      string        `json:"scopeId"`  // the draft's or the case's ID
	Document     string        `json:"document"` // a policy document id (draft) or a document kind (case)
	ContentType  string        `json:"contentType"`
	Size         int64         `json:"size"`
	SHA256       string        `json:"sha256"`
	Sheets       int           `json:"sheets,omitempty"`
	State        UploadState   `json:"state"`
	Key          string        `json:"key,omitempty"` // set once confirmed
	VersionID    string        `json:"versionId,omitempty"`
	CreatedBy    string        `json:"createdBy"`
	Role         identity.Role `json:"role"`
	CreatedAt    time.Time     `json:"createdAt"`
	ConfirmedAt  *time.Time    `json:"confirmedAt,omitempty"`
	SignatureP7S []byte        `json:"-"`                // the signature declared with it (signatures.go)
	Signed       *Signature    `json:"signed,omitempty"` // set once confirm has verified it
}

// QuarantineKey is where the upload's presigned PUT puts the bytes.
func (u Upload) QuarantineKey() string { return QuarantinePrefix + u.ID }

// DocumentKey is where the confirmed upload lives.
func (u Upload) DocumentKey() string { return DocumentPrefix + u.ID }

// UploadIDOfKey returns the upload ID of a confirmed upload's key, or "" if key is not one.
func UploadIDOfKey(key string) string {
	id, ok := strings.CutPrefix(key, DocumentPrefix)
	if !ok || !validUploadID(id) {
		return ""
	}
	return id
}

func validUploadID(id string) bool {
	rest, ok := strings.CutPrefix(id, "U-")
	return ok && len(rest) == 32 && IsHex64(rest+rest) && strings.ToLower(rest) == rest
}

// Presigned is a request the caller sends straight to S3: the URL, the method and the headers
// that were signed into it (they must be sent exactly).
type Presigned struct {
	URL       string            `json:"url"`
	Method    string            `json:"method"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expiresAt"`
}

// UploadStore keeps uploads and drafts (DynamoDB in AWS).
type UploadStore interface {
	// CreateUpload stores a new pending upload and counts it against the declarations of its
	// draft or case, in one write: ErrTooManyUploads (and nothing stored) if max are declared
	// there already; ErrConflict if the ID is taken.
	CreateUpload(ctx context.Context, u Upload, max int) error
	// GetUpload returns an upload; ErrNotFound if there is none.
	GetUpload(ctx context.Context, id string) (Upload, error)
	// Uploads returns the uploads of ids that exist, by ID (one batch read).
	Uploads(ctx context.Context, ids []string) (map[string]Upload, error)
	// ConfirmUpload stores u (confirmed) if the stored one is still pending; an upload to a draft
	// is attached to the draft, which must be open, as its document u.Document (replacing an
	// earlier one), in the same transaction. ErrConflict otherwise. Uploads to one draft confirmed
	// side by side do not conflict with each other.
	ConfirmUpload(ctx context.Context, u Upload) error
	// CreateDraft stores a new draft.
	CreateDraft(ctx context.Context, d Draft) error
	// GetDraft returns a draft; ErrNotFound if there is none.
	GetDraft(ctx context.Context, id string) (Draft, error)
	// UpdateDraft replaces the draft stored at version d.Version-1; ErrConflict otherwise.
	UpdateDraft(ctx context.Context, d Draft) error
	// SubmitDraft stores the case with its first events and the draft (submitted, at version
	// d.Version-1) in one transaction; ErrConflict if either moved.
	SubmitDraft(ctx context.Context, d Draft, c Case, events ...Event) error
}

// Files is the documents bucket as the upload flow uses it (S3 in AWS).
type Files interface {
	// PresignPut returns a PUT of exactly this content type and SHA-256 to key.
	PresignPut(ctx context.Context, key, contentType, sha256Hex string, size int64, expiry time.Duration) (Presigned, error)
	// PresignGet returns a GET of one version of key.
	PresignGet(ctx context.Context, key, versionID string, expiry time.Duration) (Presigned, error)
	// Open reads the current version of key; ErrNotFound if there is no object.
	Open(ctx context.Context, key string) (StoredFile, error)
	// Promote copies version of from (that version exactly, not whatever is current by then) to
	// to and deletes from; it returns the new version of to. ErrNotFound if that version of from
	// is gone.
	Promote(ctx context.Context, from, version, to string) (string, error)
	// Delete removes key (no error if it is gone).
	Delete(ctx context.Context, key string) error
}

// StoredFile is one version of an object as Files.Open reads it. The caller closes Body.
type StoredFile struct {
	Body        io.ReadCloser
	Size        int64
	ContentType string
	VersionID   string
}

// UploadRequest is what a caller declares about a file it is about to upload.
type UploadRequest struct {
	Document    string `json:"document"`    // the policy document id (draft) or the document kind (case)
	ContentType string `json:"contentType"` // one of ContentTypes
	Size        int64  `json:"size"`        // bytes, 1..MaxUploadBytes
	SHA256      string `json:"sha256"`      // 64 hexadecimal digits
	Sheets      int    `json:"sheets,omitempty"`
	// Signature is the document's electronic digital signature, the .p7s (DER or PEM, detached
	// or attached) base64-encoded, at most MaxSignatureBytes; verified at confirm (signatures.go).
	Signature string `json:"signature,omitempty"`
}

// UploadRefused lists what is wrong with an upload's declaration or with the bytes uploaded.
type UploadRefused struct{ Problems []Problem }

func (e *UploadRefused) Error() string { return joinProblems("upload refused: ", e.Problems) }

// Unwrap makes a refusal an apperr.Unprocessable (ErrInvalid) that lists its problems.
func (e *UploadRefused) Unwrap() error {
	return apperr.Refused("upload refused",
		fmt.Sprintf("%d problem(s) with this upload; each names its field", len(e.Problems)), e.Problems)
}

const ruleUpload = "upload"

func checkUploadRequest(in UploadRequest) []Problem {
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Field: field, Rule: ruleUpload, Message: fmt.Sprintf(format, args...)})
	}
	if _, ok := ContentTypes[in.ContentType]; !ok {
		add("contentType", "%q is not accepted; send one of %s", in.ContentType, strings.Join(contentTypeList(), ", "))
	}
	switch {
	case in.Size <= 0:
		add("size", "the size must be a positive number of bytes")
	case in.Size > MaxUploadBytes:
		add("size", "%d bytes is over the limit of %d bytes for one document", in.Size, MaxUploadBytes)
	}
	if !IsHex64(in.SHA256) {
		add("sha256", "the SHA-256 must be 64 hexadecimal digits")
	}
	if in.Sheets < 0 || in.Sheets > MaxSheets {
		add("sheets", "the number of sheets must be between 0 and %d", MaxSheets)
	}
	if in.Document == "" {
		add("document", "say which document this is")
	} else if len(in.Document) > MaxDocumentIDLength {
		add("document", "at most %d characters", MaxDocumentIDLength)
	}
	return ps
}

func contentTypeList() []string {
	out := make([]string, 0, len(ContentTypes))
	for ct := range ContentTypes {
		out = append(out, ct)
	}
	slices.Sort(out)
	return out
}

func newUploadID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("upload id: %w", err)
	}
	return "U-" + hex.EncodeToString(b[:]), nil
}

// requireFiles is the error of a service built without an upload store.
func (s *Service) requireFiles() error {
	if s.uploads == nil || s.files == nil {
		return errors.New("the service has no document store")
	}
	return nil
}

// RequestCaseUpload declares a file for a step of a case and returns the presigned PUT for it.
// An applicant may upload only to its own organisation's case.
func (s *Service) RequestCaseUpload(ctx context.Context, actor identity.Actor, caseID string, in UploadRequest, now time.Time) (Upload, Presigned, error) {
	if err := s.requireFiles(); err != nil {
		return Upload{}, Presigned{}, err
	}
	c, err := s.store.Get(ctx, caseID)
	if err != nil {
		return Upload{}, Presigned{}, fmt.Errorf("upload to case %s: %w", caseID, err)
	}
	if actor.Role == identity.Applicant && c.OrganizationBIN != actor.BIN {
		return Upload{}, Presigned{}, apperr.Errorf(apperr.NotFound, "case", "upload to case %s", caseID)
	}
	if c.Stage.Ended() {
		return Upload{}, Presigned{}, apperr.Errorf(apperr.Closed, "", "upload to case %s: the case has ended", caseID)
	}
	ed, err := s.rules.edition(c.Edition)
	if err != nil {
		return Upload{}, Presigned{}, err
	}
	var kind []Problem
	if kinds := caseDocumentKinds(ed); in.Document != "" && len(in.Document) <= MaxDocumentIDLength && !slices.Contains(kinds, in.Document) {
		kind = []Problem{{Field: "document", Rule: ruleUpload,
			Message: fmt.Sprintf("%q is not a kind of document a step of this case takes (policy edition %s); one of %s", clip(in.Document), ed.ID(), strings.Join(kinds, ", "))}}
	}
	return s.requestUpload(ctx, actor, ScopeCase, c.ID, c.OrganizationBIN, in, now, kind...)
}

// caseDocumentKinds are the kinds of document a case filed under ed can have attached at a
// step, sorted: those the procedure's outcomes take (the contract, the act, ...), and those the
// edition's periods say a step is taken on that are the edition's case documents (Art. 51's
// commission protocol).
func caseDocumentKinds(ed *policy.Edition) []string {
	var kinds []string
	for _, r := range Procedure {
		for _, or := range r.Outcomes {
			kinds = append(kinds, or.Documents...)
		}
		if p, err := ed.Period(r.Step); err == nil {
			for _, k := range p.Requires {
				if d, ok := ed.Document(k); ok && d.Group == policy.GroupCase {
					kinds = append(kinds, k)
				}
			}
		}
	}
	slices.Sort(kinds)
	return slices.Compact(kinds)
}

// requestUpload declares an upload after checking in; more are problems the caller found (the
// kind of a case's document).
func (s *Service) requestUpload(ctx context.Context, actor identity.Actor, scope UploadScope, scopeID, org string, in UploadRequest, now time.Time, more ...Problem) (Upload, Presigned, error) {
	in.SHA256 = strings.ToLower(in.SHA256)
	ps := append(checkUploadRequest(in), more...)
	p7s, sigProblems := s.signatureDeclared(in, ruleUpload)
	if ps = append(ps, sigProblems...); len(ps) > 0 {
		return Upload{}, Presigned{}, &UploadRefused{Problems: ps}
	}
	id, err := newUploadID()
	if err != nil {
		return Upload{}, Presigned{}, err
	}
	u := Upload{ID: id, Organization: org, Scope: scope, ScopeID: scopeID, Document: in.Document, ContentType: in.ContentType,
		Size: in.Size, SHA256: in.SHA256, Sheets: in.Sheets, State: UploadPending, CreatedBy: actor.Subject, Role: actor.Role, CreatedAt: now.UTC(),
		SignatureP7S: p7s}
	limit := MaxDraftUploads
	if scope == ScopeCase {
		limit = MaxCaseUploads
	}
	if err := s.uploads.CreateUpload(ctx, u, limit); err != nil {
		if errors.Is(err, ErrTooManyUploads) {
			return Upload{}, Presigned{}, &UploadRefused{Problems: []Problem{{Field: "uploads", Rule: ruleUpload,
				Message: fmt.Sprintf("this %s has had %d uploads declared, the most one %s takes (pending and confirmed alike); attach the documents already confirmed", scope, limit, scope)}}}
		}
		return Upload{}, Presigned{}, fmt.Errorf("upload %s: %w", id, err)
	}
	p, err := s.files.PresignPut(ctx, u.QuarantineKey(), u.ContentType, u.SHA256, u.Size, UploadURLExpiry)
	if err != nil {
		return Upload{}, Presigned{}, fmt.Errorf("upload %s: presign: %w", id, err)
	}
	if p.ExpiresAt.IsZero() {
		p.ExpiresAt = now.Add(UploadURLExpiry).UTC()
	}
	return u, p, nil
}

// ConfirmUpload checks the bytes of an upload and, if they are what was declared, moves them
// out of quarantine and marks the upload confirmed; an upload to a draft is attached to it in
// the same write. Confirming a confirmed upload returns it again. Bytes that do not match are
// deleted from quarantine and refused with what is wrong; the upload stays pending, so the right
// file can be uploaded with the same URL and confirmed.
func (s *Service) ConfirmUpload(ctx context.Context, actor identity.Actor, id string, now time.Time) (Upload, error) {
	if err := s.requireFiles(); err != nil {
		return Upload{}, err
	}
	if !validUploadID(id) {
		return Upload{}, apperr.Errorf(apperr.NotFound, "upload", "upload %q", id)
	}
	u, err := s.uploads.GetUpload(ctx, id)
	if err != nil {
		return Upload{}, fmt.Errorf("confirm upload %s: %w", id, err)
	}
	// An applicant confirms its own organisation's uploads; staff only uploads to cases (a draft
	// is the applicant's alone).
	if (actor.Role == identity.Applicant && u.Organization != actor.BIN) || (actor.Role != identity.Applicant && u.Scope != ScopeCase) {
		return Upload{}, apperr.Errorf(apperr.NotFound, "upload", "confirm upload %s", id)
	}
	if u.State == UploadConfirmed {
		return u, nil
	}
	key, version, err := s.verify(ctx, u)
	if err != nil {
		return Upload{}, err
	}
	if err := s.verifySignature(ctx, &u, key, version, now); err != nil {
		return Upload{}, err
	}
	// An earlier confirm that did not finish may have moved the bytes already: they are the
	// version it read there.
	u.VersionID = version
	if key == u.QuarantineKey() {
		// The version checked is the version moved: bytes PUT to the same URL after the check
		// (a second PUT racing this confirm) stay in quarantine and are never attached.
		u.VersionID, err = s.files.Promote(ctx, key, version, u.DocumentKey())
		if err != nil {
			// Another delivery of this confirm may have moved the bytes first: answer its result.
			if again, gerr := s.uploads.GetUpload(ctx, id); gerr == nil && again.State == UploadConfirmed {
				return again, nil
			}
			if errors.Is(err, ErrNotFound) {
				return Upload{}, apperr.Errorf(apperr.Conflict, "", "confirm upload %s: another request is confirming it; retry", id)
			}
			return Upload{}, fmt.Errorf("confirm upload %s: move out of quarantine: %w", id, err)
		}
	}
	at := now.UTC()
	u.State, u.Key, u.ConfirmedAt = UploadConfirmed, u.DocumentKey(), &at
	if err := s.uploads.ConfirmUpload(ctx, u); err != nil {
		if !errors.Is(err, ErrConflict) {
			return Upload{}, fmt.Errorf("confirm upload %s: %w", id, err)
		}
		// Another delivery of this confirm, or a draft that is no longer open: answer from what
		// is stored.
		again, gerr := s.uploads.GetUpload(ctx, id)
		if gerr == nil && again.State == UploadConfirmed {
			return again, nil
		}
		if u.Scope == ScopeDraft {
			if d, derr := s.uploads.GetDraft(ctx, u.ScopeID); derr == nil && d.State != DraftOpen {
				return Upload{}, apperr.Errorf(apperr.Conflict, "", "confirm upload %s: the draft was submitted as case %s", id, d.CaseID)
			}
		}
		return Upload{}, fmt.Errorf("confirm upload %s: %w", id, err)
	}
	s.log.InfoContext(ctx, "upload confirmed", "upload", id, "scope", string(u.Scope), "scopeId", u.ScopeID, "size", u.Size)
	return u, nil
}

// verify reads the upload's bytes (from quarantine, or from where an earlier confirm that did
// not finish already moved them) and checks them against the declaration. It returns the key
// and the version it read.
func (s *Service) verify(ctx context.Context, u Upload) (string, string, error) {
	key := u.QuarantineKey()
	f, err := s.files.Open(ctx, key)
	if errors.Is(err, ErrNotFound) {
		key = u.DocumentKey()
		f, err = s.files.Open(ctx, key)
	}
	if errors.Is(err, ErrNotFound) {
		return "", "", &UploadRefused{Problems: []Problem{{Field: "", Rule: ruleUpload,
			Message: "nothing has been uploaded yet: PUT the file to the URL given when the upload was requested, with the headers given, then confirm"}}}
	}
	if err != nil {
		return "", "", fmt.Errorf("confirm upload %s: read: %w", u.ID, err)
	}
	body, size, ct := f.Body, f.Size, f.ContentType
	defer body.Close()
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Field: field, Rule: ruleUpload, Message: fmt.Sprintf(format, args...)})
	}
	if size != u.Size {
		add("size", "the uploaded file has %d bytes; %d were declared", size, u.Size)
	}
	if ct != u.ContentType {
		add("contentType", "the file was uploaded as %q; %q was declared", ct, u.ContentType)
	}
	if len(ps) == 0 {
		h := sha256.New()
		head := make([]byte, 16)
		n, _ := io.ReadFull(body, head)
		head = head[:n]
		h.Write(head)
		read, err := io.Copy(h, io.LimitReader(body, MaxUploadBytes))
		if err != nil {
			return "", "", fmt.Errorf("confirm upload %s: read: %w", u.ID, err)
		}
		if int64(n)+read != u.Size {
			add("size", "the uploaded file has %d bytes; %d were declared", int64(n)+read, u.Size)
		} else if got := hex.EncodeToString(h.Sum(nil)); got != u.SHA256 {
			add("sha256", "the uploaded file's SHA-256 is %s; %s was declared", got, u.SHA256)
		} else if !sniff(u.ContentType, head) {
			add("contentType", "the file's content is not %s", u.ContentType)
		}
	}
	if len(ps) > 0 {
		if key == u.QuarantineKey() {
			if err := s.files.Delete(ctx, key); err != nil {
				s.log.WarnContext(ctx, "refused upload not deleted from quarantine", "upload", u.ID, "error", err)
			}
		}
		return "", "", &UploadRefused{Problems: ps}
	}
	return key, f.VersionID, nil
}

// DocumentLink returns a presigned GET of one document of a case the actor may see: an
// applicant only of its own organisation's case, and an act only once the authority has sent it
// (§25). A key that is not a document of the case is ErrNotFound.
func (s *Service) DocumentLink(ctx context.Context, actor identity.Actor, caseID, key string) (Document, Presigned, error) {
	if err := s.requireFiles(); err != nil {
		return Document{}, Presigned{}, err
	}
	c, _, err := s.Get(ctx, actor, caseID)
	if err != nil {
		return Document{}, Presigned{}, err
	}
	for _, d := range c.Documents {
		if d.Key == key {
			p, err := s.files.PresignGet(ctx, d.Key, d.VersionID, UploadURLExpiry)
			if err != nil {
				return Document{}, Presigned{}, fmt.Errorf("document of %s: presign: %w", caseID, err)
			}
			return d, p, nil
		}
	}
	return Document{}, Presigned{}, apperr.Errorf(apperr.NotFound, "document", "document %q of case %s", key, caseID)
}
