// Package httpapi is the handler behind every route of the HTTP API: it takes API Gateway's
// payload-v2 event, finds the caller in the JWT authorizer's claims, takes "now" from the
// request's timeEpoch, calls the attestation service, and answers JSON or an RFC 9457
// application/problem+json body.
package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/audit"
	"attestation/internal/identity"
)

// MaxBody is the largest request body the API reads; a larger one is refused with 413.
const MaxBody = attestation.MaxPackageBytes

// Service is what the API needs of the attestation service (*attestation.Service).
type Service interface {
	FileService
	UploadBatchService
	Get(ctx context.Context, actor identity.Actor, id string) (attestation.Case, []attestation.Event, error)
	CompleteStep(ctx context.Context, actor identity.Actor, caseID string, in attestation.Completion, now time.Time) (attestation.Decision, error)
	Withdraw(ctx context.Context, actor identity.Actor, caseID string, now time.Time) (attestation.Case, error)
	List(ctx context.Context, actor identity.Actor, limit int, cursor string) ([]attestation.Case, string, error)
	Queue(ctx context.Context, actor identity.Actor, step string, overdueOnly bool, limit int, cursor string, now time.Time) ([]attestation.QueueItem, string, error)
}

var _ Service = (*attestation.Service)(nil)

// Handler serves the API.
type Handler struct {
	svc     Service
	calls   audit.Store
	idem    Idempotency
	objects ObjectService // objects of informatization and annual plans (objects.go)
	log     *slog.Logger

	complaints ComplaintService // the complaints of standard §11 (complaints.go)
	oversight  OversightService // the authority's oversight reports (oversight.go)
	register   RegisterService  // life after the certificate (register_life.go)

	registerPublic *publicRegister // the public routes of the register (register_public.go)
	notices        NoticeService   // the personal cabinet (notices.go)
	contacts       ContactService  // an organisation's contacts for its notifications (notices.go)

	archive     ArchiveService     // the archive of the call records (records.go)
	stats       StatisticsService  // the statistics of the service (records.go)
	methodology MethodologyService // the survey methodology (§20; methodology.go); nil: 503

	table sync.Once // routeTable, made by the first request
	byKey map[string]route
}

// Deps are the services and stores the API is built on; every one is required.
type Deps struct {
	Cases  Service     // the cases: filings, drafts, uploads, steps
	Calls  audit.Store // records every request and reads the records back for staff
	Claims Idempotency // runs the Idempotency-Key protocol on its claims
	Log    *slog.Logger

	Objects        ObjectService         // objects of informatization and annual plans (objects.go)
	Complaints     ComplaintService      // the complaints of standard §11 (complaints.go)
	Oversight      OversightService      // the authority's oversight reports (oversight.go)
	Register       RegisterService       // life after the certificate (register_life.go)
	RegisterPublic RegisterPublicService // the public routes of the register (register_public.go)
	Numbering      CertificateNumbering  // the policy that numbers certificates, for the public routes
	Notices        NoticeService         // the personal cabinet (notices.go)
	Contacts       ContactService        // an organisation's contacts for its notifications (notices.go)

	Archive    ArchiveService    // a day's archive manifest of the call records (records.go)
	Statistics StatisticsService // the statistics of the service (records.go)
	// Methodology serves the survey methodology (§20; methodology.go); optional: without it its
	// routes answer 503.
	Methodology MethodologyService
}

