package httpapi

import (
	"context"
	"net/http"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// FileService is what the API needs of the drafts, uploads and document links
// (*attestation.Service).
type FileService interface {
	OfficeService // the office's paper filings (office.go)
	CheckPackage(actor identity.Actor, pkg attestation.Package, now time.Time) ([]attestation.Problem, error)
	CreateDraft(ctx context.Context, actor identity.Actor, pkg attestation.Package, now time.Time) (attestation.Draft, error)
	GetDraft(ctx context.Context, actor identity.Actor, id string, now time.Time) (attestation.Draft, []attestation.Problem, error)
	UpdateDraft(ctx context.Context, actor identity.Actor, id string, pkg attestation.Package, now time.Time) (attestation.Draft, error)
	RequestDraftUpload(ctx context.Context, actor identity.Actor, draftID string, in attestation.UploadRequest, now time.Time) (attestation.Upload, attestation.Presigned, error)
	SubmitDraft(ctx context.Context, actor identity.Actor, draftID string, now time.Time) (attestation.Case, error)
	RequestCaseUpload(ctx context.Context, actor identity.Actor, caseID string, in attestation.UploadRequest, now time.Time) (attestation.Upload, attestation.Presigned, error)
	ConfirmUpload(ctx context.Context, actor identity.Actor, id string, now time.Time) (attestation.Upload, error)
	DocumentLink(ctx context.Context, actor identity.Actor, caseID, key string) (attestation.Document, attestation.Presigned, error)
}

var _ FileService = (*attestation.Service)(nil)

// DraftView is a draft as the API shows it, with the machine check of its package.
type DraftView struct {
	attestation.Draft
	Check *CheckView `json:"check,omitempty"`
}

// CheckView is the machine check of a package: everything missing or wrong, each with its
// paragraph.
type CheckView struct {
	Complete bool                  `json:"complete"`
	Problems []attestation.Problem `json:"problems"`
}

// UploadView is a declared upload and the request that uploads its bytes.
type UploadView struct {
	Upload attestation.Upload     `json:"upload"`
	Put    *attestation.Presigned `json:"put,omitempty"`
}

// DocumentLinkView is a document of a case and the request that downloads it.
type DocumentLinkView struct {
	Document attestation.Document  `json:"document"`
	Get      attestation.Presigned `json:"get"`
}

func (h *Handler) files() FileService { return h.svc }

// parsePackage reads a body that is a package (the draft's content).
func parsePackage(r *request) (attestation.Package, error) {
	body, err := jsonBody(r)
	if err != nil {
		return attestation.Package{}, err
	}
	pkg, problems := attestation.ParsePackage(body)
	if len(problems) > 0 {
		return attestation.Package{}, &attestation.SubmissionRefused{Problems: problems}
	}
	return pkg, nil
}

func (h *Handler) createDraft(ctx context.Context, r *request) (int, any, error) {
	pkg, err := parsePackage(r)
	if err != nil {
		return 0, nil, err
	}
	d, err := h.files().CreateDraft(ctx, r.actor, pkg, r.now)
	if err != nil {
		return 0, nil, err
	}
	return h.checked(r, d, http.StatusCreated)
}

// checked answers a draft in hand with its machine check.
func (h *Handler) checked(r *request, d attestation.Draft, status int) (int, any, error) {
	var problems []attestation.Problem
	if d.State == attestation.DraftOpen {
		var err error
		if problems, err = h.files().CheckPackage(r.actor, d.Package, r.now); err != nil {
			return 0, nil, err
		}
	}
	return status, draftView(d, problems), nil
}

// draftView is the draft with its check while it is open.
func draftView(d attestation.Draft, problems []attestation.Problem) DraftView {
	v := DraftView{Draft: d}
	if d.State == attestation.DraftOpen {
		if problems == nil {
			problems = []attestation.Problem{}
		}
		v.Check = &CheckView{Complete: len(problems) == 0, Problems: problems}
	}
	return v
}

// getDraft answers the draft with the check the service made of it.
func (h *Handler) getDraft(ctx context.Context, r *request) (int, any, error) {
	d, problems, err := h.files().GetDraft(ctx, r.actor, r.PathParameters["draftId"], r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, draftView(d, problems), nil
}

func (h *Handler) updateDraft(ctx context.Context, r *request) (int, any, error) {
	pkg, err := parsePackage(r)
	if err != nil {
		return 0, nil, err
	}
	d, err := h.files().UpdateDraft(ctx, r.actor, r.PathParameters["draftId"], pkg, r.now)
	if err != nil {
		return 0, nil, err
	}
	return h.checked(r, d, http.StatusOK)
}

func (h *Handler) draftUpload(ctx context.Context, r *request) (int, any, error) {
	var in attestation.UploadRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	u, p, err := h.files().RequestDraftUpload(ctx, r.actor, r.PathParameters["draftId"], in, r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, UploadView{Upload: u, Put: &p}, nil
}

func (h *Handler) caseUpload(ctx context.Context, r *request) (int, any, error) {
	var in attestation.UploadRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	u, p, err := h.files().RequestCaseUpload(ctx, r.actor, r.PathParameters["caseId"], in, r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, UploadView{Upload: u, Put: &p}, nil
}

func (h *Handler) confirmUpload(ctx context.Context, r *request) (int, any, error) {
	if err := noBody(r); err != nil {
		return 0, nil, err
	}
	u, err := h.files().ConfirmUpload(ctx, r.actor, r.PathParameters["uploadId"], r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, UploadView{Upload: u}, nil
}

func (h *Handler) submitDraft(ctx context.Context, r *request) (int, any, error) {
	if err := noBody(r); err != nil {
		return 0, nil, err
	}
	c, err := h.files().SubmitDraft(ctx, r.actor, r.PathParameters["draftId"], r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, caseView(c, nil), nil
}

func (h *Handler) documentLink(ctx context.Context, r *request) (int, any, error) {
	key := r.QueryStringParameters["key"]
	if key == "" {
		return 0, nil, badRequest(apperr.Invalid, "key: the query parameter key (a document's key, as the case lists it) is required")
	}
	d, p, err := h.files().DocumentLink(ctx, r.actor, r.PathParameters["caseId"], key)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, DocumentLinkView{Document: d, Get: p}, nil
}

// noBody refuses a body on a route that takes none (an empty JSON object is accepted).
func noBody(r *request) error {
	body, err := rawBody(r)
	if err != nil {
		return err
	}
	switch s := string(body); s {
	case "", "{}":
		return nil
	}
	return badRequest(apperr.Invalid, "body: this route takes no body")
}
