package dynamostore

import (
	"slices"
	"strings"
	"time"

	"attestation/internal/register"
	"attestation/internal/signing"
)

// The register family (§29, §40-§48): a certificate's entry at its current revision, and each of
// its signed revisions.

// entryItem is a register entry as stored. Its top-level status, ownerBin and objectSearch are
// copies of the entry's, for the search's filters; revision is the entry's, for the conditional
// writes.
type entryItem struct {
	keys
	Type         string      `dynamodbav:"type"` // "certificate"
	Revision     int         `dynamodbav:"revision"`
	Status       string      `dynamodbav:"status"`
	OwnerBIN     string      `dynamodbav:"ownerBin"`
	ObjectSearch string      `dynamodbav:"objectSearch"` // the object's name, lower-cased
	Entry        storedEntry `dynamodbav:"entry"`
}

// storedEntry is the entry item's map attribute entry (register.Entry). The public search
// filters on entry.OwnerIndividual.
type storedEntry struct {
	Number  string `dynamodbav:"Number"`
	Year    int    `dynamodbav:"Year"`
	Seq     int    `dynamodbav:"Seq"`
	CaseID  string `dynamodbav:"CaseID"`
	Edition string `dynamodbav:"Edition"`
	// EditionOutOfForce: register.Entry's, absent when false (as on entries stored before it).
	EditionOutOfForce bool              `dynamodbav:"EditionOutOfForce,omitempty"`
	ObjectID          string            `dynamodbav:"ObjectID"`
	ObjectName        string            `dynamodbav:"ObjectName"`
	ObjectKind        string            `dynamodbav:"ObjectKind"`
	Mandatory         bool              `dynamodbav:"Mandatory"`
	OwnerName         string            `dynamodbav:"OwnerName"`
	OwnerBIN          string            `dynamodbav:"OwnerBIN"`
	OwnerIndividual   bool              `dynamodbav:"OwnerIndividual"`
	Developer         string            `dynamodbav:"Developer"`
	Act               storedAct         `dynamodbav:"Act"`
	AdditionalAct     *storedAct        `dynamodbav:"AdditionalAct"`
	IssuedAt          time.Time         `dynamodbav:"IssuedAt"`
	ValidUntil        *time.Time        `dynamodbav:"ValidUntil"`
	Certificate       storedFile        `dynamodbav:"Certificate"`
	Data              storedFile        `dynamodbav:"Data"`
	Status            string            `dynamodbav:"Status"`
	ExpiredAt         *time.Time        `dynamodbav:"ExpiredAt"`
	Recall            *storedRecall     `dynamodbav:"Recall"`
	TerminatedAt      *time.Time        `dynamodbav:"TerminatedAt"`
	Monitoring        *storedMonitoring `dynamodbav:"Monitoring"`
	Changes           []storedChange    `dynamodbav:"Changes"`
	Duplicates        []storedDuplicate `dynamodbav:"Duplicates"`
	Cessation         *storedCessation  `dynamodbav:"Cessation"`
	Revision          int               `dynamodbav:"Revision"`
	UpdatedAt         time.Time         `dynamodbav:"UpdatedAt"`
	PreviousSHA256    string            `dynamodbav:"PreviousSHA256"`
	Seal              storedSeal        `dynamodbav:"Seal"`
	// AwaitingReceipt and ReceivedAt: the owner's receipt of the certificate (§28, §42); absent on
	// entries written before receipt was recorded (they count as received).
	AwaitingReceipt bool       `dynamodbav:"AwaitingReceipt,omitempty"`
	ReceivedAt      *time.Time `dynamodbav:"ReceivedAt,omitempty"`
	// RecallApplication: the owner's application for the recall (§45(2)); absent before.
	RecallApplication *storedRecallApplication `dynamodbav:"RecallApplication,omitempty"`
	// AtOffice: a paper case's certificate, handed over at the office (register.Entry); absent
	// when false.
	AtOffice bool `dynamodbav:"AtOffice,omitempty"`
}

// storedRecallApplication is the owner's application for the recall (register.RecallApplication).
type storedRecallApplication struct {
	Reasons    []string  `dynamodbav:"Reasons"`
	ReceivedAt time.Time `dynamodbav:"ReceivedAt"`
}

func toStoredRecallApplication(a register.RecallApplication) storedRecallApplication {
	return storedRecallApplication{Reasons: a.Reasons, ReceivedAt: a.ReceivedAt}
}