// New returns the API handler on d, or an error naming the first service or store d lacks.
func New(d Deps) (*Handler, error) {
	for _, p := range []struct {
		name    string
		missing bool
	}{
		{"Cases", d.Cases == nil}, {"Calls", d.Calls == nil}, {"Claims", d.Claims == nil}, {"Log", d.Log == nil},
		{"Objects", d.Objects == nil}, {"Complaints", d.Complaints == nil}, {"Oversight", d.Oversight == nil},
		{"Register", d.Register == nil}, {"RegisterPublic", d.RegisterPublic == nil}, {"Numbering", d.Numbering == nil},
		{"Notices", d.Notices == nil}, {"Contacts", d.Contacts == nil},
		{"Archive", d.Archive == nil}, {"Statistics", d.Statistics == nil},
	} {
		if p.missing {
			return nil, fmt.Errorf("api handler: %s is required", p.name)
		}
	}
	return &Handler{svc: d.Cases, calls: d.Calls, idem: d.Claims, log: d.Log, objects: d.Objects, complaints: d.Complaints,
		oversight: d.Oversight, register: d.Register, registerPublic: &publicRegister{svc: d.RegisterPublic, numbers: d.Numbering}, notices: d.Notices, contacts: d.Contacts,
		archive: d.Archive, stats: d.Statistics, methodology: d.Methodology}, nil
}

type request struct {
	events.APIGatewayV2HTTPRequest
	actor identity.Actor
	now   time.Time
}

type route struct {
	roles  []identity.Role // empty: public
	handle func(context.Context, *request) (int, any, error)
	// idempotent: the route creates or decides, and honours an Idempotency-Key.
	idempotent bool
}

// routeTable is routes(), made once: a container serves many requests with one Handler.
func (h *Handler) routeTable() map[string]route {
	h.table.Do(func() { h.byKey = h.routes() })
	return h.byKey
}

func (h *Handler) routes() map[string]route {
	// The office reaches the cases it received on paper and acts for their applicant (office.go).
	all := []identity.Role{identity.Applicant, identity.Authority, identity.STS, identity.Office}
	staff := []identity.Role{identity.Authority, identity.STS}
	applicant := []identity.Role{identity.Applicant}
	filers := []identity.Role{identity.Applicant, identity.Office} // a draft: the applicant's own, or the office's paper filing
	rs := map[string]route{
		"GET /health":                            {roles: nil, handle: h.health},
		"POST /drafts":                           {roles: applicant, handle: h.createDraft, idempotent: true},
		"GET /drafts/{draftId}":                  {roles: filers, handle: h.getDraft},
		"PUT /drafts/{draftId}":                  {roles: filers, handle: h.updateDraft, idempotent: true},
		"POST /drafts/{draftId}/uploads":         {roles: filers, handle: h.draftUpload, idempotent: true},
		"POST /drafts/{draftId}/submit":          {roles: applicant, handle: h.submitDraft, idempotent: true},
		"POST /drafts/{draftId}/uploads/batch":   {roles: filers, handle: h.draftUploads, idempotent: true},
		"POST /drafts/{draftId}/uploads/confirm": {roles: filers, handle: h.confirmDraftUploads, idempotent: true},
		"POST /cases/{caseId}/uploads":           {roles: all, handle: h.caseUpload, idempotent: true},
		"POST /uploads/{uploadId}/confirm":       {roles: all, handle: h.confirmUpload, idempotent: true},
		"GET /cases/{caseId}/documents":          {roles: all, handle: h.documentLink},
		"GET /cases/{caseId}":                    {roles: all, handle: h.getCase},
		"POST /cases/{caseId}/step":              {roles: all, handle: h.completeStep, idempotent: true},
		"POST /cases/{caseId}/withdraw":          {roles: []identity.Role{identity.Applicant}, handle: h.withdraw, idempotent: true},
		"GET /audit/cases/{caseId}":              {roles: staff, handle: h.auditByCase},
		"GET /audit/days/{day}":                  {roles: staff, handle: h.auditByDay},
		"GET /queue":                             {roles: staff, handle: h.queue},
		"GET /cases":                             {roles: []identity.Role{identity.Applicant}, handle: h.listCases},
	}
	for k, v := range h.objectRoutes() {
		rs[k] = v
	}
	for k, v := range h.registerRoutes() {
		rs[k] = v
	}
	for k, v := range h.complaintRoutes() {
		rs[k] = v
	}
	for k, v := range h.methodologyRoutes() {
		rs[k] = v
	}
	for k, v := range h.oversightRoutes() {
		rs[k] = v
	}
	for k, v := range h.registerPublicRoutes() {
		rs[k] = v
	}
	for k, v := range h.attentionRoutes() {
		rs[k] = v
	}
	for k, v := range h.noticeRoutes() {
		rs[k] = v
	}
	for k, v := range h.statusRoutes() {
		rs[k] = v
	}
	for k, v := range h.recallApplicationRoutes() {
		rs[k] = v
	}
	for k, v := range h.recordsRoutes() {
		rs[k] = v
	}
	for k, v := range h.officeRoutes() {
		rs[k] = v
	}
	return rs
}

