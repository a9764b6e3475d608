package attestation

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// Documents reach the system without passing through the API's body: the caller declares a file
// (its media type, size and SHA-256), gets a presigned S3 PUT for the document's key (the media
// type, the length and the SHA-256 checksum are signed into it, so S3 itself refuses other
// bytes), uploads the bytes straight to S3, and then asks the service to confirm the upload.
// Confirm asks S3 what it holds (HeadObject with checksum mode: the size, the media type and the
// SHA-256 S3 verified at the PUT, and the version) and reads only the first bytes of that version
// (the media type by its content); it never reads the file through, copies or deletes it. An
// upload is pending until confirmed; the bucket policy lets no one but the API function read an
// object of documents/ (the service presigns a GET only of a confirmed upload's pinned version).
// Only a confirmed upload can be attached to a draft (§13) or to a step of a case (the signed
// contract, the act, the rectification documents), and always by the version confirm checked.

// Limits of an upload. Not figures of the regulation: bounds of this service.
const (
	MaxUploadBytes  = 50 << 20         // bytes of one document
	UploadURLExpiry = 15 * time.Minute // how long a presigned URL works
	DocumentPrefix  = "documents/"     // where presigned PUTs land, pending until confirmed
	// SniffBytes is how many first bytes of an upload confirm reads to check its media type.
	SniffBytes = 16
	// MaxDraftUploads is how many uploads may be declared to one draft, pending and confirmed
	// alike (an expired pending declaration still counts): every document of a package
	// (MaxDocuments) uploaded about three times over.
	MaxDraftUploads = 200
	// MaxCaseUploads is how many uploads may be declared to one case, pending and confirmed alike.
	MaxCaseUploads = 200
	// PendingUploadTTL is how long a declared upload waits for its confirm. After it the
	// declaration has expired: confirm refuses it, and the daily deadline check deletes the bytes
	// PUT for it (every version of its key) and then the declaration (uploadsweep.go).
	PendingUploadTTL = 24 * time.Hour
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
	UploadPending   UploadState = "pending"   // declared; the bytes may or may not be uploaded, none of them checked
	UploadConfirmed UploadState = "confirmed" // checked: the version it pins may be attached
	// UploadExpired: never confirmed within PendingUploadTTL; the deadline check is deleting its
	// bytes, then its declaration. It is never confirmed.
	UploadExpired UploadState = "expired"
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
	// ExpiresOn is the last day of the document's term (YYYY-MM-DD) as declared, for a document
	// of the package the policy gives a term (standard §10); the draft's document carries it.
	ExpiresOn string `json:"expiresOn,omitempty"`
}

// DocumentKey is where the upload's presigned PUT puts the bytes, and where the confirmed upload
// lives (by the version confirm checked).
func (u Upload) DocumentKey() string { return DocumentPrefix + u.ID }

// ExpiresAt is when the declaration of a pending upload expires (PendingUploadTTL after it was
// declared).
func (u Upload) ExpiresAt() time.Time { return u.CreatedAt.Add(PendingUploadTTL).UTC() }

// expiredRefusal refuses the confirm of an upload whose declaration has expired at now (or that
// the deadline check marked expired), nil otherwise.
func expiredRefusal(u Upload, now time.Time) error {
	if u.State != UploadExpired && now.Before(u.ExpiresAt()) {
		return nil
	}
	return &UploadRefused{Problems: []Problem{{Field: "", Rule: ruleUpload,
		Message: fmt.Sprintf("the upload was declared at %s and not confirmed within %s: its declaration expired at %s, and the file PUT for it is deleted; declare the file again",
			u.CreatedAt.UTC().Format(time.RFC3339), PendingUploadTTL, u.ExpiresAt().Format(time.RFC3339))}}}
}

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
	// CreateUploads stores new pending uploads of one draft and counts them against its
	// declarations, in one write: ErrTooManyUploads (and nothing stored) if that would pass max.
	CreateUploads(ctx context.Context, us []Upload, max int) error
	// ConfirmUploads stores uploads of one draft (confirmed, each of another document) if each
	// stored one is still pending, and attaches each to the open draft as its document, in one
	// write; ErrConflict (and nothing written) otherwise.
	ConfirmUploads(ctx context.Context, us []Upload) error
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
	// PresignPut returns a PUT of exactly this content type, size and SHA-256 to key: S3 refuses
	// a PUT of other bytes (the checksum is signed into the URL).
	PresignPut(ctx context.Context, key, contentType, sha256Hex string, size int64, expiry time.Duration) (Presigned, error)
	// PresignGet returns a GET of one version of key.
	PresignGet(ctx context.Context, key, versionID string, expiry time.Duration) (Presigned, error)
	// Stat says what S3 holds as the current version of key, without its bytes; ErrNotFound if
	// there is no object.
	Stat(ctx context.Context, key string) (ObjectFacts, error)
	// ReadHead returns the first n bytes (fewer if the object is shorter) of one version of key;
	// ErrNotFound if that version is gone.
	ReadHead(ctx context.Context, key, versionID string, n int) ([]byte, error)
}

