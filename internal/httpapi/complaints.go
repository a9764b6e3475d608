package httpapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/complaints"
	"attestation/internal/identity"
)

// ComplaintService is what the API needs of complaints (standard §11): *complaints.Service.
type ComplaintService interface {
	File(ctx context.Context, actor identity.Actor, in complaints.Filing, now time.Time) (complaints.Complaint, error)
	Get(ctx context.Context, actor identity.Actor, id string) (complaints.Complaint, error)
	List(ctx context.Context, actor identity.Actor, limit int, cursor string) ([]complaints.Complaint, string, error)
	Register(ctx context.Context, actor identity.Actor, in complaints.Registration, now time.Time) (complaints.Complaint, error)
	ListFiledWith(ctx context.Context, actor identity.Actor, a complaints.Addressee, limit int, cursor string) ([]complaints.Complaint, string, error)
	Decide(ctx context.Context, actor identity.Actor, id string, in complaints.DecisionInput, now time.Time) (complaints.Complaint, error)
}

var _ ComplaintService = (*complaints.Service)(nil)

// complaintRoutes are the routes of complaints (standard §11). The STS takes those of the
// complaints to its head; the authority for the quality of state services takes only these.
func (h *Handler) complaintRoutes() map[string]route {
	readers := []identity.Role{identity.Applicant, identity.Authority, identity.QualityAuthority, identity.STS}
	staff := []identity.Role{identity.Authority, identity.QualityAuthority, identity.STS}
	return map[string]route{
		"POST /complaints":                        {roles: []identity.Role{identity.Applicant}, handle: h.fileComplaint, idempotent: true},
		"POST /complaints/registrations":          {roles: staff, handle: h.registerComplaint, idempotent: true},
		"GET /complaints":                         {roles: readers, handle: h.listComplaints},
		"GET /complaints/{complaintId}":           {roles: readers, handle: h.getComplaint},
		"POST /complaints/{complaintId}/decision": {roles: staff, handle: h.decideComplaint, idempotent: true},
	}
}

// ComplaintView is a complaint as the API shows it.
type ComplaintView struct {
	ID                string                 `json:"id"`
	Number            string                 `json:"number"`
	Organization      string                 `json:"organization"`
	ApplicantName     string                 `json:"applicantName"`
	Addressee         complaints.Addressee   `json:"addressee"`
	Subject           string                 `json:"subject"`
	CaseID            string                 `json:"caseId,omitempty"`
	CertificateNumber string                 `json:"certificateNumber,omitempty"`
	FiledAt           time.Time              `json:"filedAt"`
	RegisteredAt      time.Time              `json:"registeredAt"`
	DueAt             time.Time              `json:"dueAt"`
	Registration      ComplaintMarkView      `json:"registration"`
	Paragraph         string                 `json:"paragraph"`
	Provisional       bool                   `json:"provisional"`
	Status            complaints.Status      `json:"status"`
	Overdue           bool                   `json:"overdue"`
	Decision          *ComplaintDecisionView `json:"decision,omitempty"`
	Version           int                    `json:"version"`
	History           []complaints.Event     `json:"history,omitempty"`
}

// ComplaintMarkView is a complaint's registration mark (standard §11): the channel it came by,
// the incoming number, the date, and who registered it (absent when filed online: registered on
// receipt by the system).
type ComplaintMarkView struct {
	Channel        complaints.Channel `json:"channel"`
	IncomingNumber string             `json:"incomingNumber"`
	Date           time.Time          `json:"date"`
	RegisteredBy   string             `json:"registeredBy,omitempty"`
}

// ComplaintDecisionView is the consideration of a complaint as the API shows it.
type ComplaintDecisionView struct {
	Outcome complaints.Outcome `json:"outcome"`
	Answer  string             `json:"answer"`
	Role    identity.Role      `json:"role"`
	At      time.Time          `json:"at"`
}

// ComplaintPage is a page of complaints.
type ComplaintPage struct {
	Complaints []ComplaintView `json:"complaints"`
	Cursor     string          `json:"cursor,omitempty"`
}

