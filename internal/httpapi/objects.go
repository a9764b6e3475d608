package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/objects"
)

// ObjectService is what the API needs of the objects of informatization and their annual plans
// (Annex 1, §11): *objects.Service.
type ObjectService interface {
	Register(ctx context.Context, actor identity.Actor, in objects.Registration, now time.Time) (objects.Object, error)
	Get(ctx context.Context, actor identity.Actor, id string) (objects.Object, error)
	ChangeStage(ctx context.Context, actor identity.Actor, id string, in objects.StageChange, now time.Time) (objects.Object, error)
	List(ctx context.Context, actor identity.Actor, organization string, limit int, cursor string) ([]objects.Object, string, error)
	PutPlan(ctx context.Context, actor identity.Actor, year int, in objects.PlanInput, now time.Time) (objects.Plan, error)
	GetPlan(ctx context.Context, actor identity.Actor, organization string, year int) (objects.Plan, error)
}

var _ ObjectService = (*objects.Service)(nil)

// objectRoutes are the routes of objects of informatization and annual plans.
func (h *Handler) objectRoutes() map[string]route {
	applicant := []identity.Role{identity.Applicant}
	all := []identity.Role{identity.Applicant, identity.Authority, identity.STS}
	return map[string]route{
		"POST /objects":                 {roles: applicant, handle: h.registerObject, idempotent: true},
		"GET /objects":                  {roles: all, handle: h.listObjects},
		"GET /objects/{objectId}":       {roles: all, handle: h.getObject},
		"PUT /objects/{objectId}/stage": {roles: applicant, handle: h.changeObjectStage, idempotent: true},
		"PUT /plans/{year}":             {roles: applicant, handle: h.putPlan, idempotent: true},
		"GET /plans/{year}":             {roles: all, handle: h.getPlan},
	}
}

// ObjectView is an object of informatization as the API shows it.
type ObjectView struct {
	ID             string        `json:"id"`
	Organization   string        `json:"organization"`
	Kind           string        `json:"kind"`
	Name           string        `json:"name"`
	Developer      string        `json:"developer"`
	LifeCycleStage objects.Stage `json:"lifeCycleStage"`
	Mandatory      bool          `json:"mandatory"`
	RegisteredAt   time.Time     `json:"registeredAt"`
	StageSince     time.Time     `json:"stageSince"`
	// Stages are the life-cycle states its owner recorded, oldest first, the current one last.
	Stages []StageView `json:"stages"`
}

// StageView is one life-cycle state of an object and when its owner recorded it.
type StageView struct {
	Stage objects.Stage `json:"stage"`
	Since time.Time     `json:"since"`
}

// ObjectPage is a page of an organisation's objects.
type ObjectPage struct {
	Objects []ObjectView `json:"objects"`
	Cursor  string       `json:"cursor,omitempty"`
}

// PlanView is an annual list of objects planned for attestation (§11, Annex 1) as the API shows
// it. late says whether its first submission came after dueAt; revisionLate whether this
// revision did.
type PlanView struct {
	Organization     string        `json:"organization"`
	Year             int           `json:"year"`
	Rows             []PlanRowView `json:"rows"`
	Revision         int           `json:"revision"`
	DueAt            time.Time     `json:"dueAt"`
	Paragraph        string        `json:"paragraph"`
	FirstSubmittedAt time.Time     `json:"firstSubmittedAt"`
	SubmittedAt      time.Time     `json:"submittedAt"`
	Late             bool          `json:"late"`
	RevisionLate     bool          `json:"revisionLate"`
}

// PlanRowView is a row of the list: Annex 1 columns 3-6, with the object's kind's obligation.
type PlanRowView struct {
	ObjectID       string              `json:"objectId"`
	ObjectName     string              `json:"objectName"`
	Mandatory      bool                `json:"mandatory"`
	LifeCycleStage objects.Stage       `json:"lifeCycleStage"`
	PlannedDate    string              `json:"plannedDate"`
	TestingAct     *objects.TestingAct `json:"testingAct,omitempty"`
}

func objectView(o objects.Object) ObjectView {
	v := ObjectView{ID: o.ID, Organization: o.OrganizationBIN, Kind: o.Kind, Name: o.Name, Developer: o.Developer,
		LifeCycleStage: o.LifeCycleStage, Mandatory: o.Mandatory, RegisteredAt: o.RegisteredAt, StageSince: o.Since(), Stages: []StageView{}}
	for _, r := range o.History() {
		v.Stages = append(v.Stages, StageView{Stage: r.Stage, Since: r.Since})
	}
	return v
}

