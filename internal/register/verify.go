package register

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/signing"
)

// PublicKeyPath is the route that publishes the key every entry is signed with, so that anyone
// can verify an entry offline.
const PublicKeyPath = "/register/public-key"

// DocumentLinkExpiry is how long a presigned GET of a certificate's PDF works.
const DocumentLinkExpiry = 15 * time.Minute

// Owner is the possessor (owner) of the object as the register publishes it (§29(2)): its name,
// and its BIN when it is a legal entity (an individual's IIN is personal data, never published).
type Owner struct {
	Name string `json:"name"`
	BIN  string `json:"bin,omitempty"`
}

// Object is the object of attestation as the register publishes it (§29(1)).
type Object struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Verification is the answer to "is this certificate what it says?": where it stands at the
// moment of the check, what the register holds of it (§29, public part only), and the signed
// public view with its signature, checked by the server and checkable by anyone offline with the
// key published at PublicKeyURL.
type Verification struct {
	Number string `json:"number"`
	// Status at CheckedAt: valid, recalled, expired or terminated (§29(5)-(7), §40-§46).
	Status Status `json:"status"`
	// Returned: for a recalled certificate, whether it was returned (§46); absent otherwise.
	Returned      *bool      `json:"returned,omitempty"`
	Object        Object     `json:"object"`
	Owner         Owner      `json:"owner"`
	Developer     string     `json:"developer,omitempty"`
	Act           PublicAct  `json:"act"`
	AdditionalAct *PublicAct `json:"additionalAct,omitempty"`
	IssuedAt      time.Time  `json:"issuedAt"`
	ValidUntil    *time.Time `json:"validUntil,omitempty"`
	ExpiredAt     *time.Time `json:"expiredAt,omitempty"`
	// Recall: the recall and the return of the certificate (§29(6), §45-§46).
	Recall       *PublicRecall `json:"recall,omitempty"`
	TerminatedAt *time.Time    `json:"terminatedAt,omitempty"`
	// CertificateSHA256 is the SHA-256 of the certificate's PDF as stored under Object Lock.
	CertificateSHA256 string       `json:"certificateSha256"`
	Duplicates        []PublicCopy `json:"duplicates,omitempty"`
	Revision          int          `json:"revision"`
	UpdatedAt         time.Time    `json:"updatedAt"`
	CheckedAt         time.Time    `json:"checkedAt"`
	// Entry is the public view as signed; Payload the exact bytes signed (base64 in JSON).
	Entry     Public            `json:"entry"`
	Payload   []byte            `json:"payload"`
	Signature signing.Signature `json:"signature"`
	// SignatureValid is the server's own check: the stored entry is the signed one, and the
	// signature holds under the published key.
	SignatureValid bool   `json:"signatureValid"`
	PublicKeyURL   string `json:"publicKeyUrl"`
}

// Verified builds the verification of e at now against the register's public key. The
// verification is always complete; problem is non-nil exactly when the signature does not check
// (the stored entry was changed other than through a signed revision, or the seal is not the
// register key's), and says why.
func Verified(e Entry, publicKeyPEM []byte, now time.Time, publicKeyURL string) (v Verification, problem error) {
	p := e.PublicView()
	v = Verification{Number: e.Number, Status: e.StatusAt(now), Object: Object{Name: p.ObjectName, Kind: p.ObjectKind},
		Owner: Owner{Name: p.OwnerName, BIN: p.OwnerBIN}, Developer: p.Developer, Act: p.Act, AdditionalAct: p.AdditionalAct,
		IssuedAt: p.IssuedAt, ValidUntil: p.ValidUntil, ExpiredAt: utcPtr(e.AsOf(now).ExpiredAt), Recall: p.Recall, TerminatedAt: p.TerminatedAt,
		CertificateSHA256: p.CertificateHash, Duplicates: p.Duplicates, Revision: p.Revision, UpdatedAt: p.UpdatedAt,
		CheckedAt: now.UTC(), Entry: p, Payload: e.Seal.Payload, Signature: e.Seal.Signature, PublicKeyURL: publicKeyURL}
	if v.Status == Recalled && p.Recall != nil {
		returned := p.Recall.Returned
		v.Returned = &returned
	}
	// Entry is what was signed: the payload's own public view, when it decodes (a tampered entry
	// shows what the register signed beside what it now holds).
	var signed Public
	if err := json.Unmarshal(e.Seal.Payload, &signed); err == nil {
		v.Entry = signed
	}
	if err := Verify(e, publicKeyPEM); err != nil {
		return v, err
	}
	v.SignatureValid = true
	return v, nil
}