// ObjectFacts are what S3 says of one version of an object (HeadObject with checksum mode).
type ObjectFacts struct {
	Size        int64
	ContentType string
	SHA256      string // hexadecimal; "" if the object was stored without a SHA-256 checksum
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
	// ExpiresOn is the last day of the document's term (YYYY-MM-DD), for a document of a draft's
	// package the policy gives a term (standard §10: checked against the day of filing); a
	// document without a term, and every document of a case's step, states none.
	ExpiresOn string `json:"expiresOn,omitempty"`
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
	if len(in.ExpiresOn) > len(time.DateOnly) {
		add("expiresOn", "at most %d characters: the last day of the document's term, YYYY-MM-DD", len(time.DateOnly))
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
	if !reaches(actor, c) { // §16: the STS only once the case is forwarded to it
		return Upload{}, Presigned{}, apperr.Errorf(apperr.NotFound, "case", "upload to case %s", caseID)
	}
	if p := paperSignature(actor, in); p != nil {
		return Upload{}, Presigned{}, &UploadRefused{Problems: []Problem{*p}}
	}
	if in.ExpiresOn != "" {
		return Upload{}, Presigned{}, &UploadRefused{Problems: []Problem{{Field: "expiresOn", Rule: ruleExpiredDocuments,
			Message: "a document of a step of the case states no term: only a document of the application package the policy gives a term does (standard §10)"}}}
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
	u, err := newUpload(actor, scope, scopeID, org, in, now)
	if err != nil {
		return Upload{}, Presigned{}, err
	}
	u.SignatureP7S = p7s
	limit := MaxDraftUploads
	if scope == ScopeCase {
		limit = MaxCaseUploads
	}
	if err := s.uploads.CreateUpload(ctx, u, limit); err != nil {
		if errors.Is(err, ErrTooManyUploads) {
			return Upload{}, Presigned{}, tooManyUploads(scope, limit)
		}
		return Upload{}, Presigned{}, fmt.Errorf("upload %s: %w", u.ID, err)
	}
	p, err := s.presignPut(ctx, u, now)
	if err != nil {
		return Upload{}, Presigned{}, err
	}
	return u, p, nil
}

// newUpload is a new pending upload of a checked declaration.
func newUpload(actor identity.Actor, scope UploadScope, scopeID, org string, in UploadRequest, now time.Time) (Upload, error) {
	id, err := newUploadID()
	if err != nil {
		return Upload{}, err
	}
	return Upload{ID: id, Organization: org, Scope: scope, ScopeID: scopeID, Document: in.Document, ContentType: in.ContentType,
		Size: in.Size, SHA256: in.SHA256, Sheets: in.Sheets, State: UploadPending, CreatedBy: actor.Subject, Role: actor.Role, CreatedAt: now.UTC(),
		ExpiresOn: in.ExpiresOn}, nil
}

// tooManyUploads is the refusal of a declaration past the limit of a draft or a case.
func tooManyUploads(scope UploadScope, limit int) error {
	return &UploadRefused{Problems: []Problem{{Field: "uploads", Rule: ruleUpload,
		Message: fmt.Sprintf("this %s has had %d uploads declared, the most one %s takes (pending and confirmed alike); attach the documents already confirmed", scope, limit, scope)}}}
}

// presignPut is the PUT of a declared upload's bytes.
func (s *Service) presignPut(ctx context.Context, u Upload, now time.Time) (Presigned, error) {
	p, err := s.files.PresignPut(ctx, u.DocumentKey(), u.ContentType, u.SHA256, u.Size, UploadURLExpiry)
	if err != nil {
		return Presigned{}, fmt.Errorf("upload %s: presign: %w", u.ID, err)
	}
	if p.ExpiresAt.IsZero() {
		p.ExpiresAt = now.Add(UploadURLExpiry).UTC()
	}
	return p, nil
}

// ConfirmUpload checks what S3 holds for an upload and, if it is what was declared, marks the
// upload confirmed, pinned to the version checked; an upload to a draft is attached to it in the
// same write. Confirming a confirmed upload returns it again. What does not match is refused with
// what is wrong; the upload stays pending, so the right file can be PUT with the same URL and
// confirmed.
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
	if !confirmable(actor, u) {
		return Upload{}, apperr.Errorf(apperr.NotFound, "upload", "confirm upload %s", id)
	}
	if u.State == UploadConfirmed {
		return u, nil
	}
	if err := expiredRefusal(u, now); err != nil {
		return Upload{}, err
	}
	version, content, err := s.verify(ctx, u)
	if err != nil {
		return Upload{}, err
	}
	if err := s.verifySignature(ctx, &u, u.DocumentKey(), version, content, now); err != nil {
		return Upload{}, err
	}
	checked := confirmed(u, version, now)
	if err := s.uploads.ConfirmUpload(ctx, checked); err != nil {
		return s.confirmConflict(ctx, checked, err)
	}
	s.log.InfoContext(ctx, "upload confirmed", "upload", id, "scope", string(u.Scope), "scopeId", u.ScopeID, "size", u.Size)
	return checked, nil
}

// confirmable: an applicant confirms its own organisation's uploads; staff only uploads to cases
// (a draft is the applicant's alone).
func confirmable(actor identity.Actor, u Upload) bool {
	switch actor.Role {
	case identity.Applicant:
		return u.Organization == actor.BIN && u.Role != identity.Office
	case identity.Office: // the office confirms the scans it declared (office.go)
		return u.Role == identity.Office
	}
	return u.Scope == ScopeCase
}

// confirmed is u confirmed at now, pinned to the version checked. The version checked is the
// version attached: bytes PUT to the same URL after the check (a second PUT racing the confirm)
// are a later version, never attached.
func confirmed(u Upload, version string, now time.Time) Upload {
	at := now.UTC()
	u.State, u.Key, u.VersionID, u.ConfirmedAt = UploadConfirmed, u.DocumentKey(), version, &at
	return u
}

// confirmConflict answers a confirm whose write failed: another delivery of this confirm, or a
// draft that is no longer open, is answered from what is stored.
func (s *Service) confirmConflict(ctx context.Context, u Upload, err error) (Upload, error) {
	if !errors.Is(err, ErrConflict) {
		return Upload{}, fmt.Errorf("confirm upload %s: %w", u.ID, err)
	}
	again, gerr := s.uploads.GetUpload(ctx, u.ID)
	if gerr == nil && again.State == UploadConfirmed {
		return again, nil
	}
	if u.Scope == ScopeDraft {
		if d, derr := s.uploads.GetDraft(ctx, u.ScopeID); derr == nil && d.State != DraftOpen {
			return Upload{}, apperr.Errorf(apperr.Conflict, "", "confirm upload %s: the draft was submitted as case %s", u.ID, d.CaseID)
		}
	}
	return Upload{}, fmt.Errorf("confirm upload %s: %w", u.ID, err)
}

// verify checks what S3 holds for the upload against its declaration, without reading the file
// through: the size, the media type and the SHA-256 as S3 reports them (S3 computed the checksum
// at the PUT and refused bytes that did not match the one signed into the URL), then the first
// bytes of that same version against the media type. It returns the version checked and, for an
// upload that carries a signature, the whole of that version: its signature is verified over
// those bytes (verifySignature), so they are read once, and the first of them are sniffed.
func (s *Service) verify(ctx context.Context, u Upload) (string, []byte, error) {
	key := u.DocumentKey()
	f, err := s.files.Stat(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return "", nil, &UploadRefused{Problems: []Problem{{Field: "", Rule: ruleUpload,
			Message: "nothing has been uploaded yet: PUT the file to the URL given when the upload was requested, with the headers given, then confirm"}}}
	}
	if err != nil {
		return "", nil, fmt.Errorf("confirm upload %s: %w", u.ID, err)
	}
	if ps := compareFacts(u, f); len(ps) > 0 {
		return "", nil, &UploadRefused{Problems: ps}
	}
	var head, content []byte
	if reader, ok := s.files.(versionReader); ok && len(u.SignatureP7S) > 0 {
		// The signature is verified over the exact bytes of this version: read them all, once.
		content, err = reader.ReadVersion(ctx, key, f.VersionID, MaxUploadBytes)
		head = content[:min(len(content), SniffBytes)]
	} else {
		head, err = s.files.ReadHead(ctx, key, f.VersionID, SniffBytes)
	}
	if errors.Is(err, ErrNotFound) {
		return "", nil, apperr.Errorf(apperr.Conflict, "", "confirm upload %s: the version checked is gone; retry", u.ID)
	}
	if err != nil {
		return "", nil, fmt.Errorf("confirm upload %s: %w", u.ID, err)
	}
	if !sniff(u.ContentType, head) {
		return "", nil, &UploadRefused{Problems: []Problem{{Field: "contentType", Rule: ruleUpload,
			Message: fmt.Sprintf("the file's content is not %s", u.ContentType)}}}
	}
	return f.VersionID, content, nil
}

// compareFacts lists where what S3 holds differs from the declaration.
func compareFacts(u Upload, f ObjectFacts) []Problem {
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Field: field, Rule: ruleUpload, Message: fmt.Sprintf(format, args...)})
	}
	if f.Size != u.Size {
		add("size", "the uploaded file has %d bytes; %d were declared", f.Size, u.Size)
	}
	if f.ContentType != u.ContentType {
		add("contentType", "the file was uploaded as %q; %q was declared", f.ContentType, u.ContentType)
	}
	switch got := strings.ToLower(f.SHA256); {
	case len(ps) > 0: // the file is not the one declared already; its checksum says nothing more
	case got == "":
		add("sha256", "the file was uploaded without its SHA-256 checksum: PUT it with exactly the headers given")
	case got != u.SHA256:
		add("sha256", "the uploaded file's SHA-256 is %s; %s was declared", got, u.SHA256)
	}
	return ps
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
