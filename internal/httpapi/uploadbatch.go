package httpapi

import (
	"context"
	"net/http"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// UploadBatchService is what the API needs to declare and confirm a draft's documents many at
// a time (*attestation.Service).
type UploadBatchService interface {
	RequestDraftUploads(ctx context.Context, actor identity.Actor, draftID string, ins []attestation.UploadRequest, now time.Time) ([]attestation.DeclaredUpload, error)
	ConfirmDraftUploads(ctx context.Context, actor identity.Actor, draftID string, ids []string, now time.Time) ([]attestation.ConfirmResult, error)
}

var _ UploadBatchService = (*attestation.Service)(nil)

// UploadBatchRequest declares documents of a draft (POST /drafts/{draftId}/uploads/batch).
type UploadBatchRequest struct {
	Uploads []attestation.UploadRequest `json:"uploads"`
}

// UploadBatchView is the declared uploads, in the order asked, each with its PUT.
type UploadBatchView struct {
	Uploads []attestation.DeclaredUpload `json:"uploads"`
}

// ConfirmBatchRequest names uploads of a draft to confirm (POST /drafts/{draftId}/uploads/confirm).
type ConfirmBatchRequest struct {
	Uploads []string `json:"uploads"`
}

// ConfirmBatchView is the outcome of each upload, in the order asked.
type ConfirmBatchView struct {
	Results []ConfirmResultView `json:"results"`
}

// ConfirmResultView is one upload's outcome: the upload confirmed, or the problem (as
// application/problem+json would carry it) that refused it.
type ConfirmResultView struct {
	ID      string              `json:"id"`
	Upload  *attestation.Upload `json:"upload,omitempty"`
	Problem *Problem            `json:"problem,omitempty"`
}

func (h *Handler) uploadBatch() UploadBatchService { return h.svc }

func (h *Handler) draftUploads(ctx context.Context, r *request) (int, any, error) {
	var in UploadBatchRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := h.uploadBatch().RequestDraftUploads(ctx, r.actor, r.PathParameters["draftId"], in.Uploads, r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, UploadBatchView{Uploads: out}, nil
}

func (h *Handler) confirmDraftUploads(ctx context.Context, r *request) (int, any, error) {
	var in ConfirmBatchRequest
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	results, err := h.uploadBatch().ConfirmDraftUploads(ctx, r.actor, r.PathParameters["draftId"], in.Uploads, r.now)
	if err != nil {
		return 0, nil, err
	}
	v := ConfirmBatchView{Results: make([]ConfirmResultView, len(results))}
	for i, res := range results {
		v.Results[i] = ConfirmResultView{ID: res.ID, Upload: res.Upload}
		if res.Err != nil {
			p := apperr.PublicOf(res.Err)
			v.Results[i].Problem = &Problem{Type: p.Type, Title: p.Title, Status: p.Status, Detail: p.Detail, Problems: p.Problems}
		}
	}
	return http.StatusOK, v, nil
}
