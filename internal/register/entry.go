// Package register is the register of certificates of §29 kept as data: one entry per
// certificate, with the full history of each entry, every revision signed so that anyone can
// verify it offline with the published public key.
//
// §29 lists what an entry holds: the object's name; its owner; its developer; the details of the
// act of the survey and of the additional survey; the details of the certificate; its recall and
// return; its termination. Life after the certificate (§40-§48) changes the entry: expiry,
// monitoring connection (§42), change notices (§43-§44, §47), recall (§45-§46), duplicates (§48),
// cessation of operation.
//
// The package imports no AWS package: the store and the signer are interfaces declared here.
package register

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"attestation/internal/attestation"

	"attestation/internal/signing"
)

// Status is where a certificate stands in the register.
type Status string

// The statuses of an entry.
const (
	Valid      Status = "valid"      // in force
	Recalled   Status = "recalled"   // recalled on a ground of §45 (1)-(4)
	Expired    Status = "expired"    // its term ended (§40-§41: the e-government platform, one year)
	Terminated Status = "terminated" // the object ceased operation (§45(5)); the register's termination mark
)

// Document is a stored file pinned by its version and SHA-256 (Object Lock protects versions,
// not keys).
type Document struct {
	Key       string `json:"key"`
	VersionID string `json:"versionId"`
	SHA256    string `json:"sha256"`
}

// Act is the details of an act of the STS (§24, §35) as the register keeps them.
type Act struct {
	Number string `json:"number"`
	// Date is the instant the act's day begins in Kazakhstan (Asia/Almaty midnight, kept in UTC:
	// an act dated 16 November 2026 has 2026-11-15T19:00:00Z).
	Date time.Time `json:"date"`
	// Day is the act's date as written on it, a Kazakhstan calendar day (2026-11-16). Entries
	// signed before it existed lack it (their signed payload has no "day"); Next gives it to
	// their next revision.
	Day      string   `json:"day,omitempty"`
	Document Document `json:"document"` // the act as stored beside the certificate, under Object Lock
	// Signed cites the STS's electronic digital signature of the act (issue 17); nil for an act
	// filed unsigned, and in every entry made before signatures, whose signed payload is unchanged.
	Signed *ActSignature `json:"signed,omitempty"`
}

// ActDay is the Kazakhstan calendar day (YYYY-MM-DD) of an instant: the day an act is dated.
func ActDay(at time.Time) string {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil { // the zone database is embedded (time/tzdata) in every binary
		loc = time.FixedZone("Asia/Almaty", 5*60*60)
	}
	return at.In(loc).Format(time.DateOnly)
}

// withDay gives an act recorded before Act.Day existed its day.
func (a Act) withDay() Act {
	if a.Day == "" && !a.Date.IsZero() {
		a.Day = ActDay(a.Date)
	}
	return a
}

// ActSignature is who signed an act with an electronic digital signature, as the register cites
// it: public, so it never holds the signer's IIN.
type ActSignature struct {
	Signer      string    `json:"signer"`        // the signer's name as the certificate writes it
	BIN         string    `json:"bin,omitempty"` // the signer's organisation (the STS)
	Serial      string    `json:"certificateSerial"`
	Issuer      string    `json:"certificateIssuer"`
	SigningTime time.Time `json:"signingTime"`
}

// public is the signature as published (times in UTC), or nil.
func (s *ActSignature) public() *ActSignature {
	if s == nil {
		return nil
	}
	p := *s
	p.SigningTime = p.SigningTime.UTC()
	return &p
}

