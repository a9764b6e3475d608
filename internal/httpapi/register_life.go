package httpapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/register"
)

// The routes of life after the certificate (§40-§48): the owner's notices (monitoring connection
// §42, changes §43, loss or damage §48, cessation of operation), the authority's decisions
// (re-attestation §44 and §47, recall §45, the return §46, the duplicate §48), the certificates
// an applicant's organisation holds or the authority lists, and the obligations the authority
// watches. The public routes of the register are in register_public.go.

// RegisterService is what these routes need of the register (*register.Service).
type RegisterService interface {
	Number(year, seq string) (string, error)
	List(ctx context.Context, actor identity.Actor, q register.CertificateQuery, limit int, cursor string, now time.Time) ([]register.Entry, string, error)
	NotifyMonitoring(ctx context.Context, actor identity.Actor, number string, now time.Time) (register.Entry, error)
	NotifyChange(ctx context.Context, actor identity.Actor, number string, in register.ChangeInput, now time.Time) (register.Entry, register.ChangeNotice, error)
	DecideChange(ctx context.Context, actor identity.Actor, number, changeID string, in register.ChangeDecision, now time.Time) (register.Entry, register.ChangeNotice, error)
	Recall(ctx context.Context, actor identity.Actor, number string, in register.RecallInput, now time.Time) (register.Entry, error)
	RecordReturn(ctx context.Context, actor identity.Actor, number string, now time.Time) (register.Entry, error)
	RequestDuplicate(ctx context.Context, actor identity.Actor, number string, in register.DuplicateInput, now time.Time) (register.Entry, register.DuplicateRequest, error)
	IssueDuplicate(ctx context.Context, actor identity.Actor, number, requestID string, now time.Time) (register.Entry, register.DuplicateRequest, error)
	NotifyCessation(ctx context.Context, actor identity.Actor, number string, in register.CessationNotice, now time.Time) (register.Entry, error)
	Obligations(ctx context.Context, actor identity.Actor, overdueOnly bool, limit int, cursor string, now time.Time) ([]register.Obligation, string, error)
}

var _ RegisterService = (*register.Service)(nil)

// registerRoutes are the routes of life after the certificate.
func (h *Handler) registerRoutes() map[string]route {
	applicant := []identity.Role{identity.Applicant}
	authority := []identity.Role{identity.Authority}
	return map[string]route{
		"GET /certificates":                                            {roles: []identity.Role{identity.Applicant, identity.Authority}, handle: h.listCertificates},
		"POST /certificates/{year}/{seq}/monitoring":                   {roles: applicant, handle: h.notifyMonitoring, idempotent: true},
		"POST /certificates/{year}/{seq}/changes":                      {roles: applicant, handle: h.notifyChange, idempotent: true},
		"POST /certificates/{year}/{seq}/duplicates":                   {roles: applicant, handle: h.requestDuplicate, idempotent: true},
		"POST /certificates/{year}/{seq}/cessation":                    {roles: applicant, handle: h.notifyCessation, idempotent: true},
		"POST /certificates/{year}/{seq}/changes/{changeId}/decision":  {roles: authority, handle: h.decideChange, idempotent: true},
		"POST /certificates/{year}/{seq}/recall":                       {roles: authority, handle: h.recallCertificate, idempotent: true},
		"POST /certificates/{year}/{seq}/return":                       {roles: authority, handle: h.recordReturn, idempotent: true},
		"POST /certificates/{year}/{seq}/duplicates/{requestId}/issue": {roles: authority, handle: h.issueDuplicate, idempotent: true},
		"GET /register/obligations":                                    {roles: []identity.Role{identity.Applicant, identity.Authority}, handle: h.obligations},
	}
}