// PublicRevision is one revision of an entry's history as anyone may read it: what changed and
// when, the public view signed at that revision, and the server's check of its signature and of
// its link to the revision before.
type PublicRevision struct {
	Revision  int       `json:"revision"`
	At        time.Time `json:"at"`
	Role      string    `json:"role"` // who acted, by role (the person is not published)
	What      string    `json:"what"`
	Paragraph string    `json:"paragraph,omitempty"`
	Entry     *Public   `json:"entry,omitempty"` // nil if the payload does not decode
	// PayloadSHA256 is the hex SHA-256 of the signed payload: the next revision's previousSha256.
	PayloadSHA256  string            `json:"payloadSha256"`
	Payload        []byte            `json:"payload"`
	Signature      signing.Signature `json:"signature"`
	SignatureValid bool              `json:"signatureValid"`
	// ChainValid: the signed view's revision is this one and its previousSha256 is the payload
	// hash of the revision before (empty for the first).
	ChainValid bool `json:"chainValid"`
}

// History is an entry's revisions as published, oldest first, each checked; problems lists what
// does not check (empty when the whole chain holds).
func History(revs []Revision, publicKeyPEM []byte) (out []PublicRevision, problems []error) {
	prev := ""
	for i, r := range revs {
		pr := PublicRevision{Revision: r.Number, At: r.At.UTC(), Role: r.Role, What: r.What, Paragraph: r.Paragraph,
			PayloadSHA256: PayloadSHA256(r.Seal.Payload), Payload: r.Seal.Payload, Signature: r.Seal.Signature}
		var p Public
		if err := json.Unmarshal(r.Seal.Payload, &p); err == nil {
			pr.Entry = &p
			pr.ChainValid = p.Revision == r.Number && r.Number == i+1 && p.PreviousSHA256 == prev
		}
		if err := signing.Verify(publicKeyPEM, r.Seal.Payload, r.Seal.Signature); err == nil {
			pr.SignatureValid = true
		} else {
			problems = append(problems, fmt.Errorf("revision %d: %w", r.Number, err))
		}
		if !pr.ChainValid {
			problems = append(problems, fmt.Errorf("revision %d: not linked to the revision before: %w", r.Number, signing.ErrBadSignature))
		}
		prev = pr.PayloadSHA256
		out = append(out, pr)
	}
	return out, problems
}

// PublicKey is the register's verifying key as published.
type PublicKey struct {
	KeyID     string `json:"keyId"`
	Algorithm string `json:"algorithm"`
	PEM       string `json:"publicKeyPem"`
}

// Reader reads entries and their history (dynamostore.Store).
type Reader interface {
	Entry(ctx context.Context, number string) (Entry, error)
	Revisions(ctx context.Context, number string) ([]Revision, error)
}

// Searcher reads pages of the register (dynamostore.Store).
type Searcher interface {
	// SearchEntries answers a page of the entries f admits, by number; a page may hold fewer
	// than limit entries, and the cursor is "" at the end. A cursor it did not issue is
	// apperr.ErrBadCursor.
	SearchEntries(ctx context.Context, f Filter, limit int, cursor string) ([]Entry, string, error)
}

// KeySource publishes the key the register is signed with (the Signer: KMS in AWS).
type KeySource interface {
	PublicKeyPEM(ctx context.Context) ([]byte, error)
}

// KeyIdentifier is a KeySource that also knows the key's ID as its signatures carry it (KMS
// reports the key's ARN); the published key then carries that ID.
type KeyIdentifier interface {
	KeyID(ctx context.Context) (string, error)
}

// Links presigns GETs of pinned versions in the records bucket (s3store.Files).
type Links interface {
	PresignGet(ctx context.Context, key, versionID string, expiry time.Duration) (attestation.Presigned, error)
}

// Store is what the public routes read.
type Store interface {
	Reader
	Searcher
}