// Handle answers one API Gateway request, and records the call (seed 003 §8).
//
// Every request the function receives leaves one call record, refused ones included, written
// once its response is decided: the record carries the outcome. If the record cannot be
// written, the caller gets 503 instead of the decided response: a call that is not recorded
// does not succeed silently.
//
// For the routes that change a case (filing, a step, a withdrawal) the record is still written
// after the work, not before: a record written first could not carry the outcome, and a second
// record per call (intent, then outcome) would break "one record per call". What a failed
// record leaves behind for such a call is covered three ways: the change itself is written with
// its history event (actor, role, time) in the same transaction as the case, so no change of a
// case is ever without a trace; the whole record (organisation masked) goes to the function's
// log at error level, beside API Gateway's access line; and the answer is 503, so the caller
// learns the call is in doubt. A caller that sent an Idempotency-Key gets the first answer
// again when it retries with the key (and that retry is recorded, marked replayed) instead of
// a second effect.
func (h *Handler) Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	rec := newRecord(ev)
	resp := h.serve(ctx, ev, &rec)
	rec.Status = resp.StatusCode
	if resp.StatusCode >= 400 {
		rec.Reason = reasonOf(resp)
	}
	if rec.CaseID == "" && ev.RouteKey == "POST /drafts/{draftId}/submit" && resp.StatusCode == http.StatusCreated {
		rec.CaseID = createdCaseID(resp.Body)
	}
	if err := h.calls.Record(ctx, rec); err != nil {
		h.log.ErrorContext(ctx, "call record not written; the call is answered 503", "requestId", rec.RequestID,
			"record", rec, "decidedStatus", resp.StatusCode, "error", err)
		return problem(apperr.Unavailable, "service unavailable",
			"the call could not be recorded, so it is not confirmed; retry it (with the same Idempotency-Key, if it changes a case)"), nil
	}
	return resp, nil
}

// serve decides the response to one request, and fills in the record what it learns of the
// caller. A panic is answered 500 (and recorded like any other answer).
func (h *Handler) serve(ctx context.Context, ev events.APIGatewayV2HTTPRequest, rec *audit.Record) (resp events.APIGatewayV2HTTPResponse) {
	r := &request{APIGatewayV2HTTPRequest: ev, now: time.UnixMilli(ev.RequestContext.TimeEpoch).UTC()}
	log := h.log.With("requestId", ev.RequestContext.RequestID, "route", ev.RouteKey)
	if id := ev.PathParameters["caseId"]; id != "" {
		log = log.With("caseId", id)
	}
	defer func() {
		if p := recover(); p != nil {
			log.ErrorContext(ctx, "request panicked", "panic", fmt.Sprint(p))
			resp = fromError(errors.New("panic"))
		}
	}()
	rt, ok := h.routeTable()[ev.RouteKey]
	if !ok {
		return problem(apperr.NotFound, "no such route", ev.RouteKey)
	}
	if ev.RequestContext.TimeEpoch == 0 {
		log.ErrorContext(ctx, "request without timeEpoch")
		return problem(apperr.Invalid, "request time missing", "requestContext.timeEpoch is required")
	}
	if len(rt.roles) > 0 {
		var claims map[string]string
		if a := ev.RequestContext.Authorizer; a != nil && a.JWT != nil {
			claims = a.JWT.Claims
		}
		fromClaims(rec, claims)
		actor, err := identity.FromClaims(claims)
		if err == nil {
			err = tokenNumber(actor)
		}
		if err != nil {
			return problem(apperr.Unauthorized, "unauthenticated", err.Error())
		}
		rec.Role, rec.Organization = string(actor.Role), actor.BIN
		if !allowed(rt.roles, actor.Role) {
			return problem(apperr.Forbidden, "forbidden", fmt.Sprintf("the route %s is not open to the role %s", ev.RouteKey, actor.Role))
		}
		r.actor = actor
		log = log.With("actor", actor)
	}
	if err := checkPathParams(ev.PathParameters); err != nil {
		return pathRefusal(r, err) // before any work is done
	}
	if rt.idempotent {
		if key, ok := header(ev.Headers, IdempotencyKeyHeader); ok {
			return h.once(ctx, log, r, rt, key, rec)
		}
	}
	return h.run(ctx, log, r, rt)
}