// Recall is the authority's decision to recall a certificate (§45) and the certificate's return
// (§46).
type Recall struct {
	Ground    string    `json:"ground"`    // a policy recall ground id (§45(1)-(5))
	Number    int       `json:"number"`    // its number in §45
	Paragraph string    `json:"paragraph"` // e.g. §45(3)
	Reasons   []string  `json:"reasons,omitempty"`
	DecidedAt time.Time `json:"decidedAt"`
	// Decision is the decision as data (JSON), under Object Lock.
	Decision *Document `json:"decision,omitempty"`
	// DecisionPDF is the copy of the decision sent to the owner (§46), in Kazakh, Russian and
	// English, under Object Lock. Recalls recorded before it was rendered have none.
	DecisionPDF *Document `json:"decisionPdf,omitempty"`
	// ReturnDueAt: the owner returns the certificate within 3 working days of receiving the copy
	// of the decision (§46); absent while ReturnAwaitsHandOver.
	ReturnDueAt time.Time `json:"returnDueAt,omitzero"`
	// ReturnAwaitsHandOver: the copy of a paper case's decision waits at the Committee's office;
	// the return's 3 working days run from its hand-over there (HandedOverAt), which sets
	// ReturnDueAt.
	ReturnAwaitsHandOver bool       `json:"returnAwaitsHandOver,omitempty"`
	HandedOverAt         *time.Time `json:"handedOverAt,omitempty"`
	ReturnedAt           *time.Time `json:"returnedAt,omitempty"`
	ReturnOverdue        bool       `json:"returnOverdue,omitempty"`
	// ChangeID is the change notice a recall on changed conditions rests on (§45(4), §47).
	ChangeID string `json:"changeId,omitempty"`
}

// Monitoring is the obligation of §42: a mandatory object other than the e-government platform is
// connected to the information security monitoring system within one year of receiving the
// certificate, and the owner notifies the authority.
type Monitoring struct {
	DueAt       time.Time  `json:"dueAt,omitzero"`        // absent while AwaitsHandOver
	ConnectedAt *time.Time `json:"connectedAt,omitempty"` // the owner's notice of connection
	Overdue     bool       `json:"overdue,omitempty"`     // flagged to the authority by the deadline check
	// AwaitsHandOver: the certificate of a paper case waits at the Committee's office; the year
	// runs from its hand-over there (the owner's receipt, attestation.ReceiptOf), which sets DueAt.
	AwaitsHandOver bool `json:"awaitsHandOver,omitempty"`
}

// Runs reports whether the monitoring year runs: it has a due moment.
func (m Monitoring) Runs() bool { return !m.AwaitsHandOver }

// ChangeNotice is the owner's notice of changes (§43) and the authority's decision on
// re-attestation within 3 working days (§44).
type ChangeNotice struct {
	ID          string `json:"id"`
	Description string `json:"description"` // a description of all changes made (§43)
	// ServiceSoftwareOnly: the change is of a service software product only; it never recalls the
	// e-government platform's certificate (§47).
	ServiceSoftwareOnly bool       `json:"serviceSoftwareOnly,omitempty"`
	ReceivedAt          time.Time  `json:"receivedAt"`
	DueAt               time.Time  `json:"dueAt"`
	Overdue             bool       `json:"overdue,omitempty"`
	Decision            string     `json:"decision,omitempty"` // reattestation_required | not_required
	Reasons             []string   `json:"reasons,omitempty"`
	DecidedAt           *time.Time `json:"decidedAt,omitempty"`
	// Commission is the attestation commission whose protocol the decision was taken on (Law
	// Art. 51(11)), under an edition that says so; nil otherwise.
	Commission *attestation.Commission `json:"commission,omitempty"`
}

// DuplicateRequest is the owner's notice of loss or damage and the duplicate the authority issues
// within 5 working days (§48).
type DuplicateRequest struct {
	ID         string     `json:"id"`
	Reason     string     `json:"reason"` // lost | damaged
	ReceivedAt time.Time  `json:"receivedAt"`
	DueAt      time.Time  `json:"dueAt"`
	Overdue    bool       `json:"overdue,omitempty"`
	IssuedAt   *time.Time `json:"issuedAt,omitempty"`
	Document   *Document  `json:"document,omitempty"` // the duplicate, under Object Lock
}