func (s storedRecallApplication) domain() register.RecallApplication {
	return register.RecallApplication{Reasons: s.Reasons, ReceivedAt: s.ReceivedAt}
}

// toStoredEntry is e as the entry item holds it: each change notice as its summary (apart, without
// its description and reasons, which its own item holds: changeItem).
func toStoredEntry(e register.Entry) storedEntry {
	return storedEntry{Number: e.Number, Year: e.Year, Seq: e.Seq, CaseID: e.CaseID, Edition: e.Edition, EditionOutOfForce: e.EditionOutOfForce, ObjectID: e.ObjectID,
		ObjectName: e.ObjectName, ObjectKind: e.ObjectKind, Mandatory: e.Mandatory, OwnerName: e.OwnerName, OwnerBIN: e.OwnerBIN,
		OwnerIndividual: e.OwnerIndividual, Developer: e.Developer, Act: toStoredAct(e.Act), AdditionalAct: mapPtr(e.AdditionalAct, toStoredAct),
		IssuedAt: e.IssuedAt, ValidUntil: e.ValidUntil, Certificate: toStoredFile(e.Certificate), Data: toStoredFile(e.Data),
		Status: string(e.Status), ExpiredAt: e.ExpiredAt, Recall: mapPtr(e.Recall, toStoredRecall), TerminatedAt: e.TerminatedAt,
		Monitoring: mapPtr(e.Monitoring, toStoredMonitoring), Changes: mapSlice(e.Changes, toChangeSummary),
		Duplicates: mapSlice(e.Duplicates, toStoredDuplicate), Cessation: mapPtr(e.Cessation, toStoredCessation),
		Revision: e.Revision, UpdatedAt: e.UpdatedAt, PreviousSHA256: e.PreviousSHA256, Seal: toStoredSeal(e.Seal),
		AwaitingReceipt: e.AwaitingReceipt, ReceivedAt: e.ReceivedAt, RecallApplication: mapPtr(e.RecallApplication, toStoredRecallApplication),
		AtOffice: e.AtOffice}
}

// domain is the entry as the entry item holds it: the change notices held apart have no
// description nor reasons until joined with their items (joinChanges); InlineChanges says the
// item holds them whole, as entries did before each notice got an item of its own.
func (s storedEntry) domain() register.Entry {
	return register.Entry{InlineChanges: slices.ContainsFunc(s.Changes, func(c storedChange) bool { return !c.Apart }),
		Number: s.Number, Year: s.Year, Seq: s.Seq, CaseID: s.CaseID, Edition: s.Edition, EditionOutOfForce: s.EditionOutOfForce, ObjectID: s.ObjectID,
		ObjectName: s.ObjectName, ObjectKind: s.ObjectKind, Mandatory: s.Mandatory, OwnerName: s.OwnerName, OwnerBIN: s.OwnerBIN,
		OwnerIndividual: s.OwnerIndividual, Developer: s.Developer, Act: s.Act.domain(), AdditionalAct: mapPtr(s.AdditionalAct, storedAct.domain),
		IssuedAt: s.IssuedAt, ValidUntil: s.ValidUntil, Certificate: s.Certificate.domain(), Data: s.Data.domain(),
		Status: register.Status(s.Status), ExpiredAt: s.ExpiredAt, Recall: mapPtr(s.Recall, storedRecall.domain), TerminatedAt: s.TerminatedAt,
		Monitoring: mapPtr(s.Monitoring, storedMonitoring.domain), Changes: mapSlice(s.Changes, storedChange.domain),
		Duplicates: mapSlice(s.Duplicates, storedDuplicate.domain), Cessation: mapPtr(s.Cessation, storedCessation.domain),
		Revision: s.Revision, UpdatedAt: s.UpdatedAt, PreviousSHA256: s.PreviousSHA256, Seal: s.Seal.domain(),
		AwaitingReceipt: s.AwaitingReceipt, ReceivedAt: s.ReceivedAt, RecallApplication: mapPtr(s.RecallApplication, storedRecallApplication.domain),
		AtOffice: s.AtOffice}
}