func planView(p objects.Plan) PlanView {
	v := PlanView{Organization: p.OrganizationBIN, Year: p.Year, Rows: []PlanRowView{}, Revision: p.Revision, DueAt: p.DueAt,
		Paragraph: p.Paragraph, FirstSubmittedAt: p.FirstSubmittedAt, SubmittedAt: p.SubmittedAt, Late: p.Late(), RevisionLate: p.RevisionLate()}
	for _, r := range p.Rows {
		v.Rows = append(v.Rows, PlanRowView{ObjectID: r.ObjectID, ObjectName: r.ObjectName, Mandatory: r.Mandatory,
			LifeCycleStage: r.LifeCycleStage, PlannedDate: r.PlannedDate, TestingAct: r.TestingAct})
	}
	return v
}

// objectError turns the service's not-found errors into this API's 404s: one body for every
// object an applicant may not see, so another organisation's object reads exactly like a missing
// one.
func objectError(err error) error {
	switch {
	case errors.Is(err, objects.ErrObjectNotFound):
		return badRequest(apperr.NotFound, "no such object")
	case errors.Is(err, objects.ErrPlanNotFound):
		return badRequest(apperr.NotFound, "no plan of this organisation for this year")
	}
	return err
}

// organizationParam is the ?organization= of a read: a valid BIN/IIN when given, required for
// staff (an applicant reads its own organisation's).
func organizationParam(r *request) (string, error) {
	org, given := r.QueryStringParameters["organization"]
	if !given || org == "" {
		if r.actor.Role != identity.Applicant {
			return "", badRequest(apperr.Invalid, "organization: required for staff: the BIN/IIN of the organisation to read")
		}
		return "", nil
	}
	if err := attestation.ValidIdentityNumber(org); err != nil {
		return "", badRequest(apperr.Invalid, "organization: "+apperr.PublicOf(err).Detail)
	}
	return org, nil
}

// yearParam is the {year} of a plan's path: four digits.
func yearParam(r *request) (int, error) {
	s := r.PathParameters["year"]
	if len(s) == 4 {
		if y, err := strconv.Atoi(s); err == nil && y >= 1000 {
			return y, nil
		}
	}
	return 0, badRequest(apperr.Invalid, "year: want a year, four digits (YYYY)")
}

func (h *Handler) registerObject(ctx context.Context, r *request) (int, any, error) {
	var in objects.Registration
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	o, err := h.objects.Register(ctx, r.actor, in, r.now)
	if err != nil {
		return 0, nil, objectError(err)
	}
	return http.StatusCreated, objectView(o), nil
}

func (h *Handler) getObject(ctx context.Context, r *request) (int, any, error) {
	o, err := h.objects.Get(ctx, r.actor, r.PathParameters["objectId"])
	if err != nil {
		return 0, nil, objectError(err)
	}
	return http.StatusOK, objectView(o), nil
}

// changeObjectStage records that the applicant's object moved to another life-cycle state (seed
// 004 §3, Law Art. 39); the oversight of §4 counts industrial operation from it.
func (h *Handler) changeObjectStage(ctx context.Context, r *request) (int, any, error) {
	var in objects.StageChange
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	o, err := h.objects.ChangeStage(ctx, r.actor, r.PathParameters["objectId"], in, r.now)
	if err != nil {
		return 0, nil, objectError(err)
	}
	return http.StatusOK, objectView(o), nil
}

// listObjects is an organisation's objects, newest first: the applicant's own, or for staff the
// one ?organization= names. An applicant naming another organisation is 403.
func (h *Handler) listObjects(ctx context.Context, r *request) (int, any, error) {
	org, err := organizationParam(r)
	if err != nil {
		return 0, nil, err
	}
	limit, cursor, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	list, next, err := h.objects.List(ctx, r.actor, org, limit, cursor)
	if err != nil {
		return 0, nil, objectError(err)
	}
	page := ObjectPage{Objects: []ObjectView{}, Cursor: next}
	for _, o := range list {
		page.Objects = append(page.Objects, objectView(o))
	}
	return http.StatusOK, page, nil
}

// putPlan sends the applicant's list of the year (§11, Annex 1): 201 for the first submission,
// 200 for a later revision.
func (h *Handler) putPlan(ctx context.Context, r *request) (int, any, error) {
	year, err := yearParam(r)
	if err != nil {
		return 0, nil, err
	}
	var in objects.PlanInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	p, err := h.objects.PutPlan(ctx, r.actor, year, in, r.now)
	if err != nil {
		return 0, nil, objectError(err)
	}
	status := http.StatusOK
	if p.Revision == 1 {
		status = http.StatusCreated
	}
	return status, planView(p), nil
}

func (h *Handler) getPlan(ctx context.Context, r *request) (int, any, error) {
	year, err := yearParam(r)
	if err != nil {
		return 0, nil, err
	}
	org, err := organizationParam(r)
	if err != nil {
		return 0, nil, err
	}
	p, err := h.objects.GetPlan(ctx, r.actor, org, year)
	if err != nil {
		return 0, nil, objectError(err)
	}
	return http.StatusOK, planView(p), nil
}
