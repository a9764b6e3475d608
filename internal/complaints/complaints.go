// Package complaints keeps the complaints of service recipients about decisions, actions and
// inaction of the service provider (standard §11): each is registered with a number, considered
// by the service provider within 5 working days or by the authority for the quality of state
// services within 15 working days of its registration, and watched by the deadline check. It is
// domain code: it declares the Store and the case check it needs and imports no AWS package.
package complaints

import (
	"context"
	"slices"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// Addressee is who a complaint is filed with (standard §11).
type Addressee string

// The addressees of a complaint.
const (
	// ServiceProvider: the head of the service provider (the authority), 5 working days.
	ServiceProvider Addressee = "service_provider"
	// QualityAuthority: the authorised body for the assessment and control of the quality of state
	// services, on disagreement with the results of the service, 15 working days.
	QualityAuthority Addressee = "quality_authority"
	// STSHead: the head of the other service provider, the State Technical Service (standard §11,
	// §12: "the managers of service providers"), 5 working days; considered by the STS.
	STSHead Addressee = "sts_head"
	// MinistryHead: the head of the Ministry (standard §11), 5 working days; considered through
	// the authority's office, the Ministry's committee being the authority (project reading).
	MinistryHead Addressee = "ministry_head"
)

// Addressees lists every addressee.
var Addressees = []Addressee{ServiceProvider, QualityAuthority, STSHead, MinistryHead}

// Valid reports whether a is one of Addressees.
func (a Addressee) Valid() bool { return slices.Contains(Addressees, a) }

// Role is the role that considers complaints addressed to a.
func (a Addressee) Role() identity.Role {
	switch a {
	case QualityAuthority:
		return identity.QualityAuthority
	case STSHead:
		return identity.STS
	}
	return identity.Authority
}

// Channel is how a complaint reached its addressee (standard §11: "in written form by mail or
// e-mail or ... through the office"; online through this system, a project addition).
type Channel string

// The channels of a complaint.
const (
	ChannelOnline Channel = "online" // filed by the applicant through this system
	ChannelPost   Channel = "post"
	ChannelEmail  Channel = "email"
	ChannelOffice Channel = "office" // handed in at the addressee's office
)

// Channels lists every channel; Paper lists those an office registers by hand.
var (
	Channels = []Channel{ChannelOnline, ChannelPost, ChannelEmail, ChannelOffice}
	Paper    = []Channel{ChannelPost, ChannelEmail, ChannelOffice}
)

// Valid reports whether c is one of Channels.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// Mark is a complaint's registration mark (standard §11: "registration (stamp, incoming number and
// date) in the office ..., with surname and initials of the person who accepted the complaint").
type Mark struct {
	Channel        Channel
	IncomingNumber string    // the office's incoming number; the complaint's number when filed online
	Date           time.Time // the moment of registration (Complaint.RegisteredAt)
	RegisteredBy   string    // surname and initials of who registered it; "" when filed online (registered on receipt by the system)
}

// Status is where a complaint is.
type Status string

// The statuses of a complaint.
const (
	StatusRegistered Status = "registered" // waiting for its consideration
	StatusConsidered Status = "considered" // decided and answered
)

// Outcome is the result of a complaint's consideration.
type Outcome string

// The outcomes of a consideration.
const (
	Upheld          Outcome = "upheld"
	PartiallyUpheld Outcome = "partially_upheld"
	Rejected        Outcome = "rejected"
)

// Outcomes lists every outcome.
var Outcomes = []Outcome{Upheld, PartiallyUpheld, Rejected}

// Valid reports whether o is one of Outcomes.
func (o Outcome) Valid() bool { return o == Upheld || o == PartiallyUpheld || o == Rejected }

// Decision is the addressee's consideration of a complaint: its outcome and the answer to the
// complainant.
type Decision struct {
	Outcome Outcome
	Answer  string
	Actor   string // the person (token subject)
	Role    identity.Role
	At      time.Time
}

// Event is one entry of a complaint's history.
type Event struct {
	Seq     int           `json:"seq"`
	At      time.Time     `json:"at"`
	Actor   string        `json:"actor"`
	Role    identity.Role `json:"role"`
	What    string        `json:"what"`
	Outcome Outcome       `json:"outcome,omitempty"`
}

// Complaint is a service recipient's complaint (standard §11).
type Complaint struct {
	ID                string // random, nobody can guess it
	Number            string // the registration number: C-<year of registration>/<5-digit sequence>
	Year              int    // the year of registration, Asia/Almaty
	Seq               int    // its place in the year's sequence, from 1, without gaps
	OrganizationBIN   string // the complainant's organisation
	ApplicantName     string // the person who filed it (the token's name, else its subject)
	FiledBy           string // the person (token subject)
	Addressee         Addressee
	Subject           string // what the complaint is about
	CaseID            string // optional: one of the organisation's cases it concerns
	CertificateNumber string // optional: the certificate it concerns
	FiledAt           time.Time
	// RegisteredAt is when the addressee's office registers it: the period runs from it. A complaint
	// to the service provider filed outside its acceptance hours is registered at the next moment
	// the office accepts filings (standard §8, §11).
	RegisteredAt time.Time
	DueAt        time.Time // the period's end, 23:59:59 Asia/Almaty of its last working day
	// Channel is how it reached the addressee; "" on complaints stored before channels were
	// recorded, all of them filed online (Mark reads it so).
	Channel Channel
	// IncomingNumber is the office's incoming number of a complaint received on paper (post,
	// e-mail, office); "" when filed online (the number is then the incoming number).
	IncomingNumber string
	// RegisteredBy and RegisteredBySubject: who registered a complaint received on paper (name as
	// the office writes it, and token subject); "" when filed online.
	RegisteredBy        string
	RegisteredBySubject string
	Paragraph           string // the paragraph that sets the period
	Provisional         bool   // the due moment rests on provisional calendar data
	Edition             string // the policy edition the period was read from
	Status              Status
	Overdue             bool // the deadline check found it not considered by DueAt
	Decision            *Decision
	Version             int     // 1 when filed; every change adds 1 and is conditional on the one before
	Events              int     // number of history events written so far
	History             []Event // filled by Get; never stored on the complaint itself
}

// Mark is c's registration mark (standard §11).
func (c Complaint) Mark() Mark {
	m := Mark{Channel: c.Channel, IncomingNumber: c.IncomingNumber, Date: c.RegisteredAt, RegisteredBy: c.RegisteredBy}
	if m.Channel == "" {
		m.Channel = ChannelOnline
	}
	if m.IncomingNumber == "" {
		m.IncomingNumber = c.Number
	}
	return m
}

// Registration is what the addressee's office sends to register a complaint it received on paper:
// by post, by e-mail or at the office (standard §11).
type Registration struct {
	Addressee         Addressee `json:"addressee"`
	Channel           Channel   `json:"channel"`
	Organization      string    `json:"organization"`    // the complainant's BIN or IIN
	ComplainantName   string    `json:"complainantName"` // as the complaint is signed
	Subject           string    `json:"subject"`
	CaseID            string    `json:"caseId,omitempty"`
	CertificateNumber string    `json:"certificateNumber,omitempty"`
	IncomingNumber    string    `json:"incomingNumber"` // the office's incoming number (its stamp)
	RegisteredBy      string    `json:"registeredBy"`   // surname and initials of who registers it
	// ReceivedAt is when the office received it; the period counts from it (standard §8, §11).
	// Not after the registration itself, nor more than MaxReceiptAge before it.
	ReceivedAt time.Time `json:"receivedAt"`
}

// Filing is what an applicant sends to file a complaint.
type Filing struct {
	Addressee         Addressee `json:"addressee"`
	Subject           string    `json:"subject"`
	CaseID            string    `json:"caseId,omitempty"`
	CertificateNumber string    `json:"certificateNumber,omitempty"`
}

// DecisionInput is what the addressee sends to decide a complaint.
type DecisionInput struct {
	Outcome Outcome `json:"outcome"`
	Answer  string  `json:"answer"`
}

// Store keeps complaints and their history (DynamoDB in AWS: internal/dynamostore).
type Store interface {
	// LastSeq returns the last sequence number given to a complaint registered in year (0 if none).
	LastSeq(ctx context.Context, year int) (int, error)
	// Create stores a new complaint with its first events and takes its number, in one transaction:
	// conditional on its ID being new and on the year's counter holding c.Seq-1 (no counter when
	// c.Seq is 1); apperr.Conflict otherwise.
	Create(ctx context.Context, c Complaint, events ...Event) error
	// Get returns a complaint without its history; apperr.NotFound if there is none.
	Get(ctx context.Context, id string) (Complaint, error)
	// History returns a complaint's events in order.
	History(ctx context.Context, id string) ([]Event, error)
	// Update replaces the complaint stored at version c.Version-1 and appends events, in one
	// transaction; apperr.Conflict if the stored version differs.
	Update(ctx context.Context, c Complaint, events ...Event) error
	// ByOrganization returns an organisation's complaints, newest registration first, a page at a
	// time (cursor "" for the first; the next cursor, "" after the last page);
	// apperr.ErrBadCursor for a cursor it did not issue for that query.
	ByOrganization(ctx context.Context, bin string, limit int, cursor string) ([]Complaint, string, error)
	// ByAddressee returns the complaints filed with an addressee, earliest due first, a page at a time.
	ByAddressee(ctx context.Context, a Addressee, limit int, cursor string) ([]Complaint, string, error)
	// Due returns registered complaints, not yet flagged overdue, whose due moment is at or before
	// t, earliest first, a page at a time.
	Due(ctx context.Context, t time.Time, limit int, cursor string) ([]Complaint, string, error)
}

// Cases tells whether a case is an organisation's (the attestation case store, in wiring).
type Cases interface {
	// Owns reports whether the case id exists and belongs to the organisation bin.
	Owns(ctx context.Context, bin, caseID string) (bool, error)
}

// CasesFunc makes a function a Cases.
type CasesFunc func(ctx context.Context, bin, caseID string) (bool, error)

// Owns calls f.
func (f CasesFunc) Owns(ctx context.Context, bin, caseID string) (bool, error) {
	return f(ctx, bin, caseID)
}

// Certificates tells whether a certificate in the register is an organisation's (the register's
// store, in wiring).
type Certificates interface {
	// Holds reports whether the certificate number is in the register and is the organisation
	// bin's.
	Holds(ctx context.Context, bin, number string) (bool, error)
}

// CertificatesFunc makes a function a Certificates.
type CertificatesFunc func(ctx context.Context, bin, number string) (bool, error)

// Holds calls f.
func (f CertificatesFunc) Holds(ctx context.Context, bin, number string) (bool, error) {
	return f(ctx, bin, number)
}

// Errors of this package; each matches an attestation sentinel, so the HTTP boundary maps it.
var (
	// ErrComplaintNotFound: no such complaint, or (for an applicant) another organisation's.
	ErrComplaintNotFound = apperr.Errorf(apperr.NotFound, "complaint", "no such complaint")
	// ErrAlreadyConsidered: the complaint was decided otherwise before.
	ErrAlreadyConsidered = apperr.Errorf(apperr.Conflict, "", "the complaint was already considered with another decision")
)
