package httpapi

import (
	"context"
	"net/http"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/objects"
	"attestation/internal/oversight"
)

// OversightService is what the API needs of the authority's oversight reports (§4; §11,
// Annex 1): *oversight.Service.
type OversightService interface {
	OperationWithoutCertificate(ctx context.Context, actor identity.Actor, now time.Time) (oversight.OperationReport, error)
	PlansAgainstApplications(ctx context.Context, actor identity.Actor, year int) (oversight.PlanReport, error)
}

var _ OversightService = (*oversight.Service)(nil)

// oversightRoutes are the authority's oversight reports.
func (h *Handler) oversightRoutes() map[string]route {
	authority := []identity.Role{identity.Authority}
	return map[string]route{
		"GET /oversight/operation-without-certificate": {roles: authority, handle: h.operationWithoutCertificate},
		"GET /oversight/plans/{year}":                  {roles: authority, handle: h.plansAgainstApplications},
	}
}

// OperationReportView is the report of §4 as the API shows it: the mandatory objects in
// industrial operation without a valid certificate at the moment of the request.
type OperationReportView struct {
	At      time.Time        `json:"at"`
	Count   int              `json:"count"`
	Objects []UnattestedView `json:"objects"`
}

// UnattestedView is one object of the report of §4.
type UnattestedView struct {
	ObjectID                     string           `json:"objectId"`
	ObjectName                   string           `json:"objectName"`
	Kind                         string           `json:"kind"`
	Organization                 string           `json:"organization"`
	LifeCycleStage               objects.Stage    `json:"lifeCycleStage"`
	Since                        time.Time        `json:"since"`
	Paragraph                    string           `json:"paragraph"`
	OperationRequiresCertificate bool             `json:"operationRequiresCertificate"`
	Reason                       oversight.Reason `json:"reason"`
	Certificate                  string           `json:"certificate,omitempty"`
	ReasonAt                     *time.Time       `json:"reasonAt,omitempty"`
	Edition                      string           `json:"edition"`
}

// PlanReportView is the year's lists of objects planned for attestation against the applications
// filed that year (§11, Annex 1), as the API shows it.
type PlanReportView struct {
	Year                      int                             `json:"year"`
	PlannedWithoutApplication []PlannedWithoutApplicationView `json:"plannedWithoutApplication"`
	ApplicationsWithoutPlan   []ApplicationWithoutPlanView    `json:"applicationsWithoutPlan"`
}

// PlannedWithoutApplicationView is a mandatory object planned for the year with no application
// filed that year.
type PlannedWithoutApplicationView struct {
	Organization   string        `json:"organization"`
	ObjectID       string        `json:"objectId"`
	ObjectName     string        `json:"objectName"`
	LifeCycleStage objects.Stage `json:"lifeCycleStage"`
	PlannedDate    string        `json:"plannedDate"`
	PlanRevision   int           `json:"planRevision"`
	PlanLate       bool          `json:"planLate"`
	Paragraph      string        `json:"paragraph"`
}

// ApplicationWithoutPlanView is an application filed in the year for a mandatory object no list
// of the year names.
type ApplicationWithoutPlanView struct {
	CaseID       string            `json:"caseId"`
	Organization string            `json:"organization"`
	ObjectID     string            `json:"objectId,omitempty"`
	ObjectName   string            `json:"objectName"`
	ObjectKind   string            `json:"objectKind"`
	SubmittedAt  time.Time         `json:"submittedAt"`
	Stage        attestation.Stage `json:"stage"`
	PlanSent     bool              `json:"planSent"`
	Paragraph    string            `json:"paragraph"`
}

// operationWithoutCertificate is the report of §4 at the moment of the request.
func (h *Handler) operationWithoutCertificate(ctx context.Context, r *request) (int, any, error) {
	rep, err := h.oversight.OperationWithoutCertificate(ctx, r.actor, r.now)
	if err != nil {
		return 0, nil, err
	}
	v := OperationReportView{At: rep.At, Count: len(rep.Rows), Objects: make([]UnattestedView, 0, len(rep.Rows))}
	for _, x := range rep.Rows {
		v.Objects = append(v.Objects, UnattestedView{ObjectID: x.ObjectID, ObjectName: x.ObjectName, Kind: x.Kind, Organization: x.OwnerBIN,
			LifeCycleStage: x.Stage, Since: x.Since, Paragraph: x.Paragraph, OperationRequiresCertificate: x.OperationRequiresCertificate,
			Reason: x.Reason, Certificate: x.Certificate, ReasonAt: x.ReasonAt, Edition: x.Edition})
	}
	return http.StatusOK, v, nil
}

// plansAgainstApplications is the year's plans against its applications (§11, Annex 1).
func (h *Handler) plansAgainstApplications(ctx context.Context, r *request) (int, any, error) {
	year, err := yearParam(r)
	if err != nil {
		return 0, nil, err
	}
	rep, err := h.oversight.PlansAgainstApplications(ctx, r.actor, year)
	if err != nil {
		return 0, nil, err
	}
	v := PlanReportView{Year: rep.Year, PlannedWithoutApplication: make([]PlannedWithoutApplicationView, 0, len(rep.PlannedWithoutApplication)),
		ApplicationsWithoutPlan: make([]ApplicationWithoutPlanView, 0, len(rep.ApplicationsWithoutPlan))}
	for _, x := range rep.PlannedWithoutApplication {
		v.PlannedWithoutApplication = append(v.PlannedWithoutApplication, PlannedWithoutApplicationView{Organization: x.OwnerBIN, ObjectID: x.ObjectID,
			ObjectName: x.ObjectName, LifeCycleStage: x.LifeCycleStage, PlannedDate: x.PlannedDate, PlanRevision: x.PlanRevision,
			PlanLate: x.PlanLate, Paragraph: x.Paragraph})
	}
	for _, x := range rep.ApplicationsWithoutPlan {
		v.ApplicationsWithoutPlan = append(v.ApplicationsWithoutPlan, ApplicationWithoutPlanView{CaseID: x.CaseID, Organization: x.OwnerBIN,
			ObjectID: x.ObjectID, ObjectName: x.ObjectName, ObjectKind: x.ObjectKind, SubmittedAt: x.SubmittedAt, Stage: x.Stage,
			PlanSent: x.PlanSent, Paragraph: x.Paragraph})
	}
	return http.StatusOK, v, nil
}