// run does a route's work and turns its result into the response.
func (h *Handler) run(ctx context.Context, log *slog.Logger, r *request, rt route) events.APIGatewayV2HTTPResponse {
	// The documented limits of the body, before any work (limits.go).
	err := checkLimits(r)
	var status int
	var body any
	if err == nil {
		status, body, err = rt.handle(ctx, r)
	}
	if err != nil {
		resp := fromError(err)
		if resp.StatusCode >= 500 {
			log.ErrorContext(ctx, "request failed", "error", err)
		} else {
			log.InfoContext(ctx, "request refused", "status", resp.StatusCode, "error", err)
		}
		return resp
	}
	if raw, ok := body.(rawResponse); ok {
		return raw.response(status)
	}
	return jsonResponse(status, body)
}

func allowed(roles []identity.Role, r identity.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// rawBody is the request's body, refused if oversized.
func rawBody(r *request) ([]byte, error) {
	body := []byte(r.Body)
	if r.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(r.Body)
		if err != nil {
			return nil, badRequest(apperr.Invalid, "body: not valid base64")
		}
		body = b
	}
	if len(body) > MaxBody {
		return nil, badRequest(apperr.TooLarge, fmt.Sprintf("body: larger than %d bytes", MaxBody))
	}
	return body, nil
}

// decode reads a JSON body into v, rejecting unknown fields, trailing data, oversized bodies, a
// content type that is not JSON and text that is not UTF-8 (jsonBody).
func decode(r *request, v any) error {
	body, err := jsonBody(r)
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// decodeJSON reads body into v, rejecting unknown fields and trailing data.
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest(apperr.Invalid, "body: "+err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest(apperr.Invalid, "body: unexpected data after the JSON value")
	}
	return nil
}

// badRequest is a request this API refuses before any service sees it, of kind (apperr.Invalid
// for a malformed one) with detail for the caller.
func badRequest(kind apperr.Kind, detail string) error { return apperr.New(kind, "", detail) }

func (h *Handler) health(ctx context.Context, r *request) (int, any, error) {
	return http.StatusOK, map[string]any{"status": "ok", "time": r.now}, nil
}

func (h *Handler) getCase(ctx context.Context, r *request) (int, any, error) {
	c, hist, err := h.svc.Get(ctx, r.actor, r.PathParameters["caseId"])
	if err != nil {
		return 0, nil, err
	}
	v := caseView(c, hist)
	// The case's own notifications, as far as the caller's cabinet holds them (issue 13); the
	// office has no cabinet.
	if r.actor.Role != identity.Office {
		ns, err := h.notices.OfCase(ctx, r.actor, c.ID)
		if err != nil {
			return 0, nil, err
		}
		v.Notifications = noticeViews(ns)
	}
	if v.ServiceTerm != nil {
		v.ServiceTerm.Breach = attestation.TermBreach(c, r.now)
	}
	return http.StatusOK, v, nil
}

