// Package notice is the outbox of the system (issue 13): a notification tells an organisation or
// a staff role that a period started, moved or ended for them, or that a case ended. It is written
// in the same transaction as the change it reports (so there is never a change without its message
// nor a message without its change), read in the personal cabinet, and delivered at least once by
// the notify function (an EventBridge event and e-mail), deduplicated by its ID.
package notice

import (
	"time"

	"attestation/internal/identity"
)

// Kind is what a notification reports.
type Kind string

// The kinds of notification, with the paragraph each reports.
const (
	FilingReceived         Kind = "filing_received"          // §14: the filing is received, with its receipt
	Returned               Kind = "returned"                 // §15, standard §10: returned with reasons
	Forwarded              Kind = "forwarded"                // §16: the package is complete, sent to the STS
	ContractSent           Kind = "contract_sent"            // §17: the contract is sent; sign by the due moment
	ContractLapsed         Kind = "contract_lapsed"          // §17: not signed in time, the application is cancelled
	DocumentsSent          Kind = "documents_sent"           // §28, §30, §31: the act and the decision are sent
	RectificationDue       Kind = "rectification_due"        // §31: rectify and notify by the due moment
	RectificationLapsed    Kind = "rectification_lapsed"     // §32: no notice of rectification in time
	AdditionalSurveyResult Kind = "additional_survey_result" // §38: the act of the additional survey and the decision are sent
	Withdrawn              Kind = "withdrawn"                // the applicant withdrew the application
	CertificateIssued      Kind = "certificate_issued"       // §28, §29: the certificate is issued and registered
	RecallDecided          Kind = "recall_decided"           // §46: the certificate is recalled; return it by the due moment
	ReturnRecorded         Kind = "return_recorded"          // §46: the recalled certificate's return is recorded
	DuplicateIssued        Kind = "duplicate_issued"         // §48: a duplicate is issued
	ChangeDecided          Kind = "change_decided"           // §44: a notice of changes is decided
	MonitoringDue          Kind = "monitoring_due"           // §42: the monitoring of the certified object is due
	ComplaintRegistered    Kind = "complaint_registered"     // standard §11: a complaint is registered
	ComplaintDecided       Kind = "complaint_decided"        // standard §11: a complaint is decided
	StepOpened             Kind = "step_opened"              // a step opened in a staff role's queue
	StepOverdue            Kind = "step_overdue"             // a staff step is past its due moment
	ServiceTermOverdue     Kind = "service_term_overdue"     // standard §4: the case is past its service term
	Reminder               Kind = "reminder"                 // a period is about to lapse (issue 13, item 4)
	AnnualPlanDue          Kind = "annual_plan_due"          // §11: the year's list of objects planned for attestation is due (what a reminder reminds of)
)

// Audience is who a notification is for: an organisation (by its BIN or IIN) or a staff role;
// exactly one of the two is set.
type Audience struct {
	BIN  string        `json:"bin,omitempty"`
	Role identity.Role `json:"role,omitempty"`
}

// Key is the audience as one string: "ORG#<bin>" or "ROLE#<role>".
func (a Audience) Key() string {
	if a.BIN != "" {
		return "ORG#" + a.BIN
	}
	return "ROLE#" + string(a.Role)
}

// Of is the audience of an actor: the applicant's organisation, or the staff member's role.
func Of(a identity.Actor) Audience {
	if a.Role == identity.Applicant {
		return Audience{BIN: a.BIN}
	}
	return Audience{Role: a.Role}
}

// Notification is one message of the outbox.
type Notification struct {
	// ID is fixed by the change that wrote it (the subject, its version and the message's place
	// among that change's), so a repeated delivery of the change cannot write it twice and the
	// notify function deduplicates on it.
	ID   string   `json:"id"`
	Kind Kind     `json:"kind"`
	To   Audience `json:"to"`
	// The subject: a case, a certificate of the register, a complaint, or an organisation's plan.
	CaseID      string `json:"caseId,omitempty"`
	Certificate string `json:"certificate,omitempty"`
	Complaint   string `json:"complaint,omitempty"`
	Object      string `json:"object,omitempty"` // the object of informatization's name, for the texts
	Step        string `json:"step,omitempty"`
	Paragraph   string `json:"paragraph,omitempty"`
	Outcome     string `json:"outcome,omitempty"`
	// DueAt is the moment the period the message starts ends (the contract's signature, the
	// rectification, the return of a certificate), when there is one.
	DueAt *time.Time `json:"dueAt,omitempty"`
	// StartsAtHandOver: the document that starts the period waits at the Committee's office; the
	// period (and so the due moment) starts when the office hands it over (a paper case: §17, §31,
	// §42, §46). HandedOverAt: the hand-over the period started at, on the message that tells it.
	StartsAtHandOver bool       `json:"startsAtHandOver,omitempty"`
	HandedOverAt     *time.Time `json:"handedOverAt,omitempty"`
	Reasons          []string   `json:"reasons,omitempty"`
	// Reminds: for a reminder, the kind of period it reminds of and how many working days are left.
	Reminds  Kind `json:"reminds,omitempty"`
	DaysLeft int  `json:"daysLeft,omitempty"`
	// At is when the message was recorded: the moment of the change, written in the same
	// transaction. Online, this is the moment the addressee has it in the cabinet (the receipt
	// the Rules count periods from is defined in one place by the domain, from this moment).
	At time.Time `json:"at"`
	// ReadAt is when the addressee marked it read in the cabinet.
	ReadAt *time.Time `json:"readAt,omitempty"`
	// EventID is the ID of the event published on the project's bus, once published.
	EventID string `json:"eventId,omitempty"`
	// Delivery is what the notify function did with it, once done.
	Delivery *Delivery `json:"delivery,omitempty"`
	// Mailed are the addresses mailed so far with their message IDs, as the delivery records them
	// one by one (Ledger.Get reads them with the notification); not shown to the addressee.
	Mailed map[string]string `json:"-"`
}

// Delivery outcomes.
const (
	DeliverySent    = "sent"    // the event is published and every mail is accepted
	DeliveryNoMail  = "no_mail" // the event is published; the audience has no address registered
	DeliveryBounced = "bounced" // the mail service refused an address
	DeliveryFailed  = "failed"  // the delivery failed past its retries (DelivererDeps.MaxAttempts)
)

// Delivery is the outcome of delivering a notification.
type Delivery struct {
	Outcome string    `json:"outcome"`
	EventID string    `json:"eventId,omitempty"` // EventBridge's ID of the published event
	Mail    []string  `json:"mail,omitempty"`    // the message IDs of the mail sent, one per address
	To      []string  `json:"to,omitempty"`      // the addresses written to
	At      time.Time `json:"at"`
	Detail  string    `json:"detail,omitempty"`
	// Repeated: the outcome was recorded by an earlier delivery (the stream delivered the
	// notification again); nothing was sent this time. Not stored.
	Repeated bool `json:"-"`
}

// Unread reports whether the addressee has not marked it read.
func (n Notification) Unread() bool { return n.ReadAt == nil }