func toEntryItem(e register.Entry) entryItem {
	it := entryItem{
		keys: keys{PK: registerPK + e.Number, SK: entrySK,
			GSI1PK: "ORG#" + e.OwnerBIN, GSI1SK: "CERT#" + e.Number,
			GSI3PK: registerAll, GSI3SK: e.Number},
		Type: "certificate", Revision: e.Revision, Status: string(e.Status), OwnerBIN: e.OwnerBIN,
		ObjectSearch: strings.ToLower(e.ObjectName), Entry: toStoredEntry(e),
	}
	// The deadline check's watch after the certificate (register_life.go).
	it.GSI2PK, it.GSI2SK = watchKeys(e)
	return it
}

// storedFile is a file of the register pinned by version and SHA-256 (register.Document).
type storedFile struct {
	Key       string `dynamodbav:"Key"`
	VersionID string `dynamodbav:"VersionID"`
	SHA256    string `dynamodbav:"SHA256"`
}

func toStoredFile(d register.Document) storedFile {
	return storedFile{Key: d.Key, VersionID: d.VersionID, SHA256: d.SHA256}
}

func (s storedFile) domain() register.Document {
	return register.Document{Key: s.Key, VersionID: s.VersionID, SHA256: s.SHA256}
}

// storedAct is an act of the STS as the register keeps it (register.Act).
type storedAct struct {
	Number   string              `dynamodbav:"Number"`
	Date     time.Time           `dynamodbav:"Date"`
	Day      string              `dynamodbav:"Day,omitempty"` // absent on acts recorded before it existed
	Document storedFile          `dynamodbav:"Document"`
	Signed   *storedActSignature `dynamodbav:"Signed,omitempty"` // issue 17 (items_signatures.go)
}

func toStoredAct(a register.Act) storedAct {
	return storedAct{Number: a.Number, Date: a.Date, Day: a.Day, Document: toStoredFile(a.Document), Signed: toStoredActSignature(a.Signed)}
}

func (s storedAct) domain() register.Act {
	return register.Act{Number: s.Number, Date: s.Date, Day: s.Day, Document: s.Document.domain(), Signed: s.Signed.domain()}
}

// storedRecall is the recall of the certificate and its return (register.Recall, §45-§46).
type storedRecall struct {
	Ground        string      `dynamodbav:"Ground"`
	Number        int         `dynamodbav:"Number"`
	Paragraph     string      `dynamodbav:"Paragraph"`
	Reasons       []string    `dynamodbav:"Reasons"`
	DecidedAt     time.Time   `dynamodbav:"DecidedAt"`
	Decision      *storedFile `dynamodbav:"Decision"`
	DecisionPDF   *storedFile `dynamodbav:"DecisionPDF"`
	ReturnDueAt   time.Time   `dynamodbav:"ReturnDueAt"`
	ReturnedAt    *time.Time  `dynamodbav:"ReturnedAt"`
	ReturnOverdue bool        `dynamodbav:"ReturnOverdue"`
	ChangeID      string      `dynamodbav:"ChangeID"`
	// ReturnAwaitsHandOver and HandedOverAt: a paper case's copy of the decision and its
	// hand-over at the office (register.Recall); absent on every other recall.
	ReturnAwaitsHandOver bool       `dynamodbav:"ReturnAwaitsHandOver,omitempty"`
	HandedOverAt         *time.Time `dynamodbav:"HandedOverAt,omitempty"`
}

func toStoredRecall(r register.Recall) storedRecall {
	return storedRecall{Ground: r.Ground, Number: r.Number, Paragraph: r.Paragraph, Reasons: r.Reasons, DecidedAt: r.DecidedAt,
		Decision: mapPtr(r.Decision, toStoredFile), DecisionPDF: mapPtr(r.DecisionPDF, toStoredFile), ReturnDueAt: r.ReturnDueAt,
		ReturnedAt: r.ReturnedAt, ReturnOverdue: r.ReturnOverdue, ChangeID: r.ChangeID,
		ReturnAwaitsHandOver: r.ReturnAwaitsHandOver, HandedOverAt: r.HandedOverAt}
}

func (s storedRecall) domain() register.Recall {
	return register.Recall{Ground: s.Ground, Number: s.Number, Paragraph: s.Paragraph, Reasons: s.Reasons, DecidedAt: s.DecidedAt,
		Decision: mapPtr(s.Decision, storedFile.domain), DecisionPDF: mapPtr(s.DecisionPDF, storedFile.domain), ReturnDueAt: s.ReturnDueAt,
		ReturnedAt: s.ReturnedAt, ReturnOverdue: s.ReturnOverdue, ChangeID: s.ChangeID,
		ReturnAwaitsHandOver: s.ReturnAwaitsHandOver, HandedOverAt: s.HandedOverAt}
}