// CertificateView is a certificate's entry in the register as its owner and the authority see
// it: what the public sees, and the obligations after it.
type CertificateView struct {
	Number            string                      `json:"number"`
	Status            register.Status             `json:"status"`
	CaseID            string                      `json:"caseId"`
	Edition           string                      `json:"edition"`
	EditionOutOfForce bool                        `json:"editionOutOfForce,omitempty"` // filed on a date its edition does not cover (issue 16)
	ObjectID          string                      `json:"objectId,omitempty"`
	ObjectName        string                      `json:"objectName"`
	ObjectKind        string                      `json:"objectKind"`
	Mandatory         bool                        `json:"mandatory"`
	OwnerName         string                      `json:"ownerName"`
	OwnerBIN          string                      `json:"ownerBin"`
	Developer         string                      `json:"developer,omitempty"`
	Act               CertificateActView          `json:"act"`
	AdditionalAct     *CertificateActView         `json:"additionalAct,omitempty"`
	IssuedAt          time.Time                   `json:"issuedAt"`
	ValidUntil        *time.Time                  `json:"validUntil,omitempty"`
	CertificateSHA256 string                      `json:"certificateSha256"`
	ExpiredAt         *time.Time                  `json:"expiredAt,omitempty"`
	Recall            *register.Recall            `json:"recall,omitempty"`
	TerminatedAt      *time.Time                  `json:"terminatedAt,omitempty"`
	Monitoring        *register.Monitoring        `json:"monitoring,omitempty"`
	Changes           []register.ChangeNotice     `json:"changes"`
	Duplicates        []register.DuplicateRequest `json:"duplicates"`
	Cessation         *register.Cessation         `json:"cessation,omitempty"`
	RecallApplication *register.RecallApplication `json:"recallApplication,omitempty"`
	AwaitingReceipt   bool                        `json:"awaitingReceipt,omitempty"`
	ReceivedAt        *time.Time                  `json:"receivedAt,omitempty"`
	Revision          int                         `json:"revision"`
	UpdatedAt         time.Time                   `json:"updatedAt"`
}

// CertificateActView is an act's details: number, date and the SHA-256 of the stored act.
type CertificateActView struct {
	Number string    `json:"number"`
	Date   time.Time `json:"date"` // the instant the act's day begins in Kazakhstan
	Day    string    `json:"day"`  // the act's date as written on it (YYYY-MM-DD, Kazakhstan)
	SHA256 string    `json:"sha256"`
}

// CertificateAction is the answer to a notice or a decision: the entry after it, and the change
// notice or the duplicate request it concerned.
type CertificateAction struct {
	Certificate CertificateView            `json:"certificate"`
	Change      *register.ChangeNotice     `json:"change,omitempty"`
	Duplicate   *register.DuplicateRequest `json:"duplicate,omitempty"`
}

// CertificatePage is a page of certificates.
type CertificatePage struct {
	Certificates []CertificateView `json:"certificates"`
	Cursor       string            `json:"cursor,omitempty"`
}

// ObligationPage is a page of the open obligations after certificates.
type ObligationPage struct {
	Obligations []register.Obligation `json:"obligations"`
	Cursor      string                `json:"cursor,omitempty"`
}

func certificateView(e register.Entry) CertificateView {
	v := CertificateView{Number: e.Number, Status: e.Status, CaseID: e.CaseID, Edition: e.Edition, EditionOutOfForce: e.EditionOutOfForce, ObjectID: e.ObjectID,
		ObjectName: e.ObjectName, ObjectKind: e.ObjectKind, Mandatory: e.Mandatory, OwnerName: e.OwnerName, OwnerBIN: e.OwnerBIN,
		Developer: e.Developer, Act: CertificateActView{Number: e.Act.Number, Date: e.Act.Date, Day: register.ActDay(e.Act.Date), SHA256: e.Act.Document.SHA256},
		IssuedAt: e.IssuedAt, ValidUntil: e.ValidUntil, CertificateSHA256: e.Certificate.SHA256, ExpiredAt: e.ExpiredAt,
		Recall: e.Recall, TerminatedAt: e.TerminatedAt, Monitoring: e.Monitoring, Changes: e.Changes, Duplicates: e.Duplicates,
		Cessation: e.Cessation, RecallApplication: e.RecallApplication, AwaitingReceipt: e.AwaitingReceipt, ReceivedAt: e.ReceivedAt, Revision: e.Revision, UpdatedAt: e.UpdatedAt}
	if a := e.AdditionalAct; a != nil {
		v.AdditionalAct = &CertificateActView{Number: a.Number, Date: a.Date, Day: register.ActDay(a.Date), SHA256: a.Document.SHA256}
	}
	if v.Changes == nil {
		v.Changes = []register.ChangeNotice{}
	}
	if v.Duplicates == nil {
		v.Duplicates = []register.DuplicateRequest{}
	}
	return v
}

