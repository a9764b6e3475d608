// Package attestation holds the rules of the attestation procedure (seed 000, the Rules, §7-§39):
// the case, its stages, who acts at each, its history, and the services that move it. It imports
// no AWS package: storage, documents and the workflow engine are the interfaces declared here,
// implemented by adapters elsewhere.
package attestation

import (
	"time"

	"attestation/internal/identity"
)

// Stage is where a case stands. While a human step is open the stage is the step's key (see
// Procedure); the end stages have one meaning each.
type Stage string

// The stages outside the human steps.
const (
	StageSubmitted         Stage = "submitted"          // filed; the workflow records its receipt
	StageCompletenessCheck Stage = "completeness_check" // §14: the authority checks the package
	StageIssued            Stage = "issued"             // §28, §38: certificate issued
	StageRefused           Stage = "refused"            // §27, §32, §37: refusal to issue a certificate
	StageReturned          Stage = "returned"           // §15, standard §10: application returned with reasons
	StageCancelled         Stage = "cancelled"          // §17: contract not signed in time
	StageWithdrawn         Stage = "withdrawn"          // by the applicant while the case is open
	// StageDiscontinued: a task kept failing and the authority closed the case as unrecoverable
	// (attention.go); not a decision of the Rules: the applicant may apply again.
	StageDiscontinued Stage = "discontinued"
)

// Ended reports whether s is an end stage. After a refusal the applicant may apply again (§30,
// §39): nothing in a refused case blocks a new one.
func (s Stage) Ended() bool {
	switch s {
	case StageIssued, StageRefused, StageReturned, StageCancelled, StageWithdrawn, StageDiscontinued:
		return true
	}
	return false
}

// ForwardedToSTS reports whether the authority forwarded the case to the STS (§16): the STS reads
// such cases only. A case returned, or withdrawn or still at the completeness check, was not.
func (c Case) ForwardedToSTS() bool {
	switch c.Stage {
	case StageSubmitted, StageCompletenessCheck, StageReturned:
		return false
	case StageWithdrawn:
		d := c.LastDecision
		return d != nil && (d.Step != string(StageCompletenessCheck) || d.Outcome == OutcomeForward)
	}
	return true
}

// Case is one application for attestation and everything that happened to it.
type Case struct {
	ID              string
	OrganizationBIN string // the applicant's BIN or IIN
	ApplicantName   string
	ObjectName      string
	ObjectKind      string // a kind of the policy edition
	Developer       string
	Flags           ObjectFlags // the facts of the package that select documents and periods
	Distributed     bool        // §19: a geographically distributed system gets the longer survey
	Package         *Document   // the package as filed (Annexes 2-6)
	Edition         string      // the policy edition the case was filed under
	// EditionOutOfForce: the case was filed on a date its edition does not cover, under the
	// policy.Model mode (editions.go); every view shows it.
	EditionOutOfForce bool
	// Commissions are the attestation commissions whose protocols decisions were taken on (Law
	// Art. 51(6); commission.go), in order.
	Commissions  []Commission
	Stage        Stage
	Version      int // bumped by every change; every write is conditional on it
	SubmittedAt  time.Time
	ReceivedAt   time.Time // when the authority counts the filing as received
	Receipt      *Document // the receipt of filing, kept under Object Lock
	OpenStep     *Step     // the human step the case waits on, if any
	LastDecision *Decision // the last completed step, with the state of its callback
	// Decision is the authority's decision (§27, §37) until the sending step has sent it.
	Decision Outcome
	// RectificationOrdered: rectification may be ordered at most once per application (§27).
	RectificationOrdered bool
	// ContractInForce is the contract's entry into force (§19): the day the STS received the
	// signed copy, unless the contract states another date.
	ContractInForce *time.Time
	Documents       []Document // documents attached at the steps
	Certificate     string     // the certificate's number once issued (§28, §38)
	// The acts' details as the STS stated them (§24, §35), and the certificate's terms as the
	// authority decided them (§27(1), §37; Annex 7).
	SurveyAct           *ActDetails       `json:",omitempty"`
	AdditionalSurveyAct *ActDetails       `json:",omitempty"`
	Terms               *CertificateTerms `json:",omitempty"`
	// ObjectID is the object of informatization (registered with POST /objects) the filing names.
	ObjectID string `json:",omitempty"`
	// ApplicantIndividual: the applicant is an individual; its IIN is personal data.
	ApplicantIndividual bool `json:",omitempty"`
	Events              int  // number of history events written so far
	// Attention: the workflow stopped moving the case (attention.go); the authority's queue lists it.
	Attention *Attention `json:",omitempty"`
	// Term is the service term of standard §4 (serviceterm.go), from the receipt of the filing on.
	Term *ServiceTerm `json:",omitempty"`
	// Paper: the filing was received on paper at the Committee's office (office.go, standard §9);
	// HandOvers are the results the office handed over on paper.
	Paper     *PaperFiling `json:",omitempty"`
	HandOvers []HandOver   `json:",omitempty"`
}