func complaintView(c complaints.Complaint) ComplaintView {
	v := ComplaintView{ID: c.ID, Number: c.Number, Organization: c.OrganizationBIN, ApplicantName: c.ApplicantName, Addressee: c.Addressee,
		Subject: c.Subject, CaseID: c.CaseID, CertificateNumber: c.CertificateNumber, FiledAt: c.FiledAt, RegisteredAt: c.RegisteredAt,
		DueAt: c.DueAt, Paragraph: c.Paragraph, Provisional: c.Provisional, Status: c.Status, Overdue: c.Overdue, Version: c.Version,
		History: c.History}
	m := c.Mark()
	v.Registration = ComplaintMarkView{Channel: m.Channel, IncomingNumber: m.IncomingNumber, Date: m.Date, RegisteredBy: m.RegisteredBy}
	if d := c.Decision; d != nil {
		v.Decision = &ComplaintDecisionView{Outcome: d.Outcome, Answer: d.Answer, Role: d.Role, At: d.At}
	}
	return v
}

// complaintError turns the service's not-found error into this API's 404: one body for every
// complaint an applicant may not see, so another organisation's reads exactly like a missing one.
func complaintError(err error) error {
	if errors.Is(err, complaints.ErrComplaintNotFound) {
		return badRequest(apperr.NotFound, "no such complaint")
	}
	return err
}

// fileComplaint registers the applicant's complaint: 201 with its number, due moment and first event.
func (h *Handler) fileComplaint(ctx context.Context, r *request) (int, any, error) {
	var in complaints.Filing
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	c, err := h.complaints.File(ctx, r.actor, in, r.now)
	if err != nil {
		return 0, nil, complaintError(err)
	}
	return http.StatusCreated, complaintView(c), nil
}

// listComplaints is the caller's complaints: an applicant's organisation's, newest first; those
// filed with the caller's body for staff, latest due first.
func (h *Handler) listComplaints(ctx context.Context, r *request) (int, any, error) {
	limit, cursor, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	var list []complaints.Complaint
	var next string
	if a, ok := r.QueryStringParameters["addressee"]; ok && r.actor.Role != identity.Applicant {
		list, next, err = h.complaints.ListFiledWith(ctx, r.actor, complaints.Addressee(a), limit, cursor)
	} else {
		list, next, err = h.complaints.List(ctx, r.actor, limit, cursor)
	}
	if err != nil {
		return 0, nil, complaintError(err)
	}
	page := ComplaintPage{Complaints: []ComplaintView{}, Cursor: next}
	for _, c := range list {
		page.Complaints = append(page.Complaints, complaintView(c))
	}
	return http.StatusOK, page, nil
}

// registerComplaint registers a complaint the caller's office received by post, by e-mail or at
// the office, with its registration mark (standard §11): 201 with its number and due moment.
func (h *Handler) registerComplaint(ctx context.Context, r *request) (int, any, error) {
	var in complaints.Registration
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	c, err := h.complaints.Register(ctx, r.actor, in, r.now)
	if err != nil {
		return 0, nil, complaintError(err)
	}
	return http.StatusCreated, complaintView(c), nil
}

func (h *Handler) getComplaint(ctx context.Context, r *request) (int, any, error) {
	c, err := h.complaints.Get(ctx, r.actor, r.PathParameters["complaintId"])
	if err != nil {
		return 0, nil, complaintError(err)
	}
	return http.StatusOK, complaintView(c), nil
}

// decideComplaint records the addressee's consideration: 200 with the complaint, the same for a
// repeat of the same decision.
func (h *Handler) decideComplaint(ctx context.Context, r *request) (int, any, error) {
	var in complaints.DecisionInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	c, err := h.complaints.Decide(ctx, r.actor, r.PathParameters["complaintId"], in, r.now)
	if err != nil {
		return 0, nil, complaintError(err)
	}
	return http.StatusOK, complaintView(c), nil
}