// storedMonitoring is the obligation to connect to monitoring (register.Monitoring, §42).
type storedMonitoring struct {
	DueAt       time.Time  `dynamodbav:"DueAt"`
	ConnectedAt *time.Time `dynamodbav:"ConnectedAt"`
	Overdue     bool       `dynamodbav:"Overdue"`
	// AwaitsHandOver: a paper case's year waits for the hand-over (register.Monitoring); absent
	// when false.
	AwaitsHandOver bool `dynamodbav:"AwaitsHandOver,omitempty"`
}

func toStoredMonitoring(m register.Monitoring) storedMonitoring {
	return storedMonitoring{DueAt: m.DueAt, ConnectedAt: m.ConnectedAt, Overdue: m.Overdue, AwaitsHandOver: m.AwaitsHandOver}
}

func (s storedMonitoring) domain() register.Monitoring {
	return register.Monitoring{DueAt: s.DueAt, ConnectedAt: s.ConnectedAt, Overdue: s.Overdue, AwaitsHandOver: s.AwaitsHandOver}
}

// storedChange is a notice of changes and its decision (register.ChangeNotice, §43-§44): whole in
// its own item (changeItem), and as a summary on the entry (Apart, with an empty Description and
// NULL Reasons). An entry written before the notices got their own items holds them whole
// (Apart absent, read as false).
type storedChange struct {
	ID                  string     `dynamodbav:"ID"`
	Description         string     `dynamodbav:"Description"`
	ServiceSoftwareOnly bool       `dynamodbav:"ServiceSoftwareOnly"`
	ReceivedAt          time.Time  `dynamodbav:"ReceivedAt"`
	DueAt               time.Time  `dynamodbav:"DueAt"`
	Overdue             bool       `dynamodbav:"Overdue"`
	Decision            string     `dynamodbav:"Decision"`
	Reasons             []string   `dynamodbav:"Reasons"`
	DecidedAt           *time.Time `dynamodbav:"DecidedAt"`
	Apart               bool       `dynamodbav:"Apart,omitempty"` // the description and reasons are in the notice's own item
	// Commission: the attestation commission of the decision (Law Art. 51(11)), absent without
	// one; its members' names are free text, kept in the notice's own item only.
	Commission *storedCommission `dynamodbav:"Commission,omitempty"`
}

// toChangeSummary is c as the entry keeps it: without its free text, which its own item holds.
func toChangeSummary(c register.ChangeNotice) storedChange {
	s := toStoredChange(c)
	s.Description, s.Reasons, s.Commission, s.Apart = "", nil, nil, true
	return s
}

func toStoredChange(c register.ChangeNotice) storedChange {
	return storedChange{ID: c.ID, Description: c.Description, ServiceSoftwareOnly: c.ServiceSoftwareOnly, ReceivedAt: c.ReceivedAt,
		DueAt: c.DueAt, Overdue: c.Overdue, Decision: c.Decision, Reasons: c.Reasons, DecidedAt: c.DecidedAt,
		Commission: mapPtr(c.Commission, toStoredCommission)}
}

func (s storedChange) domain() register.ChangeNotice {
	return register.ChangeNotice{ID: s.ID, Description: s.Description, ServiceSoftwareOnly: s.ServiceSoftwareOnly, ReceivedAt: s.ReceivedAt,
		DueAt: s.DueAt, Overdue: s.Overdue, Decision: s.Decision, Reasons: s.Reasons, DecidedAt: s.DecidedAt,
		Commission: mapPtr(s.Commission, storedCommission.domain)}
}

// changeItem is one change notice of a certificate, whole (pk CERT#<number>, sk CHANGE#<id>).
type changeItem struct {
	keys
	Type   string       `dynamodbav:"type"` // "certificate-change"
	Number string       `dynamodbav:"number"`
	Change storedChange `dynamodbav:"change"`
}

func toChangeItem(number string, c register.ChangeNotice) changeItem {
	return changeItem{keys: keys{PK: registerPK + number, SK: changeSK + c.ID}, Type: "certificate-change", Number: number,
		Change: toStoredChange(c)}
}

func (it changeItem) domain() register.ChangeNotice { return it.Change.domain() }