// Step is a human step the case waits on: a Step Functions task token, who acts and by when.
type Step struct {
	Name        string
	Role        identity.Role
	Token       string // opaque; up to 2,048 characters in AWS
	OpenedAt    time.Time
	DueAt       time.Time
	Paragraph   string
	Provisional bool // the due moment rests on provisional calendar data
	Overdue     bool
	Reopened    int // times the engine re-opened the step after its callback timed out
	// Reminded is the last reminder point written for the step, in working days before its due
	// moment (reminders.go); 0 before the first.
	Reminded int `json:",omitempty"`
	// AwaitsHandOver: the step's period runs from the applicant's receipt of what opened it (§17,
	// §31), and in a paper case that receipt is the office's hand-over (ReceiptOf), not yet
	// recorded. Until then the step has no due moment: no lapse applies, no reminder is due, and
	// the hand-over sets the due moment (RecordHandOver).
	AwaitsHandOver bool `json:",omitempty"`
	// HandedOverAt is the recorded hand-over a paper case's step counts its period from.
	HandedOverAt *time.Time `json:",omitempty"`
}

// Runs reports whether the step's period runs: it has a due moment (a paper case's step waiting
// for the hand-over at the office has none yet).
func (s Step) Runs() bool { return !s.AwaitsHandOver }

// dueWords is the due moment as the history says it.
func (s Step) dueWords() string {
	if !s.Runs() {
		return "from the hand-over at the office, not yet recorded"
	}
	return s.DueAt.Format(time.RFC3339)
}

// PastDue reports whether the step's period ended before now; never while it waits for the
// hand-over.
func (s Step) PastDue(now time.Time) bool { return s.Runs() && now.After(s.DueAt) }

// Callback states of a decision: whether the waiting execution has been told.
const (
	CallbackPending     = "pending"     // written, not yet confirmed sent
	CallbackSent        = "sent"        // the engine accepted it
	CallbackUndelivered = "undelivered" // the engine no longer waited on the token; the re-opened step takes it
)

// Decision is the completion of a human step (or its lapse).
type Decision struct {
	Step      string
	Token     string
	Outcome   Outcome
	Reasons   []string   `json:",omitempty"`
	Grounds   []string   `json:",omitempty"` // a return's or refusal's grounds (standard §10)
	Documents []Document `json:",omitempty"`
	// EntryIntoForce is the date the contract states, when the applicant gave one (§19).
	EntryIntoForce *time.Time        `json:",omitempty"`
	Act            *ActDetails       `json:",omitempty"`
	Certificate    *CertificateTerms `json:",omitempty"`
	Actor          string
	Role           identity.Role
	At             time.Time
	Next           *NextStep `json:",omitempty"`
	Callback       string
	Error          string `json:",omitempty"` // for a lapse or withdrawal: the named error sent
}

// NextStep is what the state machine needs to open the step that follows a decision: its
// callback timeout (the legal period plus the policy's margin), counted from OpensAt.
type NextStep struct {
	Stage          Stage     `json:"stage"`
	OpensAt        time.Time `json:"opensAt"`
	TimeoutSeconds int64     `json:"timeoutSeconds,omitempty"`
}

// Document is a stored file with the version and hash that pin it.
type Document struct {
	Kind      string     `json:"kind,omitempty"` // a policy document id or one of the Doc* kinds
	Key       string     `json:"key"`
	VersionID string     `json:"versionId,omitempty"`
	SHA256    string     `json:"sha256,omitempty"`
	Step      string     `json:"step,omitempty"`
	SentAt    *time.Time `json:"sentAt,omitempty"`    // an act: when the authority sent it to the applicant
	Signature *Signature `json:"signature,omitempty"` // who signed it (issue 17), from its confirmed upload
}

// Event is one entry of a case's history.
type Event struct {
	Seq       int           `json:"seq"`
	At        time.Time     `json:"at"`
	Actor     string        `json:"actor"`
	Role      identity.Role `json:"role"`
	What      string        `json:"what"`
	Step      string        `json:"step,omitempty"`
	Outcome   Outcome       `json:"outcome,omitempty"`
	Reasons   []string      `json:"reasons,omitempty"`
	Grounds   []string      `json:"grounds,omitempty"` // a return's or refusal's grounds (standard §10)
	Documents []Document    `json:"documents,omitempty"`
}