// Entry is one certificate's entry in the register (§29).
type Entry struct {
	Number  string `json:"number"`
	Year    int    `json:"year"`
	Seq     int    `json:"seq"`
	CaseID  string `json:"caseId"`
	Edition string `json:"edition"`
	// EditionOutOfForce: the case was filed on a date its edition does not cover (the model mode
	// of issue 16). omitempty: an entry signed before it existed verifies as it was signed.
	EditionOutOfForce bool   `json:"editionOutOfForce,omitempty"`
	ObjectID          string `json:"objectId,omitempty"` // the object of informatization, when the filing named it
	ObjectName        string `json:"objectName"`
	ObjectKind        string `json:"objectKind"`
	Mandatory         bool   `json:"mandatory"` // a mandatory object of §5
	OwnerName         string `json:"ownerName"`
	OwnerBIN          string `json:"ownerBin"` // BIN of a legal entity or IIN of an individual
	// OwnerIndividual: the owner is an individual; its IIN is personal data and is never published.
	OwnerIndividual bool   `json:"ownerIndividual,omitempty"`
	Developer       string `json:"developer,omitempty"`
	Act             Act    `json:"act"`
	AdditionalAct   *Act   `json:"additionalAct,omitempty"`

	IssuedAt   time.Time  `json:"issuedAt"`
	ValidUntil *time.Time `json:"validUntil,omitempty"` // nil: for the period of industrial operation (§40)
	// Certificate is the certificate's PDF (Annex 7); Data is the JSON it was rendered from, kept
	// so that a duplicate (§48) renders the same certificate.
	Certificate Document `json:"certificate"`
	Data        Document `json:"data"`

	// AwaitingReceipt: the certificate is entered but not yet sent to its owner (§28, §38); until
	// the owner receives it, only the authority reads the entry (receipt.go). ReceivedAt is the
	// owner's receipt (attestation.ReceivedAt), from which the monitoring year of §42 runs.
	AwaitingReceipt bool       `json:"awaitingReceipt,omitempty"`
	ReceivedAt      *time.Time `json:"receivedAt,omitempty"`
	// AtOffice: the case was filed on paper at the Committee's office (standard §9), which hands
	// the certificate and the copies of later decisions over; the periods from their receipt (§42,
	// §46) run from those hand-overs.
	AtOffice bool `json:"atOffice,omitempty"`

	Status       Status             `json:"status"`
	ExpiredAt    *time.Time         `json:"expiredAt,omitempty"`
	Recall       *Recall            `json:"recall,omitempty"`
	TerminatedAt *time.Time         `json:"terminatedAt,omitempty"`
	Monitoring   *Monitoring        `json:"monitoring,omitempty"`
	Changes      []ChangeNotice     `json:"changes,omitempty"`
	Duplicates   []DuplicateRequest `json:"duplicates,omitempty"`
	Cessation    *Cessation         `json:"cessation,omitempty"` // the owner's notice that operation ceased (service.go)
	// RecallApplication is the owner's application for the recall (§45(2)), pending until the
	// authority decides it (recallapplication.go).
	RecallApplication *RecallApplication `json:"recallApplication,omitempty"`

	// InlineChanges: the stored entry holds its change notices inline, in the shape from before
	// each notice got an item of its own; the store sets it when it reads such an entry, and moves
	// the notices into their own items on the next write. Never published nor signed.
	InlineChanges bool `json:"-"`
	// ChangedNotices are the IDs of the change notices this revision added or changed (Next sets
	// them): the store writes their items with the entry, in one transaction.
	ChangedNotices []string `json:"-"`

	// Revision counts the entry's versions from 1; every write is conditional on it. Seal is the
	// signature over the public view of this revision.
	Revision  int       `json:"revision"`
	UpdatedAt time.Time `json:"updatedAt"`
	// PreviousSHA256 is the SHA-256 of the previous revision's signed payload ("" for the first),
	// chaining the history so that a removed or altered revision shows.
	PreviousSHA256 string `json:"previousSha256,omitempty"`
	Seal           Seal   `json:"seal"`
}

// Seal is a revision's signed payload: the exact bytes signed and the signature over them.
type Seal struct {
	Payload   []byte            `json:"payload"`
	Signature signing.Signature `json:"signature"`
}