// registerError turns the service's not-found errors into this API's 404s (another
// organisation's certificate reads exactly like a missing one).
func registerError(err error) error {
	switch {
	case errors.Is(err, register.ErrChangeNotFound):
		return badRequest(apperr.NotFound, "no such change notice of this certificate")
	case errors.Is(err, register.ErrDuplicateNotFound):
		return badRequest(apperr.NotFound, "no such duplicate request of this certificate")
	case errors.Is(err, attestation.ErrNotFound):
		return badRequest(apperr.NotFound, "no such certificate in the register")
	}
	return err
}

// certificate is the register service and the number of the path's {year} and {seq}.
func (h *Handler) certificate(r *request) (RegisterService, string, error) {
	number, err := h.register.Number(r.PathParameters["year"], r.PathParameters["seq"])
	if err != nil {
		return nil, "", badRequest(apperr.Invalid, "certificate number: "+apperr.PublicOf(err).Detail)
	}
	return h.register, number, nil
}

// decodeOptional reads the body of a route that takes none into v (a struct without fields): an
// empty body, or an empty JSON object whatever its content type; any member is refused (400),
// and so is text that is not UTF-8 (bodyText).
func decodeOptional(r *request, v any) error {
	body, err := rawBody(r)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return nil
	}
	if err := bodyText(body); err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// onCertificate is the shape of every notice and decision on a certificate: the number from the