func (h *Handler) completeStep(ctx context.Context, r *request) (int, any, error) {
	var in attestation.Completion
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	dec, err := h.svc.CompleteStep(ctx, r.actor, r.PathParameters["caseId"], in, r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, DecisionView{Step: dec.Step, Outcome: dec.Outcome, Reasons: dec.Reasons, Grounds: dec.Grounds, At: dec.At}, nil
}

func (h *Handler) withdraw(ctx context.Context, r *request) (int, any, error) {
	c, err := h.svc.Withdraw(ctx, r.actor, r.PathParameters["caseId"], r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, caseView(c, nil), nil
}

// DecisionView is a completed step as the API shows it.
type DecisionView struct {
	Step    string              `json:"step"`
	Outcome attestation.Outcome `json:"outcome"`
	Reasons []string            `json:"reasons,omitempty"`
	Grounds []string            `json:"grounds,omitempty"` // standard §10
	At      time.Time           `json:"at"`
}

// CasePage is a page of the applicant's cases.
type CasePage struct {
	Cases  []CaseView `json:"cases"`
	Cursor string     `json:"cursor,omitempty"`
}

// listCases is the applicant's own organisation's cases, newest first.
func (h *Handler) listCases(ctx context.Context, r *request) (int, any, error) {
	limit, cursor, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	cases, next, err := h.svc.List(ctx, r.actor, limit, cursor)
	if err != nil {
		return 0, nil, err
	}
	page := CasePage{Cases: []CaseView{}, Cursor: next}
	for _, c := range cases {
		page.Cases = append(page.Cases, caseView(c, nil))
	}
	return http.StatusOK, page, nil
}

// QueuePage is a page of a staff work queue.
type QueuePage struct {
	Items  []attestation.QueueItem `json:"items"`
	Cursor string                  `json:"cursor,omitempty"`
}

// queue is the caller's work queue: the open steps its role acts on, earliest due first, with
// overdue flags; ?step= and ?overdue=true filter it.
func (h *Handler) queue(ctx context.Context, r *request) (int, any, error) {
	limit, cursor, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.QueryStringParameters
	overdue := false
	switch q["overdue"] {
	case "", "false":
	case "true":
		overdue = true
	default:
		return 0, nil, badRequest(apperr.Invalid, "overdue: want true or false")
	}
	items, next, err := h.svc.Queue(ctx, r.actor, q["step"], overdue, limit, cursor, r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, QueuePage{Items: items, Cursor: next}, nil
}

// CaseView is a case as the API shows it.
type CaseView struct {
	ID         string            `json:"id"`
	ObjectName string            `json:"objectName"`
	Stage      attestation.Stage `json:"stage"`
	Edition    string            `json:"edition"`
	// EditionOutOfForce: filed on a date its edition does not cover, under the model mode (issue 16).
	EditionOutOfForce bool                   `json:"editionOutOfForce,omitempty"`
	SubmittedAt       time.Time              `json:"submittedAt"`
	ReceivedAt        time.Time              `json:"receivedAt"`
	Certificate       string                 `json:"certificate,omitempty"`
	OpenStep          *StepView              `json:"openStep,omitempty"`
	Decision          attestation.Outcome    `json:"decision,omitempty"`
	Documents         []attestation.Document `json:"documents,omitempty"`
	History           []attestation.Event    `json:"history,omitempty"`
	// Notifications are the case's notifications in the caller's cabinet, newest first (GET /cases/{caseId} only).
	Notifications []NotificationView `json:"notifications,omitempty"`
	// ServiceTerm is the service term of standard §4: 51 working days from the submission, +48 with an additional survey.
	ServiceTerm *ServiceTermView `json:"serviceTerm,omitempty"`
	// Paper and HandOvers: a filing received on paper at the Committee's office (standard §9).
	Paper     *attestation.PaperFiling `json:"paper,omitempty"`
	HandOvers []attestation.HandOver   `json:"handOvers,omitempty"`
	// SurveyAct and AdditionalSurveyAct are the acts' details with the survey's content and their
	// three copies (§20-§25, §35); the applicant sees each once the authority sent it.
	SurveyAct           *attestation.ActDetails `json:"surveyAct,omitempty"`
	AdditionalSurveyAct *attestation.ActDetails `json:"additionalSurveyAct,omitempty"`
	// Commissions are the attestation commissions of the case's decisions (Law Art. 51(6)).
	Commissions []attestation.Commission `json:"commissions,omitempty"`
}

// ServiceTermView is the case's service term (standard §4) as the API shows it.
type ServiceTermView struct {
	attestation.ServiceTerm
	// Breach explains a term past its due moment (GET /cases/{caseId} only): the service term's
	// breach, not a stage's, when every stage kept its own period.
	Breach string `json:"breach,omitempty"`
}

// StepView is the open step as the API shows it: who acts and by when. A paper case's step whose
// period starts at the hand-over at the office has no due moment until then (AwaitsHandOver).
type StepView struct {
	Name           string        `json:"name"`
	Role           identity.Role `json:"role"`
	DueAt          time.Time     `json:"dueAt,omitzero"`
	Paragraph      string        `json:"paragraph,omitempty"`
	Overdue        bool          `json:"overdue"`
	AwaitsHandOver bool          `json:"awaitsHandOver,omitempty"`
	HandedOverAt   *time.Time    `json:"handedOverAt,omitempty"`
}

func caseView(c attestation.Case, hist []attestation.Event) CaseView {
	v := CaseView{ID: c.ID, ObjectName: c.ObjectName, Stage: c.Stage, Edition: c.Edition, EditionOutOfForce: c.EditionOutOfForce, SubmittedAt: c.SubmittedAt, ReceivedAt: c.ReceivedAt, Certificate: c.Certificate,
		Decision: c.Decision, Documents: c.Documents, History: hist, Paper: c.Paper, HandOvers: c.HandOvers, SurveyAct: c.SurveyAct, AdditionalSurveyAct: c.AdditionalSurveyAct,
		Commissions: c.Commissions}
	if t := c.Term; t != nil {
		v.ServiceTerm = &ServiceTermView{ServiceTerm: *t}
	}
	if st := c.OpenStep; st != nil {
		v.OpenStep = &StepView{Name: st.Name, Role: st.Role, DueAt: st.DueAt, Paragraph: st.Paragraph, Overdue: st.Overdue,
			AwaitsHandOver: st.AwaitsHandOver, HandedOverAt: st.HandedOverAt}
	}
	return v
}

// jsonResponse answers body as JSON. Every JSON body ends with a newline, so answers printed one
// after another (curl in a shell) stay on lines of their own.
func jsonResponse(status int, body any) events.APIGatewayV2HTTPResponse {
	b, err := json.Marshal(inUTC(body))
	if err != nil {
		return problem(apperr.Internal, "internal error", "the response could not be encoded")
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Body: string(b) + "\n",
		Headers: map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"}}
}

// Problem is an RFC 9457 problem details body, with the field-level problems of a request.
type Problem struct {
	Type     string           `json:"type"`
	Title    string           `json:"title"`
	Status   int              `json:"status"`
	Detail   string           `json:"detail,omitempty"`
	Problems []apperr.Problem `json:"problems,omitempty"`
}

// problem answers a refusal the API makes itself (no route, no identity), of kind with its own
// title and detail.
func problem(kind apperr.Kind, title, detail string) events.APIGatewayV2HTTPResponse {
	return problemBody(Problem{Type: kind.ProblemType(), Title: title, Status: kind.HTTPStatus(), Detail: detail})
}

func problemBody(p Problem) events.APIGatewayV2HTTPResponse {
	b, _ := json.Marshal(p)
	status := p.Status
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Body: string(b) + "\n",
		Headers: map[string]string{"Content-Type": "application/problem+json", "Cache-Control": "no-store"}}
}

// fromError is the one place that maps errors to HTTP answers, through apperr's table: the
// status, the problem type and title come from the error's kind, the detail is the message its
// maker wrote for the caller. No internal cause ever reaches the body (the caller logs it).
func fromError(err error) events.APIGatewayV2HTTPResponse {
	p := apperr.PublicOf(err)
	return problemBody(Problem{Type: p.Type, Title: p.Title, Status: p.Status, Detail: p.Detail, Problems: p.Problems})
}
