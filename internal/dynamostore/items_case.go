package dynamostore

import (
	"fmt"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// The case family: the case item, its history events, and the certificate item written when a
// certificate is issued (§29).

// caseItem is a case as stored: its keys, its version at the top (writes are conditional on
// it) and the case itself as a map.
type caseItem struct {
	keys
	Type    string     `dynamodbav:"type"` // "case"
	Version int        `dynamodbav:"version"`
	Case    storedCase `dynamodbav:"case"`
}

// caseDocumentsItem is a case's documents (attestation.Case.Documents), apart from the case item
// since they are most of its size (22 documents of a package: about 4.4 KB of a 5.9 KB item) and
// few reads and writes need them: CASE#<id> / DOCS, in no index. Written with the case whenever
// they change; a case item written before it holds them inline (storedCase.Documents).
type caseDocumentsItem struct {
	PK        string           `dynamodbav:"pk"`
	SK        string           `dynamodbav:"sk"`
	Type      string           `dynamodbav:"type"`    // "case_documents"
	Version   int              `dynamodbav:"version"` // the case's version that wrote them
	Documents []storedDocument `dynamodbav:"documents"`
}

// documentsSK is the sort key of a case's documents item.
const documentsSK = "DOCS"

func toDocumentsItem(c attestation.Case) caseDocumentsItem {
	return caseDocumentsItem{PK: casePK(c.ID), SK: documentsSK, Type: "case_documents", Version: c.Version,
		Documents: mapSlice(c.Documents, toStoredDocument)}
}

// storedCase is the case item's map attribute case. MarkCallback updates
// case.LastDecision.Callback in place, conditional on case.LastDecision.Token; the oversight
// reads project some of its members (filedFields).
type storedCase struct {
	ID                   string            `dynamodbav:"ID"`
	OrganizationBIN      string            `dynamodbav:"OrganizationBIN"`
	ApplicantName        string            `dynamodbav:"ApplicantName"`
	ObjectName           string            `dynamodbav:"ObjectName"`
	ObjectKind           string            `dynamodbav:"ObjectKind"`
	Developer            string            `dynamodbav:"Developer"`
	Flags                storedFlags       `dynamodbav:"Flags"`
	Distributed          bool              `dynamodbav:"Distributed"`
	Package              *storedDocument   `dynamodbav:"Package"`
	Edition              string            `dynamodbav:"Edition"`
	Stage                string            `dynamodbav:"Stage"`
	Version              int               `dynamodbav:"Version"`
	SubmittedAt          time.Time         `dynamodbav:"SubmittedAt"`
	ReceivedAt           time.Time         `dynamodbav:"ReceivedAt"`
	Receipt              *storedDocument   `dynamodbav:"Receipt"`
	OpenStep             *storedStep       `dynamodbav:"OpenStep"`
	LastDecision         *storedDecision   `dynamodbav:"LastDecision"`
	Decision             string            `dynamodbav:"Decision"`
	RectificationOrdered bool              `dynamodbav:"RectificationOrdered"`
	ContractInForce      *time.Time        `dynamodbav:"ContractInForce"`
	Documents            []storedDocument  `dynamodbav:"Documents,omitempty"` // only in items written before the documents item (caseDocumentsItem)
	Certificate          string            `dynamodbav:"Certificate"`
	SurveyAct            *storedActDetails `dynamodbav:"SurveyAct"`
	AdditionalSurveyAct  *storedActDetails `dynamodbav:"AdditionalSurveyAct"`
	Terms                *storedTerms      `dynamodbav:"Terms"`
	ObjectID             string            `dynamodbav:"ObjectID"`
	ApplicantIndividual  bool              `dynamodbav:"ApplicantIndividual"`
	Events               int               `dynamodbav:"Events"`
	Attention            *storedAttention  `dynamodbav:"Attention,omitempty"`
	Term                 *storedTerm       `dynamodbav:"Term,omitempty"`      // standard §4; absent on cases stored before it
	Paper                *storedPaper      `dynamodbav:"Paper,omitempty"`     // standard §9: filed on paper at the office (items_paper.go)
	HandOvers            []storedHandOver  `dynamodbav:"HandOvers,omitempty"` // results handed over at the office
	// EditionOutOfForce: filed on a date its edition does not cover (model mode); absent when
	// false, as on every case stored before it existed.
	EditionOutOfForce bool `dynamodbav:"EditionOutOfForce,omitempty"`
	// Commissions: the attestation commissions of Law Art. 51(6) (attestation.Commission), absent
	// when none (every case of the Rules' edition, and those stored before).
	Commissions []storedCommission `dynamodbav:"Commissions,omitempty"`
}

// storedTerm is the case's service term (attestation.ServiceTerm, standard §4).
type storedTerm struct {
	DueAt       *time.Time `dynamodbav:"DueAt,omitempty"` // absent while Uncountable
	Paragraph   string     `dynamodbav:"Paragraph"`
	Extended    bool       `dynamodbav:"Extended"`
	Provisional bool       `dynamodbav:"Provisional"`
	Overdue     bool       `dynamodbav:"Overdue"`
	Uncountable string     `dynamodbav:"Uncountable,omitempty"`
	Year        int        `dynamodbav:"Year,omitempty"`
}

func toStoredTerm(t attestation.ServiceTerm) storedTerm {
	s := storedTerm{Paragraph: t.Paragraph, Extended: t.Extended, Provisional: t.Provisional, Overdue: t.Overdue,
		Uncountable: t.Uncountable, Year: t.Year}
	if !t.DueAt.IsZero() {
		due := t.DueAt
		s.DueAt = &due
	}
	return s
}

func (s storedTerm) domain() attestation.ServiceTerm {
	t := attestation.ServiceTerm{Paragraph: s.Paragraph, Extended: s.Extended, Provisional: s.Provisional, Overdue: s.Overdue,
		Uncountable: s.Uncountable, Year: s.Year}
	if s.DueAt != nil {
		t.DueAt = *s.DueAt
	}
	return t
}

func toStoredCase(c attestation.Case) storedCase {
	return storedCase{ID: c.ID, OrganizationBIN: c.OrganizationBIN, ApplicantName: c.ApplicantName, ObjectName: c.ObjectName,
		ObjectKind: c.ObjectKind, Developer: c.Developer, Flags: toStoredFlags(c.Flags), Distributed: c.Distributed,
		Package: mapPtr(c.Package, toStoredDocument), Edition: c.Edition, EditionOutOfForce: c.EditionOutOfForce, Stage: string(c.Stage), Version: c.Version,
		Commissions: mapSlice(c.Commissions, toStoredCommission),
		SubmittedAt: c.SubmittedAt, ReceivedAt: c.ReceivedAt, Receipt: mapPtr(c.Receipt, toStoredDocument),
		OpenStep: mapPtr(c.OpenStep, toStoredStep), LastDecision: mapPtr(c.LastDecision, toStoredDecision),
		Decision: string(c.Decision), RectificationOrdered: c.RectificationOrdered, ContractInForce: c.ContractInForce,
		Documents: mapSlice(c.Documents, toStoredDocument), Certificate: c.Certificate,
		SurveyAct: mapPtr(c.SurveyAct, toStoredActDetails), AdditionalSurveyAct: mapPtr(c.AdditionalSurveyAct, toStoredActDetails),
		Terms: mapPtr(c.Terms, toStoredTerms), ObjectID: c.ObjectID, ApplicantIndividual: c.ApplicantIndividual, Events: c.Events,
		Attention: mapPtr(c.Attention, toStoredAttention), Term: mapPtr(c.Term, toStoredTerm),
		Paper: mapPtr(c.Paper, toStoredPaper), HandOvers: mapSlice(c.HandOvers, toStoredHandOver)}
}

func (s storedCase) domain() attestation.Case {
	return attestation.Case{ID: s.ID, OrganizationBIN: s.OrganizationBIN, ApplicantName: s.ApplicantName, ObjectName: s.ObjectName,
		ObjectKind: s.ObjectKind, Developer: s.Developer, Flags: s.Flags.domain(), Distributed: s.Distributed,
		Package: mapPtr(s.Package, storedDocument.domain), Edition: s.Edition, EditionOutOfForce: s.EditionOutOfForce, Stage: attestation.Stage(s.Stage), Version: s.Version,
		Commissions: mapSlice(s.Commissions, storedCommission.domain),
		SubmittedAt: s.SubmittedAt, ReceivedAt: s.ReceivedAt, Receipt: mapPtr(s.Receipt, storedDocument.domain),
		OpenStep: mapPtr(s.OpenStep, storedStep.domain), LastDecision: mapPtr(s.LastDecision, storedDecision.domain),
		Decision: attestation.Outcome(s.Decision), RectificationOrdered: s.RectificationOrdered, ContractInForce: s.ContractInForce,
		Documents: mapSlice(s.Documents, storedDocument.domain), Certificate: s.Certificate,
		SurveyAct: mapPtr(s.SurveyAct, storedActDetails.domain), AdditionalSurveyAct: mapPtr(s.AdditionalSurveyAct, storedActDetails.domain),
		Terms: mapPtr(s.Terms, storedTerms.domain), ObjectID: s.ObjectID, ApplicantIndividual: s.ApplicantIndividual, Events: s.Events,
		Attention: mapPtr(s.Attention, storedAttention.domain), Term: mapPtr(s.Term, storedTerm.domain),
		Paper: mapPtr(s.Paper, storedPaper.domain), HandOvers: mapSlice(s.HandOvers, storedHandOver.domain)}
}

// storedFlags are the facts of the package (attestation.ObjectFlags), in the case and in a
// draft's package.
type storedFlags struct {
	UsesCryptography          bool `dynamodbav:"UsesCryptography"`
	UsesICTServices           bool `dynamodbav:"UsesICTServices"`
	HasIntegratedObjects      bool `dynamodbav:"HasIntegratedObjects"`
	GeographicallyDistributed bool `dynamodbav:"GeographicallyDistributed"`
}

func toStoredFlags(f attestation.ObjectFlags) storedFlags {
	return storedFlags{UsesCryptography: f.UsesCryptography, UsesICTServices: f.UsesICTServices,
		HasIntegratedObjects: f.HasIntegratedObjects, GeographicallyDistributed: f.GeographicallyDistributed}
}

func (s storedFlags) domain() attestation.ObjectFlags {
	return attestation.ObjectFlags{UsesCryptography: s.UsesCryptography, UsesICTServices: s.UsesICTServices,
		HasIntegratedObjects: s.HasIntegratedObjects, GeographicallyDistributed: s.GeographicallyDistributed}
}

// storedAttention is why the workflow stopped moving the case (attestation.Attention); absent
// on a case that never needed attention.
type storedAttention struct {
	Error  string    `dynamodbav:"Error"`
	Cause  string    `dynamodbav:"Cause"`
	At     time.Time `dynamodbav:"At"`
	Stage  string    `dynamodbav:"Stage"`
	Source string    `dynamodbav:"Source"`
	// Task, Token and Handback came with the hand-back (absent on older items, read as none).
	Task     string          `dynamodbav:"Task,omitempty"`
	Token    string          `dynamodbav:"Token,omitempty"`
	Handback *storedHandback `dynamodbav:"Handback,omitempty"`
}

// storedHandback is the authority's act on a case that needed attention (attestation.Handback).
type storedHandback struct {
	Outcome  string    `dynamodbav:"Outcome"`
	Reasons  []string  `dynamodbav:"Reasons,omitempty"`
	Actor    string    `dynamodbav:"Actor"`
	Role     string    `dynamodbav:"Role"`
	At       time.Time `dynamodbav:"At"`
	Callback string    `dynamodbav:"Callback,omitempty"`
}

func toStoredAttention(a attestation.Attention) storedAttention {
	return storedAttention{Error: a.Error, Cause: a.Cause, At: a.At, Stage: string(a.Stage), Source: a.Source, Task: a.Task, Token: a.Token,
		Handback: mapPtr(a.Handback, func(h attestation.Handback) storedHandback {
			return storedHandback{Outcome: h.Outcome, Reasons: h.Reasons, Actor: h.Actor, Role: string(h.Role), At: h.At, Callback: h.Callback}
		})}
}

func (s storedAttention) domain() attestation.Attention {
	return attestation.Attention{Error: s.Error, Cause: s.Cause, At: s.At, Stage: attestation.Stage(s.Stage), Source: s.Source, Task: s.Task, Token: s.Token,
		Handback: mapPtr(s.Handback, func(h storedHandback) attestation.Handback {
			return attestation.Handback{Outcome: h.Outcome, Reasons: h.Reasons, Actor: h.Actor, Role: identity.Role(h.Role), At: h.At, Callback: h.Callback}
		})}
}

// storedStep is the open human step (attestation.Step): its task token, who acts, by when.
type storedStep struct {
	Name        string    `dynamodbav:"Name"`
	Role        string    `dynamodbav:"Role"`
	Token       string    `dynamodbav:"Token"`
	OpenedAt    time.Time `dynamodbav:"OpenedAt"`
	DueAt       time.Time `dynamodbav:"DueAt"`
	Paragraph   string    `dynamodbav:"Paragraph"`
	Provisional bool      `dynamodbav:"Provisional"`
	Overdue     bool      `dynamodbav:"Overdue"`
	Reopened    int       `dynamodbav:"Reopened"`
	Reminded    int       `dynamodbav:"Reminded,omitempty"` // issue 13's reminders; absent before the first
	// AwaitsHandOver and HandedOverAt: a paper case's period from the hand-over at the office
	// (attestation.Step); absent on every online case's step.
	AwaitsHandOver bool       `dynamodbav:"AwaitsHandOver,omitempty"`
	HandedOverAt   *time.Time `dynamodbav:"HandedOverAt,omitempty"`
}

func toStoredStep(s attestation.Step) storedStep {
	return storedStep{Name: s.Name, Role: string(s.Role), Token: s.Token, OpenedAt: s.OpenedAt, DueAt: s.DueAt,
		Paragraph: s.Paragraph, Provisional: s.Provisional, Overdue: s.Overdue, Reopened: s.Reopened, Reminded: s.Reminded,
		AwaitsHandOver: s.AwaitsHandOver, HandedOverAt: s.HandedOverAt}
}

func (s storedStep) domain() attestation.Step {
	return attestation.Step{Name: s.Name, Role: identity.Role(s.Role), Token: s.Token, OpenedAt: s.OpenedAt, DueAt: s.DueAt,
		Paragraph: s.Paragraph, Provisional: s.Provisional, Overdue: s.Overdue, Reopened: s.Reopened, Reminded: s.Reminded,
		AwaitsHandOver: s.AwaitsHandOver, HandedOverAt: s.HandedOverAt}
}

// storedDecision is the last completed step (attestation.Decision) with its callback state.
type storedDecision struct {
	Step           string            `dynamodbav:"Step"`
	Token          string            `dynamodbav:"Token"`
	Outcome        string            `dynamodbav:"Outcome"`
	Reasons        []string          `dynamodbav:"Reasons"`
	Documents      []storedDocument  `dynamodbav:"Documents"`
	EntryIntoForce *time.Time        `dynamodbav:"EntryIntoForce"`
	Act            *storedActDetails `dynamodbav:"Act"`
	Certificate    *storedTerms      `dynamodbav:"Certificate"`
	Actor          string            `dynamodbav:"Actor"`
	Role           string            `dynamodbav:"Role"`
	At             time.Time         `dynamodbav:"At"`
	Next           *storedNextStep   `dynamodbav:"Next"`
	Callback       string            `dynamodbav:"Callback"`
	Error          string            `dynamodbav:"Error"`
	Grounds        []string          `dynamodbav:"Grounds,omitempty"` // standard §10; absent before grounds were named
}

func toStoredDecision(d attestation.Decision) storedDecision {
	return storedDecision{Step: d.Step, Token: d.Token, Outcome: string(d.Outcome), Reasons: d.Reasons,
		Documents: mapSlice(d.Documents, toStoredDocument), EntryIntoForce: d.EntryIntoForce,
		Act: mapPtr(d.Act, toStoredActDetails), Certificate: mapPtr(d.Certificate, toStoredTerms), Actor: d.Actor,
		Role: string(d.Role), At: d.At, Next: mapPtr(d.Next, toStoredNextStep), Callback: d.Callback, Error: d.Error, Grounds: d.Grounds}
}

func (s storedDecision) domain() attestation.Decision {
	return attestation.Decision{Step: s.Step, Token: s.Token, Outcome: attestation.Outcome(s.Outcome), Reasons: s.Reasons,
		Documents: mapSlice(s.Documents, storedDocument.domain), EntryIntoForce: s.EntryIntoForce,
		Act: mapPtr(s.Act, storedActDetails.domain), Certificate: mapPtr(s.Certificate, storedTerms.domain), Actor: s.Actor,
		Role: identity.Role(s.Role), At: s.At, Next: mapPtr(s.Next, storedNextStep.domain), Callback: s.Callback, Error: s.Error, Grounds: s.Grounds}
}

// storedNextStep is what opens the step after a decision (attestation.NextStep).
type storedNextStep struct {
	Stage          string    `dynamodbav:"Stage"`
	OpensAt        time.Time `dynamodbav:"OpensAt"`
	TimeoutSeconds int64     `dynamodbav:"TimeoutSeconds"`
}

func toStoredNextStep(n attestation.NextStep) storedNextStep {
	return storedNextStep{Stage: string(n.Stage), OpensAt: n.OpensAt, TimeoutSeconds: n.TimeoutSeconds}
}

func (s storedNextStep) domain() attestation.NextStep {
	return attestation.NextStep{Stage: attestation.Stage(s.Stage), OpensAt: s.OpensAt, TimeoutSeconds: s.TimeoutSeconds}
}

// storedDocument is a stored file of a case, pinned by version and hash (attestation.Document).
type storedDocument struct {
	Kind      string     `dynamodbav:"Kind"`
	Key       string     `dynamodbav:"Key"`
	VersionID string     `dynamodbav:"VersionID"`
	SHA256    string     `dynamodbav:"SHA256"`
	Step      string     `dynamodbav:"Step"`
	SentAt    *time.Time `dynamodbav:"SentAt"`
	Signature *storedEDS `dynamodbav:"Signature,omitempty"` // issue 17
}

func toStoredDocument(d attestation.Document) storedDocument {
	return storedDocument{Kind: d.Kind, Key: d.Key, VersionID: d.VersionID, SHA256: d.SHA256, Step: d.Step, SentAt: d.SentAt,
		Signature: toStoredEDS(d.Signature)}
}

func (s storedDocument) domain() attestation.Document {
	return attestation.Document{Kind: s.Kind, Key: s.Key, VersionID: s.VersionID, SHA256: s.SHA256, Step: s.Step, SentAt: s.SentAt,
		Signature: s.Signature.domain()}
}

// storedActDetails are an act's number and date as the STS stated them (attestation.ActDetails).
type storedActDetails struct {
	Number string `dynamodbav:"Number"`
	Date   string `dynamodbav:"Date"` // YYYY-MM-DD
	// The survey's content (§20, §22) and the act's copies (§25, §35), absent when empty (acts
	// stored before them).
	MethodologyVersion string               `dynamodbav:"MethodologyVersion,omitempty"`
	Components         []storedActComponent `dynamodbav:"Components,omitempty"`
	Copies             []storedActCopy      `dynamodbav:"Copies,omitempty"`
}

// storedActComponent is one component of a survey with its finding (attestation.ActComponent).
type storedActComponent struct {
	Component string `dynamodbav:"Component"`
	Result    string `dynamodbav:"Result"`
	Finding   string `dynamodbav:"Finding"`
}

// storedActCopy is one copy of an act (attestation.ActCopy).
type storedActCopy struct {
	For        string     `dynamodbav:"For"`
	HeldBy     string     `dynamodbav:"HeldBy"`
	ReceivedBy string     `dynamodbav:"ReceivedBy,omitempty"`
	ReceivedAt *time.Time `dynamodbav:"ReceivedAt,omitempty"`
}

func toStoredActDetails(a attestation.ActDetails) storedActDetails {
	return storedActDetails{Number: a.Number, Date: a.Date, MethodologyVersion: a.MethodologyVersion,
		Components: mapSlice(a.Components, func(c attestation.ActComponent) storedActComponent {
			return storedActComponent{Component: c.Component, Result: c.Result, Finding: c.Finding}
		}),
		Copies: mapSlice(a.Copies, func(c attestation.ActCopy) storedActCopy {
			return storedActCopy{For: c.For, HeldBy: c.HeldBy, ReceivedBy: c.ReceivedBy, ReceivedAt: c.ReceivedAt}
		})}
}

func (s storedActDetails) domain() attestation.ActDetails {
	return attestation.ActDetails{Number: s.Number, Date: s.Date, MethodologyVersion: s.MethodologyVersion,
		Components: mapSlice(s.Components, func(c storedActComponent) attestation.ActComponent {
			return attestation.ActComponent{Component: c.Component, Result: c.Result, Finding: c.Finding}
		}),
		Copies: mapSlice(s.Copies, func(c storedActCopy) attestation.ActCopy {
			return attestation.ActCopy{For: c.For, HeldBy: c.HeldBy, ReceivedBy: c.ReceivedBy, ReceivedAt: c.ReceivedAt}
		})}
}

// storedTerms are the certificate's terms (attestation.CertificateTerms).
type storedTerms struct {
	InformationCategory string         `dynamodbav:"InformationCategory"`
	InformationText     *storedText    `dynamodbav:"InformationText"`
	Prohibitions        []storedText   `dynamodbav:"Prohibitions"`
	NotifiableChanges   []storedText   `dynamodbav:"NotifiableChanges"`
	Chairman            storedChairman `dynamodbav:"Chairman"`
}

func toStoredTerms(t attestation.CertificateTerms) storedTerms {
	return storedTerms{InformationCategory: t.InformationCategory, InformationText: mapPtr(t.InformationText, toStoredText),
		Prohibitions: mapSlice(t.Prohibitions, toStoredText), NotifiableChanges: mapSlice(t.NotifiableChanges, toStoredText),
		Chairman: storedChairman{Name: t.Chairman.Name, Position: toStoredText(t.Chairman.Position)}}
}

func (s storedTerms) domain() attestation.CertificateTerms {
	return attestation.CertificateTerms{InformationCategory: s.InformationCategory, InformationText: mapPtr(s.InformationText, storedText.domain),
		Prohibitions: mapSlice(s.Prohibitions, storedText.domain), NotifiableChanges: mapSlice(s.NotifiableChanges, storedText.domain),
		Chairman: attestation.Chairman{Name: s.Chairman.Name, Position: s.Chairman.Position.domain()}}
}

// storedText is one wording in three languages (attestation.Text).
type storedText struct {
	KK string `dynamodbav:"KK"`
	RU string `dynamodbav:"RU"`
	EN string `dynamodbav:"EN"`
}

func toStoredText(t attestation.Text) storedText { return storedText{KK: t.KK, RU: t.RU, EN: t.EN} }

func (s storedText) domain() attestation.Text { return attestation.Text{KK: s.KK, RU: s.RU, EN: s.EN} }

// storedChairman is who signs the certificate (attestation.Chairman).
type storedChairman struct {
	Name     string     `dynamodbav:"Name"`
	Position storedText `dynamodbav:"Position"`
}

// eventItem is one event of a case's history: its members are top-level attributes of the item,
// beside its keys (pk CASE#<id>, sk EVENT#<seq>).
type eventItem struct {
	keys
	Type   string `dynamodbav:"type"` // "event"
	CaseID string `dynamodbav:"caseId"`
	storedEvent
}

// eventSK is the sort key of the history event seq, of a case or a complaint.
func eventSK(seq int) string { return fmt.Sprintf("EVENT#%06d", seq) }

// storedEvent is a case's history event (attestation.Event), embedded in its item.
type storedEvent struct {
	Seq       int              `dynamodbav:"Seq"`
	At        time.Time        `dynamodbav:"At"`
	Actor     string           `dynamodbav:"Actor"`
	Role      string           `dynamodbav:"Role"`
	What      string           `dynamodbav:"What"`
	Step      string           `dynamodbav:"Step"`
	Outcome   string           `dynamodbav:"Outcome"`
	Reasons   []string         `dynamodbav:"Reasons"`
	Documents []storedDocument `dynamodbav:"Documents"`
	Grounds   []string         `dynamodbav:"Grounds,omitempty"` // standard §10; absent before grounds were named
}

func toEventItem(caseID string, e attestation.Event) eventItem {
	return eventItem{keys: keys{PK: casePK(caseID), SK: eventSK(e.Seq)}, Type: "event", CaseID: caseID,
		storedEvent: storedEvent{Seq: e.Seq, At: e.At, Actor: e.Actor, Role: string(e.Role), What: e.What, Step: e.Step,
			Outcome: string(e.Outcome), Reasons: e.Reasons, Documents: mapSlice(e.Documents, toStoredDocument), Grounds: e.Grounds}}
}

func (it eventItem) domain() attestation.Event {
	s := it.storedEvent
	return attestation.Event{Seq: s.Seq, At: s.At, Actor: s.Actor, Role: identity.Role(s.Role), What: s.What, Step: s.Step,
		Outcome: attestation.Outcome(s.Outcome), Reasons: s.Reasons, Documents: mapSlice(s.Documents, storedDocument.domain), Grounds: s.Grounds}
}

// certificateItem is a certificate as the case's issue writes it (§29), beside the register
// entry of the same number (register.go: sk ENTRY). Nothing reads it back today.
type certificateItem struct {
	keys
	Type        string            `dynamodbav:"type"` // "certificate", as the entry's
	Certificate storedCertificate `dynamodbav:"certificate"`
}

// storedCertificate is the certificate item's map attribute certificate (attestation.Certificate).
type storedCertificate struct {
	Number          string           `dynamodbav:"Number"`
	Year            int              `dynamodbav:"Year"`
	Seq             int              `dynamodbav:"Seq"`
	CaseID          string           `dynamodbav:"CaseID"`
	OrganizationBIN string           `dynamodbav:"OrganizationBIN"`
	ObjectName      string           `dynamodbav:"ObjectName"`
	ObjectKind      string           `dynamodbav:"ObjectKind"`
	Edition         string           `dynamodbav:"Edition"`
	IssuedAt        time.Time        `dynamodbav:"IssuedAt"`
	ValidUntil      *time.Time       `dynamodbav:"ValidUntil"`
	Acts            []storedDocument `dynamodbav:"Acts"`
	Status          string           `dynamodbav:"Status"`
}

func toCertificateItem(c attestation.Certificate) certificateItem {
	return certificateItem{keys: keys{PK: "CERT#" + c.Number, SK: "CERT", GSI1PK: "ORG#" + c.OrganizationBIN, GSI1SK: "CERT#" + c.Number},
		Type: "certificate",
		Certificate: storedCertificate{Number: c.Number, Year: c.Year, Seq: c.Seq, CaseID: c.CaseID, OrganizationBIN: c.OrganizationBIN,
			ObjectName: c.ObjectName, ObjectKind: c.ObjectKind, Edition: c.Edition, IssuedAt: c.IssuedAt, ValidUntil: c.ValidUntil,
			Acts: mapSlice(c.Acts, toStoredDocument), Status: c.Status}}
}

func (it certificateItem) domain() attestation.Certificate {
	s := it.Certificate
	return attestation.Certificate{Number: s.Number, Year: s.Year, Seq: s.Seq, CaseID: s.CaseID, OrganizationBIN: s.OrganizationBIN,
		ObjectName: s.ObjectName, ObjectKind: s.ObjectKind, Edition: s.Edition, IssuedAt: s.IssuedAt, ValidUntil: s.ValidUntil,
		Acts: mapSlice(s.Acts, storedDocument.domain), Status: s.Status}
}

// storedCommission is an attestation commission (attestation.Commission).
type storedCommission struct {
	Meeting        string                   `dynamodbav:"Meeting"`
	ProtocolNumber string                   `dynamodbav:"ProtocolNumber"`
	Step           string                   `dynamodbav:"Step"`
	Members        []storedCommissionMember `dynamodbav:"Members"`
}

// storedCommissionMember is one member of a commission.
type storedCommissionMember struct {
	Name     string `dynamodbav:"Name"`
	Position string `dynamodbav:"Position"`
	Role     string `dynamodbav:"Role"`
}

func toStoredCommission(c attestation.Commission) storedCommission {
	return storedCommission{Meeting: c.Meeting, ProtocolNumber: c.ProtocolNumber, Step: c.Step,
		Members: mapSlice(c.Members, func(m attestation.CommissionMember) storedCommissionMember {
			return storedCommissionMember{Name: m.Name, Position: m.Position, Role: m.Role}
		})}
}

func (s storedCommission) domain() attestation.Commission {
	return attestation.Commission{Meeting: s.Meeting, ProtocolNumber: s.ProtocolNumber, Step: s.Step,
		Members: mapSlice(s.Members, func(m storedCommissionMember) attestation.CommissionMember {
			return attestation.CommissionMember{Name: m.Name, Position: m.Position, Role: m.Role}
		})}
}