// Revision is one version of an entry in its history: what changed, who changed it, and the
// signed public view after the change.
type Revision struct {
	Number    int       `json:"revision"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	Role      string    `json:"role"`
	What      string    `json:"what"`
	Paragraph string    `json:"paragraph,omitempty"`
	Seal      Seal      `json:"seal"`
}

// Public is the part of an entry anyone may read and verify: what §29 lists, without personal
// data (an individual owner's IIN is not published). Its JSON is what is signed.
type Public struct {
	Number          string        `json:"number"`
	Status          Status        `json:"status"`
	ObjectName      string        `json:"objectName"`
	ObjectKind      string        `json:"objectKind"`
	OwnerName       string        `json:"ownerName"`
	OwnerBIN        string        `json:"ownerBin,omitempty"` // a legal entity's BIN only (PublishedOwnerBIN)
	Developer       string        `json:"developer,omitempty"`
	Act             PublicAct     `json:"act"`
	AdditionalAct   *PublicAct    `json:"additionalAct,omitempty"`
	IssuedAt        time.Time     `json:"issuedAt"`
	ValidUntil      *time.Time    `json:"validUntil,omitempty"`
	CertificateHash string        `json:"certificateSha256"`
	ExpiredAt       *time.Time    `json:"expiredAt,omitempty"`
	Recall          *PublicRecall `json:"recall,omitempty"`
	TerminatedAt    *time.Time    `json:"terminatedAt,omitempty"`
	Duplicates      []PublicCopy  `json:"duplicates,omitempty"`
	Revision        int           `json:"revision"`
	UpdatedAt       time.Time     `json:"updatedAt"`
	PreviousSHA256  string        `json:"previousSha256,omitempty"`
	// EditionOutOfForce: the case was filed on a date its edition does not cover (the model mode
	// of issue 16); absent otherwise, so entries signed before it existed verify as signed.
	EditionOutOfForce bool `json:"editionOutOfForce,omitempty"`
}

// PublicAct is an act's details as published: number, date and the SHA-256 of the stored act.
type PublicAct struct {
	Number string        `json:"number"`
	Date   time.Time     `json:"date"`          // the instant the act's day begins in Kazakhstan, in UTC
	Day    string        `json:"day,omitempty"` // the act's date as written on it (absent in entries signed before it existed)
	SHA256 string        `json:"sha256"`
	Signed *ActSignature `json:"signed,omitempty"` // issue 17: absent in entries made before, so their payloads verify
}

// day is the act's date as written on it: the signed day, or for an entry signed before it
// existed, the Kazakhstan day its instant begins.
func (a PublicAct) day() string {
	if a.Day != "" {
		return a.Day
	}
	return ActDay(a.Date)
}

// PublicRecall is a recall as published (§29: recall and return).
type PublicRecall struct {
	Ground     string     `json:"ground"`
	Paragraph  string     `json:"paragraph"`
	DecidedAt  time.Time  `json:"decidedAt"`
	Returned   bool       `json:"returned"`
	ReturnedAt *time.Time `json:"returnedAt,omitempty"`
}

// PublicCopy is an issued duplicate (§48) as published.
type PublicCopy struct {
	IssuedAt time.Time `json:"issuedAt"`
	SHA256   string    `json:"sha256"`
}

// PublishedOwnerBIN is the owner's number as the public register shows it and is searched by: a
// legal entity's BIN (§29(2)). It is "" for an individual owner, and for any number that is not
// the BIN of a legal entity by its structure (attestation.IsLegalEntityBIN): an IIN is an
// individual's personal data whatever the entry says of its owner.
func (e Entry) PublishedOwnerBIN() string {
	if e.OwnerIndividual || !attestation.IsLegalEntityBIN(e.OwnerBIN) {
		return ""
	}
	return e.OwnerBIN
}

// PublicView returns the public part of the entry.
func (e Entry) PublicView() Public {
	p := Public{Number: e.Number, Status: e.Status, ObjectName: e.ObjectName, ObjectKind: e.ObjectKind,
		OwnerName: e.OwnerName, Developer: e.Developer,
		Act:      PublicAct{Number: e.Act.Number, Date: e.Act.Date.UTC(), Day: e.Act.Day, SHA256: e.Act.Document.SHA256, Signed: e.Act.Signed.public()},
		IssuedAt: e.IssuedAt.UTC(), ValidUntil: utcPtr(e.ValidUntil), CertificateHash: e.Certificate.SHA256,
		ExpiredAt: utcPtr(e.ExpiredAt), TerminatedAt: utcPtr(e.TerminatedAt),
		Revision: e.Revision, UpdatedAt: e.UpdatedAt.UTC(), PreviousSHA256: e.PreviousSHA256, EditionOutOfForce: e.EditionOutOfForce}
	p.OwnerBIN = e.PublishedOwnerBIN()
	if a := e.AdditionalAct; a != nil {
		p.AdditionalAct = &PublicAct{Number: a.Number, Date: a.Date.UTC(), Day: a.Day, SHA256: a.Document.SHA256, Signed: a.Signed.public()}
	}
	if r := e.Recall; r != nil {
		p.Recall = &PublicRecall{Ground: r.Ground, Paragraph: r.Paragraph, DecidedAt: r.DecidedAt.UTC(),
			Returned: r.ReturnedAt != nil, ReturnedAt: utcPtr(r.ReturnedAt)}
	}
	for _, d := range e.Duplicates {
		if d.IssuedAt != nil && d.Document != nil {
			p.Duplicates = append(p.Duplicates, PublicCopy{IssuedAt: d.IssuedAt.UTC(), SHA256: d.Document.SHA256})
		}
	}
	return p
}

// changedNotices are the IDs of the change notices of e that prev lacks or holds otherwise.
func changedNotices(prev, e Entry) []string {
	before := make(map[string]ChangeNotice, len(prev.Changes))
	for _, c := range prev.Changes {
		before[c.ID] = c
	}
	var out []string
	for _, c := range e.Changes {
		if b, ok := before[c.ID]; !ok || !sameNotice(b, c) {
			out = append(out, c.ID)
		}
	}
	return out
}

// sameNotice reports whether a and b hold the same notice and decision.
func sameNotice(a, b ChangeNotice) bool {
	return a.ID == b.ID && a.Description == b.Description && a.ServiceSoftwareOnly == b.ServiceSoftwareOnly &&
		a.ReceivedAt.Equal(b.ReceivedAt) && a.DueAt.Equal(b.DueAt) && a.Overdue == b.Overdue && a.Decision == b.Decision &&
		slices.Equal(a.Reasons, b.Reasons) && sameTime(a.DecidedAt, b.DecidedAt)
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Payload is the exact bytes signed for the entry's current revision: the JSON of its public
// view (Go encodes struct fields in declaration order, so the same entry always gives the same
// bytes).
func (e Entry) Payload() ([]byte, error) {
	b, err := json.Marshal(e.PublicView())
	if err != nil {
		return nil, fmt.Errorf("register entry %s: encode public view: %w", e.Number, err)
	}
	return b, nil
}

// PayloadSHA256 is the hex SHA-256 of a signed payload: the link the next revision keeps.
func PayloadSHA256(payload []byte) string {
	sum := sha256.Sum256(payload)
	return hex.EncodeToString(sum[:])
}

// Signer signs register entries (AWS KMS asymmetric key in AWS: internal/kmssign).
type Signer interface {
	Sign(ctx context.Context, message []byte) (signing.Signature, error)
	PublicKeyPEM(ctx context.Context) ([]byte, error)
}

// Next prepares e as the revision after prev: it bumps the revision, links the previous signed
// payload, stamps the time, and signs the new public view. The first revision passes a zero prev.
func Next(ctx context.Context, signer Signer, prev, e Entry, at time.Time) (Entry, error) {
	e.Revision = prev.Revision + 1
	e.PreviousSHA256 = ""
	if prev.Revision > 0 {
		e.PreviousSHA256 = PayloadSHA256(prev.Seal.Payload)
	}
	e.UpdatedAt = at.UTC()
	e.ChangedNotices = changedNotices(prev, e)
	// Every revision signed from now on names its acts' days (an entry first signed without them
	// gains them here; its earlier revisions keep the payloads they were signed with).
	e.Act = e.Act.withDay()
	if e.AdditionalAct != nil {
		a := e.AdditionalAct.withDay()
		e.AdditionalAct = &a
	}
	payload, err := e.Payload()
	if err != nil {
		return Entry{}, err
	}
	sig, err := signer.Sign(ctx, payload)
	if err != nil {
		return Entry{}, fmt.Errorf("register entry %s revision %d: sign: %w", e.Number, e.Revision, err)
	}
	e.Seal = Seal{Payload: payload, Signature: sig}
	return e, nil
}

// Verify checks an entry as stored against its seal: the public view rebuilt from the stored
// fields must be the signed payload, and the signature must hold under the public key. An entry
// changed anywhere but through a signed revision fails.
func Verify(e Entry, publicKeyPEM []byte) error {
	payload, err := e.Payload()
	if err != nil {
		return err
	}
	if string(payload) != string(e.Seal.Payload) {
		return fmt.Errorf("register entry %s revision %d: the stored entry differs from what was signed: %w", e.Number, e.Revision, signing.ErrBadSignature)
	}
	if err := signing.Verify(publicKeyPEM, payload, e.Seal.Signature); err != nil {
		return fmt.Errorf("register entry %s revision %d: %w", e.Number, e.Revision, err)
	}
	return nil
}