// PublicService answers the public routes of the register: verification, history, search and
// the public key, and the owner's and staff's link to a certificate's PDF.
type PublicService struct {
	store  Store
	key    KeySource
	keyID  string
	keyURL string
	links  Links
	log    *slog.Logger
}

// NewPublicService returns the service. keyID is the signing key's ID as published beside it
// (unless key is a KeyIdentifier, which knows it);
// baseURL the API's public address (PUBLIC_BASE_URL; "" leaves the key's URL relative, as the
// route's path).
func NewPublicService(store Store, key KeySource, keyID, baseURL string, links Links, log *slog.Logger) *PublicService {
	return &PublicService{store: store, key: key, keyID: keyID, keyURL: strings.TrimSuffix(baseURL, "/") + PublicKeyPath, links: links, log: log}
}

// PublicKey is the register's verifying key.
func (s *PublicService) PublicKey(ctx context.Context) (PublicKey, error) {
	pem, err := s.key.PublicKeyPEM(ctx)
	if err != nil {
		return PublicKey{}, fmt.Errorf("register public key: %w", err)
	}
	if _, err := signing.ParsePublicKeyPEM(pem); err != nil {
		return PublicKey{}, fmt.Errorf("register public key: %w", err)
	}
	keyID := s.keyID
	if ki, ok := s.key.(KeyIdentifier); ok {
		if keyID, err = ki.KeyID(ctx); err != nil {
			return PublicKey{}, fmt.Errorf("register public key: %w", err)
		}
	}
	return PublicKey{KeyID: keyID, Algorithm: signing.AlgorithmECDSASHA256, PEM: string(pem)}, nil
}

// Verify answers the verification of the certificate number at now. An entry whose signature
// does not check is answered (signatureValid false) and logged at error level: the register was
// changed other than through a signed revision.
func (s *PublicService) Verify(ctx context.Context, number string, now time.Time) (Verification, error) {
	e, err := s.store.Entry(ctx, number)
	if err == nil && !e.Published() {
		err = ErrCertificateNotFound // §28: not public before its owner received it
	}
	if err != nil {
		return Verification{}, fmt.Errorf("certificate %s: %w", number, err)
	}
	key, err := s.PublicKey(ctx)
	if err != nil {
		return Verification{}, err
	}
	v, problem := Verified(e, []byte(key.PEM), now, s.keyURL)
	if problem != nil {
		s.log.ErrorContext(ctx, "register entry fails verification: the stored entry is not the signed one",
			"certificate", number, "revision", e.Revision, "error", problem)
	}
	return v, nil
}

// History answers the certificate's signed revisions, oldest first. A revision that does not
// check is answered as it is and logged at error level.
func (s *PublicService) History(ctx context.Context, number string) ([]PublicRevision, error) {
	if e, err := s.store.Entry(ctx, number); err == nil && !e.Published() {
		return nil, fmt.Errorf("certificate %s: %w", number, ErrCertificateNotFound) // §28
	}
	revs, err := s.store.Revisions(ctx, number)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", number, err)
	}
	key, err := s.PublicKey(ctx)
	if err != nil {
		return nil, err
	}
	out, problems := History(revs, []byte(key.PEM))
	if len(problems) > 0 {
		s.log.ErrorContext(ctx, "register history fails verification", "certificate", number, "error", errors.Join(problems...))
	}
	return out, nil
}

// Search answers a page of the public register (see Query).
func (s *PublicService) Search(ctx context.Context, q Query, now time.Time) (SearchPage, error) {
	return Search(ctx, s.store, q, now)
}

// Copy names which stored document of a certificate GET …/document answers.
type Copy string

const (
	// CopyCurrent is what the owner holds now: the latest duplicate issued (§48), or else the
	// certificate as issued. The default.
	CopyCurrent Copy = "current"
	// CopyOriginal is the certificate as issued (§28).
	CopyOriginal Copy = "original"
	// CopyDuplicate is the latest duplicate issued on a notice of loss or damage (§48).
	CopyDuplicate Copy = "duplicate"
	// CopyRecallDecision is the copy of the decision to recall the certificate sent to the owner
	// (§45, §46).
	CopyRecallDecision Copy = "recall_decision"
)

// Copies are the values of Copy, as the API lists them.
var Copies = []Copy{CopyCurrent, CopyOriginal, CopyDuplicate, CopyRecallDecision}

