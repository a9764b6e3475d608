package dynamostore

import (
	"time"

	"attestation/internal/complaints"
	"attestation/internal/identity"
)

// The complaints family (standard §11): a complaint and its history events.

// complaintItem is a complaint as stored, with its version at the top (writes are conditional on
// it).
type complaintItem struct {
	keys
	Type      string          `dynamodbav:"type"` // "complaint"
	Version   int             `dynamodbav:"version"`
	Complaint storedComplaint `dynamodbav:"complaint"`
}

// storedComplaint is the complaint item's map attribute complaint (complaints.Complaint).
type storedComplaint struct {
	ID                string                   `dynamodbav:"ID"`
	Number            string                   `dynamodbav:"Number"`
	Year              int                      `dynamodbav:"Year"`
	Seq               int                      `dynamodbav:"Seq"`
	OrganizationBIN   string                   `dynamodbav:"OrganizationBIN"`
	ApplicantName     string                   `dynamodbav:"ApplicantName"`
	FiledBy           string                   `dynamodbav:"FiledBy"`
	Addressee         string                   `dynamodbav:"Addressee"`
	Subject           string                   `dynamodbav:"Subject"`
	CaseID            string                   `dynamodbav:"CaseID"`
	CertificateNumber string                   `dynamodbav:"CertificateNumber"`
	FiledAt           time.Time                `dynamodbav:"FiledAt"`
	RegisteredAt      time.Time                `dynamodbav:"RegisteredAt"`
	DueAt             time.Time                `dynamodbav:"DueAt"`
	Paragraph         string                   `dynamodbav:"Paragraph"`
	Provisional       bool                     `dynamodbav:"Provisional"`
	Edition           string                   `dynamodbav:"Edition"`
	Status            string                   `dynamodbav:"Status"`
	Overdue           bool                     `dynamodbav:"Overdue"`
	Decision          *storedComplaintDecision `dynamodbav:"Decision"`
	// The registration mark of standard §11 (complaints.Mark), absent on complaints stored before
	// it was recorded (all filed online).
	Channel             string `dynamodbav:"Channel,omitempty"`
	IncomingNumber      string `dynamodbav:"IncomingNumber,omitempty"`
	RegisteredBy        string `dynamodbav:"RegisteredBy,omitempty"`
	RegisteredBySubject string `dynamodbav:"RegisteredBySubject,omitempty"`
	Version             int    `dynamodbav:"Version"`
	Events              int    `dynamodbav:"Events"`
	// History is always NULL: the history is in the event items, never on the complaint. The
	// attribute is kept so the item keeps the shape it always had.
	History []storedComplaintEvent `dynamodbav:"History"`
}

// storedComplaintDecision is the consideration of a complaint (complaints.Decision).
type storedComplaintDecision struct {
	Outcome string    `dynamodbav:"Outcome"`
	Answer  string    `dynamodbav:"Answer"`
	Actor   string    `dynamodbav:"Actor"`
	Role    string    `dynamodbav:"Role"`
	At      time.Time `dynamodbav:"At"`
}