// storedDuplicate is a request for a duplicate and the duplicate issued (register.DuplicateRequest, §48).
type storedDuplicate struct {
	ID         string      `dynamodbav:"ID"`
	Reason     string      `dynamodbav:"Reason"`
	ReceivedAt time.Time   `dynamodbav:"ReceivedAt"`
	DueAt      time.Time   `dynamodbav:"DueAt"`
	Overdue    bool        `dynamodbav:"Overdue"`
	IssuedAt   *time.Time  `dynamodbav:"IssuedAt"`
	Document   *storedFile `dynamodbav:"Document"`
}

func toStoredDuplicate(d register.DuplicateRequest) storedDuplicate {
	return storedDuplicate{ID: d.ID, Reason: d.Reason, ReceivedAt: d.ReceivedAt, DueAt: d.DueAt, Overdue: d.Overdue,
		IssuedAt: d.IssuedAt, Document: mapPtr(d.Document, toStoredFile)}
}

func (s storedDuplicate) domain() register.DuplicateRequest {
	return register.DuplicateRequest{ID: s.ID, Reason: s.Reason, ReceivedAt: s.ReceivedAt, DueAt: s.DueAt, Overdue: s.Overdue,
		IssuedAt: s.IssuedAt, Document: mapPtr(s.Document, storedFile.domain)}
}

// storedCessation is the owner's notice that operation ceased (register.Cessation).
type storedCessation struct {
	CeasedOn   string    `dynamodbav:"CeasedOn"` // YYYY-MM-DD
	NotifiedAt time.Time `dynamodbav:"NotifiedAt"`
}

func toStoredCessation(c register.Cessation) storedCessation {
	return storedCessation{CeasedOn: c.CeasedOn, NotifiedAt: c.NotifiedAt}
}

func (s storedCessation) domain() register.Cessation {
	return register.Cessation{CeasedOn: s.CeasedOn, NotifiedAt: s.NotifiedAt}
}

// storedSeal is a revision's signed payload and its signature (register.Seal): binary attributes.
type storedSeal struct {
	Payload   []byte          `dynamodbav:"Payload"`
	Signature storedSignature `dynamodbav:"Signature"`
}

// storedSignature is a signature over a seal's payload (signing.Signature).
type storedSignature struct {
	KeyID     string `dynamodbav:"KeyID"`
	Algorithm string `dynamodbav:"Algorithm"`
	Value     []byte `dynamodbav:"Value"`
}

func toStoredSeal(s register.Seal) storedSeal {
	return storedSeal{Payload: s.Payload,
		Signature: storedSignature{KeyID: s.Signature.KeyID, Algorithm: s.Signature.Algorithm, Value: s.Signature.Value}}
}

func (s storedSeal) domain() register.Seal {
	return register.Seal{Payload: s.Payload,
		Signature: signing.Signature{KeyID: s.Signature.KeyID, Algorithm: s.Signature.Algorithm, Value: s.Signature.Value}}
}

// revisionItem is one signed revision of an entry (pk CERT#<number>, sk REV#<revision>).
type revisionItem struct {
	keys
	Type     string         `dynamodbav:"type"` // "certificate-revision"
	Number   string         `dynamodbav:"number"`
	Revision storedRevision `dynamodbav:"revision"`
}

// storedRevision is the revision item's map attribute revision (register.Revision).
type storedRevision struct {
	Number    int        `dynamodbav:"Number"`
	At        time.Time  `dynamodbav:"At"`
	Actor     string     `dynamodbav:"Actor"`
	Role      string     `dynamodbav:"Role"`
	What      string     `dynamodbav:"What"`
	Paragraph string     `dynamodbav:"Paragraph"`
	Seal      storedSeal `dynamodbav:"Seal"`
}

func toRevisionItem(number string, r register.Revision) revisionItem {
	return revisionItem{keys: keys{PK: registerPK + number, SK: revisionKey(r.Number)}, Type: "certificate-revision", Number: number,
		Revision: storedRevision{Number: r.Number, At: r.At, Actor: r.Actor, Role: r.Role, What: r.What, Paragraph: r.Paragraph,
			Seal: toStoredSeal(r.Seal)}}
}

func (it revisionItem) domain() register.Revision {
	s := it.Revision
	return register.Revision{Number: s.Number, At: s.At, Actor: s.Actor, Role: s.Role, What: s.What, Paragraph: s.Paragraph,
		Seal: s.Seal.domain()}
}