// NoCopyError: the certificate is in the register but has no document of the kind asked for (no
// duplicate issued, not recalled). It is an apperr.NotFound whose message is the reason.
type NoCopyError struct{ Reason string }

func (e *NoCopyError) Error() string { return e.Reason }
func (e *NoCopyError) Unwrap() error { return apperr.New(apperr.NotFound, "", e.Reason) }

// StoredCopy is one stored document of a certificate: which copy it is, when it was issued or
// decided, and the document pinned to its version.
type StoredCopy struct {
	Copy     Copy      `json:"copy"` // original | duplicate | recall_decision
	IssuedAt time.Time `json:"issuedAt"`
	Document Document  `json:"document"`
}

// CertificateDocument is one stored document of a certificate, pinned to its version, and a
// presigned GET of it: for the owner's applicants and for staff. Another organisation's
// applicant is answered as if the register had no such number.
func (s *PublicService) CertificateDocument(ctx context.Context, actor identity.Actor, number string, which Copy) (StoredCopy, attestation.Presigned, error) {
	e, err := s.store.Entry(ctx, number)
	if err != nil {
		return StoredCopy{}, attestation.Presigned{}, fmt.Errorf("certificate %s: %w", number, err)
	}
	switch actor.Role {
	case identity.Authority, identity.STS:
	case identity.Applicant:
		if actor.BIN == "" || actor.BIN != e.OwnerBIN || !e.Published() {
			return StoredCopy{}, attestation.Presigned{}, apperr.Errorf(apperr.NotFound, "certificate", "certificate %s", number)
		}
	default:
		return StoredCopy{}, attestation.Presigned{}, apperr.Errorf(apperr.Forbidden, "", "certificate %s: the role %s does not read certificates", number, actor.Role)
	}
	c, err := e.StoredCopy(which)
	if err != nil {
		return StoredCopy{}, attestation.Presigned{}, fmt.Errorf("certificate %s: %w", number, err)
	}
	p, err := s.links.PresignGet(ctx, c.Document.Key, c.Document.VersionID, DocumentLinkExpiry)
	if err != nil {
		return StoredCopy{}, attestation.Presigned{}, fmt.Errorf("certificate %s: presign: %w", number, err)
	}
	return c, p, nil
}

// StoredCopy picks a stored document of the entry; "" is CopyCurrent.
func (e Entry) StoredCopy(which Copy) (StoredCopy, error) {
	var latest *StoredCopy
	for _, d := range e.Duplicates {
		if d.Document != nil && d.Document.VersionID != "" && d.IssuedAt != nil && (latest == nil || !d.IssuedAt.Before(latest.IssuedAt)) {
			latest = &StoredCopy{Copy: CopyDuplicate, IssuedAt: d.IssuedAt.UTC(), Document: *d.Document}
		}
	}
	original := StoredCopy{Copy: CopyOriginal, IssuedAt: e.IssuedAt.UTC(), Document: e.Certificate}
	var c StoredCopy
	switch which {
	case CopyCurrent, "":
		c = original
		if latest != nil {
			c = *latest
		}
	case CopyOriginal:
		c = original
	case CopyDuplicate:
		if latest == nil {
			return StoredCopy{}, &NoCopyError{Reason: "no duplicate has been issued (§48)"}
		}
		c = *latest
	case CopyRecallDecision:
		if e.Recall == nil || e.Recall.Decision == nil {
			return StoredCopy{}, &NoCopyError{Reason: "the certificate has not been recalled (§45), so there is no decision to recall it"}
		}
		c = StoredCopy{Copy: CopyRecallDecision, IssuedAt: e.Recall.DecidedAt.UTC(), Document: *e.Recall.Decision}
		if e.Recall.DecisionPDF != nil {
			c.Document = *e.Recall.DecisionPDF // the copy as the owner reads it; the data stays beside it
		}
	default:
		return StoredCopy{}, apperr.Errorf(apperr.Unprocessable, "", "copy %q: one of current, original, duplicate, recall_decision", which)
	}
	if c.Document.Key == "" || c.Document.VersionID == "" {
		return StoredCopy{}, apperr.Errorf(apperr.NotFound, "document", "no stored document of the %s", c.Copy)
	}
	return c, nil
}