// path, the body read into an In (with decode, or decodeOptional when it may be empty), the
// service's act, and its answer with status.
func onCertificate[In any](ctx context.Context, h *Handler, r *request, status int, read func(*request, any) error,
	act func(svc RegisterService, number string, in In) (CertificateAction, error)) (int, any, error) {
	svc, number, err := h.certificate(r)
	if err != nil {
		return 0, nil, err
	}
	var in In
	if err := read(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := act(svc, number, in)
	if err != nil {
		return 0, nil, registerError(err)
	}
	return status, out, nil
}

// entryAction is the answer of an act that changes the entry only.
func entryAction(e register.Entry, err error) (CertificateAction, error) {
	if err != nil {
		return CertificateAction{}, err
	}
	return CertificateAction{Certificate: certificateView(e)}, nil
}

func (h *Handler) notifyMonitoring(ctx context.Context, r *request) (int, any, error) {
	return onCertificate(ctx, h, r, http.StatusOK, decodeOptional, func(svc RegisterService, number string, _ struct{}) (CertificateAction, error) {
		return entryAction(svc.NotifyMonitoring(ctx, r.actor, number, r.now))
	})
}

func (h *Handler) notifyChange(ctx context.Context, r *request) (int, any, error) {
	return onCertificate(ctx, h, r, http.StatusCreated, decode, func(svc RegisterService, number string, in register.ChangeInput) (CertificateAction, error) {
		e, c, err := svc.NotifyChange(ctx, r.actor, number, in, r.now)
		return CertificateAction{Certificate: certificateView(e), Change: &c}, err
	})
}

func (h *Handler) decideChange(ctx context.Context, r *request) (int, any, error) {
	return onCertificate(ctx, h, r, http.StatusOK, decode, func(svc RegisterService, number string, in register.ChangeDecision) (CertificateAction, error) {
		e, c, err := svc.DecideChange(ctx, r.actor, number, r.PathParameters["changeId"], in, r.now)
		return CertificateAction{Certificate: certificateView(e), Change: &c}, err
	})
}

func (h *Handler) recallCertificate(ctx context.Context, r *request) (int, any, error) {
	return onCertificate(ctx, h, r, http.StatusOK, decode, func(svc RegisterService, number string, in register.RecallInput) (CertificateAction, error) {
		return entryAction(svc.Recall(ctx, r.actor, number, in, r.now))
	})
}

func (h *Handler) recordReturn(ctx context.Context, r *request) (int, any, error) {
	return onCertificate(ctx, h, r, http.StatusOK, decodeOptional, func(svc RegisterService, number string, _ struct{}) (CertificateAction, error) {
		return entryAction(svc.RecordReturn(ctx, r.actor, number, r.now))
	})
}

func (h *Handler) requestDuplicate(ctx context.Context, r *request) (int, any, error) {
	return onCertificate(ctx, h, r, http.StatusCreated, decode, func(svc RegisterService, number string, in register.DuplicateInput) (CertificateAction, error) {
		e, d, err := svc.RequestDuplicate(ctx, r.actor, number, in, r.now)
		return CertificateAction{Certificate: certificateView(e), Duplicate: &d}, err
	})
}

func (h *Handler) issueDuplicate(ctx context.Context, r *request) (int, any, error) {
	return onCertificate(ctx, h, r, http.StatusOK, decodeOptional, func(svc RegisterService, number string, _ struct{}) (CertificateAction, error) {
		e, d, err := svc.IssueDuplicate(ctx, r.actor, number, r.PathParameters["requestId"], r.now)
		return CertificateAction{Certificate: certificateView(e), Duplicate: &d}, err
	})
}

func (h *Handler) notifyCessation(ctx context.Context, r *request) (int, any, error) {
	return onCertificate(ctx, h, r, http.StatusOK, decode, func(svc RegisterService, number string, in register.CessationNotice) (CertificateAction, error) {
		return entryAction(svc.NotifyCessation(ctx, r.actor, number, in, r.now))
	})
}

// listCertificates: an applicant its organisation's certificates, the authority the register's or
// an organisation's (?organization=), of one ?status= or all; newest number first.
func (h *Handler) listCertificates(ctx context.Context, r *request) (int, any, error) {
	q := register.CertificateQuery{}
	if org, given := r.QueryStringParameters["organization"]; given {
		if err := attestation.ValidIdentityNumber(org); err != nil {
			return 0, nil, badRequest(apperr.Invalid, "organization: "+apperr.PublicOf(err).Detail)
		}
		q.OwnerBIN = org
	}
	if st, given := r.QueryStringParameters["status"]; given {
		switch q.Status = register.Status(st); q.Status {
		case register.Valid, register.Recalled, register.Expired, register.Terminated:
		default:
			return 0, nil, badRequest(apperr.Invalid, "status: want valid, recalled, expired or terminated")
		}
	}
	limit, cursor, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	list, next, err := h.register.List(ctx, r.actor, q, limit, cursor, r.now)
	if err != nil {
		return 0, nil, registerError(err)
	}
	page := CertificatePage{Certificates: []CertificateView{}, Cursor: next}
	for _, e := range list {
		page.Certificates = append(page.Certificates, certificateView(e))
	}
	return http.StatusOK, page, nil
}

// obligations: the open obligations after certificates, for the authority (?overdue=true: the
// overdue ones).
func (h *Handler) obligations(ctx context.Context, r *request) (int, any, error) {
	overdue := false
	switch r.QueryStringParameters["overdue"] {
	case "", "false":
	case "true":
		overdue = true
	default:
		return 0, nil, badRequest(apperr.Invalid, "overdue: want true or false")
	}
	limit, cursor, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	obs, next, err := h.register.Obligations(ctx, r.actor, overdue, limit, cursor, r.now)
	if err != nil {
		return 0, nil, registerError(err)
	}
	return http.StatusOK, ObligationPage{Obligations: obs, Cursor: next}, nil
}