// toComplaintItem is c as stored: without its history, in the due watch only while it waits for
// its consideration and is not yet flagged overdue.
func toComplaintItem(c complaints.Complaint) complaintItem {
	due := sortTime(c.DueAt) + "#" + c.ID
	it := complaintItem{keys: keys{PK: complaintPK(c.ID), SK: "COMPLAINT",
		GSI1PK: "ORG#" + c.OrganizationBIN, GSI1SK: "COMPLAINT#" + sortTime(c.RegisteredAt) + "#" + c.ID,
		GSI3PK: complaintAddresseePK(c.Addressee), GSI3SK: due},
		Type: "complaint", Version: c.Version,
		Complaint: storedComplaint{ID: c.ID, Number: c.Number, Year: c.Year, Seq: c.Seq, OrganizationBIN: c.OrganizationBIN,
			ApplicantName: c.ApplicantName, FiledBy: c.FiledBy, Addressee: string(c.Addressee), Subject: c.Subject, CaseID: c.CaseID,
			CertificateNumber: c.CertificateNumber, FiledAt: c.FiledAt, RegisteredAt: c.RegisteredAt, DueAt: c.DueAt,
			Paragraph: c.Paragraph, Provisional: c.Provisional, Edition: c.Edition, Status: string(c.Status), Overdue: c.Overdue,
			Decision: mapPtr(c.Decision, func(d complaints.Decision) storedComplaintDecision {
				return storedComplaintDecision{Outcome: string(d.Outcome), Answer: d.Answer, Actor: d.Actor, Role: string(d.Role), At: d.At}
			}),
			Channel: string(c.Channel), IncomingNumber: c.IncomingNumber, RegisteredBy: c.RegisteredBy, RegisteredBySubject: c.RegisteredBySubject,
			Version: c.Version, Events: c.Events}}
	if c.Status == complaints.StatusRegistered && !c.Overdue {
		it.GSI2PK, it.GSI2SK = complaintDuePK, due
	}
	return it
}

func (it complaintItem) domain() complaints.Complaint {
	s := it.Complaint
	return complaints.Complaint{ID: s.ID, Number: s.Number, Year: s.Year, Seq: s.Seq, OrganizationBIN: s.OrganizationBIN,
		ApplicantName: s.ApplicantName, FiledBy: s.FiledBy, Addressee: complaints.Addressee(s.Addressee), Subject: s.Subject,
		CaseID: s.CaseID, CertificateNumber: s.CertificateNumber, FiledAt: s.FiledAt, RegisteredAt: s.RegisteredAt, DueAt: s.DueAt,
		Paragraph: s.Paragraph, Provisional: s.Provisional, Edition: s.Edition, Status: complaints.Status(s.Status), Overdue: s.Overdue,
		Decision: mapPtr(s.Decision, func(d storedComplaintDecision) complaints.Decision {
			return complaints.Decision{Outcome: complaints.Outcome(d.Outcome), Answer: d.Answer, Actor: d.Actor, Role: identity.Role(d.Role), At: d.At}
		}),
		Channel: complaints.Channel(s.Channel), IncomingNumber: s.IncomingNumber, RegisteredBy: s.RegisteredBy, RegisteredBySubject: s.RegisteredBySubject,
		Version: s.Version, Events: s.Events}
}

// complaintEventItem is one event of a complaint's history: its members are top-level
// attributes of the item, beside its keys (pk COMPLAINT#<id>, sk EVENT#<seq>).
type complaintEventItem struct {
	keys
	Type        string `dynamodbav:"type"` // "complaint-event"
	ComplaintID string `dynamodbav:"complaintId"`
	storedComplaintEvent
}

// storedComplaintEvent is a complaint's history event (complaints.Event), embedded in its item.
type storedComplaintEvent struct {
	Seq     int       `dynamodbav:"Seq"`
	At      time.Time `dynamodbav:"At"`
	Actor   string    `dynamodbav:"Actor"`
	Role    string    `dynamodbav:"Role"`
	What    string    `dynamodbav:"What"`
	Outcome string    `dynamodbav:"Outcome"`
}

func toComplaintEventItem(id string, e complaints.Event) complaintEventItem {
	return complaintEventItem{keys: keys{PK: complaintPK(id), SK: eventSK(e.Seq)}, Type: "complaint-event", ComplaintID: id,
		storedComplaintEvent: storedComplaintEvent{Seq: e.Seq, At: e.At, Actor: e.Actor, Role: string(e.Role), What: e.What,
			Outcome: string(e.Outcome)}}
}

func (it complaintEventItem) domain() complaints.Event {
	s := it.storedComplaintEvent
	return complaints.Event{Seq: s.Seq, At: s.At, Actor: s.Actor, Role: identity.Role(s.Role), What: s.What,
		Outcome: complaints.Outcome(s.Outcome)}
}
