// Package attestation holds the rules of the attestation procedure (seed 000, the Rules, §7-§39):
// the case, its stages, who acts at each, its history, and the services that move it. It imports
// no AWS package: storage, documents and the workflow engine are the interfaces declared here,
// implemented by adapters elsewhere.
package attestation

import (
	"time"

	"attestation/internal/identity"
)

// Stage is where a case stands.
type Stage string

// The stages of a case. A case is open until it reaches an end stage.
const (
	StageSubmitted         Stage = "submitted"          // filed; the workflow records its receipt
	StageCompletenessCheck Stage = "completeness_check" // §14: the authority checks the package
	StageForwardedToSTS    Stage = "forwarded_to_sts"   // §16: sent to the State Technical Service
	StageIssued            Stage = "issued"             // §28, §38: certificate issued
	StageRefused           Stage = "refused"            // §27, §32, §37: refusal to issue a certificate
	StageReturned          Stage = "returned"           // §15, standard §10: application returned with reasons
	StageCancelled         Stage = "cancelled"          // §17: contract not signed in time
	StageWithdrawn         Stage = "withdrawn"          // by the applicant while the case is open
)

// Ended reports whether s is an end stage.
func (s Stage) Ended() bool {
	switch s {
	case StageIssued, StageRefused, StageReturned, StageCancelled, StageWithdrawn:
		return true
	}
	return false
}

// Case is one application for attestation and everything that happened to it.
type Case struct {
	ID              string
	OrganizationBIN string // the applicant's BIN or IIN
	ObjectName      string
	Edition         string // the policy edition the case was filed under
	Stage           Stage
	Version         int // bumped by every change; every write is conditional on it
	SubmittedAt     time.Time
	ReceivedAt      time.Time // when the authority counts the filing as received
	Receipt         *Document // the receipt of filing, kept under Object Lock
	OpenStep        *Step     // the human step the case waits on, if any
	LastDecision    *Decision // the last completed step
	Events          int       // number of history events written so far
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
}

// Decision is the completion of a human step.
type Decision struct {
	Step    string
	Token   string
	Outcome string
	Reasons []string
	Actor   string
	Role    identity.Role
	At      time.Time
}

// Document is a stored object with the version and hash that pin it.
type Document struct {
	Key       string
	VersionID string
	SHA256    string
}

// Event is one entry of a case's history.
type Event struct {
	Seq     int
	At      time.Time
	Actor   string
	Role    identity.Role
	What    string
	Step    string   `json:",omitempty"`
	Reasons []string `json:",omitempty"`
}
